//! Drift: what changed in Azure behind azplan's back, classified. Pure: a function of the plan
//! (so drift and plan can never disagree: the same diff rules decide both), the stack and live
//! state. A stack has drift exactly when its plan has changes.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kinds::{self, Context};
use crate::live::LiveState;
use crate::model::{Spec, Stack};
use crate::plan::{Action, Plan, PlanError, PropertyChange, lookup, owner_of};

/// Bumped when the JSON shape changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

/// What kind of difference a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A property the spec sets has another value in Azure (edited in the portal, with `az`…).
    Drift,
    /// A resource the spec declares is not in Azure (deleted out of band, or never applied).
    Missing,
    /// A resource the stack owns that the spec no longer declares.
    Extra,
    /// Not `Succeeded`: `Failed`/`Canceled`.
    Failed,
    /// An operation is in flight on it.
    Busy,
    /// The plan cannot be made for it (owned by another stack, not owned at all, a change AKS
    /// refuses): a person has to look.
    Conflict,
    /// In one of the stack's resource groups, owned by no stack: listed, never touched, not
    /// counted.
    Unmanaged,
    /// Azure's own housekeeping, which is not drift and not counted: a count the autoscaler
    /// set, a patch version AKS chose within the minor version the spec names.
    Housekeeping,
}

impl Class {
    /// Whether the class counts as drift found (exit 2). Exactly the classes whose plan has
    /// changes, plus conflicts a person has to resolve.
    pub fn counts(self) -> bool {
        !matches!(self, Class::Unmanaged | Class::Housekeeping)
    }

    pub fn label(self) -> &'static str {
        match self {
            Class::Drift => "drift",
            Class::Missing => "missing",
            Class::Extra => "extra",
            Class::Failed => "failed",
            Class::Busy => "busy",
            Class::Conflict => "conflict",
            Class::Unmanaged => "unmanaged",
            Class::Housekeeping => "housekeeping",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    pub class: Class,
    /// The spec address, or `(not in spec) …` for what the spec does not declare.
    pub address: String,
    pub id: String,
    /// In a sentence: what differs and what azplan would do about it.
    pub summary: String,
    /// The properties that differ (drift) or that Azure changed by itself (housekeeping).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<PropertyChange>,
    /// Who changed it and when, from the Activity Log, where it says.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub changed_by: Option<ChangedBy>,
}

/// The last write to a resource the Activity Log shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangedBy {
    pub caller: String,
    pub when: String,
    pub operation: String,
}

/// One stack's drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StackDrift {
    pub stack: String,
    pub subscription: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Set when the stack could not be checked (invalid spec, unreadable Azure).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    pub findings: Vec<Finding>,
}

impl StackDrift {
    pub fn counted(&self) -> usize {
        self.findings.iter().filter(|f| f.class.counts()).count()
    }
}

/// The report of one `azplan drift` run over one or more stacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "azplan drift")]
pub struct Report {
    pub format_version: u32,
    pub stacks: Vec<StackDrift>,
}

impl Report {
    pub fn drifted(&self) -> bool {
        self.stacks.iter().any(|s| s.counted() > 0)
    }
    pub fn failed(&self) -> bool {
        self.stacks.iter().any(|s| s.error.is_some())
    }
}

