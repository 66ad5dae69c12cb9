//! Microsoft.ContainerService/managedClusters/agentPools: pool defaults and immutability shared by
//! the inline `agentPoolProfiles` of a cluster PUT and the agentPools API, plus the rule that a
//! cluster always keeps one System pool.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;
use crate::emulator::{cluster, cluster_defaults};

/// Properties a pool cannot change in place (the Terraform provider's ForceNew/rotation list).
const IMMUTABLE: [&str; 16] = [
    "vmSize",
    "osType",
    "vnetSubnetID",
    "podSubnetID",
    "maxPods",
    "osDiskType",
    "osDiskSizeGB",
    "availabilityZones",
    "scaleSetPriority",
    "scaleSetEvictionPolicy",
    "spotMaxPrice",
    "type",
    "enableFIPS",
    "enableEncryptionAtHost",
    "kubeletDiskType",
    "enableNodePublicIP",
];

const READ_ONLY: [&str; 5] = [
    "provisioningState",
    "currentOrchestratorVersion",
    "eTag",
    "powerState",
    "status",
];

pub(crate) const NODE_IMAGE: &str = "AKSUbuntu-2204gen2containerd-202611.03.0";

/// Pools may trail the control plane by at most three minor versions (Learn "Supported Kubernetes
/// versions in AKS": node pools up to three minor versions older than the control plane), else
/// AKS answers NodePoolMcVersionIncompatible.
pub(crate) fn check_skew(pool_version: &str, cluster_version: &str) -> Result<(), ArmError> {
    let (_, pool_minor, _) = cluster_defaults::version_key(pool_version);
    let (_, cp_minor, _) = cluster_defaults::version_key(cluster_version);
    if cp_minor > pool_minor + 3 {
        return Err(ArmError::bad_request(
            "NodePoolMcVersionIncompatible",
            format!(
                "Node pool version {pool_version} and control plane version {cluster_version} are incompatible. Minor version of node pool cannot be more than 3 versions less than control plane's version. Minor version of node pool is {pool_minor}, control plane's is {cp_minor}."
            ),
        ));
    }
    Ok(())
}

pub(crate) fn check_pool_name(name: &str) -> Result<(), ArmError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !first_ok
        || name.len() > 12
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The value of parameter agentPoolProfile.name '{name}' is invalid. The name must start with a lowercase letter, contain only lowercase letters and digits, and be at most 12 characters long."),
        )
        .with_target("agentPoolProfile.name"));
    }
    Ok(())
}

fn invalid(param: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(param)
}

/// AgentPoolUpgradeSettings bounds (AKS 2026-08-01): drainTimeoutInMinutes 1-1440,
/// nodeSoakDurationInMinutes 0-30, maxSurge and maxUnavailable "an integer (e.g. '5') or a
/// percentage (e.g. '50%')". The wording of the errors is the emulator's, not AKS's.
fn check_upgrade_settings(settings: Option<&Value>) -> Result<(), ArmError> {
    let Some(settings) = settings.and_then(Value::as_object) else {
        return Ok(());
    };
    for field in ["maxSurge", "maxUnavailable"] {
        let Some(v) = settings.get(field).filter(|v| !v.is_null()) else {
            continue;
        };
        let ok = v.as_str().is_some_and(|s| match s.strip_suffix('%') {
            Some(p) => p.parse::<u32>().is_ok_and(|p| p <= 100),
            None => s.parse::<u32>().is_ok(),
        });
        if !ok {
            return Err(invalid(
                &format!("agentPoolProfile.upgradeSettings.{field}"),
                format!(
                    "The value of parameter upgradeSettings.{field} '{v}' is invalid: it must be an integer or a percentage."
                ),
            ));
        }
    }
    for (field, min, max) in [
        ("drainTimeoutInMinutes", 1, 1440),
        ("nodeSoakDurationInMinutes", 0, 30),
    ] {
        if let Some(v) = settings.get(field).filter(|v| !v.is_null())
            && !v.as_i64().is_some_and(|n| (min..=max).contains(&n))
        {
            return Err(invalid(
                &format!("agentPoolProfile.upgradeSettings.{field}"),
                format!(
                    "The value of parameter upgradeSettings.{field} '{v}' is out of the range {min}-{max}."
                ),
            ));
        }
    }
    Ok(())
}

pub(crate) fn property_change(path: &str) -> ArmError {
    ArmError::bad_request(
        "PropertyChangeNotAllowed",
        format!("Changing property '{path}' is not allowed."),
    )
    .with_target(path)
}

