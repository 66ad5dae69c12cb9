//! Each kind of resource in its own module: its spec types, how it builds into the model, the
//! ARM body azplan PUTs, its diff rules and its outputs. The facts about each kind (names, ARM
//! types, api-versions, parent, delete order) are one row each in `crate::kind`. This module
//! registers the kinds' behaviour: one line per kind in each stage that needs typed data.

use serde_json::{Value, json};

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::acknowledge::Acknowledgement;
use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::Diagnostics;
pub use crate::kind::{
    ArmType, Kind, KindDef, Serial, api_version_of_type, by_arm_type, delete_rank,
    is_assignment_type, manages_type, policy_assignment_type, private_dns_zone_type,
    resource_group_type, role_assignment_type, taggable_type,
};
use crate::live::LiveState;
use crate::model::{Address, Resource, ResourceGroupRef, Scope, Spec, Stack, Target};
use crate::salvage;
use crate::source::Span;
use crate::spec::{Entry, RawJson, RawSettings, RawVariable};
use crate::yaml::Node;
use cluster::RawCluster;
use data_collection_endpoint::RawDataCollectionEndpoint;
use data_collection_rule::RawDataCollectionRule;
use diagnostic_setting::RawDiagnosticSetting;
use dns_zone::RawDnsZone;
use existing::RawExisting;
use identity::RawIdentity;
use key_vault::RawKeyVault;
use monitor_workspace::RawMonitorWorkspace;
use nat_gateway::RawNatGateway;
use network::RawVnet;
use policy_assignment::RawPolicyAssignment;
use private_endpoint::RawPrivateEndpoint;
use public_ip::{RawPublicIp, RawPublicIpPrefix};
use registry::RawRegistry;
use resource_group::RawResourceGroup;
use role_assignment::RawRoleAssignment;
use route_table::RawRouteTable;
use rule_association::RawRuleAssociation;
use security_group::RawNetworkSecurityGroup;
use solution::RawSolution;
use storage_account::RawStorageAccount;
use workspace::RawWorkspace;

pub mod cluster;
pub mod data_collection_endpoint;
pub mod data_collection_rule;
pub mod diagnostic_setting;
pub mod dns_zone;
pub mod dns_zone_link;
pub mod existing;
pub mod extension;
pub mod flux_configuration;
pub mod habits;
pub mod identity;
pub mod key_vault;
pub mod maintenance;
pub mod monitor_workspace;
pub mod nat_gateway;
pub mod network;
pub mod node_pool;
pub mod peering;
pub mod policy_assignment;
pub mod private_endpoint;
pub mod public_ip;
pub mod registry;
pub mod resource_group;
pub mod role_assignment;
pub mod route_table;
pub mod rule_association;
pub mod security_group;
pub mod solution;
pub mod storage_account;
pub mod workspace;

/// The tag that marks a resource as owned by a stack.
pub const OWNER_TAG: &str = "azplan-stack";

/// The stack a live body's ownership tag names, if it carries one; a policy assignment, which
/// has no tags, carries the same mark in its metadata (`kinds::policy_assignment`).
pub fn tagged_owner(body: &Value) -> Option<&str> {
    match body.get("tags").and_then(|t| t.get(OWNER_TAG)) {
        Some(owner) => owner.as_str(),
        None => policy_assignment::marked_owner(body),
    }
}
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
    /// Sent on create only, never compared, and left out of updates (ARM rejects or misreads
    /// them there).
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
    /// Values that name the same thing (a renamed enum value, old name first): (path, pairs).
    pub equivalent: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    /// Strings whose trailing whitespace Azure keeps as sent (an SSH key read from a `.pub`
    /// file ends in a newline) but which mean the same without it.
    pub trailing_whitespace: &'static [&'static str],
    /// A single value that Azure may show only as a one-element list, when it was written that
    /// way by another tool: (single path, list path).
    pub single_or_list: &'static [(&'static str, &'static str)],
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
    equivalent: &[],
    trailing_whitespace: &[],
    single_or_list: &[],
};

/// The ARM type a resource is (a DNS zone's depends on `private`).
fn arm_type_for(resource: &Resource) -> Option<&'static ArmType> {
    let def = resource.address.kind.def();
    match &resource.spec {
        Spec::DnsZone(z) => def.arm.get(usize::from(z.private)),
        _ => def.arm.first(),
    }
}

pub fn arm_kind(resource: &Resource) -> ArmKind {
    if let Spec::Existing(e) = &resource.spec {
        return ArmKind {
            // Types azplan does not manage have no static name here; the plan takes the type
            // from the resource's ID instead.
            arm_type: by_arm_type(&e.arm_type).map_or("", |(_, t)| t.path),
            api_version: api_version_of_type(&e.arm_type),
            taggable: false,
        };
    }
    let arm = arm_type_for(resource);
    ArmKind {
        arm_type: arm.map_or("", |t| t.path),
        api_version: arm.map_or("", |t| t.api_version),
        taggable: resource.address.kind.def().taggable,
    }
}

pub fn rules(resource: &Resource) -> &'static Rules {
    rules_of(resource.address.kind)
}

