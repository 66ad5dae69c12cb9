//! Data collection rule associations (`Microsoft.Insights/dataCollectionRuleAssociations`,
//! 2023-03-11): a data collection rule attached to the resource whose agents use it (a cluster's
//! Container Insights or Prometheus rule). Their own kind because they are extension resources
//! under any resource (`{target}/providers/Microsoft.Insights/dataCollectionRuleAssociations/
//! {name}`) with no tags and no free-form field, so, as for diagnostic settings, whose an
//! association is follows from where it is and what it points at (`ours`).
//!
//! Shape from `dataCollectionRuleAssociations_API.json` of specification/monitor/
//! resource-manager/Microsoft.Insights/stable/2023-03-11: `DataCollectionRuleAssociation`
//! (`description`, `dataCollectionRuleId`, `dataCollectionEndpointId`; read-only
//! `provisioningState` and `metadata`), PUT `DataCollectionRuleAssociations_Create` taking the
//! whole association.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules};
use crate::de::Spanned;
use crate::model::{Address, Origin, Resource, RuleAssociation, Spec, Stack};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRuleAssociation {
    /// The association's Azure name ("case insensitive", dataCollectionRuleAssociations_API.json);
    /// defaults to the key. Fixed at creation (it is part of the ID).
    pub name: Option<Spanned<String>>,
    /// The resource the rule is attached to: any resource of the stack (`cluster/NAME`, …),
    /// `existing/NAME` or an ARM ID. Fixed at creation.
    pub target: Spanned<String>,
    /// The data collection rule: `dataCollectionRule/NAME`, `existing/NAME` or an ARM ID.
    pub rule: Spanned<String>,
    /// Free text.
    pub description: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

crate::spec::common!(RawRuleAssociation);

/// ARM, Bicep and azurerm names of an association's settings (`crate::kinds::habits`). ARM/Bicep:
/// DataCollectionRuleAssociation and the Bicep `scope:` of an extension resource; azurerm:
/// `azurerm_monitor_data_collection_rule_association`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "scope", "target_resource_id", "`target: ADDRESS` (e.g. `cluster/NAME`) or an ARM ID"),
    habit("", "dataCollectionRuleId", "data_collection_rule_id", "`rule: dataCollectionRule/NAME` (or an ARM ID)"),
    habit("", "dataCollectionEndpointId", "data_collection_endpoint_id", "nothing yet: an endpoint association goes under `raw:`"),
];

pub static RULES: Rules = Rules {
    // The rule's ID may come back in another casing (IDs are case-insensitive in ARM).
    case_insensitive: &["properties.dataCollectionRuleId"],
    ..EMPTY
};

/// The ARM type and api-version of associations.
pub fn arm_type() -> &'static super::ArmType {
    &Kind::DataCollectionRuleAssociation.def().arm[0]
}

/// `DataCollectionRuleAssociations_ListByResource`: `GET {resourceUri}/providers/
/// Microsoft.Insights/dataCollectionRuleAssociations` (dataCollectionRuleAssociations_API.json
/// 2023-03-11).
pub fn list_path(target_id: &str) -> String {
    format!("{target_id}/providers/{}", arm_type().path)
}

/// The body azplan PUTs: the rule, and the description when the spec gives one.
pub fn body(b: &BodyBuilder<'_, '_>, a: &RuleAssociation) -> Value {
    let mut properties = json!({ "dataCollectionRuleId": b.ctx.target_id(&a.rule) });
    if let Some(text) = &a.description {
        properties["description"] = json!(text);
    }
    json!({ "properties": properties })
}

/// What the PUT takes away without the body naming it: the association is replaced whole, so a
/// description the spec dropped is gone after it (the diff of what the body sends would not
/// show it).
pub(crate) fn dropped(desired: &Value, live: &Value) -> Vec<(String, Value)> {
    let path = "/properties/description";
    match (desired.pointer(path), live.pointer(path)) {
        (None, Some(before)) if before.as_str().is_some_and(|s| !s.is_empty()) => {
            vec![("properties.description".into(), before.clone())]
        }
        _ => Vec::new(),
    }
}

/// Whether a live association at a declared association's ID is the stack's. Like a
/// diagnostic setting it carries no mark, so: on a target the stack declares (not `existing:`)
/// it is (the target is the stack's, checked on the target itself); on a target outside the
/// stack, only when it attaches a rule the stack declares. Otherwise it is nobody's to the
/// plan, which refuses to change it without `--adopt`.
pub fn ours(stack: &Stack, a: &RuleAssociation, body: &Value) -> bool {
    super::declares(stack, &a.target)
        || super::points_at_declared(stack, &a.rule, body, "/properties/dataCollectionRuleId")
}

// Building the model from the spec.

use crate::build::Builder;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn rule_associations(&mut self, entries: &[Entry<RawRuleAssociation>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut deps = Vec::new();
            self.depends_on(&s.depends_on, &mut deps);
            let name = crate::build::azure_name(s.name.as_ref(), &entry.key);
            let name_span = s.name.as_ref().map_or(entry.key.span, |n| n.span);
            self.check_name(&name, name_span, name_rule);
            let target = self.extension_scope(
                &s.target,
                super::diagnostic_setting::Extension::RuleAssociation,
                &mut deps,
            );
            let rule = self.resolve_or_id(&s.rule, &[Kind::DataCollectionRule], &mut deps);
            let raw = self.raw_override(s.raw.as_ref());
            let (Some(target), Some(rule)) = (target, rule) else {
                continue;
            };
            self.insert(Resource {
                address: Address::new(Kind::DataCollectionRuleAssociation, &entry.key.value),
                name,
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location: None,
                tags: Default::default(),
                protect: s.protect,
                raw,
                dependencies: deps,
                spec: Spec::DataCollectionRuleAssociation(RuleAssociation {
                    target,
                    rule,
                    description: s.description.clone(),
                }),
            });
        }
    }
}

/// `associationName` has no pattern in dataCollectionRuleAssociations_API.json 2023-03-11; it
/// is one segment of the path `/{resourceUri}/providers/Microsoft.Insights/
/// dataCollectionRuleAssociations/{associationName}`, so it cannot be empty or hold a `/`.
fn name_rule(name: &str) -> Result<(), crate::names::Rule> {
    (!name.is_empty() && !name.contains('/'))
        .then_some(())
        .ok_or("a data collection rule association name is one path segment: not empty, no `/`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_the_spec_drops_shows() {
        let live = json!({"properties": {"dataCollectionRuleId": "r", "description": "CI"}});
        let desired = json!({"properties": {"dataCollectionRuleId": "r"}});
        assert_eq!(
            dropped(&desired, &live),
            vec![("properties.description".to_string(), json!("CI"))]
        );
        assert!(dropped(&live, &live).is_empty());
    }

    #[test]
    fn names_are_path_segments() {
        assert!(name_rule("ContainerInsightsExtension").is_ok());
        assert!(name_rule("").is_err());
        assert!(name_rule("a/b").is_err());
    }
}
