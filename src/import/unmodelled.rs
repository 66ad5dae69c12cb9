//! Settings the spec has no field for but a resource may carry (README, "Settings azplan leaves
//! as they are"): when one differs from the service's default, the import writes it with `raw:`
//! so that the spec describes the resource as it is and a re-creation keeps it. Defaults stay
//! out: each entry names the value Azure assumes (from the same API descriptions as the kinds'
//! `server_defaults`), and a setting equal to it, or absent, is not written.

use serde_json::Value;

use crate::kind::Kind;

/// When a setting is written.
enum When {
    /// Whenever the body has it.
    Present,
    /// When it differs from this default (JSON).
    Not(&'static str),
    /// When its field (a dotted path inside it) differs from this default (JSON); the whole
    /// setting is written then.
    FieldNot(&'static str, &'static str),
}

struct Setting {
    kind: Kind,
    path: &'static str,
    when: When,
}

const fn s(kind: Kind, path: &'static str, when: When) -> Setting {
    Setting { kind, path, when }
}

use Kind::{Cluster, NodePool, Registry, Subnet, VirtualNetwork, Workspace};
use When::{FieldNot, Not, Present};

const SETTINGS: &[Setting] = &[
    // Node pools (AKS 2026-08-01 ManagedClusterAgentPoolProfileProperties).
    s(NodePool, "properties.enableFIPS", Not("false")),
    s(NodePool, "properties.enableEncryptionAtHost", Not("false")),
    s(NodePool, "properties.enableUltraSSD", Not("false")),
    s(NodePool, "properties.enableNodePublicIP", Not("false")),
    s(NodePool, "properties.nodePublicIPPrefixID", Present),
    s(NodePool, "properties.gpuInstanceProfile", Present),
    s(NodePool, "properties.hostGroupID", Present),
    s(NodePool, "properties.capacityReservationGroupID", Present),
    s(NodePool, "properties.proximityPlacementGroupID", Present),
    s(NodePool, "properties.podSubnetID", Present),
    s(NodePool, "properties.scaleSetPriority", Not("\"Regular\"")),
    s(
        NodePool,
        "properties.scaleSetEvictionPolicy",
        Not("\"Delete\""),
    ),
    s(NodePool, "properties.spotMaxPrice", Not("-1")),
    s(NodePool, "properties.kubeletConfig", Present),
    s(NodePool, "properties.linuxOSConfig", Present),
    s(
        NodePool,
        "properties.workloadRuntime",
        Not("\"OCIContainer\""),
    ),
    s(NodePool, "properties.kubeletDiskType", Not("\"OS\"")),
    s(NodePool, "properties.scaleDownMode", Not("\"Delete\"")),
    s(NodePool, "properties.messageOfTheDay", Present),
    s(NodePool, "properties.creationData", Present),
    s(NodePool, "properties.enableCustomCATrust", Not("false")),
    s(NodePool, "properties.windowsProfile", Present),
    // Clusters (AKS 2026-08-01 ManagedClusterProperties).
    s(Cluster, "properties.diskEncryptionSetID", Present),
    s(Cluster, "properties.httpProxyConfig", Present),
    s(
        Cluster,
        "properties.supportPlan",
        Not("\"KubernetesOfficial\""),
    ),
    s(
        Cluster,
        "properties.apiServerAccessProfile.disableRunCommand",
        Not("false"),
    ),
    s(
        Cluster,
        "properties.apiServerAccessProfile.enablePrivateClusterPublicFQDN",
        Not("false"),
    ),
    s(Cluster, "properties.fqdnSubdomain", Present),
    s(
        Cluster,
        "properties.publicNetworkAccess",
        Not("\"Enabled\""),
    ),
    s(Cluster, "properties.securityProfile.defender", Present),
    s(
        Cluster,
        "properties.podIdentityProfile",
        FieldNot("enabled", "false"),
    ),
    s(
        Cluster,
        "properties.networkProfile.natGatewayProfile",
        Present,
    ),
    s(Cluster, "properties.windowsProfile.adminUsername", Present),
    // Registries (ACR 2025-11-01 RegistryProperties, Policies).
    s(
        Registry,
        "properties.policies.quarantinePolicy",
        FieldNot("status", "\"disabled\""),
    ),
    s(
        Registry,
        "properties.policies.trustPolicy",
        FieldNot("status", "\"disabled\""),
    ),
    s(
        Registry,
        "properties.policies.retentionPolicy",
        FieldNot("status", "\"disabled\""),
    ),
    s(
        Registry,
        "properties.policies.exportPolicy",
        FieldNot("status", "\"enabled\""),
    ),
    s(
        Registry,
        "properties.networkRuleSet",
        FieldNot("defaultAction", "\"Allow\""),
    ),
    s(
        Registry,
        "properties.encryption",
        FieldNot("status", "\"disabled\""),
    ),
    s(Registry, "properties.dataEndpointEnabled", Not("false")),
    s(Registry, "properties.anonymousPullEnabled", Not("false")),
    s(
        Registry,
        "properties.networkRuleBypassOptions",
        Not("\"AzureServices\""),
    ),
    // Workspaces (OperationalInsights 2025-07-01 WorkspaceProperties).
    s(
        Workspace,
        "properties.publicNetworkAccessForIngestion",
        Not("\"Enabled\""),
    ),
    s(
        Workspace,
        "properties.publicNetworkAccessForQuery",
        Not("\"Enabled\""),
    ),
    // Virtual networks and subnets (Network 2026-03-01).
    s(
        VirtualNetwork,
        "properties.enableDdosProtection",
        Not("false"),
    ),
    s(VirtualNetwork, "properties.ddosProtectionPlan", Present),
    s(
        VirtualNetwork,
        "properties.encryption",
        FieldNot("enabled", "false"),
    ),
    s(VirtualNetwork, "properties.bgpCommunities", Present),
    s(Subnet, "properties.networkSecurityGroup", Present),
    s(Subnet, "properties.routeTable", Present),
    s(Subnet, "properties.natGateway", Present),
    s(
        Subnet,
        "properties.privateLinkServiceNetworkPolicies",
        Not("\"Enabled\""),
    ),
];

fn same(value: &Value, default: &str) -> bool {
    let Ok(default) = serde_json::from_str::<Value>(default) else {
        return false;
    };
    match (value, &default) {
        (Value::String(a), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// The settings of `body` (a resource of `kind`) to write with `raw:`: (path, value).
pub(super) fn captured(kind: Kind, body: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for setting in SETTINGS.iter().filter(|s| s.kind == kind) {
        let Some(value) = super::marks::at(body, setting.path) else {
            continue;
        };
        let write = match setting.when {
            Present => !matches!(value, Value::Object(m) if m.is_empty()),
            Not(default) => !same(value, default),
            FieldNot(field, default) => {
                super::marks::at(value, field).is_some_and(|v| !same(v, default))
            }
        };
        if write {
            let mut value = value.clone();
            strip_read_only(&mut value);
            out.push((setting.path.to_string(), value));
        }
    }
    out
}

/// Values the service keeps for itself inside a setting (a policy's `lastUpdatedTime`): never
/// sent.
const READ_ONLY: [&str; 3] = ["lastUpdatedTime", "provisioningState", "lastModifiedTime"];

fn strip_read_only(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !READ_ONLY.contains(&k.as_str()));
            map.values_mut().for_each(strip_read_only);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_read_only),
        _ => {}
    }
}
