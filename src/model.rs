//! The validated stack: typed resources with resolved references. Built from the raw spec by
//! [`crate::build`]; every later stage (graph, plan) reads only this.

use std::collections::BTreeMap;
use std::fmt;

use crate::net::Cidr;
use crate::roles::Role;
use crate::source::Span;
use schemars::JsonSchema;
use serde::Deserialize;

pub use crate::kind::Kind;

/// The stable name of a node: `kind/name` or `kind/parent/child`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address {
    pub kind: Kind,
    pub name: String,
    pub child: Option<String>,
}

impl Address {
    pub fn new(kind: Kind, name: impl Into<String>) -> Address {
        Address {
            kind,
            name: name.into(),
            child: None,
        }
    }

    pub fn child(kind: Kind, parent: impl Into<String>, child: impl Into<String>) -> Address {
        Address {
            kind,
            name: parent.into(),
            child: Some(child.into()),
        }
    }

    /// The parent of a child address (`vnet/v` for `vnet/v/s`).
    pub fn parent(&self) -> Option<Address> {
        self.child.as_ref()?;
        let kind = self.kind.parent().unwrap_or(self.kind);
        Some(Address::new(kind, self.name.clone()))
    }

    /// Whether `parent` is this child's parent (without building the parent's address).
    pub fn is_child_of(&self, parent: &Address) -> bool {
        self.child.is_some()
            && parent.child.is_none()
            && self.kind.parent() == Some(parent.kind)
            && self.name == parent.name
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.prefix(), self.name)?;
        if let Some(child) = &self.child {
            write!(f, "/{child}")?;
        }
        Ok(())
    }
}

/// The validated stack.
#[derive(Debug, Clone)]
pub struct Stack {
    pub name: String,
    pub subscription: String,
    pub location: String,
    pub environment: Option<String>,
    pub resources: BTreeMap<Address, Resource>,
    /// ARM IDs already worked out (`kinds::Context::id`): an ID depends on the stack alone, and
    /// a 10,000-resource plan asks for each many times.
    pub ids: IdMemo,
}

/// Remembered ARM IDs of a stack's resources. A clone starts empty (it may be changed).
#[derive(Debug, Default)]
pub struct IdMemo(std::sync::Mutex<std::collections::HashMap<Address, String>>);

impl Clone for IdMemo {
    fn clone(&self) -> IdMemo {
        IdMemo::default()
    }
}

impl IdMemo {
    /// A memo with room for `resources` IDs: grown by doubling, its table took fresh memory
    /// at every step.
    pub fn with_capacity(resources: usize) -> IdMemo {
        IdMemo(std::sync::Mutex::new(
            std::collections::HashMap::with_capacity(resources),
        ))
    }

    pub fn get(&self, address: &Address) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(address)
            .cloned()
    }

    pub fn remember(&self, address: &Address, id: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(address.clone(), id.to_string());
    }
}

/// Why a resource exists in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Declared,
    /// Created by azplan from another resource's settings (an attached registry's AcrPull).
    Derived {
        from: Address,
        reason: &'static str,
    },
}

/// A dependency: this resource needs `on` to exist first. `span` is the reference that said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub on: Address,
    pub span: Span,
    pub explicit: bool,
}

/// Where a resource-group-scoped resource lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceGroupRef {
    Managed { address: Address, name: String },
    Existing { address: Address, id: String },
}

