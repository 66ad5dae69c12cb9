//! AKS managed clusters. The first System pool goes inline on create (ARM needs one); every
//! pool, that one included, is then managed through the agentPools API.

mod addons;
mod build;
mod derived;
pub(crate) mod habits;
mod monitor;
mod network;
mod pools;
mod spec;
pub mod versions;
pub use network::ACI_DELEGATION;
pub use spec::*;

use serde_json::{Map, Value, json};

use super::{BodyBuilder, Context, EMPTY, Rules, node_pool, tracked};
use crate::model::{Address, Cluster, ControlPlaneIdentity, Resource, Spec};
use crate::model::{
    LoadBalancerSku, NetworkDataplane, NetworkPlugin, NetworkPolicy, NginxIngress,
    NodeOsUpgradeChannel, OutboundType, SkuTier, UpgradeChannel,
};

pub static RULES: Rules = Rules {
    immutable: &[
        ("location", "a cluster cannot move to another region"),
        (
            "properties.dnsPrefix",
            "the DNS prefix is part of the API server FQDN, fixed at creation",
        ),
        (
            "properties.nodeResourceGroup",
            "the node resource group is named at creation",
        ),
        (
            "properties.enableRBAC",
            "Kubernetes RBAC is chosen at creation",
        ),
        (
            "properties.networkProfile.networkPlugin",
            "the network plugin is fixed at creation",
        ),
        (
            "properties.networkProfile.serviceCidr",
            "the service CIDR is fixed at creation",
        ),
        (
            "properties.networkProfile.dnsServiceIP",
            "the DNS service IP is fixed at creation",
        ),
        (
            "properties.networkProfile.podCidr",
            "the pod CIDR is fixed once set",
        ),
        (
            "properties.networkProfile.loadBalancerSku",
            "the load balancer SKU is fixed at creation",
        ),
        (
            "properties.networkProfile.outboundType",
            "the outbound type is set at cluster creation",
        ),
        (
            "properties.apiServerAccessProfile.enablePrivateCluster",
            "a cluster is created private or public",
        ),
        (
            "properties.apiServerAccessProfile.privateDNSZone",
            "the private DNS zone is chosen at creation",
        ),
        (
            "properties.linuxProfile.adminUsername",
            "the node admin user is fixed at creation",
        ),
        (
            "properties.linuxProfile.ssh.publicKeys",
            "the node SSH key is fixed at creation",
        ),
        (
            "properties.identityProfile.kubeletidentity.resourceId",
            "the kubelet identity is fixed at creation",
        ),
    ],
    one_way: &[
        (
            "properties.aadProfile.managed",
            "managed Entra ID cannot be disabled once enabled (AKS has no way back)",
        ),
        (
            "properties.oidcIssuerProfile.enabled",
            "the OIDC issuer cannot be disabled once enabled",
        ),
    ],
    version_prefix: &["properties.kubernetesVersion"],
    sets: &[
        "properties.apiServerAccessProfile.authorizedIPRanges",
        "properties.aadProfile.adminGroupObjectIDs",
        "properties.ingressProfile.webAppRouting.dnsZoneResourceIds",
    ],
    // What a GET that leaves a property out (or sends `null`) means, from Microsoft's sources
    // (quotes and commits in tests/oracle/DEFAULTS.md §1). A default never makes an absent
    // value "known" for a replacement: properties fixed at creation that Azure does not show
    // are reported, never replaced (plan::diff::split_not_shown).
    server_defaults: &[
        // An add-on or feature a GET leaves out is off (AddonProfiles: "addon not configured").
        ("properties.addonProfiles.*.enabled", "false"),
        ("properties.ingressProfile.webAppRouting.enabled", "false"),
        // ManagedClusterSKU.tier: "If not specified, the default is 'Free'." (AKS 2026-08-01).
        ("sku.tier", "\"Free\""),
        // Base is the only general SKU name (ManagedClusterSKUName: Base | Automatic); the
        // 2026 official GET bodies leave `sku` out when the request did.
        ("sku.name", "\"Base\""),
        // Public API server: every official public-cluster GET (ManagedClustersGet,
        // AKS 2026-08-01) has no apiServerAccessProfile; private clusters are the opt-in of
        // https://learn.microsoft.com/azure/aks/private-clusters.
        (
            "properties.apiServerAccessProfile.enablePrivateCluster",
            "false",
        ),
        // Opt-in features that official GET bodies leave out when off
        // (https://learn.microsoft.com/azure/aks/use-oidc-issuer,
        // https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster).
        ("properties.oidcIssuerProfile.enabled", "false"),
        (
            "properties.securityProfile.workloadIdentity.enabled",
            "false",
        ),
        // "If set to true, getting static credentials will be disabled" (AKS 2026-08-01):
        // local accounts are on unless disabled.
        ("properties.disableLocalAccounts", "false"),
        // ManagedClusterAutoUpgradeProfile: "The default is 'none'." and
        // nodeOSUpgradeChannel: "The default is NodeImage." (AKS 2026-08-01).
        ("properties.autoUpgradeProfile.upgradeChannel", "\"none\""),
        (
            "properties.autoUpgradeProfile.nodeOSUpgradeChannel",
            "\"NodeImage\"",
        ),
        // The app-routing add-on's default NGINX controller is AnnotationControlled
        // (`az aks approuting update --nginx`, default AnnotationControlled:
        // https://learn.microsoft.com/cli/azure/aks/approuting).
        (
            "properties.ingressProfile.webAppRouting.nginx.defaultIngressControllerType",
            "\"AnnotationControlled\"",
        ),
        // NetworkPolicy `none`: "This is the default value when NetworkPolicy is not
        // specified." (AKS 2026-08-01); api-versions before 2023 had no `none` at all.
        ("properties.networkProfile.networkPolicy", "\"none\""),
        // ContainerServiceNetworkProfile.outboundType `"default": "loadBalancer"`.
        ("properties.networkProfile.outboundType", "\"loadBalancer\""),
        // ManagedOutboundIPs.count: "The default value is 1." (AKS 2026-08-01).
        (
            "properties.networkProfile.loadBalancerProfile.managedOutboundIPs.count",
            "1",
        ),
        // Managed Prometheus off: official GET bodies of clusters created without it leave
        // azureMonitorProfile out (ManagedClustersGet, AKS 2026-08-01); AKS answers the
        // allowlists it was not given as "" (`kinds::cluster::monitor`).
        ("properties.azureMonitorProfile.metrics.enabled", "false"),
        (
            "properties.azureMonitorProfile.metrics.kubeStateMetrics.metricLabelsAllowlist",
            "\"\"",
        ),
        (
            "properties.azureMonitorProfile.metrics.kubeStateMetrics.metricAnnotationsAllowList",
            "\"\"",
        ),
    ],
    // ManagedClusterSKUName `Basic` was renamed `Base` and tier `Paid` renamed `Standard`:
    // "'Basic' has been replaced by 'Base' since v2023-02-01" (service error quoted in
    // Azure/azure-rest-api-specs#27263); official 2026 create examples still send `Basic`.
    equivalent: &[
        ("sku.name", &[("Basic", "Base")]),
        ("sku.tier", &[("Paid", "Standard")]),
    ],
    // AKS keeps an SSH key as sent, `.pub` file newline included.
    trailing_whitespace: &["properties.linuxProfile.ssh.publicKeys[].keyData"],
    // Pools are their own resources after creation; the list stays in updates, as AKS's
    // own clients send it.
    ignore: &[
        "properties.servicePrincipalProfile.secret",
        "properties.agentPoolProfiles",
    ],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "sku.tier",
        "identity.type",
        "properties.networkProfile.networkPlugin",
        "properties.networkProfile.networkPolicy",
        "properties.networkProfile.networkDataplane",
        "properties.networkProfile.loadBalancerSku",
        "properties.networkProfile.outboundType",
        "properties.addonProfiles.*.config.logAnalyticsWorkspaceResourceID",
        "properties.ingressProfile.webAppRouting.dnsZoneResourceIds",
        "properties.identityProfile.kubeletidentity.resourceId",
        "properties.aadProfile.adminGroupObjectIDs",
        // ARM IDs: AKS may answer in another casing (the resource group, as ARM IDs are
        // case-insensitive).
        "properties.networkProfile.loadBalancerProfile.outboundIPs.publicIPs[].id",
        "properties.networkProfile.loadBalancerProfile.outboundIPPrefixes.publicIPPrefixes[].id",
    ],
    case_insensitive_keys: &[
        "properties.addonProfiles",
        "identity.userAssignedIdentities",
    ],
    ..EMPTY
};

