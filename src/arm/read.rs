//! Reading a stack's live state with as few requests as ARM allows: one LIST of resource groups,
//! one LIST per (resource group, type), one LIST per parent for children, and GETs only for
//! what lives outside the stack's resource groups. Bounded concurrency; the client paces.
//! Every group the stack has or owns is also read whole (the generic resource LIST), because a
//! group delete takes everything in it.

use crate::model::Spec;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::client::ArmClient;
use super::error::ArmError;
use crate::id::ResourceId;
use crate::kinds::{self, Context};
use crate::live::LiveState;
use crate::model::{Kind, ResourceGroupRef, Stack};

/// Top-level types azplan manages, listed in every resource group of the stack (also finding
/// owned resources of kinds the spec no longer uses): every ARM type of every kind that lives
/// in a resource group and has no parent.
fn listed_types() -> impl Iterator<Item = &'static kinds::ArmType> {
    crate::kind::TABLE
        .iter()
        .filter(|d| {
            d.parent.is_none() && !matches!(d.kind, Kind::ResourceGroup | Kind::RoleAssignment)
        })
        .flat_map(|d| d.arm.iter())
}

/// Children listed under each parent: (parent's ARM type, the child's ARM type).
fn children() -> impl Iterator<Item = (&'static kinds::ArmType, &'static kinds::ArmType)> {
    crate::kind::TABLE.iter().filter_map(|d| {
        let parent = d.parent?.def().arm.first()?;
        Some((parent, d.arm.first()?))
    })
}

/// api-version of the generic resource LIST (`Resources_ListByResourceGroup`): Microsoft.Resources,
/// the version azplan uses for resource groups.
fn generic_list_api_version() -> &'static str {
    kinds::resource_group_type().api_version
}

fn role_assignments_path(scope: &str) -> String {
    format!("{scope}/providers/{}", kinds::role_assignment_type().path)
}

#[derive(Debug, Clone)]
enum Read {
    List {
        path: String,
        api_version: &'static str,
    },
    Get {
        id: String,
        api_version: String,
    },
    /// The generic LIST of a group: everything in it, whatever its type.
    Contents {
        group: String,
    },
    /// A DNS zone's record sets: a type the emulator may not serve for public zones, so a
    /// "not served" answer reads as none.
    RecordSets {
        path: String,
        api_version: &'static str,
    },
}

/// The generic LIST of a group's contents (top-level resources of every type).
pub fn contents_path(group_id: &str) -> String {
    format!("{group_id}/resources")
}

/// Everything a delete of the group would take, as bodies (with their tags and descriptions):
/// its top-level resources and the role assignments scoped at or below it. Read fresh by apply
/// right before a group delete.
pub async fn group_inventory(client: &ArmClient, group_id: &str) -> Result<Vec<Value>, ArmError> {
    let mut found: Vec<Value> = client
        .list(&contents_path(group_id), generic_list_api_version())
        .await?;
    let group = ResourceId::parse(group_id);
    let assignments = client
        .list(
            &role_assignments_path(group_id),
            kinds::role_assignment_type().api_version,
        )
        .await?;
    for body in assignments {
        let Some(id) = body.get("id").and_then(Value::as_str) else {
            continue;
        };
        let id = id.to_string();
        // The group's LIST also answers assignments inherited from above: keep those at or
        // below the group, which a delete of the group takes.
        let inside = ResourceId::parse(&id)
            .and_then(|id| id.scope())
            .zip(group.as_ref())
            .is_some_and(|(scope, group)| scope.is_within(group));
        if inside {
            found.push(body);
        }
    }
    Ok(found)
}

const CONCURRENCY: usize = 16;

/// Which deletes the read prepares for: what goes with a delete (a cluster's node resource
/// group, a zone's record sets) costs reads per resource, so it is read only for what may be
/// deleted. A declared cluster or zone that the plan replaces is checked again by apply right
/// before its delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Going {
    /// A plan: owned resources the spec no longer declares.
    Undeclared,
    /// A destroy: everything the stack owns.
    Everything,
}

/// Reads every resource the stack declares or may own.
pub async fn read_live(client: Arc<ArmClient>, stack: &Stack) -> Result<LiveState, Vec<ArmError>> {
    read_live_for(client, stack, Going::Undeclared).await
}

