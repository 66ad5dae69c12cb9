//! Microsoft.Authorization/policyAssignments at any scope (policyAssignments.json 2025-03-01 and
//! 2026-06-01): synchronous PUT (201 with the body) and DELETE (200 with the deleted body, 204
//! when absent), the read-only `scope` and `instanceId` the official examples show, the
//! service's defaults (`enforcementMode` Default, `notScopes` []), and a system-assigned identity
//! that needs a location.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written, paged, render};
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// Whether an ID names a policy definition or initiative (`…/providers/Microsoft.Authorization/
/// policyDefinitions/{name}` or `policySetDefinitions/{name}`, built-in or at a subscription or
/// management group): "The ID of the policy definition or policy set definition being
/// assigned" (PolicyAssignmentProperties `policyDefinitionId`).
fn is_definition_id(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    let Some((prefix, name)) = lower.rsplit_once('/') else {
        return false;
    };
    !name.is_empty()
        && lower.starts_with('/')
        && (prefix.ends_with("/providers/microsoft.authorization/policydefinitions")
            || prefix.ends_with("/providers/microsoft.authorization/policysetdefinitions"))
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let scope = target.parent_id.clone().unwrap_or_default();
    let scope_key = scope.to_ascii_lowercase();
    // "Valid scopes are: management group, subscription, resource group, or resource": a
    // resource scope must exist (the group is checked by the handler).
    if scope_key.contains("/providers/") && state.get(&scope_key).is_none() {
        return Err(ArmError::new(
            404,
            "ResourceNotFound",
            format!("The scope '{scope}' does not exist."),
        ));
    }
    let props = common::properties(body)?;
    let definition = props
        .get("policyDefinitionId")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.policyDefinitionId"))?;
    if !is_definition_id(definition) {
        return Err(ArmError::new(
            404,
            "PolicyDefinitionNotFound",
            format!("The policy definition '{definition}' could not be found."),
        ));
    }
    if let Some(mode) = props.get("enforcementMode").and_then(Value::as_str)
        && !["Default", "DoNotEnforce", "Enroll"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(mode))
    {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            format!(
                "The enforcement mode '{mode}' is not valid: it is Default, DoNotEnforce or Enroll."
            ),
        ));
    }
    let key = target.key();
    let existing = state.get(&key).cloned();
    // Identity: "Policy assignments support a maximum of one identity. That is either a system
    // assigned identity or a single user assigned identity"; `location` is "Only required when
    // utilizing managed identity" (policyAssignments.json).
    let identity_type = body
        .pointer("/identity/type")
        .and_then(Value::as_str)
        .unwrap_or("None");
    let location = body
        .get("location")
        .and_then(Value::as_str)
        .map(common::normalize_location);
    let identity = match identity_type.to_ascii_lowercase().as_str() {
        "none" => None,
        "systemassigned" => {
            // The principal stays while the assignment keeps its system-assigned identity.
            let principal = existing
                .as_ref()
                .and_then(|r| r.body.pointer("/identity/principalId").cloned())
                .unwrap_or_else(|| json!(common::new_guid()));
            Some(json!({
                "type": "SystemAssigned",
                "principalId": principal,
                "tenantId": ctx.settings.tenant_id,
            }))
        }
        "userassigned" => {
            let ids = body
                .pointer("/identity/userAssignedIdentities")
                .and_then(Value::as_object)
                .filter(|m| m.len() == 1)
                .ok_or_else(|| {
                    ArmError::bad_request(
                        "InvalidRequestContent",
                        "A policy assignment with a user assigned identity names exactly one identity.",
                    )
                })?;
            let listed: Map<String, Value> = ids
                .keys()
                .map(|id| {
                    (
                        id.clone(),
                        json!({
                            "principalId": common::derived_guid(&format!("{id}/principal")),
                            "clientId": common::derived_guid(&format!("{id}/client")),
                        }),
                    )
                })
                .collect();
            Some(json!({ "type": "UserAssigned", "userAssignedIdentities": listed }))
        }
        other => {
            return Err(ArmError::bad_request(
                "InvalidRequestContent",
                format!("The identity type '{other}' is not valid for a policy assignment."),
            ));
        }
    };
    if identity.is_some() && location.is_none() {
        return Err(ArmError::bad_request(
            "InvalidCreatePolicyAssignmentRequest",
            format!(
                "The policy assignment '{}' request is invalid. Policy assignments with managed identity must specify a location.",
                target.name
            ),
        ));
    }
    let mut out = Map::new();
    for optional in [
        "displayName",
        "description",
        "parameters",
        "nonComplianceMessages",
        "resourceSelectors",
        "overrides",
        "assignmentType",
    ] {
        if let Some(v) = props.get(optional).filter(|v| !v.is_null()) {
            out.insert(optional.into(), v.clone());
        }
    }
    out.insert("policyDefinitionId".into(), json!(definition));
    // The examples answer `1.*.*` where the request gives no version.
    out.insert(
        "definitionVersion".into(),
        props
            .get("definitionVersion")
            .cloned()
            .unwrap_or_else(|| json!("1.*.*")),
    );
    out.insert(
        "metadata".into(),
        props.get("metadata").cloned().unwrap_or_else(|| json!({})),
    );
    out.insert(
        "notScopes".into(),
        props.get("notScopes").cloned().unwrap_or_else(|| json!([])),
    );
    // "default": "Default".
    out.insert(
        "enforcementMode".into(),
        props
            .get("enforcementMode")
            .cloned()
            .unwrap_or_else(|| json!("Default")),
    );
    out.insert("scope".into(), json!(scope));
    // "This ID only and always changes when the assignment is deleted and recreated."
    let instance = existing
        .as_ref()
        .and_then(|r| r.body.pointer("/properties/instanceId").cloned())
        .unwrap_or_else(|| json!(common::new_guid()));
    out.insert("instanceId".into(), instance);
    let mut m = json!({
        "id": target.id,
        "type": Kind::PolicyAssignment.arm_type(),
        "name": target.name,
        "properties": Value::Object(out),
        "systemData": common::system_data(existing.as_ref(), ctx),
    });
    if let Some(identity) = identity {
        m["identity"] = identity;
    }
    if let Some(location) = location {
        m["location"] = json!(location);
    }
    state.put(key, target.id.clone(), target.kind, m, ctx.now);
    Ok(Written {
        created: existing.is_none(),
        duration_ms: 0,
        hold_ms: 0,
    })
}

