//! The plan: what to do to every resource, and why. Pure: a function of the validated stack,
//! its graph and live state. The plan is the one value passed from planning to applying.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::Graph;
use crate::id::ResourceId;
use crate::kinds::{self, Context, LateValue, OWNER_PREFIX, SecretValue};
use crate::live::{LiveState, Provisioning, fingerprint};
use crate::model::{Spec, Stack};

mod decide;
use decide::{Ownership, ownership, resource_type};
mod delete;
pub mod diff;
mod left_alone;
pub mod render;
pub mod saved;

/// Bumped when the JSON shape changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

/// What happens to one resource. The glyphs are what users see.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    /// Take over an existing, untagged resource (only with `--adopt`).
    Adopt,
    /// An operation is in flight on the resource (it is `Creating`, `Updating`, `Deleting`…):
    /// apply waits for it to end, then decides again.
    Wait,
    NoOp,
    /// An `existing:` resource: read, never written.
    Read,
}

impl Action {
    pub fn glyph(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Adopt => "~",
            Action::Wait => "…",
            Action::NoOp | Action::Read => " ",
        }
    }

    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "will be created",
            Action::Update => "will be updated in place",
            Action::Replace => "must be replaced",
            Action::Delete => "will be destroyed",
            Action::Adopt => "will be adopted (tagged as owned) and updated",
            Action::Wait => "is busy: apply waits for it, then plans it again",
            Action::NoOp => "is up to date",
            Action::Read => "is read (not managed)",
        }
    }
}

/// One changed property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PropertyChange {
    pub path: String,
    /// Absent when the property is not set in Azure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// `null` when the property is removed.
    pub after: Value,
    /// This change forces a replacement.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub forces_replacement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    pub address: String,
    pub arm_type: String,
    pub id: String,
    pub api_version: String,
    pub action: Action,
    /// Why: the immutable property behind a replacement, the parent of a derived resource…
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<PropertyChange>,
    /// Addresses this one waits for.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<String>,
    /// The body apply PUTs (absent for deletes, reads and no-ops).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired: Option<Value>,
    /// Values of `desired` that apply fills in from finished dependencies.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub late: Vec<LateValue>,
    /// Write-only secrets apply reads from the environment and sends when it creates the
    /// resource (names of variables only, never values).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub secrets: Vec<SecretValue>,
    /// Fingerprint of the live resource when planned; apply refuses if it moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub protected: bool,
    /// The live provisioningState when it is not `Succeeded` (`Failed`, `Updating`…).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub state: Option<String>,
    /// A resource deleted by its resource group's delete (the address of that delete): it is
    /// listed so the plan shows everything that goes, but no request of its own is sent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub goes_with: Option<String>,
    /// On a resource-group delete: the IDs of everything inside it, all owned by this stack.
    /// Apply lists the group again right before the delete and refuses if it holds anything
    /// else.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub takes_with_it: Vec<String>,
    /// Created by its parent's PUT (the first System pool of a new cluster): apply only reads it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub inline_with: Option<String>,
    /// Replaced because its parent is (the address of the parent): the parent's delete takes
    /// it, so apply only creates it again, after the parent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub replaced_with: Option<String>,
    /// Paths the diff ignores for this resource only (an autoscaled pool's count), so apply can
    /// decide again after waiting for a busy resource.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub also_ignored: Vec<String>,
    /// Properties fixed at creation that Azure's GET leaves out (a cluster older than the
    /// property, or one created another way): azplan cannot tell whether they differ, so it
    /// neither changes nor replaces anything for them, and says so.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub not_shown: Vec<PropertyChange>,
    /// Taken over with `--adopt` (no stack owned it when planned): apply writes it although it
    /// carries no ownership mark yet, even when it is replaced.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub adopted: bool,
}

