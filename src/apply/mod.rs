//! Applying a plan: one coordinator over the plan's dependency edges. An operation starts as soon
//! as its own dependencies are done (no waves), bounded by `parallelism`; ARM's one-at-a-time
//! rules are kept by the coordinator, which starts an operation only when its cluster, VNet or
//! identity is free (`schedule.rs`); a failure skips its dependents (reported once, with the
//! root cause) while independent branches go on. All printing goes through the coordinator.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::http::Method;
use serde_json::Value;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinSet;

use crate::arm::client::ArmClient;
use crate::arm::error::ArmError;
use crate::id::ResourceId;
use crate::kinds::delete_rank;
use crate::kinds::{self, LateValue};
use crate::live::Provisioning;
use crate::plan::{Action, Change, Plan};

pub mod lro;
pub mod progress;
mod schedule;

use lro::{Finished, Waiting};
use progress::{Event, Progress};
use schedule::Schedule;

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Operations in flight at once.
    pub parallelism: usize,
    /// Pause between reads of a busy resource (one with an operation in flight).
    pub poll_interval: Duration,
    /// Longest wait for a busy resource before giving up on it.
    pub busy_timeout: Duration,
    /// Retries of an operation that ARM refuses for a passing reason (another operation in
    /// progress, a principal not replicated yet).
    pub conflict_retries: u32,
    /// First pause between such retries; doubled each time, capped at 30 s.
    pub conflict_backoff: Duration,
}

impl Default for ApplyOptions {
    fn default() -> ApplyOptions {
        // ARM's write budget refills at 10/s; 10 concurrent operations keep within it.
        ApplyOptions {
            parallelism: 10,
            poll_interval: Duration::from_secs(10),
            // AKS operations (upgrades of large pools) can run for well over an hour.
            busy_timeout: Duration::from_secs(3 * 3600),
            conflict_retries: 8,
            conflict_backoff: Duration::from_secs(2),
        }
    }
}

/// How one planned change ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Done,
    Failed(String),
    /// A dependency failed (the root cause is named once).
    Skipped {
        because: String,
    },
    /// Ctrl-C: accepted by Azure, still running there.
    StillRunning,
    /// Ctrl-C before it started.
    NotStarted,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub outcomes: BTreeMap<String, (Action, Outcome)>,
    pub elapsed: Duration,
    pub interrupted: bool,
    /// How long each finished operation took, by address (for the critical-path benchmark).
    pub durations: BTreeMap<String, Duration>,
}

impl Report {
    fn count(&self, actions: &[Action]) -> usize {
        self.outcomes
            .values()
            .filter(|(a, o)| actions.contains(a) && *o == Outcome::Done)
            .count()
    }
    pub fn added(&self) -> usize {
        self.count(&[Action::Create, Action::Replace])
    }
    pub fn changed(&self) -> usize {
        self.count(&[Action::Update, Action::Adopt])
    }
    pub fn destroyed(&self) -> usize {
        self.count(&[Action::Delete, Action::Replace])
    }
    pub fn failed(&self) -> bool {
        self.interrupted
            || self
                .outcomes
                .values()
                .any(|(_, o)| !matches!(o, Outcome::Done))
    }
}

impl From<ArmError> for ApplyError {
    fn from(error: ArmError) -> ApplyError {
        ApplyError::Arm(Box::new(error))
    }
}

/// Why an operation failed: ARM's own answer, or a check apply makes before it writes.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Arm(Box<ArmError>),
    /// A safety check found something the plan did not: nothing was sent.
    #[error("{resource}: refused: {message}")]
    #[diagnostic(
        code(azplan::apply::refused),
        help("nothing was changed for this resource; run `azplan plan` again and review it")
    )]
    Refused { resource: String, message: String },
    /// The operation ended, but the resource did not end `Succeeded`.
    #[error("{resource}: ended in provisioning state `{state}`, not Succeeded")]
    #[diagnostic(
        code(azplan::apply::not_succeeded),
        help(
            "look at the resource in Azure for the cause; a rerun sends the desired body again to repair it"
        )
    )]
    NotSucceeded { resource: String, state: String },
    /// The resource succeeded but does not work as asked (`kinds::unconverged`: a private
    /// endpoint whose connection is not approved).
    #[error("{resource}: succeeded, but {why}, not Approved")]
    #[diagnostic(
        code(azplan::apply::not_converged),
        help(
            "the target's owner rejected or removed the connection: approve it on the target (its private endpoint connections), then run apply again"
        )
    )]
    NotConverged { resource: String, why: String },
}