/// Each kind's diff rules.
pub fn rules_of(kind: Kind) -> &'static Rules {
    match kind {
        Kind::ResourceGroup => &resource_group::RULES,
        Kind::Existing => &existing::RULES,
        Kind::Workspace => &workspace::RULES,
        Kind::Registry => &registry::RULES,
        Kind::VirtualNetwork => &network::VNET_RULES,
        Kind::Subnet => &network::SUBNET_RULES,
        Kind::DnsZone => &dns_zone::RULES,
        Kind::Identity => &identity::IDENTITY_RULES,
        Kind::Cluster => &cluster::RULES,
        Kind::NodePool => &node_pool::RULES,
        Kind::FederatedCredential => &identity::CREDENTIAL_RULES,
        Kind::RoleAssignment => &role_assignment::RULES,
        Kind::DnsZoneLink => &dns_zone_link::RULES,
        Kind::VnetPeering => &peering::RULES,
        Kind::KeyVault => &key_vault::RULES,
        Kind::RouteTable => &route_table::RULES,
        Kind::NetworkSecurityGroup => &security_group::RULES,
        Kind::MaintenanceConfiguration => &maintenance::RULES,
        Kind::PrivateEndpoint => &private_endpoint::RULES,
        Kind::PrivateDnsZoneGroup => &private_endpoint::ZONE_GROUP_RULES,
        Kind::PolicyAssignment => &policy_assignment::RULES,
        Kind::MonitorWorkspace => &monitor_workspace::RULES,
        Kind::Solution => &solution::RULES,
        Kind::DataCollectionRule => &data_collection_rule::RULES,
        Kind::PublicIp => &public_ip::RULES,
        Kind::PublicIpPrefix => &public_ip::PREFIX_RULES,
        Kind::NatGateway => &nat_gateway::RULES,
        Kind::StorageAccount => &storage_account::RULES,
        Kind::DataCollectionEndpoint => &data_collection_endpoint::RULES,
        Kind::ClusterExtension => &extension::RULES,
        Kind::FluxConfiguration => &flux_configuration::RULES,
        Kind::DiagnosticSetting => &diagnostic_setting::RULES,
        Kind::DataCollectionRuleAssociation => &rule_association::RULES,
    }
}

/// The diff rules of a kind, by ARM type (any casing): what apply needs to decide again about
/// a resource it only knows from the plan.
pub fn rules_of_type(arm_type: &str) -> &'static Rules {
    by_arm_type(arm_type).map_or(&existing::RULES, |(d, _)| rules_of(d.kind))
}

/// What the plan says on the delete of a live resource besides why it goes (a key vault's name
/// stays taken while it is soft-deleted).
pub fn notes_on_delete(arm_type: &str, body: &Value) -> Vec<String> {
    match by_arm_type(arm_type).map(|(d, _)| d.kind) {
        Some(Kind::KeyVault) => key_vault::delete_notes(body),
        _ => Vec::new(),
    }
}

/// Live settings the desired body replaces without naming them, as (path, live value): the
/// diff compares only what the body sends, so these would otherwise go unseen (a cluster going
/// back from its own outbound IPs to a managed count that equals AKS's default, a policy
/// assignment's display name the spec no longer gives).
pub fn dropped(resource: &Resource, desired: &Value, live: &Value) -> Vec<(String, Value)> {
    match resource.spec {
        Spec::Cluster(_) => cluster::dropped_outbound(desired, live),
        Spec::PolicyAssignment(_) => policy_assignment::dropped(desired, live),
        Spec::DataCollectionRule(_) => data_collection_rule::dropped(desired, live),
        Spec::DataCollectionEndpoint(_) => data_collection_endpoint::dropped(desired, live),
        Spec::DiagnosticSetting(_) => diagnostic_setting::dropped(desired, live),
        Spec::DataCollectionRuleAssociation(_) => rule_association::dropped(desired, live),
        _ => Vec::new(),
    }
}

/// `properties.KEY` for each of `keys` the desired body leaves out and the live one has (not
/// empty): what a whole-resource PUT removes without naming it.
fn dropped_properties(desired: &Value, live: &Value, keys: &[&str]) -> Vec<(String, Value)> {
    keys.iter()
        .filter(|key| desired.pointer(&format!("/properties/{key}")).is_none())
        .filter_map(|key| {
            live.pointer(&format!("/properties/{key}"))
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
                .map(|v| (format!("properties.{key}"), v.clone()))
        })
        .collect()
}

/// Settings a live resource fixed at creation that the spec changes, where Azure allows no
/// replacement either: (path, why) for each, each a plan error.
pub fn refusals(resource: &Resource, live: &Value) -> Vec<(String, String)> {
    match resource.spec {
        Spec::KeyVault(_) => key_vault::refusals(resource, live),
        Spec::StorageAccount(_) => storage_account::refusals(resource, live),
        _ => Vec::new(),
    }
}

/// All files of a stack merged, before validation: the stack settings and each kind's entries.
#[derive(Debug, Default)]
pub struct RawStack {
    pub settings: RawSettings,
    pub resource_groups: Vec<Entry<RawResourceGroup>>,
    pub registries: Vec<Entry<RawRegistry>>,
    pub workspaces: Vec<Entry<RawWorkspace>>,
    pub vnets: Vec<Entry<RawVnet>>,
    pub dns_zones: Vec<Entry<RawDnsZone>>,
    pub identities: Vec<Entry<RawIdentity>>,
    pub role_assignments: Vec<Entry<RawRoleAssignment>>,
    pub clusters: Vec<Entry<RawCluster>>,
    pub existing: Vec<Entry<RawExisting>>,
    pub key_vaults: Vec<Entry<RawKeyVault>>,
    pub route_tables: Vec<Entry<RawRouteTable>>,
    pub network_security_groups: Vec<Entry<RawNetworkSecurityGroup>>,
    pub private_endpoints: Vec<Entry<RawPrivateEndpoint>>,
    pub policy_assignments: Vec<Entry<RawPolicyAssignment>>,
    pub monitor_workspaces: Vec<Entry<RawMonitorWorkspace>>,
    pub solutions: Vec<Entry<RawSolution>>,
    pub data_collection_rules: Vec<Entry<RawDataCollectionRule>>,
    pub public_ips: Vec<Entry<RawPublicIp>>,
    pub public_ip_prefixes: Vec<Entry<RawPublicIpPrefix>>,
    pub nat_gateways: Vec<Entry<RawNatGateway>>,
    pub storage_accounts: Vec<Entry<RawStorageAccount>>,
    pub data_collection_endpoints: Vec<Entry<RawDataCollectionEndpoint>>,
    pub diagnostic_settings: Vec<Entry<RawDiagnosticSetting>>,
    pub rule_associations: Vec<Entry<RawRuleAssociation>>,
    /// Entries whose settings could not be read at all (reported already), by kind.
    pub unreadable: Vec<(Kind, Spanned<String>)>,
}

