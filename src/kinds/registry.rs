//! Container registries: SKU, admin user, network access, zone redundancy (asked for at creation).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::model::RegistrySku;
use crate::model::{Registry, Resource, Spec};

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
    /// Ask for zone redundancy at creation (any SKU). Azure now makes every registry in a
    /// region with availability zones zone-redundant, whatever this says, so it is sent on
    /// create only and never compared.
    pub zone_redundancy: Option<Spanned<bool>>,
    /// Default true.
    pub public_network_access: Option<bool>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM and azurerm names of a registry's settings (`crate::kinds::habits`). ARM:
/// Microsoft.ContainerRegistry registries properties; azurerm: `azurerm_container_registry`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "adminUserEnabled", "admin_enabled", "`adminUser: true | false`"),
    habit("", "", "zone_redundancy_enabled", "`zoneRedundancy: true | false`"),
    habit("", "", "public_network_access_enabled", "`publicNetworkAccess: true | false`"),
    habit("", "georeplications", "georeplications", "nothing yet: replications are not modelled"),
];

pub static RULES: Rules = Rules {
    immutable: &[("location", "a registry cannot move to another region")],
    // "Zone redundancy is enabled by default for all Azure container registries in regions
    // that support availability zones. This feature is available for every service tier" and
    // the property "may still show as false"
    // (https://learn.microsoft.com/azure/container-registry/zone-redundancy): what a GET says
    // is not what the registry does, so it is sent when created and never compared.
    create_only: &["properties.zoneRedundancy"],
    // RegistryProperties `"default": false` and `"default": "Enabled"` (ACR 2025-11-01);
    // the 2023-07-01 example bodies leave them out.
    server_defaults: &[
        ("properties.adminUserEnabled", "false"),
        ("properties.publicNetworkAccess", "\"Enabled\""),
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
    });
    if let Some(zones) = r.zone_redundancy {
        body["properties"]["zoneRedundancy"] = json!(enabled(zones));
    }
    body
}

fn enabled(on: bool) -> &'static str {
    if on { "Enabled" } else { "Disabled" }
}

crate::spec::common!(RawRegistry);

/// The login server `docker login` and image references use.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(body, &[("loginServer", "properties.loginServer")])
}

// Building the model from the spec.

use crate::build::Builder;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn registries(&mut self, entries: &[Entry<RawRegistry>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::Registry,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::registry,
            );
            // ARM requires a SKU (ACR `Registry.sku`, no default); azplan takes Standard, which
            // Learn "Azure Container Registry service tiers"
            // (https://learn.microsoft.com/azure/container-registry/container-registry-skus)
            // says "satisfy the needs of many production scenarios" (earlier: "most").
            let sku = s.sku.unwrap_or(RegistrySku::Standard);
            // Any SKU: the official RegistryCreateZoneRedundant example (ACR 2025-11-01) asks
            // a Standard registry for it, and Learn now offers it on every tier.
            let zone_redundancy = s.zone_redundancy.as_ref().map(|z| z.value);
            resource.spec = Spec::Registry(Registry {
                sku,
                admin_user: s.admin_user,
                zone_redundancy,
                public_network_access: s.public_network_access.unwrap_or(true),
            });
            self.insert(resource);
        }
    }
}
