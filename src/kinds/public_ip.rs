//! Public IP addresses (`Microsoft.Network/publicIPAddresses`) and public IP prefixes
//! (`Microsoft.Network/publicIPPrefixes`): the outbound addresses a platform owns, so that they
//! outlive any one cluster (a cluster's managed outbound IPs go with it) and can be allowed by
//! name in partners' firewalls. One module for both: an address is drawn from a prefix, and both
//! are Standard SKU, IPv4 and static. Basic SKU public IPs were retired on 30 September 2025
//! (Learn "Upgrade to Standard SKU public IP addresses"), and Standard SKU addresses are always
//! static (Learn "Public IP addresses", SKU table: "Allocation method: Static"), so neither is a
//! setting.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{PublicIp, PublicIpPrefix, Resource, Spec, Target};
use crate::spec::{RawJson, Zone};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPublicIp {
    /// Azure name (1-80 letters, digits, `-`, `_` or `.`); defaults to the key.
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
    /// Availability zones, e.g. `[1, 2, 3]` (zone-redundant) or `[1]` (zonal); none: no zone.
    /// Cannot change after creation.
    pub zones: Option<Spanned<Vec<Zone>>>,
    /// TCP idle timeout of flows through the address, 4-30 minutes. Default Azure's (4).
    pub idle_timeout_minutes: Option<Spanned<u32>>,
    /// The prefix the address is drawn from: `publicIpPrefix/NAME`, `existing/NAME` or an ARM ID.
    pub prefix: Option<Spanned<String>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPublicIpPrefix {
    /// Azure name (1-80 letters, digits, `-`, `_` or `.`); defaults to the key.
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
    /// The prefix's size as a CIDR mask length: 28 gives 16 addresses, 31 gives 2. Azure offers
    /// /28 to /31 by default and larger prefixes (down to /21) by quota. Cannot change.
    pub prefix_length: Spanned<u32>,
    /// Availability zones, e.g. `[1, 2, 3]`; none: no zone. Cannot change after creation.
    pub zones: Option<Spanned<Vec<Zone>>>,
    /// Warnings of this resource accepted on purpose, each with its reason.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM, Bicep and azurerm names of a public IP's settings (`crate::kinds::habits`). ARM:
/// Microsoft.Network publicIPAddresses; azurerm: `azurerm_public_ip`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "idleTimeoutInMinutes", "idle_timeout_in_minutes", "`idleTimeoutMinutes`"),
    habit("", "publicIPPrefix", "public_ip_prefix_id", "`prefix: publicIpPrefix/NAME`"),
    habit("", "publicIPAllocationMethod", "allocation_method", "nothing: Standard SKU addresses are always static, which azplan sends"),
    habit("", "sku", "", "nothing: azplan creates Standard SKU addresses (Basic was retired on 30 September 2025)"),
    habit("", "publicIPAddressVersion", "ip_version", "nothing: azplan's addresses are IPv4"),
    habit("", "availabilityZones", "", "`zones: [1, 2, 3]`"),
];

/// ARM, Bicep and azurerm names of a public IP prefix's settings. azurerm:
/// `azurerm_public_ip_prefix`.
#[rustfmt::skip]
pub(crate) const PREFIX_HABITS: &[Habit] = &[
    habit("", "prefixLength", "prefix_length", "`prefixLength`"),
    habit("", "publicIPAddressVersion", "ip_version", "nothing: azplan's prefixes are IPv4"),
    habit("", "sku", "", "nothing: prefixes are Standard SKU"),
    habit("", "availabilityZones", "", "`zones: [1, 2, 3]`"),
];

/// A public IP's availability zone is fixed: "A public IP's availability zone can't be changed
/// after the public IP's creation" (Learn "Public IP addresses", Availability zone).
const ZONES_FIXED: &str = "a public IP's availability zones can't change after its creation";

pub static RULES: Rules = Rules {
    immutable: &[
        ("location", "a public IP cannot move to another region"),
        ("zones", ZONES_FIXED),
    ],
    sets: &["zones"],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "properties.publicIPPrefix.id",
        "properties.publicIPAllocationMethod",
        "properties.publicIPAddressVersion",
    ],
    ..EMPTY
};