/// The lock an operation must hold: ARM allows one operation at a time per AKS cluster (pools
/// included), per identity's federated credentials, per VNet's subnets (each kind's `serial`).
fn serial_key(change: &Change) -> Option<String> {
    let (def, _) = kinds::by_arm_type(&change.arm_type)?;
    let id = change.id.to_ascii_lowercase();
    match def.serial {
        kinds::Serial::Free => None,
        kinds::Serial::Itself => Some(id),
        // A child's ID is its parent's plus `/<segment>/<name>`.
        kinds::Serial::UnderParent => ResourceId::parse(&id)
            .and_then(|id| id.parent())
            .map(|p| p.to_string()),
    }
}

/// Runs every operation of `plan`. `stop` turning true (Ctrl-C) stops new operations.
pub async fn apply(
    client: Arc<ArmClient>,
    plan: &Plan,
    options: &ApplyOptions,
    progress: &mut Progress,
    stop: watch::Receiver<bool>,
) -> Report {
    let started = Instant::now();
    let ops: Vec<usize> = (0..plan.changes.len())
        .filter(|i| plan.changes[*i].is_operation())
        .collect();
    let index_of: HashMap<&str, usize> = plan
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.address.as_str(), i))
        .collect();
    let id_of: Arc<HashMap<String, String>> = Arc::new(
        plan.changes
            .iter()
            .map(|c| (c.address.clone(), c.id.clone()))
            .collect(),
    );
    // Every resource the plan names (declared, or listed as going with a delete), lower case.
    let planned_ids: Arc<HashSet<String>> = Arc::new(
        plan.changes
            .iter()
            .map(|c| c.id.to_ascii_lowercase())
            .collect(),
    );

    // Dependencies among operations only: a no-op dependency is already satisfied.
    let mut waits_for: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for &i in &ops {
        let change = &plan.changes[i];
        let mut deps = BTreeSet::new();
        if change.action == Action::Delete {
            // Deletes run dependents first: wait for every delete of a later-created kind.
            let rank = delete_rank(&change.arm_type);
            for &j in &ops {
                if plan.changes[j].action == Action::Delete
                    && delete_rank(&plan.changes[j].arm_type) > rank
                {
                    deps.insert(j);
                }
            }
            // And for the updates that let go of it (`plan::delete`).
            for dep in &change.depends_on {
                if let Some(&j) = index_of.get(dep.as_str())
                    && plan.changes[j].is_operation()
                    && plan.changes[j].action == Action::Update
                {
                    deps.insert(j);
                }
            }
        } else {
            for dep in &change.depends_on {
                if let Some(&j) = index_of.get(dep.as_str())
                    && plan.changes[j].is_operation()
                    && plan.changes[j].action != Action::Delete
                {
                    deps.insert(j);
                }
            }
        }
        waits_for.insert(i, deps);
    }
    let serial: BTreeMap<usize, String> = ops
        .iter()
        .filter_map(|&i| serial_key(&plan.changes[i]).map(|key| (i, key)))
        .collect();
    let mut schedule = Schedule::new(waits_for, serial);

    let stack: Arc<str> = Arc::from(plan.stack.as_str());
    let bodies: Arc<Mutex<HashMap<String, Value>>> = Arc::default();
    let mut outcomes: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut durations: BTreeMap<String, Duration> = BTreeMap::new();
    let mut running: JoinSet<(usize, Result<Finished, ApplyError>, Duration)> = JoinSet::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut interrupted = false;

    loop {
        if !interrupted && *stop.borrow() {
            interrupted = true;
            progress.event(Event::Interrupted {
                running: running.len(),
            });
        }
        // Only the coordinator starts work, and only work that can run at once: nothing waits
        // for a lock inside a task, so a stop really starts nothing new.
        while !interrupted && running.len() < options.parallelism.max(1) {
            let Some(i) = schedule.start_next() else {
                break;
            };
            let change = plan.changes[i].clone();
            progress.event(Event::Started {
                address: change.address.clone(),
                action: change.action,
            });
            let task = Operation {
                client: client.clone(),
                change,
                id_of: id_of.clone(),
                planned_ids: planned_ids.clone(),
                bodies: bodies.clone(),
                options: options.clone(),
                stop: stop.clone(),
                stack: stack.clone(),
            };
            running.spawn(async move {
                let began = Instant::now();
                let result = task.run().await;
                (i, result, began.elapsed())
            });
        }
        if running.is_empty() {
            break;
        }
        let mut stop_changed = stop.clone();
        tokio::select! {
            joined = running.join_next() => {
                let Some(joined) = joined else { continue };
                let (i, result, took) = match joined {
                    Ok(done) => done,
                    Err(e) => {
                        progress.event(Event::Note(format!("an operation task failed: {e}")));
                        continue;
                    }
                };
                let change = &plan.changes[i];
                match result {
                    Ok(Finished::Done) => {
                        schedule.succeeded(i);
                        outcomes.insert(i, Outcome::Done);
                        durations.insert(change.address.clone(), took);
                        progress.event(Event::Finished { address: change.address.clone(), action: change.action, took });
                    }
                    Ok(Finished::Abandoned) => {
                        schedule.ended(i);
                        outcomes.insert(i, Outcome::StillRunning);
                    }
                    Ok(Finished::NotStarted) => {
                        schedule.ended(i);
                        outcomes.insert(i, Outcome::NotStarted);
                    }
                    Err(error) => {
                        progress.event(Event::Failed { address: change.address.clone(), action: change.action, error: error.to_string() });
                        outcomes.insert(i, Outcome::Failed(error.to_string()));
                        for skipped in schedule.failed(i) {
                            let because = change.address.clone();
                            progress.event(Event::Skipped { address: plan.changes[skipped].address.clone(), because: because.clone() });
                            outcomes.insert(skipped, Outcome::Skipped { because });
                        }
                    }
                }
            }
            _ = ticker.tick() => progress.event(Event::Tick),
            _ = stop_changed.changed() => {}
        }
    }
    for &i in &ops {
        outcomes.entry(i).or_insert(Outcome::NotStarted);
    }
    // What a group delete takes went with it, or stayed with it.
    for (i, change) in plan.changes.iter().enumerate() {
        let Some(group) = &change.goes_with else {
            continue;
        };
        let with_group = index_of
            .get(group.as_str())
            .and_then(|g| outcomes.get(g))
            .cloned();
        let outcome = match with_group {
            Some(Outcome::Done) => Outcome::Done,
            Some(Outcome::NotStarted) | None => Outcome::NotStarted,
            Some(_) => Outcome::Skipped {
                because: group.clone(),
            },
        };
        outcomes.insert(i, outcome);
    }
    let report = Report {
        outcomes: outcomes
            .into_iter()
            .map(|(i, o)| (plan.changes[i].address.clone(), (plan.changes[i].action, o)))
            .collect(),
        elapsed: started.elapsed(),
        interrupted,
        durations,
    };
    progress.event(Event::Done {
        report: report.clone(),
    });
    report
}

