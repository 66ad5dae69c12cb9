//! Resource groups: a location (fixed at creation) and tags.

use serde_json::Value;

use super::{BodyBuilder, EMPTY, Rules, tracked};
use crate::model::Resource;

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
