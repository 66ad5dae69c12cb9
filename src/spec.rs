//! The raw spec: serde types that mirror the YAML exactly (spans, no invariants). The JSON Schema
//! in `schemas/` is generated from these types; `model` turns them into validated values.
//!
//! The settings every resource shares (`name`, `resourceGroup`, `tags`, `dependsOn`, …) are
//! repeated in each struct on purpose: serde's `flatten` cannot be combined with
//! `deny_unknown_fields`, and unknown fields must stay errors (and schema violations).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::kinds::cluster::RawCluster;
use crate::kinds::dns_zone::RawDnsZone;
use crate::kinds::existing::RawExisting;
use crate::kinds::identity::RawIdentity;
use crate::kinds::network::RawVnet;
use crate::kinds::registry::RawRegistry;
use crate::kinds::resource_group::RawResourceGroup;
use crate::kinds::role_assignment::RawRoleAssignment;
use crate::kinds::workspace::RawWorkspace;

/// Free-form JSON merged into a resource's ARM body (the escape hatch).
pub type RawJson = serde_json::Value;

/// One file of a stack. Every section is optional: a stack may spread its resources over many
/// files, and the stack settings (`stack`, `subscription`, `location`, `resourceGroup`) may each
/// appear in one file only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "azplan stack file")]
pub struct RawStackFile {
    /// Name of the stack. Resources carry it in their `azplan-stack` ownership tag.
    pub stack: Option<String>,
    /// Subscription ID (GUID) the stack deploys into.
    pub subscription: Option<String>,
    /// Default Azure region for every resource, e.g. `westeurope`.
    pub location: Option<String>,
    /// Default resource group: the name of an entry under `resourceGroups`, or `existing/NAME`.
    pub resource_group: Option<String>,
    /// Tags added to every taggable resource.
    pub tags: Option<BTreeMap<String, String>>,
    /// Variables, used as `${var.NAME}` in any value.
    pub variables: Option<BTreeMap<String, RawVariable>>,
    /// Named sets of variable values, chosen with `--env NAME`.
    pub environments: Option<BTreeMap<String, BTreeMap<String, RawJson>>>,
    pub resource_groups: Option<BTreeMap<String, RawResourceGroup>>,
    pub registries: Option<BTreeMap<String, RawRegistry>>,
    pub workspaces: Option<BTreeMap<String, RawWorkspace>>,
    pub vnets: Option<BTreeMap<String, RawVnet>>,
    pub dns_zones: Option<BTreeMap<String, RawDnsZone>>,
    pub identities: Option<BTreeMap<String, RawIdentity>>,
    pub role_assignments: Option<BTreeMap<String, RawRoleAssignment>>,
    pub clusters: Option<BTreeMap<String, RawCluster>>,
    /// Resources the stack reads but never modifies, by ARM ID; referenced as `existing/NAME`.
    pub existing: Option<BTreeMap<String, RawExisting>>,
}

/// A variable: a default, or none when every environment must give a value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawVariable {
    pub default: Option<RawJson>,
    pub description: Option<String>,
}

/// Settings every managed resource accepts.
pub trait Common {
    fn name(&self) -> Option<&Spanned<String>>;
    fn depends_on(&self) -> &[Spanned<String>];
    fn protect(&self) -> bool;
    fn raw(&self) -> Option<&Spanned<RawJson>>;
}

/// Implements `Common` for raw types with the usual fields.
macro_rules! common {
    ($($t:ty),*) => {$(
        impl $crate::spec::Common for $t {
            fn name(&self) -> Option<&$crate::de::Spanned<String>> { self.name.as_ref() }
            fn depends_on(&self) -> &[$crate::de::Spanned<String>] { &self.depends_on }
            fn protect(&self) -> bool { self.protect }
            fn raw(&self) -> Option<&$crate::de::Spanned<$crate::spec::RawJson>> { self.raw.as_ref() }
        }
    )*};
}

pub(crate) use common;
