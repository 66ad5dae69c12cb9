//! What a delete takes with it. ARM deletes everything inside a resource group with the group,
//! whoever owns it, so a group delete is planned only when the group holds nothing but this
//! stack's own resources, and every one of them is listed as its own line.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Action, Change, KeptGroup, NotOwned, PlanError, delete_change, owner_of, short_name};
use crate::id::ResourceId;
use crate::kinds;
use crate::live::LiveState;
use crate::model::{Association, Spec, Stack};

/// One resource inside a group that a delete of the group would take.
struct Inside<'a> {
    id: String,
    arm_type: String,
    body: &'a Value,
}

/// Everything a group delete would take: its top-level resources (the generic LIST of the
/// group) and the role assignments scoped at or below it.
fn inside<'a>(live: &'a LiveState, group_id: &str) -> Vec<Inside<'a>> {
    let mut found: Vec<Inside<'a>> = live
        .group_contents(group_id)
        .into_iter()
        .chain(live.role_assignments_within(group_id))
        .filter_map(|body| {
            Some(Inside {
                id: body.get("id")?.as_str()?.to_string(),
                arm_type: body
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                body,
            })
        })
        .collect();
    found.sort_by_key(|i| i.id.to_ascii_lowercase());
    found.dedup_by_key(|i| i.id.to_ascii_lowercase());
    found
}

/// Why a resource inside a group is not this stack's to delete, or `None` when it is.
fn not_ours(stack: &Stack, item: &Inside<'_>) -> Option<String> {
    let is_role_assignment = item
        .arm_type
        .eq_ignore_ascii_case(kinds::role_assignment_type().path);
    let is_policy_assignment = item
        .arm_type
        .eq_ignore_ascii_case(kinds::policy_assignment_type().path);
    match owner_of(item.body) {
        Some(owner) if owner == stack.name => (!kinds::manages_type(&item.arm_type)).then(|| {
            format!(
                "tagged as this stack's, but of type `{}`, which azplan does not manage",
                item.arm_type
            )
        }),
        Some(owner) => Some(format!("owned by stack `{owner}`")),
        None if is_role_assignment => {
            Some("a role assignment without this stack's marker in its description".into())
        }
        None if is_policy_assignment => {
            Some("a policy assignment without this stack's mark in its metadata".into())
        }
        None => Some(format!("carries no `{}` tag", kinds::OWNER_TAG)),
    }
}