/// Assignments that apply at a scope: at, above and below it; `$filter=atScope()` keeps at and
/// above, `atExactScope()` only at, `policyDefinitionId eq '…'` one definition's
/// (PolicyAssignments_List* descriptions).
pub(crate) fn list(state: &State, ctx: &Ctx, scope: &str) -> Reply {
    let scope = scope.to_ascii_lowercase();
    let filter = ctx.query.get("$filter").unwrap_or("").to_ascii_lowercase();
    let exact = filter.contains("atexactscope()");
    // `policyDefinitionId eq '{value}'`: the assignments of one definition.
    let definition = filter
        .split("policydefinitionid eq '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_string);
    let at_scope = exact || filter.contains("atscope()");
    let value: Vec<Value> = state
        .resources
        .values()
        .filter(|r| r.kind == Kind::PolicyAssignment)
        .filter(|r| {
            let s = common::str_at(&r.body, &["properties", "scope"])
                .unwrap_or("")
                .to_ascii_lowercase();
            if exact {
                return s == scope;
            }
            let above = scope == s || scope.starts_with(&format!("{s}/"));
            let below = s.starts_with(&format!("{scope}/"));
            above || (!at_scope && below)
        })
        .filter(|r| {
            definition.as_ref().is_none_or(|d| {
                common::str_at(&r.body, &["properties", "policyDefinitionId"])
                    .is_some_and(|x| x.eq_ignore_ascii_case(d))
            })
        })
        .map(|r| render(state, r))
        .collect();
    paged(ctx, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_ids_are_recognised() {
        assert!(is_definition_id(
            "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
        ));
        assert!(is_definition_id(
            "/subscriptions/s/providers/Microsoft.Authorization/policyDefinitions/ResourceNaming"
        ));
        assert!(!is_definition_id("ResourceNaming"));
        assert!(!is_definition_id(
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/x"
        ));
    }
}
