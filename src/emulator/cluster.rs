//! Microsoft.ContainerService/managedClusters: LRO PUT/DELETE with Azure-AsyncOperation, the
//! server-generated values (fqdn, MC_ node resource group, kubelet identity, OIDC issuer, resolved
//! version, network/autoscaler/storage defaults), write-only secrets, immutable properties, the
//! pool rules (a cluster PUT never deletes pools and cannot add them on update) and one operation
//! at a time per cluster (409 OperationNotAllowed).

use serde_json::{Map, Value, json};

use crate::emulator::aks_ops;
use crate::emulator::cluster_defaults::{
    autoscaler_defaults, azure_monitor_profile, create_node_resources, network_defaults, outbound,
    render_identity, resolve_version, service_identity, short_hash, version_key,
};
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::node_pool;
use crate::emulator::resources;
use crate::emulator::route::Target;
use crate::emulator::state::{Record, State};
const READ_ONLY: [&str; 10] = [
    "provisioningState",
    "powerState",
    "maxAgentPools",
    "currentKubernetesVersion",
    "fqdn",
    "privateFQDN",
    "azurePortalFQDN",
    "resourceUID",
    "status",
    "agentPoolProfiles",
];
/// What pool validation needs to know about its cluster.
pub(crate) struct Facts {
    pub(crate) version: String,
    pub(crate) network_plugin: String,
}

impl Facts {
    pub(crate) fn of(cluster_body: &Value) -> Facts {
        Facts {
            version: common::str_at(cluster_body, &["properties", "kubernetesVersion"])
                .unwrap_or(crate::emulator::cluster_defaults::DEFAULT_VERSION)
                .to_string(),
            network_plugin: common::str_at(
                cluster_body,
                &["properties", "networkProfile", "networkPlugin"],
            )
            .unwrap_or("kubenet")
            .to_string(),
        }
    }
}

/// One operation at a time per cluster, counting its pools' operations.
pub(crate) fn check_idle(state: &State, cluster_key: &str) -> Result<(), ArmError> {
    let mut busy = state.pending(cluster_key).map(|op| {
        (
            cluster_key.rsplit('/').next().unwrap_or("").to_string(),
            op.action,
        )
    });
    if busy.is_none() {
        for p in state.children(cluster_key, Kind::NodePool) {
            if let Some(op) = state.pending(&p.id.to_ascii_lowercase()) {
                busy = Some((
                    common::str_at(&p.body, &["name"]).unwrap_or("").to_string(),
                    op.action,
                ));
                break;
            }
        }
    }
    let Some((name, action)) = busy else {
        return Ok(());
    };
    let word = action.word();
    Err(ArmError::conflict(
        "OperationNotAllowed",
        format!(
            "Operation is not allowed: Another operation ({name} - {word}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details"
        ),
    ))
}

/// The gateway the ingress controller drives, as AKS answers it in the add-on's config
/// (`effectiveApplicationGatewayId`, read back by Learn "Tutorial: Enable the Ingress Controller
/// add-on for a new AKS cluster with a new application gateway instance": `az aks show --query
/// addonProfiles.ingressApplicationGateway.config.effectiveApplicationGatewayId`): the existing
/// gateway it was given, or the one AKS creates in the node resource group ("the automatically
/// created application gateway instance will be in the node resource group").
fn effective_gateway(addon: &mut serde_json::Map<String, Value>, node_group: &str) {
    let Some(Value::Object(config)) = addon.get_mut("config") else {
        return;
    };
    let given = |key: &str| {
        config
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
    };
    let effective = given("applicationGatewayId").or_else(|| {
        given("applicationGatewayName").map(|name| {
            format!("{node_group}/providers/Microsoft.Network/applicationGateways/{name}")
        })
    });
    if let Some(id) = effective {
        config.insert("effectiveApplicationGatewayId".into(), Value::String(id));
    }
}

fn addon<'v>(props: &'v Value, name: &str) -> Option<&'v Value> {
    props
        .get("addonProfiles")?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn addon_enabled(props: &Value, name: &str) -> bool {
    addon(props, name)
        .and_then(|a| a.get("enabled"))
        .and_then(Value::as_bool)
        == Some(true)
}

