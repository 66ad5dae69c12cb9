//! AKS planned maintenance configurations (`managedClusters/{c}/maintenanceConfigurations/{n}`):
//! synchronous PUT/GET/LIST/DELETE (MaintenanceConfigurations_*, AKS 2026-08-01: PUT answers
//! 200 with the body, DELETE 200 or 204), validated against the MaintenanceWindow schema.

use serde_json::{Map, Value, json};

use super::common::{self, Ctx};
use super::error::ArmError;
use super::handlers::Written;
use super::kind::Kind;
use super::route::Target;
use super::state::State;

/// The names AKS accepts (Learn "Use Planned Maintenance to schedule and control upgrades for
/// your AKS cluster", https://learn.microsoft.com/azure/aks/planned-maintenance: "default",
/// "aksManagedAutoUpgradeSchedule" and "aksManagedNodeOSUpgradeSchedule").
const NAMES: [&str; 3] = [
    "default",
    "aksManagedAutoUpgradeSchedule",
    "aksManagedNodeOSUpgradeSchedule",
];

fn invalid(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::parent_record(state, target)?;
    let Some(name) = NAMES.iter().find(|n| n.eq_ignore_ascii_case(&target.name)) else {
        return Err(invalid(
            "configName",
            format!(
                "Maintenance configuration name '{}' is not supported: use 'default', 'aksManagedAutoUpgradeSchedule' or 'aksManagedNodeOSUpgradeSchedule'.",
                target.name
            ),
        ));
    };
    let props = body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(window) = props.get("maintenanceWindow") {
        check_window(window)?;
    } else if *name != "default" {
        // The named configurations are windows (Learn, planned maintenance: they take a
        // `--schedule-type`, `--duration` and `--start-time`); `timeInWeek` is the legacy one's.
        return Err(invalid(
            "properties.maintenanceWindow",
            format!("Maintenance configuration '{name}' requires a maintenanceWindow."),
        ));
    }
    let key = target.key();
    let created = state.get(&key).is_none();
    let stored = json!({
        "id": target.id,
        "name": target.name,
        "type": Kind::MaintenanceConfiguration.arm_type(),
        "properties": Value::Object(props),
    });
    state.put(key, target.id.clone(), target.kind, stored, ctx.now);
    Ok(Written::new(Kind::MaintenanceConfiguration, created))
}

/// MaintenanceWindow (AKS 2026-08-01): `schedule`, `durationHours` (4-24) and `startTime`
/// (`^\d{2}:\d{2}$`, "from '00:00' to '23:59'") are required; `utcOffset` matches
/// `^(-|\+)[0-9]{2}:[0-9]{2}$`; the schedule is one of daily (intervalDays 1-7), weekly
/// (intervalWeeks 1-4), absoluteMonthly (intervalMonths 1-6, dayOfMonth 1-31) or
/// relativeMonthly (intervalMonths 1-6).
fn check_window(window: &Value) -> Result<(), ArmError> {
    let w = window.as_object().ok_or_else(|| {
        invalid(
            "properties.maintenanceWindow",
            "maintenanceWindow must be an object.".into(),
        )
    })?;
    let duration = w.get("durationHours").and_then(Value::as_i64);
    if !duration.is_some_and(|d| (4..=24).contains(&d)) {
        return Err(invalid(
            "properties.maintenanceWindow.durationHours",
            "durationHours is required and must be between 4 and 24.".into(),
        ));
    }
    let start = w.get("startTime").and_then(Value::as_str).unwrap_or("");
    if !valid_clock(start) {
        return Err(invalid(
            "properties.maintenanceWindow.startTime",
            format!("startTime '{start}' must be between '00:00' and '23:59'."),
        ));
    }
    if let Some(offset) = w.get("utcOffset").filter(|v| !v.is_null()) {
        let ok = offset
            .as_str()
            .is_some_and(|o| (o.starts_with('+') || o.starts_with('-')) && valid_clock(&o[1..]));
        if !ok {
            return Err(invalid(
                "properties.maintenanceWindow.utcOffset",
                format!("utcOffset {offset} must be in the format +/-HH:mm."),
            ));
        }
    }
    let schedule = w
        .get("schedule")
        .and_then(Value::as_object)
        .map(|s| s.iter().filter(|(_, v)| !v.is_null()).collect::<Vec<_>>())
        .unwrap_or_default();
    let [(kind, spec)] = schedule.as_slice() else {
        return Err(invalid(
            "properties.maintenanceWindow.schedule",
            "Exactly one of daily, weekly, absoluteMonthly and relativeMonthly must be set in the schedule.".into(),
        ));
    };
    let bounds: &[(&str, i64, i64)] = match kind.as_str() {
        "daily" => &[("intervalDays", 1, 7)],
        "weekly" => &[("intervalWeeks", 1, 4)],
        "absoluteMonthly" => &[("intervalMonths", 1, 6), ("dayOfMonth", 1, 31)],
        "relativeMonthly" => &[("intervalMonths", 1, 6)],
        other => {
            return Err(invalid(
                "properties.maintenanceWindow.schedule",
                format!("Unknown schedule type '{other}'."),
            ));
        }
    };
    let empty = Map::new();
    let spec = spec.as_object().unwrap_or(&empty);
    for (field, min, max) in bounds {
        if !spec
            .get(*field)
            .and_then(Value::as_i64)
            .is_some_and(|n| (*min..=*max).contains(&n))
        {
            return Err(invalid(
                &format!("properties.maintenanceWindow.schedule.{kind}.{field}"),
                format!("{kind}.{field} is required and must be between {min} and {max}."),
            ));
        }
    }
    Ok(())
}

/// `HH:mm` from 00:00 to 23:59.
fn valid_clock(s: &str) -> bool {
    let Some((h, m)) = s.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}
