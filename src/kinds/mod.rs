//! The ARM side of each resource kind: its ARM type and api-version, its ID, the body azplan
//! PUTs, and the diff rules (immutable, set-valued, ignored and create-only paths). Adding an
//! Azure resource type means adding one file here.

use serde_json::{Value, json};

use crate::live::LiveState;
use crate::model::{Address, Kind, Resource, ResourceGroupRef, Scope, Spec, Stack, Target};

mod cluster;
mod dns_zone;
mod identity;
mod network;
mod node_pool;
mod registry;
mod resource_group;
mod role_assignment;
mod workspace;

/// The tag that marks a resource as owned by a stack.
pub const OWNER_TAG: &str = "azplan-stack";
/// Role assignments have no tags; their description carries the owner instead.
pub const OWNER_PREFIX: &str = "azplan-stack:";
/// What a value not known until its dependency exists renders as.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// ARM facts about a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmKind {
    pub arm_type: &'static str,
    pub api_version: &'static str,
    pub taggable: bool,
}

/// How the diff treats paths of a kind's body (dotted paths; `[]` stands for every element).
#[derive(Debug, Default)]
pub struct Rules {
    /// Changing these needs a new resource: (path, why).
    pub immutable: &'static [(&'static str, &'static str)],
    /// Arrays compared as sets.
    pub sets: &'static [&'static str],
    /// Sent but never compared (server rewrites them, or they only matter at creation).
    pub ignore: &'static [&'static str],
    /// Maps compared in full: keys set outside azplan count as changes.
    pub exact_maps: &'static [&'static str],
    /// Sent on create only (ARM rejects or misreads them on update).
    pub create_only: &'static [&'static str],
    /// Compared case-insensitively (IDs, enum-like strings ARM re-cases).
    pub case_insensitive: &'static [&'static str],
    /// Map keys compared case-insensitively (AKS add-on names).
    pub case_insensitive_keys: &'static [&'static str],
    /// Settings Azure can turn on but never off again: (path, why). Turning one off is a plan
    /// error, not a replacement.
    pub one_way: &'static [(&'static str, &'static str)],
    /// Values the service assumes when a GET leaves the property out: (path, JSON value).
    pub server_defaults: &'static [(&'static str, &'static str)],
    /// Versions where the spec may give a prefix (`1.33`) that ARM resolves (`1.33.5`).
    pub version_prefix: &'static [&'static str],
    /// Compared by their last `/` segment only (role definition IDs come back without the
    /// subscription prefix).
    pub last_segment: &'static [&'static str],
}

/// Rules with nothing special, to build others from (`..EMPTY`).
pub const EMPTY: Rules = Rules {
    immutable: &[],
    one_way: &[],
    server_defaults: &[],
    version_prefix: &[],
    sets: &[],
    ignore: &[],
    exact_maps: &[],
    create_only: &[],
    case_insensitive: &[],
    case_insensitive_keys: &[],
    last_segment: &[],
};

pub fn arm_kind(resource: &Resource) -> ArmKind {
    let (arm_type, api_version, taggable) = match &resource.spec {
        Spec::ResourceGroup => ("Microsoft.Resources/resourceGroups", "2025-04-01", true),
        Spec::Registry(_) => ("Microsoft.ContainerRegistry/registries", "2025-11-01", true),
        Spec::Workspace(_) => (
            "Microsoft.OperationalInsights/workspaces",
            "2025-07-01",
            true,
        ),
        Spec::VirtualNetwork(_) => ("Microsoft.Network/virtualNetworks", "2026-03-01", true),
        Spec::Subnet(_) => (
            "Microsoft.Network/virtualNetworks/subnets",
            "2026-03-01",
            false,
        ),
        Spec::DnsZone(z) if z.private => ("Microsoft.Network/privateDnsZones", "2024-06-01", true),
        Spec::DnsZone(_) => ("Microsoft.Network/dnsZones", "2018-05-01", true),
        Spec::Identity => (
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            "2024-11-30",
            true,
        ),
        Spec::FederatedCredential(_) => (
            "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            "2024-11-30",
            false,
        ),
        Spec::RoleAssignment(_) => (
            "Microsoft.Authorization/roleAssignments",
            "2022-04-01",
            false,
        ),
        Spec::Cluster(_) => (
            "Microsoft.ContainerService/managedClusters",
            "2026-08-01",
            true,
        ),
        Spec::NodePool(_) => (
            "Microsoft.ContainerService/managedClusters/agentPools",
            "2026-08-01",
            false,
        ),
        Spec::Existing(e) => return existing_kind(&e.arm_type),
    };
    ArmKind {
        arm_type,
        api_version,
        taggable,
    }
}