fn addon_config<'v>(props: &'v Value, name: &str, key: &str) -> Option<&'v str> {
    addon(props, name)?
        .get("config")?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
}

/// The subnet (lower-cased id) a cluster's virtual nodes use: `SubnetName` in the pools' VNet.
pub(crate) fn virtual_node_subnet(state: &State, cluster: &Record) -> Option<String> {
    let props = cluster.body.get("properties")?;
    if !addon_enabled(props, "aciConnectorLinux") {
        return None;
    }
    let subnet_name = addon_config(props, "aciConnectorLinux", "SubnetName")?;
    let vnet = state
        .children(&cluster.id.to_ascii_lowercase(), Kind::NodePool)
        .iter()
        .find_map(|p| {
            let subnet = common::str_at(&p.body, &["properties", "vnetSubnetID"])?;
            subnet
                .to_ascii_lowercase()
                .rsplit_once("/subnets/")
                .map(|(v, _)| v.to_string())
        })?;
    Some(format!(
        "{vnet}/subnets/{}",
        subnet_name.to_ascii_lowercase()
    ))
}

fn differs(old: Option<&Value>, new: Option<&Value>) -> bool {
    match (old, new) {
        (Some(o), Some(n)) if !n.is_null() && !o.is_null() => match (o.as_str(), n.as_str()) {
            (Some(a), Some(b)) => !a.eq_ignore_ascii_case(b),
            _ => o != n,
        },
        _ => false,
    }
}

fn at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    Some(cur)
}