/// Validates a pool's properties against the existing pool and fills the service's defaults.
pub(crate) fn normalize(
    name: &str,
    input: &Map<String, Value>,
    existing: Option<&Map<String, Value>>,
    cluster_version: &str,
    network_plugin: &str,
    default_mode: &str,
) -> Result<Map<String, Value>, ArmError> {
    let mut input = input.clone();
    for field in READ_ONLY {
        input.remove(field);
    }
    if let Some(old) = existing {
        for field in IMMUTABLE {
            if let (Some(new), Some(before)) = (input.get(field), old.get(field))
                && new != before
                && !new.is_null()
            {
                return Err(property_change(&format!("agentPoolProfile.{field}")));
            }
        }
        let old_sku = old.get("osSKU").and_then(Value::as_str).unwrap_or("Ubuntu");
        if let Some(new_sku) = input.get("osSKU").and_then(Value::as_str) {
            let swap = ["Ubuntu", "AzureLinux"];
            if new_sku != old_sku && !(swap.contains(&new_sku) && swap.contains(&old_sku)) {
                return Err(property_change("agentPoolProfile.osSKU"));
            }
        }
    }
    let mut out = existing.cloned().unwrap_or_default();
    for (k, v) in input {
        out.insert(k, v);
    }
    let requested = out
        .get("orchestratorVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let version = if requested.is_empty() {
        cluster_version.to_string()
    } else {
        cluster_defaults::resolve_version(&requested)?
    };
    if cluster_defaults::version_key(&version) > cluster_defaults::version_key(cluster_version) {
        return Err(invalid(
            "agentPoolProfile.orchestratorVersion",
            format!(
                "Node pool version {version} cannot be greater than the control plane version {cluster_version}."
            ),
        ));
    }
    check_skew(&version, cluster_version)?;
    check_upgrade_settings(out.get("upgradeSettings"))?;
    out.insert("orchestratorVersion".into(), json!(version));
    out.insert("currentOrchestratorVersion".into(), json!(version));
    let azure_cni = network_plugin.eq_ignore_ascii_case("azure");
    common::merge_defaults(
        &mut out,
        json!({
            "count": 1,
            "vmSize": "Standard_D4ds_v5",
            "osDiskSizeGB": 128,
            "osDiskType": "Managed",
            "kubeletDiskType": "OS",
            "maxPods": if azure_cni { 30 } else { 110 },
            "type": "VirtualMachineScaleSets",
            "enableAutoScaling": false,
            "scaleDownMode": "Delete",
            "powerState": {"code": "Running"},
            "orchestratorVersion": version,
            "enableNodePublicIP": false,
            "mode": default_mode,
            "enableEncryptionAtHost": false,
            "enableUltraSSD": false,
            "osType": "Linux",
            "osSKU": "Ubuntu",
            "nodeImageVersion": NODE_IMAGE,
            "upgradeSettings": {"maxSurge": "10%"},
            "enableFIPS": false,
        }),
    );
    if out.get("scaleSetPriority").and_then(Value::as_str) == Some("Spot") {
        common::merge_defaults(
            &mut out,
            json!({"scaleSetEvictionPolicy": "Delete", "spotMaxPrice": -1}),
        );
    }
    let mode = out
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or("User")
        .to_string();
    let system = mode.eq_ignore_ascii_case("System");
    if !["System", "User", "Gateway"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&mode))
    {
        return Err(invalid(
            "agentPoolProfile.mode",
            format!("The value of parameter agentPoolProfile.mode '{mode}' is invalid."),
        ));
    }
    if system
        && out
            .get("osType")
            .and_then(Value::as_str)
            .is_some_and(|os| !os.eq_ignore_ascii_case("Linux"))
    {
        return Err(invalid(
            "agentPoolProfile.osType",
            format!("System pool '{name}' must use the Linux OS type."),
        ));
    }
    if system && out.get("scaleSetPriority").and_then(Value::as_str) == Some("Spot") {
        return Err(invalid(
            "agentPoolProfile.scaleSetPriority",
            format!("System pool '{name}' cannot be a Spot pool."),
        ));
    }
    let count = out.get("count").and_then(Value::as_i64).unwrap_or(-1);
    let min_count = if system { 1 } else { 0 };
    if !(min_count..=1000).contains(&count) {
        return Err(invalid(
            "agentPoolProfile.count",
            format!(
                "The value of parameter agentPoolProfile.count is invalid. Please see https://aka.ms/aks-naming-rules for more details. Count must be between {min_count} and 1000 for a {mode} pool."
            ),
        ));
    }
    if out.get("enableAutoScaling").and_then(Value::as_bool) == Some(true) {
        let min = out.get("minCount").and_then(Value::as_i64);
        let max = out.get("maxCount").and_then(Value::as_i64);
        match (min, max) {
            (Some(min), Some(max)) if min <= max && min >= min_count && max <= 1000 => {
                if count < min || count > max {
                    return Err(invalid(
                        "agentPoolProfile.count",
                        format!(
                            "Count {count} must be between minCount {min} and maxCount {max} when autoscaling is enabled."
                        ),
                    ));
                }
            }
            _ => {
                return Err(invalid(
                    "agentPoolProfile.minCount",
                    "minCount and maxCount are required when enableAutoScaling is true, with minCount <= maxCount.".to_string(),
                ));
            }
        }
    }
    out.insert("eTag".into(), json!(common::new_guid()));
    Ok(out)
}