/// Reads every resource the stack declares or may own, and what goes with the deletes `going`
/// prepares for.
pub async fn read_live_for(
    client: Arc<ArmClient>,
    stack: &Stack,
    going: Going,
) -> Result<LiveState, Vec<ArmError>> {
    let empty = LiveState::default();
    let ctx = Context {
        stack,
        live: &empty,
    };
    let subscription = format!("/subscriptions/{}", stack.subscription);
    let mut live = LiveState::default();
    let mut errors = Vec::new();

    // Wave 1: which of the stack's resource groups exist.
    let groups = run(
        &client,
        vec![Read::List {
            path: format!("{subscription}/resourcegroups"),
            api_version: kinds::resource_group_type().api_version,
        }],
    )
    .await;
    let mut existing_groups = BTreeSet::new();
    // Groups this stack owns (by tag), in the spec or not: any of them may be deleted.
    let mut owned_groups = BTreeSet::new();
    for (_, result) in groups {
        match result {
            Ok(items) => {
                for item in items {
                    if let Some(id) = item.get("id").and_then(Value::as_str) {
                        existing_groups.insert(id.to_ascii_lowercase());
                        let owner = item
                            .get("tags")
                            .and_then(|t| t.get(kinds::OWNER_TAG))
                            .and_then(Value::as_str);
                        if owner == Some(stack.name.as_str()) {
                            owned_groups.insert(id.to_string());
                        }
                    }
                    live.insert(item);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Wave 2: every type in every stack group that exists, plus GETs for the rest.
    let mut stack_groups: BTreeSet<String> = BTreeSet::new();
    for resource in stack.resources.values() {
        match &resource.resource_group {
            Some(ResourceGroupRef::Managed { name, .. }) => {
                stack_groups
                    .insert(format!("{subscription}/resourceGroups/{name}").to_ascii_lowercase());
            }
            Some(ResourceGroupRef::Existing { id, .. }) => {
                stack_groups.insert(id.to_ascii_lowercase());
            }
            None if resource.address.kind == Kind::ResourceGroup => {
                // A declared group that nothing in the spec uses any more may still hold the
                // stack's resources, which must be found to be deleted.
                stack_groups.insert(ctx.id(&resource.address).to_ascii_lowercase());
            }
            None => {}
        }
    }
    let listed_groups: Vec<String> = stack_groups
        .iter()
        .filter(|g| existing_groups.contains(*g))
        .cloned()
        .collect();
    let mut reads = Vec::new();
    for group in &listed_groups {
        for arm_type in listed_types() {
            reads.push(Read::List {
                path: format!("{group}/providers/{}", arm_type.path),
                api_version: arm_type.api_version,
            });
        }
        reads.push(Read::List {
            path: role_assignments_path(group),
            api_version: kinds::role_assignment_type().api_version,
        });
        reads.push(Read::Contents {
            group: group.clone(),
        });
    }
    for group in &owned_groups {
        if stack_groups.contains(&group.to_ascii_lowercase()) {
            continue;
        }
        // An owned group the spec no longer has is deleted: read all it holds.
        reads.push(Read::List {
            path: role_assignments_path(group),
            api_version: kinds::role_assignment_type().api_version,
        });
        reads.push(Read::Contents {
            group: group.clone(),
        });
    }
    // Resources in a stack group are covered by its LISTs, or cannot exist when the group does
    // not; only what lives elsewhere needs a GET.
    let covered = |id: &str| {
        let lower = id.to_ascii_lowercase();
        stack_groups
            .iter()
            .any(|g| lower.starts_with(&format!("{g}/")))
    };
    for resource in stack.resources.values() {
        let id = ctx.id(&resource.address);
        let kind = resource.address.kind;
        let top_level = kind.parent().is_none() && kind != Kind::ResourceGroup;
        if top_level && !covered(&id) {
            let api_version = kinds::arm_kind(resource).api_version.to_string();
            reads.push(Read::Get { id, api_version });
        }
    }
    for (read, result) in run(&client, reads).await {
        match (read, result) {
            (Read::Contents { group }, Ok(items)) => live.set_group_contents(&group, items),
            (_, Ok(items)) => {
                for item in items {
                    live.insert(item);
                }
            }
            (_, Err(e)) => errors.push(e),
        }
    }

    // Wave 2b: what the stack owns outside the groups it declares, before wave 3 reads what
    // goes with each resource.
    owned_elsewhere(&client, stack, &subscription, &mut live, &mut errors).await;

    // Wave 3: children of every parent found, and of the top-level resources inside groups
    // a delete may take (so the plan lists the subnets, pools and credentials that go too).
    let mut reads = Vec::new();
    // A cluster's delete or replacement takes its node resource group whole: for every cluster
    // the stack owns, what that group holds (and the role assignments in it) is read too.
    let declared: BTreeSet<String> = stack
        .resources
        .values()
        .map(|r| ctx.id(&r.address).to_ascii_lowercase())
        .collect();
    let may_go = |id: &str| going == Going::Everything || !declared.contains(id);
    let ours = |body: &Value| {
        body.get("tags")
            .and_then(|t| t.get(kinds::OWNER_TAG))
            .and_then(Value::as_str)
            == Some(stack.name.as_str())
    };
    let cluster_type = Kind::Cluster.def().arm[0].path;
    let node_groups: BTreeSet<String> = live
        .iter()
        .filter(|(id, _)| may_go(id))
        .filter(|(_, body)| {
            body.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(cluster_type))
                && ours(body)
        })
        .filter_map(|(_, body)| kinds::cluster::live_node_resource_group(body))
        .map(|name| format!("{subscription}/resourceGroups/{name}"))
        .filter(|id| existing_groups.contains(&id.to_ascii_lowercase()))
        .collect();
    // A zone's delete takes its record sets (external-dns's, a person's): read them for every
    // zone the stack owns, so the plan can list them and stop for them.
    let zone_types: Vec<&str> = Kind::DnsZone.def().arm.iter().map(|t| t.path).collect();
    let zones: Vec<String> = live
        .iter()
        .filter(|(id, _)| may_go(id))
        .filter(|(_, body)| {
            body.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| zone_types.iter().any(|z| z.eq_ignore_ascii_case(t)))
                && ours(body)
        })
        .filter_map(|(_, body)| body.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    for zone in zones {
        let api_version = if zone.to_ascii_lowercase().contains("/privatednszones/") {
            kinds::private_dns_zone_type().api_version
        } else {
            Kind::DnsZone.def().arm[0].api_version
        };
        reads.push(Read::RecordSets {
            path: kinds::dns_zone::record_sets_path(&zone),
            api_version,
        });
    }
    for group in node_groups {
        reads.push(Read::List {
            path: role_assignments_path(&group),
            api_version: kinds::role_assignment_type().api_version,
        });
        reads.push(Read::Contents { group });
    }
    let in_groups = live.all_group_contents().filter_map(|body| {
        let id = body.get("id").and_then(Value::as_str)?;
        (live.get(id).is_none()).then(|| (id.to_ascii_lowercase(), body))
    });
    let parents: Vec<(String, &Value)> = live
        .iter()
        .map(|(id, body)| (id.clone(), body))
        .chain(in_groups)
        .collect();
    for (id, body) in parents {
        let id = &id;
        let arm_type = body
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        for (parent, child) in children() {
            if parent.path.eq_ignore_ascii_case(&arm_type) {
                let original = body.get("id").and_then(Value::as_str).unwrap_or(id);
                reads.push(Read::List {
                    path: format!("{original}/{}", child.segment()),
                    api_version: child.api_version,
                });
            }
        }
    }
    for (read, result) in run(&client, reads).await {
        match (read, result) {
            (Read::Contents { group }, Ok(items)) => live.set_group_contents(&group, items),
            (_, Ok(items)) => {
                for item in items {
                    live.insert(item);
                }
            }
            (
                Read::RecordSets { .. },
                Err(ArmError::Service {
                    status: 404 | 501, ..
                }),
            ) => {}
            (_, Err(e)) => errors.push(e),
        }
    }
    // Wave 4: the upgrade offer of each cluster whose Kubernetes version the spec changes (the
    // plan checks the new version against it).
    let mut reads = Vec::new();
    for resource in stack.resources.values() {
        let Spec::Cluster(cluster) = &resource.spec else {
            continue;
        };
        let Some(desired) = cluster.kubernetes_version.as_deref() else {
            continue;
        };
        let id = ctx.id(&resource.address);
        let Some(body) = live.get(&id) else { continue };
        let runs = body
            .pointer("/properties/currentKubernetesVersion")
            .or_else(|| body.pointer("/properties/kubernetesVersion"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let same = runs == desired || runs.starts_with(&format!("{desired}."));
        if !same {
            reads.push(Read::Get {
                id: format!("{id}/upgradeProfiles/default"),
                api_version: kinds::arm_kind(resource).api_version.to_string(),
            });
        }
    }
    for (read, result) in run(&client, reads).await {
        match (read, result) {
            (Read::Get { id, .. }, Ok(items)) => {
                let cluster = id.trim_end_matches("/upgradeProfiles/default");
                for item in items {
                    live.set_upgrade_offer(cluster, item);
                }
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(live)
    } else {
        Err(errors)
    }
}

/// What the stack owns outside the groups it declares (a registry in an `existing:` group, a
/// role assignment on another team's group), found by its mark so that it is deleted when the
/// spec drops it: one tag-filtered LIST of the subscription's resources (which answers without
/// tags: each match of a type azplan manages is read whole, the others keep the owner the filter
/// proved), then the subscription's role assignments, kept when marked as the stack's or scoped
/// at or below such a resource (so that its delete can list them and stop for unowned ones).
/// Where the credential may not read the whole subscription, `-v` warns what cannot be found.
async fn owned_elsewhere(
    client: &Arc<ArmClient>,
    stack: &Stack,
    subscription: &str,
    live: &mut LiveState,
    errors: &mut Vec<ArmError>,
) {
    let forbidden = |what: &str| {
        tracing::warn!(
            "cannot read {what}: what this stack owns outside its resource groups is not found (needs Reader on the subscription)"
        );
    };
    let tagged = Read::List {
        path: format!(
            "{subscription}/resources?$filter=tagName eq '{}' and tagValue eq '{}'",
            kinds::OWNER_TAG,
            stack.name
        ),
        api_version: generic_list_api_version(),
    };
    let mut found = Vec::new();
    for (_, result) in run(client, vec![tagged]).await {
        match result {
            Ok(items) => found = items,
            Err(ArmError::Service { status: 403, .. }) => forbidden("the subscription's resources"),
            Err(e) => errors.push(e),
        }
    }
    let mut outside_ids: Vec<String> = Vec::new();
    let mut reads = Vec::new();
    for mut item in found {
        let Some(id) = item.get("id").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if live.get(&id).is_some() {
            continue;
        }
        outside_ids.push(id.to_ascii_lowercase());
        let arm_type = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if kinds::manages_type(&arm_type) {
            reads.push(Read::Get {
                api_version: kinds::api_version_of_type(&arm_type).to_string(),
                id,
            });
        } else {
            item["tags"] = serde_json::json!({ kinds::OWNER_TAG: stack.name });
            live.insert(item);
        }
    }
    for (_, result) in run(client, reads).await {
        match result {
            Ok(items) => items.into_iter().for_each(|i| {
                live.insert(i);
            }),
            Err(e) => errors.push(e),
        }
    }
    let assignments = Read::List {
        path: role_assignments_path(subscription),
        api_version: kinds::role_assignment_type().api_version,
    };
    let marker = format!("{}{} ", kinds::OWNER_PREFIX, stack.name);
    for (_, result) in run(client, vec![assignments]).await {
        match result {
            Ok(items) => {
                for item in items {
                    let id = item
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    let marked = item
                        .pointer("/properties/description")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.starts_with(&marker));
                    let on_outside = outside_ids.iter().any(|o| id.starts_with(&format!("{o}/")));
                    if (marked || on_outside) && live.get(&id).is_none() {
                        live.insert(item);
                    }
                }
            }
            Err(ArmError::Service { status: 403, .. }) => {
                forbidden("the subscription's role assignments")
            }
            Err(e) => errors.push(e),
        }
    }
}

type ReadResult = (Read, Result<Vec<Value>, ArmError>);

/// Runs reads concurrently; each yields the bodies it found, in the order the reads were given.
async fn run(client: &Arc<ArmClient>, reads: Vec<Read>) -> Vec<ReadResult> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for (index, read) in reads.into_iter().enumerate() {
        let client = client.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = match &read {
                Read::List {
                    path, api_version, ..
                } => client.list(path, api_version).await,
                Read::Get { id, api_version } => client
                    .get(id, api_version)
                    .await
                    .map(|b| b.into_iter().collect()),
                Read::RecordSets { path, api_version } => client.list(path, api_version).await,
                Read::Contents { group } => {
                    client
                        .list(&contents_path(group), generic_list_api_version())
                        .await
                }
            };
            (index, read, result)
        });
    }
    let mut results: BTreeMap<usize, ReadResult> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, read, result)) => {
                results.insert(index, (read, result));
            }
            Err(e) => {
                results.insert(
                    usize::MAX - results.len(),
                    (
                        Read::Contents {
                            group: String::new(),
                        },
                        Err(ArmError::Setup(format!("a read task failed: {e}"))),
                    ),
                );
            }
        }
    }
    results.into_values().collect()
}