/// Classifies a stack's plan (made without `--adopt`) and its errors against live state.
pub fn classify(stack: &Stack, plan: &Plan, errors: &[PlanError], live: &LiveState) -> StackDrift {
    let mut findings = Vec::new();
    let ctx = Context { stack, live };
    // A resource the plan is refused for is a conflict, not drift that apply would set back.
    let refused: BTreeSet<String> = errors.iter().map(error_address).collect();
    // The plan names resources by their address text; one lookup table, not a scan per change.
    let addresses: Vec<(String, &crate::model::Resource)> = stack
        .resources
        .values()
        .map(|r| (r.address.to_string(), r))
        .collect();
    let by_address: std::collections::BTreeMap<&str, &crate::model::Resource> =
        addresses.iter().map(|(a, r)| (a.as_str(), *r)).collect();
    for change in plan
        .changes
        .iter()
        .filter(|c| !refused.contains(&c.address))
    {
        let state = change.state.as_deref();
        let class = match change.action {
            Action::NoOp | Action::Read => None,
            Action::Wait => Some(Class::Busy),
            _ if state.is_some_and(|s| {
                matches!(
                    crate::live::Provisioning::from_state(Some(s)),
                    crate::live::Provisioning::Failed(_)
                )
            }) =>
            {
                Some(Class::Failed)
            }
            Action::Create => Some(Class::Missing),
            Action::Delete => Some(Class::Extra),
            Action::Update | Action::Replace | Action::Adopt => Some(Class::Drift),
        };
        if let Some(class) = class {
            let summary = match class {
                Class::Missing => "not in Azure: apply creates it".to_string(),
                Class::Extra => format!("{}: apply deletes it", change.reasons.join("; ")),
                Class::Busy => format!("`{}`: an operation is in flight", state.unwrap_or("busy")),
                Class::Failed => format!(
                    "`{}` in Azure: apply sends the desired body again to repair it",
                    state.unwrap_or("Failed")
                ),
                _ if change.action == Action::Replace => format!(
                    "{} propert{} differ; apply must replace it ({})",
                    change.changes.len(),
                    if change.changes.len() == 1 {
                        "y"
                    } else {
                        "ies"
                    },
                    change.reasons.join("; ")
                ),
                _ => format!(
                    "{} propert{} differ from the spec: apply sets {} back",
                    change.changes.len(),
                    if change.changes.len() == 1 {
                        "y"
                    } else {
                        "ies"
                    },
                    if change.changes.len() == 1 {
                        "it"
                    } else {
                        "them"
                    },
                ),
            };
            findings.push(Finding {
                class,
                address: change.address.clone(),
                id: change.id.clone(),
                summary,
                changes: if class == Class::Drift {
                    change.changes.clone()
                } else {
                    Vec::new()
                },
                changed_by: None,
            });
        }
        if matches!(change.action, Action::NoOp | Action::Update | Action::Wait)
            && let Some(resource) = by_address.get(change.address.as_str())
            && let Some(body) = live.get(&change.id)
        {
            let changes = housekeeping(resource, body);
            if !changes.is_empty() {
                findings.push(Finding {
                    class: Class::Housekeeping,
                    address: change.address.clone(),
                    id: change.id.clone(),
                    summary: "Azure changed this by itself, within what the spec allows".into(),
                    changes,
                    changed_by: None,
                });
            }
        }
    }
    for error in errors {
        findings.push(Finding {
            class: Class::Conflict,
            address: error_address(error),
            id: String::new(),
            summary: error.to_string(),
            changes: Vec::new(),
            changed_by: None,
        });
    }
    findings.extend(unmanaged(stack, &ctx, live));
    StackDrift {
        stack: stack.name.clone(),
        subscription: stack.subscription.clone(),
        environment: stack.environment.clone(),
        error: None,
        findings,
    }
}

fn error_address(error: &PlanError) -> String {
    match error {
        PlanError::NotOwned { address, .. }
        | PlanError::OwnedElsewhere { address, .. }
        | PlanError::Impossible { address, .. }
        | PlanError::LastSystemPool { address, .. }
        | PlanError::Protected { address, .. }
        | PlanError::TakesUnowned { address, .. }
        | PlanError::ExistingMissing { address, .. }
        | PlanError::ExistingValueMissing { address, .. }
        | PlanError::SoftDeleted { address, .. }
        | PlanError::ForeignExtension { address, .. }
        | PlanError::DeleteInUse { address, .. } => address.clone(),
    }
}

/// What Azure set by itself that the plan rightly ignores: an autoscaled pool's count, and the
/// patch version AKS picked within the minor version the spec names.
fn housekeeping(resource: &crate::model::Resource, body: &Value) -> Vec<PropertyChange> {
    let mut out = Vec::new();
    let text = |path: &str| {
        lookup(body, path)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match &resource.spec {
        Spec::NodePool(pool) => {
            if kinds::node_pool::autoscaled(pool)
                && let (Some(count), Some(live)) = (pool.count, lookup(body, "properties.count"))
                && live.as_u64() != Some(u64::from(count))
            {
                out.push(PropertyChange {
                    path: "properties.count".into(),
                    before: Some(live.clone()),
                    after: Value::from(count),
                    forces_replacement: false,
                });
            }
            if let (Some(spec), Some(runs)) = (
                pool.kubernetes_version.as_deref(),
                text("properties.currentOrchestratorVersion"),
            ) && runs != spec
                && runs.starts_with(&format!("{spec}."))
            {
                out.push(version_change(
                    "properties.currentOrchestratorVersion",
                    spec,
                    runs,
                ));
            }
        }
        Spec::Cluster(cluster) => {
            if let (Some(spec), Some(runs)) = (
                cluster.kubernetes_version.as_deref(),
                text("properties.currentKubernetesVersion"),
            ) && runs != spec
                && runs.starts_with(&format!("{spec}."))
            {
                out.push(version_change(
                    "properties.currentKubernetesVersion",
                    spec,
                    runs,
                ));
            }
        }
        _ => {}
    }
    out
}

/// As plan changes read: `before` what Azure has, `after` what the spec says.
fn version_change(path: &str, spec: &str, runs: String) -> PropertyChange {
    PropertyChange {
        path: path.into(),
        before: Some(Value::from(runs)),
        after: Value::from(spec),
        forces_replacement: false,
    }
}

/// Resources in the stack's resource groups that no stack owns and the spec does not declare.
fn unmanaged(stack: &Stack, ctx: &Context<'_>, live: &LiveState) -> Vec<Finding> {
    let declared: BTreeSet<String> = stack
        .resources
        .keys()
        .map(|a| ctx.id(a).to_ascii_lowercase())
        .collect();
    let groups: BTreeSet<String> = stack
        .resources
        .values()
        .filter(|r| r.address.kind == crate::model::Kind::ResourceGroup)
        .map(|r| ctx.id(&r.address))
        .collect();
    let mut out = Vec::new();
    for group in &groups {
        for body in live.group_contents(group) {
            let Some(id) = body.get("id").and_then(Value::as_str) else {
                continue;
            };
            if declared.contains(&id.to_ascii_lowercase()) || owner_of(body).is_some() {
                continue;
            }
            let arm_type = body.get("type").and_then(Value::as_str).unwrap_or_default();
            out.push(Finding {
                class: Class::Unmanaged,
                address: format!("(not in spec) {}", crate::plan::short_name(id)),
                id: id.to_string(),
                summary: format!("a {arm_type} no stack owns: azplan leaves it alone"),
                changes: Vec::new(),
                changed_by: None,
            });
        }
    }
    out
}

/// The JSON Schema of `azplan drift --format json`, committed as `schemas/drift.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Report>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Which findings a rendering shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Show {
    /// Leave out Azure's housekeeping.
    pub hide_housekeeping: bool,
}

