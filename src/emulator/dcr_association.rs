//! Microsoft.Insights/dataCollectionRuleAssociations (2023-03-11), the extension resource that
//! attaches a data collection rule (or a data collection endpoint) to a monitored resource:
//! `{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}` under any
//! resource. Its own module because it hangs under every type rather than one parent and is
//! also listed per rule. Behaviour from `dataCollectionRuleAssociations_API.json` of
//! specification/monitor/resource-manager/Microsoft.Insights/stable/2023-03-11 and its examples
//! (DataCollectionRuleAssociationsCreate, …Get, …ListByResource, …ListByRule):
//! - PUT answers 201 for a new association and 200 for an update, synchronously, with
//!   `properties.provisioningState` `Succeeded`; DELETE answers 200, or 204 when "Association
//!   did not exist".
//! - Writable: `description`, `dataCollectionRuleId`, `dataCollectionEndpointId`; read-only:
//!   `provisioningState`, `metadata` (set by an Azure offering that manages the association),
//!   `etag`, `systemData`.
//! - The body carries no `location` or `tags` (`DataCollectionRuleAssociationProxyOnlyResource`),
//!   so generic resource LISTs and Resource Graph's `Resources` table leave it out;
//!   `DataCollectionRuleAssociations_ListByResource` lists a resource's associations and
//!   `…_ListByRule` (`{rule}/associations`) a rule's, wherever their resources are.
//! - An association goes with its resource (the state removes everything under a deleted ID).

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written, render};
use crate::emulator::kind::Kind;
use crate::emulator::route::{self, Route, Target};
use crate::emulator::state::State;

/// The writable properties of `DataCollectionRuleAssociation`, kept as sent.
const WRITABLE: [&str; 3] = [
    "description",
    "dataCollectionRuleId",
    "dataCollectionEndpointId",
];

/// Whether the emulator serves the type of the resource an ID names, so its absence means
/// something (the example's `Microsoft.Compute/virtualMachines` cannot be judged and is
/// accepted, as for diagnostic settings).
fn served(id: &str) -> bool {
    matches!(route::parse(id), Ok(Route::Instance(_)))
}

/// A missing resource the association names or sits on. ResourceNotFound is ARM's code for a
/// resource it cannot find, as Azure Monitor's diagnostic settings answer it
/// (`emulator::diagnostic`); the wording for associations was not captured, so it is ARM's
/// generic one.
fn not_there(id: &str) -> ArmError {
    ArmError::new(
        404,
        "ResourceNotFound",
        format!("The Resource '{id}' was not found."),
    )
}

/// `DataCollectionRuleAssociations_Create`.
pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let scope = target.parent_id.clone().unwrap_or_default();
    if served(&scope) && state.get(&scope.to_ascii_lowercase()).is_none() {
        return Err(not_there(&scope));
    }
    let props = common::properties(body)?;
    for field in ["dataCollectionRuleId", "dataCollectionEndpointId"] {
        let Some(value) = props.get(field).filter(|v| !v.is_null()) else {
            continue;
        };
        let id = value.as_str().ok_or_else(|| {
            ArmError::invalid_body(&format!("'properties.{field}' must be a string"))
        })?;
        if served(id) && state.get(&id.to_ascii_lowercase()).is_none() {
            return Err(not_there(id));
        }
    }
    let key = target.key();
    let existing = state.get(&key).cloned();
    let mut out = Map::new();
    for name in WRITABLE {
        if let Some(v) = props.get(name).filter(|v| !v.is_null()) {
            out.insert(name.into(), v.clone());
        }
    }
    out.insert("provisioningState".into(), json!("Succeeded"));
    // `etag` and `systemData` are read-only properties of
    // DataCollectionRuleAssociationProxyOnlyResource; every example answers both.
    let doc = json!({
        "id": target.id,
        "type": Kind::DataCollectionRuleAssociation.arm_type(),
        "name": target.name,
        "properties": Value::Object(out),
        "systemData": common::system_data(existing.as_ref(), ctx),
        "etag": common::new_guid(),
    });
    state.put(key, target.id.clone(), target.kind, doc, ctx.now);
    Ok(Written {
        created: existing.is_none(),
        duration_ms: 0,
        hold_ms: 0,
    })
}

fn is_association(key: &str, record: &crate::emulator::state::Record) -> bool {
    record.kind == Kind::DataCollectionRuleAssociation
        && key.contains("/providers/microsoft.insights/datacollectionruleassociations/")
}

/// `DataCollectionRuleAssociations_ListByResource`: the associations directly under one
/// resource, in one page (`nextLink: null`, as the examples answer); the resource must exist
/// when the emulator serves its type.
pub(crate) fn list_by_resource(state: &State, scope: &str) -> Result<Reply, ArmError> {
    let scope_key = scope.to_ascii_lowercase();
    if served(scope) && state.get(&scope_key).is_none() {
        return Err(not_there(scope));
    }
    let prefix =
        format!("{scope_key}/providers/microsoft.insights/datacollectionruleassociations/");
    let value: Vec<Value> = state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, r)| is_association(k, r) && !k[prefix.len()..].contains('/'))
        .map(|(_, r)| render(state, r))
        .collect();
    Ok(Reply::json(
        200,
        json!({ "value": value, "nextLink": null }),
    ))
}

/// `DataCollectionRuleAssociations_ListByRule`: every association naming the rule, wherever
/// its resource is; the rule must exist.
pub(crate) fn list_by_rule(state: &State, rule_id: &str) -> Result<Reply, ArmError> {
    let rule_key = rule_id.to_ascii_lowercase();
    if state.get(&rule_key).is_none() {
        return Err(not_there(rule_id));
    }
    let value: Vec<Value> = state
        .resources
        .iter()
        .filter(|(k, r)| is_association(k, r))
        .filter(|(_, r)| {
            r.body
                .pointer("/properties/dataCollectionRuleId")
                .and_then(Value::as_str)
                .is_some_and(|id| id.eq_ignore_ascii_case(rule_id))
        })
        .map(|(_, r)| render(state, r))
        .collect();
    Ok(Reply::json(
        200,
        json!({ "value": value, "nextLink": null }),
    ))
}

/// A GET of an association that does not exist: ARM's status and code for a missing resource
/// (the wording is the emulator's; no captured answer was found).
pub(crate) fn not_found(target: &Target) -> ArmError {
    ArmError::new(
        404,
        "ResourceNotFound",
        format!(
            "The data collection rule association '{}' does not exist on resource '{}'.",
            target.name,
            target.parent_id.as_deref().unwrap_or_default()
        ),
    )
}
