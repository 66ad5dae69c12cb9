//! Microsoft.Insights/diagnosticSettings (2021-05-01-preview), the extension resource that sends a
//! resource's logs and metrics to a Log Analytics workspace (or storage, Event Hubs, a partner):
//! `{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}` under any resource.
//! Its own module because it hangs under every type rather than one parent, and its LIST is not
//! paged. Behaviour from `diagnosticsSettings_API.json` of
//! specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview and
//! its examples (createOrUpdateDiagnosticSetting, getDiagnosticSetting, listDiagnosticSettings):
//! - PUT answers 200 with the setting, synchronously (the only success response declared);
//!   DELETE answers 200, or 204 when there is nothing to delete.
//! - The body carries no `location` or `tags` (`DiagnosticSettingsResource` is a plain
//!   `Resource`), so generic resource LISTs and Resource Graph's `Resources` table never show it;
//!   `type` is `Microsoft.Insights/diagnosticSettings`.
//! - Deleting the target takes its settings here (the emulator's state removes everything under
//!   a deleted ID). Azure may keep them instead (Learn, "Diagnostic settings in Azure Monitor":
//!   delete a resource's settings first, or a resource recreated under the same ID may pick them
//!   up); azplan relies on neither: it deletes its own first and never deletes others'.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written, render};
use crate::emulator::kind::Kind;
use crate::emulator::route::{self, Route, Target};
use crate::emulator::state::State;

/// Learn, Azure Monitor service limits (includes/azure-monitor-limits-diagnostic-settings.md):
/// "Maximum number of diagnostic settings per resource: 5".
const SETTINGS_PER_RESOURCE: usize = 5;

/// The writable properties of `DiagnosticSettings` (diagnosticsSettings_API.json), kept as sent.
const WRITABLE: [&str; 9] = [
    "storageAccountId",
    "serviceBusRuleId",
    "eventHubAuthorizationRuleId",
    "eventHubName",
    "metrics",
    "logs",
    "workspaceId",
    "marketplacePartnerId",
    "logAnalyticsDestinationType",
];

/// The destinations a setting can send to (`DiagnosticSettings` of diagnosticsSettings_API.json;
/// an empty string, as the examples send for `workspaceId`, is no destination). That a setting
/// needs one is azurerm's documented rule for `azurerm_monitor_diagnostic_setting` ("At least one
/// of `eventhub_authorization_rule_id`, `log_analytics_workspace_id`, `partner_solution_id` and
/// `storage_account_id` must be specified."); Azure's own wording for the refusal was not found,
/// so the message is the emulator's.
const DESTINATIONS: [&str; 4] = [
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "marketplacePartnerId",
];

/// Whether the emulator serves the type of the resource an ID names, so its absence means
/// something (the private endpoint rule: a target of a type the emulator does not serve, such
/// as the examples' `microsoft.logic/workflows`, cannot be judged and is accepted).
fn served(id: &str) -> bool {
    matches!(route::parse(id), Ok(Route::Instance(_)))
}

fn target_not_found(scope: &str) -> ArmError {
    // ARM's answer for an extension resource under a missing resource: ResourceNotFound, as
    // azure-cli reports it for `az monitor diagnostic-settings create` on a resource it cannot
    // find (Azure/azure-cli#8570, "Operation failed. [Code: \"ResourceNotFound\"]").
    ArmError::new(
        404,
        "ResourceNotFound",
        format!("The Resource '{scope}' was not found."),
    )
}

