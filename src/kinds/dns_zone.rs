//! Public and private DNS zones. Both live in the `global` location.

use serde_json::{Value, json};

use super::{BodyBuilder, EMPTY, Rules, tracked};
use crate::model::{DnsZone, Resource};

pub static RULES: Rules = Rules {
    exact_maps: &["tags"],
    case_insensitive: &["location", "properties.zoneType"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, z: &DnsZone) -> Value {
    let mut body = tracked(b, resource);
    body["location"] = json!("global");
    if !z.private {
        body["properties"] = json!({ "zoneType": "Public" });
    }
    body
}