impl Change {
    /// Whether apply runs an ARM operation for it (what a group delete takes has none of its
    /// own; no-ops and reads none at all).
    pub fn is_operation(&self) -> bool {
        self.goes_with.is_none()
            && matches!(
                self.action,
                Action::Create
                    | Action::Update
                    | Action::Replace
                    | Action::Adopt
                    | Action::Delete
                    | Action::Wait
            )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
    pub adopt: usize,
    #[serde(default)]
    pub wait: usize,
    pub no_op: usize,
    pub read: usize,
}

impl Summary {
    pub fn to_add(&self) -> usize {
        self.create + self.replace
    }
    pub fn to_change(&self) -> usize {
        self.update + self.adopt
    }
    pub fn to_destroy(&self) -> usize {
        self.delete + self.replace
    }
    /// Anything to do: writes, deletes, or waiting for a busy resource (a stack with a busy or
    /// failed resource has not converged).
    pub fn has_changes(&self) -> bool {
        self.to_add() + self.to_change() + self.to_destroy() + self.wait > 0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "azplan plan")]
pub struct Plan {
    pub format_version: u32,
    pub stack: String,
    pub subscription: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// In dependency order: creates and updates first to last, then deletes.
    pub changes: Vec<Change>,
    /// Resource groups this stack would delete but keeps, because they hold resources it does
    /// not own (a group delete would take those too).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub kept: Vec<KeptGroup>,
    /// Live resources under ones the stack manages that the spec does not name and the stack
    /// never changes or deletes (a cluster's extensions and Flux configurations carry no owner
    /// mark): removing one from the spec leaves it in Azure, and the plan says so.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub left_alone: Vec<NotOwned>,
    pub summary: Summary,
    /// In a plan saved with `plan --out`: what it was planned from. `apply FILE` plans this
    /// again against fresh reads and refuses any difference, so the file is never trusted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub saved: Option<saved::Saved>,
}

/// A resource group delete the plan refuses: the group holds what this stack does not own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeptGroup {
    pub address: String,
    pub id: String,
    /// Each resource inside that is not this stack's, with why.
    pub not_owned: Vec<NotOwned>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotOwned {
    pub id: String,
    /// "no `azplan-stack` tag", "owned by stack `other`", …
    pub why: String,
}

impl Plan {
    /// A plan of these changes, with its summary counted.
    fn new(stack: &Stack, changes: Vec<Change>, kept: Vec<KeptGroup>) -> Plan {
        let mut summary = Summary::default();
        for c in &changes {
            let slot = match c.action {
                Action::Create => &mut summary.create,
                Action::Update => &mut summary.update,
                Action::Replace => &mut summary.replace,
                Action::Delete => &mut summary.delete,
                Action::Adopt => &mut summary.adopt,
                Action::Wait => &mut summary.wait,
                Action::NoOp => &mut summary.no_op,
                Action::Read => &mut summary.read,
            };
            *slot += 1;
        }
        Plan {
            format_version: FORMAT_VERSION,
            stack: stack.name.clone(),
            subscription: stack.subscription.clone(),
            environment: stack.environment.clone(),
            changes,
            kept,
            left_alone: Vec::new(),
            summary,
            saved: None,
        }
    }
}

/// A change that cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    #[error("{address} exists in Azure but is not owned by any stack ({id})")]
    #[diagnostic(
        code(azplan::plan::not_owned),
        help(
            "pass `--adopt` to take it over (azplan tags it `azplan-stack: <stack>`), or rename the resource in the spec"
        )
    )]
    NotOwned { address: String, id: String },
    #[error("{address} is owned by stack `{owner}`, not this one ({id})")]
    #[diagnostic(
        code(azplan::plan::owned_elsewhere),
        help("two stacks cannot manage one resource; remove it from one of them")
    )]
    OwnedElsewhere {
        address: String,
        id: String,
        owner: String,
    },
    #[error("{address}: cannot change `{path}`: {why}")]
    #[diagnostic(
        code(azplan::plan::impossible_change),
        help(
            "keep the setting as it is in Azure, or delete and recreate the resource deliberately"
        )
    )]
    Impossible {
        address: String,
        path: String,
        why: String,
    },
    #[error(
        "{address} is the cluster's last System pool and would be {action}{why}: AKS refuses that"
    )]
    #[diagnostic(
        code(azplan::plan::last_system_pool),
        help(
            "add a second `mode: System` pool and apply it first; then this change can go through"
        )
    )]
    LastSystemPool {
        address: String,
        action: String,
        /// What forces it (` because ...`), or empty for a delete.
        why: String,
    },
    #[error("{address} is protected, but the plan would {action} it: {reason}")]
    #[diagnostic(
        code(azplan::plan::protected),
        help("remove `protect: true` first if this is intended")
    )]
    Protected {
        address: String,
        action: String,
        reason: String,
    },
    #[error(
        "{address} would be {action}, and Azure would delete with it what this stack does not own: {what}"
    )]
    #[diagnostic(
        code(azplan::plan::takes_unowned),
        help(
            "move or remove those first (role assignments scoped to it; resources a person put in a cluster's node resource group; on a replaced resource, diagnostic settings, rule associations and cluster extensions the spec does not declare), or declare them; then plan again; no flag overrides this"
        )
    )]
    TakesUnowned {
        address: String,
        action: String,
        what: String,
    },
    #[error("{address} refers to {id}, which does not exist")]
    #[diagnostic(
        code(azplan::plan::existing_missing),
        help("check the ID under `existing:`; azplan never creates existing resources")
    )]
    ExistingMissing { address: String, id: String },
    #[error("{address} needs `{attribute}` of {from}, which Azure does not show")]
    #[diagnostic(
        code(azplan::plan::existing_value_missing),
        help(
            "azplan never writes `existing:` resources, so the value will not appear: check that {from} is the resource meant (a cluster with a service principal has no kubelet identity)"
        )
    )]
    ExistingValueMissing {
        address: String,
        from: String,
        attribute: String,
    },
    #[error(
        "{address} would be deleted, but subnet {subnet} still uses it and its spec leaves `{property}` unset: Azure refuses the delete"
    )]
    #[diagnostic(
        code(azplan::plan::delete_in_use),
        help(
            "write `{property}: none` on subnet {subnet} so its update takes the association off before the delete (unset means azplan leaves the association as it is)"
        )
    )]
    DeleteInUse {
        address: String,
        subnet: String,
        property: String,
    },
    #[error("{address} names an extension this stack must never write: {why} ({id})")]
    #[diagnostic(
        code(azplan::plan::foreign_extension),
        help(
            "remove it from the spec: azplan leaves system extensions and extensions another resource manages as they are"
        )
    )]
    ForeignExtension {
        address: String,
        id: String,
        why: String,
    },
    #[error("{address}: {message}")]
    #[diagnostic(code(azplan::plan::soft_deleted))]
    SoftDeleted {
        address: String,
        message: String,
        #[help]
        help: String,
    },
}

