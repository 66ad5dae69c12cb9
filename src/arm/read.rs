//! Reading a stack's live state with as few requests as ARM allows: one LIST of resource groups,
//! one LIST per (resource group, type), one LIST per parent for children, and GETs only for
//! what lives outside the stack's resource groups. Bounded concurrency; the client paces.
//! Every group the stack has or owns is also read whole (the generic resource LIST), because a
//! group delete takes everything in it.

use crate::model::Spec;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::client::ArmClient;
use super::error::ArmError;
use super::graph;
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
            // Assignments are extension resources, found by one subscription LIST each;
            // diagnostic settings by one LIST per resource they sit on (wave 6).
            d.parent.is_none()
                && !matches!(
                    d.kind,
                    Kind::ResourceGroup
                        | Kind::RoleAssignment
                        | Kind::PolicyAssignment
                        | Kind::DiagnosticSetting
                        | Kind::DataCollectionRuleAssociation
                )
        })
        .flat_map(|d| d.arm.iter())
}

/// Children listed under each parent: (parent's ARM type, the child's ARM type).
/// The third item is the path from the parent's ID (`subnets`; `providers/…/extensions` for a
/// cluster's extensions).
fn children() -> impl Iterator<Item = (&'static kinds::ArmType, &'static kinds::ArmType, String)> {
    crate::kind::TABLE.iter().filter_map(|d| {
        let child = d.arm.first()?;
        // The parent type whose path the child's continues: a zone link's parent is the private
        // zone type, not the public one the DNS zone kind lists first.
        d.parent?
            .def()
            .arm
            .iter()
            .find_map(|p| crate::kind::child_path(p.path, child).map(|path| (p, child, path)))
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

/// PolicyAssignments_List (a subscription) and PolicyAssignments_ListForResourceGroup: "the
/// unfiltered list includes all policy assignments associated with the [scope], including those
/// that apply directly or from [containing scopes], as well as any applied to objects contained
/// within" it (policyAssignments.json 2025-03-01).
fn policy_assignments_path(scope: &str) -> String {
    format!("{scope}/providers/{}", kinds::policy_assignment_type().path)
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
    /// The subscription's resources carrying the stack's tag (answered without tags).
    Tagged {
        path: String,
    },
    /// The diagnostic settings (DiagnosticSettings_List) or data collection rule associations
    /// (DataCollectionRuleAssociations_ListByResource) of one resource: a resource that is gone
    /// (404) or whose type has none (400) has none.
    Extensions {
        path: String,
        api_version: &'static str,
    },
}

/// The generic LIST of a group's contents (top-level resources of every type).
pub fn contents_path(group_id: &str) -> String {
    format!("{group_id}/resources")
}

/// Everything a delete of the group would take, as bodies (with their tags and descriptions):
/// its top-level resources and the role and policy assignments scoped at or below it. Read fresh by apply
/// right before a group delete.
pub async fn group_inventory(client: &ArmClient, group_id: &str) -> Result<Vec<Value>, ArmError> {
    let mut found: Vec<Value> = client
        .list(&contents_path(group_id), generic_list_api_version())
        .await?;
    let group = ResourceId::parse(group_id);
    let mut assignments = client
        .list(
            &role_assignments_path(group_id),
            kinds::role_assignment_type().api_version,
        )
        .await?;
    // A group's delete takes the policy assignments at or below it too.
    assignments.extend(
        client
            .list(
                &policy_assignments_path(group_id),
                kinds::policy_assignment_type().api_version,
            )
            .await?,
    );
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

/// From how many groups `--read auto` asks Resource Graph rather than LISTing: below it, the
/// LISTs of a group or two answer in one round trip and read ARM itself, with no lag.
pub const GRAPH_FROM_GROUPS: usize = 3;

/// How live state is read (`--read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadMode {
    /// Resource Graph when the stack spans `GRAPH_FROM_GROUPS` groups or more (falling back to
    /// LISTs when it cannot answer), LISTs otherwise.
    #[default]
    Auto,
    /// Resource Graph for every kind it holds whole; an error if it cannot answer.
    Graph,
    /// ARM LISTs only: per group, or per subscription when the stack's groups are many.
    List,
}

/// How the top-level resources of a stack's groups were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// One Resource Graph query (paged) for every group and the ownership tag.
    Graph,
    /// One LIST per type across the subscription, and the subscription's generic LIST.
    SubscriptionLists,
    /// One LIST per group and type, and each group's generic LIST.
    GroupLists,
}

/// Reads live state for the stacks of one command through one client: they share its read
/// budget, the LIST answers (a subscription's groups, types and role assignments are read once
/// for all its stacks) and the Resource Graph rows (`prefetch` asks once for all stacks).
/// Lives for one read phase only: what it remembers is a snapshot, never reused after a write.
pub struct Reader {
    pub client: Arc<ArmClient>,
    pub mode: ReadMode,
    lists: Lists,
    graph: Mutex<Vec<(graph::Ask, Arc<Vec<Value>>)>>,
    /// How the last stack was read, for messages.
    pub last_strategy: Mutex<Option<Strategy>>,
}

/// LIST answers, each read once per reader (shared with the read tasks).
#[derive(Clone)]
struct Lists {
    client: Arc<ArmClient>,
    memo: Arc<Mutex<HashMap<String, Arc<Vec<Value>>>>>,
}

impl Lists {
    async fn list(&self, path: &str, api_version: &str) -> Result<Arc<Vec<Value>>, ArmError> {
        let key = format!("{}?{api_version}", path.to_ascii_lowercase());
        if let Some(found) = lock(&self.memo).get(&key) {
            return Ok(found.clone());
        }
        let items = Arc::new(self.client.list(path, api_version).await?);
        lock(&self.memo).insert(key, items.clone());
        Ok(items)
    }
}

impl Reader {
    pub fn new(client: Arc<ArmClient>, mode: ReadMode) -> Reader {
        Reader {
            lists: Lists {
                client: client.clone(),
                memo: Arc::new(Mutex::new(HashMap::new())),
            },
            client,
            mode,
            graph: Mutex::new(Vec::new()),
            last_strategy: Mutex::new(None),
        }
    }

    async fn list(&self, path: &str, api_version: &str) -> Result<Arc<Vec<Value>>, ArmError> {
        self.lists.list(path, api_version).await
    }

    /// The Resource Graph rows answering `ask`: from an earlier, wider query when one covers
    /// it, otherwise from a new one.
    async fn graph_rows(&self, ask: &graph::Ask) -> Result<Arc<Vec<Value>>, ArmError> {
        if let Some((_, rows)) = lock(&self.graph).iter().find(|(a, _)| a.covers(ask)) {
            return Ok(rows.clone());
        }
        let rows = self
            .client
            .resource_graph(&ask.subscriptions(), &graph::query(ask))
            .await?;
        let rows: Vec<Value> = rows.iter().filter_map(graph::body_of_row).collect();
        let rows = Arc::new(rows);
        lock(&self.graph).push((ask.clone(), rows.clone()));
        Ok(rows)
    }

    /// Asks Resource Graph once for every stack that would read through it, so that a command
    /// over many stacks spends one query (and its pages) instead of one per stack. Groups are
    /// taken from the specs; which of them exist is checked again per stack. A failure is left
    /// for each stack's own read to meet (and fall back from).
    pub async fn prefetch(&self, stacks: &[&Stack]) {
        let mut ask = graph::Ask::default();
        let mut wanted = 0;
        for stack in stacks {
            let groups = spec_groups(stack);
            if !self.wants_graph(groups.len()) {
                continue;
            }
            wanted += 1;
            let subscription = stack.subscription.to_ascii_lowercase();
            for group in groups {
                if let Some((sub, name)) = split_group_id(&group) {
                    ask.scopes.entry(sub).or_default().groups.insert(name);
                }
            }
            ask.scopes
                .entry(subscription)
                .or_default()
                .owners
                .insert(stack.name.clone());
        }
        if wanted > 1 {
            let _ = self.graph_rows(&ask).await;
        }
    }

    fn wants_graph(&self, groups: usize) -> bool {
        match self.mode {
            ReadMode::Graph => true,
            ReadMode::List => false,
            ReadMode::Auto => groups >= GRAPH_FROM_GROUPS,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `(subscription, group)` of a group ID, lower-case.
fn split_group_id(id: &str) -> Option<(String, String)> {
    let parsed = ResourceId::parse(id)?;
    Some((
        parsed.subscription().to_ascii_lowercase(),
        parsed.resource_group()?.to_ascii_lowercase(),
    ))
}

/// The group IDs (lower-case) whose contents the stack reads: every group a resource lives in,
/// and every declared group (one nothing uses any more may still hold the stack's resources).
fn spec_groups(stack: &Stack) -> BTreeSet<String> {
    let empty = LiveState::default();
    let ctx = Context {
        stack,
        live: &empty,
    };
    let subscription = format!("/subscriptions/{}", stack.subscription);
    let mut groups = BTreeSet::new();
    for resource in stack.resources.values() {
        match &resource.resource_group {
            Some(ResourceGroupRef::Managed { name, .. }) => {
                groups.insert(format!("{subscription}/resourceGroups/{name}").to_ascii_lowercase());
            }
            Some(ResourceGroupRef::Existing { id, .. }) => {
                groups.insert(id.to_ascii_lowercase());
            }
            None if resource.address.kind == Kind::ResourceGroup => {
                groups.insert(ctx.id(&resource.address).to_ascii_lowercase());
            }
            None => {}
        }
    }
    groups
}

/// Whether one LIST per type across the subscription costs less than one per group and type:
/// the subscription's LISTs also carry the other groups' resources, so they pay when the stack
/// holds a good part of the subscription's groups (a quarter or more) and more than one.
fn subscription_lists_pay(stack_groups: usize, subscription_groups: usize) -> bool {
    stack_groups >= 2 && stack_groups * 4 >= subscription_groups
}

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

/// Reads every resource the stack declares or may own, with LISTs (the library default; the
/// CLI chooses with `--read`).
pub async fn read_live(client: Arc<ArmClient>, stack: &Stack) -> Result<LiveState, Vec<ArmError>> {
    let reader = Reader::new(client, ReadMode::Auto);
    read_live_with(&reader, stack, Going::Undeclared).await
}

/// Reads every resource the stack declares or may own, and what goes with the deletes `going`
/// prepares for.
pub async fn read_live_for(
    client: Arc<ArmClient>,
    stack: &Stack,
    going: Going,
) -> Result<LiveState, Vec<ArmError>> {
    let reader = Reader::new(client, ReadMode::Auto);
    read_live_with(&reader, stack, going).await
}

/// What wave 2 found: full bodies of the types azplan manages (by lower-case ID), every group's
/// contents, and what the ownership tag marks.
#[derive(Default)]
struct Found {
    bodies: HashMap<String, Value>,
    contents: BTreeMap<String, Vec<Value>>,
    /// Entries carrying the stack's tag anywhere in the subscription (`None`: not read).
    tagged: Option<Vec<Value>>,
}

/// Reads every resource the stack declares or may own through `reader`, and what goes with the
/// deletes `going` prepares for.
///
/// Cost, with `G` groups, `T` types azplan manages and `I` identities holding federated
/// credentials: one LIST of the subscription's groups and one of its role assignments, then
/// either one Resource Graph query (a page per 1,000 resources), or `T` + 1 subscription LISTs
/// (a page per 1,000 of each), or `G` × (`T` + 1) group LISTs; subnets and pools come inside
/// their VNet and cluster, so children cost `I` LISTs. The count does not grow with resources
/// per group.
pub async fn read_live_with(
    reader: &Reader,
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

    // Wave 1, at once: which of the stack's resource groups exist, the subscription's role
    // assignments, and (when it reads the stack) Resource Graph's answer for the spec's groups.
    let stack_groups = spec_groups(stack);
    let early_graph = reader.wants_graph(stack_groups.len());
    let asked: Vec<String> = stack_groups.iter().cloned().collect();
    let groups_path = format!("{subscription}/resourcegroups");
    let assignments_path = role_assignments_path(&subscription);
    let policies_path = policy_assignments_path(&subscription);
    let (groups, subscription_assignments, subscription_policies, early) = tokio::join!(
        reader.list(&groups_path, kinds::resource_group_type().api_version,),
        // The subscription's role assignments: those in the read groups (and above them), the
        // ones marked as the stack's anywhere, and those on what the stack owns elsewhere.
        reader.list(&assignments_path, kinds::role_assignment_type().api_version,),
        // Its policy assignments, kept by the same rule.
        reader.list(&policies_path, kinds::policy_assignment_type().api_version,),
        async {
            if early_graph {
                Some(read_by_graph(reader, stack, &asked).await)
            } else {
                None
            }
        }
    );
    let groups = match groups {
        Ok(groups) => groups,
        Err(e) => return Err(vec![e]),
    };
    let mut existing_groups = BTreeSet::new();
    // Groups this stack owns (by tag), in the spec or not: any of them may be deleted.
    let mut owned_groups = BTreeSet::new();
    for item in groups.iter() {
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            existing_groups.insert(id.to_ascii_lowercase());
            if kinds::tagged_owner(item) == Some(stack.name.as_str()) {
                owned_groups.insert(id.to_string());
            }
        }
        live.insert(item.clone());
    }

    // Wave 2: every type in every stack group that exists, plus GETs for the rest.
    // The groups read whole: the stack's that exist, and owned ones the spec no longer has
    // (deleted, so all they hold is read).
    let mut read_groups: Vec<String> = stack_groups
        .iter()
        .filter(|g| existing_groups.contains(*g))
        .cloned()
        .collect();
    for group in &owned_groups {
        let lower = group.to_ascii_lowercase();
        if !stack_groups.contains(&lower) {
            read_groups.push(lower);
        }
    }
    let in_read_group = |id: &str| {
        let lower = id.to_ascii_lowercase();
        read_groups
            .iter()
            .any(|g| lower.starts_with(&format!("{g}/")))
    };

    let mut found = Found::default();
    // The LIST strategy, also where Resource Graph cannot answer.
    let lists = if subscription_lists_pay(read_groups.len(), existing_groups.len()) {
        Strategy::SubscriptionLists
    } else {
        Strategy::GroupLists
    };
    let mut strategy = if early_graph || reader.wants_graph(read_groups.len()) {
        Strategy::Graph
    } else {
        lists
    };
    if strategy == Strategy::Graph {
        // The early answer serves unless owned groups the spec no longer has must be read too.
        let answer = match early {
            Some(answer) if read_groups.iter().all(|g| stack_groups.contains(g)) => answer,
            _ => read_by_graph(reader, stack, &read_groups).await,
        };
        match answer {
            Ok(by_graph) => found = by_graph,
            Err(e) if reader.mode == ReadMode::Graph => errors.push(e),
            Err(e) => {
                tracing::warn!(
                    "Resource Graph could not answer ({e}); reading with ARM LISTs instead"
                );
                strategy = lists;
            }
        }
    }
    // Kinds Resource Graph does not hold whole are LISTed whatever the strategy.
    let listed: Vec<&'static kinds::ArmType> = match strategy {
        Strategy::Graph => listed_types()
            .filter(|t| kinds::by_arm_type(t.path).is_some_and(|(d, _)| !d.in_resource_graph))
            .collect(),
        _ => listed_types().collect(),
    };
    // Resources in a stack group are covered by its reads, or cannot exist when the group does
    // not; only what lives elsewhere needs a GET.
    let covered = |id: &str| {
        let lower = id.to_ascii_lowercase();
        stack_groups
            .iter()
            .any(|g| lower.starts_with(&format!("{g}/")))
    };
    let wave_two = |strategy: Strategy| -> Vec<Read> {
        let by_subscription = strategy == Strategy::SubscriptionLists;
        let mut reads = Vec::new();
        for arm_type in &listed {
            if by_subscription {
                reads.push(Read::List {
                    path: format!("{subscription}/providers/{}", arm_type.path),
                    api_version: arm_type.api_version,
                });
            } else {
                for group in &read_groups {
                    reads.push(Read::List {
                        path: format!("{group}/providers/{}", arm_type.path),
                        api_version: arm_type.api_version,
                    });
                }
            }
        }
        match strategy {
            Strategy::Graph => {}
            Strategy::SubscriptionLists => reads.push(Read::Contents {
                group: subscription.clone(),
            }),
            Strategy::GroupLists => {
                for group in &read_groups {
                    reads.push(Read::Contents {
                        group: group.clone(),
                    });
                }
            }
        }
        if matches!(strategy, Strategy::GroupLists) {
            // What the tag marks outside the groups (the subscription's generic LIST, when read,
            // already holds it).
            reads.push(Read::Tagged {
                path: format!(
                    "{subscription}/resources?$filter=tagName eq '{}' and tagValue eq '{}'",
                    kinds::OWNER_TAG,
                    stack.name
                ),
            });
        }
        for resource in stack.resources.values() {
            let id = ctx.id(&resource.address);
            let kind = resource.address.kind;
            let top_level = kind.parent().is_none() && kind != Kind::ResourceGroup;
            if top_level && !covered(&id) {
                let api_version = kinds::arm_kind(resource).api_version.to_string();
                reads.push(Read::Get { id, api_version });
            }
        }
        reads
    };
    // A credential with Reader on some groups only sees a few groups (so subscription LISTs
    // look cheap) but may not LIST the subscription: its groups are LISTed one by one instead.
    let results = loop {
        let results = run(reader, wave_two(strategy)).await;
        let refused = strategy == Strategy::SubscriptionLists
            && results
                .iter()
                .any(|(_, r)| matches!(r, Err(ArmError::Service { status: 403, .. })));
        if !refused {
            break results;
        }
        tracing::warn!("the subscription may not be listed; listing each resource group instead");
        strategy = Strategy::GroupLists;
    };
    let mut gotten = Vec::new();
    for (read, result) in results {
        match (read, result) {
            (Read::Contents { group }, Ok(items)) if group == subscription => {
                found.tagged = Some(
                    items
                        .iter()
                        .filter(|i| kinds::tagged_owner(i) == Some(stack.name.as_str()))
                        .cloned()
                        .collect(),
                );
                for item in items.iter() {
                    if let Some((sub, group)) = graph::place_of(item) {
                        found
                            .contents
                            .entry(format!("/subscriptions/{sub}/resourcegroups/{group}"))
                            .or_default()
                            .push(item.clone());
                    }
                }
            }
            (Read::Contents { group }, Ok(items)) => {
                found
                    .contents
                    .entry(group.to_ascii_lowercase())
                    .or_default()
                    .extend(items.iter().cloned());
            }
            (Read::Tagged { .. }, Ok(items)) => found.tagged = Some(items.to_vec()),
            (Read::Tagged { .. }, Err(ArmError::Service { status: 403, .. })) => {
                forbidden("the subscription's resources")
            }
            (Read::Get { .. }, Ok(items)) => gotten.extend(items.iter().cloned()),
            (_, Ok(items)) => {
                for item in items.iter() {
                    if let Some(id) = item.get("id").and_then(Value::as_str) {
                        found.bodies.insert(id.to_ascii_lowercase(), item.clone());
                    }
                }
            }
            (_, Err(e)) => errors.push(e),
        }
    }
    *lock(&reader.last_strategy) = Some(strategy);
    // Bodies of the read groups are the stack's live state; the rest wait for the tag.
    for (id, body) in &found.bodies {
        if in_read_group(id) {
            live.insert(body.clone());
        }
    }
    for body in gotten {
        live.insert(body);
    }
    for group in &read_groups {
        let contents = found.contents.remove(group).unwrap_or_default();
        live.set_group_contents(group, contents);
    }

    // Wave 2b: what the stack owns outside the groups it declares, before wave 3 reads what
    // goes with each resource.
    let outside_ids = owned_elsewhere(reader, stack, &found, &mut live, &mut errors).await;
    let marker = format!("{}{} ", kinds::OWNER_PREFIX, stack.name);
    // The assignments the spec declares: read wherever they are, so that one someone else made
    // under the same ID is found (and refused) rather than overwritten.
    let declared_assignments: BTreeSet<String> = stack
        .resources
        .values()
        .filter(|r| {
            matches!(
                r.address.kind,
                Kind::RoleAssignment | Kind::PolicyAssignment
            )
        })
        .map(|r| ctx.id(&r.address).to_ascii_lowercase())
        .collect();
    // Whether a role or policy assignment of the subscription's LIST belongs in live state.
    let keep = |item: &Value, id: &str| {
        if declared_assignments.contains(id) {
            return true;
        }
        let marked = item
            .pointer("/properties/description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.starts_with(&marker))
            || kinds::tagged_owner(item) == Some(stack.name.as_str());
        let on_outside = outside_ids.iter().any(|o| id.starts_with(&format!("{o}/")));
        // At or above a read group (the subscription, a management group) or inside
        // one: what the group LISTs of role assignments would answer.
        let scope = ResourceId::parse(id)
            .and_then(|id| id.scope())
            .map(|s| s.to_string().to_ascii_lowercase());
        let in_other_group = scope.as_deref().is_some_and(|s| {
            ResourceId::parse(s)
                .and_then(|p| p.resource_group().map(str::to_string))
                .is_some()
                && !in_read_group(&format!("{s}/"))
                && !read_groups.iter().any(|g| s == g)
        });
        marked || on_outside || !in_other_group
    };
    let insert_kept = |items: &[Value], live: &mut LiveState| {
        for item in items {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            if keep(item, &id) && live.get(&id).is_none() {
                live.insert(item.clone());
            }
        }
    };
    match subscription_policies {
        Ok(items) => insert_kept(&items, &mut live),
        Err(ArmError::Service { status: 403, .. }) => {
            // Without Reader on the subscription, each group's own LIST still answers
            // (PolicyAssignments_ListForResourceGroup: the group's assignments and those it
            // inherits), as for role assignments below.
            forbidden("the subscription's policy assignments");
            let reads = read_groups
                .iter()
                .map(|group| Read::List {
                    path: policy_assignments_path(group),
                    api_version: kinds::policy_assignment_type().api_version,
                })
                .collect();
            for (_, result) in run(reader, reads).await {
                match result {
                    Ok(items) => insert_kept(&items, &mut live),
                    Err(e) => errors.push(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    match subscription_assignments {
        Ok(items) => insert_kept(&items, &mut live),
        Err(ArmError::Service { status: 403, .. }) => {
            // Without Reader on the subscription, each group's own LIST still answers.
            forbidden("the subscription's role assignments");
            let reads = read_groups
                .iter()
                .map(|group| Read::List {
                    path: role_assignments_path(group),
                    api_version: kinds::role_assignment_type().api_version,
                })
                .collect();
            for (_, result) in run(reader, reads).await {
                match result {
                    Ok(items) => items.iter().for_each(|i| {
                        live.insert(i.clone());
                    }),
                    Err(e) => errors.push(e),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    // Subnets and pools come inside their VNet's and cluster's bodies.
    live.add_children_listed_inline();

    // Wave 3: children ARM does not embed (federated credentials) of the identities that may
    // have them, and of the top-level resources inside groups a delete may take (so the plan
    // lists the subnets, pools and credentials that go too).
    let mut reads = Vec::new();
    let declared: BTreeSet<String> = stack
        .resources
        .values()
        .map(|r| ctx.id(&r.address).to_ascii_lowercase())
        .collect();
    let may_go = |id: &str| going == Going::Everything || !declared.contains(id);
    let ours = |body: &Value| kinds::tagged_owner(body) == Some(stack.name.as_str());
    // A cluster's delete or replacement takes its node resource group whole: for every cluster
    // that may be deleted, what that group holds (and the role assignments in it) is read too.
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
    // zone that may be deleted, so the plan can list them and stop for them.
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
    // Parents with children listed per parent: an identity's federated credentials, when the
    // spec declares it or gives it credentials, or the stack made it (it may hold credentials to
    // delete).
    let with_credentials: BTreeSet<String> = stack
        .resources
        .values()
        .filter(|r| r.address.kind == Kind::FederatedCredential)
        .filter_map(|r| {
            let id = ctx.id(&r.address);
            ResourceId::parse(&id)
                .and_then(|id| id.parent())
                .map(|p| p.to_string().to_ascii_lowercase())
        })
        .collect();
    let in_groups = live.all_group_contents().filter_map(|body| {
        let id = body.get("id").and_then(Value::as_str)?;
        (live.get(id).is_none()).then(|| (id.to_ascii_lowercase(), body))
    });
    let parents: Vec<(String, &Value, bool)> = live
        .iter()
        .map(|(id, body)| (id.clone(), body, true))
        .chain(in_groups.map(|(id, body)| (id, body, false)))
        .collect();
    for (id, body, whole) in parents {
        let arm_type = body
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        for (parent, child, child_path) in children() {
            if !parent.path.eq_ignore_ascii_case(&arm_type) {
                continue;
            }
            // A cluster's extensions are LISTed only where the stack may touch them: a cluster
            // whose spec has `extensions:`, or one of the stack's that a delete may take (the plan
            // lists what goes with it). Other clusters cost no read, and a subscription without
            // Microsoft.KubernetesConfiguration registered is never asked.
            if let Some((d, _)) =
                kinds::by_arm_type(child.path).filter(|(d, _)| d.kind.is_extension_resource())
                && !(kinds::extension::cluster_owns(stack, &ctx, d.kind, &id)
                    || (may_go(&id) && ours(body)))
            {
                continue;
            }
            let embedded = kinds::by_arm_type(child.path)
                .is_some_and(|(d, _)| d.listed_in_parent_at.is_some());
            // A whole body (a GET, a typed LIST, a Resource Graph row) carries embedded
            // children; a generic LIST entry does not.
            if embedded && whole {
                continue;
            }
            // Declared identities too: one adopted with `--adopt` may hold credentials the
            // spec does not give it, which the adoption plan must show.
            if whole
                && !embedded
                && !(with_credentials.contains(&id) || declared.contains(&id) || ours(body))
            {
                continue;
            }
            let original = body.get("id").and_then(Value::as_str).unwrap_or(&id);
            reads.push(Read::List {
                path: format!("{original}/{child_path}"),
                api_version: child.api_version,
            });
        }
    }
    for (read, result) in run(reader, reads).await {
        match (read, result) {
            (Read::Contents { group }, Ok(items)) => {
                live.set_group_contents(&group, items.to_vec())
            }
            (_, Ok(items)) => {
                for item in items.iter() {
                    live.insert(item.clone());
                }
            }
            (
                Read::RecordSets { .. },
                Err(ArmError::Service {
                    status: 404 | 501, ..
                }),
            ) => {}
            // A subscription that never registered Microsoft.KubernetesConfiguration answers
            // MissingSubscriptionRegistration (Learn, "Resolve errors for resource provider
            // registration"): it holds no extensions, so a cluster's delete takes none.
            (Read::List { path, .. }, Err(ArmError::Service { code, .. }))
                if code == "MissingSubscriptionRegistration"
                    && kinds::extension::is_extension_list(&path) => {}
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
    for (read, result) in run(reader, reads).await {
        match (read, result) {
            (Read::Get { id, .. }, Ok(items)) => {
                let cluster = id.trim_end_matches("/upgradeProfiles/default");
                for item in items.iter() {
                    live.set_upgrade_offer(cluster, item.clone());
                }
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => errors.push(e),
        }
    }
    // Wave 5: for key vaults, the subscription's tenant (the default `tenantId`) and the
    // soft-deleted vault of each vault the plan would create (its name is taken until purged).
    let mut reads = Vec::new();
    if kinds::key_vault::needs_tenant(stack) {
        reads.push(Read::Get {
            id: kinds::key_vault::subscription_id(stack),
            api_version: crate::kind::subscription_type().api_version.to_string(),
        });
    }
    // The subscription's soft-deleted vaults, once, when any vault is to be created: a vault
    // name is global, so one deleted in another region still holds it (Vaults_ListDeleted,
    // `GET /subscriptions/{sub}/providers/Microsoft.KeyVault/deletedVaults`).
    let to_create = stack.resources.values().find(|resource| {
        matches!(resource.spec, Spec::KeyVault(_)) && live.get(&ctx.id(&resource.address)).is_none()
    });
    if let Some(resource) = to_create {
        reads.push(Read::List {
            path: kinds::key_vault::deleted_vaults_path(&stack.subscription),
            api_version: kinds::arm_kind(resource).api_version,
        });
    }
    for (read, result) in run(reader, reads).await {
        match (read, result) {
            (_, Ok(items)) => items.iter().for_each(|item| {
                live.insert(item.clone());
            }),
            // Without Reader on the subscription the deleted vaults cannot be listed: the plan
            // goes on, and a create into a soft-deleted name fails at apply, naming it.
            (Read::List { .. }, Err(ArmError::Service { status: 403, .. })) => {
                tracing::warn!(
                    "cannot list the subscription's soft-deleted key vaults (needs Reader on the subscription)"
                );
            }
            (_, Err(e)) => errors.push(e),
        }
    }
    // Wave 6: diagnostic settings and data collection rule associations, which neither group
    // LISTs nor Resource Graph's `Resources` table hold (they have no location): one LIST per
    // resource a declared one sits on, and both per resource of the stack's that may be deleted
    // (what sits on it goes with it, and the plan lists it).
    let settings = kinds::diagnostic_setting::arm_type();
    let associations = kinds::rule_association::arm_type();
    let mut targets: BTreeSet<(String, bool, bool)> = BTreeSet::new();
    for resource in stack.resources.values() {
        match &resource.spec {
            Spec::DiagnosticSetting(ds) => {
                targets.insert((ctx.target_id(&ds.target), true, false));
            }
            Spec::DataCollectionRuleAssociation(a) => {
                targets.insert((ctx.target_id(&a.target), false, true));
            }
            _ => {}
        }
    }
    let declared: BTreeSet<String> = stack
        .resources
        .values()
        .map(|r| ctx.id(&r.address).to_ascii_lowercase())
        .collect();
    for (id, body) in live.iter() {
        let may_go = going == Going::Everything || !declared.contains(id);
        if may_go
            && kinds::tagged_owner(body) == Some(stack.name.as_str())
            && kinds::diagnostic_setting::may_have_settings(body)
        {
            let id = body.get("id").and_then(Value::as_str).unwrap_or(id);
            let arm_type = body.get("type").and_then(Value::as_str).unwrap_or_default();
            for scope in kinds::diagnostic_setting::scopes_of(id, arm_type) {
                let associations = scope.len() == id.len();
                targets.insert((scope, true, associations));
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut reads: Vec<Read> = Vec::new();
    for (target, wants_settings, wants_associations) in targets {
        if target.is_empty() {
            continue;
        }
        let lower = target.to_ascii_lowercase();
        if wants_settings && seen.insert((lower.clone(), true)) {
            reads.push(Read::Extensions {
                path: kinds::diagnostic_setting::list_path(&target),
                api_version: settings.api_version,
            });
        }
        if wants_associations && seen.insert((lower, false)) {
            reads.push(Read::Extensions {
                path: kinds::rule_association::list_path(&target),
                api_version: associations.api_version,
            });
        }
    }
    for (read, result) in run(reader, reads).await {
        match (read, result) {
            (_, Ok(items)) => items.iter().for_each(|item| {
                live.insert(item.clone());
            }),
            (
                Read::Extensions { .. },
                Err(ArmError::Service {
                    status: 400 | 404, ..
                }),
            ) => {}
            (_, Err(e)) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(live)
    } else {
        Err(errors)
    }
}

/// The stack's groups and what its tag marks elsewhere, from one Resource Graph query: the
/// bodies of kinds Resource Graph holds whole, and every group's contents.
async fn read_by_graph(
    reader: &Reader,
    stack: &Stack,
    read_groups: &[String],
) -> Result<Found, ArmError> {
    let mut ask = graph::Ask::default();
    let subscription = stack.subscription.to_ascii_lowercase();
    let scope = ask.scopes.entry(subscription).or_default();
    let mut elsewhere = Vec::new();
    for group in read_groups {
        match split_group_id(group) {
            Some((sub, name)) if sub == stack.subscription.to_ascii_lowercase() => {
                scope.groups.insert(name);
            }
            Some((sub, name)) => elsewhere.push((sub, name)),
            None => {}
        }
    }
    for (sub, name) in elsewhere {
        ask.scopes.entry(sub).or_default().groups.insert(name);
    }
    // The stack's tag counts in its own subscription only.
    ask.scopes
        .entry(stack.subscription.to_ascii_lowercase())
        .or_default()
        .owners
        .insert(stack.name.clone());
    let rows = reader.graph_rows(&ask).await?;
    let mut found = Found {
        tagged: Some(Vec::new()),
        ..Found::default()
    };
    let wanted: BTreeSet<&str> = read_groups.iter().map(String::as_str).collect();
    for body in rows.iter() {
        let Some(id) = body.get("id").and_then(Value::as_str) else {
            continue;
        };
        let group = graph::place_of(body)
            .map(|(sub, group)| format!("/subscriptions/{sub}/resourcegroups/{group}"));
        let whole = body
            .get("type")
            .and_then(Value::as_str)
            .and_then(kinds::by_arm_type)
            .is_some_and(|(d, _)| d.in_resource_graph);
        if let Some(group) = group.filter(|g| wanted.contains(g.as_str())) {
            found.contents.entry(group).or_default().push(body.clone());
        }
        if whole {
            found.bodies.insert(id.to_ascii_lowercase(), body.clone());
        }
        let in_subscription = graph::place_of(body)
            .is_some_and(|(sub, _)| sub.eq_ignore_ascii_case(&stack.subscription));
        let tagged = in_subscription && kinds::tagged_owner(body) == Some(stack.name.as_str());
        if tagged && let Some(list) = found.tagged.as_mut() {
            list.push(body.clone());
        }
    }
    Ok(found)
}

fn forbidden(what: &str) {
    tracing::warn!(
        "cannot read {what}: what this stack owns outside its resource groups is not found (needs Reader on the subscription)"
    );
}

/// What the stack owns outside the groups it reads (a registry in an `existing:` group, a
/// resource group it made and the spec dropped), found by its mark so that it is deleted when
/// the spec drops it: the entries the tag marks (from Resource Graph, the subscription's generic
/// LIST, or a tag-filtered LIST, which answers without tags), each of a type azplan manages taken
/// whole from what wave 2 read or else read with a GET, the others kept with the owner the filter
/// proved. Returns their IDs (lower-case), whose role assignments are the stack's concern too.
/// Where the credential may not read the whole subscription, `-v` warns what cannot be found.
async fn owned_elsewhere(
    reader: &Reader,
    stack: &Stack,
    found: &Found,
    live: &mut LiveState,
    errors: &mut Vec<ArmError>,
) -> Vec<String> {
    let mut outside_ids: Vec<String> = Vec::new();
    let mut reads = Vec::new();
    for item in found.tagged.iter().flatten() {
        let Some(id) = item.get("id").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if live.get(&id).is_some() {
            continue;
        }
        let lower = id.to_ascii_lowercase();
        outside_ids.push(lower.clone());
        let arm_type = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(body) = found.bodies.get(&lower) {
            live.insert(body.clone());
        } else if kinds::manages_type(&arm_type) {
            reads.push(Read::Get {
                api_version: kinds::api_version_of_type(&arm_type).to_string(),
                id,
            });
        } else {
            let mut item = item.clone();
            item["tags"] = serde_json::json!({ kinds::OWNER_TAG: stack.name });
            live.insert(item);
        }
    }
    for (_, result) in run(reader, reads).await {
        match result {
            Ok(items) => items.iter().for_each(|i| {
                live.insert(i.clone());
            }),
            Err(e) => errors.push(e),
        }
    }
    outside_ids
}

/// GETs each `(id, api-version)` with the reads' bounded concurrency: the body, or `None` when
/// ARM says it does not exist.
pub async fn get_each(
    client: Arc<ArmClient>,
    gets: Vec<(String, String)>,
) -> Vec<(String, Result<Option<Value>, ArmError>)> {
    let reader = Reader::new(client, ReadMode::List);
    let reads = gets
        .into_iter()
        .map(|(id, api_version)| Read::Get { id, api_version })
        .collect();
    run(&reader, reads)
        .await
        .into_iter()
        .map(|(read, result)| {
            let id = match read {
                Read::Get { id, .. } => id,
                _ => String::new(),
            };
            (id, result.map(|bodies| bodies.first().cloned()))
        })
        .collect()
}

type ReadResult = (Read, Result<Arc<Vec<Value>>, ArmError>);

/// Runs reads concurrently; each yields the bodies it found, in the order the reads were given.
/// LISTs go through the reader's memory, so stacks of one command share them.
async fn run(reader: &Reader, reads: Vec<Read>) -> Vec<ReadResult> {
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut tasks = JoinSet::new();
    for (index, read) in reads.into_iter().enumerate() {
        let reader = reader.lists.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = match &read {
                Read::List {
                    path, api_version, ..
                } => reader.list(path, api_version).await,
                Read::Get { id, api_version } => reader
                    .client
                    .get(id, api_version)
                    .await
                    .map(|b| Arc::new(b.into_iter().collect())),
                Read::RecordSets { path, api_version } => reader.list(path, api_version).await,
                Read::Extensions { path, api_version } => reader.list(path, api_version).await,
                Read::Contents { group } => {
                    reader
                        .list(&contents_path(group), generic_list_api_version())
                        .await
                }
                Read::Tagged { path } => reader
                    .client
                    .list(path, generic_list_api_version())
                    .await
                    .map(Arc::new),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_lists_pay_for_many_groups_that_are_much_of_the_subscription() {
        // One group: its own LISTs, whatever the subscription holds.
        assert!(!subscription_lists_pay(1, 1));
        // Two of five groups: the subscription's LISTs carry little else.
        assert!(subscription_lists_pay(2, 5));
        // Twenty of a thousand groups: per group is cheaper than reading the whole estate.
        assert!(!subscription_lists_pay(20, 1000));
        assert!(subscription_lists_pay(200, 800));
    }

    #[test]
    fn auto_asks_resource_graph_from_three_groups() {
        let client = Arc::new(
            ArmClient::new(
                super::super::client::Endpoint::azure_public(),
                Arc::new(super::super::credential::StaticToken("t".into())),
            )
            .unwrap(),
        );
        let auto = Reader::new(client.clone(), ReadMode::Auto);
        assert!(!auto.wants_graph(GRAPH_FROM_GROUPS - 1));
        assert!(auto.wants_graph(GRAPH_FROM_GROUPS));
        assert!(Reader::new(client.clone(), ReadMode::Graph).wants_graph(1));
        assert!(!Reader::new(client, ReadMode::List).wants_graph(500));
    }

    #[test]
    fn resource_graph_holds_every_top_level_kind_but_not_role_assignments() {
        // Listed kinds Resource Graph does not hold whole are LISTed even in graph mode; today
        // that is none of them, and role assignments are read by their own LIST.
        let not_in_graph: Vec<&str> = listed_types()
            .filter(|t| kinds::by_arm_type(t.path).is_some_and(|(d, _)| !d.in_resource_graph))
            .map(|t| t.path)
            .collect();
        assert!(not_in_graph.is_empty(), "{not_in_graph:?}");
        assert!(!Kind::RoleAssignment.def().in_resource_graph);
        assert!(!Kind::FederatedCredential.def().in_resource_graph);
    }
}
