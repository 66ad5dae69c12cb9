//! The emulated cloud: resources keyed by lower-cased ARM id, in-flight operations with absolute
//! deadlines, soft-deleted workspace names and principal creation times. Operations complete lazily
//! (`settle`) whenever a request looks at the state, which keeps time-scaled LROs deterministic and
//! lets a restarted emulator pick up exactly where the previous one stopped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::emulator::activity::{self, Event, RequestInfo, Subject};
use crate::emulator::error::EmulatorError;
use crate::emulator::kind::Kind;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Record {
    /// Id with the casing of the most recent PUT.
    pub(crate) id: String,
    pub(crate) kind: Kind,
    /// The stored representation; children (subnets, pools) are composed in at render time.
    pub(crate) body: Value,
    pub(crate) created_ms: u64,
    /// Creation order, so inline child lists keep the order they were created in.
    pub(crate) seq: u64,
    /// Write-only values the service keeps but never answers (an extension's
    /// `configurationProtectedSettings`): never rendered, kept for tests that check what the
    /// last PUT left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) write_only: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Action {
    Create,
    Update,
    Delete,
    /// AKS `start` / `stop`: the power state changes when the operation ends.
    Start,
    Stop,
}

impl Action {
    /// The transitional provisioning state the service shows while the action runs.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Action::Create => "Creating",
            Action::Update => "Updating",
            Action::Delete => "Deleting",
            Action::Start => "Starting",
            Action::Stop => "Stopping",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Failure {
    pub(crate) code: String,
    pub(crate) message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Operation {
    pub(crate) id: String,
    pub(crate) resource_key: String,
    pub(crate) kind: Kind,
    pub(crate) action: Action,
    pub(crate) subscription: String,
    pub(crate) location: String,
    pub(crate) start_ms: u64,
    pub(crate) end_ms: u64,
    pub(crate) failure: Option<Failure>,
    pub(crate) done: bool,
    /// Ended by an abort request (AKS `abort`): status `Canceled`, resource `Canceled`.
    #[serde(default)]
    pub(crate) canceled: bool,
    /// The request that started it, for the Activity Log event written when it ends.
    #[serde(default)]
    pub(crate) activity: Option<(Subject, RequestInfo)>,
}

impl Operation {
    pub(crate) fn status_path(&self) -> String {
        format!(
            "/subscriptions/{}/providers/{}/locations/{}/operations/{}",
            self.subscription,
            self.kind.namespace(),
            self.location,
            self.id
        )
    }

    pub(crate) fn result_path(&self) -> String {
        if self.kind == Kind::ResourceGroup {
            return format!(
                "/subscriptions/{}/operationresults/{}",
                self.subscription, self.id
            );
        }
        format!(
            "/subscriptions/{}/providers/{}/locations/{}/operationresults/{}",
            self.subscription,
            self.kind.namespace(),
            self.location,
            self.id
        )
    }

    /// ARM's status word for the operation at `now`.
    pub(crate) fn status(&self) -> &'static str {
        if self.canceled {
            return "Canceled";
        }
        match (self.done, &self.failure) {
            (false, _) => "InProgress",
            (true, None) => "Succeeded",
            (true, Some(_)) => "Failed",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeletedWorkspace {
    pub(crate) resource_group: String,
    pub(crate) location: String,
    pub(crate) customer_id: String,
    pub(crate) purge_at_ms: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) resources: BTreeMap<String, Record>,
    pub(crate) operations: BTreeMap<String, Operation>,
    /// Soft-deleted Log Analytics names, keyed by `subscription/name` lower-cased.
    pub(crate) deleted_workspaces: BTreeMap<String, DeletedWorkspace>,
    /// Soft-deleted key vaults, keyed by lower-cased name (vault names are global).
    #[serde(default)]
    pub(crate) deleted_vaults: BTreeMap<String, crate::emulator::key_vault::DeletedVault>,
    /// Principal object id (lower-cased) → creation time, for the replication-delay window.
    pub(crate) principals: BTreeMap<String, u64>,
    pub(crate) seq: u64,
    /// The Activity Log, oldest first (`activity`).
    #[serde(default)]
    pub(crate) activity: Vec<Event>,
    /// Parent identity key → time until which a federated-credential write is in flight.
    #[serde(skip)]
    pub(crate) busy_until: BTreeMap<String, u64>,
    #[serde(skip)]
    pub(crate) dirty: bool,
    #[serde(skip)]
    pub(crate) generation: u64,
    /// What Resource Graph answers from when it lags: a copy of the state and when it was taken.
    #[serde(skip)]
    pub(crate) graph_view: Option<(u64, Box<State>)>,
}

const OPERATION_RETENTION_MS: u64 = 24 * 3600 * 1000;

impl State {
    /// The state Resource Graph answers from: this one, or with `lag_ms`, a copy at most that
    /// old (taken again once it is older).
    pub(crate) fn graph_view(&mut self, lag_ms: u64, now_ms: u64) -> &State {
        if lag_ms == 0 {
            return self;
        }
        let stale = self
            .graph_view
            .as_ref()
            .is_none_or(|(taken, _)| now_ms.saturating_sub(*taken) >= lag_ms);
        if stale {
            // A deep copy through its own serialised form (the transient fields stay empty).
            let copy = serde_json::to_value(&*self)
                .ok()
                .and_then(|v| serde_json::from_value::<State>(v).ok())
                .unwrap_or_default();
            self.graph_view = Some((now_ms, Box::new(copy)));
        }
        match &self.graph_view {
            Some((_, view)) => view,
            None => self,
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Record> {
        self.resources.get(key)
    }

    /// Inserts or replaces a record, keeping creation time and order of an existing one.
    pub(crate) fn put(&mut self, key: String, id: String, kind: Kind, body: Value, now: u64) {
        self.dirty = true;
        if let Some(existing) = self.resources.get_mut(&key) {
            existing.id = id;
            existing.body = body;
            return;
        }
        self.seq += 1;
        let seq = self.seq;
        self.resources.insert(
            key,
            Record {
                id,
                kind,
                body,
                created_ms: now,
                seq,
                write_only: None,
            },
        );
    }

    pub(crate) fn body_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.dirty = true;
        self.resources.get_mut(key).map(|r| &mut r.body)
    }

    /// Direct children of `parent_key` of one kind, in creation order.
    pub(crate) fn children(&self, parent_key: &str, kind: Kind) -> Vec<&Record> {
        let prefix = format!("{parent_key}/");
        let mut out: Vec<&Record> = self
            .resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, r)| r.kind == kind)
            .map(|(_, r)| r)
            .collect();
        out.sort_by_key(|r| r.seq);
        out
    }

    /// Removes a resource and everything addressed below it (children, nested role assignments).
    pub(crate) fn remove_tree(&mut self, key: &str) {
        self.dirty = true;
        let prefix = format!("{key}/");
        self.resources
            .retain(|k, _| k != key && !k.starts_with(&prefix));
    }

    pub(crate) fn pending(&self, resource_key: &str) -> Option<&Operation> {
        self.operations
            .values()
            .find(|op| !op.done && op.resource_key == resource_key)
    }

    pub(crate) fn start_operation(&mut self, op: Operation) {
        self.dirty = true;
        // A newer write supersedes an older in-flight one on the same resource.
        for other in self.operations.values_mut() {
            if !other.done && other.resource_key == op.resource_key {
                other.done = true;
                other.end_ms = op.start_ms;
            }
        }
        self.operations.insert(op.id.clone(), op);
    }

    /// Completes every operation whose deadline has passed, in deadline order.
    pub(crate) fn settle(&mut self, now: u64) {
        let mut due: Vec<(u64, String)> = self
            .operations
            .values()
            .filter(|op| !op.done && op.end_ms <= now)
            .map(|op| (op.end_ms, op.id.clone()))
            .collect();
        due.sort();
        for (_, id) in due {
            let Some(op) = self.operations.get_mut(&id) else {
                continue;
            };
            op.done = true;
            let op = op.clone();
            self.finish(&op);
            if let Some((subject, request)) = &op.activity {
                activity::record_completion(
                    self,
                    op.end_ms,
                    subject,
                    request,
                    op.failure.is_some(),
                );
            }
        }
        let before = self.operations.len();
        self.operations
            .retain(|_, op| !op.done || op.end_ms.saturating_add(OPERATION_RETENTION_MS) > now);
        if before != self.operations.len() {
            self.dirty = true;
        }
    }

    fn finish(&mut self, op: &Operation) {
        self.dirty = true;
        let word = if op.failure.is_some() {
            "Failed"
        } else {
            "Succeeded"
        };
        match (op.action, &op.failure) {
            (Action::Delete, None) => {
                // A cluster takes its node resource group (MC_…) with it, also when its group goes.
                let node_groups = self.node_groups_under(&op.resource_key);
                self.remove_tree(&op.resource_key);
                for key in node_groups {
                    self.remove_tree(&key);
                }
            }
            _ => {
                set_provisioning_state(self.resources.get_mut(&op.resource_key), word);
                let power = match (op.action, &op.failure) {
                    (Action::Start, None) => Some("Running"),
                    (Action::Stop, None) => Some("Stopped"),
                    _ => None,
                };
                if let Some(power) = power {
                    set_power_state(self.resources.get_mut(&op.resource_key), power);
                }
                // Inline children (pools of a cluster, subnets of a VNet) finish with their parent.
                let child_kinds: &[Kind] = match op.kind {
                    Kind::Cluster => &[Kind::NodePool],
                    Kind::VirtualNetwork => &[Kind::Subnet, Kind::VirtualNetworkPeering],
                    _ => &[],
                };
                if !child_kinds.is_empty() {
                    let children: Vec<String> = child_kinds
                        .iter()
                        .flat_map(|kind| self.children(&op.resource_key, *kind))
                        .map(|r| r.id.to_ascii_lowercase())
                        .collect();
                    for child in children {
                        if self.pending(&child).is_none() {
                            set_provisioning_state(self.resources.get_mut(&child), word);
                            if let Some(power) = power {
                                set_power_state(self.resources.get_mut(&child), power);
                            }
                        }
                    }
                }
            }
        }
    }

    /// Ends a running operation as `Canceled` (AKS abort): the resource, and the inline children
    /// that were in flight with it, are left `Canceled`.
    pub(crate) fn cancel(&mut self, op_id: &str, now: u64) {
        let Some(op) = self.operations.get_mut(op_id) else {
            return;
        };
        op.done = true;
        op.canceled = true;
        op.end_ms = now;
        let key = op.resource_key.clone();
        let kind = op.kind;
        self.dirty = true;
        set_provisioning_state(self.resources.get_mut(&key), "Canceled");
        if kind == Kind::Cluster {
            let pools: Vec<String> = self
                .children(&key, Kind::NodePool)
                .iter()
                .map(|r| r.id.to_ascii_lowercase())
                .collect();
            for pool in pools {
                if self.pending(&pool).is_none() {
                    set_provisioning_state(self.resources.get_mut(&pool), "Canceled");
                }
            }
        }
    }

    /// Keys of the node resource groups managed by clusters at or below `key`.
    fn node_groups_under(&self, key: &str) -> Vec<String> {
        let prefix = format!("{key}/");
        self.resources
            .iter()
            .filter(|(k, r)| r.kind == Kind::Cluster && (*k == key || k.starts_with(&prefix)))
            .filter_map(|(_, cluster)| {
                let node_rg = cluster
                    .body
                    .get("properties")?
                    .get("nodeResourceGroup")?
                    .as_str()?;
                let subscription = cluster.id.split('/').nth(2)?;
                let group_key = format!("/subscriptions/{subscription}/resourcegroups/{node_rg}")
                    .to_ascii_lowercase();
                let managed_by = self
                    .resources
                    .get(&group_key)?
                    .body
                    .get("managedBy")?
                    .as_str()?;
                managed_by
                    .eq_ignore_ascii_case(&cluster.id)
                    .then_some(group_key)
            })
            .collect()
    }

    /// Serialises the state if it changed since the last snapshot.
    pub(crate) fn snapshot(&mut self) -> Option<(u64, Vec<u8>)> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        self.generation += 1;
        serde_json::to_vec(self)
            .ok()
            .map(|bytes| (self.generation, bytes))
    }
}

fn set_power_state(record: Option<&mut Record>, code: &str) {
    if let Some(Value::Object(props)) = record.and_then(|r| r.body.get_mut("properties")) {
        props.insert("powerState".into(), json!({"code": code}));
    }
}

fn set_provisioning_state(record: Option<&mut Record>, word: &str) {
    if let Some(Value::Object(props)) = record.and_then(|r| r.body.get_mut("properties"))
        && props.contains_key("provisioningState")
    {
        props.insert("provisioningState".into(), json!(word));
    }
}

/// Writes state snapshots atomically (temp file + rename), never letting an older snapshot
/// overwrite a newer one when requests finish out of order.
#[derive(Debug)]
pub(crate) struct Persister {
    path: PathBuf,
    written: Mutex<u64>,
}

impl Persister {
    pub(crate) fn new(path: PathBuf) -> Persister {
        Persister {
            path,
            written: Mutex::new(0),
        }
    }

    pub(crate) fn load(&self) -> Result<State, EmulatorError> {
        load(&self.path)
    }

    pub(crate) fn write(&self, generation: u64, bytes: &[u8]) -> Result<(), EmulatorError> {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if generation <= *written {
            return Ok(());
        }
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let err = |source| EmulatorError::Write {
            path: self.path.clone(),
            source,
        };
        std::fs::write(&tmp, bytes).map_err(err)?;
        std::fs::rename(&tmp, &self.path).map_err(err)?;
        *written = generation;
        Ok(())
    }
}

fn load(path: &Path) -> Result<State, EmulatorError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| EmulatorError::StateFormat {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(source) => Err(EmulatorError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}
