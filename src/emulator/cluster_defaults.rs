//! What the AKS service fills in by itself: the versions it offers and resolves, network and
//! autoscaler defaults, the identities it creates (kubelet, add-ons, control plane), and the node
//! resource group that holds them.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// Patch versions the emulated region offers; `""` and `1.x` resolve to the newest matching one.
pub(crate) const SUPPORTED_VERSIONS: [&str; 4] = ["1.31.13", "1.32.9", "1.33.5", "1.34.1"];
pub(crate) const DEFAULT_VERSION: &str = "1.33.5";

pub(crate) fn version_key(v: &str) -> (u32, u32, u32) {
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

pub(crate) fn resolve_version(requested: &str) -> Result<String, ArmError> {
    if requested.is_empty() {
        return Ok(DEFAULT_VERSION.to_string());
    }
    SUPPORTED_VERSIONS
        .iter()
        .rev()
        .find(|v| **v == requested || v.starts_with(&format!("{requested}.")))
        .map(|v| (*v).to_string())
        .ok_or_else(|| {
            ArmError::bad_request(
                "AgentPoolK8sVersionNotSupported",
                format!("Version {requested} is not supported in this region. Please use [az aks get-versions] command to get the supported version list in this region. For more information, please check https://aka.ms/supported-version-list"),
            )
        })
}

pub(crate) fn short_hash(seed: &str) -> String {
    common::derived_guid(seed).replace('-', "")[..8].to_string()
}

pub(crate) fn network_defaults(plugin: &str, mode: Option<&str>) -> Value {
    let overlay = mode.is_some_and(|m| m.eq_ignore_ascii_case("overlay"));
    let mut v = json!({
        "networkPlugin": plugin,
        "networkPolicy": "none",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        "outboundType": "loadBalancer",
        "loadBalancerSku": "standard",
        "serviceCidrs": ["10.0.0.0/16"],
        "ipFamilies": ["IPv4"],
    });
    if plugin.eq_ignore_ascii_case("kubenet") || overlay {
        v["podCidr"] = json!("10.244.0.0/16");
        v["podCidrs"] = json!(["10.244.0.0/16"]);
    }
    v
}

/// The outbound side of `networkProfile`, by `outboundType`:
/// - `loadBalancer`: a `loadBalancerProfile` with at most one of `managedOutboundIPs`,
///   `outboundIPs`, `outboundIPPrefixes` (AKS: "Load balancer profile must specify at most one of
///   ManagedOutboundIPs, OutboundIPPrefixes and OutboundIPs"; managed count 1 by default) and as
///   many `effectiveOutboundIPs` as the managed count asked for (ManagedClustersCreate_Update.json:
///   count 2 → two effective IPs in the node resource group), or the customer's own IPs;
/// - `managedNATGateway` / `userAssignedNATGateway`: a `natGatewayProfile` with
///   `effectiveOutboundIPs` and `idleTimeoutInMinutes` 4, and no load balancer profile
///   (ManagedClustersCreate_ManagedNATGateway.json, 2026-08-01);
/// - anything else (`userDefinedRouting`, `none`): neither profile.
pub(crate) fn outbound(
    network: &mut Map<String, Value>,
    cluster_id: &str,
    sub: &str,
    node_rg: &str,
) -> Result<(), ArmError> {
    let managed_ip = |i: u64| {
        json!({"id": format!(
            "/subscriptions/{sub}/resourceGroups/{node_rg}/providers/Microsoft.Network/publicIPAddresses/{}",
            common::derived_guid(&format!("{cluster_id}/outbound/{i}"))
        )})
    };
    let count_of = |v: Option<&Value>, default: u64| {
        v.and_then(|m| m.get("count"))
            .and_then(Value::as_u64)
            .unwrap_or(default)
    };
    let outbound_type = network
        .get("outboundType")
        .and_then(Value::as_str)
        .unwrap_or("loadBalancer")
        .to_ascii_lowercase();
    match outbound_type.as_str() {
        "loadbalancer" => {
            network.remove("natGatewayProfile");
            let mut lb = network
                .get("loadBalancerProfile")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let given = |k: &str| lb.get(k).is_some_and(|v| !v.is_null());
            let forms = ["managedOutboundIPs", "outboundIPs", "outboundIPPrefixes"]
                .into_iter()
                .filter(|k| given(k))
                .count();
            if forms > 1 {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    "Load balancer profile must specify at most one of ManagedOutboundIPs, OutboundIPPrefixes and OutboundIPs.",
                )
                .with_target("networkProfile.loadBalancerProfile"));
            }
            let effective: Vec<Value> = if given("outboundIPs") {
                lb["outboundIPs"]["publicIPs"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            } else if given("outboundIPPrefixes") {
                lb["outboundIPPrefixes"]["publicIPPrefixes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            } else {
                let count = count_of(lb.get("managedOutboundIPs"), 1);
                if !(1..=100).contains(&count) {
                    return Err(ArmError::bad_request(
                        "InvalidParameter",
                        format!("The value of parameter networkProfile.loadBalancerProfile.managedOutboundIPs.count '{count}' is invalid: it must be between 1 and 100."),
                    )
                    .with_target("networkProfile.loadBalancerProfile.managedOutboundIPs.count"));
                }
                lb.insert("managedOutboundIPs".into(), json!({"count": count}));
                (0..count).map(managed_ip).collect()
            };
            lb.insert("effectiveOutboundIPs".into(), Value::Array(effective));
            common::merge_defaults(
                &mut lb,
                json!({"idleTimeoutInMinutes": 30, "allocatedOutboundPorts": 0,
                    "backendPoolType": "NodeIPConfiguration"}),
            );
            network.insert("loadBalancerProfile".into(), Value::Object(lb));
        }
        "managednatgateway" | "userassignednatgateway" => {
            network.remove("loadBalancerProfile");
            let mut nat = network
                .get("natGatewayProfile")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let effective: Vec<Value> = if outbound_type == "managednatgateway" {
                let count = count_of(nat.get("managedOutboundIPProfile"), 1);
                nat.insert("managedOutboundIPProfile".into(), json!({"count": count}));
                (0..count).map(managed_ip).collect()
            } else {
                Vec::new()
            };
            nat.insert("effectiveOutboundIPs".into(), Value::Array(effective));
            common::merge_defaults(&mut nat, json!({"idleTimeoutInMinutes": 4}));
            network.insert("natGatewayProfile".into(), Value::Object(nat));
        }
        _ => {
            network.remove("loadBalancerProfile");
            network.remove("natGatewayProfile");
        }
    }
    Ok(())
}

pub(crate) fn autoscaler_defaults() -> Value {
    json!({
        "balance-similar-node-groups": "false",
        "daemonset-eviction-for-empty-nodes": false,
        "daemonset-eviction-for-occupied-nodes": true,
        "expander": "random",
        "ignore-daemonsets-utilization": false,
        "max-empty-bulk-delete": "10",
        "max-graceful-termination-sec": "600",
        "max-node-provision-time": "15m",
        "max-total-unready-percentage": "45",
        "new-pod-scale-up-delay": "0s",
        "ok-total-unready-count": "3",
        "scale-down-delay-after-add": "10m",
        "scale-down-delay-after-delete": "10s",
        "scale-down-delay-after-failure": "3m",
        "scale-down-unneeded-time": "10m",
        "scale-down-unready-time": "20m",
        "scale-down-utilization-threshold": "0.5",
        "scan-interval": "10s",
        "skip-nodes-with-local-storage": "false",
        "skip-nodes-with-system-pods": "true"
    })
}

/// A managed identity the service creates (kubelet, add-ons): stable ids derived from its id.
pub(crate) fn service_identity(state: &mut State, ctx: &Ctx, resource_id: &str) -> Value {
    let object_id = common::derived_guid(&format!("{resource_id}/object"));
    state.principals.entry(object_id.clone()).or_insert(ctx.now);
    json!({
        "resourceId": resource_id,
        "clientId": common::derived_guid(&format!("{resource_id}/client")),
        "objectId": object_id,
    })
}

pub(crate) fn render_identity(
    state: &mut State,
    ctx: &Ctx,
    key: &str,
    identity: &Value,
) -> Result<Value, ArmError> {
    let kind = common::str_at(identity, &["type"]).unwrap_or("SystemAssigned");
    let mut out = json!({"type": kind});
    match kind.to_ascii_lowercase().as_str() {
        "systemassigned" => {
            let principal = common::derived_guid(&format!("{key}/system-identity"));
            state.principals.entry(principal.clone()).or_insert(ctx.now);
            out["principalId"] = json!(principal);
            out["tenantId"] = json!(ctx.settings.tenant_id);
        }
        "userassigned" => {
            let ids = identity
                .get("userAssignedIdentities")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if ids.len() != 1 {
                return Err(ArmError::bad_request(
                    "InvalidParameter",
                    "Exactly one user-assigned identity must be specified for the control plane.",
                )
                .with_target("identity.userAssignedIdentities"));
            }
            let mut rendered = Map::new();
            for id in ids.keys() {
                if common::dangling_reference(state, id) {
                    return Err(ArmError::bad_request(
                        "InvalidParameter",
                        format!("The user-assigned identity '{id}' was not found."),
                    )
                    .with_target("identity.userAssignedIdentities"));
                }
                let record = state.get(&id.to_ascii_lowercase());
                let prop = |f: &str, fallback: String| {
                    record
                        .and_then(|r| common::str_at(&r.body, &["properties", f]))
                        .map(str::to_string)
                        .unwrap_or(fallback)
                };
                rendered.insert(
                    id.clone(),
                    json!({
                        "clientId": prop("clientId", common::derived_guid(&format!("{id}/client"))),
                        "principalId": prop("principalId", common::derived_guid(&format!("{id}/principal"))),
                    }),
                );
            }
            out["userAssignedIdentities"] = Value::Object(rendered);
        }
        "none" => {}
        other => {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!(
                    "The value of parameter identity.type '{other}' is invalid; use SystemAssigned, UserAssigned or None."
                ),
            ));
        }
    }
    Ok(out)
}