impl RawStack {
    /// Every resource's acknowledged warnings, with the region of the entry they belong to.
    pub fn acknowledgements(&self) -> Vec<Acknowledgement> {
        let mut all = Vec::new();
        macro_rules! collect {
            ($($field:ident),*) => {$(
                for entry in &self.$field {
                    all.extend(entry.spec.acknowledge.iter().map(|a| Acknowledgement {
                        region: entry.region,
                        at: a.span,
                        raw: a.value.clone(),
                    }));
                }
            )*};
        }
        collect!(
            resource_groups,
            registries,
            workspaces,
            vnets,
            dns_zones,
            identities,
            role_assignments,
            clusters,
            key_vaults,
            route_tables,
            network_security_groups,
            private_endpoints,
            policy_assignments,
            monitor_workspaces,
            solutions,
            data_collection_rules,
            public_ips,
            public_ip_prefixes,
            nat_gateways,
            storage_accounts,
            data_collection_endpoints,
            diagnostic_settings,
            rule_associations
        );
        all
    }
}

/// Reads one entry of a resource section into its kind's spec type; every problem is
/// reported. A bad value is left out and the entry read without it (`crate::salvage`); an entry
/// that cannot be read at all is still declared, so references to it do not fail as well.
/// `section_len` (the entries of the section) sizes the section's list at its first entry:
/// grown by doubling, the lists of a 10,000-resource stack took fresh memory at every step.
pub(crate) fn add_entry(
    stack: &mut RawStack,
    (section, section_len): (&str, usize),
    key: Spanned<String>,
    body: &Node,
    text: &str,
    diagnostics: &mut Diagnostics,
) {
    let fallback = key.span;
    let before = diagnostics.len();
    macro_rules! push {
        ($field:ident) => {{
            if stack.$field.capacity() == 0 {
                stack.$field.reserve_exact(section_len);
            }
            let read = salvage::read_entry(body, fallback, text, diagnostics);
            habits::explain(diagnostics.since_mut(before), body, habits_of(section));
            match read.value {
                Some(spec) => stack.$field.push(Entry {
                    region: Span::new(
                        key.span.file,
                        key.span.start as usize,
                        body.span.end.max(key.span.end) as usize,
                    ),
                    key,
                    spec,
                    dropped: read.dropped,
                }),
                None => {
                    if let Some(kind) = crate::kind::TABLE
                        .iter()
                        .find(|d| d.section == Some(section))
                        .map(|d| d.kind)
                    {
                        stack.unreadable.push((kind, key));
                    }
                }
            }
        }};
    }
    match section {
        "resourceGroups" => push!(resource_groups),
        "registries" => push!(registries),
        "workspaces" => push!(workspaces),
        "vnets" => push!(vnets),
        "dnsZones" => push!(dns_zones),
        "identities" => push!(identities),
        "roleAssignments" => push!(role_assignments),
        "clusters" => push!(clusters),
        "existing" => push!(existing),
        "keyVaults" => push!(key_vaults),
        "routeTables" => push!(route_tables),
        "networkSecurityGroups" => push!(network_security_groups),
        "privateEndpoints" => push!(private_endpoints),
        "policyAssignments" => push!(policy_assignments),
        "monitorWorkspaces" => push!(monitor_workspaces),
        "solutions" => push!(solutions),
        "dataCollectionRules" => push!(data_collection_rules),
        "publicIps" => push!(public_ips),
        "publicIpPrefixes" => push!(public_ip_prefixes),
        "natGateways" => push!(nat_gateways),
        "storageAccounts" => push!(storage_accounts),
        "dataCollectionEndpoints" => push!(data_collection_endpoints),
        "diagnosticSettings" => push!(diagnostic_settings),
        "dataCollectionRuleAssociations" => push!(rule_associations),
        _ => {}
    }
}

/// The names other tools use for each kind's settings (`habits`), by section.
fn habits_of(section: &str) -> habits::Tables {
    match section {
        "clusters" => &[
            ("", habits::COMMON),
            ("", cluster::habits::HABITS),
            ("nodePools.*", node_pool::HABITS),
            ("extensions.*", extension::HABITS),
            ("fluxConfigurations.*", flux_configuration::HABITS),
        ],
        "registries" => &[("", habits::COMMON), ("", registry::HABITS)],
        "workspaces" => &[("", habits::COMMON), ("", workspace::HABITS)],
        "vnets" => &[
            ("", habits::COMMON),
            ("", network::HABITS),
            ("", peering::HABITS),
        ],
        "identities" => &[("", habits::COMMON), ("", identity::HABITS)],
        "roleAssignments" => &[("", habits::COMMON), ("", role_assignment::HABITS)],
        "dnsZones" => &[
            ("", habits::COMMON),
            ("", dns_zone::HABITS),
            ("", dns_zone_link::HABITS),
        ],
        "keyVaults" => &[("", habits::COMMON), ("", key_vault::HABITS)],
        "routeTables" => &[("", habits::COMMON), ("", route_table::HABITS)],
        "networkSecurityGroups" => &[("", habits::COMMON), ("", security_group::HABITS)],
        "privateEndpoints" => &[("", habits::COMMON), ("", private_endpoint::HABITS)],
        "policyAssignments" => &[("", habits::COMMON), ("", policy_assignment::HABITS)],
        "monitorWorkspaces" => &[("", habits::COMMON), ("", monitor_workspace::HABITS)],
        "solutions" => &[("", habits::COMMON), ("", solution::HABITS)],
        "dataCollectionRules" => &[("", habits::COMMON), ("", data_collection_rule::HABITS)],
        "publicIps" => &[("", habits::COMMON), ("", public_ip::HABITS)],
        "publicIpPrefixes" => &[("", habits::COMMON), ("", public_ip::PREFIX_HABITS)],
        "natGateways" => &[("", habits::COMMON), ("", nat_gateway::HABITS)],
        "storageAccounts" => &[("", habits::COMMON), ("", storage_account::HABITS)],
        "dataCollectionEndpoints" => {
            &[("", habits::COMMON), ("", data_collection_endpoint::HABITS)]
        }
        "diagnosticSettings" => &[("", habits::COMMON), ("", diagnostic_setting::HABITS)],
        "dataCollectionRuleAssociations" => &[("", habits::COMMON), ("", rule_association::HABITS)],
        _ => &[("", habits::COMMON)],
    }
}