/// `MC_<rg>_<cluster>_<location>` unless the spec names it; live state wins when the cluster
/// exists.
pub fn node_resource_group(ctx: &Context<'_>, cluster: &Address) -> String {
    if let Some(Value::String(live)) = ctx.live_value(cluster, "properties.nodeResourceGroup") {
        return live;
    }
    let Some(resource) = ctx.stack.resources.get(cluster) else {
        return String::new();
    };
    if let Spec::Cluster(c) = &resource.spec
        && let Some(name) = &c.node_resource_group
    {
        return name.clone();
    }
    let rg = match &resource.resource_group {
        Some(crate::model::ResourceGroupRef::Managed { name, .. }) => name.clone(),
        Some(crate::model::ResourceGroupRef::Existing { id, .. }) => {
            id.rsplit('/').next().unwrap_or_default().to_string()
        }
        None => String::new(),
    };
    format!(
        "MC_{rg}_{}_{}",
        resource.name,
        resource.location.clone().unwrap_or_default()
    )
}

pub fn body(b: &mut BodyBuilder<'_, '_>, resource: &Resource, c: &Cluster) -> Value {
    let mut body = tracked(b, resource);
    body["sku"] = json!({ "name": "Base", "tier": sku_tier(c.sku_tier) });
    match &c.identity {
        ControlPlaneIdentity::UserAssigned(identity) => {
            let mut map = Map::new();
            map.insert(b.ctx.id(identity), json!({}));
            body["identity"] = json!({ "type": "UserAssigned", "userAssignedIdentities": map });
        }
        ControlPlaneIdentity::SystemAssigned => {
            body["identity"] = json!({ "type": "SystemAssigned" })
        }
        // A service-principal cluster has no managed identity.
        ControlPlaneIdentity::ServicePrincipal { .. } => {}
    }
    let mut p = json!({
        "dnsPrefix": c.dns_prefix,
        "enableRBAC": c.kubernetes_rbac,
        "networkProfile": network(b, c),
        "apiServerAccessProfile": { "enablePrivateCluster": c.api_server.private },
        "oidcIssuerProfile": { "enabled": c.oidc_issuer },
        "securityProfile": { "workloadIdentity": { "enabled": c.workload_identity } },
        "addonProfiles": addons(b, c),
        "autoUpgradeProfile": {
            "upgradeChannel": upgrade_channel(c.upgrade_channel),
            "nodeOSUpgradeChannel": node_os_channel(c.node_os_upgrade_channel),
        },
    });
    if let Some(version) = &c.kubernetes_version {
        p["kubernetesVersion"] = json!(version);
    }
    if let Some(name) = &c.node_resource_group {
        p["nodeResourceGroup"] = json!(name);
    }
    // Always sent for a public API server, so removing the last range opens it again.
    if !c.api_server.private {
        p["apiServerAccessProfile"]["authorizedIPRanges"] = json!(
            c.api_server
                .authorized_ip_ranges
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        );
    }
    match &c.api_server.private_dns_zone {
        Some(crate::model::PrivateDnsZone::Mode(mode)) => {
            p["apiServerAccessProfile"]["privateDNSZone"] = json!(mode);
        }
        Some(crate::model::PrivateDnsZone::Zone(zone)) => {
            p["apiServerAccessProfile"]["privateDNSZone"] = json!(b.ctx.target_id(zone));
        }
        None => {}
    }
    if let Some(aad) = &c.aad {
        p["aadProfile"] = json!({
            "managed": true,
            "enableAzureRBAC": aad.azure_rbac,
            "adminGroupObjectIDs": aad.admin_groups,
        });
        if let Some(tenant) = &aad.tenant_id {
            p["aadProfile"]["tenantID"] = json!(tenant);
        }
        p["disableLocalAccounts"] = json!(aad.disable_local_accounts);
    }
    if let Some(kubelet) = &c.kubelet_identity {
        p["identityProfile"] = json!({ "kubeletidentity": {
            "resourceId": b.ctx.id(kubelet),
            "clientId": b.late("properties.identityProfile.kubeletidentity.clientId", kubelet, "properties.clientId"),
            "objectId": b.late("properties.identityProfile.kubeletidentity.objectId", kubelet, "properties.principalId"),
        }});
    }
    if let ControlPlaneIdentity::ServicePrincipal {
        client_id,
        secret_env,
    } = &c.identity
    {
        // The secret is read from the environment at apply time and sent on create (ARM
        // requires it there: ManagedClusterServicePrincipalProfile.secret, "The secret
        // password associated with the service principal in plain text", write-only); it never
        // enters a plan.
        p["servicePrincipalProfile"] = json!({ "clientId": client_id });
        b.secrets.push(super::SecretValue {
            path: "properties.servicePrincipalProfile.secret".into(),
            env: secret_env.clone(),
            every_put: false,
        });
    }
    if let Some(linux) = &c.linux {
        p["linuxProfile"] = json!({
            "adminUsername": linux.admin_user,
            "ssh": { "publicKeys": [{ "keyData": linux.ssh_public_key }] },
        });
    }
    if !c.autoscaler_profile.is_empty() {
        p["autoScalerProfile"] = json!(c.autoscaler_profile);
    }
    if let Some(m) = &c.azure_monitor {
        p["azureMonitorProfile"] = monitor::profile(m);
    }
    if c.app_routing.is_none() {
        p["ingressProfile"] = json!({ "webAppRouting": { "enabled": false } });
    }
    if let Some(ar) = &c.app_routing {
        let zones: Vec<String> = ar.dns_zones.iter().map(|z| b.ctx.target_id(z)).collect();
        p["ingressProfile"] = json!({ "webAppRouting": {
            "enabled": true,
            "dnsZoneResourceIds": zones,
            "nginx": { "defaultIngressControllerType": nginx(ar.nginx) },
        }});
    }
    if let Some(first) = c.pools.first()
        && let Some(pool) = b.ctx.stack.resources.get(first)
        && let Spec::NodePool(spec) = &pool.spec
    {
        let mut pool_body = node_pool::body(b, pool, spec);
        if let Some(raw) = &pool.raw {
            super::merge(&mut pool_body, raw);
        }
        let mut inline = pool_body["properties"].take();
        inline["name"] = json!(pool.name);
        p["agentPoolProfiles"] = json!([inline]);
    }
    body["properties"] = p;
    body
}

