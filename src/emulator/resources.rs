//! Microsoft.Resources/resourceGroups: synchronous PUT, LRO delete that cascades to everything in
//! the group (resources.json 2025-04-01).

use serde_json::{Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// Resource group names (Learn "Naming rules and restrictions for Azure resources",
/// Microsoft.Resources/resourcegroups): 1-90 characters, Unicode letters and digits, `-`, `_`,
/// `.`, `(`, `)`, not ending with a period — so non-ASCII letters are valid.
pub(crate) fn check_group_name(name: &str) -> Result<(), ArmError> {
    let valid_char = |c: char| c.is_alphanumeric() || "-_.()".contains(c);
    if name.is_empty()
        || name.chars().count() > 90
        || !name.chars().all(valid_char)
        || name.ends_with('.')
    {
        return Err(ArmError::bad_request(
            "InvalidResourceGroup",
            format!(
                "The provided resource group name '{name}' has these invalid characters: '{}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_', must not end with a period, and can be up to 90 characters long.",
                name.chars().filter(|c| !valid_char(*c)).collect::<String>()
            ),
        ));
    }
    Ok(())
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let name = &target.name;
    check_group_name(name)?;
    let location = common::required_location(body)?;
    let key = target.key();
    if state.pending(&key).is_some() {
        return Err(ArmError::conflict(
            "ResourceGroupBeingDeleted",
            format!(
                "The resource group '{name}' is in deprovisioning state and cannot perform this operation."
            ),
        ));
    }
    let existing = state.get(&key).cloned();
    if let Some(old) = existing
        .as_ref()
        .and_then(|r| r.body.get("location"))
        .and_then(Value::as_str)
        && old != location
    {
        return Err(ArmError::conflict(
            "InvalidResourceGroupLocation",
            format!(
                "Invalid resource group location '{location}'. The Resource group already exists in location '{old}'."
            ),
        ));
    }
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    if let Some(managed_by) = body.get("managedBy").filter(|v| v.is_string()) {
        m.insert("managedBy".into(), managed_by.clone());
    }
    m.insert(
        "properties".into(),
        json!({"provisioningState": "Succeeded"}),
    );
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
