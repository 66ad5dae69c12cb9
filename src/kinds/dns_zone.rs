//! Public and private DNS zones. Both live in the `global` location.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{DnsZone, Resource};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDnsZone {
    /// Zone name, e.g. `apps.example.com`; defaults to the key.
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// A private zone (`Microsoft.Network/privateDnsZones`). Default false (public).
    #[serde(default)]
    pub private: bool,
}

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

crate::spec::common!(RawDnsZone);