/// Checks every planned resource-group delete against what the group holds. A group holding
/// only this stack's resources is deleted, and each resource inside appears as a delete that
/// goes with it. A group holding anything else is kept: its delete is dropped (no flag
/// overrides this), the stack's own resources inside are deleted one by one instead, and the
/// group is reported with everything that kept it.
pub(super) fn guard_group_deletes(
    stack: &Stack,
    live: &LiveState,
    changes: &mut Vec<Change>,
) -> Vec<KeptGroup> {
    let groups: Vec<usize> = (0..changes.len())
        .filter(|&i| {
            changes[i].action == Action::Delete
                && changes[i]
                    .arm_type
                    .eq_ignore_ascii_case(kinds::resource_group_type().path)
        })
        .collect();
    if groups.is_empty() {
        return Vec::new();
    }
    // What the spec still declares (a role assignment scoped by ID into the group) must not go
    // with the group, nor be deleted on its own only to be created again by the next run.
    let declared: BTreeMap<String, String> = changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .map(|c| (c.id.to_ascii_lowercase(), c.address.clone()))
        .collect();
    let keeps_group = |item: &Inside<'_>| match declared.get(&item.id.to_ascii_lowercase()) {
        Some(address) => Some(format!("still declared in the spec as {address}")),
        None => not_ours(stack, item),
    };
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for g in groups {
        let group_address = changes[g].address.clone();
        let group_id = changes[g].id.clone();
        let items = inside(live, &group_id);
        let not_owned: Vec<NotOwned> = items
            .iter()
            .filter_map(|item| {
                keeps_group(item).map(|why| NotOwned {
                    id: item.id.clone(),
                    why,
                })
            })
            .collect();
        let planned: BTreeMap<String, usize> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.action == Action::Delete)
            .map(|(i, c)| (c.id.to_ascii_lowercase(), i))
            .collect();
        let mut added = Vec::new();
        if not_owned.is_empty() {
            for item in &items {
                match planned.get(&item.id.to_ascii_lowercase()) {
                    Some(&i) => {
                        changes[i].goes_with = Some(group_address.clone());
                        changes[i]
                            .reasons
                            .push(format!("ARM deletes it with {group_address}"));
                    }
                    None => {
                        let mut change = delete_change(
                            format!("(not in spec) {}", short_name(&item.id)),
                            item.arm_type.clone(),
                            item.id.clone(),
                            format!("owned by stack `{}`, inside {group_address}", stack.name),
                            item.body,
                        );
                        change.goes_with = Some(group_address.clone());
                        change.observed = Some(ownership_fingerprint(item.body));
                        added.push(change);
                    }
                }
            }
            changes[g].takes_with_it = items.iter().map(|i| i.id.clone()).collect();
        } else {
            dropped.push(g);
            for item in items.iter().filter(|i| keeps_group(i).is_none()) {
                if !planned.contains_key(&item.id.to_ascii_lowercase()) {
                    let mut change = delete_change(
                        format!("(not in spec) {}", short_name(&item.id)),
                        item.arm_type.clone(),
                        item.id.clone(),
                        format!(
                            "owned by stack `{}`, inside {group_address}, which is kept",
                            stack.name
                        ),
                        item.body,
                    );
                    change.observed = Some(ownership_fingerprint(item.body));
                    added.push(change);
                }
            }
            kept.push(KeptGroup {
                address: group_address,
                id: group_id,
                not_owned,
            });
        }
        changes.extend(added);
    }
    for g in dropped.into_iter().rev() {
        changes.remove(g);
    }
    kept
}

