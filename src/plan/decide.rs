//! Deciding what happens to one resource of the spec: read it (`existing:`), create it, or
//! compare it with what lives in Azure (ownership, one-way settings, property changes,
//! replacements and why, provisioning state). `plan()` runs this over the graph in order, so a
//! resource sees the actions already decided for what it depends on.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::{Action, Change, PlanError, PlanOptions, PropertyChange, diff, lookup, owner_of};
use crate::id::ResourceId;
use crate::kinds::{self, Context, Desired};
use crate::live::{LiveState, Provisioning, fingerprint};
use crate::model::{Address, Kind, Origin, Resource, Spec, Stack};

/// The state of a plan in the making: what was decided so far, and every problem found.
pub(super) struct Planner<'a> {
    stack: &'a Stack,
    live: &'a LiveState,
    options: PlanOptions,
    pub(super) errors: Vec<PlanError>,
    /// By address; looked up, never listed.
    actions: HashMap<String, Action>,
    /// The stack's `existing:` resources by address (as late values name them).
    existing: HashMap<String, Address>,
    /// Resources being deleted in Azure right now (or whose parent is).
    deleting: BTreeSet<String>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(stack: &'a Stack, live: &'a LiveState, options: PlanOptions) -> Planner<'a> {
        Planner {
            stack,
            live,
            options,
            errors: Vec::new(),
            actions: HashMap::with_capacity(stack.resources.len()),
            existing: stack
                .resources
                .values()
                .filter(|r| matches!(r.spec, Spec::Existing(_)))
                .map(|r| (r.address.to_string(), r.address.clone()))
                .collect(),
            deleting: BTreeSet::new(),
        }
    }

    fn ctx(&self) -> Context<'a> {
        Context {
            stack: self.stack,
            live: self.live,
        }
    }

    /// The change for one resource of the spec, from what was worked out for it alone.
    pub(super) fn decide(&mut self, prepared: Prepared<'a>) -> Change {
        let Prepared {
            resource,
            mut change,
            desired,
            live_body,
            compared,
        } = prepared;
        match desired {
            None => self.read_existing(&mut change, live_body),
            Some(mut desired) => {
                self.principal_renewed_is_late(resource, &mut desired);
                self.check_existing_values(&change.address, &desired.late);
                change.late = desired.late.clone();
                change.secrets = desired.secrets.clone();
                match (live_body, compared) {
                    (Some(body), Some(compared)) => {
                        self.plan_against_live(&mut change, resource, &desired, body, compared)
                    }
                    _ => self.plan_create(&mut change, resource),
                }
                if matches!(
                    change.action,
                    Action::Create
                        | Action::Update
                        | Action::Replace
                        | Action::Adopt
                        | Action::Wait
                ) {
                    if !(self.options.without_created_bodies && change.action == Action::Create) {
                        change.desired = Some(desired.body);
                    }
                } else {
                    change.late.clear();
                    change.secrets.clear();
                    change.also_ignored.clear();
                }
                if resource.protect && change.action == Action::Replace {
                    self.errors.push(PlanError::Protected {
                        address: change.address.clone(),
                        action: "replace".into(),
                        reason: change.reasons.join("; "),
                    });
                }
            }
        }
        self.actions.insert(change.address.clone(), change.action);
        change
    }

    /// A value read from an `existing:` resource (the kubelet identity of an existing cluster)
    /// that its live body lacks never appears, since azplan does not write it: an error now,
    /// never a placeholder apply cannot fill. A missing existing resource is reported by its
    /// own read.
    fn check_existing_values(&mut self, address: &str, late: &[kinds::LateValue]) {
        for value in late {
            let Some(from) = self.existing.get(&value.from) else {
                continue;
            };
            if self.live.get(&self.ctx().id(from)).is_some() {
                self.errors.push(PlanError::ExistingValueMissing {
                    address: address.to_string(),
                    from: value.from.clone(),
                    attribute: value.attribute.clone(),
                });
            }
        }
    }

    /// A role assignment whose principal is being replaced: the object ID read from the live
    /// principal is the old one, so it becomes known after apply (and the assignment is
    /// replaced with it, `replaced_with_others`) instead of granting a principal that is gone.
    fn principal_renewed_is_late(&self, resource: &Resource, desired: &mut Desired) {
        const PRINCIPAL_ID: &str = "properties.principalId";
        let Spec::RoleAssignment(ra) = &resource.spec else {
            return;
        };
        let Some((from, attribute)) = kinds::role_assignment::principal_source(&self.ctx(), ra)
        else {
            return;
        };
        let from = from.to_string();
        if self.actions.get(&from) != Some(&Action::Replace)
            || desired.late.iter().any(|l| l.path == PRINCIPAL_ID)
        {
            return;
        }
        if let Some(properties) = desired.body.get_mut("properties") {
            properties["principalId"] = Value::String(kinds::KNOWN_AFTER_APPLY.to_string());
        }
        desired.late.push(kinds::LateValue {
            path: PRINCIPAL_ID.to_string(),
            from,
            attribute,
        });
    }

    /// An `existing:` resource is read, never written; it must exist.
    fn read_existing(&mut self, change: &mut Change, live_body: Option<&Value>) {
        change.action = Action::Read;
        // The type ARM answers with, else the one its ID names.
        change.arm_type = resource_type(live_body).unwrap_or_else(|| {
            ResourceId::parse(&change.id).map_or_else(String::new, |id| id.arm_type())
        });
        change.observed = live_body.map(fingerprint);
        if live_body.is_none() {
            self.errors.push(PlanError::ExistingMissing {
                address: change.address.clone(),
                id: change.id.clone(),
            });
        }
    }

    /// A resource Azure does not have: created, every property listed; the first System pool
    /// of a new cluster comes with the cluster's own PUT.
    fn plan_create(&mut self, change: &mut Change, resource: &Resource) {
        change.action = Action::Create;
        let address = &resource.address;
        let parent_created = address
            .parent()
            .and_then(|p| self.actions.get(&p.to_string()))
            .is_some_and(|a| *a == Action::Create);
        if parent_created && is_inline_pool(self.stack, resource) {
            let parent = address.parent().map(|p| p.to_string()).unwrap_or_default();
            change.reasons.push(format!("created inline with {parent}"));
            change.inline_with = Some(parent);
        }
        self.check_versions(change, resource, None);
        // A name a soft-deleted key vault holds: recovered when the spec asks, else an error.
        match kinds::key_vault::check_create(&self.ctx(), resource) {
            kinds::key_vault::Create::Free => {}
            kinds::key_vault::Create::Recovers(reason) => change.reasons.push(reason),
            kinds::key_vault::Create::Taken { message, help } => {
                self.errors.push(PlanError::SoftDeleted {
                    address: change.address.clone(),
                    message,
                    help,
                })
            }
        }
    }

    /// A Kubernetes version change is an upgrade AKS allows, or a plan error saying why not.
    fn check_versions(&mut self, change: &mut Change, resource: &Resource, live: Option<&Value>) {
        let upgrade = kinds::cluster::versions::check(&self.ctx(), resource, live);
        for (path, why) in upgrade.refusals {
            self.errors.push(PlanError::Impossible {
                address: change.address.clone(),
                path,
                why,
            });
        }
        if let Some(reason) = upgrade.reason
            && !change.changes.is_empty()
        {
            change.reasons.push(reason);
        }
    }

    /// A resource Azure has: whose it is, what may never change, what differs and whether that
    /// forces a replacement, and where it stands in its provisioning life cycle.
    fn plan_against_live(
        &mut self,
        change: &mut Change,
        resource: &Resource,
        desired: &Desired,
        body: &Value,
        compared: Compared,
    ) {
        self.check_ownership(change, resource, body);
        let rules = kinds::rules(resource);
        for (path, why) in rules.one_way {
            let was_on = lookup(body, path) == Some(&Value::Bool(true));
            let stays_on = lookup(&desired.body, path) == Some(&Value::Bool(true));
            if was_on && !stays_on {
                self.errors.push(PlanError::Impossible {
                    address: change.address.clone(),
                    path: path.to_string(),
                    why: why.to_string(),
                });
            }
        }
        for (path, why) in kinds::refusals(resource, body) {
            self.errors.push(PlanError::Impossible {
                address: change.address.clone(),
                path,
                why,
            });
        }
        let mut replace_reasons = compared.replace_reasons;
        self.check_versions(change, resource, Some(body));
        replace_reasons.extend(self.replaced_with_others(resource, desired));
        if let Some(target) = kinds::extension_target(resource)
            && self.actions.get(&target.to_string()) == Some(&Action::Replace)
        {
            // The target's delete takes it (ARM deletes a resource's diagnostic settings with
            // it); it is written again after the new target.
            change.replaced_with = Some(target.to_string());
        }
        if let Some(parent) = resource.address.parent()
            && self.actions.get(&parent.to_string()) == Some(&Action::Replace)
        {
            // The parent's delete takes it; the first System pool comes back with the
            // parent's own PUT.
            change.replaced_with = Some(parent.to_string());
            if is_inline_pool(self.stack, resource) {
                change.inline_with = Some(parent.to_string());
            }
        }
        if !replace_reasons.is_empty() && resource.address.kind == Kind::ResourceGroup {
            // Replacing a group deletes everything inside it, whoever owns it: never planned.
            for forced in change.changes.iter().filter(|c| c.forces_replacement) {
                self.errors.push(PlanError::Impossible {
                    address: change.address.clone(),
                    path: forced.path.clone(),
                    why: "it is fixed when the group is created, and replacing the group would \
                          delete everything inside it"
                        .into(),
                });
            }
        }
        if !replace_reasons.is_empty() {
            change.action = Action::Replace;
            change.reasons.extend(replace_reasons);
        } else if change.action != Action::Adopt && !change.changes.is_empty() {
            change.action = Action::Update;
        }
        converge(change, &Provisioning::of(body));
        if change.state.is_none()
            && let Some(why) = kinds::unconverged(&change.arm_type, body)
        {
            unconverged(change, why);
        }
        self.wait_for_deleting_parent(change, &resource.address);
        change.also_ignored = kinds::dynamic_ignores(resource)
            .iter()
            .map(|p| p.to_string())
            .collect();
    }

    /// The resource must be this stack's, or nobody's when adopting.
    fn check_ownership(&mut self, change: &mut Change, resource: &Resource, body: &Value) {
        let address = change.address.clone();
        let id = change.id.clone();
        if matches!(resource.spec, Spec::ClusterExtension(_))
            && let Some(why) = kinds::extension::foreign(body)
        {
            self.errors
                .push(PlanError::ForeignExtension { address, id, why });
            return;
        }
        match ownership(
            self.stack,
            resource,
            kinds::arm_kind(resource).taggable,
            body,
        ) {
            Ownership::Ours => {}
            Ownership::Nobody if self.options.adopt => {
                change.action = Action::Adopt;
                change.adopted = true;
            }
            Ownership::Nobody => self.errors.push(PlanError::NotOwned { address, id }),
            Ownership::Other(owner) => {
                self.errors
                    .push(PlanError::OwnedElsewhere { address, id, owner })
            }
        }
    }

    /// Replacements that come from other resources: a parent replaced, or (for a role
    /// assignment) a principal created anew, whose new object ID cannot be swapped in place.
    fn replaced_with_others(&self, resource: &Resource, desired: &Desired) -> Vec<String> {
        let mut reasons = Vec::new();
        let principal_renewed = matches!(resource.spec, Spec::RoleAssignment(_))
            && desired.late.iter().any(|l| {
                matches!(
                    self.actions.get(&l.from),
                    Some(Action::Create | Action::Replace)
                )
            });
        if principal_renewed {
            reasons.push("its principal is recreated and gets a new object ID".into());
        }
        if let Some(parent) = resource.address.parent()
            && self.actions.get(&parent.to_string()) == Some(&Action::Replace)
        {
            reasons.push(format!("its parent {parent} is replaced"));
        }
        if let Some(target) = kinds::extension_target(resource)
            && self.actions.get(&target.to_string()) == Some(&Action::Replace)
        {
            reasons.push(format!("the resource it sits on, {target}, is replaced"));
        }
        reasons
    }

    /// ARM deletes children with their parent: a child of a resource being deleted waits, and
    /// is created again once its parent is back.
    fn wait_for_deleting_parent(&mut self, change: &mut Change, address: &Address) {
        let parent_deleting = address
            .parent()
            .is_some_and(|p| self.deleting.contains(&p.to_string()));
        if parent_deleting && change.action == Action::NoOp {
            change.action = Action::Wait;
            change.reasons.push(format!(
                "its parent {} is being deleted: apply waits, then creates it again",
                address.parent().map(|p| p.to_string()).unwrap_or_default()
            ));
        }
        if change.state.as_deref() == Some("Deleting") || parent_deleting {
            self.deleting.insert(change.address.clone());
        }
    }
}

