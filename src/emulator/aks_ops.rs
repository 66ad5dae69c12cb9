//! Managed-cluster operations that are not CRUD (AKS spec, stable/2026-08-01 examples):
//! `listClusterAdminCredential` / `listClusterUserCredential` / `listClusterMonitoringUserCredential`
//! (ManagedClustersListClusterAdminCredentials.json: `{"kubeconfigs": [{"name", "value"}]}` with a
//! base64 kubeconfig; static credentials refused when local accounts are disabled), `start` /
//! `stop` (ManagedClustersStart/Stop.json: 202 + Location, the power state changes when done),
//! `abort` of the running operation on a cluster or pool (ManagedClustersAbortOperation.json: 202
//! with Azure-AsyncOperation and Location, or 204; the aborted operation ends `Canceled`), and the
//! `upgradeProfiles/default` of clusters and pools (AgentPoolsGetUpgradeProfile.json), consistent
//! with the versions the emulator offers and AKS's upgrade rules (one minor version at a time for
//! the control plane; pools up to the control plane's version).

use serde_json::{Value, json};

use crate::emulator::cluster_defaults::{SUPPORTED_VERSIONS, version_key};
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{self, Reply};
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::{Action, Record, State};
use crate::emulator::{cluster, node_pool};

fn record<'s>(state: &'s State, target: &Target) -> Result<&'s Record, ArmError> {
    common::require_resource_group(state, target)?;
    state.get(&target.key()).ok_or_else(|| {
        ArmError::resource_not_found(
            &target.kind.arm_type(),
            &target.name,
            target.resource_group.as_deref().unwrap_or(""),
        )
    })
}

/// Standard base64 (RFC 4648 §4) with padding: kubeconfig values are sent this way.
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A kubeconfig as AKS hands it out: static client certificate for the admin, the kubelogin exec
/// plugin for users of Entra ID (managed AAD) clusters.
fn kubeconfig(ctx: &Ctx, cluster: &Record, target: &Target, user_kind: &str, aad: bool) -> String {
    let fqdn = common::str_at(&cluster.body, &["properties", "fqdn"]).unwrap_or("localhost");
    let rg = target.resource_group.as_deref().unwrap_or("");
    let name = &target.name;
    let user = format!("{user_kind}_{rg}_{name}");
    // The context is named after the cluster for every credential; `az aks get-credentials --admin`
    // appends "-admin" itself (azure-cli acs `merge_kubernetes_configurations`).
    let context = name.clone();
    let fake = |what: &str| base64(format!("azplan-emulator {what} for {name}").as_bytes());
    let credentials = if aad {
        format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - get-token\n      - --environment\n      - AzureCloud\n      - --server-id\n      - 6dae42f8-4368-4678-94ff-3960e28e3630\n      - --client-id\n      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a\n      - --tenant-id\n      - {}\n      - --login\n      - devicecode\n      command: kubelogin\n      env: null\n      installHint: |\n        kubelogin is not installed which is required to connect to AAD enabled cluster.\n      provideClusterInfo: false\n",
            ctx.settings.tenant_id
        )
    } else {
        format!(
            "    client-certificate-data: {}\n    client-key-data: {}\n    token: {}\n",
            fake("client certificate"),
            fake("client key"),
            common::derived_guid(&format!("{}/{user_kind}/token", cluster.id)).replace('-', "")
        )
    };
    format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {}\n    server: https://{fqdn}:443\n  name: {name}\ncontexts:\n- context:\n    cluster: {name}\n    user: {user}\n  name: {context}\ncurrent-context: {context}\nkind: Config\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n{credentials}",
        fake("cluster CA")
    )
}

fn local_accounts_disabled() -> ArmError {
    // Learn "Manage local accounts with AKS-managed Microsoft Entra integration": "Operation
    // failed with status: 'Bad Request'. Details: Getting static credential is not allowed
    // because this cluster is set to disable local accounts."
    ArmError::bad_request(
        "BadRequest",
        "Getting static credential is not allowed because this cluster is set to disable local accounts.",
    )
}

fn credentials(
    ctx: &Ctx,
    cluster: &Record,
    target: &Target,
    action: &str,
) -> Result<Reply, ArmError> {
    let props = cluster.body.get("properties").cloned().unwrap_or_default();
    let local_disabled = props["disableLocalAccounts"].as_bool() == Some(true);
    let aad = props["aadProfile"]["managed"].as_bool() == Some(true);
    let (name, static_only) = match action {
        "listClusterAdminCredential" => ("clusterAdmin", true),
        "listClusterMonitoringUserCredential" => ("clusterMonitoringUser", true),
        _ => ("clusterUser", false),
    };
    let use_aad = aad && !static_only;
    if local_disabled && !use_aad {
        return Err(local_accounts_disabled());
    }
    let text = kubeconfig(ctx, cluster, target, name, use_aad);
    Ok(Reply::json(
        200,
        json!({"kubeconfigs": [{"name": name, "value": base64(text.as_bytes())}]}),
    ))
}