/// One planned change, carried out.
struct Operation {
    client: Arc<ArmClient>,
    change: Change,
    id_of: Arc<HashMap<String, String>>,
    planned_ids: Arc<HashSet<String>>,
    bodies: Arc<Mutex<HashMap<String, Value>>>,
    options: ApplyOptions,
    stop: watch::Receiver<bool>,
    /// The plan's stack: its ownership marks every resource this apply may touch.
    stack: Arc<str>,
}

impl Operation {
    async fn run(self) -> Result<Finished, ApplyError> {
        if *self.stop.borrow() {
            return Ok(Finished::NotStarted);
        }
        let c = &self.change;
        if matches!(c.action, Action::Create | Action::Replace) && c.inline_with.is_some() {
            // The cluster PUT created this pool; record its body for dependents.
            return self.remember().await;
        }
        let mut step = Step::from(c.action);
        if step == Step::Replace && c.replaced_with.is_some() {
            // Its parent's delete took it: only the create is left.
            step = Step::Put;
        }
        // Whether the write creates the resource (secrets are sent then; `every_put` ones always).
        let mut creating = matches!(c.action, Action::Create | Action::Replace);
        // The version a delete of a resource that was busy when planned was checked against.
        let mut settled_etag = None;
        if c.action == Action::Wait || c.state.as_deref().is_some_and(is_busy) {
            match self.settle().await? {
                Settled::Abandoned => return Ok(Finished::Abandoned),
                Settled::Gone => {
                    step = step.after_gone();
                    creating = true;
                }
                Settled::Present(body) => {
                    self.still_ours(&body)?;
                    step = self.after_settled(step, &body);
                    // Settled is read fresh: what its delete would take is checked on it, as
                    // below for a resource that was not busy.
                    if matches!(step, Step::Delete | Step::Replace) {
                        self.nothing_foreign_goes_with(&body).await?;
                        settled_etag = etag_of(&body);
                    }
                }
            }
        }
        if step == Step::Put
            && c.changes.is_empty()
            && c.state.as_deref().is_some_and(|s| {
                matches!(Provisioning::from_state(Some(s)), Provisioning::Failed(_))
            })
        {
            // Planned only to repair a failed state, which a parent's repair (an AKS cluster
            // reconciles its pools) may have done meanwhile: look before writing.
            if let Some(body) = self.client.get(&c.id, &c.api_version).await?
                && Provisioning::of(&body) == Provisioning::Succeeded
            {
                step = self.after_settled(Step::Nothing, &body);
            }
        }
        if step == Step::Nothing {
            if c.action == Action::Delete {
                // It was being deleted when planned and is gone now: nothing to read back.
                return Ok(Finished::Done);
            }
            return self.remember().await;
        }
        // What was planned may be stale by the time its turn comes (a long apply, another
        // team's change): read it again right before a delete or an update, refuse if it is no
        // longer this stack's, and delete only the version just read (If-Match).
        let mut if_match = settled_etag;
        // A create is checked too: what did not exist when planned may have been made since
        // (by another stack, a person), and a PUT would take it over.
        let checked_already = c.action == Action::Wait || c.state.as_deref().is_some_and(is_busy);
        let replaced_by_parent = c.replaced_with.is_some() || c.inline_with.is_some();
        if !checked_already && !replaced_by_parent {
            match self.client.get(&c.id, &c.api_version).await? {
                None if step == Step::Delete => return Ok(Finished::Done),
                None => creating = true,
                Some(body) if creating && step == Step::Put => {
                    return Err(ApplyError::Refused {
                        resource: c.address.clone(),
                        message: format!(
                            "it did not exist when planned, but does now{}; plan again",
                            crate::plan::owner_of(&body)
                                .map(|o| format!(" (owned by stack `{o}`)"))
                                .unwrap_or_default()
                        ),
                    });
                }
                Some(body) => {
                    self.still_ours(&body)?;
                    if matches!(step, Step::Delete | Step::Replace) {
                        self.nothing_foreign_goes_with(&body).await?;
                    }
                    if_match = etag_of(&body);
                }
            }
        }
        if matches!(step, Step::Delete | Step::Replace) {
            if c.arm_type
                .eq_ignore_ascii_case(kinds::resource_group_type().path)
            {
                self.nothing_else_in_group().await?;
            }
            let finished = self.delete(if_match).await?;
            if finished != Finished::Done || step == Step::Delete {
                return Ok(finished);
            }
        }
        // A plan made only to be shown leaves created resources' bodies out
        // (`PlanOptions::without_created_bodies`): never send `null` for one.
        let Some(mut body) = c.desired.clone() else {
            return Err(ApplyError::Refused {
                resource: c.address.clone(),
                message: "the plan carries no body to send for it".into(),
            });
        };
        for late in &c.late {
            let value = self.late_value(late).await?;
            kinds::set(&mut body, &late.path, value);
        }
        if !creating {
            for path in kinds::rules_of_type(&c.arm_type).create_only {
                kinds::remove(&mut body, path);
            }
        }
        // An extension's protected settings go with every PUT (`SecretValue::every_put`): an
        // update without them might drop them.
        for secret in c.secrets.iter().filter(|s| creating || s.every_put) {
            let value = secret_value(secret).map_err(|message| ApplyError::Refused {
                resource: c.address.clone(),
                message,
            })?;
            kinds::set(&mut body, &secret.path, Value::String(value));
        }
        let finished = self.put(&body).await?;
        if finished == Finished::Done {
            return self.remember().await;
        }
        Ok(finished)
    }