/// What one resource's change needs that depends on the spec and live state alone, not on
/// the decisions about other resources: its ID, desired body and the comparison with what
/// lives in Azure. Worked out for many resources at once (`prepare_all`), since this is most of
/// a plan's work; the decisions then follow the graph's order one by one.
pub(super) struct Prepared<'a> {
    resource: &'a Resource,
    change: Change,
    /// `None` for an `existing:` resource, which is only read.
    desired: Option<Desired>,
    live_body: Option<&'a Value>,
    /// Present when the resource lives in Azure and azplan would write it.
    compared: Option<Compared>,
}

/// The comparison of a desired body with the live one (its property changes are already on the
/// change).
pub(super) struct Compared {
    /// Why an immutable property's change forces a replacement.
    replace_reasons: Vec<String>,
}

/// From this many resources up, `prepare_all` spreads the work over the machine's cores (below
/// it, starting threads costs more than it saves).
const PREPARE_IN_PARALLEL_FROM: usize = 256;

/// How many resources `plan` prepares at once: bounds the desired bodies held before the
/// decisions drop those of unchanged resources (all of them at once added 14 MB at 10,000).
pub(super) const PREPARE_BATCH: usize = 1024;

/// `prepare` for every resource of `order`, in that order.
pub(super) fn prepare_all<'a>(
    ctx: &Context<'a>,
    order: &'a [Address],
    depends_on: impl Fn(&Address) -> Vec<String> + Sync,
) -> Vec<Prepared<'a>> {
    crate::par::map_parts(order, PREPARE_IN_PARALLEL_FROM, |part| {
        part.iter()
            .map(|a| prepare(ctx, a, depends_on(a)))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// What `Prepared` says, for one resource.
fn prepare<'a>(ctx: &Context<'a>, address: &Address, depends_on: Vec<String>) -> Prepared<'a> {
    let resource = &ctx.stack.resources[address];
    let mut change = new_change(ctx, resource, depends_on);
    if let Origin::Derived { from, reason } = &resource.origin {
        change
            .reasons
            .push(format!("derived from {from}: {reason}"));
    }
    let live_body = ctx.live.get(&change.id);
    if let Spec::Existing(_) = resource.spec {
        return Prepared {
            resource,
            change,
            desired: None,
            live_body,
            compared: None,
        };
    }
    let desired = kinds::desired(ctx, resource);
    let compared = match live_body {
        None => {
            change.changes = creation_listing(&desired.body);
            None
        }
        Some(body) => {
            change.observed = Some(fingerprint(body));
            let replace_reasons = property_changes(&mut change, resource, &desired, body);
            Some(Compared { replace_reasons })
        }
    };
    Prepared {
        resource,
        change,
        desired: Some(desired),
        live_body,
        compared,
    }
}