/// One file of a stack. Every section is optional: a stack may spread its resources over many
/// files, and the stack settings (`stack`, `subscription`, `location`, `resourceGroup`) may each
/// appear in one file only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "azplan stack file")]
pub struct RawStackFile {
    /// Name of the stack. Resources carry it in their `azplan-stack` ownership tag.
    pub stack: Option<String>,
    /// Subscription ID (GUID) the stack deploys into.
    pub subscription: Option<String>,
    /// Default Azure region for every resource, e.g. `westeurope`.
    pub location: Option<String>,
    /// Default resource group: the name of an entry under `resourceGroups`, or `existing/NAME`.
    pub resource_group: Option<String>,
    /// Tags added to every taggable resource.
    pub tags: Option<BTreeMap<String, String>>,
    /// Variables, used as `${var.NAME}` in any value.
    pub variables: Option<BTreeMap<String, RawVariable>>,
    /// Named sets of variable values, chosen with `--env NAME`.
    pub environments: Option<BTreeMap<String, BTreeMap<String, RawJson>>>,
    pub resource_groups: Option<BTreeMap<String, RawResourceGroup>>,
    pub registries: Option<BTreeMap<String, RawRegistry>>,
    pub workspaces: Option<BTreeMap<String, RawWorkspace>>,
    pub vnets: Option<BTreeMap<String, RawVnet>>,
    pub dns_zones: Option<BTreeMap<String, RawDnsZone>>,
    pub identities: Option<BTreeMap<String, RawIdentity>>,
    pub role_assignments: Option<BTreeMap<String, RawRoleAssignment>>,
    pub clusters: Option<BTreeMap<String, RawCluster>>,
    /// Resources the stack reads but never modifies, by ARM ID; referenced as `existing/NAME`.
    pub existing: Option<BTreeMap<String, RawExisting>>,
    /// Key vaults (`Microsoft.KeyVault/vaults`); referenced as `keyVault/NAME`.
    pub key_vaults: Option<BTreeMap<String, RawKeyVault>>,
    /// Route tables (`Microsoft.Network/routeTables`) with their routes; referenced as
    /// `routeTable/NAME` (a subnet's `routeTable:`).
    pub route_tables: Option<BTreeMap<String, RawRouteTable>>,
    /// Network security groups (`Microsoft.Network/networkSecurityGroups`) with their rules;
    /// referenced as `networkSecurityGroup/NAME` (a subnet's `networkSecurityGroup:`).
    pub network_security_groups: Option<BTreeMap<String, RawNetworkSecurityGroup>>,
    /// Private endpoints (`Microsoft.Network/privateEndpoints`) to a key vault, registry or any
    /// resource by ID, with their private DNS zone group; referenced as `privateEndpoint/NAME`.
    pub private_endpoints: Option<BTreeMap<String, RawPrivateEndpoint>>,
    /// Azure Policy assignments (`Microsoft.Authorization/policyAssignments`) of built-in or
    /// custom definitions and initiatives at the subscription, a group or a resource.
    pub policy_assignments: Option<BTreeMap<String, RawPolicyAssignment>>,
    /// Azure Monitor workspaces (`Microsoft.Monitor/accounts`), the store of managed
    /// Prometheus; referenced as `monitorWorkspace/NAME`.
    pub monitor_workspaces: Option<BTreeMap<String, RawMonitorWorkspace>>,
    /// Log Analytics solutions (`Microsoft.OperationsManagement/solutions`, e.g.
    /// ContainerInsights) on a workspace; referenced as `solution/NAME`.
    pub solutions: Option<BTreeMap<String, RawSolution>>,
    /// Data collection rules (`Microsoft.Insights/dataCollectionRules`): Container Insights or
    /// managed Prometheus; referenced as `dataCollectionRule/NAME`.
    pub data_collection_rules: Option<BTreeMap<String, RawDataCollectionRule>>,
    /// Public IP addresses (`Microsoft.Network/publicIPAddresses`, Standard SKU, static);
    /// referenced as `publicIp/NAME` (a cluster's `loadBalancer.outboundIps`).
    pub public_ips: Option<BTreeMap<String, RawPublicIp>>,
    /// Public IP prefixes (`Microsoft.Network/publicIPPrefixes`); referenced as
    /// `publicIpPrefix/NAME` (a public IP's `prefix:`, a cluster's
    /// `loadBalancer.outboundIpPrefixes`).
    pub public_ip_prefixes: Option<BTreeMap<String, RawPublicIpPrefix>>,
    /// NAT gateways (`Microsoft.Network/natGateways`); referenced as `natGateway/NAME` (a
    /// subnet's `natGateway:`).
    pub nat_gateways: Option<BTreeMap<String, RawNatGateway>>,
    /// Storage accounts (`Microsoft.Storage/storageAccounts`): Terraform state, backups, CSI
    /// blob storage; referenced as `storageAccount/NAME`.
    pub storage_accounts: Option<BTreeMap<String, RawStorageAccount>>,
    /// Data collection endpoints (`Microsoft.Insights/dataCollectionEndpoints`); referenced as
    /// `dataCollectionEndpoint/NAME` (a data collection rule's `endpoint:`).
    pub data_collection_endpoints: Option<BTreeMap<String, RawDataCollectionEndpoint>>,
    /// Diagnostic settings (`Microsoft.Insights/diagnosticSettings`): a resource's logs and
    /// metrics sent to a Log Analytics workspace.
    pub diagnostic_settings: Option<BTreeMap<String, RawDiagnosticSetting>>,
    /// Data collection rule associations (`Microsoft.Insights/dataCollectionRuleAssociations`):
    /// a data collection rule attached to a cluster or another resource.
    pub data_collection_rule_associations: Option<BTreeMap<String, RawRuleAssociation>>,
}

