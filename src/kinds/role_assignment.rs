//! Role assignments. Their names are deterministic GUIDs of (scope, role, principal reference),
//! so a re-apply finds the same assignment instead of tripping over `RoleAssignmentExists`; they
//! have no tags, so ownership lives in the description.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, Context, EMPTY, Kind, OWNER_PREFIX, Rules};
use crate::model::PrincipalType;
use crate::model::{
    Address, ClusterIdentity, ControlPlaneIdentity, Dependency, Origin, Principal, Resource,
    RoleAssignment, Scope, Spec, Target,
};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRoleAssignment {
    /// The assignment's GUID name, to adopt an existing assignment; by default azplan derives
    /// it from (scope, role, principal) so re-applies are idempotent.
    pub name: Option<Spanned<String>>,
    /// Built-in role name (e.g. `AcrPull`) or role definition GUID.
    pub role: Spanned<String>,
    /// Where the role applies: `subscription`, `rg/NAME`, `cluster/NAME:nodeResourceGroup`,
    /// any resource address (`dnsZone/x`, `vnet/v/s`), `cluster/NAME:namespace/NS`,
    /// `existing/NAME` or an ARM ID.
    pub scope: Spanned<String>,
    /// Who gets the role: `identity/NAME`, or a cluster identity such as `cluster/NAME:kubelet`,
    /// `:controlPlane`, `:appRouting`, `:monitoring`, `:virtualNodes`, `:azurePolicy`,
    /// `:keyVaultSecretsProvider`, `:ingressApplicationGateway`; `existing/NAME:kubelet`, the
    /// kubelet identity of an existing cluster; or a policy assignment's identity,
    /// `policyAssignment/NAME`.
    pub principal: Option<Spanned<String>>,
    /// Object ID of a principal outside the stack (an Entra group, user or app).
    pub principal_id: Option<Spanned<String>>,
    /// Type of `principalId`. Required with `principalId`.
    pub principal_type: Option<PrincipalType>,
    pub description: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM and azurerm names of a role assignment's settings (`crate::kinds::habits`). ARM:
/// Microsoft.Authorization roleAssignments properties; azurerm: `azurerm_role_assignment`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "roleDefinitionId", "role_definition_id", "`role: NAME or GUID` (any built-in role by name, e.g. `AcrPull`)"),
    habit("", "", "role_definition_name", "`role: NAME` (e.g. `AcrPull`)"),
    habit("", "", "skip_service_principal_aad_check", "nothing: apply retries `PrincipalNotFound` while a new principal replicates"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        (
            "properties.roleDefinitionId",
            "a role assignment's role cannot change",
        ),
        (
            "properties.principalId",
            "a role assignment's principal cannot change",
        ),
        (
            "properties.principalType",
            "a role assignment's principal type cannot change",
        ),
    ],
    case_insensitive: &["properties.principalId", "properties.principalType"],
    last_segment: &["properties.roleDefinitionId"],
    ..EMPTY
};

/// Fixed namespace for azplan's role-assignment names (UUIDv5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6a7a_706c_616e_4000_8000_726f_6c65_7321);