impl ResourceGroupRef {
    /// The group's Azure name.
    pub fn name(&self) -> String {
        match self {
            ResourceGroupRef::Managed { name, .. } => name.clone(),
            ResourceGroupRef::Existing { id, .. } => {
                id.rsplit('/').next().unwrap_or_default().to_string()
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub address: Address,
    /// The Azure resource name.
    pub name: String,
    pub span: Span,
    pub origin: Origin,
    pub resource_group: Option<ResourceGroupRef>,
    pub location: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub protect: bool,
    /// ARM body fragment merged into the rendered body.
    pub raw: Option<serde_json::Value>,
    pub dependencies: Vec<Dependency>,
    pub spec: Spec,
}

#[derive(Debug, Clone)]
pub enum Spec {
    ResourceGroup,
    Existing(Existing),
    Registry(Registry),
    Workspace(Workspace),
    VirtualNetwork(VirtualNetwork),
    Subnet(Subnet),
    DnsZone(DnsZone),
    Identity,
    FederatedCredential(FederatedCredential),
    RoleAssignment(RoleAssignment),
    Cluster(Box<Cluster>),
    NodePool(NodePool),
    DnsZoneLink(DnsZoneLink),
    VnetPeering(VnetPeering),
    KeyVault(KeyVault),
    RouteTable(RouteTable),
    NetworkSecurityGroup(NetworkSecurityGroup),
    PublicIp(PublicIp),
    PublicIpPrefix(PublicIpPrefix),
    NatGateway(NatGateway),
    MaintenanceConfiguration(MaintenanceWindow),
    PrivateEndpoint(PrivateEndpoint),
    PrivateDnsZoneGroup(PrivateDnsZoneGroup),
    PolicyAssignment(PolicyAssignment),
    MonitorWorkspace(MonitorWorkspace),
    Solution(Solution),
    DataCollectionRule(DataCollectionRule),
    StorageAccount(StorageAccount),
    DataCollectionEndpoint(DataCollectionEndpoint),
    ClusterExtension(ClusterExtension),
    FluxConfiguration(FluxConfiguration),
    DiagnosticSetting(DiagnosticSetting),
    DataCollectionRuleAssociation(RuleAssociation),
}

/// A Flux configuration (FluxConfiguration, fluxconfiguration.json 2025-04-01) with a Git
/// repository source, run by the cluster's `microsoft.flux` extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FluxConfiguration {
    /// `cluster` or `namespace`.
    pub scope: String,
    pub namespace: String,
    pub suspend: bool,
    pub git: GitRepository,
    pub kustomizations: BTreeMap<String, Kustomization>,
}

/// GitRepositoryDefinition: the URL, one reference, intervals and plain-text auth settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRepository {
    pub url: String,
    /// `branch`, `tag`, `semver`, `commit` as written.
    pub reference: BTreeMap<&'static str, String>,
    pub sync_interval_seconds: u64,
    pub timeout_seconds: u64,
    pub https_user: Option<String>,
    pub https_ca_cert: Option<String>,
    pub ssh_known_hosts: Option<String>,
    pub local_auth_ref: Option<String>,
}

/// KustomizationDefinition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kustomization {
    pub path: String,
    pub depends_on: Vec<String>,
    pub sync_interval_seconds: u64,
    pub timeout_seconds: u64,
    pub retry_interval_seconds: Option<u64>,
    pub prune: bool,
    pub force: bool,
    pub wait: bool,
}

/// A cluster extension (Extension, extensions.json 2025-03-01 of Microsoft.KubernetesConfiguration):
/// Flux (`microsoft.flux`) or any other extension type, installed in an AKS cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterExtension {
    pub extension_type: String,
    pub auto_upgrade_minor_version: bool,
    pub release_train: Option<String>,
    pub version: Option<String>,
    pub scope: Option<ExtensionScope>,
    pub configuration_settings: BTreeMap<String, String>,
    /// Protected setting name → the environment variable holding its value at apply time.
    pub protected_settings: BTreeMap<String, String>,
    pub system_identity: bool,
    pub plan: Option<MarketplacePlan>,
}

/// Where an extension is installed (Scope: "either Cluster or Namespace; but not both").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionScope {
    Cluster { release_namespace: String },
    Namespace { target_namespace: String },
}

/// A marketplace plan (common-types v2 Plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplacePlan {
    pub name: String,
    pub publisher: String,
    pub product: String,
    pub promotion_code: Option<String>,
    pub version: Option<String>,
}

/// A data collection rule association (DataCollectionRuleAssociation, Microsoft.Insights
/// 2023-03-11): a rule attached to the resource whose agents use it.
#[derive(Debug, Clone)]
pub struct RuleAssociation {
    /// The resource it sits on (part of its ID).
    pub target: Target,
    pub rule: Target,
    pub description: Option<String>,
}

/// A diagnostic setting (DiagnosticSettings, Microsoft.Insights 2021-05-01-preview): a
/// resource's logs and metrics sent to a Log Analytics workspace.
#[derive(Debug, Clone)]
pub struct DiagnosticSetting {
    /// The resource it sits on (part of its ID).
    pub target: Target,
    pub workspace: Target,
    /// Log categories, category groups and metric categories sent, each once, in spec order.
    pub logs: Vec<String>,
    pub category_groups: Vec<String>,
    pub metrics: Vec<String>,
    pub destination_table: Option<DestinationTable>,
}

/// `logAnalyticsDestinationType`: "whether the export to Log Analytics should use the default
/// destination type, i.e. AzureDiagnostics, or use a destination type constructed as follows:
/// <normalized service identity>_<normalized category name>. Possible values are: Dedicated and
/// null (null is default.)" (diagnosticsSettings_API.json 2021-05-01-preview).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum DestinationTable {
    /// `Dedicated`: resource-specific tables.
    #[serde(rename = "resourceSpecific", alias = "Dedicated")]
    ResourceSpecific,
    /// `null`: the AzureDiagnostics table.
    #[serde(rename = "azureDiagnostics", alias = "AzureDiagnostics")]
    AzureDiagnostics,
}