/// What users need after an apply, per kind, read from a resource's live body: `(name, value)`
/// pairs, named under the resource's address (`registry/acr.loginServer`).
pub fn outputs(ctx: &Context<'_>, resource: &Resource, body: &Value) -> Vec<(String, Value)> {
    match &resource.spec {
        Spec::Registry(_) => registry::outputs(body),
        Spec::Identity => identity::outputs(ctx, resource, body),
        Spec::DnsZone(_) => dns_zone::outputs(body),
        Spec::Cluster(_) => cluster::outputs(ctx, resource, body),
        Spec::DnsZoneLink(_) => dns_zone_link::outputs(body),
        Spec::VnetPeering(_) => peering::outputs(body),
        Spec::KeyVault(_) => key_vault::outputs(body),
        Spec::PrivateEndpoint(_) => private_endpoint::outputs(body),
        Spec::PolicyAssignment(_) => policy_assignment::outputs(body),
        Spec::MonitorWorkspace(_) => monitor_workspace::outputs(body),
        Spec::DataCollectionRule(_) => data_collection_rule::outputs(body),
        Spec::PublicIp(_) | Spec::PublicIpPrefix(_) => public_ip::outputs(body),
        Spec::StorageAccount(_) => storage_account::outputs(body),
        Spec::DataCollectionEndpoint(_) => data_collection_endpoint::outputs(body),
        _ => Vec::new(),
    }
}

/// Values of a live body at dotted paths, under output names; unset values are left out.
fn outputs_at(body: &Value, paths: &[(&str, &str)]) -> Vec<(String, Value)> {
    paths
        .iter()
        .filter_map(|(name, path)| {
            let value = path.split('.').try_fold(body, |v, part| v.get(part))?;
            (!value.is_null()).then(|| (name.to_string(), value.clone()))
        })
        .collect()
}

/// Builds the model from the spec, kind by kind: first every kind names its entries (so
/// references resolve whatever the order), then each builds its resources, in `TABLE` order
/// (a cluster after the network it uses, role assignments last).
pub(crate) fn build_model(b: &mut Builder<'_>, raw: &RawStack) {
    for (kind, key) in &raw.unreadable {
        b.declare_unreadable(Address::new(*kind, &key.value), key.span);
    }
    b.declare_resource_groups(&raw.resource_groups);
    b.declare_existing(&raw.existing);
    b.declare_each(Kind::Workspace, &raw.workspaces);
    b.declare_each(Kind::MonitorWorkspace, &raw.monitor_workspaces);
    b.declare_each(Kind::Solution, &raw.solutions);
    b.declare_each(Kind::DataCollectionRule, &raw.data_collection_rules);
    b.declare_each(Kind::Registry, &raw.registries);
    b.declare_each(Kind::RouteTable, &raw.route_tables);
    b.declare_each(Kind::NetworkSecurityGroup, &raw.network_security_groups);
    b.declare_each(Kind::PublicIpPrefix, &raw.public_ip_prefixes);
    b.declare_each(Kind::PublicIp, &raw.public_ips);
    b.declare_each(Kind::NatGateway, &raw.nat_gateways);
    b.declare_vnets(&raw.vnets);
    b.declare_dns_zones(&raw.dns_zones);
    b.declare_dns_zone_links(&raw.dns_zones);
    b.declare_peerings(&raw.vnets);
    b.declare_identities(&raw.identities);
    b.declare_clusters(&raw.clusters);
    b.declare_each(Kind::KeyVault, &raw.key_vaults);
    b.declare_role_assignments(&raw.role_assignments);
    b.declare_private_endpoints(&raw.private_endpoints);
    b.declare_each(Kind::PolicyAssignment, &raw.policy_assignments);
    b.declare_each(Kind::StorageAccount, &raw.storage_accounts);
    b.declare_each(Kind::DataCollectionEndpoint, &raw.data_collection_endpoints);
    b.declare_each(Kind::DiagnosticSetting, &raw.diagnostic_settings);
    b.declare_each(Kind::DataCollectionRuleAssociation, &raw.rule_associations);

    b.resource_groups(&raw.resource_groups);
    b.existing(&raw.existing);
    b.workspaces(&raw.workspaces);
    b.monitor_workspaces(&raw.monitor_workspaces);
    b.solutions(&raw.solutions);
    b.data_collection_rules(&raw.data_collection_rules);
    b.registries(&raw.registries);
    b.route_tables(&raw.route_tables);
    b.security_groups(&raw.network_security_groups);
    b.public_ip_prefixes(&raw.public_ip_prefixes);
    b.public_ips(&raw.public_ips);
    b.nat_gateways(&raw.nat_gateways);
    b.vnets(&raw.vnets);
    b.dns_zones(&raw.dns_zones);
    b.identities(&raw.identities);
    b.clusters(&raw.clusters);
    b.federated_credentials(&raw.identities);
    b.key_vaults(&raw.key_vaults);
    b.storage_accounts(&raw.storage_accounts);
    b.data_collection_endpoints(&raw.data_collection_endpoints);
    // Before role assignments: one may grant a policy assignment's identity.
    b.policy_assignments(&raw.policy_assignments);
    b.role_assignments(&raw.role_assignments);
    b.dns_zone_links(&raw.dns_zones);
    b.peerings(&raw.vnets);
    b.private_endpoints(&raw.private_endpoints);
    b.diagnostic_settings(&raw.diagnostic_settings);
    b.rule_associations(&raw.rule_associations);
    b.clusters_wait_for_their_grants();
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

/// A write-only secret that apply reads from the environment and sends when it creates the
/// resource (and with every PUT when `every_put`). Its value never enters a plan, a saved plan,
/// a log or an error.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct SecretValue {
    /// Dotted path in the body, e.g. `properties.servicePrincipalProfile.secret`.
    pub path: String,
    /// The environment variable that holds it.
    pub env: String,
    /// Sent with updates too: a whole-resource PUT without it might drop it (an extension's
    /// protected settings), so every PUT carries it and an update without it is refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub every_put: bool,
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
        if let Some(id) = self.stack.ids.get(address) {
            return id;
        }
        let id = self.id_of(address);
        if !id.is_empty() {
            self.stack.ids.remember(address, &id);
        }
        id
    }

    fn id_of(&self, address: &Address) -> String {
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
            Spec::Subnet(_)
            | Spec::FederatedCredential(_)
            | Spec::NodePool(_)
            | Spec::DnsZoneLink(_)
            | Spec::MaintenanceConfiguration(_)
            | Spec::PrivateDnsZoneGroup(_)
            | Spec::VnetPeering(_) => {
                let parent = address.parent().map(|p| self.id(&p)).unwrap_or_default();
                let segment = match resource.spec {
                    Spec::Subnet(_) => "subnets",
                    Spec::FederatedCredential(_) => "federatedIdentityCredentials",
                    Spec::NodePool(_) => "agentPools",
                    // The child type's own segment (`virtualNetworkLinks`, …).
                    _ => arm_type_for(resource).map_or("", |t| t.segment()),
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
            // An extension resource on its cluster: `{cluster}/providers/…/extensions/{name}`.
            Spec::ClusterExtension(_) | Spec::FluxConfiguration(_) => {
                let parent = address.parent().map(|p| self.id(&p)).unwrap_or_default();
                let segment = extension::segment(address.kind);
                format!("{parent}/{segment}/{}", resource.name)
            }
            // An extension resource: its ID continues its scope's.
            Spec::PolicyAssignment(pa) => format!(
                "{}/providers/{}/{}",
                self.scope_id(&pa.scope),
                arm_kind(resource).arm_type,
                resource.name
            ),
            // An extension resource: its ID continues its target's.
            Spec::DiagnosticSetting(ds) => format!(
                "{}/providers/{}/{}",
                self.target_id(&ds.target),
                arm_kind(resource).arm_type,
                resource.name
            ),
            Spec::DataCollectionRuleAssociation(a) => format!(
                "{}/providers/{}/{}",
                self.target_id(&a.target),
                arm_kind(resource).arm_type,
                resource.name
            ),
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
        let current = lookup_any_case(body, attribute)?;
        (!current.is_null()).then(|| current.clone())
    }
}

/// The value at a dotted path of an ARM body (`properties.count`).
pub fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, part| v.get(part))
}