pub static PREFIX_RULES: Rules = Rules {
    immutable: &[
        (
            "location",
            "a public IP prefix cannot move to another region",
        ),
        ("zones", ZONES_FIXED),
        // Learn "Public IP address prefix", Limitations: "You can't specify the set of IP
        // addresses for the prefix. Azure gives the IP addresses for the prefix, based on the
        // size that you specify": the range is allocated once, at creation.
        (
            "properties.prefixLength",
            "a prefix's range is allocated at creation, from the size given",
        ),
    ],
    sets: &["zones"],
    exact_maps: &["tags"],
    case_insensitive: &["location", "properties.publicIPAddressVersion"],
    ..EMPTY
};

/// Standard SKU, by name only, as the official example PublicIpPrefixCreateDefaults (network
/// 2025-07-01) sends it and its 200 body answers it: the tier (`Regional` or `Global`,
/// PublicIPAddressSku / PublicIPPrefixSku) is left to Azure, so a body without it is no change.
fn standard_sku() -> Value {
    json!({ "name": "Standard" })
}

fn zones(zones: &[u8]) -> Value {
    json!(zones.iter().map(u8::to_string).collect::<Vec<_>>())
}

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, ip: &PublicIp) -> Value {
    let mut body = tracked(b, resource);
    body["sku"] = standard_sku();
    if !ip.zones.is_empty() {
        body["zones"] = zones(&ip.zones);
    }
    body["properties"] = json!({
        "publicIPAllocationMethod": "Static",
        "publicIPAddressVersion": "IPv4",
    });
    if let Some(idle) = ip.idle_timeout_minutes {
        body["properties"]["idleTimeoutInMinutes"] = json!(idle);
    }
    if let Some(prefix) = &ip.prefix {
        body["properties"]["publicIPPrefix"] = json!({ "id": b.ctx.target_id(prefix) });
    }
    // PublicIPAddresses_CreateOrUpdate replaces the address: a property left out of the PUT is
    // reset. AKS's cloud provider writes `dnsSettings.domainNameLabel` on a static address a
    // Service uses (Learn "Use a static public IP address and DNS label with the AKS load
    // balancer", `service.beta.kubernetes.io/azure-dns-label-name`), and `ipTags` /
    // `ddosSettings` (PublicIPAddressPropertiesFormat) are set by other tools: azplan does not
    // model them, so an update sends them back as they are live and keeps them.
    b.carry_over_live(
        resource,
        &mut body,
        &["dnsSettings", "ipTags", "ddosSettings"],
    );
    body
}

pub fn prefix_body(b: &BodyBuilder<'_, '_>, resource: &Resource, p: &PublicIpPrefix) -> Value {
    let mut body = tracked(b, resource);
    body["sku"] = standard_sku();
    if !p.zones.is_empty() {
        body["zones"] = zones(&p.zones);
    }
    body["properties"] = json!({
        "prefixLength": p.prefix_length,
        "publicIPAddressVersion": "IPv4",
    });
    // PublicIPPrefixes_CreateOrUpdate replaces the prefix too: its `ipTags`
    // (PublicIPPrefixPropertiesFormat, "The list of tags associated with the public IP prefix")
    // are not modelled, so they are sent back as they are live.
    b.carry_over_live(resource, &mut body, &["ipTags"]);
    body
}

/// The address (or the prefix's range) once Azure allocated it.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(
        body,
        &[
            ("ipAddress", "properties.ipAddress"),
            ("ipPrefix", "properties.ipPrefix"),
        ],
    )
}

/// How many addresses a prefix of this length holds.
pub fn prefix_size(length: u8) -> u64 {
    1u64 << (32 - u32::from(length.min(32)))
}

crate::spec::common!(RawPublicIp);
crate::spec::common!(RawPublicIpPrefix);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::spec::Entry;

const NAME_RULE: &str =
    "a public IP name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit";