/// AKS creates the node resource group (managedBy the cluster) and, inside it, the user-assigned
/// identities it made for the kubelet and the add-ons, so they can be read like any other identity.
pub(crate) fn create_node_resources(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    node_rg: &str,
    location: &str,
) {
    let sub = &target.subscription;
    let group_id = format!("/subscriptions/{sub}/resourceGroups/{node_rg}");
    let group_key = group_id.to_ascii_lowercase();
    if state.get(&group_key).is_none() {
        let body = json!({
            "id": group_id,
            "name": node_rg,
            "type": "Microsoft.Resources/resourceGroups",
            "location": location,
            "managedBy": target.id,
            "tags": {
                "aks-managed-cluster-name": target.name,
                "aks-managed-cluster-rg": target.resource_group.clone().unwrap_or_default(),
            },
            "properties": {"provisioningState": "Succeeded"},
        });
        state.put(
            group_key.clone(),
            group_id.clone(),
            Kind::ResourceGroup,
            body,
            ctx.now,
        );
    }
    let Some(props) = state
        .get(&target.key())
        .and_then(|r| r.body.get("properties"))
        .cloned()
    else {
        return;
    };
    let mut identities: Vec<Value> = Vec::new();
    if let Some(kubelet) = props
        .get("identityProfile")
        .and_then(|p| p.get("kubeletidentity"))
    {
        identities.push(kubelet.clone());
    }
    if let Some(addons) = props.get("addonProfiles").and_then(Value::as_object) {
        identities.extend(addons.values().filter_map(|a| a.get("identity")).cloned());
    }
    for identity in identities {
        let Some(resource_id) = identity.get("resourceId").and_then(Value::as_str) else {
            continue;
        };
        let key = resource_id.to_ascii_lowercase();
        if !key.starts_with(&format!("{group_key}/")) || state.get(&key).is_some() {
            continue;
        }
        let name = resource_id.rsplit('/').next().unwrap_or("").to_string();
        let id =
            format!("{group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}");
        let body = json!({
            "id": id,
            "name": name,
            "type": Kind::Identity.arm_type(),
            "location": location,
            "properties": {
                "tenantId": ctx.settings.tenant_id,
                "principalId": identity.get("objectId").cloned().unwrap_or(Value::Null),
                "clientId": identity.get("clientId").cloned().unwrap_or(Value::Null),
            },
        });
        state.put(key, id, Kind::Identity, body, ctx.now);
    }
}