/// Like `lookup`, and a key of another casing is taken when the exact one is absent: AKS
/// answers add-on keys in the casing they were last written with ("when the Kubernetes Cluster
/// is updated in the Portal - Azure updates the casing on the keys", Azure/azure-rest-api-specs
/// #10716), so `addonProfiles.azureKeyvaultSecretsProvider` may come back as
/// `AzureKeyvaultSecretsProvider`. For values read from another resource (late values).
pub fn lookup_any_case<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |v, part| {
        v.get(part).or_else(|| {
            v.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(part))
                .map(|(_, v)| v)
        })
    })
}

/// Builds a desired body, recording late values and secrets as it goes.
pub struct BodyBuilder<'c, 'a> {
    pub ctx: &'c Context<'a>,
    pub late: Vec<LateValue>,
    pub secrets: Vec<SecretValue>,
}

impl BodyBuilder<'_, '_> {
    /// Copies `properties.NAME` of the live resource into the body, for each name the body does not
    /// set: settings azplan does not manage, which a whole-resource PUT would otherwise reset. Sent
    /// exactly as Azure answered them, they are no change in the diff.
    pub fn carry_over_live(&self, resource: &Resource, body: &mut Value, names: &[&str]) {
        let Some(live) = self
            .ctx
            .live
            .get(&self.ctx.id(&resource.address))
            .and_then(|live| live.get("properties"))
        else {
            return;
        };
        for name in names {
            if body["properties"].get(*name).is_none()
                && let Some(value) = live.get(*name).filter(|v| !v.is_null())
            {
                body["properties"][*name] = value.clone();
            }
        }
    }

