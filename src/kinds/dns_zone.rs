//! Public and private DNS zones. Both live in the `global` location.

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{DnsZone, Resource};

pub static DEF: KindDef = KindDef {
    kind: Kind::DnsZone,
    section: Some("dnsZones"),
    prefix: "dnsZone",
    noun: "DNS zone",
    example: "`dnsZone/NAME`",
    // Public first: a zone without `private: true` is public.
    arm: &[
        ArmType {
            path: "Microsoft.Network/dnsZones",
            api_version: "2018-05-01",
        },
        ArmType {
            path: "Microsoft.Network/privateDnsZones",
            api_version: "2024-06-01",
        },
    ],
    parent: None,
    taggable: true,
    serial: Serial::Free,
    delete_rank: 5,
    rules: &RULES,
};

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