/// The api-version azplan uses for an ARM type (lower-case), for resources known only by ID.
pub fn api_version_of_type(arm_type: &str) -> &'static str {
    match arm_type {
        "microsoft.resources/resourcegroups" => "2025-04-01",
        "microsoft.containerregistry/registries" => "2025-11-01",
        "microsoft.operationalinsights/workspaces" => "2025-07-01",
        "microsoft.network/virtualnetworks" | "microsoft.network/virtualnetworks/subnets" => {
            "2026-03-01"
        }
        "microsoft.network/dnszones" => "2018-05-01",
        "microsoft.network/privatednszones" => "2024-06-01",
        "microsoft.managedidentity/userassignedidentities"
        | "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials" => {
            "2024-11-30"
        }
        "microsoft.authorization/roleassignments" => "2022-04-01",
        "microsoft.containerservice/managedclusters"
        | "microsoft.containerservice/managedclusters/agentpools" => "2026-08-01",
        _ => "2021-04-01",
    }
}

/// Whether resources of this ARM type carry tags (and so the ownership tag); children and role
/// assignments do not.
pub fn taggable_type(arm_type: &str) -> bool {
    matches!(
        arm_type.to_ascii_lowercase().as_str(),
        "microsoft.resources/resourcegroups"
            | "microsoft.containerregistry/registries"
            | "microsoft.operationalinsights/workspaces"
            | "microsoft.network/virtualnetworks"
            | "microsoft.network/dnszones"
            | "microsoft.network/privatednszones"
            | "microsoft.managedidentity/userassignedidentities"
            | "microsoft.containerservice/managedclusters"
    )
}

/// Whether azplan manages resources of this ARM type (any casing) and so knows how to delete
/// one.
pub fn manages_type(arm_type: &str) -> bool {
    let lower = arm_type.to_ascii_lowercase();
    api_version_of_type(&lower) != api_version_of_type("")
}

fn existing_kind(arm_type: &str) -> ArmKind {
    ArmKind {
        arm_type: "existing",
        api_version: api_version_of_type(arm_type),
        taggable: false,
    }
}

pub fn rules(resource: &Resource) -> &'static Rules {
    match &resource.spec {
        Spec::ResourceGroup => &resource_group::RULES,
        Spec::Registry(_) => &registry::RULES,
        Spec::Workspace(_) => &workspace::RULES,
        Spec::VirtualNetwork(_) => &network::VNET_RULES,
        Spec::Subnet(_) => &network::SUBNET_RULES,
        Spec::DnsZone(_) => &dns_zone::RULES,
        Spec::Identity => &identity::IDENTITY_RULES,
        Spec::FederatedCredential(_) => &identity::CREDENTIAL_RULES,
        Spec::RoleAssignment(_) => &role_assignment::RULES,
        Spec::Cluster(_) => &cluster::RULES,
        Spec::NodePool(_) => &node_pool::RULES,
        Spec::Existing(_) => &EXISTING_RULES,
    }
}

static EXISTING_RULES: Rules = EMPTY;

/// The diff rules of a kind, by ARM type (any casing): what apply needs to decide again about
/// a resource it only knows from the plan.
pub fn rules_of_type(arm_type: &str) -> &'static Rules {
    match arm_type.to_ascii_lowercase().as_str() {
        "microsoft.resources/resourcegroups" => &resource_group::RULES,
        "microsoft.containerregistry/registries" => &registry::RULES,
        "microsoft.operationalinsights/workspaces" => &workspace::RULES,
        "microsoft.network/virtualnetworks" => &network::VNET_RULES,
        "microsoft.network/virtualnetworks/subnets" => &network::SUBNET_RULES,
        "microsoft.network/dnszones" | "microsoft.network/privatednszones" => &dns_zone::RULES,
        "microsoft.managedidentity/userassignedidentities" => &identity::IDENTITY_RULES,
        "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials" => {
            &identity::CREDENTIAL_RULES
        }
        "microsoft.authorization/roleassignments" => &role_assignment::RULES,
        "microsoft.containerservice/managedclusters" => &cluster::RULES,
        "microsoft.containerservice/managedclusters/agentpools" => &node_pool::RULES,
        _ => &EXISTING_RULES,
    }
}