#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Take over existing resources that no stack owns.
    pub adopt: bool,
    /// Leave out the ARM bodies of resources to create: for a plan that is only shown as text
    /// (their properties are listed on the change anyway) and never applied or saved. They
    /// are a sixth of a 10,000-resource plan's memory.
    pub without_created_bodies: bool,
}

/// Plans a validated stack against live state.
pub fn plan(
    stack: &Stack,
    graph: &Graph,
    live: &LiveState,
    options: PlanOptions,
) -> (Plan, Vec<PlanError>) {
    let mut planner = decide::Planner::new(stack, live, options);
    let mut changes: Vec<Change> = Vec::with_capacity(graph.order.len());
    let mut desired_ids = HashSet::with_capacity(graph.order.len());
    let ctx = Context { stack, live };
    // In batches: a batch's desired bodies live until its decisions drop the unchanged ones.
    for batch in graph.order.chunks(decide::PREPARE_BATCH) {
        let prepared = decide::prepare_all(&ctx, batch, |address| {
            graph
                .dependencies(address)
                .iter()
                .map(|a| a.to_string())
                .collect()
        });
        for prepared in prepared {
            let change = planner.decide(prepared);
            desired_ids.insert(change.id.to_ascii_lowercase());
            changes.push(change);
        }
    }
    let mut errors = planner.errors;
    let deleted = deletions(stack, live, &desired_ids, &changes);
    changes.reserve_exact(deleted.len());
    changes.extend(deleted);
    let kept = delete::guard_group_deletes(stack, live, &mut changes);
    errors.extend(delete::list_what_goes_with(stack, live, &mut changes));
    delete::order_deletes(&mut changes);
    delete::deletes_wait_for_updates_letting_go(&mut changes, live);
    errors.extend(delete::deletes_a_subnet_keeps(stack, live, &changes));
    errors.extend(last_system_pool(&changes, live));

    let left_alone = left_alone::list(stack, live, &desired_ids, &changes);
    let mut plan = Plan::new(stack, changes, kept);
    plan.left_alone = left_alone;
    (plan, errors)
}

