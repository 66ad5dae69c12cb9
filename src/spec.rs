//! The raw spec: serde types that mirror the YAML exactly (spans, no invariants). The JSON Schema
//! in `schemas/` is generated from these types; `model` turns them into validated values.
//!
//! The settings every resource shares (`name`, `resourceGroup`, `tags`, `dependsOn`, …) are
//! repeated in each struct on purpose: serde's `flatten` cannot be combined with
//! `deny_unknown_fields`, and unknown fields must stay errors (and schema violations).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;

/// Free-form JSON merged into a resource's ARM body (the escape hatch).
pub type RawJson = serde_json::Value;

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
}

/// A variable: a default, or none when every environment must give a value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawVariable {
    pub default: Option<RawJson>,
    pub description: Option<String>,
}

/// Settings every managed resource accepts.
pub trait Common {
    fn name(&self) -> Option<&Spanned<String>>;
    fn depends_on(&self) -> &[Spanned<String>];
    fn protect(&self) -> bool;
    fn raw(&self) -> Option<&Spanned<RawJson>>;
}

macro_rules! common {
    ($($t:ty),*) => {$(
        impl Common for $t {
            fn name(&self) -> Option<&Spanned<String>> { self.name.as_ref() }
            fn depends_on(&self) -> &[Spanned<String>] { &self.depends_on }
            fn protect(&self) -> bool { self.protect }
            fn raw(&self) -> Option<&Spanned<RawJson>> { self.raw.as_ref() }
        }
    )*};
}