fn network(b: &BodyBuilder<'_, '_>, c: &Cluster) -> Value {
    let n = &c.network;
    let mut v = json!({
        "networkPlugin": match n.plugin { NetworkPlugin::Azure => "azure", NetworkPlugin::Kubenet => "kubenet", NetworkPlugin::None => "none" },
        "loadBalancerSku": match n.load_balancer_sku { LoadBalancerSku::Standard => "standard", LoadBalancerSku::Basic => "basic" },
        "outboundType": match n.outbound_type {
            OutboundType::LoadBalancer => "loadBalancer",
            OutboundType::UserDefinedRouting => "userDefinedRouting",
            OutboundType::ManagedNatGateway => "managedNATGateway",
            OutboundType::UserAssignedNatGateway => "userAssignedNATGateway",
            OutboundType::None => "none",
        },
    });
    if n.plugin_mode.is_some() {
        v["networkPluginMode"] = json!("overlay");
    }
    if let Some(policy) = n.policy {
        v["networkPolicy"] = json!(match policy {
            NetworkPolicy::None => "none",
            NetworkPolicy::Azure => "azure",
            NetworkPolicy::Calico => "calico",
            NetworkPolicy::Cilium => "cilium",
        });
    }
    if let Some(dataplane) = n.dataplane {
        v["networkDataplane"] = json!(match dataplane {
            NetworkDataplane::Azure => "azure",
            NetworkDataplane::Cilium => "cilium",
        });
    }
    // Only kubenet and overlay use a pod CIDR; flat Azure CNI ignores it and never shows it.
    if let Some(cidr) = n.pod_cidr
        && (n.plugin == NetworkPlugin::Kubenet || n.plugin_mode.is_some())
    {
        v["podCidr"] = json!(cidr.to_string());
    }
    if let (Some(cidr), Some(ip)) = (n.service_cidr, n.dns_service_ip) {
        v["serviceCidr"] = json!(cidr.to_string());
        v["dnsServiceIP"] = json!(ip.to_string());
    }
    if n.outbound_type == OutboundType::LoadBalancer {
        // One of the three ways (ManagedClusterLoadBalancerProfile): the user's own IPs or
        // prefixes leave `managedOutboundIPs` out, since AKS takes at most one of them and shows
        // no managed count for a cluster on its customer's addresses.
        let ids = |targets: &[crate::model::Target]| -> Vec<Value> {
            targets
                .iter()
                .map(|t| json!({ "id": b.ctx.target_id(t) }))
                .collect()
        };
        let mut lb = if !n.outbound_ips.is_empty() {
            json!({ "outboundIPs": { "publicIPs": ids(&n.outbound_ips) } })
        } else if !n.outbound_ip_prefixes.is_empty() {
            json!({ "outboundIPPrefixes": { "publicIPPrefixes": ids(&n.outbound_ip_prefixes) } })
        } else {
            json!({ "managedOutboundIPs": { "count": n.managed_outbound_ips.unwrap_or(1) } })
        };
        if let Some(ports) = n.allocated_outbound_ports {
            lb["allocatedOutboundPorts"] = json!(ports);
        }
        if let Some(idle) = n.idle_timeout_minutes {
            lb["idleTimeoutInMinutes"] = json!(idle);
        }
        v["loadBalancerProfile"] = lb;
    }
    v
}

