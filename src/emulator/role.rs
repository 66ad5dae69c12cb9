//! Microsoft.Authorization/roleAssignments (2022-04-01) at any scope: synchronous PUT and DELETE
//! (200 with the deleted body), immutable assignments, RoleAssignmentExists for a duplicate under
//! another name, and PrincipalNotFound while a new principal is still replicating.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written, paged, render};
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

/// Role definitions are compared on their trailing GUID: ARM accepts the subscription-prefixed and
/// the tenant-level forms of the same definition id.
fn role_guid(role_definition_id: &str) -> Option<String> {
    let (prefix, guid) = role_definition_id.rsplit_once('/')?;
    (prefix
        .to_ascii_lowercase()
        .ends_with("/providers/microsoft.authorization/roledefinitions")
        && is_guid(guid))
    .then(|| guid.to_ascii_lowercase())
}

fn field<'v>(body: &'v Value, name: &str) -> Option<&'v str> {
    common::str_at(body, &["properties", name])
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    if !is_guid(&target.name) {
        return Err(ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{}' is not valid. The role assignment ID must be a GUID.",
                target.name
            ),
        ));
    }
    let scope = target.parent_id.clone().unwrap_or_default();
    let scope_key = scope.to_ascii_lowercase();
    // Azure RBAC for Kubernetes namespaces assigns at `<cluster id>/namespaces/<name>`, a scope
    // ARM accepts without a resource of its own; the cluster must exist.
    let checked_scope = match scope_key.find("/namespaces/") {
        Some(at) if scope_key[..at].contains("/microsoft.containerservice/managedclusters/") => {
            scope_key[..at].to_string()
        }
        _ => scope_key.clone(),
    };
    if checked_scope.contains("/providers/") && state.get(&checked_scope).is_none() {
        return Err(ArmError::new(
            404,
            "ResourceNotFound",
            format!("The scope '{scope}' does not exist."),
        ));
    }
    let props = common::properties(body)?;
    let role_definition_id = props
        .get("roleDefinitionId")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.roleDefinitionId"))?;
    let principal_id = props
        .get("principalId")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.principalId"))?;
    let guid = role_guid(role_definition_id).ok_or_else(|| {
        ArmError::bad_request(
            "InvalidRoleDefinitionId",
            format!("The role definition ID '{role_definition_id}' is not valid."),
        )
    })?;
    if !is_guid(principal_id) {
        return Err(ArmError::bad_request(
            "InvalidPrincipalId",
            "A valid principal ID must be provided for role assignment.",
        ));
    }
    let principal_type = props
        .get("principalType")
        .and_then(Value::as_str)
        .unwrap_or("User")
        .to_string();
    let key = target.key();
    let existing = state.get(&key).cloned();
    if let Some(old) = &existing {
        let same = field(&old.body, "principalId")
            .is_some_and(|p| p.eq_ignore_ascii_case(principal_id))
            && field(&old.body, "roleDefinitionId")
                .and_then(role_guid)
                .as_deref()
                == Some(guid.as_str());
        if !same {
            return Err(ArmError::bad_request(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
    }
    let duplicate = state.resources.values().find(|r| {
        r.kind == Kind::RoleAssignment
            && r.id.to_ascii_lowercase() != key
            && field(&r.body, "scope").is_some_and(|s| s.eq_ignore_ascii_case(&scope))
            && field(&r.body, "principalId").is_some_and(|p| p.eq_ignore_ascii_case(principal_id))
            && field(&r.body, "roleDefinitionId")
                .and_then(role_guid)
                .as_deref()
                == Some(guid.as_str())
    });
    if let Some(dup) = duplicate {
        let existing_name = common::str_at(&dup.body, &["name"])
            .unwrap_or("")
            .replace('-', "");
        return Err(ArmError::conflict(
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {existing_name}."
            ),
        ));
    }
    // Directory replication: a just-created principal is invisible for a while. Real ARM skips the
    // directory lookup when principalType is given as ServicePrincipal; a fault can force it.
    let window = ctx.principal_window_override_ms.or_else(|| {
        (!principal_type.eq_ignore_ascii_case("ServicePrincipal"))
            .then_some(ctx.settings.principal_window_ms)
    });
    if let (Some(window), Some(created)) = (
        window,
        state.principals.get(&principal_id.to_ascii_lowercase()),
    ) && created.saturating_add(ctx.settings.scaled(window)) > ctx.now
    {
        return Err(ArmError::bad_request(
            "PrincipalNotFound",
            format!(
                "Principal {} does not exist in the directory {}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, and retry the assignment.",
                principal_id.replace('-', ""),
                ctx.settings.tenant_id
            ),
        ));
    }
    let created_on = existing
        .as_ref()
        .and_then(|r| r.body.get("properties")?.get("createdOn").cloned())
        .unwrap_or_else(|| json!(ctx.timestamp()));
    let mut out = Map::new();
    out.insert("roleDefinitionId".into(), json!(role_definition_id));
    out.insert("principalId".into(), json!(principal_id));
    out.insert("principalType".into(), json!(principal_type));
    out.insert("scope".into(), json!(scope));
    for optional in [
        "condition",
        "conditionVersion",
        "description",
        "delegatedManagedIdentityResourceId",
    ] {
        if let Some(v) = props.get(optional).filter(|v| !v.is_null()) {
            out.insert(optional.into(), v.clone());
        }
    }
    out.insert("createdOn".into(), created_on);
    out.insert("updatedOn".into(), json!(ctx.timestamp()));
    out.insert("createdBy".into(), json!(null));
    out.insert("updatedBy".into(), json!("azplan-emulator"));
    let m = json!({
        "id": target.id,
        "type": Kind::RoleAssignment.arm_type(),
        "name": target.name,
        "properties": Value::Object(out),
    });
    state.put(key, target.id.clone(), target.kind, m, ctx.now);
    Ok(Written {
        created: existing.is_none(),
        duration_ms: 0,
        hold_ms: 0,
    })
}

/// Assignments visible at a scope: at, above and below it; `$filter=atScope()` keeps at and above,
/// `$filter=principalId eq '…'` keeps one principal's.
pub(crate) fn list(state: &State, ctx: &Ctx, scope: &str) -> Reply {
    let scope = scope.to_ascii_lowercase();
    let filter = ctx.query.get("$filter").unwrap_or("").to_string();
    let at_scope = filter.to_ascii_lowercase().contains("atscope()");
    let principal = filter
        .to_ascii_lowercase()
        .split("principalid eq '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_string);
    let value: Vec<Value> = state
        .resources
        .values()
        .filter(|r| r.kind == Kind::RoleAssignment)
        .filter(|r| {
            let s = field(&r.body, "scope").unwrap_or("").to_ascii_lowercase();
            let above = scope == s || scope.starts_with(&format!("{s}/"));
            let below = s.starts_with(&format!("{scope}/"));
            above || (!at_scope && below)
        })
        .filter(|r| {
            principal.as_ref().is_none_or(|p| {
                field(&r.body, "principalId").is_some_and(|x| x.eq_ignore_ascii_case(p))
            })
        })
        .map(|r| render(state, r))
        .collect();
    paged(ctx, value)
}
