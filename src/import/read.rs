//! Reading what an import needs from ARM: the subscription's resource groups and role
//! assignments (one LIST each), the selected groups by type and whole (their generic LIST, so
//! types azplan does not model are listed too), resources by ID or by tag, the children of every
//! parent found, and the resources outside the selection that imported ones refer to (written
//! as `existing:`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::select::Selection;
use crate::arm::client::ArmClient;
use crate::arm::error::ArmError;
use crate::id::ResourceId;
use crate::kind::{self, Kind};
use crate::live::LiveState;

/// Reads the live state an import of `selection` in `subscription` needs.
pub async fn read(
    client: &ArmClient,
    subscription: &str,
    selection: &Selection,
) -> Result<LiveState, ArmError> {
    let sub = format!("/subscriptions/{subscription}");
    let mut live = LiveState::default();
    let rg = kind::resource_group_type();
    for group in client
        .list(&format!("{sub}/resourcegroups"), rg.api_version)
        .await?
    {
        live.insert(group);
    }
    // The subscription's role and policy assignments: the import takes those on what it takes.
    for assignments in [kind::role_assignment_type(), kind::policy_assignment_type()] {
        for assignment in client
            .list(
                &format!("{sub}/providers/{}", assignments.path),
                assignments.api_version,
            )
            .await?
        {
            live.insert(assignment);
        }
    }
    let mut groups: Vec<String> = selection
        .groups
        .iter()
        .filter_map(|g| super::select::group_id(&live, g))
        .collect();
    for id in &selection.ids {
        let Some(parsed) = ResourceId::parse(id) else {
            continue;
        };
        if parsed.arm_type().eq_ignore_ascii_case(rg.path) {
            groups.push(id.clone());
        } else {
            let top = super::select::top_of(&parsed).to_string();
            get(client, &mut live, &top).await?;
        }
    }
    for group in &groups {
        read_group(client, &mut live, group).await?;
    }
    for (tag, value) in &selection.tags {
        let filter = format!(
            "{sub}/resources?$filter=tagName eq '{}' and tagValue eq '{}'",
            tag.replace('\'', "''"),
            value.replace('\'', "''")
        );
        for mut item in client.list(&filter, rg.api_version).await? {
            let Some(id) = item.get("id").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            let managed = item
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(kind::manages_type);
            if managed {
                get(client, &mut live, &id).await?;
            } else {
                // The filtered LIST answers without tags: the filter says which.
                item["tags"] = serde_json::json!({ tag.as_str(): value.as_str() });
                live.insert(item);
            }
        }
    }
    read_children(client, &mut live).await?;
    // Twice: role assignments found in another subscription name scopes there too.
    read_referenced(client, &mut live).await?;
    read_referenced(client, &mut live).await?;
    Ok(live)
}

async fn get(client: &ArmClient, live: &mut LiveState, id: &str) -> Result<(), ArmError> {
    let arm_type = ResourceId::parse(id)
        .map(|i| i.arm_type())
        .unwrap_or_default();
    if let Some(body) = client.get(id, kind::api_version_of_type(&arm_type)).await? {
        live.insert(body);
    }
    Ok(())
}

/// A group's resources of every type azplan models, and its generic contents.
async fn read_group(client: &ArmClient, live: &mut LiveState, group: &str) -> Result<(), ArmError> {
    let types = kind::TABLE.iter().filter(|d| {
        // Policy assignments are not imported yet: a group's LIST of them also answers
        // those inherited from above, which are not the group's. Diagnostic settings are not
        // imported (they are listed per resource, not per group).
        d.parent.is_none()
            && !matches!(
                d.kind,
                Kind::ResourceGroup
                    | Kind::RoleAssignment
                    | Kind::PolicyAssignment
                    | Kind::DiagnosticSetting
                    | Kind::DataCollectionRuleAssociation
            )
    });
    for arm in types.flat_map(|d| d.arm.iter()) {
        for body in client
            .list(&format!("{group}/providers/{}", arm.path), arm.api_version)
            .await?
        {
            live.insert(body);
        }
    }
    let contents = client
        .list(
            &crate::arm::read::contents_path(group),
            kind::resource_group_type().api_version,
        )
        .await?;
    live.set_group_contents(group, contents);
    Ok(())
}

/// Subnets, pools and credentials of every parent read.
async fn read_children(client: &ArmClient, live: &mut LiveState) -> Result<(), ArmError> {
    let mut reads = Vec::new();
    for (_, body) in live.iter() {
        let (Some(id), Some(arm_type)) = (
            body.get("id").and_then(Value::as_str),
            body.get("type").and_then(Value::as_str),
        ) else {
            continue;
        };
        for def in kind::TABLE.iter() {
            let (Some(parent), Some(child)) = (def.parent, def.arm.first()) else {
                continue;
            };
            if parent
                .def()
                .arm
                .iter()
                .any(|t| t.path.eq_ignore_ascii_case(arm_type))
                && kind::child_type_of(arm_type, child)
            {
                reads.push((format!("{id}/{}", child.segment()), child.api_version));
            }
        }
    }
    for (path, api_version) in reads {
        for body in client.list(&path, api_version).await? {
            live.insert(body);
        }
    }
    Ok(())
}

/// Resources that read ones refer to (a hub subnet, a shared registry) and live state lacks:
/// read so the spec can name them under `existing:`.
async fn read_referenced(client: &ArmClient, live: &mut LiveState) -> Result<(), ArmError> {
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for (_, body) in live.iter() {
        collect_ids(body, &mut wanted);
    }
    let subnet = Kind::Subnet.def().arm[0].path;
    let mut reads = BTreeSet::new();
    for id in wanted {
        let Some(parsed) = ResourceId::parse(&id) else {
            continue;
        };
        let target = if parsed.arm_type().eq_ignore_ascii_case(subnet) {
            match parsed.parent() {
                Some(vnet) => vnet,
                None => continue,
            }
        } else {
            parsed
        };
        let managed = kind::manages_type(&target.arm_type());
        let text = target.to_string();
        if managed && target.scope().is_none() && live.get(&text).is_none() {
            reads.insert(text);
        }
    }
    let mut subscriptions = BTreeSet::new();
    for id in reads {
        // What cannot be read (another subscription, no permission) stays an ARM ID.
        if get(client, live, &id).await.is_ok()
            && let Some(parsed) = ResourceId::parse(&id)
        {
            subscriptions.insert(parsed.subscription().to_ascii_lowercase());
        }
    }
    // Role assignments there may be held by imported identities (one LIST per subscription).
    let ra = kind::role_assignment_type();
    for subscription in subscriptions {
        let path = format!("/subscriptions/{subscription}/providers/{}", ra.path);
        if let Ok(found) = client.list(&path, ra.api_version).await {
            for body in found {
                live.insert(body);
            }
        }
    }
    Ok(())
}

fn collect_ids(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if s.to_ascii_lowercase().starts_with("/subscriptions/") => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        Value::Object(map) => {
            for (key, v) in map {
                // Object keys can be IDs too (user-assigned identities).
                if key.to_ascii_lowercase().starts_with("/subscriptions/") {
                    out.insert(key.clone());
                }
                collect_ids(v, out);
            }
        }
        _ => {}
    }
}