/// A value in a desired body that comes from another resource once it exists.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct LateValue {
    /// Dotted path in the body.
    pub path: String,
    /// The resource that provides it.
    pub from: String,
    /// Dotted path in that resource's ARM body, e.g. `properties.principalId`.
    pub attribute: String,
}

/// A write-only secret that apply reads from the environment and sends only when it creates
/// the resource. Its value never enters a plan, a saved plan, a log or an error.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SecretValue {
    /// Dotted path in the body, e.g. `properties.servicePrincipalProfile.secret`.
    pub path: String,
    /// The environment variable that holds it.
    pub env: String,
}

/// The body azplan would PUT, with the values that must wait for other resources.
#[derive(Debug, Clone)]
pub struct Desired {
    pub body: Value,
    pub late: Vec<LateValue>,
    pub secrets: Vec<SecretValue>,
}

/// What rendering needs to know: the stack (for IDs) and live state (for values of
/// resources that already exist).
pub struct Context<'a> {
    pub stack: &'a Stack,
    pub live: &'a LiveState,
}

impl Context<'_> {
    fn subscription_id(&self) -> String {
        format!("/subscriptions/{}", self.stack.subscription)
    }

    fn resource_group_id(&self, rg: &ResourceGroupRef) -> String {
        match rg {
            ResourceGroupRef::Managed { name, .. } => {
                format!("{}/resourceGroups/{name}", self.subscription_id())
            }
            ResourceGroupRef::Existing { id, .. } => id.clone(),
        }
    }

    /// The ARM ID of a node of the stack. Every name is known before apply.
    pub fn id(&self, address: &Address) -> String {
        let Some(resource) = self.stack.resources.get(address) else {
            return String::new();
        };
        let in_group = |provider_path: &str| {
            let rg = resource
                .resource_group
                .as_ref()
                .map(|rg| self.resource_group_id(rg))
                .unwrap_or_default();
            format!("{rg}/providers/{provider_path}")
        };
        match &resource.spec {
            Spec::ResourceGroup => format!(
                "{}/resourceGroups/{}",
                self.subscription_id(),
                resource.name
            ),
            Spec::Existing(e) => e.id.clone(),
            Spec::Subnet(_) | Spec::FederatedCredential(_) | Spec::NodePool(_) => {
                let parent = address.parent().map(|p| self.id(&p)).unwrap_or_default();
                let segment = match resource.spec {
                    Spec::Subnet(_) => "subnets",
                    Spec::FederatedCredential(_) => "federatedIdentityCredentials",
                    _ => "agentPools",
                };
                format!("{parent}/{segment}/{}", resource.name)
            }
            Spec::RoleAssignment(ra) => {
                let scope = self.scope_id(&ra.scope);
                format!(
                    "{scope}/providers/Microsoft.Authorization/roleAssignments/{}",
                    role_assignment::name(self, address, ra)
                )
            }
            _ => in_group(&format!(
                "{}/{}",
                arm_kind(resource).arm_type,
                resource.name
            )),
        }
    }

    /// The ID a reference points at: a node, a child of an existing resource, or a raw ID.
    pub fn target_id(&self, target: &Target) -> String {
        match target {
            Target::ArmId(id) => id.clone(),
            Target::Node(address) if address.kind == Kind::Existing && address.child.is_some() => {
                let parent = Address::new(Kind::Existing, &address.name);
                format!(
                    "{}/subnets/{}",
                    self.id(&parent),
                    address.child.as_deref().unwrap_or_default()
                )
            }
            Target::Node(address) => self.id(address),
        }
    }

    pub fn scope_id(&self, scope: &Scope) -> String {
        match scope {
            Scope::Subscription => self.subscription_id(),
            Scope::Target(target) => self.target_id(target),
            Scope::NodeResourceGroup(cluster) => format!(
                "{}/resourceGroups/{}",
                self.subscription_id(),
                cluster::node_resource_group(self, cluster)
            ),
            Scope::Namespace { cluster, namespace } => {
                format!("{}/namespaces/{namespace}", self.id(cluster))
            }
        }
    }

    /// A value of an existing resource, e.g. an identity's `properties.principalId`.
    pub fn live_value(&self, address: &Address, attribute: &str) -> Option<Value> {
        let body = self.live.get(&self.id(address))?;
        let mut current = body;
        for part in attribute.split('.') {
            current = current.get(part)?;
        }
        (!current.is_null()).then(|| current.clone())
    }
}