/// `azureMonitorProfile.metrics` as AKS keeps it: `enabled` is required
/// (ManagedClusterAzureMonitorProfileMetrics, AKS 2026-08-01; the refusal's code is not from a
/// capture of the service), and with metrics on the kube-state-metrics allowlists not given are
/// answered as empty strings (Learn "Enable Prometheus and Grafana", the output of
/// `az aks update --enable-azure-monitor-metrics`). The rest of the profile is kept as sent.
pub(crate) fn azure_monitor_profile(props: &mut Map<String, Value>) -> Result<(), ArmError> {
    let Some(metrics) = props
        .get_mut("azureMonitorProfile")
        .and_then(|p| p.get_mut("metrics"))
        .filter(|m| !m.is_null())
    else {
        return Ok(());
    };
    let Some(enabled) = metrics.get("enabled").and_then(Value::as_bool) else {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            "The value of parameter azureMonitorProfile.metrics.enabled is invalid: it is required and must be true or false.",
        )
        .with_target("azureMonitorProfile.metrics.enabled"));
    };
    if enabled && let Some(m) = metrics.as_object_mut() {
        let ksm = m.entry("kubeStateMetrics").or_insert_with(|| json!({}));
        if ksm.is_null() {
            *ksm = json!({});
        }
        if let Some(ksm) = ksm.as_object_mut() {
            for key in ["metricLabelsAllowlist", "metricAnnotationsAllowList"] {
                ksm.entry(key).or_insert_with(|| json!(""));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod monitor_tests {
    use super::*;

    #[test]
    fn metrics_on_answers_empty_allowlists() {
        let mut props = json!({"azureMonitorProfile": {"metrics": {"enabled": true}}})
            .as_object()
            .cloned()
            .unwrap();
        azure_monitor_profile(&mut props).unwrap();
        assert_eq!(
            props["azureMonitorProfile"]["metrics"]["kubeStateMetrics"],
            json!({"metricLabelsAllowlist": "", "metricAnnotationsAllowList": ""})
        );
        let mut off = json!({"azureMonitorProfile": {"metrics": {"enabled": false}}})
            .as_object()
            .cloned()
            .unwrap();
        azure_monitor_profile(&mut off).unwrap();
        assert!(
            off["azureMonitorProfile"]["metrics"]
                .get("kubeStateMetrics")
                .is_none()
        );
        let mut missing = json!({"azureMonitorProfile": {"metrics": {}}})
            .as_object()
            .cloned()
            .unwrap();
        assert!(azure_monitor_profile(&mut missing).is_err());
    }
}