/// The load balancer's outbound addresses come one way of three (managed count, own IPs, own
/// prefixes; AKS takes at most one): a live way the desired body does not send is dropped by
/// the PUT, and is a change even where the way sent matches (a managed count of 1 equals AKS's
/// default when the live body shows none).
pub(crate) fn dropped_outbound(desired: &Value, live: &Value) -> Vec<(String, Value)> {
    const LB: &str = "/properties/networkProfile/loadBalancerProfile";
    let (Some(d), Some(l)) = (desired.pointer(LB), live.pointer(LB)) else {
        return Vec::new();
    };
    let ways = ["managedOutboundIPs", "outboundIPs", "outboundIPPrefixes"];
    if !ways.iter().any(|w| d.get(w).is_some()) {
        return Vec::new();
    }
    ways.iter()
        .filter(|w| d.get(**w).is_none())
        .filter_map(|w| {
            l.get(*w).filter(|v| !v.is_null()).map(|v| {
                (
                    format!("properties.networkProfile.loadBalancerProfile.{w}"),
                    v.clone(),
                )
            })
        })
        .collect()
}

fn addons(b: &BodyBuilder<'_, '_>, c: &Cluster) -> Value {
    // Every add-on azplan manages is sent, off ones as `enabled: false`, so turning one off in
    // the spec turns it off in Azure.
    let mut addons = Map::new();
    let off = || json!({ "enabled": false });
    addons.insert(
        "omsagent".into(),
        match &c.container_insights {
            Some(ci) => json!({
                "enabled": true,
                "config": {
                    "logAnalyticsWorkspaceResourceID": b.ctx.target_id(&ci.workspace),
                    "useAADAuth": ci.use_aad_auth.to_string(),
                },
            }),
            None => off(),
        },
    );
    addons.insert(
        "aciConnectorLinux".into(),
        match &c.virtual_nodes {
            Some(subnet) => {
                let name = b
                    .ctx
                    .target_id(subnet)
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                json!({ "enabled": true, "config": { "SubnetName": name } })
            }
            None => off(),
        },
    );
    addons.insert("azurepolicy".into(), json!({ "enabled": c.azure_policy }));
    addons.insert(
        "httpApplicationRouting".into(),
        json!({ "enabled": c.http_application_routing }),
    );
    for (name, profile) in self::addons::profiles(b, c) {
        addons.insert(name.into(), profile);
    }
    Value::Object(addons)
}

