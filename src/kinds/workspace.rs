//! Log Analytics workspaces: pricing tier, retention and an optional daily cap.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{Resource, Workspace};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawWorkspace {
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Pricing tier, default `PerGB2018`.
    pub sku: Option<String>,
    /// Days of retention, 30-730. Default 30.
    pub retention_days: Option<Spanned<u32>>,
    /// Daily ingestion cap in GB; unset means no cap.
    pub daily_quota_gb: Option<f64>,
}

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

crate::spec::common!(RawWorkspace);
