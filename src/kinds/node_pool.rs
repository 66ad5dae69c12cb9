//! AKS agent pools, written through the agentPools API (a cluster PUT never adds or removes
//! pools). An autoscaled pool's count belongs to the autoscaler: sent on create, never diffed.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::{NodesOrPercent, RawJson, Zone};

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Rules};
use crate::model::{NodePool, Resource};
use crate::model::{OsDiskType, OsSku, PoolMode};

// The spec as written (serde types, spans, no invariants).

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
    /// Availability zones, e.g. `[1, 2]` (or `["1", "2"]`); default the cluster's `zones`.
    pub zones: Option<Vec<Zone>>,
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
    /// Kubernetes version of the pool's nodes (`1.33` or `1.33.2`): at most the control
    /// plane's, and at most three minor versions older. Default: the control plane's.
    pub kubernetes_version: Option<Spanned<String>>,
    /// Tags of the pool's scale set. Without `tags:` azplan leaves a pool's tags as they are
    /// (the cluster's tags are not copied onto its pools).
    pub tags: Option<BTreeMap<String, String>>,
    /// How AKS rolls the pool's nodes on an upgrade (`upgradeSettings`). Unwritten settings
    /// are left to AKS (surge 10%, unavailable 0, drain timeout 30 min, soak 0 min).
    pub upgrade: Option<Spanned<RawPoolUpgrade>>,
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

/// AgentPoolUpgradeSettings (AKS 2026-08-01); Learn "Upgrade Azure Kubernetes Service (AKS)
/// node pools" (https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools-rolling).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPoolUpgrade {
    /// Extra nodes added while upgrading: a count (`1`) or a percentage of the pool
    /// (`"33%"`, Microsoft's advice for production). AKS's default: `"10%"`.
    pub max_surge: Option<Spanned<NodesOrPercent>>,
    /// Nodes that may be unavailable at once instead of surging (for pools without spare
    /// capacity): a count or a percentage. AKS's default: 0.
    pub max_unavailable: Option<Spanned<NodesOrPercent>>,
    /// Minutes to wait for a node's pods to be evicted (honouring disruption budgets) before
    /// the upgrade fails: 1-1440. AKS's default: 30.
    pub drain_timeout_minutes: Option<Spanned<u32>>,
    /// Minutes to wait after draining a node before reimaging it: 0-30. AKS's default: 0.
    pub soak_minutes: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawOsDisk {
    pub size_gb: Option<u32>,
    #[serde(rename = "type")]
    pub disk_type: Option<OsDiskType>,
}

/// ARM and azurerm names of a pool's settings (`crate::kinds::habits`). ARM: AgentPool
/// properties (`agentPoolProfiles[]` in a cluster body, AKS 2026-08-01); azurerm:
/// `default_node_pool` of `azurerm_kubernetes_cluster` and `azurerm_kubernetes_cluster_node_pool`
/// (provider 4.x; 3.x names where they differ).
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "name", "name", "nothing: the pool's key under `nodePools` is its name"),
    habit("", "", "node_count", "`count`"),
    habit("", "enableAutoScaling", "auto_scaling_enabled", "`autoscale: {min, max}` (a pool with `autoscale` is autoscaled)"),
    habit("", "", "enable_auto_scaling", "`autoscale: {min, max}` (a pool with `autoscale` is autoscaled)"),
    habit("", "minCount", "min_count", "`autoscale: {min, max}`"),
    habit("", "maxCount", "max_count", "`autoscale: {min, max}`"),
    habit("", "availabilityZones", "", "`zones: [1, 2, 3]`"),
    habit("", "osDiskSizeGB", "os_disk_size_gb", "`osDisk: {sizeGb}`"),
    habit("", "osDiskType", "os_disk_type", "`osDisk: {type: Managed | Ephemeral}`"),
    habit("", "nodeLabels", "node_labels", "`labels`"),
    habit("", "nodeTaints", "node_taints", "`taints: [key=value:Effect]`"),
    habit("", "", "only_critical_addons_enabled", "`taints: [CriticalAddonsOnly=true:NoSchedule]`"),
    habit("", "vnetSubnetID", "vnet_subnet_id", "`subnet: vnet/NAME/SUBNET`"),
    habit("", "orchestratorVersion", "orchestrator_version", "`kubernetesVersion`"),
    habit("", "type", "type", "nothing: azplan's pools are scale sets (`VirtualMachineScaleSets`); leave it out"),
    habit("", "upgradeSettings", "upgrade_settings", "`upgrade: {maxSurge, maxUnavailable, drainTimeoutMinutes, soakMinutes}`"),
    habit("", "maxSurge", "max_surge", "`upgrade: {maxSurge: \"33%\"}`"),
    habit("", "maxUnavailable", "max_unavailable", "`upgrade: {maxUnavailable: 1}`"),
    habit("", "drainTimeoutInMinutes", "drain_timeout_in_minutes", "`upgrade: {drainTimeoutMinutes: 30}`"),
    habit("", "nodeSoakDurationInMinutes", "node_soak_duration_in_minutes", "`upgrade: {soakMinutes: 0}`"),
    habit("", "", "temporary_name_for_rotation", "nothing: azplan replaces a pool whose fixed settings change (leave it out)"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        (
            "properties.vmSize",
            "a node pool's VM size is fixed; azplan replaces the pool",
        ),
        (
            "properties.availabilityZones",
            "a node pool's zones are fixed at creation",
        ),
        (
            "properties.maxPods",
            "max pods per node is fixed at creation",
        ),
        (
            "properties.osDiskSizeGB",
            "the OS disk size is fixed at creation",
        ),
        (
            "properties.osDiskType",
            "the OS disk type is fixed at creation",
        ),
        (
            "properties.vnetSubnetID",
            "a node pool's subnet is fixed at creation",
        ),
        ("properties.osType", "the OS type is fixed at creation"),
    ],
    sets: &["properties.availabilityZones", "properties.nodeTaints"],
    // Swagger defaults; GET bodies (the official AgentPoolsCreate_Update example among them)
    // may leave them out.
    server_defaults: &[
        ("properties.type", "\"VirtualMachineScaleSets\""),
        ("properties.enableAutoScaling", "false"),
        // OSType `"default": "Linux"` (AKS 2026-08-01).
        ("properties.osType", "\"Linux\""),
        // A pool from before modes existed (AKS 2019-06-01 has no `mode`; the official
        // ManagedClustersGet pool has none either) runs the system add-ons: System.
        ("properties.mode", "\"System\""),
        // count: "The default value is 1." (AKS 2026-08-01).
        ("properties.count", "1"),
        // AgentPoolUpgradeSettings (AKS 2026-08-01): maxSurge "If not specified, the default
        // is 10%"; maxUnavailable "the default is 0"; drainTimeoutInMinutes "the default is 30
        // minutes"; nodeSoakDurationInMinutes "the default is 0 minutes". A GET from an older
        // pool may leave them out (AKS 2023-01-01 documented a surge default of 1, but a pool
        // read at 2026-08-01 reports its own value when it has one).
        ("properties.upgradeSettings.maxSurge", "\"10%\""),
        ("properties.upgradeSettings.maxUnavailable", "\"0\""),
        ("properties.upgradeSettings.drainTimeoutInMinutes", "30"),
        ("properties.upgradeSettings.nodeSoakDurationInMinutes", "0"),
    ],
    exact_maps: &["properties.nodeLabels", "properties.tags"],
    version_prefix: &["properties.orchestratorVersion"],
    case_insensitive: &[
        "properties.vnetSubnetID",
        "properties.mode",
        "properties.osDiskType",
        "properties.vmSize",
    ],
    ..EMPTY
};

