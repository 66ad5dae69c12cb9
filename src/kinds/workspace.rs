//! Log Analytics workspaces: pricing tier, retention and an optional daily cap.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::model::{Resource, Spec, Workspace};

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
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM and azurerm names of a workspace's settings (`crate::kinds::habits`). ARM:
/// Microsoft.OperationalInsights workspaces properties; azurerm: `azurerm_log_analytics_workspace`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "retentionInDays", "retention_in_days", "`retentionDays`"),
    habit("", "workspaceCapping", "", "`dailyQuotaGb`"),
];

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

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn workspaces(&mut self, entries: &[Entry<RawWorkspace>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::Workspace,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::workspace,
            );
            let retention_days = s.retention_days.as_ref().map_or(30, |r| r.value);
            if let Some(r) = s
                .retention_days
                .as_ref()
                .filter(|r| !(30..=730).contains(&r.value))
            {
                self.error(SpecDiagnostic::invalid(
                    format!("retention of {} days is out of range", r.value),
                    r.span,
                    "out of range",
                    "Log Analytics keeps data 30 to 730 days",
                ));
            }
            resource.spec = Spec::Workspace(Workspace {
                sku: s.sku.clone().unwrap_or_else(|| "PerGB2018".into()),
                retention_days,
                daily_quota_gb: s.daily_quota_gb,
            });
            self.insert(resource);
        }
    }
}