fn sku_tier(t: SkuTier) -> &'static str {
    match t {
        SkuTier::Free => "Free",
        SkuTier::Standard => "Standard",
        SkuTier::Premium => "Premium",
    }
}

fn upgrade_channel(c: UpgradeChannel) -> &'static str {
    match c {
        UpgradeChannel::None => "none",
        UpgradeChannel::Patch => "patch",
        UpgradeChannel::Stable => "stable",
        UpgradeChannel::Rapid => "rapid",
        UpgradeChannel::NodeImage => "node-image",
    }
}

fn node_os_channel(c: NodeOsUpgradeChannel) -> &'static str {
    match c {
        NodeOsUpgradeChannel::None => "None",
        NodeOsUpgradeChannel::Unmanaged => "Unmanaged",
        NodeOsUpgradeChannel::SecurityPatch => "SecurityPatch",
        NodeOsUpgradeChannel::NodeImage => "NodeImage",
    }
}

fn nginx(n: NginxIngress) -> &'static str {
    match n {
        NginxIngress::AnnotationControlled => "AnnotationControlled",
        NginxIngress::External => "External",
        NginxIngress::Internal => "Internal",
        NginxIngress::None => "None",
    }
}

/// Where the cluster is and how to reach it.
pub fn outputs(ctx: &Context<'_>, resource: &Resource, body: &Value) -> Vec<(String, Value)> {
    let mut out = super::outputs_at(
        body,
        &[
            ("fqdn", "properties.fqdn"),
            ("privateFqdn", "properties.privateFQDN"),
            ("oidcIssuerUrl", "properties.oidcIssuerProfile.issuerURL"),
            ("nodeResourceGroup", "properties.nodeResourceGroup"),
            (
                "kubeletIdentity.clientId",
                "properties.identityProfile.kubeletidentity.clientId",
            ),
            (
                "kubeletIdentity.objectId",
                "properties.identityProfile.kubeletidentity.objectId",
            ),
        ],
    );
    let group = resource
        .resource_group
        .as_ref()
        .map(crate::model::ResourceGroupRef::name)
        .unwrap_or_default();
    out.push((
        "getCredentials".into(),
        json!(format!(
            "az aks get-credentials --subscription {} --resource-group {group} --name {}",
            ctx.stack.subscription, resource.name
        )),
    ));
    out
}

