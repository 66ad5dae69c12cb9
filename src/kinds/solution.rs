//! Log Analytics solutions (`Microsoft.OperationsManagement/solutions`), such as
//! ContainerInsights on a workspace. A Microsoft gallery solution's name is not free: the
//! OperationsManagement spec (2015-11-01-preview, `SolutionPlan.name`) says "For Microsoft
//! published solution it should be in the format of solutionType(workspaceName). SolutionType
//! part is case sensitive", and `SolutionPlan.product` "should be in the format of
//! OMSGallery/<solutionType>". So the spec names the solution type and the workspace, and azplan
//! derives the name, the plan and the workspace ID from them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{Resource, Solution, Spec, Target};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSolution {
    /// The solution type, case-sensitive, e.g. `ContainerInsights`.
    pub solution: Spanned<String>,
    /// The Log Analytics workspace it is enabled on: `workspace/NAME`, `existing/NAME` or an ARM
    /// ID. Cannot change (a solution on another workspace is another solution).
    pub workspace: Spanned<String>,
    /// Derived: `SOLUTION(WORKSPACE-NAME)`, as Azure requires for Microsoft's solutions. May be
    /// written only as that.
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
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM and azurerm names of a solution's settings (`crate::kinds::habits`). ARM: Solution and
/// SolutionPlan; azurerm: `azurerm_log_analytics_solution`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "", "solution_name", "`solution: TYPE` (e.g. `ContainerInsights`; the name is derived)"),
    habit("", "", "workspace_resource_id", "`workspace: workspace/NAME`"),
    habit("", "", "workspace_name", "`workspace: workspace/NAME`"),
    habit("", "workspaceResourceId", "", "`workspace: workspace/NAME`"),
    habit("", "plan", "plan", "`solution: TYPE` (azplan writes the plan: Microsoft, OMSGallery/TYPE)"),
];

/// The publisher of Microsoft's gallery solutions (`SolutionPlan.publisher`: "For gallery
/// solution, it is Microsoft").
const PUBLISHER: &str = "Microsoft";

pub static RULES: Rules = Rules {
    immutable: &[
        ("location", "a solution cannot move to another region"),
        (
            "properties.workspaceResourceId",
            "a solution is enabled on one workspace; another workspace is another solution",
        ),
        (
            "plan.product",
            "the solution type is part of the solution's name",
        ),
        ("plan.name", "the plan's name is the solution's name"),
        ("plan.publisher", "the publisher is fixed at creation"),
    ],
    exact_maps: &["tags"],
    // Workspace IDs come back in the service's casing; the examples answer `East US` for a
    // location sent so.
    case_insensitive: &["location", "properties.workspaceResourceId"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, s: &Solution) -> Value {
    let mut body = tracked(b, resource);
    body["plan"] = json!({
        "name": resource.name,
        "publisher": PUBLISHER,
        "product": format!("OMSGallery/{}", s.solution),
    });
    body["properties"] = json!({ "workspaceResourceId": b.ctx.target_id(&s.workspace) });
    body
}

crate::spec::common!(RawSolution);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::spec::Entry;

/// A solution type as it appears in `OMSGallery/<solutionType>`: letters and digits (the
/// gallery's types, e.g. ContainerInsights, SecurityCenterFree, VMInsights, are such).
fn solution_type_ok(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Builder<'_> {
    pub(crate) fn solutions(&mut self, entries: &[Entry<RawSolution>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::Solution,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |_| Ok(()),
            );
            let kind = &s.solution;
            if !solution_type_ok(&kind.value) {
                self.error(SpecDiagnostic::invalid(
                    format!("`{}` is not a solution type", kind.value),
                    kind.span,
                    "not a solution type",
                    "write the gallery type as Azure spells it (case-sensitive), e.g. `ContainerInsights`",
                ));
            }
            let Some(workspace) =
                self.resolve_or_id(&s.workspace, &[Kind::Workspace], &mut resource.dependencies)
            else {
                continue;
            };
            let workspace_name = self.workspace_name(&workspace);
            let derived = format!("{}({workspace_name})", kind.value);
            if let Some(name) = s.name.as_ref().filter(|n| n.value != derived) {
                self.error(SpecDiagnostic::invalid(
                    format!("a {} solution on `{workspace_name}` is named `{derived}`", kind.value),
                    name.span,
                    "not the solution's name",
                    format!(
                        "Azure names Microsoft's solutions solutionType(workspaceName): remove `name:` or write `{derived}`"
                    ),
                ));
            }
            resource.name = derived;
            resource.spec = Spec::Solution(Solution {
                solution: kind.value.clone(),
                workspace,
            });
            self.insert(resource);
        }
    }

    /// The Azure name of the workspace a reference points at: the last segment of its ID.
    fn workspace_name(&self, target: &Target) -> String {
        let id = match target {
            Target::ArmId(id) => id.clone(),
            Target::Node(address) => match self.resources.get(address) {
                Some(Resource {
                    spec: Spec::Existing(e),
                    ..
                }) => e.id.clone(),
                Some(r) => r.name.clone(),
                None => address.name.clone(),
            },
        };
        id.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solution_types_are_gallery_identifiers() {
        assert!(solution_type_ok("ContainerInsights"));
        assert!(!solution_type_ok("Container Insights"));
        assert!(!solution_type_ok("OMSGallery/ContainerInsights"));
        assert!(!solution_type_ok(""));
    }
}
