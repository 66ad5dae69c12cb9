//! Azure Policy assignments: a built-in or custom definition or initiative assigned at the
//! subscription, a resource group, a cluster or any other resource of the stack. They have no
//! tags, so the stack's mark is an entry of their `metadata`, which ARM keeps as sent
//! (PolicyAssignmentProperties `metadata`: "an open ended object", policyAssignments.json
//! 2025-03-01); an assignment without it is never changed or deleted without `--adopt`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, OWNER_TAG, Rules};
use crate::de::Spanned;
use crate::model::{Address, EnforcementMode, Origin, PolicyAssignment, Resource, Scope, Spec};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPolicyAssignment {
    /// The assignment's Azure name (at most 64 characters, none of `<>*%&:\?.+/`, not ending
    /// in a space); defaults to the key.
    pub name: Option<Spanned<String>>,
    /// What is assigned: a built-in definition or initiative by its display name (e.g.
    /// `Allowed locations`), a built-in's GUID, or the full ID of any definition or initiative
    /// (`/providers/Microsoft.Authorization/policySetDefinitions/GUID`, or a custom one under
    /// a subscription or management group).
    pub policy: Spanned<String>,
    /// Where it applies: `subscription`, `rg/NAME`, `cluster/NAME`, any resource address,
    /// `cluster/NAME:nodeResourceGroup`, `existing/NAME` or an ARM ID. Fixed at creation (it
    /// is part of the assignment's ID).
    pub scope: Spanned<String>,
    /// Shown in the portal and in compliance results.
    pub display_name: Option<String>,
    pub description: Option<String>,
    /// Parameter values by parameter name (azplan wraps each in `{value: …}`).
    #[serde(default)]
    pub parameters: BTreeMap<String, RawJson>,
    /// `Default` (enforce, the default), `DoNotEnforce` (audit only) or `Enroll`.
    pub enforcement_mode: Option<EnforcementMode>,
    /// Scopes inside `scope` the policy leaves out (addresses or ARM IDs).
    #[serde(default)]
    pub not_scopes: Vec<Spanned<String>>,
    /// `systemAssigned` gives the assignment a managed identity, which policies with
    /// deployIfNotExists or modify effects need; it also needs a `location`.
    pub identity: Option<Spanned<PolicyIdentity>>,
    /// Region of the identity; defaults to the stack's location. Only with `identity`.
    pub location: Option<Spanned<String>>,
    /// Shown in deny errors and non-compliant results.
    pub non_compliance_message: Option<String>,
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

/// A policy assignment's managed identity (Identity `type`, policyAssignments.json): azplan
/// offers the system-assigned one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum PolicyIdentity {
    #[serde(rename = "systemAssigned", alias = "SystemAssigned")]
    SystemAssigned,
}

crate::spec::common!(RawPolicyAssignment);

/// ARM, Bicep and azurerm names of a policy assignment's settings (`crate::kinds::habits`).
/// ARM/Bicep: Microsoft.Authorization/policyAssignments properties; azurerm:
/// `azurerm_resource_group_policy_assignment` and its subscription/resource siblings.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "policyDefinitionId", "policy_definition_id", "`policy: NAME or ID` (a built-in by display name, e.g. `Allowed locations`, or any definition ID)"),
    habit("", "", "resource_group_id", "`scope: rg/NAME`"),
    habit("", "", "subscription_id", "`scope: subscription`"),
    habit("", "", "resource_id", "`scope: ADDRESS` (e.g. `cluster/NAME`)"),
    habit("", "enforcementMode", "enforce", "`enforcementMode: Default | DoNotEnforce` (azurerm `enforce: false` is `DoNotEnforce`)"),
    habit("", "notScopes", "not_scopes", "`notScopes: [ADDRESS or ID, …]`"),
    habit("", "nonComplianceMessages", "non_compliance_message", "`nonComplianceMessage: TEXT`"),
    habit("", "", "display_name", "`displayName: TEXT`"),
    habit("", "metadata", "metadata", "nothing: azplan writes its ownership mark there"),
];

/// The metadata key that marks an assignment as a stack's (the value is the stack's name).
pub const OWNER_METADATA: &str = OWNER_TAG;

pub static RULES: Rules = Rules {
    immutable: &[
        // azurerm's policy assignment resources replace the assignment when
        // `policy_definition_id` or `location` change (ForceNew), the battle-tested account of
        // what the service allows; the scope is part of the ID.
        (
            "properties.policyDefinitionId",
            "a policy assignment's definition cannot change",
        ),
        (
            "location",
            "a policy assignment's identity cannot move region",
        ),
    ],
    case_insensitive: &[
        "properties.policyDefinitionId",
        "properties.notScopes",
        "location",
        "identity.type",
    ],
    // "The policy assignment enforcement mode … default: Default" (policyAssignments.json
    // 2025-03-01); an assignment without an identity reads back without `identity`
    // (createPolicyAssignment example), which is Identity type `None` ("no identity is
    // associated with the resource").
    server_defaults: &[
        ("properties.enforcementMode", "\"Default\""),
        ("identity.type", "\"None\""),
        ("properties.notScopes", "[]"),
    ],
    sets: &["properties.notScopes"],
    // The PUT replaces the assignment whole ("Create or update a policy assignment", the
    // PolicyAssignments_Create PUT of policyAssignments.json 2025-03-01, takes the full
    // PolicyAssignment body): a parameter set outside azplan, or removed from the spec, is
    // gone after it. The map without any entry is `dropped` below.
    exact_maps: &["properties.parameters"],
    ..EMPTY
};