    /// Polls a busy resource until its operation in flight ends (or it is gone).
    async fn settle(&self) -> Result<Settled, ApplyError> {
        let c = &self.change;
        let started = tokio::time::Instant::now();
        loop {
            if *self.stop.borrow() {
                return Ok(Settled::Abandoned);
            }
            let Some(body) = self.client.get(&c.id, &c.api_version).await? else {
                return Ok(Settled::Gone);
            };
            match Provisioning::of(&body) {
                Provisioning::Busy(state) => {
                    if started.elapsed() >= self.options.busy_timeout {
                        return Err(ApplyError::Refused {
                            resource: c.address.clone(),
                            message: format!(
                                "still `{state}` after waiting {}s for the operation in flight",
                                started.elapsed().as_secs()
                            ),
                        });
                    }
                    tokio::time::sleep(self.options.poll_interval).await;
                }
                _ => return Ok(Settled::Present(body)),
            }
        }
    }

    /// What was planned against a busy resource still holds once it settled: the resource is
    /// this stack's (or nobody's, for children and adoption), never another stack's.
    fn still_ours(&self, body: &Value) -> Result<(), ApplyError> {
        let c = &self.change;
        let refuse = |why: String| ApplyError::Refused {
            resource: c.address.clone(),
            message: why,
        };
        // Role assignments carry ownership in their description, policy assignments in their
        // metadata, other types in a tag.
        let marked = kinds::taggable_type(&c.arm_type) || kinds::is_assignment_type(&c.arm_type);
        match crate::plan::owner_of(body) {
            Some(owner) if owner != *self.stack => Err(refuse(format!(
                "since it was planned, it became owned by stack `{owner}`; plan again"
            ))),
            // Adopted resources (and replacements of them) are unmarked until written.
            None if marked && !c.adopted => Err(refuse(
                "since it was planned, it lost this stack's ownership mark; plan again".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Decides again about a resource that was busy when planned and has settled now.
    fn after_settled(&self, planned: Step, body: &Value) -> Step {
        if planned != Step::Nothing {
            return planned;
        }
        if let Provisioning::Failed(_) = Provisioning::of(body) {
            return Step::Put;
        }
        if kinds::unconverged(&self.change.arm_type, body).is_some() {
            return Step::Put;
        }
        let c = &self.change;
        let desired = c.desired.clone().unwrap_or(Value::Null);
        let ignored: Vec<&str> = c.also_ignored.iter().map(String::as_str).collect();
        let late: Vec<&str> = c.late.iter().map(|l| l.path.as_str()).collect();
        let differences = crate::plan::diff::diff(
            &desired,
            body,
            kinds::rules_of_type(&c.arm_type),
            crate::plan::diff::Unknowns {
                ignored: &ignored,
                late: &late,
            },
        );
        let rules = kinds::rules_of_type(&c.arm_type);
        let (differences, _not_shown) = crate::plan::diff::split_not_shown(differences, rules);
        // Values still to come from dependencies cannot be compared yet: send the body.
        let waits_for_values = !c.late.is_empty();
        if differences.is_empty() && !waits_for_values {
            Step::Nothing
        } else {
            Step::Put
        }
    }

    /// Right before a resource group delete: the group holds nothing the plan did not list
    /// (ARM deletes everything inside, whoever owns it). There is no conditional group delete
    /// in ARM, so a resource created between this read and the delete is not caught.
    async fn nothing_else_in_group(&self) -> Result<(), ApplyError> {
        let c = &self.change;
        let planned: std::collections::BTreeSet<String> = c
            .takes_with_it
            .iter()
            .map(|id| id.to_ascii_lowercase())
            .collect();
        let now = crate::arm::read::group_inventory(&self.client, &c.id).await?;
        // Listed when planned is not enough: each must still be this stack's (another team
        // may have taken one over since).
        let unexpected: Vec<String> = now
            .iter()
            .filter_map(|body| {
                let id = body.get("id").and_then(Value::as_str)?;
                let listed = planned.contains(&id.to_ascii_lowercase());
                let ours = crate::plan::owner_of(body).is_some_and(|o| o == *self.stack);
                (!listed || !ours).then(|| id.to_string())
            })
            .collect();
        if unexpected.is_empty() {
            Ok(())
        } else {
            Err(ApplyError::Refused {
                resource: c.address.clone(),
                message: format!(
                    "the group now holds resources that are not this stack's or that the plan did not list, which its delete would take: {}",
                    unexpected.join(", ")
                ),
            })
        }
    }

    /// Right before deleting a cluster or a DNS zone: what the delete takes with it (the node
    /// resource group, the zone's record sets) is read again, and anything that neither AKS nor
    /// the stack made (a record set other than the zone's own SOA/NS) refuses the delete. The plan
    /// checked the same; this closes the time between plan and delete (a prompt, a long apply).
    /// The IDs of `items` the plan names nowhere.
    fn unplanned<'v>(&self, items: impl Iterator<Item = &'v Value>) -> Vec<String> {
        items
            .filter_map(|item| item.get("id").and_then(Value::as_str))
            .filter(|id| !self.planned_ids.contains(&id.to_ascii_lowercase()))
            .map(str::to_string)
            .collect()
    }

    async fn nothing_foreign_goes_with(&self, body: &Value) -> Result<(), ApplyError> {
        let c = &self.change;
        let refuse = |what: Vec<String>| ApplyError::Refused {
            resource: c.address.clone(),
            message: format!(
                "since it was planned, what its delete would take gained what this stack does not own: {}",
                what.join(", ")
            ),
        };
        let cluster_type = kinds::Kind::Cluster.def().arm[0].path;
        if c.arm_type.eq_ignore_ascii_case(cluster_type)
            && let Some(name) = kinds::cluster::live_node_resource_group(body)
            && let Some(id) = ResourceId::parse(&c.id)
        {
            let group = format!("/subscriptions/{}/resourceGroups/{name}", id.subscription());
            let inside = crate::arm::read::group_inventory(&self.client, &group).await?;
            let foreign: Vec<String> = inside
                .iter()
                .filter(|item| {
                    crate::plan::owner_of(item).as_deref() != Some(&*self.stack)
                        && !kinds::cluster::made_by_cluster(body, item)
                })
                .filter_map(|item| item.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            if !foreign.is_empty() {
                return Err(refuse(foreign));
            }
        }
        // Diagnostic settings and data collection rule associations sit on a resource without
        // tags and go with its delete (a replacement's too). A plan lists those it read; the
        // replaced resources' are not read, and one may have been added since: anything the
        // plan does not name stops the delete.
        if kinds::diagnostic_setting::may_have_settings(body) {
            let settings = kinds::diagnostic_setting::arm_type();
            let associations = kinds::rule_association::arm_type();
            // (path, api-version, whether it is a storage service's scope, which may not exist)
            let mut lists = vec![(
                kinds::rule_association::list_path(&c.id),
                associations.api_version,
                false,
            )];
            for (i, scope) in kinds::diagnostic_setting::scopes_of(&c.id, &c.arm_type)
                .iter()
                .enumerate()
            {
                lists.push((
                    kinds::diagnostic_setting::list_path(scope),
                    settings.api_version,
                    i > 0,
                ));
            }
            let mut foreign = Vec::new();
            for (path, api_version, service_scope) in lists {
                // A missing scope answers 404, which `list` reads as empty. A type that cannot
                // carry settings answers ResourceTypeNotSupported (Azure/azure-powershell#25880
                // quotes it), a subscription without Microsoft.Insights registered
                // MissingSubscriptionRegistration (Azure/azure-rest-api-specs#12060): none
                // there. Any other refusal stops the delete: it may hide one.
                let items = match self.client.list(&path, api_version).await {
                    Ok(items) => items,
                    Err(ArmError::Service { code, .. })
                        if code == "ResourceTypeNotSupported"
                            || code == "MissingSubscriptionRegistration" =>
                    {
                        Vec::new()
                    }
                    Err(ArmError::Service { status: 400, .. }) if service_scope => Vec::new(),
                    Err(e) => return Err(e.into()),
                };
                foreign.extend(self.unplanned(items.iter()));
            }
            if !foreign.is_empty() {
                return Err(ApplyError::Refused {
                    resource: c.address.clone(),
                    message: format!(
                        "its delete may take diagnostic settings or data collection rule \
                         associations the plan does not list (not this stack's, or added since \
                         it was planned): {}; remove them or declare them in the spec",
                        foreign.join(", ")
                    ),
                });
            }
        }
        // A cluster's extensions and Flux configurations the plan does not name (another team's,
        // Azure Backup's; the plan reads them only for clusters whose spec has `extensions:` /
        // `fluxConfigurations:` or that it may delete) stop its replacement the same way.
        // System extensions are Azure's own part of the cluster (`isSystemExtension`): the new
        // cluster gets its own. One another resource manages (`managedBy`) is not known to
        // come back, so it stops the delete like any other.
        if c.arm_type.eq_ignore_ascii_case(cluster_type) {
            let mut foreign = Vec::new();
            for kind in [
                kinds::Kind::ClusterExtension,
                kinds::Kind::FluxConfiguration,
            ] {
                let path = format!("{}/{}", c.id, kinds::extension::segment(kind));
                let items = match self.client.list(&path, kind.def().arm[0].api_version).await {
                    Ok(items) => items,
                    // Microsoft.KubernetesConfiguration never registered (Learn, "Resolve
                    // errors for resource provider registration"): none installed.
                    Err(ArmError::Service { code, .. })
                        if code == "MissingSubscriptionRegistration" =>
                    {
                        Vec::new()
                    }
                    Err(e) => return Err(e.into()),
                };
                foreign.extend(
                    self.unplanned(items.iter().filter(|i| !kinds::extension::is_system(i))),
                );
            }
            if !foreign.is_empty() {
                return Err(ApplyError::Refused {
                    resource: c.address.clone(),
                    message: format!(
                        "its delete would take cluster extensions or Flux configurations the \
                         plan does not list (not this stack's, or installed since it was \
                         planned): {}; remove them or name them in the spec",
                        foreign.join(", ")
                    ),
                });
            }
        }
        let zone_types = kinds::Kind::DnsZone.def().arm;
        if zone_types
            .iter()
            .any(|t| t.path.eq_ignore_ascii_case(&c.arm_type))
        {
            let records = self
                .client
                .list(&kinds::dns_zone::record_sets_path(&c.id), &c.api_version)
                .await;
            let records = match records {
                Ok(records) => records,
                // The emulator does not serve public zones' record sets.
                Err(ArmError::Service { status: 501, .. }) => Vec::new(),
                Err(e) => return Err(e.into()),
            };
            let foreign: Vec<String> = records
                .iter()
                .filter(|r| !kinds::dns_zone::zone_own_record(r))
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_string))
                .collect();
            if !foreign.is_empty() {
                return Err(refuse(foreign));
            }
        }
        Ok(())
    }

    /// Sends a write and waits for it to finish.
    async fn put(&self, body: &Value) -> Result<Finished, ArmError> {
        self.send_retrying(
            Method::Put,
            Some(body),
            &[],
            "create or update",
            Waiting::Write,
        )
        .await
    }

    /// Sends a delete and waits until the resource is gone.
    async fn delete(&self, if_match: Option<String>) -> Result<Finished, ArmError> {
        let conditions: Vec<(&'static str, String)> = if_match
            .map(|etag| ("if-match", etag))
            .into_iter()
            .collect();
        self.send_retrying(Method::Delete, None, &conditions, "delete", Waiting::Delete)
            .await
    }

    /// Sends one request, retrying refusals that pass (another operation in progress, a
    /// principal not replicated yet), then follows the operation to its end.
    async fn send_retrying(
        &self,
        method: Method,
        body: Option<&Value>,
        conditions: &[(&'static str, String)],
        operation: &str,
        waiting: Waiting,
    ) -> Result<Finished, ArmError> {
        let c = &self.change;
        let url = self.client.url(&c.id, &c.api_version)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .client
                .send_if(method, url.clone(), body, conditions, operation, &c.id)
                .await
            {
                Ok(first)
                    if waiting == Waiting::Delete
                        && (first.status == 204 || first.status == 404) =>
                {
                    return Ok(Finished::Done);
                }
                Ok(first) => {
                    return lro::wait(
                        &self.client,
                        &first,
                        &c.id,
                        &c.api_version,
                        waiting,
                        operation,
                        lro::Patience {
                            stop: &self.stop,
                            timeout: self.options.busy_timeout,
                        },
                    )
                    .await;
                }
                Err(e) if attempt <= self.options.conflict_retries && passing_refusal(&e) => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        (self.options.conflict_backoff * 2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(Duration::from_secs(30))
    }

    /// Reads the finished resource so dependents can take values from it, and checks that it
    /// ended `Succeeded`: an operation can succeed while the resource it touched is `Failed`
    /// (an AKS cluster whose pools failed), and that is not converged.
    /// A resource that is gone right after its write, or that a stop left busy, is not done.
    async fn remember(&self) -> Result<Finished, ApplyError> {
        let c = &self.change;
        let gone = || ApplyError::Refused {
            resource: c.address.clone(),
            message: "it was written, but Azure no longer has it when azplan reads it back \
                      (deleted meanwhile?); plan again"
                .into(),
        };
        let body = match self.client.get(&c.id, &c.api_version).await? {
            Some(body) if matches!(Provisioning::of(&body), Provisioning::Busy(_)) => {
                match self.settle().await? {
                    Settled::Present(body) => body,
                    Settled::Gone => return Err(gone()),
                    Settled::Abandoned => return Ok(Finished::Abandoned),
                }
            }
            Some(body) => body,
            None => return Err(gone()),
        };
        if let Some(state) = Provisioning::of(&body).unsettled() {
            return Err(ApplyError::NotSucceeded {
                resource: c.address.clone(),
                state: state.to_string(),
            });
        }
        if let Some(why) = kinds::unconverged(&c.arm_type, &body) {
            return Err(ApplyError::NotConverged {
                resource: c.address.clone(),
                why,
            });
        }
        self.bodies.lock().await.insert(c.address.clone(), body);
        Ok(Finished::Done)
    }

    /// A value from a dependency, which exists by now: from this apply's reads, or read now.
    async fn late_value(&self, late: &LateValue) -> Result<Value, ArmError> {
        let cached = self.bodies.lock().await.get(&late.from).cloned();
        let body = match cached {
            Some(body) => Some(body),
            None => {
                // A value of something outside the plan (the subscription's tenant) names it by
                // its ID.
                let id = self.id_of.get(&late.from).cloned().unwrap_or_else(|| {
                    if late.from.starts_with('/') {
                        late.from.clone()
                    } else {
                        String::new()
                    }
                });
                let api = ResourceId::parse(&id)
                    .map_or("", |id| kinds::api_version_of_type(&id.arm_type()));
                self.client.get(&id, api).await?
            }
        };
        body.as_ref()
            .and_then(|b| crate::kinds::lookup_any_case(b, &late.attribute))
            .filter(|v| !v.is_null())
            .cloned()
            .ok_or_else(|| ArmError::Unresolved {
                resource: self.change.address.clone(),
                message: format!(
                    "`{}` needs `{}` of {}, which Azure has not set",
                    late.path, late.attribute, late.from
                ),
            })
    }
}

/// A resource's ETag: `etag` for most types, `eTag` for AKS clusters and pools.
fn etag_of(body: &Value) -> Option<String> {
    body.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_string)
}

/// A secret's value from the environment: set and not empty. The error names the variable,
/// never a value.
pub fn secret_value(secret: &kinds::SecretValue) -> Result<String, String> {
    match std::env::var(&secret.env) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!(
            "`{}` comes from the environment variable {}, which is not set",
            secret.path, secret.env
        )),
    }
}

/// Secrets the plan may have to send that the environment does not hold: checked before any
/// write, so a missing variable never leaves a half-applied stack. Those sent with every PUT
/// count for updates too.
pub fn missing_secrets(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| c.is_operation() && c.action != Action::Delete)
        .flat_map(|c| {
            let creates = matches!(c.action, Action::Create | Action::Replace | Action::Wait);
            c.secrets
                .iter()
                .filter(move |s| creates || s.every_put)
                .filter_map(move |s| secret_value(s).err().map(|e| format!("{}: {e}", c.address)))
        })
        .collect()
}

/// What an operation still has to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Nothing,
    Put,
    Delete,
    Replace,
}

impl Step {
    fn from(action: Action) -> Step {
        match action {
            Action::Create | Action::Update | Action::Adopt => Step::Put,
            Action::Replace => Step::Replace,
            Action::Delete => Step::Delete,
            Action::Wait | Action::NoOp | Action::Read => Step::Nothing,
        }
    }

    /// A busy resource that is gone once settled (it was being deleted): it is created, unless
    /// it was to be deleted anyway.
    fn after_gone(self) -> Step {
        match self {
            Step::Delete => Step::Nothing,
            _ => Step::Put,
        }
    }
}

/// How a busy resource ended.
enum Settled {
    Present(Value),
    Gone,
    Abandoned,
}

/// A provisioning state that means an operation is in flight.
fn is_busy(state: &str) -> bool {
    matches!(
        Provisioning::of(&serde_json::json!({"properties": {"provisioningState": state}})),
        Provisioning::Busy(_)
    )
}

/// ARM refusals that go away by themselves: another operation holds the resource, or a new
/// principal has not replicated yet. Permanent refusals (in-use subnets, validation) fail at once.
fn passing_refusal(error: &ArmError) -> bool {
    const PASSING: &[&str] = &[
        "OperationNotAllowed",
        "AnotherOperationInProgress",
        "OperationPreempted",
        "RetryableErrorDueToAnotherOperation",
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
        "PrincipalNotFound",
    ];
    match error {
        ArmError::Service { code, message, .. } => {
            // AKS refuses deleting the last System pool with OperationNotAllowed too, telling
            // it apart only in its message ("must have at least one system agent pool"); that
            // one never passes (the plan refuses it; this guards raced plans).
            let lower = message.to_ascii_lowercase();
            let last_system_pool = lower.contains("at least one system");
            PASSING.contains(&code.as_str()) && !last_system_pool
        }
        _ => false,
    }
}

#[cfg(test)]
mod refusals {
    use super::*;

    fn refusal(code: &str, message: &str) -> ArmError {
        ArmError::Service {
            operation: "delete".into(),
            resource: "cluster/c/system".into(),
            status: 409,
            help: None,
            code: code.into(),
            message: message.into(),
        }
    }

    #[test]
    fn busy_resources_are_retried_but_the_last_system_pool_is_not() {
        assert!(passing_refusal(&refusal(
            "OperationNotAllowed",
            "Operation is not allowed because there's an in progress update managed cluster operation"
        )));
        assert!(!passing_refusal(&refusal(
            "OperationNotAllowed",
            "A cluster must have at least one system agent pool at all times; this is the last one."
        )));
        assert!(!passing_refusal(&refusal("InvalidParameter", "bad")));
    }
}
