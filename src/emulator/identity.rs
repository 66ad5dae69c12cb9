//! Microsoft.ManagedIdentity userAssignedIdentities and federatedIdentityCredentials: synchronous
//! PUT/DELETE, generated principal/client ids, and the service's refusal of concurrent credential
//! writes under one identity (409 ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity).

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

const MAX_CREDENTIALS: usize = 20;

/// The managed identity provider writes `resourcegroups` in lower case in the ids it answers
/// with (IdentityCreate.json and FederatedIdentityCredentialGet.json, msi stable/2026-05-31).
fn msi_id(id: &str) -> String {
    id.replacen("/resourceGroups/", "/resourcegroups/", 1)
}

pub(crate) fn put_identity(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_name(
        &target.name,
        "user-assigned identity",
        (3, 128),
        |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
        |first, _| first.is_ascii_alphanumeric(),
        "The name must be 3-128 characters: letters, digits, hyphens and underscores, starting with a letter or digit.",
    )?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let old = existing
        .as_ref()
        .and_then(|r| r.body.get("properties"))
        .cloned()
        .unwrap_or(Value::Null);
    let principal_id = old
        .get("principalId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(common::new_guid);
    let client_id = old
        .get("clientId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(common::new_guid);
    let mut out = Map::new();
    out.insert("tenantId".into(), json!(ctx.settings.tenant_id));
    out.insert("principalId".into(), json!(principal_id));
    out.insert("clientId".into(), json!(client_id));
    // 2026-05-31 added these and returns them even when not sent (IdentityCreate.json).
    if ctx.api_version.as_str() >= "2025-01-31" {
        let props = common::properties(body)?;
        out.insert(
            "isolationScope".into(),
            props
                .get("isolationScope")
                .cloned()
                .unwrap_or_else(|| json!("None")),
        );
        out.insert(
            "assignmentRestrictions".into(),
            props
                .get("assignmentRestrictions")
                .cloned()
                .unwrap_or_else(|| json!({"providers": []})),
        );
    }
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert("id".into(), json!(msi_id(&target.id)));
    m.insert("properties".into(), Value::Object(out));
    if existing.is_none() {
        state
            .principals
            .insert(principal_id.to_ascii_lowercase(), ctx.now);
    }
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written {
        created: existing.is_none(),
        duration_ms: 0,
        hold_ms: 0,
    })
}

/// Marks the identity busy for the duration of one credential write, or refuses with 409.
fn claim(state: &mut State, ctx: &Ctx, identity_key: &str) -> Result<u64, ArmError> {
    if state
        .busy_until
        .get(identity_key)
        .is_some_and(|until| *until > ctx.now)
    {
        return Err(ArmError::conflict(
            "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
            format!(
                "Too many Federated Identity Credentials are written concurrently for the managed identity '{identity_key}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported."
            ),
        ));
    }
    let hold = ctx.settings.scaled(ctx.settings.fic_write_ms);
    state
        .busy_until
        .insert(identity_key.to_string(), ctx.now.saturating_add(hold));
    Ok(hold)
}

pub(crate) fn put_credential(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_name(
        &target.name,
        "federated identity credential",
        (3, 120),
        |c| c.is_ascii_alphanumeric() || c == '-' || c == '_',
        |first, _| first.is_ascii_alphanumeric(),
        "The name must match ^[a-zA-Z0-9]{1}[a-zA-Z0-9-_]{2,119}$.",
    )?;
    let identity_key = common::parent_record(state, target)?
        .id
        .to_ascii_lowercase();
    let props = common::properties(body)?;
    let issuer = props
        .get("issuer")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.issuer"))?;
    let subject = props
        .get("subject")
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.subject"))?;
    let audiences = props
        .get("audiences")
        .and_then(Value::as_array)
        .ok_or_else(|| ArmError::missing_property("properties.audiences"))?;
    if audiences.len() != 1 || !audiences.iter().all(Value::is_string) {
        return Err(
            ArmError::bad_request("BadRequest", "Exactly one audience must be specified.")
                .with_target("properties.audiences"),
        );
    }
    if !issuer.starts_with("https://") {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The issuer must be a valid URL starting with 'https://'.",
        )
        .with_target("properties.issuer"));
    }
    let key = target.key();
    let siblings = state.children(&identity_key, Kind::FederatedCredential);
    let others: Vec<_> = siblings
        .iter()
        .filter(|r| r.id.to_ascii_lowercase() != key)
        .collect();
    if others.iter().any(|r| {
        common::str_at(&r.body, &["properties", "issuer"]) == Some(issuer)
            && common::str_at(&r.body, &["properties", "subject"]) == Some(subject)
    }) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Issuer and subject combination already exists for this Managed Identity.",
        ));
    }
    let created = state.get(&key).is_none();
    if created && others.len() >= MAX_CREDENTIALS {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The managed identity already has the maximum of {MAX_CREDENTIALS} federated identity credentials."
            ),
        ));
    }
    let hold_ms = claim(state, ctx, &identity_key)?;
    let mut out = Map::new();
    out.insert("issuer".into(), json!(issuer));
    out.insert("subject".into(), json!(subject));
    out.insert("audiences".into(), Value::Array(audiences.clone()));
    if let Some(expr) = props.get("claimsMatchingExpression") {
        out.insert("claimsMatchingExpression".into(), expr.clone());
    }
    let m = json!({
        "id": msi_id(&target.id),
        "name": target.name,
        "type": Kind::FederatedCredential.arm_type(),
        "properties": Value::Object(out),
    });
    state.put(key, target.id.clone(), target.kind, m, ctx.now);
    Ok(Written {
        created,
        duration_ms: 0,
        hold_ms,
    })
}

/// Deletes are writes too: they take the identity for the same window. Returns the hold time.
pub(crate) fn before_delete_credential(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
) -> Result<u64, ArmError> {
    let identity_key = target
        .parent_id
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    claim(state, ctx, &identity_key)
}
