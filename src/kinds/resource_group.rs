//! Resource groups: a location (fixed at creation) and tags.

use serde_json::Value;

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::Resource;

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
