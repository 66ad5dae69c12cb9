//! Microsoft.Insights/dataCollectionRules (dataCollectionRules_API.json, stable 2023-03-11):
//! synchronous PUT (200/201), PATCH (200: tags and identity) and DELETE (200/204). The service
//! fills in the read-only `immutableId`, `provisioningState`, and in each destination the ID of
//! what it names: a Log Analytics destination's `workspaceId` (the workspace's customer ID) and
//! a monitoring account's `accountId` (the Azure Monitor workspace's `accountId`), as the
//! DataCollectionRulesGet example shows. A flow must send to destinations the rule declares.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// `readOnly` in DataCollectionRule: what a client sends there is ignored.
const READ_ONLY: [&str; 4] = ["immutableId", "metadata", "endpoints", "provisioningState"];

/// The read-only ID of what a destination names: from the emulated resource when it exists,
/// else a stable stand-in (the resource is outside what the emulator holds).
fn destination_id(state: &State, id: &str, path: &[&str]) -> String {
    state
        .get(&id.to_ascii_lowercase())
        .and_then(|r| common::str_at(&r.body, path).map(str::to_string))
        .unwrap_or_else(|| common::derived_guid(id))
}

/// Every destination's name, from each destination type's list.
fn destination_names(destinations: &Value) -> Vec<String> {
    destinations
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|d| d.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    let declared = destination_names(props.get("destinations").unwrap_or(&Value::Null));
    for flow in props
        .get("dataFlows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for wanted in flow
            .get("destinations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !declared.iter().any(|d| d == wanted) {
                // The code is not from a capture of the service; the rule is the spec's
                // (DataFlow.destinations: "List of destinations for this data flow").
                return Err(ArmError::bad_request(
                    "InvalidPayload",
                    format!(
                        "Data collection rule is invalid: a data flow sends to '{wanted}', which is not a destination of the rule."
                    ),
                ));
            }
        }
    }
    if let Some(destinations) = props.get_mut("destinations").and_then(Value::as_object_mut) {
        for la in destinations
            .get_mut("logAnalytics")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let id = common::str_at(la, &["workspaceResourceId"])
                .unwrap_or_default()
                .to_string();
            la["workspaceId"] = json!(destination_id(state, &id, &["properties", "customerId"]));
        }
        for account in destinations
            .get_mut("monitoringAccounts")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let id = common::str_at(account, &["accountResourceId"])
                .unwrap_or_default()
                .to_string();
            account["accountId"] = json!(destination_id(state, &id, &["properties", "accountId"]));
        }
    }
    // `immutableId` names the rule for the agents: kept across updates.
    let immutable = existing
        .as_ref()
        .and_then(|r| common::str_at(&r.body, &["properties", "immutableId"]))
        .map(str::to_string)
        .unwrap_or_else(|| format!("dcr-{}", common::new_guid().replace('-', "")));
    let mut out = Map::new();
    out.insert("immutableId".into(), json!(immutable));
    out.extend(props);
    out.insert("provisioningState".into(), json!("Succeeded"));
    common::put_monitor_resource(state, ctx, target, &location, body, out, existing.as_ref())?;
    Ok(Written::new(Kind::DataCollectionRule, existing.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_named_in_every_destination_list() {
        let d = json!({"logAnalytics": [{"name": "a"}], "monitoringAccounts": [{"name": "b"}]});
        assert_eq!(destination_names(&d), ["a", "b"]);
    }
}