/// A change with nothing decided yet.
fn new_change(ctx: &Context<'_>, resource: &Resource, depends_on: Vec<String>) -> Change {
    let arm = kinds::arm_kind(resource);
    Change {
        address: resource.address.to_string(),
        arm_type: arm.arm_type.to_string(),
        id: ctx.id(&resource.address),
        api_version: arm.api_version.to_string(),
        action: Action::NoOp,
        reasons: Vec::new(),
        changes: Vec::new(),
        depends_on,
        desired: None,
        late: Vec::new(),
        secrets: Vec::new(),
        observed: None,
        protected: resource.protect,
        state: None,
        goes_with: None,
        takes_with_it: Vec::new(),
        inline_with: None,
        replaced_with: None,
        also_ignored: Vec::new(),
        not_shown: Vec::new(),
        adopted: false,
    }
}

/// The properties that differ, listed on the change; returns why any of them forces a
/// replacement (the immutable property and its reason).
fn property_changes(
    change: &mut Change,
    resource: &Resource,
    desired: &Desired,
    body: &Value,
) -> Vec<String> {
    let rules = kinds::rules(resource);
    let late: Vec<&str> = desired.late.iter().map(|l| l.path.as_str()).collect();
    let differences = diff::diff(
        &desired.body,
        body,
        rules,
        diff::Unknowns {
            ignored: kinds::dynamic_ignores(resource),
            late: &late,
        },
    );
    let mut differences = differences;
    differences.extend(
        kinds::dropped(resource, &desired.body, body)
            .into_iter()
            .map(|(path, before)| diff::Difference {
                path,
                before: Some(before),
                after: Value::Null,
            }),
    );
    let (differences, not_shown) = diff::split_not_shown(differences, rules);
    change.not_shown = not_shown
        .into_iter()
        .map(|d| PropertyChange {
            path: d.path,
            before: None,
            after: d.after,
            forces_replacement: false,
        })
        .collect();
    let mut replace_reasons = Vec::new();
    for d in differences {
        let immutable = rules
            .immutable
            .iter()
            .find(|(p, _)| diff::matches(p, &d.path) || d.path.starts_with(&format!("{p}.")));
        if let Some((_, why)) = immutable {
            replace_reasons.push(format!("`{}` changes: {why}", d.path));
        }
        change.changes.push(PropertyChange {
            forces_replacement: immutable.is_some(),
            path: d.path,
            before: d.before,
            after: d.after,
        });
    }
    replace_reasons
}

