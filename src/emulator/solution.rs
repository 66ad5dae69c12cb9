//! Microsoft.OperationsManagement/solutions (OperationsManagement.json, 2015-11-01-preview):
//! Log Analytics solutions such as ContainerInsights on a workspace. The spec declares one
//! answer per verb: PUT 201 (create or update alike), PATCH 200 (tags only, `SolutionPatch`),
//! DELETE 200; all three are `x-ms-long-running-operation` without polling headers, and the
//! SolutionCreate example answers the final body (`provisioningState: Succeeded`) at once.
//! `properties.workspaceResourceId` is required, and a Microsoft gallery solution is named
//! `solutionType(workspaceName)` with the product `OMSGallery/<solutionType>` (`SolutionPlan`).

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// The error code is not from a capture of the service; the rule is the spec's.
fn misnamed(detail: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", detail)
}

/// `SolutionPlan` of a Microsoft gallery solution: product `OMSGallery/<type>`, and the
/// solution (and its plan) named `<type>(<workspace name>)`, the type case-sensitive.
fn check_gallery_plan(target: &Target, plan: &Value, workspace_id: &str) -> Result<(), ArmError> {
    let publisher = common::str_at(plan, &["publisher"]).unwrap_or_default();
    if !publisher.eq_ignore_ascii_case("Microsoft") {
        return Ok(());
    }
    let product = common::str_at(plan, &["product"]).unwrap_or_default();
    let Some(kind) = product
        .strip_prefix("OMSGallery/")
        .filter(|k| !k.is_empty())
    else {
        return Err(misnamed(format!(
            "The plan product '{product}' of a Microsoft solution must be in the format OMSGallery/<solutionType>."
        )));
    };
    let workspace = workspace_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let wanted = format!("{kind}({workspace})");
    // ARM compares the workspace name case-insensitively like any name; the type is
    // case-sensitive.
    let name_ok = |name: &str| {
        name.len() == wanted.len()
            && name.starts_with(&format!("{kind}("))
            && name.eq_ignore_ascii_case(&wanted)
    };
    if !name_ok(&target.name) {
        return Err(misnamed(format!(
            "The solution name '{}' must be in the format solutionType(workspaceName): '{wanted}'.",
            target.name
        )));
    }
    if let Some(plan_name) = common::str_at(plan, &["name"])
        && !name_ok(plan_name)
    {
        return Err(misnamed(format!(
            "The plan name '{plan_name}' must be in the format solutionType(workspaceName): '{wanted}'."
        )));
    }
    Ok(())
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let key = target.key();
    let existing = state.get(&key).cloned();
    let props = common::properties(body)?;
    let workspace = props
        .get("workspaceResourceId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ArmError::missing_property("properties.workspaceResourceId"))?
        .to_string();
    let plan = match body.get("plan") {
        None | Some(Value::Null) => None,
        Some(p @ Value::Object(_)) => Some(p.clone()),
        Some(_) => return Err(ArmError::invalid_body("'plan' must be an object")),
    };
    if let Some(plan) = &plan {
        check_gallery_plan(target, plan, &workspace)?;
    }
    // The example answers the location as sent (`East US`); a moved solution is refused as
    // ARM refuses any moved tracked resource.
    let location = body
        .get("location")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(location) = &location {
        common::check_location(
            existing.as_ref(),
            &common::normalize_location(location),
            target,
        )?;
    }
    let mut out = Map::new();
    out.insert("provisioningState".into(), json!("Succeeded"));
    out.insert("workspaceResourceId".into(), json!(workspace));
    for list in ["containedResources", "referencedResources"] {
        if let Some(v) = props.get(list).filter(|v| v.is_array()) {
            out.insert(list.into(), v.clone());
        }
    }
    let mut m = common::envelope(target, location.as_deref(), common::tags(body)?);
    if let Some(plan) = plan {
        m.insert("plan".into(), plan);
    }
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::Solution, existing.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> Target {
        Target {
            kind: Kind::Solution,
            subscription: "s".into(),
            resource_group: Some("g".into()),
            id: format!(
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.OperationsManagement/solutions/{name}"
            ),
            name: name.into(),
            parent_id: None,
        }
    }

    const WS: &str =
        "/subscriptions/s/resourceGroups/g/providers/Microsoft.OperationalInsights/workspaces/logs";

    #[test]
    fn gallery_solutions_are_named_type_of_workspace() {
        let plan = json!({"publisher": "Microsoft", "product": "OMSGallery/ContainerInsights", "name": "ContainerInsights(logs)"});
        assert!(check_gallery_plan(&target("ContainerInsights(logs)"), &plan, WS).is_ok());
        assert!(check_gallery_plan(&target("ContainerInsights(LOGS)"), &plan, WS).is_ok());
        assert!(check_gallery_plan(&target("containerinsights(logs)"), &plan, WS).is_err());
        assert!(check_gallery_plan(&target("ContainerInsights(other)"), &plan, WS).is_err());
        assert!(check_gallery_plan(&target("ci"), &plan, WS).is_err());
        let bad_product = json!({"publisher": "Microsoft", "product": "ContainerInsights"});
        assert!(check_gallery_plan(&target("ContainerInsights(logs)"), &bad_product, WS).is_err());
        // Third-party solutions "can be anything".
        let third = json!({"publisher": "publisher1", "product": "product1", "name": "name1"});
        assert!(check_gallery_plan(&target("solution1"), &third, WS).is_ok());
    }
}
