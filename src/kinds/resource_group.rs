//! Resource groups: a location (fixed at creation) and tags.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::Value;

use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::model::{Address, Resource};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawResourceGroup {
    /// Azure name; defaults to the key.
    pub name: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Addresses this resource must wait for, e.g. `roleAssignment/x`.
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    /// Refuse to delete or replace this resource.
    #[serde(default)]
    pub protect: bool,
    /// ARM body fragment merged into the rendered body, for settings azplan does not model yet.
    pub raw: Option<Spanned<RawJson>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

pub static RULES: Rules = Rules {
    immutable: &[(
        "location",
        "a resource group's location cannot change after creation",
    )],
    exact_maps: &["tags"],
    case_insensitive: &["location"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource) -> Value {
    tracked(b, resource)
}

crate::spec::common!(RawResourceGroup);

// Building the model from the spec.

use crate::build::Builder;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn declare_resource_groups(&mut self, entries: &[Entry<RawResourceGroup>]) {
        for e in entries {
            self.declare(
                Address::new(Kind::ResourceGroup, &e.key.value),
                e.key.span,
                None,
            );
            let name = crate::build::azure_name(e.spec.name.as_ref(), &e.key);
            self.group_names.insert(e.key.value.clone(), name);
        }
    }

    pub(crate) fn resource_groups(&mut self, entries: &[Entry<RawResourceGroup>]) {
        for entry in entries {
            let resource = self.common(
                Kind::ResourceGroup,
                entry,
                None,
                entry.spec.location.as_ref(),
                &entry.spec.tags,
                names::resource_group,
            );
            self.insert(resource);
        }
    }
}