pub fn body(b: &mut BodyBuilder<'_, '_>, resource: &Resource, p: &NodePool) -> Value {
    let mut props = json!({
        "mode": match p.mode { PoolMode::System => "System", PoolMode::User => "User" },
        "vmSize": p.vm_size,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
        "enableAutoScaling": p.autoscale.is_some(),
        "nodeLabels": p.labels,
        "nodeTaints": p.taints,
    });
    if p.own_tags {
        props["tags"] = json!(resource.tags);
    }
    if let Some(version) = &p.kubernetes_version {
        props["orchestratorVersion"] = json!(version);
    }
    match p.autoscale {
        Some((min, max)) => {
            props["minCount"] = json!(min);
            props["maxCount"] = json!(max);
            // Sent as written: ARM accepts a count outside the range (official example
            // AgentPools_Update, AKS 2026-08-01: count 3, minCount 2, maxCount 2).
            props["count"] = json!(p.count.unwrap_or(min));
        }
        None => props["count"] = json!(p.count.unwrap_or(1)),
    }
    if !p.zones.is_empty() {
        props["availabilityZones"] =
            json!(p.zones.iter().map(|z| z.to_string()).collect::<Vec<_>>());
    }
    if let Some(max_pods) = p.max_pods {
        props["maxPods"] = json!(max_pods);
    }
    if let Some(size) = p.os_disk_size_gb {
        props["osDiskSizeGB"] = json!(size);
    }
    if let Some(disk) = p.os_disk_type {
        props["osDiskType"] = json!(match disk {
            OsDiskType::Managed => "Managed",
            OsDiskType::Ephemeral => "Ephemeral",
        });
    }
    if let Some(sku) = p.os_sku {
        props["osSKU"] = json!(match sku {
            OsSku::Ubuntu => "Ubuntu",
            OsSku::AzureLinux => "AzureLinux",
            OsSku::Ubuntu2204 => "Ubuntu2204",
            OsSku::Ubuntu2404 => "Ubuntu2404",
        });
    }
    if let Some(subnet) = &p.subnet {
        props["vnetSubnetID"] = json!(b.ctx.target_id(subnet));
    }
    let upgrade = upgrade_settings(&p.upgrade);
    if !upgrade.as_object().is_none_or(serde_json::Map::is_empty) {
        props["upgradeSettings"] = upgrade;
    }
    json!({ "properties": props })
}

/// `upgradeSettings` with only the settings the spec writes: an unwritten one stays AKS's.
fn upgrade_settings(u: &crate::model::PoolUpgrade) -> Value {
    let mut v = json!({});
    if let Some(surge) = &u.max_surge {
        v["maxSurge"] = json!(surge);
    }
    if let Some(unavailable) = &u.max_unavailable {
        v["maxUnavailable"] = json!(unavailable);
    }
    if let Some(drain) = u.drain_timeout_minutes {
        v["drainTimeoutInMinutes"] = json!(drain);
    }
    if let Some(soak) = u.soak_minutes {
        v["nodeSoakDurationInMinutes"] = json!(soak);
    }
    v
}

/// An autoscaled pool's `count` is the autoscaler's business after creation.
pub fn autoscaled(p: &NodePool) -> bool {
    p.autoscale.is_some()
}

/// Whether a live pool counts as System for AKS's rule that a cluster keeps one: a pool with
/// no `mode` predates modes (AKS 2019-06-01 has none) and runs the system add-ons, so it counts
/// as System, as the pool rules read it.
pub fn counts_as_system(body: &Value) -> bool {
    body.get("properties")
        .and_then(|p| p.get("mode"))
        .and_then(Value::as_str)
        .is_none_or(|m| m.eq_ignore_ascii_case("System"))
}

/// The ARM type of node pools.
pub fn pool_type() -> &'static str {
    crate::kind::Kind::NodePool.def().arm[0].path
}