/// `DiagnosticSettings_CreateOrUpdate`.
pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let scope = target.parent_id.clone().unwrap_or_default();
    let scope_key = scope.to_ascii_lowercase();
    if served(&scope) && state.get(&scope_key).is_none() {
        return Err(target_not_found(&scope));
    }
    let props = common::properties(body)?;
    for list in ["logs", "metrics"] {
        let Some(entries) = props.get(list).filter(|v| !v.is_null()) else {
            continue;
        };
        let entries = entries.as_array().ok_or_else(|| {
            ArmError::invalid_body(&format!("'properties.{list}' must be an array"))
        })?;
        for (i, entry) in entries.iter().enumerate() {
            // `enabled` is the one required property of LogSettings and MetricSettings.
            if !entry.get("enabled").is_some_and(Value::is_boolean) {
                return Err(ArmError::missing_property(&format!(
                    "properties.{list}[{i}].enabled"
                )));
            }
        }
    }
    let given = |name: &str| {
        props
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if DESTINATIONS.iter().all(|d| given(d).is_none()) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "A diagnostic setting needs at least one destination: a Log Analytics workspace, a storage account, an event hub or a partner solution.",
        ));
    }
    if let Some(workspace) = given("workspaceId") {
        // ARM's check of a linked ID's form (azure-powershell#4465 quotes it for a workspace GUID
        // given instead of the ID).
        let lower = workspace.to_ascii_lowercase();
        if !lower.starts_with("/subscriptions/") && !lower.starts_with("/providers/") {
            return Err(ArmError::bad_request(
                "LinkedInvalidPropertyId",
                format!(
                    "Property id '{workspace}' at path 'properties.workspaceId' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'."
                ),
            ));
        }
        // A workspace of this emulator's subscriptions that does not exist: ResourceNotFound
        // (Azure/azure-cli#6647 and #8570 report that code for a workspace ARM cannot find).
        if served(workspace) && state.get(&lower).is_none() {
            return Err(target_not_found(workspace));
        }
    }
    let key = target.key();
    let existing = state.get(&key).is_some();
    if !existing {
        let count = settings_of(state, &scope_key).len();
        if count >= SETTINGS_PER_RESOURCE {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "The resource '{scope}' already has the maximum number of diagnostic settings ({SETTINGS_PER_RESOURCE})."
                ),
            ));
        }
    }
    let mut out = Map::new();
    for name in WRITABLE {
        if let Some(v) = props.get(name).filter(|v| !v.is_null()) {
            out.insert(name.into(), v.clone());
        }
    }
    let doc = json!({
        "id": target.id,
        "type": Kind::DiagnosticSetting.arm_type(),
        "name": target.name,
        "properties": Value::Object(out),
    });
    state.put(key, target.id.clone(), target.kind, doc, ctx.now);
    Ok(Written {
        created: !existing,
        duration_ms: 0,
        hold_ms: 0,
    })
}

/// The settings directly under one resource (not those of its children).
fn settings_of<'s>(state: &'s State, scope_key: &str) -> Vec<&'s crate::emulator::state::Record> {
    let prefix = format!("{scope_key}/providers/microsoft.insights/diagnosticsettings/");
    state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, r)| r.kind == Kind::DiagnosticSetting && !k[prefix.len()..].contains('/'))
        .map(|(_, r)| r)
        .collect()
}

/// `DiagnosticSettings_List`: one page (`"x-ms-pageable": {"nextLinkName": null}`), the
/// resource must exist when the emulator serves its type.
pub(crate) fn list(state: &State, scope: &str) -> Result<Reply, ArmError> {
    let scope_key = scope.to_ascii_lowercase();
    if served(scope) && state.get(&scope_key).is_none() {
        return Err(target_not_found(scope));
    }
    let value: Vec<Value> = settings_of(state, &scope_key)
        .into_iter()
        .map(|r| render(state, r))
        .collect();
    Ok(Reply::json(200, json!({ "value": value })))
}

/// A GET of a setting that does not exist. The wording is the emulator's (no captured answer was
/// found); the status and code are ARM's for a missing resource.
pub(crate) fn not_found(target: &Target) -> ArmError {
    ArmError::new(
        404,
        "ResourceNotFound",
        format!(
            "The diagnostic setting '{}' does not exist on resource '{}'.",
            target.name,
            target.parent_id.as_deref().unwrap_or_default()
        ),
    )
}