/// Provisioning state is part of convergence: a `Failed` resource is repaired by sending the
/// desired body again (for AKS the documented recovery from a failed state is a PUT of the
/// unchanged cluster, "az aks update" with no changes:
/// https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/availability-performance/cluster-node-virtual-machine-failed-state),
/// and a busy one is waited for before anything else is decided.
fn converge(change: &mut Change, provisioning: &Provisioning) {
    match provisioning {
        Provisioning::Succeeded => {}
        Provisioning::Failed(state) => {
            change.state = Some(state.clone());
            change.reasons.push(format!(
                "its provisioning state is `{state}`: apply sends the desired body again to repair it"
            ));
            if change.action == Action::NoOp {
                change.action = Action::Update;
            }
        }
        Provisioning::Busy(state) => {
            change.state = Some(state.clone());
            change.reasons.push(format!(
                "it is busy (`{state}`): apply waits for the operation in flight, then decides again"
            ));
            if change.action == Action::NoOp {
                change.action = Action::Wait;
            }
        }
    }
}

/// A resource that succeeded but does not work as asked (a private endpoint's rejected
/// connection, `kinds::unconverged`) is not converged, like a `Failed` one: the plan shows it
/// and why, and apply sends the body again (a PUT asks the target for the connection again),
/// then refuses to call it done while the connection is still not approved.
fn unconverged(change: &mut Change, why: String) {
    change.reasons.push(format!(
        "{why}, not Approved: apply sends the desired body again; if the target's owner refuses the connection, approve it there"
    ));
    change.state = Some(why);
    if change.action == Action::NoOp {
        change.action = Action::Update;
    }
}