pub fn name(ctx: &Context<'_>, _address: &Address, ra: &RoleAssignment) -> String {
    if let Some(name) = &ra.name {
        return name.clone();
    }
    let principal = match &ra.principal {
        Principal::Identity(a) | Principal::PolicyAssignment(a) => a.to_string(),
        Principal::Cluster { cluster, identity } => format!("{cluster}:{}", identity.name()),
        Principal::Object { id, .. } => id.to_ascii_lowercase(),
    };
    let key = format!(
        "{}|{}|{principal}",
        ctx.scope_id(&ra.scope).to_ascii_lowercase(),
        ra.role.guid
    );
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

/// The resource whose body holds the principal's object ID, and where in it: `None` for an
/// object ID the spec gives. The plan turns the ID into a late value when that resource is
/// replaced (its new identity gets a new object ID).
pub fn principal_source(ctx: &Context<'_>, ra: &RoleAssignment) -> Option<(Address, String)> {
    match &ra.principal {
        Principal::Object { .. } => None,
        Principal::Identity(identity) => Some((identity.clone(), "properties.principalId".into())),
        Principal::PolicyAssignment(assignment) => {
            Some((assignment.clone(), "identity.principalId".into()))
        }
        Principal::Cluster { cluster, identity } => {
            Some(cluster_principal(ctx, cluster, *identity))
        }
    }
}

pub fn body(b: &mut BodyBuilder<'_, '_>, resource: &Resource, ra: &RoleAssignment) -> Value {
    let (principal_id, principal_type) = match &ra.principal {
        Principal::Object { id, principal_type } => (Value::String(id.clone()), *principal_type),
        Principal::Identity(identity) => (
            b.late("properties.principalId", identity, "properties.principalId"),
            PrincipalType::ServicePrincipal,
        ),
        // PolicyAssignment `identity.principalId` (policyAssignments.json): known once the
        // assignment exists.
        Principal::PolicyAssignment(assignment) => (
            b.late("properties.principalId", assignment, "identity.principalId"),
            PrincipalType::ServicePrincipal,
        ),
        Principal::Cluster { cluster, identity } => {
            let (from, attribute) = cluster_principal(b.ctx, cluster, *identity);
            (
                b.late("properties.principalId", &from, &attribute),
                PrincipalType::ServicePrincipal,
            )
        }
    };
    let owner = format!("{OWNER_PREFIX}{} {}", b.ctx.stack.name, resource.address);
    let description = match &ra.description {
        Some(text) => format!("{owner}: {text}"),
        None => owner,
    };
    json!({
        "properties": {
            "roleDefinitionId": format!(
                "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{}",
                b.ctx.stack.subscription, ra.role.guid
            ),
            "principalId": principal_id,
            "principalType": principal_type_name(principal_type),
            "description": description,
        }
    })
}

/// Where a cluster identity's object ID appears once the cluster exists.
fn cluster_principal(
    ctx: &Context<'_>,
    cluster: &Address,
    identity: ClusterIdentity,
) -> (Address, String) {
    let spec = match ctx.stack.resources.get(cluster).map(|r| &r.spec) {
        Some(Spec::Cluster(c)) => Some(c),
        _ => None,
    };
    let on_cluster = |path: &str| (cluster.clone(), path.to_string());
    match identity {
        ClusterIdentity::ControlPlane => match spec.map(|c| &c.identity) {
            Some(ControlPlaneIdentity::UserAssigned(id)) => {
                (id.clone(), "properties.principalId".into())
            }
            _ => on_cluster("identity.principalId"),
        },
        ClusterIdentity::Kubelet => match spec.and_then(|c| c.kubelet_identity.as_ref()) {
            Some(id) => (id.clone(), "properties.principalId".into()),
            None => on_cluster("properties.identityProfile.kubeletidentity.objectId"),
        },
        ClusterIdentity::AppRouting => {
            on_cluster("properties.ingressProfile.webAppRouting.identity.objectId")
        }
        ClusterIdentity::Monitoring => {
            on_cluster("properties.addonProfiles.omsagent.identity.objectId")
        }
        ClusterIdentity::VirtualNodes => {
            on_cluster("properties.addonProfiles.aciConnectorLinux.identity.objectId")
        }
        ClusterIdentity::AzurePolicy => {
            on_cluster("properties.addonProfiles.azurepolicy.identity.objectId")
        }
        // ManagedClusterAddonProfile.identity, "Information of user assigned identity used by
        // this add-on" (read-only, AKS 2026-08-01), under the add-on names the Azure CLI sends
        // (`kinds::cluster::addons`).
        ClusterIdentity::KeyVaultSecretsProvider => {
            on_cluster("properties.addonProfiles.azureKeyvaultSecretsProvider.identity.objectId")
        }
        ClusterIdentity::IngressApplicationGateway => {
            on_cluster("properties.addonProfiles.ingressApplicationGateway.identity.objectId")
        }
    }
}

fn principal_type_name(t: PrincipalType) -> &'static str {
    match t {
        PrincipalType::User => "User",
        PrincipalType::Group => "Group",
        PrincipalType::ServicePrincipal => "ServicePrincipal",
        PrincipalType::ForeignGroup => "ForeignGroup",
        PrincipalType::Device => "Device",
    }
}