/// POST actions on clusters and pools.
pub(crate) fn action(
    state: &mut State,
    ctx: &Ctx,
    method: &str,
    target: &Target,
    action: &str,
) -> Result<Reply, ArmError> {
    if method != "POST" {
        return Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not supported for the action '{action}'."),
        ));
    }
    let found = record(state, target)?.clone();
    match action {
        "listClusterAdminCredential"
        | "listClusterUserCredential"
        | "listClusterMonitoringUserCredential" => credentials(ctx, &found, target, action),
        "start" | "stop" => {
            let key = target.key();
            cluster::check_idle(state, &key)?;
            let act = if action == "start" {
                Action::Start
            } else {
                Action::Stop
            };
            for (k, word) in std::iter::once((key.clone(), act.word())).chain(
                state
                    .children(&key, Kind::NodePool)
                    .iter()
                    .map(|p| (p.id.to_ascii_lowercase(), act.word()))
                    .collect::<Vec<_>>(),
            ) {
                if let Some(props) = state
                    .body_mut(&k)
                    .and_then(|b| b.get_mut("properties"))
                    .and_then(Value::as_object_mut)
                {
                    props.insert("provisioningState".into(), json!(word));
                }
            }
            let (_, update_ms, _) = Kind::Cluster.durations_ms();
            let op = handlers::start_operation(state, ctx, target, act, update_ms);
            Ok(Reply::empty(202)
                .with_header("Location", handlers::result_url(ctx, &op))
                .with_header("Retry-After", ctx.settings.retry_after().to_string()))
        }
        _ => abort(state, ctx, target),
    }
}

/// Cancels the operation running on the cluster (or pool); answers 204 when none runs.
fn abort(state: &mut State, ctx: &Ctx, target: &Target) -> Result<Reply, ArmError> {
    let key = target.key();
    let Some(running) = state.pending(&key).map(|op| op.id.clone()) else {
        return Ok(Reply::empty(204));
    };
    state.cancel(&running, ctx.now);
    // The abort is an operation of its own, done at once, that does not touch the resource.
    let abort_target = Target {
        id: format!("{}/abort", target.id),
        ..target.clone()
    };
    let op = handlers::start_operation(state, ctx, &abort_target, Action::Update, 0);
    Ok(Reply::empty(202)
        .with_header("Azure-AsyncOperation", handlers::status_url(ctx, &op))
        .with_header("Location", handlers::result_url(ctx, &op))
        .with_header("Retry-After", ctx.settings.retry_after().to_string()))
}

/// Versions offered above `from`, up to `ceiling` (inclusive) and at most one minor above
/// `from` when `one_minor` (control plane: "you can't skip Kubernetes minor versions", Learn
/// "Upgrade an AKS cluster").
pub(crate) fn upgrades(from: &str, ceiling: Option<&str>, one_minor: bool) -> Vec<&'static str> {
    let (major, minor, _) = version_key(from);
    SUPPORTED_VERSIONS
        .into_iter()
        .filter(|v| version_key(v) > version_key(from))
        .filter(|v| !one_minor || version_key(v) <= (major, minor + 1, u32::MAX))
        .filter(|v| ceiling.is_none_or(|c| version_key(v) <= version_key(c)))
        .collect()
}

pub(crate) fn upgrade_profile(
    state: &State,
    method: &str,
    target: &Target,
) -> Result<Reply, ArmError> {
    if method != "GET" {
        return Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not supported for upgrade profiles."),
        ));
    }
    let found = record(state, target)?;
    let list = |versions: Vec<&str>| {
        Value::Array(
            versions
                .into_iter()
                .map(|v| json!({"kubernetesVersion": v}))
                .collect(),
        )
    };
    if target.kind == Kind::NodePool {
        let cluster = common::parent_record(state, target)?;
        let cp = common::str_at(&cluster.body, &["properties", "currentKubernetesVersion"])
            .unwrap_or("");
        let version = common::str_at(&found.body, &["properties", "currentOrchestratorVersion"])
            .unwrap_or(cp);
        return Ok(Reply::json(
            200,
            json!({
                "id": format!("{}/upgradeprofiles/default", target.id),
                "name": "default",
                "type": "Microsoft.ContainerService/managedClusters/agentPools/upgradeProfiles",
                "properties": {
                    "kubernetesVersion": version,
                    "latestNodeImageVersion": node_pool::NODE_IMAGE,
                    "osType": common::str_at(&found.body, &["properties", "osType"]).unwrap_or("Linux"),
                    "upgrades": list(upgrades(version, Some(cp), false)),
                }
            }),
        ));
    }
    let cp = common::str_at(&found.body, &["properties", "currentKubernetesVersion"]).unwrap_or("");
    let pools: Vec<Value> = state
        .children(&target.key(), Kind::NodePool)
        .iter()
        .map(|p| {
            let version = common::str_at(&p.body, &["properties", "currentOrchestratorVersion"])
                .unwrap_or(cp);
            json!({
                "kubernetesVersion": version,
                "name": p.body["name"],
                "osType": common::str_at(&p.body, &["properties", "osType"]).unwrap_or("Linux"),
                "upgrades": list(upgrades(version, Some(cp), false)),
            })
        })
        .collect();
    Ok(Reply::json(
        200,
        json!({
            "id": format!("{}/upgradeprofiles/default", target.id),
            "name": "default",
            "type": "Microsoft.ContainerService/managedClusters/upgradeprofiles",
            "properties": {
                "controlPlaneProfile": {
                    "kubernetesVersion": cp,
                    "osType": "Linux",
                    "upgrades": list(upgrades(cp, None, true)),
                },
                "agentPoolProfiles": pools,
            }
        }),
    ))
}
