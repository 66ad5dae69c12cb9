//! Microsoft.OperationalInsights/workspaces: PUT answers 200/201 with a non-terminal
//! provisioningState and no polling header (Workspaces.json declares none), ids come back
//! lower-cased as in WorkspacesCreate.json, and deleted names stay reserved for 14 days unless
//! `force=true`.

use serde_json::{Map, Value, json};

use crate::emulator::clock;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::{DeletedWorkspace, Record, State};

const READ_ONLY: [&str; 5] = [
    "customerId",
    "provisioningState",
    "createdDate",
    "modifiedDate",
    "privateLinkScopedResources",
];
const SOFT_DELETE_MS: u64 = 14 * 24 * 3600 * 1000;

fn reservation_key(target: &Target) -> String {
    format!("{}/{}", target.subscription, target.name).to_ascii_lowercase()
}

/// When the daily cap resets next: a time in the future (it was the request time before), at a
/// whole day, in whole seconds like the dates of the 2025-07-01 WorkspacesGet.json example
/// (`2020-07-04T07:35:51Z`). Not verified against a live workspace.
fn next_quota_reset(now_ms: u64) -> String {
    let day_ms = 86_400_000;
    let next = (now_ms / day_ms + 1) * day_ms;
    let full = clock::rfc3339(next);
    format!("{}Z", &full[..19])
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_name(
        &target.name,
        "workspace",
        (4, 63),
        |c| c.is_ascii_alphanumeric() || c == '-',
        |first, last| first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric(),
        "The name must be 4-63 letters, digits or hyphens, beginning and ending with a letter or digit.",
    )?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let mut recovered_customer_id = None;
    if existing.is_none() {
        let rkey = reservation_key(target);
        if let Some(deleted) = state.deleted_workspaces.get(&rkey).cloned() {
            let same_place = deleted
                .resource_group
                .eq_ignore_ascii_case(target.resource_group.as_deref().unwrap_or(""))
                && deleted.location == location;
            if deleted.purge_at_ms <= ctx.now {
                state.deleted_workspaces.remove(&rkey);
            } else if same_place {
                // Re-creating in the same group and region recovers the soft-deleted workspace.
                recovered_customer_id = Some(deleted.customer_id.clone());
                state.deleted_workspaces.remove(&rkey);
            } else {
                return Err(ArmError::conflict(
                    "Conflict",
                    format!("The workspace name '{}' is not unique", target.name),
                )
                .with_target("name"));
            }
        }
    }
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    let created = existing.is_none();
    let old_props = existing
        .as_ref()
        .and_then(|r| r.body.get("properties"))
        .cloned()
        .unwrap_or(Value::Null);
    let customer_id = old_props
        .get("customerId")
        .cloned()
        .or(recovered_customer_id.map(Value::String))
        .unwrap_or_else(|| json!(common::new_guid()));
    let created_date = old_props
        .get("createdDate")
        .cloned()
        .unwrap_or_else(|| json!(ctx.timestamp()));
    let mut out = Map::new();
    out.insert("customerId".into(), customer_id);
    out.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Updating" }),
    );
    out.extend(props);
    let sku_name = common::str_at(&Value::Object(out.clone()), &["sku", "name"])
        .unwrap_or("PerGB2018")
        .to_string();
    let last_sku_update = old_props
        .get("sku")
        .filter(|old| old.get("name").and_then(Value::as_str) == Some(sku_name.as_str()))
        .and_then(|old| old.get("lastSkuUpdate").cloned())
        .unwrap_or_else(|| json!(ctx.timestamp()));
    out.insert(
        "sku".into(),
        json!({"name": sku_name, "lastSkuUpdate": last_sku_update}),
    );
    common::merge_defaults(
        &mut out,
        json!({
            "retentionInDays": 30,
            "publicNetworkAccessForIngestion": "Enabled",
            "publicNetworkAccessForQuery": "Enabled",
            "features": {"legacy": 0, "searchVersion": 1, "enableLogAccessUsingOnlyResourcePermissions": true},
            "workspaceCapping": {"dailyQuotaGb": -1.0, "quotaNextResetTime": next_quota_reset(ctx.now), "dataIngestionStatus": "RespectQuota"},
            "createdDate": created_date,
        }),
    );
    out.insert("modifiedDate".into(), json!(ctx.timestamp()));
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    // The service answers with a lower-cased id (WorkspacesCreate.json); clients must compare ids
    // case-insensitively, and this keeps them honest.
    m.insert("id".into(), json!(target.id.to_ascii_lowercase()));
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
    Ok(Written::new(Kind::Workspace, created))
}

pub(crate) fn patch(updated: &mut Value, body: &Value) -> Result<(), ArmError> {
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    common::merge_patch(&mut updated["properties"], &Value::Object(props));
    Ok(())
}

pub(crate) fn soft_delete_in_group(state: &mut State, ctx: &Ctx, group_key: &str) {
    let prefix = format!("{group_key}/");
    let workspaces: Vec<Record> = state
        .resources
        .iter()
        .filter(|(k, r)| r.kind == Kind::Workspace && k.starts_with(&prefix))
        .map(|(_, r)| r.clone())
        .collect();
    for record in workspaces {
        let name = common::str_at(&record.body, &["name"])
            .unwrap_or("")
            .to_string();
        let subscription = record.id.split('/').nth(2).unwrap_or("").to_string();
        let resource_group = record.id.split('/').nth(4).unwrap_or("").to_string();
        state.deleted_workspaces.insert(
            format!("{subscription}/{name}").to_ascii_lowercase(),
            DeletedWorkspace {
                resource_group,
                location: common::str_at(&record.body, &["location"])
                    .unwrap_or("")
                    .to_string(),
                customer_id: common::str_at(&record.body, &["properties", "customerId"])
                    .unwrap_or("")
                    .to_string(),
                purge_at_ms: ctx.now.saturating_add(ctx.settings.scaled(SOFT_DELETE_MS)),
            },
        );
        state.dirty = true;
    }
}

/// Without `force=true` the name stays reserved (soft delete); with it the name is released.
pub(crate) fn soft_delete(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    record: &Record,
) -> Result<(), ArmError> {
    let rkey = reservation_key(target);
    let force = ctx
        .query
        .get("force")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if force {
        state.deleted_workspaces.remove(&rkey);
        return Ok(());
    }
    let entry = DeletedWorkspace {
        resource_group: target.resource_group.clone().unwrap_or_default(),
        location: common::str_at(&record.body, &["location"])
            .unwrap_or("")
            .to_string(),
        customer_id: common::str_at(&record.body, &["properties", "customerId"])
            .unwrap_or("")
            .to_string(),
        purge_at_ms: ctx.now.saturating_add(ctx.settings.scaled(SOFT_DELETE_MS)),
    };
    state.deleted_workspaces.insert(rkey, entry);
    state.dirty = true;
    Ok(())
}
