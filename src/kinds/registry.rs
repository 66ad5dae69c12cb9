//! Container registries: SKU, admin user, network access, zone redundancy (create-time only).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::RegistrySku;
use crate::model::{Registry, Resource};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRegistry {
    /// Azure name (5-50 letters and digits, globally unique); defaults to the key.
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Default `Standard`.
    pub sku: Option<RegistrySku>,
    /// Enable the admin user (discouraged). Default false.
    #[serde(default)]
    pub admin_user: bool,
    /// Zone redundancy (Premium only; cannot change after creation). Default false.
    pub zone_redundancy: Option<Spanned<bool>>,
    /// Default true.
    pub public_network_access: Option<bool>,
}

pub static DEF: KindDef = KindDef {
    kind: Kind::Registry,
    section: Some("registries"),
    prefix: "registry",
    noun: "container registry",
    example: "`registry/NAME`",
    arm: &[ArmType {
        path: "Microsoft.ContainerRegistry/registries",
        api_version: "2025-11-01",
    }],
    parent: None,
    taggable: true,
    serial: Serial::Free,
    delete_rank: 2,
    rules: &RULES,
};

pub static RULES: Rules = Rules {
    immutable: &[
        ("location", "a registry cannot move to another region"),
        (
            "properties.zoneRedundancy",
            "zone redundancy is chosen when a registry is created",
        ),
    ],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "sku.name",
        "properties.publicNetworkAccess",
        "properties.zoneRedundancy",
    ],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, r: &Registry) -> Value {
    let mut body = tracked(b, resource);
    let sku = match r.sku {
        RegistrySku::Basic => "Basic",
        RegistrySku::Standard => "Standard",
        RegistrySku::Premium => "Premium",
    };
    body["sku"] = json!({ "name": sku });
    body["properties"] = json!({
        "adminUserEnabled": r.admin_user,
        "publicNetworkAccess": enabled(r.public_network_access),
        "zoneRedundancy": enabled(r.zone_redundancy),
    });
    body
}

fn enabled(on: bool) -> &'static str {
    if on { "Enabled" } else { "Disabled" }
}

crate::spec::common!(RawRegistry);