impl Builder<'_> {
    pub(crate) fn public_ip_prefixes(&mut self, entries: &[Entry<RawPublicIpPrefix>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::PublicIpPrefix,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 80, NAME_RULE),
            );
            let length = &s.prefix_length;
            // Learn "Public IP address prefix", Prefix sizes: /28 to /31 for IPv4 by default;
            // larger ones need a quota increase, up to /21 (the network resource provider's
            // limit the emulator answers with PublicIpPrefixLengthIsInvalid).
            if !(21..=31).contains(&length.value) {
                self.error(SpecDiagnostic::invalid(
                    format!("/{} is not a public IP prefix length", length.value),
                    length.span,
                    "out of range",
                    "use 28 (16 addresses) to 31 (2 addresses); 21 to 27 need a quota increase",
                ));
            }
            let zones = self.public_ip_zones(s.zones.as_ref());
            resource.spec = Spec::PublicIpPrefix(PublicIpPrefix {
                prefix_length: u8::try_from(length.value.clamp(21, 31)).unwrap_or(31),
                zones,
            });
            self.insert(resource);
        }
    }

    pub(crate) fn public_ips(&mut self, entries: &[Entry<RawPublicIp>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::PublicIp,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 80, NAME_RULE),
            );
            // PublicIPAddressPropertiesFormat.idleTimeoutInMinutes; Learn "Configure TCP idle
            // timeout for a public IP address" (virtual-network/ip-services, TCP Idle Timeout):
            // "an idle timeout setting of 4 minutes to 30 minutes. By default, it is set to 4
            // minutes."
            if let Some(idle) = s
                .idle_timeout_minutes
                .as_ref()
                .filter(|i| !(4..=30).contains(&i.value))
            {
                self.error(SpecDiagnostic::invalid(
                    format!("{} minutes is not a public IP idle timeout", idle.value),
                    idle.span,
                    "out of range",
                    "a public IP's idle timeout is 4 to 30 minutes",
                ));
            }
            let mut deps = Vec::new();
            let prefix = s.prefix.as_ref().and_then(|p| {
                self.resolve_or_id(p, &[Kind::PublicIpPrefix, Kind::Existing], &mut deps)
            });
            // Learn "Public IP address prefix", Limitations: "All public IP addresses created
            // from the prefix must exist in the same Azure region and subscription as the
            // prefix".
            if let (Some(Target::Node(p)), Some(text)) = (&prefix, &s.prefix)
                && let Some(other) = self.resources.get(p)
                && other.location.is_some()
                && other.location != resource.location
            {
                self.error(SpecDiagnostic::invalid(
                    format!(
                        "the address is in {} but its prefix `{p}` is in {}",
                        resource.location.clone().unwrap_or_default(),
                        other.location.clone().unwrap_or_default()
                    ),
                    text.span,
                    "another region",
                    "an address drawn from a prefix must be in the prefix's region",
                ));
            }
            resource.dependencies.extend(deps);
            let zones = self.public_ip_zones(s.zones.as_ref());
            resource.spec = Spec::PublicIp(PublicIp {
                zones,
                idle_timeout_minutes: s.idle_timeout_minutes.as_ref().map(|i| i.value),
                prefix,
            });
            self.insert(resource);
        }
    }

    /// Zones 1 to 3, sorted and once each (Learn "What are availability zones?": regions with
    /// zones have three).
    pub(crate) fn public_ip_zones(&mut self, zones: Option<&Spanned<Vec<Zone>>>) -> Vec<u8> {
        let Some(zones) = zones else {
            return Vec::new();
        };
        if let Some(bad) = zones.value.iter().find(|z| !(1..=3).contains(&z.0)) {
            self.error(SpecDiagnostic::invalid(
                format!("zone {} does not exist", bad.0),
                zones.span,
                "not a zone",
                "Azure regions with availability zones have zones 1, 2 and 3",
            ));
        }
        let mut list: Vec<u8> = zones
            .value
            .iter()
            .map(|z| z.0)
            .filter(|z| (1..=3).contains(z))
            .collect();
        list.sort_unstable();
        list.dedup();
        list
    }
}