/// Settings the PUT removes because the body no longer names them (the PUT replaces the
/// assignment whole; the diff compares only what the body sends): a display name, description
/// or non-compliance messages the spec dropped, and every parameter when the spec has none
/// left (with some left, `exact_maps` shows the others).
pub(crate) fn dropped(desired: &Value, live: &Value) -> Vec<(String, Value)> {
    let empty = |v: &Value| {
        v.is_null()
            || v.as_str().is_some_and(str::is_empty)
            || v.as_array().is_some_and(Vec::is_empty)
            || v.as_object().is_some_and(serde_json::Map::is_empty)
    };
    [
        "displayName",
        "description",
        "nonComplianceMessages",
        "parameters",
    ]
    .iter()
    .filter(|key| desired.pointer(&format!("/properties/{key}")).is_none())
    .filter_map(|key| {
        live.pointer(&format!("/properties/{key}"))
            .filter(|v| !empty(v))
            .map(|v| (format!("properties.{key}"), v.clone()))
    })
    .collect()
}

/// The body azplan PUTs: the definition, the stack's mark in `metadata`, and only the settings
/// the spec gives (ARM answers the rest with its defaults; what the live assignment has beyond
/// them goes with the PUT, which `RULES.exact_maps` and `dropped` show in the plan).
pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, pa: &PolicyAssignment) -> Value {
    let mut properties = json!({
        "policyDefinitionId": pa.policy.id,
        "enforcementMode": pa.enforcement_mode.arm(),
        "metadata": { OWNER_METADATA: b.ctx.stack.name },
        "notScopes": pa.not_scopes.iter().map(|s| b.ctx.scope_id(s)).collect::<Vec<_>>(),
    });
    if let Some(name) = &pa.display_name {
        properties["displayName"] = json!(name);
    }
    if let Some(text) = &pa.description {
        properties["description"] = json!(text);
    }
    if !pa.parameters.is_empty() {
        let values: serde_json::Map<String, Value> = pa
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), json!({ "value": v })))
            .collect();
        properties["parameters"] = Value::Object(values);
    }
    if let Some(message) = &pa.non_compliance_message {
        properties["nonComplianceMessages"] = json!([{ "message": message }]);
    }
    let mut body = json!({ "properties": properties });
    if pa.identity {
        body["identity"] = json!({ "type": "SystemAssigned" });
        body["location"] = json!(resource.location.clone().unwrap_or_default());
    } else if live_identity(b, resource) {
        // An identity the spec dropped is removed: Identity type `None` "indicates that … the
        // existing identity should be removed". Without one live, nothing is sent.
        body["identity"] = json!({ "type": "None" });
    }
    body
}

/// Whether the live assignment has a managed identity.
fn live_identity(b: &BodyBuilder<'_, '_>, resource: &Resource) -> bool {
    b.ctx
        .live
        .get(&b.ctx.id(&resource.address))
        .and_then(|v| v.pointer("/identity/type"))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.eq_ignore_ascii_case("None"))
}

/// The identity's object ID, for role assignments its remediation needs.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(body, &[("principalId", "identity.principalId")])
}

/// Whose a live assignment is: the stack named in its metadata mark.
pub fn marked_owner(body: &Value) -> Option<&str> {
    body.pointer("/properties/metadata")?
        .get(OWNER_METADATA)?
        .as_str()
}