fn check_immutable(old: &Value, new: &Value) -> Result<(), ArmError> {
    const PLAIN: [&[&str]; 13] = [
        &["dnsPrefix"],
        &["fqdnSubdomain"],
        &["nodeResourceGroup"],
        &["enableRBAC"],
        &["diskEncryptionSetID"],
        &["networkProfile", "serviceCidr"],
        &["networkProfile", "dnsServiceIP"],
        &["networkProfile", "loadBalancerSku"],
        &["networkProfile", "outboundType"],
        &["apiServerAccessProfile", "enablePrivateCluster"],
        &["apiServerAccessProfile", "privateDNSZone"],
        &["linuxProfile", "adminUsername"],
        &["windowsProfile", "adminUsername"],
    ];
    for path in PLAIN {
        if differs(at(old, path), at(new, path)) {
            return Err(node_pool::property_change(&path.join(".")));
        }
    }
    let net = |v: &Value, f: &str| {
        at(v, &["networkProfile", f])
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
    };
    let (old_plugin, new_plugin) = (net(old, "networkPlugin"), net(new, "networkPlugin"));
    let new_mode = net(new, "networkPluginMode");
    if let (Some(o), Some(n)) = (&old_plugin, &new_plugin) {
        let overlay_migration =
            o == "kubenet" && n == "azure" && new_mode.as_deref() == Some("overlay");
        if o != n && !overlay_migration {
            return Err(node_pool::property_change("networkProfile.networkPlugin"));
        }
    }
    if let (old_mode, Some(n)) = (net(old, "networkPluginMode"), &new_mode)
        && old_mode.as_deref() != Some(n.as_str())
        && n != "overlay"
    {
        return Err(node_pool::property_change(
            "networkProfile.networkPluginMode",
        ));
    }
    if let (Some(o), Some(n)) = (net(old, "networkPolicy"), net(new, "networkPolicy"))
        && o != n
        && !(n == "cilium" && (o == "azure" || o == "calico"))
    {
        return Err(node_pool::property_change("networkProfile.networkPolicy"));
    }
    if let (Some(o), Some(n)) = (net(old, "networkDataplane"), net(new, "networkDataplane"))
        && o != n
        && !(o == "azure" && n == "cilium")
    {
        return Err(node_pool::property_change(
            "networkProfile.networkDataplane",
        ));
    }
    if differs(
        at(old, &["networkProfile", "podCidr"]),
        at(new, &["networkProfile", "podCidr"]),
    ) {
        return Err(node_pool::property_change("networkProfile.podCidr"));
    }
    let managed_before = at(old, &["aadProfile", "managed"]).and_then(Value::as_bool) == Some(true);
    let aad_new = new.get("aadProfile");
    let aad_dropped = aad_new
        .is_some_and(|a| a.is_null() || at(a, &["managed"]).and_then(Value::as_bool) != Some(true));
    if managed_before && aad_dropped {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Managed AAD (Microsoft Entra ID) integration can't be disabled once it has been enabled.",
        )
        .with_target("aadProfile.managed"));
    }
    let oidc_before =
        at(old, &["oidcIssuerProfile", "enabled"]).and_then(Value::as_bool) == Some(true);
    if oidc_before
        && at(new, &["oidcIssuerProfile", "enabled"]).and_then(Value::as_bool) == Some(false)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "OIDC issuer feature cannot be disabled once it has been enabled.",
        )
        .with_target("oidcIssuerProfile.enabled"));
    }
    Ok(())
}
/// A cluster created with a service principal needs its secret: AKS validates the credentials
/// at create ("The credentials in ServicePrincipalProfile were invalid. Please see
/// https://aka.ms/aks-sp-help for more details." — the create error quoted in
/// Azure/azure-cli#13026). `clientId: "msi"` is how AKS itself marks a managed-identity cluster
/// and needs no secret; on update the secret is write-only and may be left out.
fn check_service_principal(req: &Map<String, Value>) -> Result<(), ArmError> {
    let Some(sp) = req
        .get("servicePrincipalProfile")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let client = sp.get("clientId").and_then(Value::as_str).unwrap_or("");
    let secret = sp.get("secret").and_then(Value::as_str).unwrap_or("");
    if client.is_empty() || client.eq_ignore_ascii_case("msi") || !secret.is_empty() {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "ServicePrincipalValidationClientError",
        "The credentials in ServicePrincipalProfile were invalid. Please see https://aka.ms/aks-sp-help for more details. (Details: servicePrincipalProfile.secret is missing for clientId '"
            .to_string()
            + client
            + "'.)",
    )
    .with_target("servicePrincipalProfile.secret"))
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_name(
        &target.name,
        "managed cluster",
        (1, 63),
        |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
        |first, last| first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric(),
        "The name can contain only letters, numbers, underscores and hyphens, must start and end with a letter or number, and be 1-63 characters long.",
    )?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    if existing.is_some() {
        check_idle(state, &key)?;
    }
    let mut req = common::properties(body)?;
    let profiles = match req.remove("agentPoolProfiles") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ArmError::invalid_body(
                "'properties.agentPoolProfiles' must be an array",
            ));
        }
    };
    for field in READ_ONLY {
        req.remove(field);
    }
    if existing.is_none() {
        check_service_principal(&req)?;
    }
    let old = existing
        .as_ref()
        .and_then(|r| r.body.get("properties"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    let req_value = Value::Object(req.clone());
    if existing.is_some() {
        check_immutable(&old, &req_value)?;
    }
    let mut props = old.as_object().cloned().unwrap_or_default();
    for (k, v) in req {
        props.insert(k, v);
    }
    let created = existing.is_none();
    let sub = target.subscription.clone();
    let rg = target.resource_group.clone().unwrap_or_default();

    let version = resolve_version(
        props
            .get("kubernetesVersion")
            .and_then(Value::as_str)
            .unwrap_or(""),
    )?;
    if let Some(old_version) = common::str_at(&old, &["kubernetesVersion"])
        && version_key(&version) < version_key(old_version)
    {
        return Err(ArmError::bad_request(
            "NotAllowedK8sVersionDowngrading",
            format!(
                "Downgrading the Kubernetes version from {old_version} to {version} is not allowed."
            ),
        ));
    }
    if let Some(old_version) = common::str_at(&old, &["kubernetesVersion"]) {
        let allowed = aks_ops::upgrades(old_version, None, true);
        let (_, old_minor, _) = version_key(old_version);
        let (_, new_minor, _) = version_key(&version);
        if new_minor > old_minor + 1 {
            // The answer quoted in rancher/dashboard#11884 for 1.28.12 → 1.30.2.
            return Err(ArmError::bad_request(
                "OperationNotAllowed",
                format!(
                    "Upgrading Kubernetes version {old_version} to {version} is not allowed. Available upgrades: [{}]. Please see https://aka.ms/aks-supported-k8s-ver for version details.",
                    allowed.join(" ")
                ),
            ));
        }
    }
    props.insert("kubernetesVersion".into(), json!(version));
    props.insert("currentKubernetesVersion".into(), json!(version));
    if props.get("dnsPrefix").and_then(Value::as_str).is_none()
        && props.get("fqdnSubdomain").is_none()
    {
        let short = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        props.insert(
            "dnsPrefix".into(),
            json!(format!(
                "{}-{}-{}",
                short(&target.name, 10),
                short(&rg, 16),
                short(&sub, 6)
            )),
        );
    }
    if let Some(prefix) = props.get("dnsPrefix").and_then(Value::as_str) {
        common::check_name(
            prefix,
            "dnsPrefix",
            (1, 54),
            |c| c.is_ascii_alphanumeric() || c == '-',
            |first, last| first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric(),
            "The DNS prefix must be 1-54 letters, digits or hyphens, starting and ending with a letter or digit.",
        )
        .map_err(|e| ArmError::bad_request("InvalidDnsPrefix", e.message))?;
    }
    let node_rg = props
        .get("nodeResourceGroup")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("MC_{rg}_{}_{location}", target.name));
    resources::check_group_name(&node_rg).map_err(|e| {
        ArmError::bad_request("InvalidParameter", e.message).with_target("nodeResourceGroup")
    })?;
    props.insert("nodeResourceGroup".into(), json!(node_rg));
    common::merge_defaults(
        &mut props,
        json!({
            "enableRBAC": true,
            "supportPlan": "KubernetesOfficial",
            "disableLocalAccounts": false,
            "autoUpgradeProfile": {"upgradeChannel": "none", "nodeOSUpgradeChannel": "NodeImage"},
            "storageProfile": {
                "diskCSIDriver": {"enabled": true},
                "fileCSIDriver": {"enabled": true},
                "snapshotController": {"enabled": true}
            },
            "oidcIssuerProfile": {"enabled": false},
            "addonProfiles": {},
        }),
    );
    azure_monitor_profile(&mut props)?;

    // Network profile: the plugin decides which defaults apply.
    let mut network = props
        .get("networkProfile")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let plugin = network
        .get("networkPlugin")
        .and_then(Value::as_str)
        .unwrap_or("kubenet")
        .to_string();
    if !["azure", "kubenet", "none"]
        .iter()
        .any(|p| p.eq_ignore_ascii_case(&plugin))
    {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            format!("The value of parameter networkProfile.networkPlugin '{plugin}' is invalid."),
        )
        .with_target("networkProfile.networkPlugin"));
    }
    let mode = network
        .get("networkPluginMode")
        .and_then(Value::as_str)
        .map(str::to_string);
    common::merge_defaults(&mut network, network_defaults(&plugin, mode.as_deref()));
    outbound(&mut network, &target.id, &sub, &node_rg)?;
    props.insert("networkProfile".into(), Value::Object(network));
    let props_value = Value::Object(props.clone());

    // One key, RSA only: AKS answers Ed25519 (and other non-RSA) keys with "The value of
    // parameter linuxProfile.ssh.publicKeys.keyData is invalid." (RP error quoted in
    // Azure/AKS#1172 and Azure/AKS#4431); "A maximum of 1 key may be specified."
    // (ContainerServiceSshConfiguration, AKS 2026-08-01).
    if let Some(keys) =
        at(&props_value, &["linuxProfile", "ssh", "publicKeys"]).and_then(Value::as_array)
    {
        if keys.len() > 1 {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "The value of parameter linuxProfile.ssh.publicKeys is invalid: a maximum of 1 key may be specified.",
            )
            .with_target("linuxProfile.ssh.publicKeys"));
        }
        let algorithm = keys
            .first()
            .and_then(|k| k.get("keyData"))
            .and_then(Value::as_str)
            .and_then(|k| k.split_whitespace().next())
            .unwrap_or("");
        if algorithm == "ssh-ed25519"
            || algorithm.starts_with("ecdsa-")
            || algorithm.starts_with("sk-")
        {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "The value of parameter linuxProfile.ssh.publicKeys.keyData is invalid. Please see https://aka.ms/aks-naming-rules for more details.",
            )
            .with_target("linuxProfile.ssh.publicKeys.keyData"));
        }
    }
    if addon_enabled(&props_value, "aciConnectorLinux") {
        if !plugin.eq_ignore_ascii_case("azure") {
            // AKS's own code for this refusal (Learn "Use virtual nodes": virtual nodes need
            // Azure CNI; the service answers ACIConnectorRequiresAzureNetworking).
            return Err(ArmError::bad_request(
                "ACIConnectorRequiresAzureNetworking",
                "Virtual nodes (the aciConnectorLinux add-on) only work with Azure CNI networking (networkProfile.networkPlugin 'azure'); this cluster uses kubenet.",
            )
            .with_target("addonProfiles.aciConnectorLinux"));
        }
        if addon_config(&props_value, "aciConnectorLinux", "SubnetName").is_none() {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                "The aciConnectorLinux add-on requires config.SubnetName.",
            )
            .with_target("addonProfiles.aciConnectorLinux.config.SubnetName"));
        }
    }
    if addon_enabled(&props_value, "omsagent") {
        let workspace =
            addon_config(&props_value, "omsagent", "logAnalyticsWorkspaceResourceID").unwrap_or("");
        let lower = workspace.to_ascii_lowercase();
        if !lower.contains("/providers/microsoft.operationalinsights/workspaces/")
            || state.get(&lower).is_none()
        {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!("The Log Analytics workspace '{workspace}' configured for the omsagent add-on was not found."),
            )
            .with_target("addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID"));
        }
    }
    if at(&props_value, &["aadProfile", "managed"]).and_then(Value::as_bool) == Some(true)
        && props.get("enableRBAC").and_then(Value::as_bool) == Some(false)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Managed AAD integration requires Kubernetes RBAC (enableRBAC must be true).",
        )
        .with_target("aadProfile"));
    }
    if at(
        &props_value,
        &["securityProfile", "workloadIdentity", "enabled"],
    )
    .and_then(Value::as_bool)
        == Some(true)
        && at(&props_value, &["oidcIssuerProfile", "enabled"]).and_then(Value::as_bool)
            != Some(true)
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Workload identity requires the OIDC issuer to be enabled.",
        )
        .with_target("securityProfile.workloadIdentity"));
    }

    // Pools: validated in full before anything is written.
    let facts_plugin = plugin.clone();
    let mut pool_writes: Vec<(String, Map<String, Value>)> = Vec::new();
    let existing_pools: Vec<(String, Map<String, Value>)> = state
        .children(&key, Kind::NodePool)
        .iter()
        .map(|r| {
            (
                common::str_at(&r.body, &["name"]).unwrap_or("").to_string(),
                r.body
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect();
    if created && profiles.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidParameter",
            "At least one agent pool profile is required (properties.agentPoolProfiles).",
        )
        .with_target("agentPoolProfiles"));
    }
    for profile in &profiles {
        let name = profile
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| ArmError::missing_property("properties.agentPoolProfiles[].name"))?;
        node_pool::check_pool_name(name)?;
        if pool_writes.iter().any(|(n, _)| n == name) {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!("Agent pool name '{name}' appears more than once."),
            ));
        }
        let mut input = profile.as_object().cloned().unwrap_or_default();
        input.remove("name");
        let old_pool = existing_pools
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p);
        if !created && old_pool.is_none() {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!("Adding agent pool '{name}' through the managed cluster API is not supported on update; use the agentPools API."),
            )
            .with_target("agentPoolProfiles"));
        }
        let normalized =
            node_pool::normalize(name, &input, old_pool, &version, &facts_plugin, "User")?;
        node_pool::check_subnet_refs(state, &normalized)?;
        pool_writes.push((name.to_string(), normalized));
    }
    let has_system = |pools: &[(String, Map<String, Value>)]| {
        pools
            .iter()
            .any(|(_, p)| p.get("mode").and_then(Value::as_str) == Some("System"))
    };
    let mut after: Vec<(String, Map<String, Value>)> = existing_pools
        .iter()
        .filter(|(n, _)| !pool_writes.iter().any(|(w, _)| w == n))
        .cloned()
        .collect();
    after.extend(pool_writes.iter().cloned());
    if !has_system(&after) {
        return Err(ArmError::bad_request(
            "MustDefineAtLeastOneSystemPool",
            "Must define at least one system pool.",
        ));
    }
    if let Some(vn) = addon_config(&props_value, "aciConnectorLinux", "SubnetName")
        .filter(|_| addon_enabled(&props_value, "aciConnectorLinux"))
    {
        let vnet = after.iter().find_map(|(_, p)| {
            p.get("vnetSubnetID").and_then(Value::as_str).and_then(|s| {
                s.to_ascii_lowercase()
                    .rsplit_once("/subnets/")
                    .map(|(v, _)| v.to_string())
            })
        });
        let exists = vnet.as_ref().is_some_and(|v| {
            state
                .get(&format!("{v}/subnets/{}", vn.to_ascii_lowercase()))
                .is_some()
        });
        if !exists {
            return Err(ArmError::bad_request(
                "InvalidParameter",
                format!("The virtual-node subnet '{vn}' must exist in the virtual network of the cluster's node pools."),
            )
            .with_target("addonProfiles.aciConnectorLinux.config.SubnetName"));
        }
    }

    // Everything validated: compute server-side values and write.
    let dns_prefix = props
        .get("dnsPrefix")
        .and_then(Value::as_str)
        .or_else(|| props.get("fqdnSubdomain").and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    let hash = short_hash(&key);
    let private = at(
        &props_value,
        &["apiServerAccessProfile", "enablePrivateCluster"],
    )
    .and_then(Value::as_bool)
        == Some(true);
    if private {
        props.insert(
            "privateFQDN".into(),
            json!(format!(
                "{dns_prefix}-{hash}.{}.privatelink.{location}.azmk8s.io",
                common::derived_guid(&key)
            )),
        );
    }
    if !private
        || at(
            &props_value,
            &["apiServerAccessProfile", "enablePrivateClusterPublicFQDN"],
        )
        .and_then(Value::as_bool)
            == Some(true)
    {
        props.insert(
            "fqdn".into(),
            json!(format!("{dns_prefix}-{hash}.hcp.{location}.azmk8s.io")),
        );
    }
    props.insert(
        "azurePortalFQDN".into(),
        json!(format!(
            "{dns_prefix}-{hash}.portal.hcp.{location}.azmk8s.io"
        )),
    );
    props.insert("maxAgentPools".into(), json!(100));
    props.insert("powerState".into(), json!({"code": "Running"}));
    props.insert(
        "resourceUID".into(),
        json!(common::derived_guid(&format!("{key}/uid")).replace('-', "")[..24].to_string()),
    );
    props.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Updating" }),
    );
    let identity_in = body.get("identity").cloned().unwrap_or_else(|| {
        if props.contains_key("servicePrincipalProfile") {
            json!({"type": "None"})
        } else {
            json!({"type": "SystemAssigned"})
        }
    });
    let identity = render_identity(state, ctx, &key, &identity_in)?;
    let uses_msi = !common::str_at(&identity, &["type"])
        .unwrap_or("")
        .eq_ignore_ascii_case("None");
    if uses_msi {
        let kubelet_id = format!(
            "/subscriptions/{sub}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}-agentpool",
            target.name
        );
        let kubelet = match at(&old, &["identityProfile", "kubeletidentity"]) {
            Some(existing_kubelet) if !existing_kubelet.is_null() => existing_kubelet.clone(),
            _ => props
                .get("identityProfile")
                .and_then(|p| p.get("kubeletidentity"))
                .cloned()
                .unwrap_or_else(|| service_identity(state, ctx, &kubelet_id)),
        };
        props.insert(
            "identityProfile".into(),
            json!({"kubeletidentity": kubelet}),
        );
        common::merge_defaults(
            &mut props,
            json!({"servicePrincipalProfile": {"clientId": "msi"}}),
        );
    }
    let oidc_enabled = at(
        &Value::Object(props.clone()),
        &["oidcIssuerProfile", "enabled"],
    )
    .and_then(Value::as_bool)
        == Some(true);
    let issuer = oidc_enabled.then(|| {
        format!(
            "https://{location}.oic.prod-aks.azure.com/{}/{}/",
            ctx.settings.tenant_id,
            common::derived_guid(&format!("{key}/oidc"))
        )
    });
    props.insert(
        "oidcIssuerProfile".into(),
        match issuer {
            Some(url) => json!({"enabled": true, "issuerURL": url}),
            None => json!({"enabled": false}),
        },
    );
    if let Some(Value::Object(addons)) = props.get_mut("addonProfiles") {
        let names: Vec<String> = addons.keys().cloned().collect();
        for name in names {
            let Some(Value::Object(addon)) = addons.get_mut(&name) else {
                continue;
            };
            let enabled = addon.get("enabled").and_then(Value::as_bool) == Some(true);
            if enabled
                && [
                    "omsagent",
                    "aciconnectorlinux",
                    "azurepolicy",
                    "azurekeyvaultsecretsprovider",
                    "ingressapplicationgateway",
                ]
                .contains(&name.to_ascii_lowercase().as_str())
            {
                let id = format!(
                    "/subscriptions/{sub}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}-{}",
                    name.to_ascii_lowercase(),
                    target.name
                );
                let ident = service_identity(state, ctx, &id);
                addon.insert("identity".into(), ident);
                if name.eq_ignore_ascii_case("ingressApplicationGateway") {
                    effective_gateway(
                        addon,
                        &format!("/subscriptions/{sub}/resourceGroups/{node_rg}"),
                    );
                }
            } else {
                addon.remove("identity");
            }
        }
    }
    // ingressProfile.webAppRouting.identity is read-only: the add-on's identity in the node
    // resource group ("should be granted permissions, for example, to manage the associated
    // Azure DNS resource").
    let app_routing_on = at(
        &Value::Object(props.clone()),
        &["ingressProfile", "webAppRouting", "enabled"],
    )
    .and_then(Value::as_bool)
        == Some(true);
    if let Some(Value::Object(war)) = props
        .get_mut("ingressProfile")
        .and_then(|i| i.get_mut("webAppRouting"))
    {
        if app_routing_on {
            let id = format!(
                "/subscriptions/{sub}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/webapprouting-{}",
                target.name
            );
            war.insert("identity".into(), service_identity(state, ctx, &id));
        } else {
            war.remove("identity");
        }
    }
    if let Some(Value::Object(asp)) = props.get_mut("autoScalerProfile") {
        let mut merged = asp.clone();
        common::merge_defaults(&mut merged, autoscaler_defaults());
        *asp = merged;
    } else {
        props.insert("autoScalerProfile".into(), autoscaler_defaults());
    }
    if let Some(Value::Object(aad)) = props.get_mut("aadProfile") {
        if aad.get("managed").and_then(Value::as_bool) == Some(true)
            && !aad.contains_key("tenantID")
        {
            aad.insert("tenantID".into(), json!(ctx.settings.tenant_id));
        }
        aad.remove("serverAppSecret");
    }
    // Write-only secrets are accepted and never echoed.
    if let Some(Value::Object(sp)) = props.get_mut("servicePrincipalProfile") {
        sp.remove("secret");
    }
    if let Some(Value::Object(win)) = props.get_mut("windowsProfile") {
        win.remove("adminPassword");
    }

    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    let mut sku = body
        .get("sku")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // "Basic" is the SKU name of older api-versions; the service answers with today's name,
    // "Base" (ManagedClusterSKUName: Base, Automatic).
    if sku
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case("Basic"))
    {
        sku.insert("name".into(), json!("Base"));
    }
    common::merge_defaults(&mut sku, json!({"name": "Base", "tier": "Free"}));
    m.insert("sku".into(), Value::Object(sku));
    m.insert("identity".into(), identity);
    m.insert("eTag".into(), json!(common::new_guid()));
    m.insert(
        "systemData".into(),
        common::system_data(existing.as_ref(), ctx),
    );
    m.insert("properties".into(), Value::Object(props));
    state.put(
        key.clone(),
        target.id.clone(),
        Kind::Cluster,
        Value::Object(m),
        ctx.now,
    );
    let word = if created { "Creating" } else { "Updating" };
    for (name, mut p) in pool_writes {
        p.insert("provisioningState".into(), json!(word));
        node_pool::store(state, ctx, &target.id, &name, p);
    }
    create_node_resources(state, ctx, target, &node_rg, &location);
    Ok(Written::new(Kind::Cluster, created))
}
