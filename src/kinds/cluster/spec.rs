//! The spec of an AKS cluster as written (serde types, spans, no invariants).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::kinds::node_pool::RawNodePool;
use crate::model::{
    LoadBalancerSku, NetworkDataplane, NetworkPlugin, NetworkPluginMode, NetworkPolicy,
    NginxIngress, NodeOsUpgradeChannel, OutboundType, SkuTier, UpgradeChannel,
};
use crate::spec::{RawJson, Zone};

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
    pub sku_tier: Option<Spanned<RawSkuTier>>,
    /// Default availability zones for node pools, e.g. `[1, 2, 3]` (or `["1", "2", "3"]`).
    pub zones: Option<Vec<Zone>>,
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
    /// The Azure Key Vault provider for the Secrets Store CSI driver (ARM
    /// `azureKeyvaultSecretsProvider`); `{}` turns it on with AKS's defaults. Its identity is
    /// the principal `cluster/NAME:keyVaultSecretsProvider`.
    pub key_vault_secrets_provider: Option<Spanned<RawSecretsProvider>>,
    /// The Application Gateway Ingress Controller add-on (ARM `ingressApplicationGateway`): an
    /// existing `gateway`, or a new one AKS creates from `subnet` or `subnetCidr`. Its identity
    /// is the principal `cluster/NAME:ingressApplicationGateway`.
    pub ingress_application_gateway: Option<Spanned<RawAppGatewayIngress>>,
    /// Registries the kubelet may pull from; each becomes an AcrPull role assignment.
    #[serde(default)]
    pub attached_registries: Vec<Spanned<String>>,
    pub linux: Option<RawLinuxProfile>,
    pub auto_upgrade: Option<RawAutoUpgrade>,
    /// Planned maintenance windows for auto-upgrades (`autoUpgrade`) and node OS upgrades
    /// (`nodeOs`). With `maintenance:` the cluster's maintenance configurations are the
    /// stack's: one it does not list is deleted.
    pub maintenance: Option<Spanned<crate::kinds::maintenance::RawMaintenance>>,
    /// Azure Monitor profile (ARM `azureMonitorProfile`): managed Prometheus metrics
    /// (`metrics: true`) and the kube-state-metrics allowlists. Unset: azplan sends nothing and
    /// leaves what the cluster has.
    pub azure_monitor: Option<Spanned<RawAzureMonitor>>,
    /// Cluster extensions by name (`flux: {type: microsoft.flux}`), installed through
    /// Microsoft.KubernetesConfiguration. With `extensions:` the cluster's extensions are the
    /// stack's: one it does not list is deleted.
    pub extensions: Option<
        Spanned<std::collections::BTreeMap<String, Spanned<crate::kinds::extension::RawExtension>>>,
    >,
    /// Flux configurations by name (a Git repository and its kustomizations), run by the
    /// cluster's `microsoft.flux` extension. With `fluxConfigurations:` the cluster's
    /// configurations are the stack's: one it does not list is deleted.
    pub flux_configurations: Option<
        Spanned<
            std::collections::BTreeMap<
                String,
                Spanned<crate::kinds::flux_configuration::RawFluxConfiguration>,
            >,
        >,
    >,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// The pricing tier as written. `Paid` is what AKS called `Standard` before api-version
/// 2023-02-01 (azurerm's `sku_tier`: "the AKS API introduced a breaking change in API Version
/// `2023-02-01` ... where the value `Paid` must now be set to `Standard`"; the rename also in
/// Azure/azure-rest-api-specs#27263): taken as `Standard`, with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum RawSkuTier {
    #[serde(alias = "free")]
    Free,
    #[serde(alias = "standard")]
    Standard,
    #[serde(alias = "premium")]
    Premium,
    /// AKS's name of `Standard` before api-version 2023-02-01; write `Standard`.
    #[serde(alias = "paid")]
    Paid,
}

impl RawSkuTier {
    pub fn tier(self) -> SkuTier {
        match self {
            RawSkuTier::Free => SkuTier::Free,
            RawSkuTier::Standard | RawSkuTier::Paid => SkuTier::Standard,
            RawSkuTier::Premium => SkuTier::Premium,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawServicePrincipal {
    pub client_id: String,
    /// Environment variable holding the secret at apply time (never stored in the spec).
    pub client_secret_env: String,
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

#[derive(Debug, Default, Deserialize, JsonSchema)]
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
    /// Managed outbound public IPs (1-100). Default 1, unless `outboundIps` or
    /// `outboundIpPrefixes` are given.
    pub managed_outbound_ips: Option<Spanned<u32>>,
    /// Outbound public IPs of your own instead of managed ones: `publicIp/NAME`,
    /// `existing/NAME` or ARM IDs. The cluster identity gets Network Contributor on each.
    pub outbound_ips: Option<Spanned<Vec<Spanned<String>>>>,
    /// Outbound public IP prefixes of your own: `publicIpPrefix/NAME`, `existing/NAME` or ARM
    /// IDs. The cluster identity gets Network Contributor on each.
    pub outbound_ip_prefixes: Option<Spanned<Vec<Spanned<String>>>>,
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

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSecretsProvider {
    /// Poll Key Vault and update mounted secrets. Default false.
    pub secret_rotation: Option<bool>,
    /// How often to poll when rotating, a Go duration such as `2m` or `1h30m`. Default `2m`.
    pub rotation_poll_interval: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAppGatewayIngress {
    /// An existing application gateway: `existing/NAME` or its ARM ID.
    pub gateway: Option<Spanned<String>>,
    /// Name of the gateway AKS creates (with `subnet` or `subnetCidr`).
    pub name: Option<Spanned<String>>,
    /// Subnet for a new gateway AKS creates, e.g. `vnet/aks-vnet/appgw`.
    pub subnet: Option<Spanned<String>>,
    /// CIDR of a new subnet AKS creates for a new gateway, in the cluster's VNet.
    pub subnet_cidr: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawLinuxProfile {
    pub admin_user: String,
    /// One RSA public key, e.g. `ssh-rsa AAAA... user@host` (AKS refuses Ed25519). Cannot change.
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

crate::spec::common!(RawCluster);

/// The cluster's Azure Monitor profile as written (ManagedClusterAzureMonitorProfile, AKS
/// 2026-08-01).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAzureMonitor {
    /// Managed Prometheus: the metrics add-on that sends the cluster's metrics to an Azure
    /// Monitor workspace (`metrics.enabled`, required by AKS). The workspace is chosen by the
    /// data collection rule associated with the cluster.
    pub metrics: Spanned<bool>,
    /// Settings of the kube-state-metrics pod the add-on deploys; needs `metrics: true`.
    pub kube_state_metrics: Option<Spanned<RawKubeStateMetrics>>,
}

/// ManagedClusterAzureMonitorProfileKubeStateMetrics, with AKS's own spelling of both names.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawKubeStateMetrics {
    /// Comma-separated Kubernetes label keys added to the resources' labels metric, e.g.
    /// `namespaces=[k8s-label-1,k8s-label-n],pods=[app]`. Default: none (name and namespace only).
    pub metric_labels_allowlist: Option<String>,
    /// Comma-separated Kubernetes annotation keys added to the resources' labels metric, e.g.
    /// `namespaces=[kubernetes.io/team],pods=[kubernetes.io/team]`. Default: none.
    pub metric_annotations_allow_list: Option<String>,
}