/// PolicyAssignments_Create `policyAssignmentName` pattern `^[^<>*%&:\?.+/]*[^<>*%&:\?.+/ ]+$`
/// (policyAssignments.json 2025-03-01) and Learn's template reference of
/// Microsoft.Authorization/policyAssignments
/// (https://learn.microsoft.com/azure/templates/microsoft.authorization/policyassignments): "1-64
/// resource name, 1-24 resource name at management group scope [a scope azplan does not
/// write] … can't use: <>*%&:\?.+/ or control characters. Can't end with period or space".
fn name_rule(name: &str) -> Result<(), crate::names::Rule> {
    const FORBIDDEN: &[char] = &['<', '>', '*', '%', '&', ':', '\\', '?', '.', '+', '/'];
    let ok = (1..=64).contains(&name.chars().count())
        && !name.contains(FORBIDDEN)
        && !name.ends_with(' ')
        && !name.chars().any(char::is_control);
    ok.then_some(()).ok_or(
        "a policy assignment name is 1-64 characters without `<>*%&:\\?.+/`, not ending in a space",
    )
}

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::{Code, SpecDiagnostic, suggest};
use crate::policies;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn policy_assignments(&mut self, entries: &[Entry<RawPolicyAssignment>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut deps = Vec::new();
            self.depends_on(&s.depends_on, &mut deps);
            let name = crate::build::azure_name(s.name.as_ref(), &entry.key);
            let name_span = s.name.as_ref().map_or(entry.key.span, |n| n.span);
            self.check_name(&name, name_span, name_rule);
            let policy = policies::resolve(&s.policy.value);
            if policy.is_none() {
                self.error(
                    SpecDiagnostic::new(
                        Code::UnknownPolicy,
                        format!(
                            "`{}` is not a built-in policy azplan knows, nor a definition ID",
                            s.policy.value
                        ),
                    )
                    .at(s.policy.span, "unknown policy")
                    .help(format!(
                        "{} (or give the full ID, e.g. /providers/Microsoft.Authorization/policyDefinitions/GUID)",
                        suggest(&s.policy.value, policies::built_in_names())
                    )),
                );
            }
            let scope = self.policy_scope(&s.scope, &mut deps);
            let mut not_scopes = Vec::new();
            for text in &s.not_scopes {
                if let Some(scope) = self.policy_scope(text, &mut Vec::new()) {
                    not_scopes.push(scope);
                }
            }
            let identity = s.identity.is_some();
            let location = match (&s.identity, &s.location) {
                (Some(_), own) => self.location(own.as_ref(), &entry.key),
                (None, Some(location)) => {
                    self.error(SpecDiagnostic::error_at(
                        Code::ConflictingSettings,
                        "`location` is only for an assignment with an identity",
                        location.span,
                        "location",
                        "ARM needs a policy assignment's location only with a managed identity; add `identity: systemAssigned` or remove `location`",
                    ));
                    None
                }
                (None, None) => None,
            };
            let raw = self.raw_override(s.raw.as_ref());
            let (Some(policy), Some(scope)) = (policy, scope) else {
                continue;
            };
            self.insert(Resource {
                address: Address::new(Kind::PolicyAssignment, &entry.key.value),
                name,
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location,
                tags: BTreeMap::new(),
                protect: s.protect,
                raw,
                dependencies: deps,
                spec: Spec::PolicyAssignment(PolicyAssignment {
                    policy,
                    scope,
                    display_name: s.display_name.clone(),
                    description: s.description.clone(),
                    parameters: s.parameters.clone(),
                    enforcement_mode: s.enforcement_mode.unwrap_or(EnforcementMode::Default),
                    not_scopes,
                    identity,
                    non_compliance_message: s.non_compliance_message.clone(),
                }),
            });
        }
    }

    /// A policy assignment's scope: the subscription, a group or a resource (ARM's "Valid scopes
    /// are: management group, subscription, resource group, or resource", policyAssignments.json);
    /// not a cluster namespace, a role assignment or another policy assignment.
    fn policy_scope(
        &mut self,
        text: &Spanned<String>,
        deps: &mut Vec<crate::model::Dependency>,
    ) -> Option<Scope> {
        let scope = self.scope(text, deps)?;
        let refused = match &scope {
            Scope::Namespace { .. } => Some("a cluster namespace is not an ARM resource"),
            Scope::Target(crate::model::Target::Node(a)) if a.kind == Kind::PolicyAssignment => {
                Some("a policy assignment cannot be scoped to another policy assignment")
            }
            _ => None,
        };
        if let Some(why) = refused {
            self.error(SpecDiagnostic::error_at(
                Code::InvalidReference,
                format!("`{}` is not a policy assignment scope", text.value),
                text.span,
                "invalid scope",
                format!(
                    "{why}; use `subscription`, `rg/NAME` or a resource such as `cluster/NAME`"
                ),
            ));
            return None;
        }
        Some(scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_spec_no_longer_gives_is_dropped() {
        let live = json!({"properties": {
            "displayName": "Only West Europe",
            "description": "",
            "nonComplianceMessages": [{"message": "no"}],
            "parameters": {"effect": {"value": "Deny"}},
        }});
        let desired = json!({"properties": {"displayName": "Kept"}});
        let paths: Vec<String> = dropped(&desired, &live)
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        // An empty live description is no description to lose.
        assert_eq!(
            paths,
            ["properties.nonComplianceMessages", "properties.parameters"]
        );
        assert!(dropped(&live, &live).is_empty());
    }

    #[test]
    fn names_follow_the_api_pattern() {
        assert!(name_rule("pod-security").is_ok());
        assert!(name_rule("Enforce naming (DeptA)").is_ok());
        for bad in ["", "a.b", "a/b", "trailing ", "a:b", &"x".repeat(65)] {
            assert!(name_rule(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_owner_is_read_from_metadata() {
        let body = json!({"properties": {"metadata": {"azplan-stack": "s", "createdBy": "x"}}});
        assert_eq!(marked_owner(&body), Some("s"));
        assert_eq!(marked_owner(&json!({"properties": {"metadata": {}}})), None);
    }
}
