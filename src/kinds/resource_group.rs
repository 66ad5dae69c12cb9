//! Resource groups: a location (fixed at creation) and tags.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::Value;

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::Resource;

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
}

pub static DEF: KindDef = KindDef {
    kind: Kind::ResourceGroup,
    section: Some("resourceGroups"),
    prefix: "rg",
    noun: "resource group",
    example: "`rg/NAME`",
    arm: &[ArmType {
        path: "Microsoft.Resources/resourceGroups",
        api_version: "2025-04-01",
    }],
    parent: None,
    taggable: true,
    serial: Serial::Free,
    delete_rank: 0,
    rules: &RULES,
};

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
