//! The import's working state: what was read and found, the keys given, and what is folded
//! or captured on the way to a spec. Each step extends it (`impl Importer` in its own module).

use std::collections::BTreeMap;

use serde_json::Value;

use super::marks::Folded;
use super::select::Found;
use crate::live::LiveState;

/// One import in progress.
pub(super) struct Importer<'a> {
    pub live: &'a LiveState,
    pub found: &'a BTreeMap<String, Found>,
    pub stack: String,
    pub subscription: String,
    pub location: Option<String>,
    /// Lower-cased ID of the stack's default group.
    pub default_group: Option<String>,
    pub common_tags: BTreeMap<String, String>,
    /// Lower-cased ID → key, for top-level resources and role assignments.
    pub keys: BTreeMap<String, String>,
    /// Lower-cased ID → key of an `existing:` entry, with the ID as live state spells it.
    pub existing: BTreeMap<String, (String, String)>,
    pub folded: Folded,
    /// The node subnet found among a cluster's pools, for its `network.subnet`.
    pub pending_subnet: Option<String>,
    /// `resourceGroup:` of the stack.
    pub default_group_ref: Option<String>,
    /// Per address: settings the spec has no field for, written with `raw:` (path → value).
    pub captured: BTreeMap<String, BTreeMap<String, Value>>,
    pub notes: Vec<String>,
}
