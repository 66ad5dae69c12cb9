//! Flux configurations (`{managedCluster}/providers/Microsoft.KubernetesConfiguration/
//! fluxConfigurations/{name}`): an extension resource on the cluster, like its extensions
//! (`extension`). Behaviour from fluxconfiguration.json of specification/kubernetesconfiguration/
//! resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/stable/2025-04-01 and its
//! examples (CreateFluxConfiguration, GetFluxConfiguration, ListFluxConfigurations):
//! - PUT is a long-running operation (final-state-via azure-async-operation) answered with
//!   `Operation-Location` and `x-ms-async-operation-timeout`; DELETE is one too.
//! - The cluster's `microsoft.flux` extension must be installed first (Learn "Tutorial: Deploy
//!   applications using GitOps with Flux v2": "After the microsoft.flux cluster extension is
//!   installed, you can create one or more fluxConfigurations resources").
//! - Defaults (the spec's `default`s): scope `cluster`, namespace `default`, sourceKind
//!   `GitRepository`, suspend false; a Git repository's and a kustomization's timeoutInSeconds
//!   and syncIntervalInSeconds 600; a kustomization's path `""`, prune and force false, wait
//!   true. A kustomization answers its `name` (read-only, "matching the key").
//! - `configurationProtectedSettings` is `x-ms-secret`: stored nowhere, never answered.
//! - The emulator pulls nothing from Git: `complianceState` stays `Unknown` (the spec's default),
//!   `statuses` empty, and the source's commit, times and public key are null.

use serde_json::{Map, Value, json};

use super::common::{self, Ctx};
use super::error::ArmError;
use super::handlers::Written;
use super::kind::Kind;
use super::route::Target;
use super::state::State;

/// FluxConfigurationProperties written as sent (`configurationProtectedSettings` is not kept).
const WRITABLE: [&str; 11] = [
    "scope",
    "namespace",
    "sourceKind",
    "suspend",
    "gitRepository",
    "bucket",
    "azureBlob",
    "ociRepository",
    "kustomizations",
    "waitForReconciliation",
    "reconciliationWaitDuration",
];

/// SourceKindType.
const SOURCE_KINDS: [&str; 4] = ["GitRepository", "Bucket", "AzureBlob", "OCIRepository"];

fn invalid(target: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidParameter", message.into()).with_target(target)
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::parent_record(state, target)?;
    let cluster = target
        .parent_id
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let prefix = format!(
        "{cluster}/providers/{}/",
        Kind::ClusterExtension.arm_type().to_ascii_lowercase()
    );
    let flux_installed = state.resources.iter().any(|(k, r)| {
        r.kind == Kind::ClusterExtension
            && k.starts_with(&prefix)
            && common::str_at(&r.body, &["properties", "extensionType"])
                .is_some_and(|t| t.eq_ignore_ascii_case("microsoft.flux"))
    });
    if !flux_installed {
        // The service's wording for this refusal is not documented.
        return Err(invalid(
            "fluxConfigurationName",
            "The microsoft.flux extension must be installed on the cluster before a Flux configuration is created.",
        ));
    }
    let props = common::properties(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    let created = existing.is_none();
    let mut out = Map::new();
    for field in WRITABLE {
        if let Some(v) = props.get(field).filter(|v| !v.is_null()) {
            out.insert(field.into(), v.clone());
        }
    }
    common::merge_defaults(
        &mut out,
        json!({
            "scope": "cluster",
            "namespace": "default",
            "sourceKind": "GitRepository",
            "suspend": false,
        }),
    );
    check(&out)?;
    if let Some(old) = existing.as_ref() {
        // scope and namespace: x-ms-mutability read, create.
        for field in ["scope", "namespace"] {
            let was = common::str_at(&old.body, &["properties", field]);
            if was.is_some() && was != out.get(field).and_then(Value::as_str) {
                return Err(invalid(
                    &format!("properties.{field}"),
                    format!("The {field} of a Flux configuration cannot be changed."),
                ));
            }
        }
    }
    if let Some(Value::Object(git)) = out.get_mut("gitRepository") {
        common::merge_defaults(
            git,
            json!({
                "timeoutInSeconds": 600,
                "syncIntervalInSeconds": 600,
                "repositoryRef": {"branch": null, "tag": null, "semver": null, "commit": null},
            }),
        );
    }
    if let Some(Value::Object(kustomizations)) = out.get_mut("kustomizations") {
        for (name, k) in kustomizations.iter_mut() {
            let Value::Object(k) = k else {
                return Err(invalid(
                    &format!("properties.kustomizations.{name}"),
                    "A kustomization must be an object.",
                ));
            };
            k.insert("name".into(), json!(name));
            common::merge_defaults(
                k,
                json!({
                    "path": "",
                    "dependsOn": [],
                    "timeoutInSeconds": 600,
                    "syncIntervalInSeconds": 600,
                    "prune": false,
                    "force": false,
                    "wait": true,
                }),
            );
        }
    }
    for (field, value) in [
        ("statuses", json!([])),
        ("repositoryPublicKey", Value::Null),
        ("sourceSyncedCommitId", Value::Null),
        ("sourceUpdatedAt", Value::Null),
        ("statusUpdatedAt", Value::Null),
        ("complianceState", json!("Unknown")),
        (
            "provisioningState",
            json!(if created { "Creating" } else { "Updating" }),
        ),
        ("errorMessage", json!("")),
    ] {
        out.insert(field.into(), value);
    }
    let mut m = common::envelope(target, None, None);
    m.insert(
        "systemData".into(),
        common::system_data(existing.as_ref(), ctx),
    );
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::FluxConfiguration, created))
}

/// FluxConfigurationProperties (2025-04-01): `scope` is ScopeType, `sourceKind` SourceKindType;
/// `namespace` "Maximum of 253 lower case alphanumeric characters, hyphen and period only".
fn check(props: &Map<String, Value>) -> Result<(), ArmError> {
    let scope = props.get("scope").and_then(Value::as_str).unwrap_or("");
    if !matches!(scope, "cluster" | "namespace") {
        return Err(invalid(
            "properties.scope",
            format!("The scope '{scope}' is not valid: use 'cluster' or 'namespace'."),
        ));
    }
    let kind = props
        .get("sourceKind")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !SOURCE_KINDS.contains(&kind) {
        return Err(invalid(
            "properties.sourceKind",
            format!(
                "The source kind '{kind}' is not valid: use one of {}.",
                SOURCE_KINDS.join(", ")
            ),
        ));
    }
    let namespace = props.get("namespace").and_then(Value::as_str).unwrap_or("");
    let namespace_ok = !namespace.is_empty()
        && namespace.len() <= 253
        && namespace
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    if !namespace_ok {
        return Err(invalid(
            "properties.namespace",
            format!(
                "The namespace '{namespace}' is not valid: at most 253 lower case alphanumeric characters, hyphen and period."
            ),
        ));
    }
    Ok(())
}
