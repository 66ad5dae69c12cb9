//! Microsoft.Monitor/accounts, Azure Monitor workspaces (monitoringAccounts_API.json, stable
//! 2023-04-03): a synchronous PUT (200/201 with the body, no polling header), a PATCH of tags
//! only (AzureMonitorWorkspaceResourceForUpdate), a DELETE answered 202 + Location +
//! Retry-After. The service fills in the read-only `accountId`, `metrics.prometheusQueryEndpoint`
//! and `metrics.internalId`, and the default data collection rule and endpoint it creates in a
//! managed group `MA_{name}_{location}_managed` (`defaultIngestionSettings`), in the shape of the
//! official AzureMonitorWorkspacesGet.json. The managed group and those two resources are named,
//! not served: the emulator has no Microsoft.Insights types.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// `readOnly` in AzureMonitorWorkspace: what a client sends there is ignored.
const READ_ONLY: [&str; 5] = [
    "accountId",
    "metrics",
    "provisioningState",
    "defaultIngestionSettings",
    "privateEndpointConnections",
];

/// PublicNetworkAccess of the 2023-04-03 spec.
const PUBLIC_NETWORK_ACCESS: [&str; 2] = ["Enabled", "Disabled"];

/// The `azureMonitorWorkspaceName` pattern `^(?!-)[a-zA-Z0-9-]+[^-]$`.
fn check_name(name: &str) -> Result<(), ArmError> {
    let chars: Vec<char> = name.chars().collect();
    let ok = chars.len() >= 2
        && chars[0] != '-'
        && chars[..chars.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == '-')
        && chars.last() != Some(&'-');
    if ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "Resource name '{name}' for Azure Monitor workspace is invalid. The name must match the pattern '^(?!-)[a-zA-Z0-9-]+[^-]$'."
        ),
    ))
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    check_name(&target.name)?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let created = existing.is_none();
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    let access = match props.get("publicNetworkAccess") {
        None | Some(Value::Null) => "Enabled",
        Some(Value::String(s)) => PUBLIC_NETWORK_ACCESS
            .into_iter()
            .find(|v| v.eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                ArmError::bad_request(
                    "InvalidPublicNetworkAccess",
                    format!(
                        "The value '{s}' of publicNetworkAccess is invalid. Allowed values are Enabled, Disabled."
                    ),
                )
            })?,
        Some(_) => {
            return Err(ArmError::invalid_body(
                "'properties.publicNetworkAccess' must be a string",
            ));
        }
    };
    let old = |field: &str| {
        existing
            .as_ref()
            .and_then(|r| r.body.get("properties"))
            .and_then(|p| p.get(field))
            .cloned()
    };
    // `accountId` is "the immutable Id of the Azure Monitor Workspace": kept across updates.
    let account_id = old("accountId")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(common::new_guid);
    let managed = format!(
        "/subscriptions/{}/resourceGroups/MA_{}_{location}_managed/providers/Microsoft.Insights",
        target.subscription, target.name
    );
    let mut out = Map::new();
    out.insert("accountId".into(), json!(account_id));
    out.insert(
        "metrics".into(),
        old("metrics").unwrap_or_else(|| {
            json!({
                "prometheusQueryEndpoint": format!(
                    "https://{}-{}.{location}.prometheus.monitor.azure.com",
                    target.name,
                    &account_id[..4]
                ),
                "internalId": format!("mac_{account_id}"),
            })
        }),
    );
    out.insert("provisioningState".into(), json!("Succeeded"));
    out.insert(
        "defaultIngestionSettings".into(),
        json!({
            "dataCollectionRuleResourceId": format!("{managed}/dataCollectionRules/{}", target.name),
            "dataCollectionEndpointResourceId": format!("{managed}/dataCollectionEndpoints/{}", target.name),
        }),
    );
    out.insert("publicNetworkAccess".into(), json!(access));
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert("properties".into(), Value::Object(out));
    m.insert(
        "systemData".into(),
        common::system_data(existing.as_ref(), ctx),
    );
    m.insert("etag".into(), json!(common::new_guid()));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::MonitorWorkspace, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_path_pattern() {
        for ok in ["myAzureMonitorWorkspace", "ab", "a-b", "ws_"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["a", "-ab", "ab-", "a_b-c", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
