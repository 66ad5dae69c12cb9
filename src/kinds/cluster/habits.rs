//! ARM and azurerm names of a cluster's settings, and where azplan writes them
//! (`crate::kinds::habits`). ARM: ManagedCluster properties of Microsoft.ContainerService
//! managedClusters (azure-rest-api-specs, `managedClusters.json`, AKS 2026-08-01); azurerm:
//! the arguments of `azurerm_kubernetes_cluster` (hashicorp/terraform-provider-azurerm,
//! `website/docs/r/kubernetes_cluster.html.markdown`, provider 4.x).

use crate::kinds::habits::{Habit, habit};

#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    // The cluster's own settings.
    habit("", "sku", "sku_tier", "`skuTier: Free | Standard | Premium`"),
    habit("", "agentPoolProfiles", "default_node_pool", "`nodePools: {NAME: {mode: System, vmSize, count}}` (a map by pool name; at least one `mode: System`)"),
    habit("", "networkProfile", "network_profile", "`network: {plugin, policy, serviceCidr, …}`"),
    habit("", "aadProfile", "azure_active_directory_role_based_access_control", "`aad: {adminGroups, azureRbac, tenantId}`"),
    habit("", "enableRBAC", "role_based_access_control_enabled", "`kubernetesRbac`"),
    habit("", "disableLocalAccounts", "local_account_disabled", "`aad: {disableLocalAccounts: true}`"),
    habit("", "oidcIssuerProfile", "oidc_issuer_enabled", "`oidcIssuer: true`"),
    habit("", "securityProfile", "workload_identity_enabled", "`workloadIdentity: true` (with `oidcIssuer: true`)"),
    habit("", "apiServerAccessProfile", "api_server_access_profile", "`apiServer: {private, authorizedIpRanges, privateDnsZone}`"),
    habit("", "enablePrivateCluster", "private_cluster_enabled", "`apiServer: {private: true}`"),
    habit("", "privateDNSZone", "private_dns_zone_id", "`apiServer: {privateDnsZone: system | none | dnsZone/NAME}`"),
    habit("", "autoScalerProfile", "auto_scaler_profile", "`autoscalerProfile` (its keys in camelCase: `scanInterval`, …)"),
    habit("", "addonProfiles", "", "one setting per add-on: `containerInsights`, `azurePolicy`, `virtualNodes`, `appRouting`, `keyVaultSecretsProvider`, `ingressApplicationGateway`"),
    habit("", "azureKeyvaultSecretsProvider", "", "`keyVaultSecretsProvider: {secretRotation, rotationPollInterval}`"),
    habit("", "", "oms_agent", "`containerInsights: {workspace: workspace/NAME}`"),
    habit("", "", "azure_policy_enabled", "`azurePolicy: true`"),
    habit("", "", "aci_connector_linux", "`virtualNodes: {subnet: vnet/NAME/SUBNET}`"),
    habit("", "httpApplicationRouting", "http_application_routing_enabled", "`httpApplicationRouting` (retired; use `appRouting`)"),
    habit("", "ingressProfile", "web_app_routing", "`appRouting: {dnsZones: [dnsZone/NAME]}`"),
    habit("", "identityProfile", "kubelet_identity", "`kubeletIdentity: identity/NAME`"),
    habit("", "servicePrincipalProfile", "service_principal", "`servicePrincipal: {clientId, clientSecretEnv}`"),
    habit("", "linuxProfile", "linux_profile", "`linux: {adminUser, sshPublicKey}`"),
    habit("", "autoUpgradeProfile", "automatic_upgrade_channel", "`autoUpgrade: {channel, nodeOs}`"),
    habit("", "upgradeChannel", "automatic_channel_upgrade", "`autoUpgrade: {channel}`"),
    habit("", "nodeOSUpgradeChannel", "node_os_upgrade_channel", "`autoUpgrade: {nodeOs}`"),
    habit("", "maintenanceWindow", "maintenance_window_auto_upgrade", "`maintenance: {autoUpgrade: {weekly: {dayOfWeek}, startTime, durationHours, utcOffset}}`"),
    habit("", "", "maintenance_window_node_os", "`maintenance: {nodeOs: {daily: {intervalDays}, startTime, durationHours}}`"),
    habit("", "", "maintenance_window", "`maintenance: {autoUpgrade: …, nodeOs: …}` (the legacy `default` configuration is not modelled)"),
    habit("", "", "node_os_channel_upgrade", "`autoUpgrade: {nodeOs}`"),
    habit("", "azureMonitorProfile", "monitor_metrics", "`azureMonitor: {metrics: true, kubeStateMetrics: {metricLabelsAllowlist, metricAnnotationsAllowList}}` (managed Prometheus)"),
    habit("", "", "resource_group_name", "`resourceGroup` (a key under `resourceGroups`, or `existing/NAME`)"),
    // `network`: ContainerServiceNetworkProfile / `network_profile`.
    habit("network", "networkPlugin", "network_plugin", "`plugin`"),
    habit("network", "networkPluginMode", "network_plugin_mode", "`pluginMode`"),
    habit("network", "networkPolicy", "network_policy", "`policy`"),
    habit("network", "networkDataplane", "network_data_plane", "`dataplane`"),
    habit("network", "loadBalancerSku", "load_balancer_sku", "`loadBalancer: {sku}`"),
    habit("network", "loadBalancerProfile", "load_balancer_profile", "`loadBalancer: {managedOutboundIps, allocatedOutboundPorts, idleTimeoutMinutes}`"),
    habit("network", "vnetSubnetID", "vnet_subnet_id", "`subnet: vnet/NAME/SUBNET` (the pools' default node subnet)"),
    // `network.loadBalancer`: ManagedClusterLoadBalancerProfile / `load_balancer_profile`.
    habit("network.loadBalancer", "managedOutboundIPs", "managed_outbound_ip_count", "`managedOutboundIps: N`"),
    habit("network.loadBalancer", "", "outbound_ports_allocated", "`allocatedOutboundPorts`"),
    habit("network.loadBalancer", "idleTimeoutInMinutes", "idle_timeout_in_minutes", "`idleTimeoutMinutes`"),
    habit("network.loadBalancer", "outboundIPs", "outbound_ip_address_ids", "`outboundIps: [publicIp/NAME, ...]` (public IPs of your own)"),
    habit("network.loadBalancer", "outboundIPPrefixes", "outbound_ip_prefix_ids", "`outboundIpPrefixes: [publicIpPrefix/NAME, ...]` (public IP prefixes of your own)"),
    habit("network.loadBalancer", "publicIPs", "", "`outboundIps: [publicIp/NAME, ...]`"),
    habit("network.loadBalancer", "publicIPPrefixes", "", "`outboundIpPrefixes: [publicIpPrefix/NAME, ...]`"),
    // `apiServer`: ManagedClusterAPIServerAccessProfile / `api_server_access_profile`.
    habit("apiServer", "enablePrivateCluster", "private_cluster_enabled", "`private: true`"),
    habit("apiServer", "authorizedIPRanges", "authorized_ip_ranges", "`authorizedIpRanges`"),
    habit("apiServer", "privateDNSZone", "private_dns_zone_id", "`privateDnsZone`"),
    // `aad`: ManagedClusterAADProfile / `azure_active_directory_role_based_access_control`.
    habit("aad", "adminGroupObjectIDs", "admin_group_object_ids", "`adminGroups`"),
    habit("aad", "enableAzureRBAC", "azure_rbac_enabled", "`azureRbac`"),
    habit("aad", "managed", "", "nothing: azplan always uses AKS-managed Entra ID (leave it out)"),
    // `autoscalerProfile`: AKS's kebab-case keys (`scan-interval`) are found by the
    // did-you-mean; azurerm's `auto_scaler_profile` renames some of them.
    habit("autoscalerProfile", "", "max_unready_nodes", "`okTotalUnreadyCount` (AKS's `ok-total-unready-count`)"),
    habit("autoscalerProfile", "", "max_unready_percentage", "`maxTotalUnreadyPercentage` (AKS's `max-total-unready-percentage`)"),
    habit("autoscalerProfile", "", "max_node_provisioning_time", "`maxNodeProvisionTime` (AKS's `max-node-provision-time`)"),
    habit("autoscalerProfile", "", "empty_bulk_delete_max", "`maxEmptyBulkDelete` (AKS's `max-empty-bulk-delete`)"),
    habit("autoscalerProfile", "", "scale_down_unneeded", "`scaleDownUnneededTime` (AKS's `scale-down-unneeded-time`)"),
    habit("autoscalerProfile", "", "scale_down_unready", "`scaleDownUnreadyTime` (AKS's `scale-down-unready-time`)"),
    habit("autoscalerProfile", "", "daemonset_eviction_for_empty_nodes_enabled", "`daemonsetEvictionForEmptyNodes`"),
    habit("autoscalerProfile", "", "daemonset_eviction_for_occupied_nodes_enabled", "`daemonsetEvictionForOccupiedNodes`"),
    habit("autoscalerProfile", "", "ignore_daemonsets_utilization_enabled", "`ignoreDaemonsetsUtilization`"),
    // `keyVaultSecretsProvider`: the `azureKeyvaultSecretsProvider` add-on's config /
    // `key_vault_secrets_provider`.
    habit("keyVaultSecretsProvider", "enableSecretRotation", "secret_rotation_enabled", "`secretRotation: true`"),
    habit("keyVaultSecretsProvider", "", "secret_rotation_interval", "`rotationPollInterval` (a duration such as `2m`)"),
    habit("keyVaultSecretsProvider", "enabled", "", "nothing: writing `keyVaultSecretsProvider:` turns the add-on on"),
    // `ingressApplicationGateway`: the add-on's config / `ingress_application_gateway`.
    habit("ingressApplicationGateway", "applicationGatewayId", "gateway_id", "`gateway: existing/NAME` (or the gateway's ARM ID)"),
    habit("ingressApplicationGateway", "applicationGatewayName", "gateway_name", "`name`"),
    habit("ingressApplicationGateway", "subnetId", "subnet_id", "`subnet: vnet/NAME/SUBNET`"),
    habit("ingressApplicationGateway", "subnetCIDR", "subnet_cidr", "`subnetCidr`"),
    habit("ingressApplicationGateway", "enabled", "", "nothing: writing `ingressApplicationGateway:` turns the add-on on"),
    // `autoUpgrade`: ManagedClusterAutoUpgradeProfile.
    habit("autoUpgrade", "upgradeChannel", "automatic_upgrade_channel", "`channel`"),
    habit("autoUpgrade", "nodeOSUpgradeChannel", "node_os_upgrade_channel", "`nodeOs`"),
    // `linux`: ContainerServiceLinuxProfile / `linux_profile`.
    habit("linux", "adminUsername", "admin_username", "`adminUser`"),
    habit("linux", "ssh", "ssh_key", "`sshPublicKey: ssh-rsa AAAA…` (one RSA key)"),
    // `azureMonitor`: ManagedClusterAzureMonitorProfile / `monitor_metrics`.
    habit("azureMonitor", "enabled", "", "`metrics: true`"),
    habit("azureMonitor", "", "labels_allowed", "`kubeStateMetrics: {metricLabelsAllowlist}`"),
    habit("azureMonitor", "", "annotations_allowed", "`kubeStateMetrics: {metricAnnotationsAllowList}`"),
];