/// What ARM deletes with a resource besides itself: its children (a VNet's subnets, a
/// cluster's pools, an identity's credentials) and the role assignments scoped at or below it.
/// Each is listed as a delete that goes with it. A role assignment the stack does not own makes
/// the delete an error (no flag overrides it): azplan never deletes what it does not own, and
/// ARM removes the role assignments of a scope that is deleted.
pub(super) fn list_what_goes_with(
    stack: &Stack,
    live: &LiveState,
    changes: &mut Vec<Change>,
) -> Vec<PlanError> {
    // Only deletes and replacements take anything with them.
    if !changes
        .iter()
        .any(|c| matches!(c.action, Action::Delete | Action::Replace))
    {
        return Vec::new();
    }
    let listed: BTreeSet<String> = changes.iter().map(|c| c.id.to_ascii_lowercase()).collect();
    // Deletes (and replacements, whose delete half takes the same) by lowercase ID.
    let going: BTreeMap<String, usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.action, Action::Delete | Action::Replace))
        .map(|(i, c)| (c.id.to_ascii_lowercase(), i))
        .collect();
    // The innermost going resource that `id` (lowercase) lies strictly inside, or at too (for a
    // role assignment's scope): its prefixes that end at a `/`, longest first.
    let taker = |id: &str, at_too: bool| {
        let at = at_too.then(|| going.get(id)).flatten();
        at.or_else(|| {
            id.rmatch_indices('/')
                .filter_map(|(cut, _)| going.get(&id[..cut]))
                .next()
        })
        .copied()
    };
    let mut added = Vec::new();
    let mut unowned: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (lower, body) in live.iter() {
        if listed.contains(lower) {
            continue;
        }
        let Some(id) = ResourceId::parse(lower) else {
            continue;
        };
        let original = body.get("id").and_then(Value::as_str).unwrap_or(lower);
        let arm_type = body
            .get("type")
            .and_then(Value::as_str)
            .map_or_else(|| id.arm_type(), str::to_string);
        // Role and policy assignments go with the group their scope is in.
        let is_role_assignment = kinds::is_assignment_type(&arm_type);
        let taken_by = if is_role_assignment {
            id.scope()
                .and_then(|scope| taker(&scope.to_string().to_ascii_lowercase(), true))
        } else {
            taker(lower, false)
        };
        let Some(t) = taken_by else { continue };
        let owned = owner_of(body).is_some_and(|o| o == stack.name);
        if is_role_assignment && !owned {
            unowned.entry(t).or_default().push(original.to_string());
            continue;
        }
        // A zone's records go with it; only its own SOA/NS at the apex are the zone's.
        if kinds::dns_zone::is_record_set(original) && !kinds::dns_zone::zone_own_record(body) {
            unowned.entry(t).or_default().push(original.to_string());
            continue;
        }
        // A child with an owner of its own (a zone link by its tag, a peering by its remote)
        // that is not the stack's stops the delete: ARM refuses to delete a private zone that
        // still has links (409 CannotDeleteResource), and a VNet's delete would take another
        // team's, Virtual WAN's or Virtual Network Manager's peering with it.
        if let Some((def, _)) = kinds::by_arm_type(&arm_type)
            && def.parent.is_some()
            && !owned
            && !kinds::goes_with_deleted_parent(def.kind, &changes[t].arm_type)
            && !kinds::undeclared_child_is_ours(stack, &changes[t].address, def.kind, body)
        {
            unowned.entry(t).or_default().push(original.to_string());
            continue;
        }
        // What sits on a resource as an extension resource of its own (a diagnostic setting,
        // a rule association, a cluster's extension or Flux configuration) and is not declared
        // is someone else's: a replacement, which the spec asks for whatever stands there, stops
        // on it as on another team's role assignment (a delete lists it: consenting to the
        // delete consents to what it takes). A system extension is Azure's own part of the
        // cluster and comes back with the new one.
        let sits_on = kinds::by_arm_type(&arm_type).is_some_and(|(def, _)| {
            matches!(
                def.kind,
                kinds::Kind::DiagnosticSetting
                    | kinds::Kind::DataCollectionRuleAssociation
                    | kinds::Kind::ClusterExtension
                    | kinds::Kind::FluxConfiguration
            )
        });
        if changes[t].action == Action::Replace {
            if sits_on && !kinds::extension::is_system(body) {
                unowned.entry(t).or_default().push(original.to_string());
            }
            // What a replacement takes comes back only if the spec declares it; the plan
            // lists replaced children on their own.
            continue;
        }
        // Learn ("Diagnostic settings in Azure Monitor"): delete a resource's diagnostic
        // settings first, otherwise a resource recreated under the same ID may pick them up.
        let why = if kinds::Kind::DiagnosticSetting
            .def()
            .arm
            .iter()
            .any(|a| a.path.eq_ignore_ascii_case(&arm_type))
        {
            format!(
                "not this stack's: left to its owner; Azure may keep it after {} is deleted",
                changes[t].address
            )
        } else {
            format!("ARM deletes it with {}", changes[t].address)
        };
        let goes_with = changes[t]
            .goes_with
            .clone()
            .unwrap_or_else(|| changes[t].address.clone());
        let mut change = delete_change(
            format!("(not in spec) {}", short_name(original)),
            arm_type,
            original.to_string(),
            why,
            body,
        );
        change.goes_with = Some(goes_with);
        added.push(change);
    }
    // A cluster takes its node resource group with it, whole (AKS deletes it with the
    // cluster): everything there is listed; what neither AKS nor this stack made stops it.
    let cluster_type = kinds::Kind::Cluster.def().arm[0].path;
    let listed: BTreeSet<String> = changes
        .iter()
        .chain(added.iter())
        .map(|c| c.id.to_ascii_lowercase())
        .collect();
    let mut node_groups = Vec::new();
    for (t, change) in changes.iter().enumerate() {
        if !matches!(change.action, Action::Delete | Action::Replace)
            || !change.arm_type.eq_ignore_ascii_case(cluster_type)
        {
            continue;
        }
        let Some(cluster) = live.get(&change.id) else {
            continue;
        };
        let Some(name) = kinds::cluster::live_node_resource_group(cluster) else {
            continue;
        };
        let Some(cluster_id) = ResourceId::parse(&change.id) else {
            continue;
        };
        let group_id = format!(
            "/subscriptions/{}/resourceGroups/{name}",
            cluster_id.subscription()
        );
        let Some(group) = live.get(&group_id) else {
            continue;
        };
        let items = inside(live, &group_id);
        for item in &items {
            let ours = owner_of(item.body).is_some_and(|o| o == stack.name)
                || kinds::cluster::made_by_cluster(cluster, item.body);
            if !ours {
                unowned.entry(t).or_default().push(item.id.clone());
            }
        }
        node_groups.push((
            t,
            group_id,
            group.clone(),
            items
                .iter()
                .map(|i| (i.id.clone(), i.arm_type.clone(), i.body.clone()))
                .collect::<Vec<_>>(),
        ));
    }
    for (t, group_id, group, items) in node_groups {
        let with = changes[t].address.clone();
        let mut goes = |id: &str, arm_type: &str, body: &Value| {
            if listed.contains(&id.to_ascii_lowercase()) {
                return;
            }
            let mut change = delete_change(
                format!("(not in spec) {}", short_name(id)),
                arm_type.to_string(),
                id.to_string(),
                format!("AKS deletes it with {with}'s node resource group"),
                body,
            );
            change.goes_with = Some(with.clone());
            added.push(change);
        };
        goes(&group_id, kinds::resource_group_type().path, &group);
        for (id, arm_type, body) in &items {
            goes(id, arm_type, body);
        }
    }
    changes.extend(added);
    unowned
        .into_iter()
        .map(|(t, mut what)| {
            what.sort();
            PlanError::TakesUnowned {
                address: changes[t].address.clone(),
                action: if changes[t].action == Action::Replace {
                    "replaced".into()
                } else {
                    "deleted".into()
                },
                what: what.join(", "),
            }
        })
        .collect()
}