// Building the model from the spec.

use crate::build::{Builder, arm_type_of};
use crate::diag::{Code, SpecDiagnostic, suggest};
use crate::reference::Parsed;
use crate::spec::Entry;
use crate::{names, reference, roles};
use std::collections::BTreeMap;

impl Builder<'_> {
    pub(crate) fn declare_role_assignments(&mut self, entries: &[Entry<RawRoleAssignment>]) {
        for e in entries {
            self.declare(
                Address::new(Kind::RoleAssignment, &e.key.value),
                e.key.span,
                None,
            );
        }
    }

    pub(crate) fn role_assignments(&mut self, entries: &[Entry<RawRoleAssignment>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut deps = Vec::new();
            self.depends_on(&s.depends_on, &mut deps);
            // Built-in role names and IDs: Learn "Azure built-in roles" (https://learn.microsoft.com/
            // azure/role-based-access-control/built-in-roles); any other role is given by its GUID.
            let role = roles::resolve(&s.role.value);
            if role.is_none() {
                self.error(
                    SpecDiagnostic::new(
                        Code::UnknownRole,
                        format!("`{}` is not a built-in role azplan knows", s.role.value),
                    )
                    .at(s.role.span, "unknown role")
                    .help(format!(
                        "{} (or give the role definition GUID)",
                        suggest(&s.role.value, roles::built_in_names())
                    )),
                );
            }
            let scope = self.scope(&s.scope, &mut deps);
            let principal = self.principal(entry, &mut deps);
            if let Some(name) = s.name.as_ref().filter(|n| !names::is_guid(&n.value)) {
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidName,
                    format!("`{}` is not a GUID", name.value),
                    name.span,
                    "role assignment name",
                    "role assignment names are GUIDs; leave `name` out and azplan derives one",
                ));
            }
            let (Some(role), Some(scope), Some(principal)) = (role, scope, principal) else {
                continue;
            };
            self.insert(Resource {
                address: Address::new(Kind::RoleAssignment, &entry.key.value),
                name: entry.key.value.clone(),
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location: None,
                tags: BTreeMap::new(),
                protect: s.protect,
                raw: None,
                dependencies: deps,
                spec: Spec::RoleAssignment(RoleAssignment {
                    name: s.name.as_ref().map(|n| n.value.to_ascii_lowercase()),
                    role,
                    scope,
                    principal,
                    description: s.description.clone(),
                }),
            });
        }
    }

    pub(crate) fn scope(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Scope> {
        // Role assignments cannot be scoped to pools, credentials or other assignments.
        let scopes: Vec<Kind> = Kind::all()
            .filter(|k| {
                !matches!(
                    k,
                    Kind::NodePool | Kind::FederatedCredential | Kind::RoleAssignment
                )
            })
            .collect();
        match reference::parse(&text.value) {
            Ok(Parsed::Subscription) => Some(Scope::Subscription),
            Ok(Parsed::ArmId(id)) => {
                if arm_type_of(id).is_none() {
                    self.error(SpecDiagnostic::error_at(
                        Code::InvalidReference,
                        format!("`{id}` is not an ARM ID"),
                        text.span,
                        "invalid scope",
                        "e.g. /subscriptions/SUB/resourceGroups/RG",
                    ));
                    return None;
                }
                self.wait_for_group_of(id, text.span, deps);
                Some(Scope::Target(Target::ArmId(id.to_string())))
            }
            Ok(Parsed::Path {
                kind: Kind::Cluster,
                name,
                child: None,
                facet: Some(facet),
            }) => {
                let cluster = Address::new(Kind::Cluster, name);
                self.resolve_address(&cluster, text, &[Kind::Cluster], deps)?;
                if facet == "nodeResourceGroup" {
                    return Some(Scope::NodeResourceGroup(cluster));
                }
                if let Some(namespace) = facet.strip_prefix("namespace/").filter(|n| !n.is_empty())
                {
                    return Some(Scope::Namespace {
                        cluster,
                        namespace: namespace.to_string(),
                    });
                }
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidReference,
                    format!("`:{facet}` is not a cluster scope"),
                    text.span,
                    "unknown scope",
                    suggest(facet, ["nodeResourceGroup", "namespace/NAME"]),
                ));
                None
            }
            _ => self.resolve(text, &scopes, deps).map(Scope::Target),
        }
    }

    pub(crate) fn principal(
        &mut self,
        entry: &crate::spec::Entry<crate::kinds::role_assignment::RawRoleAssignment>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Principal> {
        let s = &entry.spec;
        match (&s.principal, &s.principal_id) {
            (Some(p), None) => {
                if s.principal_type
                    .is_some_and(|t| t != PrincipalType::ServicePrincipal)
                {
                    self.error(SpecDiagnostic::conflict(
                        "managed identities are service principals",
                        p.span,
                        "principal",
                        "remove `principalType`; azplan sends ServicePrincipal for identities",
                    ));
                }
                self.principal_reference(p, deps)
            }
            (None, Some(id)) => {
                if !names::is_guid(&id.value) {
                    self.error(SpecDiagnostic::invalid(
                        format!("`{}` is not an object ID", id.value),
                        id.span,
                        "expected a GUID",
                        "find it with `az ad group show --group NAME --query id`",
                    ));
                    return None;
                }
                let Some(principal_type) = s.principal_type else {
                    self.error(SpecDiagnostic::error_at(
                        Code::MissingField,
                        "`principalId` needs `principalType`",
                        id.span,
                        "principal",
                        "add `principalType: Group` (or User, ServicePrincipal)",
                    ));
                    return None;
                };
                Some(Principal::Object {
                    id: id.value.to_ascii_lowercase(),
                    principal_type,
                })
            }
            (Some(p), Some(id)) => {
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        "set `principal` or `principalId`, not both",
                    )
                    .at(id.span, "object ID")
                    .also(p.span, "reference")
                    .help(
                        "`principal` names an identity of the stack; `principalId` one outside it",
                    ),
                );
                None
            }
            (None, None) => {
                self.error(
                    SpecDiagnostic::error_at(Code::MissingField, format!("role assignment `{}` has no principal", entry.key.value), entry.key.span, "no principal", "add `principal: identity/NAME` (or `cluster/NAME:kubelet`), or `principalId` with `principalType`"),
                );
                None
            }
        }
    }

    pub(crate) fn principal_reference(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Principal> {
        if let Ok(Parsed::Path {
            kind: Kind::Cluster,
            name,
            child: None,
            facet: Some(facet),
        }) = reference::parse(&text.value)
        {
            let cluster = Address::new(Kind::Cluster, name);
            self.resolve_address(&cluster, text, &[Kind::Cluster], deps)?;
            let Some((_, identity)) = ClusterIdentity::ALL.iter().find(|(n, _)| *n == facet) else {
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidReference,
                        format!("`:{facet}` is not a cluster identity"),
                    )
                    .at(text.span, "unknown identity")
                    .help(suggest(facet, ClusterIdentity::ALL.iter().map(|(n, _)| *n))),
                );
                return None;
            };
            self.check_identity_enabled(&cluster, *identity, text);
            return Some(Principal::Cluster {
                cluster,
                identity: *identity,
            });
        }
        if let Ok(Parsed::Path {
            kind: Kind::Existing,
            name,
            child: None,
            facet: Some(facet),
        }) = reference::parse(&text.value)
        {
            return self.existing_cluster_principal(name, facet, text, deps);
        }
        match self.resolve(text, &[Kind::Identity, Kind::PolicyAssignment], deps)? {
            Target::Node(address) if address.kind == Kind::PolicyAssignment => {
                let has_identity = matches!(
                    self.resources.get(&address).map(|r| &r.spec),
                    Some(Spec::PolicyAssignment(pa)) if pa.identity
                );
                if !has_identity {
                    self.error(SpecDiagnostic::error_at(
                        Code::InvalidReference,
                        format!("`{address}` has no identity"),
                        text.span,
                        "no identity",
                        "add `identity: systemAssigned` to the policy assignment",
                    ));
                    return None;
                }
                Some(Principal::PolicyAssignment(address))
            }
            Target::Node(address) => Some(Principal::Identity(address)),
            Target::ArmId(_) => None,
        }
    }

    /// `existing/NAME:kubelet`: the kubelet identity of a cluster the stack reads but does not
    /// manage. Its object ID is read from the live cluster at plan time
    /// (`identityProfile.kubeletidentity.objectId`, which AKS fills in for every
    /// managed-identity cluster: "If you don't specify a user-assigned managed identity for
    /// kubelet, AKS creates a user-assigned kubelet identity in the node resource group", Learn
    /// https://learn.microsoft.com/azure/aks/use-managed-identity). Only the kubelet: the other
    /// identities belong to settings an `existing:` entry does not declare.
    fn existing_cluster_principal(
        &mut self,
        name: &str,
        facet: &str,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Principal> {
        let cluster = Address::new(Kind::Existing, name);
        self.resolve_address(&cluster, text, &[Kind::Cluster], deps)?;
        if facet != ClusterIdentity::Kubelet.name() {
            self.error(SpecDiagnostic::error_at(
                Code::InvalidReference,
                format!("`:{facet}` is not an identity azplan reads from an existing cluster"),
                text.span,
                "unknown identity",
                "an existing cluster offers `:kubelet`; declare the cluster under `clusters:` for its other identities",
            ));
            return None;
        }
        Some(Principal::Cluster {
            cluster,
            identity: ClusterIdentity::Kubelet,
        })
    }

    /// Add-on identities exist only when the add-on is on.
    pub(crate) fn check_identity_enabled(
        &mut self,
        cluster: &Address,
        identity: ClusterIdentity,
        text: &crate::de::Spanned<String>,
    ) {
        let Some(Spec::Cluster(c)) = self.resources.get(cluster).map(|r| &r.spec) else {
            return;
        };
        let (enabled, setting) = match identity {
            ClusterIdentity::ControlPlane | ClusterIdentity::Kubelet => (true, ""),
            ClusterIdentity::AppRouting => (c.app_routing.is_some(), "appRouting"),
            ClusterIdentity::Monitoring => (c.container_insights.is_some(), "containerInsights"),
            ClusterIdentity::VirtualNodes => (c.virtual_nodes.is_some(), "virtualNodes"),
            ClusterIdentity::AzurePolicy => (c.azure_policy, "azurePolicy"),
            ClusterIdentity::KeyVaultSecretsProvider => {
                (c.secrets_provider.is_some(), "keyVaultSecretsProvider")
            }
            ClusterIdentity::IngressApplicationGateway => {
                (c.app_gateway_ingress.is_some(), "ingressApplicationGateway")
            }
        };
        if !enabled {
            self.error(SpecDiagnostic::error_at(
                Code::InvalidReference,
                format!(
                    "cluster `{}` has no {} identity: the add-on is off",
                    cluster.name,
                    identity.name()
                ),
                text.span,
                "add-on identity",
                format!("enable `{setting}` on the cluster"),
            ));
        }
    }
}
