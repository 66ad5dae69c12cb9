//! Log Analytics workspaces: pricing tier, retention and an optional daily cap.

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{Resource, Workspace};

pub static DEF: KindDef = KindDef {
    kind: Kind::Workspace,
    section: Some("workspaces"),
    prefix: "workspace",
    noun: "Log Analytics workspace",
    example: "`workspace/NAME`",
    arm: &[ArmType {
        path: "Microsoft.OperationalInsights/workspaces",
        api_version: "2025-07-01",
    }],
    parent: None,
    taggable: true,
    serial: Serial::Free,
    delete_rank: 1,
    rules: &RULES,
};

pub static RULES: Rules = Rules {
    immutable: &[("location", "a workspace cannot move to another region")],
    exact_maps: &["tags"],
    case_insensitive: &["location", "properties.sku.name"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, w: &Workspace) -> Value {
    let mut body = tracked(b, resource);
    body["properties"] = json!({
        "sku": { "name": w.sku },
        "retentionInDays": w.retention_days,
    });
    if let Some(quota) = w.daily_quota_gb {
        body["properties"]["workspaceCapping"] = json!({ "dailyQuotaGb": quota });
    }
    body
}