/// A plan that deletes everything the stack owns in Azure (children go with their parents),
/// dependents first. Resources nobody owns are left alone; protected ones are an error.
pub fn destroy(stack: &Stack, graph: &Graph, live: &LiveState) -> (Plan, Vec<PlanError>) {
    let ctx = Context { stack, live };
    let mut errors = Vec::new();
    let mut changes = Vec::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    let mut desired_ids = HashSet::new();
    for address in &graph.order {
        let resource = &stack.resources[address];
        let id = ctx.id(address);
        desired_ids.insert(id.to_ascii_lowercase());
        let Some(body) = live.get(&id) else { continue };
        if matches!(resource.spec, Spec::Existing(_)) {
            continue;
        }
        let arm = kinds::arm_kind(resource);
        if !matches!(
            ownership(stack, resource, arm.taggable, body),
            Ownership::Ours
        ) {
            continue;
        }
        // A system extension, or one another resource manages, is never the stack's to delete
        // (`kinds::extension::foreign`); its cluster's delete takes it.
        if matches!(resource.spec, Spec::ClusterExtension(_))
            && kinds::extension::foreign(body).is_some()
        {
            continue;
        }
        if let Some(parent) = address.parent()
            && deleted.contains(&parent.to_string())
        {
            continue;
        }
        if resource.protect {
            errors.push(PlanError::Protected {
                address: address.to_string(),
                action: "destroy".into(),
                reason: "destroy deletes every resource of the stack".into(),
            });
            continue;
        }
        deleted.insert(address.to_string());
        changes.push(delete_change(
            address.to_string(),
            arm.arm_type.to_string(),
            id,
            format!("owned by stack `{}`", stack.name),
            body,
        ));
    }
    changes.reverse();
    changes.extend(deletions(stack, live, &desired_ids, &[]));
    let kept = delete::guard_group_deletes(stack, live, &mut changes);
    errors.extend(delete::list_what_goes_with(stack, live, &mut changes));
    delete::order_deletes(&mut changes);
    let plan = Plan::new(stack, changes, kept);
    (plan, errors)
}

/// A delete of a live resource.
pub(crate) fn delete_change(
    address: String,
    arm_type: String,
    id: String,
    reason: String,
    body: &Value,
) -> Change {
    let mut reasons = vec![reason];
    reasons.extend(kinds::notes_on_delete(&arm_type, body));
    Change {
        address,
        api_version: api_version_for(&arm_type),
        arm_type,
        id,
        action: Action::Delete,
        reasons,
        changes: Vec::new(),
        depends_on: Vec::new(),
        desired: None,
        late: Vec::new(),
        secrets: Vec::new(),
        observed: Some(fingerprint(body)),
        protected: false,
        state: Provisioning::of(body).unsettled().map(str::to_string),
        goes_with: None,
        takes_with_it: Vec::new(),
        inline_with: None,
        replaced_with: None,
        also_ignored: Vec::new(),
        not_shown: Vec::new(),
        adopted: false,
    }
}

