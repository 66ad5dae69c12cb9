//! Saved plans (`plan --out`, `apply FILE`). A plan file is never trusted: it carries the stack
//! it was planned from, apply plans that stack again against fresh reads, and anything that
//! differs refuses the apply. An edited file can therefore do nothing that `azplan plan` on its
//! own spec would not, and a file whose Azure moved on is stale.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Change, Plan};
use crate::load::Inputs;

/// What a saved plan was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Saved {
    pub inputs: Inputs,
    /// Planned with `--adopt`.
    #[serde(default)]
    pub adopt: bool,
}

/// A change as far as it must match: the live fingerprint counts only where apply writes
/// (a resource left alone may move, an autoscaled pool always does).
fn comparable(change: &Change) -> Change {
    let mut c = change.clone();
    if !c.is_operation() && c.goes_with.is_none() {
        c.observed = None;
    }
    c
}

/// Every way `fresh` (planned now from the saved plan's own inputs) differs from `saved`, one
/// line per resource; empty when the saved plan is exactly what azplan plans now.
pub fn differences(saved: &Plan, fresh: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for (what, a, b) in [
        ("stack", &saved.stack, &fresh.stack),
        ("subscription", &saved.subscription, &fresh.subscription),
    ] {
        if a != b {
            out.push(format!("the {what} is `{b}`, the file says `{a}`"));
        }
    }
    if saved.environment != fresh.environment {
        out.push("the environment differs".into());
    }
    let by_address = |plan: &Plan| -> BTreeMap<String, Change> {
        plan.changes
            .iter()
            .map(|c| (c.address.clone(), comparable(c)))
            .collect()
    };
    let (before, now) = (by_address(saved), by_address(fresh));
    let addresses: BTreeSet<&String> = before.keys().chain(now.keys()).collect();
    for address in addresses {
        match (before.get(address), now.get(address)) {
            (Some(_), None) => out.push(format!("{address} (no longer in the plan)")),
            (None, Some(c)) => out.push(format!("{address} (now planned: {:?})", c.action)),
            (Some(a), Some(b)) if a != b => out.push(format!("{address} ({})", how(a, b))),
            _ => {}
        }
    }
    if saved.kept != fresh.kept {
        out.push("the resource groups kept differ".into());
    }
    out
}

/// How a resource's planned change moved, in words.
fn how(saved: &Change, fresh: &Change) -> String {
    use super::Action;
    match (saved.action, fresh.action) {
        (Action::Create, b) if b != Action::Create => "now exists".into(),
        (a, Action::Create) if a != Action::Create => "no longer exists".into(),
        (a, b) if a != b => format!("was {a:?}, now {b:?}"),
        _ if saved.observed != fresh.observed => "changed in Azure".into(),
        _ if saved.desired != fresh.desired => "the body to send differs".into(),
        _ => "its planned change differs".into(),
    }
}
