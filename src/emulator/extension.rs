//! AKS cluster extensions (`{managedCluster}/providers/Microsoft.KubernetesConfiguration/
//! extensions/{name}`), Flux first. Its own module because an extension is an extension resource
//! on the cluster (routed by `route`, not by its type path). Behaviour from extensions.json of
//! specification/kubernetesconfiguration/resource-manager/Microsoft.KubernetesConfiguration/
//! extensions/stable/2025-03-01 and its examples (CreateExtension, GetExtension, ListExtensions):
//! - PUT is a long-running operation (201 while `Creating`, final-state-via
//!   azure-async-operation), answered with `Operation-Location` and
//!   `x-ms-async-operation-timeout` as the CreateExtension example; DELETE is one too.
//! - `configurationProtectedSettings` is `x-ms-secret`: kept with the record (`write_only`),
//!   never answered. A PUT replaces them: one without them leaves none. The service's behaviour
//!   for a PUT that leaves them out is not documented (the SDKs and `az k8s-extension update`
//!   change them by PATCH), so the emulator takes the reading that loses them, which a client
//!   that updates by PUT must survive.
//! - Read-only: provisioningState, currentVersion, statuses, isSystemExtension (default false).
//! - Defaults: autoUpgradeMinorVersion true, releaseTrain "Stable" (the spec's `default`s).
//! - No location or tags (a ProxyResource): generic resource LISTs and Resource Graph's
//!   `Resources` table never show it; the cluster's delete takes it (the state removes
//!   everything under a deleted ID).

use serde_json::{Map, Value, json};

use super::common::{self, Ctx};
use super::error::ArmError;
use super::handlers::Written;
use super::kind::Kind;
use super::route::Target;
use super::state::State;

/// The emulator serves no catalog of extension type versions (the extensionTypes API): an
/// extension that pins no version is answered as installed at this one, as the service answers
/// the version it resolved from the release train (CreateExtension's 200 carries `version`
/// although the request pinned none).
const RESOLVED_VERSION: &str = "1.0.0";

/// The writable properties of Extension (extensions.json 2025-03-01), kept as sent.
const WRITABLE: [&str; 7] = [
    "extensionType",
    "autoUpgradeMode",
    "autoUpgradeMinorVersion",
    "releaseTrain",
    "version",
    "scope",
    "configurationSettings",
];

fn invalid(target: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request("InvalidParameter", message.into()).with_target(target)
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let cluster = common::parent_record(state, target)?;
    // Learn "Deploy and manage cluster extensions by using Azure CLI"
    // (https://learn.microsoft.com/azure/aks/deploy-extensions-az-cli): the cluster "must have
    // been created with a managed identity, as cluster extensions won't work with service
    // principal-based clusters". The service's wording for the refusal is not documented.
    if cluster.body.get("identity").is_none_or(Value::is_null) {
        return Err(invalid(
            "clusterName",
            format!(
                "Cluster extensions need a cluster with a managed identity; '{}' uses a service principal.",
                target.parent_id.as_deref().unwrap_or("")
            ),
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
    let Some(extension_type) = out
        .get("extensionType")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
    else {
        // `az k8s-extension create` requires `--extension-type`: an instance is "of" a type
        // ("Type of the Extension, of which this resource is an instance of").
        return Err(invalid(
            "properties.extensionType",
            "The extension type (properties.extensionType) is required.",
        ));
    };
    let extension_type = extension_type.to_string();
    let auto = match out.get("autoUpgradeMinorVersion") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(invalid(
                "properties.autoUpgradeMinorVersion",
                "autoUpgradeMinorVersion must be a boolean.",
            ));
        }
    };
    // Extension.version: "To use 'version', autoUpgradeMinorVersion must be 'false'."
    if auto && out.contains_key("version") {
        return Err(invalid(
            "properties.version",
            "To use 'version', autoUpgradeMinorVersion must be 'false'.",
        ));
    }
    // Scope: "It can be either Cluster or Namespace; but not both."
    if let Some(scope) = out.get("scope") {
        let has = |k: &str| scope.get(k).is_some_and(|v| !v.is_null());
        if has("cluster") && has("namespace") {
            return Err(invalid(
                "properties.scope",
                "Scope of the extension can be either Cluster or Namespace; but not both.",
            ));
        }
    }
    if let Some(settings) = out.get("configurationSettings") {
        check_string_map(settings, "properties.configurationSettings")?;
    }
    let protected = props
        .get("configurationProtectedSettings")
        .filter(|v| !v.is_null())
        .cloned();
    if let Some(settings) = &protected {
        check_string_map(settings, "properties.configurationProtectedSettings")?;
    }
    common::merge_defaults(
        &mut out,
        json!({
            "autoUpgradeMinorVersion": true,
            "releaseTrain": "Stable",
            "configurationSettings": {},
        }),
    );
    let version = out
        .get("version")
        .cloned()
        .unwrap_or_else(|| json!(RESOLVED_VERSION));
    out.insert("version".into(), version.clone());
    out.insert("extensionType".into(), json!(extension_type));
    out.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Updating" }),
    );
    out.insert("currentVersion".into(), version);
    out.insert("statuses".into(), json!([]));
    out.insert("isSystemExtension".into(), json!(false));
    let mut m = common::envelope(target, None, None);
    m.insert(
        "systemData".into(),
        common::system_data(existing.as_ref(), ctx),
    );
    if let Some(identity) = identity(body, target, ctx)? {
        m.insert("identity".into(), identity);
    }
    if let Some(plan) = body.get("plan").filter(|p| !p.is_null()) {
        for field in ["name", "publisher", "product"] {
            if plan.get(field).and_then(Value::as_str).is_none() {
                // common-types v2 Plan: name, publisher and product are required.
                return Err(invalid(
                    &format!("plan.{field}"),
                    format!("plan.{field} is required."),
                ));
            }
        }
        m.insert("plan".into(), plan.clone());
    }
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key.clone(),
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    if let Some(record) = state.resources.get_mut(&key) {
        record.write_only = protected.map(|p| json!({ "configurationProtectedSettings": p }));
    }
    Ok(Written::new(Kind::ClusterExtension, created))
}

/// common-types v2 Identity: `type` is `SystemAssigned` (the only value); principalId and
/// tenantId are read-only, stable for the extension.
fn identity(body: &Value, target: &Target, ctx: &Ctx) -> Result<Option<Value>, ArmError> {
    let Some(identity) = body.get("identity").filter(|i| !i.is_null()) else {
        return Ok(None);
    };
    match identity.get("type").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("SystemAssigned") => Ok(Some(json!({
            "type": "SystemAssigned",
            "principalId": common::derived_guid(&format!("{}#identity", target.id)),
            "tenantId": ctx.settings.tenant_id,
        }))),
        Some(t) if t.eq_ignore_ascii_case("None") => Ok(None),
        other => Err(invalid(
            "identity.type",
            format!(
                "The identity type '{}' is not supported: use 'SystemAssigned'.",
                other.unwrap_or("")
            ),
        )),
    }
}

/// configurationSettings and configurationProtectedSettings: `additionalProperties: string`.
fn check_string_map(settings: &Value, at: &str) -> Result<(), ArmError> {
    match settings {
        Value::Null => Ok(()),
        Value::Object(m) if m.values().all(Value::is_string) => Ok(()),
        _ => Err(invalid(at, format!("{at} must map names to strings."))),
    }
}