/// The node resource group a live cluster answers with. AKS FAQ
/// (https://learn.microsoft.com/azure/aks/faq): "AKS automatically deletes the node resource
/// group whenever the cluster is deleted, so it should only be used for resources which share the
/// cluster's lifecycle".
pub fn live_node_resource_group(cluster: &Value) -> Option<&str> {
    cluster
        .get("properties")?
        .get("nodeResourceGroup")?
        .as_str()
        .filter(|name| !name.is_empty())
}

/// Whether something in a cluster's node resource group is the cluster's own, which its delete
/// may take: a resource AKS or Kubernetes made, one of the cluster's own identities (kubelet,
/// add-ons, as its `identityProfile` and add-on profiles name them), or a role assignment to one
/// of them. AKS marks what it creates with `aks-managed-*` tags, and Kubernetes the public IPs
/// and disks it creates with `k8s-azure-*` / `kubernetes.io-*` tags (Learn "Use Azure tags in
/// AKS", https://learn.microsoft.com/azure/aks/use-tags). A resource a person put there (a static
/// ingress IP, a disk) is none of these.
pub fn made_by_cluster(cluster: &Value, item: &Value) -> bool {
    const MADE_BY_AKS: &[&str] = &[
        "aks-managed-",
        "k8s-azure-",
        "kubernetes.io-",
        "kubernetes-",
    ];
    let tagged = item
        .get("tags")
        .and_then(Value::as_object)
        .is_some_and(|tags| {
            tags.keys().any(|k| {
                let k = k.to_ascii_lowercase();
                MADE_BY_AKS.iter().any(|p| k.starts_with(p))
            })
        });
    if tagged {
        return true;
    }
    // The cluster's identities: kubelet (identityProfile) and add-ons, by resource ID and by
    // object ID, and the control plane's principal.
    let props = cluster.get("properties");
    let mut identities: Vec<&Value> = Vec::new();
    if let Some(profile) = props
        .and_then(|p| p.get("identityProfile"))
        .and_then(Value::as_object)
    {
        identities.extend(profile.values());
    }
    if let Some(addons) = props
        .and_then(|p| p.get("addonProfiles"))
        .and_then(Value::as_object)
    {
        identities.extend(addons.values().filter_map(|a| a.get("identity")));
    }
    let field = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
    };
    let resource_ids: Vec<String> = identities
        .iter()
        .filter_map(|i| field(i, "resourceId"))
        .collect();
    let mut object_ids: Vec<String> = identities
        .iter()
        .filter_map(|i| field(i, "objectId"))
        .collect();
    if let Some(principal) = cluster
        .get("identity")
        .and_then(|i| field(i, "principalId"))
    {
        object_ids.push(principal);
    }
    let id = field(item, "id").unwrap_or_default();
    if resource_ids.contains(&id) {
        return true;
    }
    let principal = item
        .get("properties")
        .and_then(|p| field(p, "principalId"))
        .unwrap_or_default();
    !principal.is_empty() && object_ids.contains(&principal)
}