fn shown(stack: &StackDrift, show: Show) -> Vec<&Finding> {
    let mut findings: Vec<&Finding> = stack
        .findings
        .iter()
        .filter(|f| !(show.hide_housekeeping && f.class == Class::Housekeeping))
        .collect();
    findings.sort_by(|a, b| (a.class, &a.address).cmp(&(b.class, &b.address)));
    findings
}

fn value_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(not set)".into(),
        Some(v) => v.to_string(),
    }
}

fn counts_line(stack: &StackDrift) -> String {
    let mut parts = Vec::new();
    for class in [
        Class::Drift,
        Class::Missing,
        Class::Extra,
        Class::Failed,
        Class::Busy,
        Class::Conflict,
        Class::Unmanaged,
        Class::Housekeeping,
    ] {
        let n = stack.findings.iter().filter(|f| f.class == class).count();
        if n > 0 {
            parts.push(format!("{n} {}", class.label()));
        }
    }
    if parts.is_empty() {
        "no drift".into()
    } else {
        parts.join(", ")
    }
}

/// Plain text for a terminal or a CI log.
pub fn human(report: &Report, show: Show) -> String {
    let mut out = String::new();
    for stack in &report.stacks {
        out.push_str(&format!(
            "Stack {} (subscription {}): ",
            stack.stack, stack.subscription
        ));
        if let Some(error) = &stack.error {
            out.push_str(&format!("not checked: {error}\n\n"));
            continue;
        }
        out.push_str(&counts_line(stack));
        out.push('\n');
        for f in shown(stack, show) {
            out.push_str(&format!(
                "  [{}] {}: {}\n",
                f.class.label(),
                f.address,
                f.summary
            ));
            for c in &f.changes {
                out.push_str(&format!(
                    "      {}: spec {}, Azure {}\n",
                    c.path,
                    value_text(Some(&c.after)).replace("(not set)", "(removes it)"),
                    value_text(c.before.as_ref())
                ));
            }
            if let Some(by) = &f.changed_by {
                out.push_str(&format!(
                    "      last changed by {} at {} ({})\n",
                    by.caller, by.when, by.operation
                ));
            }
        }
        out.push('\n');
    }
    let drifted = report.stacks.iter().filter(|s| s.counted() > 0).count();
    out.push_str(&format!(
        "{} of {} stack(s) drifted. Drift, missing, extra, failed, busy and conflicts count; unmanaged resources and Azure's housekeeping are listed only.\n",
        drifted,
        report.stacks.len()
    ));
    out
}

/// An issue body a bot can post: one section per stack, a table per stack.
pub fn markdown(report: &Report, show: Show) -> String {
    let mut out = String::from("## azplan drift\n\n");
    for stack in &report.stacks {
        out.push_str(&format!("### Stack `{}`\n\n", stack.stack));
        if let Some(error) = &stack.error {
            out.push_str(&format!("Not checked: {error}\n\n"));
            continue;
        }
        out.push_str(&format!(
            "Subscription `{}`: **{}**.\n\n",
            stack.subscription,
            counts_line(stack)
        ));
        let findings = shown(stack, show);
        if findings.is_empty() {
            continue;
        }
        out.push_str("| Class | Resource | What | Properties |\n|---|---|---|---|\n");
        for f in findings {
            let properties: Vec<String> = f
                .changes
                .iter()
                .map(|c| {
                    format!(
                        "`{}`: spec `{}`, Azure `{}`",
                        c.path,
                        value_text(Some(&c.after)),
                        value_text(c.before.as_ref())
                    )
                })
                .collect();
            let mut what = f.summary.replace('|', "\\|");
            if let Some(by) = &f.changed_by {
                what.push_str(&format!(" (last changed by {} at {})", by.caller, by.when));
            }
            out.push_str(&format!(
                "| {} | `{}` | {} | {} |\n",
                f.class.label(),
                f.address,
                what,
                properties.join("<br>").replace('|', "\\|")
            ));
        }
        out.push('\n');
    }
    out
}

pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}