/// A private endpoint: a NIC in a subnet connected to one sub-resource (`groupId`) of another
/// resource, approved automatically (`privateLinkServiceConnections`).
#[derive(Debug, Clone)]
pub struct PrivateEndpoint {
    pub subnet: Target,
    pub target: Target,
    pub group_id: String,
    /// The spec has `dnsZones:`: the endpoint's zone groups are the stack's.
    pub owns_zone_groups: bool,
}

/// The private DNS zones a private endpoint registers its addresses in.
#[derive(Debug, Clone)]
pub struct PrivateDnsZoneGroup {
    pub zones: Vec<Target>,
}

/// An Azure Policy assignment (PolicyAssignment, Microsoft.Authorization 2025-03-01): a built-in
/// or custom definition or initiative applied at a scope.
#[derive(Debug, Clone)]
pub struct PolicyAssignment {
    pub policy: crate::policies::Policy,
    pub scope: Scope,
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// Parameter values by parameter name, sent as `{"value": …}` each.
    pub parameters: BTreeMap<String, serde_json::Value>,
    pub enforcement_mode: EnforcementMode,
    /// Scopes inside `scope` the policy leaves out.
    pub not_scopes: Vec<Scope>,
    /// A system-assigned identity (deployIfNotExists and modify effects need one).
    pub identity: bool,
    pub non_compliance_message: Option<String>,
}

/// PolicyAssignmentProperties `enforcementMode` (policyAssignments.json 2025-03-01): whether
/// the policy's effect is enforced at resource creation or update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum EnforcementMode {
    /// Enforced (the service's default).
    Default,
    /// Evaluated and reported, never enforced.
    DoNotEnforce,
    /// Enforced only on enrolled resources.
    Enroll,
}

impl EnforcementMode {
    pub fn arm(self) -> &'static str {
        match self {
            EnforcementMode::Default => "Default",
            EnforcementMode::DoNotEnforce => "DoNotEnforce",
            EnforcementMode::Enroll => "Enroll",
        }
    }
}