/// AKS never lets a cluster lose its last System pool, so replacing or deleting one needs another
/// System pool that stays.
fn last_system_pool(changes: &[Change], live: &LiveState) -> Vec<PlanError> {
    let is_system = |id: &str| live.get(id).is_some_and(kinds::node_pool::counts_as_system);
    let going: BTreeSet<String> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Replace | Action::Delete))
        .map(|c| c.id.to_ascii_lowercase())
        .collect();
    let mut errors = Vec::new();
    // A pool replaced or deleted with its cluster is not the cluster losing a pool.
    for change in changes.iter().filter(|c| {
        matches!(c.action, Action::Replace | Action::Delete)
            && c.replaced_with.is_none()
            && c.goes_with.is_none()
    }) {
        let id = change.id.to_ascii_lowercase();
        let pool_type = kinds::node_pool::pool_type();
        let Some(cluster) = ResourceId::parse(&id)
            .filter(|p| p.arm_type().eq_ignore_ascii_case(pool_type))
            .and_then(|p| p.parent())
            .map(|c| c.to_string().to_ascii_lowercase())
        else {
            continue;
        };
        if !is_system(&id) {
            continue;
        }
        let staying = live.iter().any(|(other, _)| {
            ResourceId::parse(other).is_some_and(|o| {
                o.arm_type().eq_ignore_ascii_case(pool_type)
                    && o.parent()
                        .is_some_and(|c| c.to_string().eq_ignore_ascii_case(&cluster))
            }) && !going.contains(other)
                && is_system(other)
        });
        if !staying {
            errors.push(PlanError::LastSystemPool {
                address: change.address.clone(),
                action: if change.action == Action::Delete {
                    "deleted"
                } else {
                    "replaced"
                }
                .into(),
                why: if change.reasons.is_empty() {
                    String::new()
                } else {
                    format!(" because {}", change.reasons.join("; "))
                },
            });
        }
    }
    errors
}

pub use crate::kinds::lookup;

/// The stack named in a live resource's ownership tag or role-assignment description.
pub(crate) fn owner_of(body: &Value) -> Option<String> {
    if let Some(owner) = kinds::tagged_owner(body) {
        return Some(owner.to_string());
    }
    let description = lookup(body, "properties.description")?.as_str()?;
    let rest = description.strip_prefix(OWNER_PREFIX)?;
    Some(
        rest.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Live resources this stack owns that the spec no longer declares, plus children (subnets,
/// pools, credentials) of owned parents that the spec dropped.
fn deletions(
    stack: &Stack,
    live: &LiveState,
    desired: &HashSet<String>,
    planned: &[Change],
) -> Vec<Change> {
    // Parents that stay, whose children (subnets, pools, credentials) are read live.
    let has_children = |arm_type: &str| {
        kinds::by_arm_type(arm_type).is_some_and(|(d, _)| d.kind.child().is_some())
    };
    let parents: BTreeMap<String, &str> = planned
        .iter()
        .filter(|c| matches!(c.action, Action::NoOp | Action::Update | Action::Adopt))
        .filter(|c| has_children(&c.arm_type))
        .map(|c| (c.id.to_ascii_lowercase(), c.address.as_str()))
        .collect();
    let mut out = Vec::new();
    for (id, body) in live.iter() {
        if desired.contains(id) {
            continue;
        }
        let owned = owner_of(body).is_some_and(|o| o == stack.name);
        // Only children of kinds azplan manages (subnets, pools, credentials): a zone's record
        // sets are someone else's, read only so that a zone's delete can list them.
        // Children with tags of their own (private DNS zone links) are ours by their tag only,
        // and a VNet's peerings only when its spec lists them (`kinds::undeclared_child_is_ours`).
        let orphan_child = ResourceId::parse(id)
            .and_then(|id| id.parent().or_else(|| kinds::extension::live_parent(&id)))
            .and_then(|parent| parents.get(&parent.to_string().to_ascii_lowercase()))
            .is_some_and(|parent| {
                resource_type(Some(body)).is_some_and(|t| {
                    kinds::by_arm_type(&t).is_some_and(|(d, _)| {
                        kinds::undeclared_child_is_ours(stack, parent, d.kind, body)
                    })
                })
            });
        if !owned && !orphan_child {
            continue;
        }
        let arm_type = resource_type(Some(body)).unwrap_or_default();
        let original_id = body
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_string();
        let reason = if owned {
            format!("owned by stack `{}` and no longer in the spec", stack.name)
        } else {
            "child of a managed resource and no longer in the spec".to_string()
        };
        out.push(delete_change(
            format!("(not in spec) {}", short_name(&original_id)),
            arm_type,
            original_id,
            reason,
            body,
        ));
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

pub(crate) fn short_name(id: &str) -> String {
    ResourceId::parse(id).map_or_else(|| id.to_string(), |id| id.short())
}

fn api_version_for(arm_type: &str) -> String {
    kinds::api_version_of_type(&arm_type.to_ascii_lowercase()).to_string()
}

/// The JSON Schema of `--format json` plans, committed as `schemas/plan.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Plan>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