common!(
    RawResourceGroup,
    RawRegistry,
    RawWorkspace,
    RawVnet,
    RawDnsZone,
    RawIdentity,
    RawCluster
);

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawResourceGroup {
    /// Azure name; defaults to the key.
    pub name: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Addresses this resource must wait for, e.g. `roleAssignment/x`.
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    /// Refuse to delete or replace this resource.
    #[serde(default)]
    pub protect: bool,
    /// ARM body fragment merged into the rendered body, for settings azplan does not model yet.
    pub raw: Option<Spanned<RawJson>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum RegistrySku {
    #[serde(alias = "basic")]
    Basic,
    #[serde(alias = "standard")]
    Standard,
    #[serde(alias = "premium")]
    Premium,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRegistry {
    /// Azure name (5-50 letters and digits, globally unique); defaults to the key.
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Default `Standard`.
    pub sku: Option<RegistrySku>,
    /// Enable the admin user (discouraged). Default false.
    #[serde(default)]
    pub admin_user: bool,
    /// Zone redundancy (Premium only; cannot change after creation). Default false.
    pub zone_redundancy: Option<Spanned<bool>>,
    /// Default true.
    pub public_network_access: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawWorkspace {
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Pricing tier, default `PerGB2018`.
    pub sku: Option<String>,
    /// Days of retention, 30-730. Default 30.
    pub retention_days: Option<Spanned<u32>>,
    /// Daily ingestion cap in GB; unset means no cap.
    pub daily_quota_gb: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawVnet {
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Address prefixes in CIDR notation, e.g. `[10.0.0.0/8]`.
    pub address_space: Spanned<Vec<Spanned<String>>>,
    /// Custom DNS servers; Azure DNS when unset.
    #[serde(default)]
    pub dns_servers: Vec<String>,
    /// Subnets, referenced as `vnet/VNET/SUBNET`. Each is its own resource.
    #[serde(default)]
    pub subnets: BTreeMap<String, Spanned<RawSubnet>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSubnet {
    /// Address prefix in CIDR notation, inside the VNet's address space.
    pub prefix: Spanned<String>,
    /// Service the subnet is delegated to, e.g. `Microsoft.ContainerInstance/containerGroups`
    /// for virtual nodes.
    pub delegation: Option<Spanned<String>>,
    /// Service endpoints, e.g. `Microsoft.ContainerRegistry`.
    #[serde(default)]
    pub service_endpoints: Vec<String>,
    /// Default outbound access for VMs in the subnet (creation only). Default: Azure's.
    pub default_outbound_access: Option<bool>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDnsZone {
    /// Zone name, e.g. `apps.example.com`; defaults to the key.
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// A private zone (`Microsoft.Network/privateDnsZones`). Default false (public).
    #[serde(default)]
    pub private: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawIdentity {
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Federated credentials (at most 20), referenced as `identity/IDENTITY/CREDENTIAL`.
    #[serde(default)]
    pub federated_credentials: BTreeMap<String, Spanned<RawFederatedCredential>>,
}

/// Trust tokens of a Kubernetes service account: issuer from a cluster (or a URL), subject from
/// a namespace and service account (or given whole).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawFederatedCredential {
    /// Cluster whose OIDC issuer is trusted, e.g. `cluster/platform`.
    pub cluster: Option<Spanned<String>>,
    /// Issuer URL, for issuers outside the stack (e.g. GitHub Actions).
    pub issuer: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub service_account: Option<Spanned<String>>,
    /// Full subject, instead of namespace and serviceAccount.
    pub subject: Option<Spanned<String>>,
    /// Default `[api://AzureADTokenExchange]`.
    pub audiences: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
    ForeignGroup,
    Device,
}

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
    /// `:controlPlane`, `:appRouting`, `:monitoring`, `:virtualNodes`, `:azurePolicy`.
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

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawCluster {
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// `1.33` (latest patch) or `1.33.2`. Default: the region's default version.
    pub kubernetes_version: Option<Spanned<String>>,
    /// DNS prefix of the API server FQDN; defaults to the cluster name. Cannot change.
    pub dns_prefix: Option<Spanned<String>>,
    /// `Free`, `Standard` (uptime SLA) or `Premium`. Default `Free`.
    pub sku_tier: Option<SkuTier>,
    /// Default availability zones for node pools, e.g. `[1, 2, 3]`.
    pub zones: Option<Vec<u8>>,
    /// Control-plane identity: `systemAssigned` (default) or `identity/NAME`.
    pub identity: Option<Spanned<String>>,
    /// Kubelet identity `identity/NAME`; AKS creates one in the node resource group when unset.
    pub kubelet_identity: Option<Spanned<String>>,
    /// Legacy service principal (discouraged; managed identities are the default).
    pub service_principal: Option<Spanned<RawServicePrincipal>>,
    /// Name of the node resource group; default `MC_<rg>_<cluster>_<location>`. Cannot change.
    pub node_resource_group: Option<String>,
    /// Node pools by name (1-12 lowercase letters and digits). At least one `System` pool.
    pub node_pools: Spanned<BTreeMap<String, Spanned<RawNodePool>>>,
    pub autoscaler_profile: Option<RawAutoscalerProfile>,
    pub network: Option<Spanned<RawNetwork>>,
    pub api_server: Option<Spanned<RawApiServer>>,
    /// AKS-managed Entra ID integration. Cannot be disabled once enabled.
    pub aad: Option<Spanned<RawAad>>,
    /// Kubernetes RBAC. Default true; cannot change after creation.
    pub kubernetes_rbac: Option<Spanned<bool>>,
    /// OIDC issuer (needed by workload identity). Cannot be disabled once enabled.
    pub oidc_issuer: Option<Spanned<bool>>,
    /// Workload identity webhook. Needs `oidcIssuer: true`.
    pub workload_identity: Option<Spanned<bool>>,
    /// Virtual nodes (ACI connector) on a delegated subnet. Needs Azure CNI.
    pub virtual_nodes: Option<Spanned<RawVirtualNodes>>,
    /// Container Insights, sending to a Log Analytics workspace.
    pub container_insights: Option<Spanned<RawContainerInsights>>,
    /// Application routing (managed NGINX ingress) with DNS zones.
    pub app_routing: Option<Spanned<RawAppRouting>>,
    /// The retired HTTP application routing addon (accepted, but flagged).
    pub http_application_routing: Option<Spanned<bool>>,
    /// The Azure Policy addon.
    pub azure_policy: Option<bool>,
    /// Registries the kubelet may pull from; each becomes an AcrPull role assignment.
    #[serde(default)]
    pub attached_registries: Vec<Spanned<String>>,
    pub linux: Option<RawLinuxProfile>,
    pub auto_upgrade: Option<RawAutoUpgrade>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawServicePrincipal {
    pub client_id: String,
    /// Environment variable holding the secret at apply time (never stored in the spec).
    pub client_secret_env: String,
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

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawNodePool {
    /// `System` pools run critical add-ons (at least one is required); default `User`.
    pub mode: Option<PoolMode>,
    /// VM size, e.g. `Standard_D4s_v5`.
    pub vm_size: Spanned<String>,
    /// Fixed node count (or the starting count of an autoscaled pool).
    pub count: Option<Spanned<u32>>,
    /// Cluster autoscaler bounds.
    pub autoscale: Option<Spanned<RawAutoscale>>,
    /// Availability zones; default the cluster's `zones`.
    pub zones: Option<Vec<u8>>,
    /// Maximum pods per node. Cannot change.
    pub max_pods: Option<u32>,
    pub os_disk: Option<RawOsDisk>,
    pub os_sku: Option<OsSku>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Taints as `key=value:Effect`, e.g. `CriticalAddonsOnly=true:NoSchedule`.
    #[serde(default)]
    pub taints: Vec<Spanned<String>>,
    /// Node subnet; default the cluster network's subnet.
    pub subnet: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    pub raw: Option<Spanned<RawJson>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAutoscale {
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawOsDisk {
    pub size_gb: Option<u32>,
    #[serde(rename = "type")]
    pub disk_type: Option<OsDiskType>,
}

/// Cluster autoscaler settings; each maps to the AKS key of the same name in kebab-case.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAutoscalerProfile {
    pub balance_similar_node_groups: Option<bool>,
    pub daemonset_eviction_for_empty_nodes: Option<bool>,
    pub daemonset_eviction_for_occupied_nodes: Option<bool>,
    /// `random`, `most-pods`, `least-waste`, `priority` or `price`.
    pub expander: Option<String>,
    pub ignore_daemonsets_utilization: Option<bool>,
    pub max_empty_bulk_delete: Option<u32>,
    pub max_graceful_termination_sec: Option<u32>,
    pub max_node_provision_time: Option<String>,
    pub max_total_unready_percentage: Option<u32>,
    pub new_pod_scale_up_delay: Option<String>,
    pub ok_total_unready_count: Option<u32>,
    pub scan_interval: Option<String>,
    pub scale_down_delay_after_add: Option<String>,
    pub scale_down_delay_after_delete: Option<String>,
    pub scale_down_delay_after_failure: Option<String>,
    pub scale_down_unneeded_time: Option<String>,
    pub scale_down_unready_time: Option<String>,
    pub scale_down_utilization_threshold: Option<String>,
    pub skip_nodes_with_local_storage: Option<bool>,
    pub skip_nodes_with_system_pods: Option<bool>,
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

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawNetwork {
    /// `azure` (Azure CNI, default), `kubenet` (legacy) or `none`.
    pub plugin: Option<Spanned<NetworkPlugin>>,
    /// `overlay` for Azure CNI Overlay.
    pub plugin_mode: Option<NetworkPluginMode>,
    /// `none`, `azure`, `calico` or `cilium`.
    pub policy: Option<NetworkPolicy>,
    pub dataplane: Option<NetworkDataplane>,
    /// Node subnet, e.g. `vnet/aks-vnet/default`.
    pub subnet: Option<Spanned<String>>,
    /// Pod CIDR (kubenet and overlay).
    pub pod_cidr: Option<Spanned<String>>,
    /// Kubernetes service CIDR; must not overlap the VNet. Cannot change.
    pub service_cidr: Option<Spanned<String>>,
    /// Cluster DNS service IP, inside `serviceCidr`. Cannot change.
    pub dns_service_ip: Option<Spanned<String>>,
    /// Default `loadBalancer`. Cannot change after creation.
    pub outbound_type: Option<OutboundType>,
    pub load_balancer: Option<Spanned<RawLoadBalancer>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawLoadBalancer {
    /// Default `standard`. Cannot change.
    pub sku: Option<LoadBalancerSku>,
    /// Managed outbound public IPs (1-100). Default 1.
    pub managed_outbound_ips: Option<Spanned<u32>>,
    /// SNAT ports per node (0 = Azure's dynamic default).
    pub allocated_outbound_ports: Option<Spanned<u32>>,
    pub idle_timeout_minutes: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawApiServer {
    /// Private API server (no public endpoint). Cannot change after creation.
    #[serde(default)]
    pub private: bool,
    /// CIDRs allowed to reach a public API server.
    #[serde(default)]
    pub authorized_ip_ranges: Vec<Spanned<String>>,
    /// Private DNS zone for a private cluster: `system`, `none` or a zone address/ID.
    pub private_dns_zone: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAad {
    /// Object IDs of Entra groups that get cluster-admin.
    #[serde(default)]
    pub admin_groups: Vec<Spanned<String>>,
    /// Authorise Kubernetes API calls with Azure RBAC. Default true.
    pub azure_rbac: Option<bool>,
    /// Disable local accounts (the `--admin` credentials bypass). Default false.
    pub disable_local_accounts: Option<Spanned<bool>>,
    /// Tenant of the groups; default the subscription's tenant.
    pub tenant_id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawVirtualNodes {
    /// Subnet delegated to `Microsoft.ContainerInstance/containerGroups`, e.g.
    /// `vnet/aks-vnet/virtual-nodes`.
    pub subnet: Spanned<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawContainerInsights {
    /// Workspace, e.g. `workspace/logs`.
    pub workspace: Spanned<String>,
    /// Authenticate the agent with its managed identity. Default true.
    pub use_aad_auth: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum NginxIngress {
    AnnotationControlled,
    External,
    Internal,
    None,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAppRouting {
    /// DNS zones the add-on manages records in (at most 5).
    #[serde(default)]
    pub dns_zones: Vec<Spanned<String>>,
    /// Default NGINX ingress controller. Default `AnnotationControlled`.
    pub nginx: Option<NginxIngress>,
    /// Grant the add-on identity DNS Zone Contributor on each zone. Default true.
    pub grant_dns_zone_access: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawLinuxProfile {
    pub admin_user: String,
    /// OpenSSH public key, e.g. `ssh-ed25519 AAAA... user@host`. Cannot change.
    pub ssh_public_key: Spanned<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAutoUpgrade {
    /// Kubernetes upgrade channel. Default `none`.
    pub channel: Option<UpgradeChannel>,
    /// Node OS upgrade channel. Default `NodeImage`.
    pub node_os: Option<NodeOsUpgradeChannel>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawExisting {
    /// Full ARM ID of the resource.
    pub id: Spanned<String>,
}