pub(super) fn resource_type(body: Option<&Value>) -> Option<String> {
    body?.get("type")?.as_str().map(str::to_string)
}

fn is_inline_pool(stack: &Stack, resource: &Resource) -> bool {
    let Some(parent) = resource.address.parent() else {
        return false;
    };
    match stack.resources.get(&parent).map(|r| &r.spec) {
        Some(Spec::Cluster(c)) => c.pools.first() == Some(&resource.address),
        _ => false,
    }
}

/// Everything a create sets, as property changes from nothing.
fn creation_listing(body: &Value) -> Vec<PropertyChange> {
    let mut out = Vec::new();
    flatten(&mut String::new(), body, &mut out);
    out
}

/// Lists the leaves under `path` (one buffer for every path: a 10,000-resource plan lists
/// half a million properties).
fn flatten(path: &mut String, value: &Value, out: &mut Vec<PropertyChange>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                flatten(path, v, out);
                path.truncate(len);
            }
        }
        _ => out.push(PropertyChange {
            path: path.clone(),
            before: None,
            after: value.clone(),
            forces_replacement: false,
        }),
    }
}

pub(super) enum Ownership {
    Ours,
    Nobody,
    Other(String),
}

pub(super) fn ownership(
    stack: &Stack,
    resource: &Resource,
    taggable: bool,
    body: &Value,
) -> Ownership {
    let owner = owner_of(body);
    match owner {
        Some(owner) if owner == stack.name => Ownership::Ours,
        Some(owner) => Ownership::Other(owner),
        // Children (subnets, pools, credentials) belong to whoever owns their parent, which
        // is checked on the parent itself.
        // A diagnostic setting or rule association can carry no mark: whose it is follows from
        // its target and what it points at (`kinds::diagnostic_setting::ours`,
        // `kinds::rule_association::ours`).
        None if matches!(
            resource.spec,
            Spec::DiagnosticSetting(_) | Spec::DataCollectionRuleAssociation(_)
        ) =>
        {
            match &resource.spec {
                Spec::DiagnosticSetting(ds) if kinds::diagnostic_setting::ours(stack, ds, body) => {
                    Ownership::Ours
                }
                Spec::DataCollectionRuleAssociation(a)
                    if kinds::rule_association::ours(stack, a, body) =>
                {
                    Ownership::Ours
                }
                _ => Ownership::Nobody,
            }
        }
        // Role and policy assignments are top-level and carry their own mark (description,
        // metadata): one without it is nobody's.
        None if !taggable
            && !matches!(
                resource.spec,
                Spec::RoleAssignment(_) | Spec::PolicyAssignment(_)
            ) =>
        {
            Ownership::Ours
        }
        None => Ownership::Nobody,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::plan::delete_change;

    fn change() -> Change {
        delete_change(
            "a".into(),
            "t".into(),
            "/a".into(),
            String::new(),
            &json!({}),
        )
    }

    #[test]
    fn failed_resources_are_repaired_and_busy_ones_waited_for() {
        for (state, before, after) in [
            ("Failed", Action::NoOp, Action::Update),
            ("Canceled", Action::NoOp, Action::Update),
            ("Updating", Action::NoOp, Action::Wait),
            ("Deleting", Action::NoOp, Action::Wait),
            ("Creating", Action::Update, Action::Update),
            ("Failed", Action::Replace, Action::Replace),
            ("Succeeded", Action::NoOp, Action::NoOp),
        ] {
            let mut c = change();
            c.action = before;
            converge(
                &mut c,
                &Provisioning::of(&json!({"properties": {"provisioningState": state}})),
            );
            assert_eq!(c.action, after, "{state} over {before:?}");
            assert_eq!(c.state.is_some(), state != "Succeeded");
        }
        let mut c = change();
        c.action = Action::NoOp;
        converge(&mut c, &Provisioning::of(&json!({"properties": {}})));
        assert_eq!(
            c.action,
            Action::NoOp,
            "no provisioningState counts as Succeeded"
        );
    }
}