/// The inline shape inside a cluster's `agentPoolProfiles`: the pool's properties plus its name.
pub(crate) fn profile_of(pool_body: &Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "name".into(),
        pool_body.get("name").cloned().unwrap_or(Value::Null),
    );
    if let Some(props) = pool_body.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            m.insert(k.clone(), v.clone());
        }
    }
    Value::Object(m)
}

/// A cluster-level write renews every pool's eTag too (Learn "eTags in AKS": "When you perform a
/// cluster-level operation, both the cluster-level eTag and agent pool eTag are updated").
pub(crate) fn renew_etags(state: &mut State, cluster_key: &str) {
    let pools: Vec<String> = state
        .children(cluster_key, Kind::NodePool)
        .iter()
        .map(|r| r.id.to_ascii_lowercase())
        .collect();
    for key in pools {
        if let Some(props) = state
            .body_mut(&key)
            .and_then(|b| b.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            props.insert("eTag".into(), json!(common::new_guid()));
        }
    }
}

pub(crate) fn store(
    state: &mut State,
    ctx: &Ctx,
    cluster_id: &str,
    name: &str,
    props: Map<String, Value>,
) {
    let id = format!("{cluster_id}/agentPools/{name}");
    let body = json!({
        "id": id,
        "name": name,
        "type": Kind::NodePool.arm_type(),
        "properties": Value::Object(props),
    });
    state.put(id.to_ascii_lowercase(), id, Kind::NodePool, body, ctx.now);
}

/// Subnet references must resolve (see `common::dangling_reference`).
pub(crate) fn check_subnet_refs(state: &State, props: &Map<String, Value>) -> Result<(), ArmError> {
    for field in ["vnetSubnetID", "podSubnetID"] {
        if let Some(id) = props.get(field).and_then(Value::as_str)
            && (common::dangling_reference(state, id)
                || !id.to_ascii_lowercase().contains("/subnets/"))
        {
            return Err(invalid(
                &format!("agentPoolProfile.{field}"),
                format!("The subnet '{id}' referenced by {field} was not found."),
            ));
        }
    }
    Ok(())
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    check_pool_name(&target.name)?;
    let cluster = common::parent_record(state, target)?.clone();
    let cluster_key = cluster.id.to_ascii_lowercase();
    cluster::check_idle(state, &cluster_key)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    let existing_props = existing
        .as_ref()
        .and_then(|r| r.body.get("properties"))
        .and_then(Value::as_object)
        .cloned();
    let input = common::properties(body)?;
    let facts = cluster::Facts::of(&cluster.body);
    let mut props = normalize(
        &target.name,
        &input,
        existing_props.as_ref(),
        &facts.version,
        &facts.network_plugin,
        "User",
    )?;
    check_subnet_refs(state, &props)?;
    let was_system = existing_props
        .as_ref()
        .and_then(|p| p.get("mode"))
        .and_then(Value::as_str)
        == Some("System");
    let is_system = props.get("mode").and_then(Value::as_str) == Some("System");
    if was_system && !is_system && other_system_pools(state, &cluster_key, &key) == 0 {
        return Err(last_system_pool());
    }
    let created = existing.is_none();
    props.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Updating" }),
    );
    store(state, ctx, &cluster.id, &target.name, props);
    Ok(Written::new(Kind::NodePool, created))
}

fn other_system_pools(state: &State, cluster_key: &str, pool_key: &str) -> usize {
    state
        .children(cluster_key, Kind::NodePool)
        .iter()
        .filter(|r| r.id.to_ascii_lowercase() != pool_key)
        .filter(|r| common::str_at(&r.body, &["properties", "mode"]) == Some("System"))
        .count()
}

fn last_system_pool() -> ArmError {
    ArmError::conflict(
        "OperationNotAllowed",
        "A cluster must have at least one system agent pool at all times; this is the last one. Add another System pool before deleting or changing this one.",
    )
}

pub(crate) fn before_delete(state: &State, target: &Target) -> Result<(), ArmError> {
    let cluster_key = target
        .parent_id
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    cluster::check_idle(state, &cluster_key)?;
    let key = target.key();
    let is_system = state
        .get(&key)
        .and_then(|r| common::str_at(&r.body, &["properties", "mode"]))
        == Some("System");
    if is_system && other_system_pools(state, &cluster_key, &key) == 0 {
        return Err(last_system_pool());
    }
    Ok(())
}
