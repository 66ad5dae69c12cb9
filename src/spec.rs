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

/// Free-form JSON merged into a resource's ARM body (the escape hatch).
pub type RawJson = serde_json::Value;

/// One entry of a section: its key (the address name) and its settings.
#[derive(Debug)]
pub struct Entry<T> {
    pub key: Spanned<String>,
    pub spec: T,
    /// Settings that were written but could not be read (reported already), as dotted paths
    /// (`nodePools.system.mode`): the entry is built without them, and rules that would only
    /// repeat their error check this list.
    pub dropped: Vec<String>,
}

impl<T> Entry<T> {
    /// Whether a setting at `path`, or anything under it, could not be read.
    pub fn dropped_under(&self, path: &str) -> bool {
        self.dropped.iter().any(|d| {
            d == path
                || d.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }
}

/// The stack-wide settings, as written.
#[derive(Debug, Default)]
pub struct RawSettings {
    pub name: Option<Spanned<String>>,
    pub subscription: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub tags: BTreeMap<String, String>,
    pub environment: Option<String>,
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