/// Builds a desired body, recording late values and secrets as it goes.
pub struct BodyBuilder<'c, 'a> {
    pub ctx: &'c Context<'a>,
    pub late: Vec<LateValue>,
    pub secrets: Vec<SecretValue>,
}

impl BodyBuilder<'_, '_> {
    /// The value of `attribute` on `from`: taken from live state when it exists, otherwise
    /// a placeholder recorded for apply to fill in.
    pub fn late(&mut self, path: &str, from: &Address, attribute: &str) -> Value {
        match self.ctx.live_value(from, attribute) {
            Some(value) => value,
            None => {
                self.late.push(LateValue {
                    path: path.to_string(),
                    from: from.to_string(),
                    attribute: attribute.to_string(),
                });
                Value::String(KNOWN_AFTER_APPLY.to_string())
            }
        }
    }
}

/// Paths ignored for one resource only: an autoscaled pool's count.
pub fn dynamic_ignores(resource: &Resource) -> &'static [&'static str] {
    match &resource.spec {
        Spec::NodePool(p) if node_pool::autoscaled(p) => &["properties.count"],
        _ => &[],
    }
}

/// The body azplan PUTs for a resource, raw overrides merged in.
pub fn desired(ctx: &Context<'_>, resource: &Resource) -> Desired {
    let mut b = BodyBuilder {
        ctx,
        late: Vec::new(),
        secrets: Vec::new(),
    };
    let mut body = match &resource.spec {
        Spec::ResourceGroup => resource_group::body(&b, resource),
        Spec::Registry(r) => registry::body(&b, resource, r),
        Spec::Workspace(w) => workspace::body(&b, resource, w),
        Spec::VirtualNetwork(v) => network::vnet_body(&b, resource, v),
        Spec::Subnet(s) => network::subnet_body(s),
        Spec::DnsZone(z) => dns_zone::body(&b, resource, z),
        Spec::Identity => identity::body(&b, resource),
        Spec::FederatedCredential(c) => identity::credential_body(&mut b, c),
        Spec::RoleAssignment(ra) => role_assignment::body(&mut b, resource, ra),
        Spec::Cluster(c) => cluster::body(&mut b, resource, c),
        Spec::NodePool(p) => node_pool::body(&mut b, resource, p),
        Spec::Existing(_) => Value::Null,
    };
    if let Some(raw) = &resource.raw {
        merge(&mut body, raw);
    }
    Desired {
        body,
        late: b.late,
        secrets: b.secrets,
    }
}

/// Deep-merges `overlay` into `base` (objects merge, everything else replaces).
pub fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// `location` and `tags` (with the ownership tag) for a tracked resource.
fn tracked(b: &BodyBuilder<'_, '_>, resource: &Resource) -> Value {
    json!({
        "location": resource.location.clone().unwrap_or_default(),
        "tags": tags(b, resource),
    })
}

/// The resource's tags plus the ownership tag, which always names this stack.
fn tags(b: &BodyBuilder<'_, '_>, resource: &Resource) -> Value {
    let mut tags: serde_json::Map<String, Value> = resource
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    tags.insert(
        OWNER_TAG.to_string(),
        Value::String(b.ctx.stack.name.clone()),
    );
    Value::Object(tags)
}

/// Inserts `value` at a dotted path, creating objects on the way.
pub fn set(body: &mut Value, path: &str, value: Value) {
    let mut current = body;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !current.is_object() {
            *current = Value::Object(serde_json::Map::new());
        }
        let map = current.as_object_mut().expect("made an object above");
        if i == parts.len() - 1 {
            map.insert((*part).to_string(), value);
            return;
        }
        current = map.entry((*part).to_string()).or_insert_with(|| json!({}));
    }
}