/// A planned maintenance window (MaintenanceWindow, AKS 2026-08-01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaintenanceWindow {
    pub schedule: MaintenanceSchedule,
    pub duration_hours: u32,
    pub start_time: String,
    pub utc_offset: Option<String>,
    pub start_date: Option<String>,
    pub not_allowed_dates: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaintenanceSchedule {
    Daily {
        interval_days: u32,
    },
    Weekly {
        interval_weeks: u32,
        day_of_week: DayOfWeek,
    },
    AbsoluteMonthly {
        interval_months: u32,
        day_of_month: u32,
    },
    RelativeMonthly {
        interval_months: u32,
        week_index: WeekIndex,
        day_of_week: DayOfWeek,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum DayOfWeek {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl DayOfWeek {
    pub fn name(self) -> &'static str {
        match self {
            DayOfWeek::Sunday => "Sunday",
            DayOfWeek::Monday => "Monday",
            DayOfWeek::Tuesday => "Tuesday",
            DayOfWeek::Wednesday => "Wednesday",
            DayOfWeek::Thursday => "Thursday",
            DayOfWeek::Friday => "Friday",
            DayOfWeek::Saturday => "Saturday",
        }
    }
}

/// RelativeMonthlySchedule.weekIndex (AKS 2026-08-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl WeekIndex {
    pub fn name(self) -> &'static str {
        match self {
            WeekIndex::First => "First",
            WeekIndex::Second => "Second",
            WeekIndex::Third => "Third",
            WeekIndex::Fourth => "Fourth",
            WeekIndex::Last => "Last",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Existing {
    pub id: String,
    /// The ARM type from the ID, e.g. `Microsoft.Network/virtualNetworks`.
    pub arm_type: String,
}

#[derive(Debug, Clone)]
pub struct Registry {
    pub sku: RegistrySku,
    pub admin_user: bool,
    /// Asked for at creation when the spec says so.
    pub zone_redundancy: Option<bool>,
    pub public_network_access: bool,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub sku: String,
    pub retention_days: u32,
    pub daily_quota_gb: Option<f64>,
}

/// An Azure Monitor workspace, the store of managed Prometheus (`kinds::monitor_workspace`).
#[derive(Debug, Clone)]
pub struct MonitorWorkspace {
    pub public_network_access: bool,
}

/// A data collection rule (`kinds::data_collection_rule`) in one of the shapes AKS uses.
#[derive(Debug, Clone)]
pub struct DataCollectionRule {
    /// `Linux` or `Windows`.
    pub kind: Option<String>,
    pub description: Option<String>,
    /// The data collection endpoint (`dataCollectionEndpointId`).
    pub endpoint: Option<Target>,
    pub shape: DcrShape,
}

#[derive(Debug, Clone)]
pub enum DcrShape {
    /// The ContainerInsights extension's streams to a Log Analytics workspace.
    ContainerInsights {
        workspace: Target,
        streams: Vec<String>,
    },
    /// Prometheus metrics to an Azure Monitor workspace.
    Prometheus { monitor_workspace: Target },
}

/// A data collection endpoint (`kinds::data_collection_endpoint`).
#[derive(Debug, Clone)]
pub struct DataCollectionEndpoint {
    /// `Linux` or `Windows`.
    pub kind: Option<String>,
    pub description: Option<String>,
    /// `networkAcls.publicNetworkAccess`: `Enabled`, `Disabled` or `SecuredByPerimeter`.
    pub public_network_access: String,
}

/// A Log Analytics solution (`kinds::solution`): its gallery type on a workspace.
#[derive(Debug, Clone)]
pub struct Solution {
    /// `ContainerInsights`: the plan's product is `OMSGallery/<solution>`.
    pub solution: String,
    pub workspace: Target,
}

#[derive(Debug, Clone)]
pub struct VirtualNetwork {
    pub address_space: Vec<Cidr>,
    pub dns_servers: Vec<String>,
    /// The spec has a `peerings:` key: the VNet's peerings are the stack's to delete.
    pub manages_peerings: bool,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub prefix: Cidr,
    pub delegation: Option<String>,
    pub service_endpoints: Vec<String>,
    pub default_outbound_access: Option<bool>,
    /// `routeTable:` (`kinds::route_table`).
    pub route_table: Association,
    /// `networkSecurityGroup:` (`kinds::security_group`).
    pub network_security_group: Association,
    /// `privateEndpointNetworkPolicies:`; `None` leaves the live value as it is.
    pub private_endpoint_network_policies: Option<String>,
    /// `natGateway:` (`kinds::nat_gateway`).
    pub nat_gateway: Association,
}

/// What a subnet's spec says about its route table or NSG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Association {
    /// Not said: whatever is associated stays (AKS associates its own route table with a
    /// kubenet cluster's subnet), and the subnet's PUT carries it over.
    Unmanaged,
    /// `none`: nothing is associated; one that is, is taken off.
    None,
    /// This one.
    To(Target),
}

/// A route table (`kinds::route_table`).
#[derive(Debug, Clone)]
pub struct RouteTable {
    /// `disableBgpRoutePropagation` is its negation.
    pub bgp_route_propagation: bool,
    /// `None` without a `routes:` key: the live routes are kept as they are.
    pub routes: Option<Vec<Route>>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub name: String,
    pub address_prefix: String,
    pub next_hop_type: String,
    pub next_hop_ip_address: Option<String>,
}

/// A public IP address (`kinds::public_ip`): Standard SKU, IPv4, static.
#[derive(Debug, Clone)]
pub struct PublicIp {
    /// Sorted, each once; empty: no zone.
    pub zones: Vec<u8>,
    pub idle_timeout_minutes: Option<u32>,
    /// The prefix it is drawn from.
    pub prefix: Option<Target>,
}

/// A NAT gateway (`kinds::nat_gateway`): Standard SKU.
#[derive(Debug, Clone)]
pub struct NatGateway {
    pub zones: Vec<u8>,
    pub idle_timeout_minutes: Option<u32>,
    pub public_ips: Vec<Target>,
    pub public_ip_prefixes: Vec<Target>,
}

/// A public IP prefix (`kinds::public_ip`): Standard SKU, IPv4.
#[derive(Debug, Clone)]
pub struct PublicIpPrefix {
    /// CIDR mask length, 21-31.
    pub prefix_length: u8,
    pub zones: Vec<u8>,
}

/// A network security group (`kinds::security_group`).
#[derive(Debug, Clone)]
pub struct NetworkSecurityGroup {
    /// `None` without a `rules:` key: the live rules are kept as they are.
    pub rules: Option<Vec<SecurityRule>>,
}

#[derive(Debug, Clone)]
pub struct SecurityRule {
    pub name: String,
    pub description: Option<String>,
    pub priority: u32,
    pub direction: String,
    pub access: String,
    pub protocol: String,
    pub sources: Vec<String>,
    pub source_ports: Vec<String>,
    pub destinations: Vec<String>,
    pub destination_ports: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DnsZone {
    pub private: bool,
}

/// A private DNS zone made resolvable from one virtual network.
#[derive(Debug, Clone)]
pub struct DnsZoneLink {
    pub vnet: Target,
    /// Auto-registration of the VNet's VMs in the zone.
    pub registration: bool,
    /// Sent only when the spec gives it.
    pub resolution_policy: Option<ResolutionPolicy>,
}

/// A one-way peering from a VNet to a remote VNet (each side is its own resource).
#[derive(Debug, Clone)]
pub struct VnetPeering {
    pub remote: Target,
    pub allow_virtual_network_access: bool,
    pub allow_forwarded_traffic: bool,
    pub allow_gateway_transit: bool,
    pub use_remote_gateways: bool,
}

/// A key vault (`kinds::key_vault`).
#[derive(Debug, Clone)]
pub struct KeyVault {
    pub sku: KeyVaultSku,
    /// `None`: the subscription's tenant, read from ARM.
    pub tenant_id: Option<String>,
    pub rbac_authorization: bool,
    pub public_network_access: bool,
    pub network_rules: KeyVaultNetworkRules,
    pub purge_protection: bool,
    pub soft_delete_retention_days: u32,
    /// Recover a soft-deleted vault of the same name instead of failing to create it.
    pub recover: bool,
}

/// A key vault's firewall (`networkAcls`).
#[derive(Debug, Clone)]
pub struct KeyVaultNetworkRules {
    pub default_action: NetworkDefaultAction,
    pub bypass: NetworkBypass,
    /// CIDRs, a single address written as `/32` (as the service stores it).
    pub ip_rules: Vec<String>,
    pub subnets: Vec<Target>,
}

/// A reference that resolves to something ARM can name: a node of the stack, possibly with a
/// sub-path (a subnet of an existing VNet), or a raw ARM ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Node(Address),
    ArmId(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuer {
    /// The OIDC issuer of a cluster in the stack: known after apply.
    Cluster(Address),
    Url(String),
}

#[derive(Debug, Clone)]
pub struct FederatedCredential {
    pub issuer: Issuer,
    pub subject: String,
    pub audiences: Vec<String>,
}

/// Identities AKS creates for a cluster and its add-ons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClusterIdentity {
    ControlPlane,
    Kubelet,
    AppRouting,
    Monitoring,
    VirtualNodes,
    AzurePolicy,
    KeyVaultSecretsProvider,
    IngressApplicationGateway,
}

impl ClusterIdentity {
    pub const ALL: &'static [(&'static str, ClusterIdentity)] = &[
        ("controlPlane", ClusterIdentity::ControlPlane),
        ("kubelet", ClusterIdentity::Kubelet),
        ("appRouting", ClusterIdentity::AppRouting),
        ("monitoring", ClusterIdentity::Monitoring),
        ("virtualNodes", ClusterIdentity::VirtualNodes),
        ("azurePolicy", ClusterIdentity::AzurePolicy),
        (
            "keyVaultSecretsProvider",
            ClusterIdentity::KeyVaultSecretsProvider,
        ),
        (
            "ingressApplicationGateway",
            ClusterIdentity::IngressApplicationGateway,
        ),
    ];

    pub fn name(self) -> &'static str {
        ClusterIdentity::ALL
            .iter()
            .find(|(_, i)| *i == self)
            .map_or("?", |(n, _)| n)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Principal {
    Identity(Address),
    /// A policy assignment's system-assigned identity (what its remediation runs as).
    PolicyAssignment(Address),
    Cluster {
        cluster: Address,
        identity: ClusterIdentity,
    },
    Object {
        id: String,
        principal_type: PrincipalType,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Subscription,
    Target(Target),
    NodeResourceGroup(Address),
    Namespace { cluster: Address, namespace: String },
}

#[derive(Debug, Clone)]
pub struct RoleAssignment {
    /// A GUID name given in the spec (adoption); otherwise derived.
    pub name: Option<String>,
    pub role: Role,
    pub scope: Scope,
    pub principal: Principal,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPlaneIdentity {
    SystemAssigned,
    UserAssigned(Address),
    ServicePrincipal {
        client_id: String,
        secret_env: String,
    },
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub kubernetes_version: Option<String>,
    pub dns_prefix: String,
    pub sku_tier: SkuTier,
    pub identity: ControlPlaneIdentity,
    pub kubelet_identity: Option<Address>,
    pub node_resource_group: Option<String>,
    pub autoscaler_profile: BTreeMap<&'static str, serde_json::Value>,
    pub network: Network,
    pub api_server: ApiServer,
    pub aad: Option<Aad>,
    pub kubernetes_rbac: bool,
    pub oidc_issuer: bool,
    pub workload_identity: bool,
    pub virtual_nodes: Option<Target>,
    pub container_insights: Option<ContainerInsights>,
    pub app_routing: Option<AppRouting>,
    pub http_application_routing: bool,
    pub azure_policy: bool,
    pub secrets_provider: Option<SecretsProvider>,
    pub app_gateway_ingress: Option<AppGatewayIngress>,
    pub attached_registries: Vec<Target>,
    pub linux: Option<LinuxProfile>,
    pub upgrade_channel: UpgradeChannel,
    pub node_os_upgrade_channel: NodeOsUpgradeChannel,
    /// The spec has `maintenance:`: the cluster's maintenance configurations are the stack's
    /// (one it does not list is deleted).
    pub owns_maintenance: bool,
    /// `azureMonitor:` (`azureMonitorProfile`); `None` when the spec leaves it out.
    pub azure_monitor: Option<AzureMonitor>,
    /// The spec has `extensions:`: the plan reads the cluster's extensions (only those it names
    /// are the stack's; the others are listed as left alone).
    pub owns_extensions: bool,
    /// The spec has `fluxConfigurations:`: the plan reads the cluster's Flux configurations (only
    /// those it names are the stack's).
    pub owns_flux_configurations: bool,
    /// Pools in the order they were declared; the first system pool is created inline with the
    /// cluster (ARM needs one), every other pool through the agent-pools API.
    pub pools: Vec<Address>,
}

/// A cluster's Azure Monitor profile (`kinds::cluster`, ManagedClusterAzureMonitorProfile).
#[derive(Debug, Clone)]
pub struct AzureMonitor {
    /// Managed Prometheus metrics on.
    pub metrics: bool,
    /// kube-state-metrics' label and annotation allowlists ("" for none, as AKS answers).
    pub metric_labels_allowlist: String,
    pub metric_annotations_allow_list: String,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub plugin: NetworkPlugin,
    pub plugin_mode: Option<NetworkPluginMode>,
    pub policy: Option<NetworkPolicy>,
    pub dataplane: Option<NetworkDataplane>,
    pub subnet: Option<Target>,
    pub pod_cidr: Option<Cidr>,
    pub service_cidr: Option<Cidr>,
    pub dns_service_ip: Option<std::net::Ipv4Addr>,
    pub outbound_type: OutboundType,
    pub load_balancer_sku: LoadBalancerSku,
    pub managed_outbound_ips: Option<u32>,
    /// The load balancer's outbound addresses of the user's own (`outboundIps:`), in spec
    /// order; exclusive with a managed count and with `outbound_ip_prefixes`.
    pub outbound_ips: Vec<Target>,
    /// The load balancer's outbound prefixes of the user's own (`outboundIpPrefixes:`).
    pub outbound_ip_prefixes: Vec<Target>,
    pub allocated_outbound_ports: Option<u32>,
    pub idle_timeout_minutes: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct ApiServer {
    pub private: bool,
    pub authorized_ip_ranges: Vec<Cidr>,
    pub private_dns_zone: Option<PrivateDnsZone>,
}

/// Where a private cluster's API server name lives.
#[derive(Debug, Clone)]
pub enum PrivateDnsZone {
    /// AKS's own choice: `system` (a zone AKS creates) or `none`.
    Mode(String),
    /// A private DNS zone of the stack, an `existing:` one or an ARM ID.
    Zone(Target),
}

#[derive(Debug, Clone)]
pub struct Aad {
    pub admin_groups: Vec<String>,
    pub azure_rbac: bool,
    pub disable_local_accounts: bool,
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ContainerInsights {
    pub workspace: Target,
    pub use_aad_auth: bool,
}

/// The Azure Key Vault provider for the Secrets Store CSI driver (`azureKeyvaultSecretsProvider`).
#[derive(Debug, Clone)]
pub struct SecretsProvider {
    pub secret_rotation: bool,
    /// A Go duration such as `2m`.
    pub rotation_poll_interval: String,
}

/// The Application Gateway Ingress Controller add-on (`ingressApplicationGateway`): the gateway
/// it drives, an existing one or one AKS creates in the node resource group.
#[derive(Debug, Clone)]
pub enum AppGatewayIngress {
    Existing(Target),
    New {
        name: Option<String>,
        subnet: AppGatewaySubnet,
    },
}

#[derive(Debug, Clone)]
pub enum AppGatewaySubnet {
    Subnet(Target),
    Cidr(Cidr),
}

#[derive(Debug, Clone)]
pub struct AppRouting {
    pub dns_zones: Vec<Target>,
    pub nginx: NginxIngress,
}

#[derive(Debug, Clone)]
pub struct LinuxProfile {
    pub admin_user: String,
    pub ssh_public_key: String,
}

#[derive(Debug, Clone)]
pub struct NodePool {
    pub mode: PoolMode,
    pub vm_size: String,
    pub count: Option<u32>,
    pub autoscale: Option<(u32, u32)>,
    pub zones: Vec<u8>,
    pub max_pods: Option<u32>,
    pub os_disk_size_gb: Option<u32>,
    pub os_disk_type: Option<OsDiskType>,
    pub os_sku: Option<OsSku>,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<String>,
    pub subnet: Option<Target>,
    /// The pool's Kubernetes version (`orchestratorVersion`); the control plane's when unset.
    pub kubernetes_version: Option<String>,
    /// The spec gives the pool's tags (else they are neither sent nor compared).
    pub own_tags: bool,
    /// `upgradeSettings`: only what the spec writes is sent.
    pub upgrade: PoolUpgrade,
}

/// A pool's upgrade settings (AgentPoolUpgradeSettings, AKS 2026-08-01). Each is sent only
/// when written; surge and unavailable are ARM strings (`"5"` or `"33%"`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolUpgrade {
    pub max_surge: Option<String>,
    pub max_unavailable: Option<String>,
    pub drain_timeout_minutes: Option<u32>,
    pub soak_minutes: Option<u32>,
}

impl NodePool {
    /// The most nodes this pool can reach.
    pub fn max_nodes(&self) -> u32 {
        self.autoscale
            .map_or(self.count.unwrap_or(1), |(_, max)| max)
    }
}

// The vocabulary of settings: values the spec names and the model keeps as they are.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum RegistrySku {
    #[serde(alias = "basic")]
    Basic,
    #[serde(alias = "standard")]
    Standard,
    #[serde(alias = "premium")]
    Premium,
}

/// Key Vault SKUs (SkuName of Microsoft.KeyVault 2026-04-01; family `A` for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyVaultSku {
    #[serde(alias = "Standard")]
    Standard,
    #[serde(alias = "Premium")]
    Premium,
}

/// What a firewall does with traffic no rule matches (NetworkRuleAction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum NetworkDefaultAction {
    #[serde(alias = "allow")]
    Allow,
    #[serde(alias = "deny")]
    Deny,
}

/// Traffic that passes the firewall whatever its rules say (NetworkRuleBypassOptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum NetworkBypass {
    #[serde(alias = "azureServices")]
    AzureServices,
    #[serde(alias = "none")]
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
    ForeignGroup,
    Device,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum SkuTier {
    #[serde(alias = "free")]
    Free,
    #[serde(alias = "standard")]
    Standard,
    #[serde(alias = "premium")]
    Premium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum UpgradeChannel {
    None,
    Patch,
    Stable,
    Rapid,
    #[serde(rename = "node-image")]
    NodeImage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum NodeOsUpgradeChannel {
    None,
    Unmanaged,
    SecurityPatch,
    NodeImage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum PoolMode {
    #[serde(alias = "system")]
    System,
    #[serde(alias = "user")]
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum OsDiskType {
    #[serde(alias = "managed")]
    Managed,
    #[serde(alias = "ephemeral")]
    Ephemeral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum OsSku {
    Ubuntu,
    AzureLinux,
    Ubuntu2204,
    Ubuntu2404,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NetworkPlugin {
    Azure,
    Kubenet,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NetworkPluginMode {
    Overlay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NetworkPolicy {
    None,
    Azure,
    Calico,
    Cilium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum NetworkDataplane {
    Azure,
    Cilium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum OutboundType {
    LoadBalancer,
    UserDefinedRouting,
    ManagedNatGateway,
    UserAssignedNatGateway,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum LoadBalancerSku {
    Standard,
    Basic,
}

/// How a private DNS zone link resolves names the zone does not hold (privatedns
/// `ResolutionPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ResolutionPolicy {
    Default,
    NxDomainRedirect,
}

impl ResolutionPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionPolicy::Default => "Default",
            ResolutionPolicy::NxDomainRedirect => "NxDomainRedirect",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum NginxIngress {
    AnnotationControlled,
    External,
    Internal,
    None,
}

/// A storage account (`kinds::storage_account`, Microsoft.Storage 2026-09-01).
#[derive(Debug, Clone)]
pub struct StorageAccount {
    pub sku: StorageSku,
    pub kind: StorageKind,
    /// Sent for StorageV2 only (BlockBlobStorage is always Premium, FileStorage has none).
    pub access_tier: Option<StorageAccessTier>,
    pub minimum_tls_version: StorageTlsVersion,
    pub allow_blob_public_access: bool,
    pub allow_shared_key_access: bool,
    pub public_network_access: bool,
    pub https_only: bool,
    /// `isHnsEnabled`: Data Lake Storage's hierarchical namespace, fixed at creation.
    pub hierarchical_namespace: bool,
    pub network_rules: StorageNetworkRules,
}

/// A storage account's firewall (`networkAcls`, NetworkRuleSet).
#[derive(Debug, Clone)]
pub struct StorageNetworkRules {
    pub default_action: NetworkDefaultAction,
    pub bypass: NetworkBypass,
    /// Public IPv4 addresses (bare) and ranges (CIDR, /30 or wider), as the service stores them.
    pub ip_rules: Vec<String>,
    pub subnets: Vec<Target>,
}

/// SkuName of Microsoft.Storage 2026-09-01: redundancy and performance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum StorageSku {
    #[serde(rename = "Standard_LRS")]
    StandardLrs,
    #[serde(rename = "Standard_GRS")]
    StandardGrs,
    #[serde(rename = "Standard_RAGRS")]
    StandardRagrs,
    #[serde(rename = "Standard_ZRS")]
    StandardZrs,
    #[serde(rename = "Standard_GZRS")]
    StandardGzrs,
    #[serde(rename = "Standard_RAGZRS")]
    StandardRagzrs,
    #[serde(rename = "Premium_LRS")]
    PremiumLrs,
    #[serde(rename = "Premium_ZRS")]
    PremiumZrs,
    #[serde(rename = "StandardV2_LRS")]
    StandardV2Lrs,
    #[serde(rename = "StandardV2_GRS")]
    StandardV2Grs,
    #[serde(rename = "StandardV2_ZRS")]
    StandardV2Zrs,
    #[serde(rename = "StandardV2_GZRS")]
    StandardV2Gzrs,
    #[serde(rename = "PremiumV2_LRS")]
    PremiumV2Lrs,
    #[serde(rename = "PremiumV2_ZRS")]
    PremiumV2Zrs,
}

impl StorageSku {
    /// The name ARM takes (`Standard_LRS`).
    pub fn arm(self) -> &'static str {
        match self {
            StorageSku::StandardLrs => "Standard_LRS",
            StorageSku::StandardGrs => "Standard_GRS",
            StorageSku::StandardRagrs => "Standard_RAGRS",
            StorageSku::StandardZrs => "Standard_ZRS",
            StorageSku::StandardGzrs => "Standard_GZRS",
            StorageSku::StandardRagzrs => "Standard_RAGZRS",
            StorageSku::PremiumLrs => "Premium_LRS",
            StorageSku::PremiumZrs => "Premium_ZRS",
            StorageSku::StandardV2Lrs => "StandardV2_LRS",
            StorageSku::StandardV2Grs => "StandardV2_GRS",
            StorageSku::StandardV2Zrs => "StandardV2_ZRS",
            StorageSku::StandardV2Gzrs => "StandardV2_GZRS",
            StorageSku::PremiumV2Lrs => "PremiumV2_LRS",
            StorageSku::PremiumV2Zrs => "PremiumV2_ZRS",
        }
    }

    /// The performance family before the `_` (`Standard`, `Premium`, `StandardV2`,
    /// `PremiumV2`): what a redundancy change keeps.
    pub fn family(self) -> &'static str {
        self.arm().split('_').next().unwrap_or_default()
    }
}

/// Kind of Microsoft.Storage 2026-09-01, without the legacy `Storage` (general-purpose v1) and
/// `BlobStorage` (Learn, "Storage account overview": legacy account types, not recommended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum StorageKind {
    StorageV2,
    BlockBlobStorage,
    FileStorage,
}

impl StorageKind {
    pub fn arm(self) -> &'static str {
        match self {
            StorageKind::StorageV2 => "StorageV2",
            StorageKind::BlockBlobStorage => "BlockBlobStorage",
            StorageKind::FileStorage => "FileStorage",
        }
    }
}

/// AccessTier of Microsoft.Storage 2026-09-01 that a StorageV2 account can choose (`Premium`
/// is BlockBlobStorage's own and fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum StorageAccessTier {
    #[serde(alias = "hot")]
    Hot,
    #[serde(alias = "cool")]
    Cool,
    #[serde(alias = "cold")]
    Cold,
    #[serde(alias = "smart")]
    Smart,
}

impl StorageAccessTier {
    pub fn arm(self) -> &'static str {
        match self {
            StorageAccessTier::Hot => "Hot",
            StorageAccessTier::Cool => "Cool",
            StorageAccessTier::Cold => "Cold",
            StorageAccessTier::Smart => "Smart",
        }
    }
}

/// MinimumTlsVersion of Microsoft.Storage 2026-09-01 without `TLS1_3`, which the property's
/// description says is not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum StorageTlsVersion {
    #[serde(rename = "TLS1_0")]
    Tls10,
    #[serde(rename = "TLS1_1")]
    Tls11,
    #[serde(rename = "TLS1_2")]
    Tls12,
}

impl StorageTlsVersion {
    pub fn arm(self) -> &'static str {
        match self {
            StorageTlsVersion::Tls10 => "TLS1_0",
            StorageTlsVersion::Tls11 => "TLS1_1",
            StorageTlsVersion::Tls12 => "TLS1_2",
        }
    }
}