    /// Copies every field of the live `properties.SECTION` object that is not in `modelled` and
    /// that the body's SECTION does not set: a property azplan sends whole (a storage account's
    /// `networkAcls`) replaces the live one, so the fields it has no setting for would be dropped
    /// by any update. Sent exactly as Azure answered them, they are no change in the diff.
    pub fn carry_over_live_fields(
        &self,
        resource: &Resource,
        body: &mut Value,
        section: &str,
        modelled: &[&str],
    ) {
        let Some(live) = self
            .ctx
            .live
            .get(&self.ctx.id(&resource.address))
            .and_then(|live| live.get("properties"))
            .and_then(|p| p.get(section))
            .and_then(Value::as_object)
        else {
            return;
        };
        let Some(sent) = body["properties"]
            .get_mut(section)
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        for (name, value) in live {
            if !modelled.contains(&name.as_str()) && !sent.contains_key(name) && !value.is_null() {
                sent.insert(name.clone(), value.clone());
            }
        }
    }

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

/// Whether a live child of a kind azplan manages, under a parent the stack keeps (`parent` is
/// the parent's address as printed), is the stack's although the spec does not declare it, so
/// that it is deleted: subnets, pools and credentials are (their parents own them whole); a
/// child with tags of its own is the stack's only by its ownership tag; a cluster's extensions
/// and Flux configurations never (they carry no mark); a VNet's peerings only
/// when the VNet's spec lists them (`kinds::peering`) and the peering's remote is a VNet the
/// stack declares (its own or an `existing:` entry): peerings carry no tags, and those to other
/// VNets may be Virtual WAN's (`RemoteVnetToHubPeering_*`), Virtual Network Manager's (`ANM_*`)
/// or another team's, which the stack must never delete.
pub fn undeclared_child_is_ours(stack: &Stack, parent: &str, child: Kind, body: &Value) -> bool {
    if child.def().taggable {
        return false;
    }
    match child {
        Kind::VnetPeering => {
            let owns = stack
                .resources
                .keys()
                .find(|a| a.to_string() == parent)
                .is_some_and(|a| peering::vnet_owns_its_peerings(stack, a));
            let remote = body
                .pointer("/properties/remoteVirtualNetwork/id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let empty = LiveState::default();
            let ctx = Context {
                stack,
                live: &empty,
            };
            let declared_remote = !remote.is_empty()
                && stack.resources.values().any(|r| {
                    matches!(r.spec, Spec::VirtualNetwork(_) | Spec::Existing(_))
                        && ctx.id(&r.address).eq_ignore_ascii_case(remote)
                });
            owns && declared_remote
        }
        Kind::MaintenanceConfiguration => stack.resources.iter().any(|(a, r)| {
            a.to_string() == parent && matches!(&r.spec, Spec::Cluster(c) if c.owns_maintenance)
        }),
        // Extensions and Flux configurations carry no tags, and others install them on the
        // stack's clusters too (Azure Backup's `microsoft.dataprotection.kubernetes`, Defender,
        // Dapr, Azure ML, `az k8s-extension create`, the portal, Azure Policy): one the spec
        // does not name is never the stack's, whatever the cluster's spec says. The plan lists
        // it as left alone (`plan::left_alone`); the cluster's own delete still takes it
        // (`goes_with_deleted_parent`).
        Kind::ClusterExtension | Kind::FluxConfiguration => false,
        // Zone groups carry no tags: an endpoint owns them only when its spec has `dnsZones:`
        // (Azure Policy adds zone groups to endpoints it did not make).
        Kind::PrivateDnsZoneGroup => stack
            .resources
            .iter()
            .any(|(a, r)| a.to_string() == parent && private_endpoint::owns_zone_groups(r)),
        _ => true,
    }
}

/// The stack resource an extension resource sits on: a diagnostic setting's or a data
/// collection rule association's target, whose replacement replaces it and whose delete comes
/// after it (Learn, "Diagnostic settings in Azure Monitor": delete a resource's settings first;
/// Azure may keep them otherwise).
pub fn extension_target(resource: &Resource) -> Option<&Address> {
    let target = match &resource.spec {
        Spec::DiagnosticSetting(ds) => &ds.target,
        Spec::DataCollectionRuleAssociation(a) => &a.target,
        _ => return None,
    };
    match target {
        Target::Node(address) => Some(address),
        Target::ArmId(_) => None,
    }
}

/// Whether a reference names a resource the stack declares itself (not an `existing:` entry):
/// for extension resources without a mark, whose ownership follows what they sit on or point at.
pub(crate) fn declares(stack: &Stack, target: &Target) -> bool {
    match target {
        Target::Node(address) => stack
            .resources
            .get(address)
            .is_some_and(|r| !matches!(r.spec, Spec::Existing(_))),
        Target::ArmId(_) => false,
    }
}

/// Whether a live extension resource's reference at `pointer` names the same resource as
/// `target`, a resource the stack declares (IDs compared case-insensitively).
pub(crate) fn points_at_declared(
    stack: &Stack,
    target: &Target,
    body: &Value,
    pointer: &str,
) -> bool {
    if !declares(stack, target) {
        return false;
    }
    let empty = LiveState::default();
    let ctx = Context {
        stack,
        live: &empty,
    };
    body.pointer(pointer)
        .and_then(Value::as_str)
        .is_some_and(|id| id.eq_ignore_ascii_case(&ctx.target_id(target)))
}

/// Whether a live child without an owner of its own goes with its parent when the stack deletes
/// that parent (`parent_type`, its ARM type), whatever the parent's spec said (or, for a parent
/// dropped from the spec, can no longer say). A private endpoint's zone groups do: a zone group
/// holds only that endpoint's DNS records (PrivateDnsZoneGroup in privateEndpoint.json, Learn
/// "Azure Private Endpoint DNS integration": the records are removed with the endpoint), so
/// deleting an endpoint the stack owns by its tag takes nothing of anyone else's. Peerings and
/// maintenance configurations do not: a dropped VNet's or cluster's spec can no longer say they
/// were the stack's, and another team's, Virtual WAN's or Virtual Network Manager's peering
/// must stop the delete (`undeclared_child_is_ours`).
pub fn goes_with_deleted_parent(child: Kind, parent_type: &str) -> bool {
    match child {
        // An extension is installed in its cluster and lives no longer: deleting the cluster
        // takes it (Extensions_Delete "will cause the Agent to Uninstall the extension from the
        // cluster"; without the cluster there is nothing left to uninstall from), and the plan
        // lists it with the cluster's delete.
        // A Flux configuration too: it lives in the cluster's Flux extension.
        Kind::ClusterExtension | Kind::FluxConfiguration => Kind::Cluster
            .def()
            .arm
            .iter()
            .any(|a| a.path.eq_ignore_ascii_case(parent_type)),
        Kind::PrivateDnsZoneGroup => Kind::PrivateEndpoint
            .def()
            .arm
            .iter()
            .any(|a| a.path.eq_ignore_ascii_case(parent_type)),
        _ => false,
    }
}

/// Why a live resource whose provisioning succeeded is still not working as the spec asks, so
/// that the plan treats it like a `Failed` one: a private endpoint whose connection to its
/// target is not `Approved` (`private_endpoint::unapproved_connection`).
pub fn unconverged(arm_type: &str, body: &Value) -> Option<String> {
    let (def, _) = by_arm_type(arm_type)?;
    match def.kind {
        Kind::PrivateEndpoint => private_endpoint::unapproved_connection(body),
        _ => None,
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
        Spec::Subnet(s) => network::subnet_body(&b, resource, s),
        Spec::DnsZone(z) => dns_zone::body(&b, resource, z),
        Spec::Identity => identity::body(&b, resource),
        Spec::FederatedCredential(c) => identity::credential_body(&mut b, c),
        Spec::RoleAssignment(ra) => role_assignment::body(&mut b, resource, ra),
        Spec::Cluster(c) => cluster::body(&mut b, resource, c),
        Spec::NodePool(p) => node_pool::body(&mut b, resource, p),
        Spec::DnsZoneLink(l) => dns_zone_link::body(&b, resource, l),
        Spec::VnetPeering(p) => peering::body(&b, p),
        Spec::KeyVault(kv) => key_vault::body(&mut b, resource, kv),
        Spec::RouteTable(rt) => route_table::body(&b, resource, rt),
        Spec::NetworkSecurityGroup(nsg) => security_group::body(&b, resource, nsg),
        Spec::PublicIp(ip) => public_ip::body(&b, resource, ip),
        Spec::PublicIpPrefix(p) => public_ip::prefix_body(&b, resource, p),
        Spec::NatGateway(n) => nat_gateway::body(&b, resource, n),
        Spec::MaintenanceConfiguration(w) => maintenance::body(w),
        Spec::PrivateEndpoint(pe) => private_endpoint::body(&b, resource, pe),
        Spec::PrivateDnsZoneGroup(g) => private_endpoint::zone_group_body(&b, g),
        Spec::PolicyAssignment(pa) => policy_assignment::body(&b, resource, pa),
        Spec::MonitorWorkspace(w) => monitor_workspace::body(&b, resource, w),
        Spec::Solution(s) => solution::body(&b, resource, s),
        Spec::DataCollectionRule(r) => data_collection_rule::body(&b, resource, r),
        Spec::StorageAccount(sa) => storage_account::body(&b, resource, sa),
        Spec::DataCollectionEndpoint(e) => data_collection_endpoint::body(&b, resource, e),
        Spec::ClusterExtension(e) => extension::body(&mut b, e),
        Spec::FluxConfiguration(f) => flux_configuration::body(&b, resource, f),
        Spec::DiagnosticSetting(ds) => diagnostic_setting::body(&b, resource, ds),
        Spec::DataCollectionRuleAssociation(a) => rule_association::body(&b, a),
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

/// The inline children (`routes`, `securityRules`) of a resource's live body, as a PUT sends
/// them (name and settings, without what the service adds): what a spec that does not own them
/// sends back, so the PUT keeps them. Empty when the resource is not live yet.
fn live_children(b: &BodyBuilder<'_, '_>, resource: &Resource, property: &str) -> Vec<Value> {
    let id = b.ctx.id(&resource.address);
    let Some(list) = b
        .ctx
        .live
        .get(&id)
        .and_then(|v| v.pointer(&format!("/properties/{property}")))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|child| {
            let mut props = child.get("properties").cloned().unwrap_or_else(|| json!({}));
            if let Some(p) = props.as_object_mut() {
                p.remove("provisioningState");
            }
            json!({ "name": child.get("name").cloned().unwrap_or(Value::Null), "properties": props })
        })
        .collect()
}

/// Inline children the spec owns, in the order the live body lists them (new ones last, by
/// name): the diff compares the list in order, and the service need not answer in the spec's
/// name order.
fn in_live_order(
    b: &BodyBuilder<'_, '_>,
    resource: &Resource,
    property: &str,
    mut children: Vec<Value>,
) -> Vec<Value> {
    let id = b.ctx.id(&resource.address);
    let live: Vec<String> = b
        .ctx
        .live
        .get(&id)
        .and_then(|v| v.pointer(&format!("/properties/{property}")))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    children.sort_by_key(|c| {
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        (
            live.iter().position(|l| *l == name).unwrap_or(usize::MAX),
            name,
        )
    });
    children
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
        "tags": tags_with_owner(b, resource),
    })
}

/// The resource's tags plus the ownership tag, which always names this stack.
fn tags_with_owner(b: &BodyBuilder<'_, '_>, resource: &Resource) -> Value {
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
/// Removes the value at a dotted path, if there is one.
pub fn remove(body: &mut Value, path: &str) {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (
            parent.split('.').try_fold(&mut *body, |v, k| v.get_mut(k)),
            last,
        ),
        None => (Some(body), path),
    };
    if let Some(Value::Object(map)) = parent {
        map.remove(last);
    }
}

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

#[cfg(test)]
mod tests {
    use super::lookup_any_case;
    use serde_json::{Value, json};

    #[test]
    fn lookup_any_case_takes_another_casing_only_without_the_exact_key() {
        let body = json!({"properties": {"addonProfiles": {
            "AzureKeyvaultSecretsProvider": {"identity": {"objectId": "a"}},
            "omsagent": {"identity": {"objectId": "b"}},
            "OMSAgent": {"identity": {"objectId": "c"}},
        }}});
        let at = |p: &str| lookup_any_case(&body, p).and_then(Value::as_str);
        assert_eq!(
            at("properties.addonProfiles.azureKeyvaultSecretsProvider.identity.objectId"),
            Some("a")
        );
        assert_eq!(
            at("properties.addonProfiles.omsagent.identity.objectId"),
            Some("b")
        );
        assert_eq!(
            at("properties.addonProfiles.aciConnectorLinux.identity.objectId"),
            None
        );
    }
}