/// Deletes run dependents first: after every other change, by how late their kind is created,
/// in a stable order within a kind.
pub(super) fn order_deletes(changes: &mut Vec<Change>) {
    // Taken out in place: a partition into two new vectors held every change twice at the
    // plan's peak (7 MB of 10,000 changes).
    let mut deletes: Vec<Change> = changes
        .extract_if(.., |c| c.action == Action::Delete)
        .collect();
    deletes.sort_by_key(|c| std::cmp::Reverse(kinds::delete_rank(&c.arm_type)));
    changes.extend(deletes);
}

/// A delete waits for the updates that let go of what it deletes: a subnet whose update takes
/// off a route table or NSG must run before their deletes, which Azure refuses while a subnet
/// still uses them (InUseRouteTableCannotBeDeleted, InUseNetworkSecurityGroupCannotBeDeleted).
/// An update lets go of a resource when a changed property held its ID before, or when its live
/// body names the ID and the body it sends does not: a cluster going back from its own outbound
/// IPs to managed ones sends no `outboundIPs` at all (AKS takes one of the three ways), so no
/// changed property shows the addresses it lets go of, and their deletes must still wait
/// (Azure refuses to delete an address a load balancer uses).
pub(super) fn deletes_wait_for_updates_letting_go(changes: &mut [Change], live: &LiveState) {
    let letting_go: Vec<(String, String)> = changes
        .iter()
        .filter(|c| c.action == Action::Update)
        .flat_map(|c| {
            let mut held: Vec<String> = c
                .changes
                .iter()
                .filter_map(|p| p.before.as_ref())
                .flat_map(ids_in)
                .collect();
            if let (Some(body), Some(desired)) = (live.get(&c.id), c.desired.as_ref()) {
                let kept: BTreeSet<String> = ids_in(desired).into_iter().collect();
                held.extend(ids_in(body).into_iter().filter(|id| !kept.contains(id)));
            }
            held.into_iter()
                .map(|id| (id, c.address.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    for change in changes.iter_mut() {
        if change.action != Action::Delete || change.goes_with.is_some() {
            continue;
        }
        let id = change.id.to_ascii_lowercase();
        for (held, by) in &letting_go {
            if *held == id && !change.depends_on.contains(by) {
                change.depends_on.push(by.clone());
            }
        }
    }
}

/// A delete of a route table, NSG or NAT gateway that a subnet the stack keeps still uses live,
/// while the subnet's spec leaves that association unset (azplan sends it back as it is), is
/// an error: nothing lets go of it, and Azure refuses the delete (InUseRouteTableCannotBeDeleted,
/// InUseNetworkSecurityGroupCannotBeDeleted, InUseNatGatewayCannotBeDeleted). With `none` the
/// subnet's update takes it off, and the delete waits for it (`deletes_wait_for_updates_letting_go`).
pub(super) fn deletes_a_subnet_keeps(
    stack: &Stack,
    live: &LiveState,
    changes: &[Change],
) -> Vec<PlanError> {
    let ctx = kinds::Context { stack, live };
    let deleted: BTreeMap<String, &Change> = changes
        .iter()
        .filter(|c| c.action == Action::Delete && c.goes_with.is_none())
        .map(|c| (c.id.to_ascii_lowercase(), c))
        .collect();
    let mut errors = Vec::new();
    if deleted.is_empty() {
        return errors;
    }
    for (address, resource) in &stack.resources {
        let Spec::Subnet(subnet) = &resource.spec else {
            continue;
        };
        let Some(properties) = live.get(&ctx.id(address)).and_then(|b| b.get("properties")) else {
            continue;
        };
        for (property, association) in [
            ("routeTable", &subnet.route_table),
            ("networkSecurityGroup", &subnet.network_security_group),
            ("natGateway", &subnet.nat_gateway),
        ] {
            if *association != Association::Unmanaged {
                continue;
            }
            let Some(id) = properties
                .get(property)
                .and_then(|a| a.get("id"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            if let Some(change) = deleted.get(&id.to_ascii_lowercase()) {
                errors.push(PlanError::DeleteInUse {
                    address: change.address.clone(),
                    subnet: address.to_string(),
                    property: property.to_string(),
                });
            }
        }
    }
    errors
}

/// Every string in a value that looks like an ARM ID, lower-cased.
fn ids_in(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(s) if s.starts_with('/') => vec![s.to_ascii_lowercase()],
        serde_json::Value::Array(items) => items.iter().flat_map(ids_in).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(ids_in).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::check_str;
    use crate::live::LiveState;
    use crate::load::LoadOptions;
    use crate::plan::{PlanOptions, plan};

    const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

    fn stack() -> (crate::model::Stack, crate::graph::Graph) {
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: keep\nresourceGroups:\n  keep: {}\n";
        let checked = check_str("s.yaml", spec, &LoadOptions::default());
        (checked.stack.unwrap(), checked.graph.unwrap())
    }

    fn owned_group(name: &str) -> serde_json::Value {
        json!({"id": format!("{SUB}/resourceGroups/{name}"), "type": "Microsoft.Resources/resourceGroups",
               "location": "westeurope", "tags": {"azplan-stack": "s"}})
    }

    fn registry(group: &str, name: &str, tags: serde_json::Value) -> serde_json::Value {
        json!({"id": format!("{SUB}/resourceGroups/{group}/providers/Microsoft.ContainerRegistry/registries/{name}"),
               "type": "Microsoft.ContainerRegistry/registries", "tags": tags})
    }

    #[test]
    fn a_delete_waits_for_the_update_that_lets_go_of_it() {
        let rt = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt";
        let subnet_id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
        let mut update = crate::plan::delete_change(
            "vnet/v/a".into(),
            "Microsoft.Network/virtualNetworks/subnets".into(),
            subnet_id.into(),
            "test".into(),
            &json!({}),
        );
        update.action = Action::Update;
        update.changes = vec![crate::plan::PropertyChange {
            path: "properties.routeTable".into(),
            before: Some(json!({ "id": rt.to_ascii_uppercase() })),
            after: serde_json::Value::Null,
            forces_replacement: false,
        }];
        let delete = |id: &str| {
            crate::plan::delete_change(
                "(not in spec)".into(),
                "Microsoft.Network/routeTables".into(),
                id.into(),
                "test".into(),
                &json!({}),
            )
        };
        let mut changes = vec![update, delete(rt), delete(&format!("{rt}2"))];
        deletes_wait_for_updates_letting_go(&mut changes, &LiveState::default());
        assert_eq!(changes[1].depends_on, vec!["vnet/v/a".to_string()]);
        assert!(
            changes[2].depends_on.is_empty(),
            "another table waits for nothing"
        );
    }

    #[test]
    fn a_delete_waits_for_an_update_whose_body_no_longer_names_it() {
        // A cluster back on managed outbound IPs: its update sends no `outboundIPs`, so only
        // its live body shows the address the update lets go of.
        let cluster = format!(
            "{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c"
        );
        let ip =
            format!("{SUB}/resourceGroups/g/providers/Microsoft.Network/publicIPAddresses/egress");
        let mut live = LiveState::default();
        live.insert(
            json!({"id": cluster, "properties": {"networkProfile": {"loadBalancerProfile": {
            "outboundIPs": {"publicIPs": [{"id": ip.to_ascii_uppercase()}]}}}}}),
        );
        let mut update = crate::plan::delete_change(
            "cluster/c".into(),
            "Microsoft.ContainerService/managedClusters".into(),
            cluster.clone(),
            "test".into(),
            &json!({}),
        );
        update.action = Action::Update;
        update.desired = Some(
            json!({"properties": {"networkProfile": {"loadBalancerProfile": {
            "managedOutboundIPs": {"count": 1}}}}}),
        );
        let delete = crate::plan::delete_change(
            "(not in spec)".into(),
            "Microsoft.Network/publicIPAddresses".into(),
            ip.clone(),
            "test".into(),
            &json!({}),
        );
        let mut changes = vec![update, delete];
        deletes_wait_for_updates_letting_go(&mut changes, &live);
        assert_eq!(changes[1].depends_on, vec!["cluster/c".to_string()]);

        // An update that keeps naming it lets go of nothing.
        changes[0].desired = Some(
            json!({"properties": {"networkProfile": {"loadBalancerProfile": {
            "outboundIPs": {"publicIPs": [{"id": ip}]}}}}}),
        );
        changes[1].depends_on.clear();
        deletes_wait_for_updates_letting_go(&mut changes, &live);
        assert!(changes[1].depends_on.is_empty());
    }

    #[test]
    fn a_group_holding_only_owned_resources_is_deleted_with_each_listed() {
        let (stack, graph) = stack();
        let mut live = LiveState::default();
        live.insert(owned_group("keep"));
        live.insert(owned_group("old"));
        live.set_group_contents(
            &format!("{SUB}/resourceGroups/old"),
            vec![registry("old", "mine", json!({"azplan-stack": "s"}))],
        );
        let (plan, errors) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert!(plan.kept.is_empty());
        let group = plan
            .changes
            .iter()
            .find(|c| c.id.ends_with("/old"))
            .unwrap();
        assert_eq!(group.action, Action::Delete);
        assert_eq!(group.takes_with_it.len(), 1);
        let mine = plan
            .changes
            .iter()
            .find(|c| c.id.ends_with("/mine"))
            .unwrap();
        assert_eq!(mine.action, Action::Delete);
        assert_eq!(mine.goes_with.as_deref(), Some(group.address.as_str()));
        assert!(!mine.is_operation(), "the group delete takes it");
        assert_eq!(plan.summary.delete, 2);
    }

    #[test]
    fn a_group_holding_anything_else_is_kept_and_named() {
        let (stack, graph) = stack();
        let mut live = LiveState::default();
        live.insert(owned_group("old"));
        live.set_group_contents(
            &format!("{SUB}/resourceGroups/old"),
            vec![
                registry("old", "mine", json!({"azplan-stack": "s"})),
                registry("old", "theirs", json!({})),
                registry("old", "other", json!({"azplan-stack": "t"})),
                json!({"id": format!("{SUB}/resourceGroups/old/providers/Microsoft.Web/serverFarms/tagged"),
                       "type": "Microsoft.Web/serverFarms", "tags": {"azplan-stack": "s"}}),
            ],
        );
        live.insert(json!({
            "id": format!("{SUB}/resourceGroups/old/providers/Microsoft.Authorization/roleAssignments/x"),
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"description": "someone's"}
        }));
        let (plan, _) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(
            plan.changes
                .iter()
                .all(|c| c.action != Action::Delete || !c.id.ends_with("/old")),
            "no delete of the group"
        );
        assert_eq!(plan.kept.len(), 1);
        let why: Vec<&str> = plan.kept[0]
            .not_owned
            .iter()
            .map(|n| n.why.as_str())
            .collect();
        assert_eq!(why.len(), 4, "{why:?}");
        assert!(why.iter().any(|w| w.contains("owned by stack `t`")));
        assert!(why.iter().any(|w| w.contains("no `azplan-stack` tag")));
        assert!(why.iter().any(|w| w.contains("does not manage")));
        assert!(why.iter().any(|w| w.contains("role assignment")));
        let mine = plan
            .changes
            .iter()
            .find(|c| c.id.ends_with("/mine"))
            .unwrap();
        assert_eq!(mine.action, Action::Delete);
        assert!(mine.goes_with.is_none(), "deleted on its own");
    }

    /// A route table left out of the spec while a kept subnet without `routeTable:` still uses
    /// it: Azure would refuse the delete, so the plan does; `routeTable: none` plans it.
    #[test]
    fn a_delete_a_kept_subnet_still_uses_needs_none() {
        let spec = |association: &str| {
            format!(
                "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: keep\nresourceGroups:\n  keep: {{}}\nvnets:\n  net:\n    addressSpace: [10.0.0.0/16]\n    subnets:\n      a: {{prefix: 10.0.0.0/24{association}}}\n"
            )
        };
        let network = format!("{SUB}/resourceGroups/keep/providers/Microsoft.Network");
        let table = format!("{network}/routeTables/old");
        let mut live = LiveState::default();
        live.insert(owned_group("keep"));
        live.insert(json!({"id": format!("{network}/virtualNetworks/net"), "type": "Microsoft.Network/virtualNetworks",
            "location": "westeurope", "tags": {"azplan-stack": "s"},
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}));
        live.insert(json!({"id": format!("{network}/virtualNetworks/net/subnets/a"), "type": "Microsoft.Network/virtualNetworks/subnets",
            "properties": {"addressPrefix": "10.0.0.0/24", "routeTable": {"id": table.to_ascii_uppercase()}}}));
        live.insert(
            json!({"id": table, "type": "Microsoft.Network/routeTables", "location": "westeurope",
            "tags": {"azplan-stack": "s"}, "properties": {"routes": []}}),
        );
        for (association, refused) in [("", true), (", routeTable: none", false)] {
            let checked = check_str("s.yaml", &spec(association), &LoadOptions::default());
            let (stack, graph) = (checked.stack.unwrap(), checked.graph.unwrap());
            let (plan, errors) = plan(&stack, &graph, &live, PlanOptions::default());
            let in_use = errors.iter().any(|e| {
                matches!(e, PlanError::DeleteInUse { property, subnet, .. }
                    if property == "routeTable" && subnet.contains('a'))
            });
            assert_eq!(in_use, refused, "{association:?}: {errors:?}");
            if !refused {
                assert!(errors.is_empty(), "{errors:?}");
                let delete = plan.changes.iter().find(|c| c.id == table).unwrap();
                assert_eq!(delete.action, Action::Delete);
                assert!(
                    !delete.depends_on.is_empty(),
                    "waits for the subnet: {delete:?}"
                );
            }
        }
    }

    #[test]
    fn children_of_what_goes_are_listed_with_it() {
        let (stack, graph) = stack();
        let mut live = LiveState::default();
        live.insert(owned_group("keep"));
        live.insert(owned_group("old"));
        let vnet =
            format!("{SUB}/resourceGroups/old/providers/Microsoft.Network/virtualNetworks/net");
        live.insert(json!({"id": vnet, "type": "Microsoft.Network/virtualNetworks", "tags": {"azplan-stack": "s"}}));
        live.insert(json!({"id": format!("{vnet}/subnets/a"), "type": "Microsoft.Network/virtualNetworks/subnets"}));
        let (plan, errors) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(errors.is_empty(), "{errors:?}");
        let subnet = plan
            .changes
            .iter()
            .find(|c| c.id.ends_with("/subnets/a"))
            .expect("the subnet is listed");
        assert_eq!(subnet.action, Action::Delete);
        assert!(
            subnet
                .goes_with
                .as_deref()
                .is_some_and(|g| g.contains("old")),
            "{subnet:?}"
        );
        assert!(!subnet.is_operation());
    }

    #[test]
    fn a_role_assignment_the_stack_does_not_own_stops_the_delete_of_its_scope() {
        let (stack, graph) = stack();
        let mut live = LiveState::default();
        live.insert(owned_group("keep"));
        let mine = registry("keep", "mine", json!({"azplan-stack": "s"}));
        let id = mine["id"].as_str().unwrap().to_string();
        live.insert(mine);
        live.insert(json!({
            "id": format!("{id}/providers/Microsoft.Authorization/roleAssignments/x"),
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"description": "the data team's pull access"}
        }));
        let (_, errors) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(
            errors.iter().any(|e| matches!(e, PlanError::TakesUnowned { what, .. } if what.ends_with("/roleAssignments/x"))),
            "{errors:?}"
        );
    }

    #[test]
    fn what_the_spec_declares_keeps_its_group_and_is_never_deleted() {
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: keep\nresourceGroups:\n  keep: {}\nidentities:\n  app: {}\nroleAssignments:\n  by-id:\n    role: Reader\n    scope: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/old\n    principal: identity/app\n";
        let checked = check_str("s.yaml", spec, &LoadOptions::default());
        let (stack, graph) = (checked.stack.unwrap(), checked.graph.unwrap());
        let mut live = LiveState::default();
        live.insert(owned_group("keep"));
        live.insert(owned_group("old"));
        // Plan once to learn the assignment's deterministic ID, then make it live.
        let (first, _) = plan(&stack, &graph, &live, PlanOptions::default());
        let ra = first
            .changes
            .iter()
            .find(|c| c.address == "roleAssignment/by-id")
            .unwrap()
            .id
            .clone();
        live.insert(
            json!({"id": ra, "type": "Microsoft.Authorization/roleAssignments",
                           "properties": {"description": "azplan-stack:s roleAssignment/by-id"}}),
        );
        let (plan, _) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(
            plan.changes
                .iter()
                .all(|c| !(c.action == Action::Delete && c.id.eq_ignore_ascii_case(&ra))),
            "the declared assignment is not deleted"
        );
        assert_eq!(plan.kept.len(), 1, "the group stays: {:?}", plan.changes);
        assert!(
            plan.kept[0].not_owned[0]
                .why
                .contains("roleAssignment/by-id")
        );
    }
}

#[cfg(test)]
mod group_location {
    use serde_json::json;

    use crate::check::check_str;
    use crate::live::LiveState;
    use crate::load::LoadOptions;
    use crate::plan::{Action, PlanError, PlanOptions, plan};

    #[test]
    fn moving_a_group_to_another_region_is_refused_not_replaced() {
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: keep\nresourceGroups:\n  keep: {}\n";
        let checked = check_str("s.yaml", spec, &LoadOptions::default());
        let (stack, graph) = (checked.stack.unwrap(), checked.graph.unwrap());
        let mut live = LiveState::default();
        live.insert(
            json!({"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/keep",
            "type": "Microsoft.Resources/resourceGroups", "location": "northeurope",
            "tags": {"azplan-stack": "s"}}),
        );
        let (plan, errors) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(
            errors
                .iter()
                .any(|e| matches!(e, PlanError::Impossible { path, .. } if path == "location")),
            "{errors:?}"
        );
        assert!(plan.changes.iter().all(|c| c.action != Action::Delete));
    }
}

/// What a saved plan checks of a resource known only from its group's contents: its identity and
/// its tags (whose stack it is). The rest of such an entry depends on how the group was read (a
/// generic LIST entry, a Resource Graph row), so it is no sign of a change in Azure.
fn ownership_fingerprint(body: &serde_json::Value) -> String {
    let id = body
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let tags = body.get("tags").cloned().unwrap_or(serde_json::Value::Null);
    crate::live::fingerprint(&serde_json::json!({ "id": id, "tags": tags }))
}
