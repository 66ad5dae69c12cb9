//! Public and private DNS zones. Both live in the `global` location.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::model::{Address, DnsZone, Resource, Spec};

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
    /// Virtual networks the private zone answers in, each a link of its own, referenced as
    /// `dnsZone/ZONE/LINK` (`crate::kinds::dns_zone_link`).
    #[serde(default)]
    pub links: BTreeMap<String, Spanned<super::dns_zone_link::RawDnsZoneLink>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM names of a DNS zone's settings (`crate::kinds::habits`). ARM: Microsoft.Network dnsZones
/// properties (`zoneType`); azurerm has `azurerm_private_dns_zone` as a resource of its own.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[habit(
    "",
    "zoneType",
    "",
    "`private: true` for a private zone",
)];

pub static RULES: Rules = Rules {
    // ZoneProperties.zoneType `"default": "Public"` (DNS 2018-05-01); the official GetZone
    // body of that version leaves it out.
    server_defaults: &[("properties.zoneType", "\"Public\"")],
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

/// The name servers to set at the registrar (public zones).
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(body, &[("nameServers", "properties.nameServers")])
}

// Building the model from the spec.

use crate::build::Builder;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn declare_dns_zones(&mut self, entries: &[Entry<RawDnsZone>]) {
        for e in entries {
            self.declare(Address::new(Kind::DnsZone, &e.key.value), e.key.span, None);
        }
    }

    pub(crate) fn dns_zones(&mut self, entries: &[Entry<RawDnsZone>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::DnsZone,
                entry,
                s.resource_group.as_ref(),
                None,
                &s.tags,
                names::dns_zone,
            );
            resource.spec = Spec::DnsZone(DnsZone { private: s.private });
            self.insert(resource);
        }
    }
}

/// Where a zone's record sets are listed: Private DNS `RecordSets_List` (`{zone}/ALL`) and
/// DNS `RecordSets_ListAllByDnsZone` (`{zone}/all`).
pub fn record_sets_path(zone_id: &str) -> String {
    if zone_id.to_ascii_lowercase().contains("/privatednszones/") {
        format!("{zone_id}/ALL")
    } else {
        format!("{zone_id}/all")
    }
}

/// Whether a DNS record set is the zone's own, which a zone has from its creation and loses
/// with it: the SOA record and, for public zones, the NS record at the apex `@` (Learn "Azure
/// DNS zones and records": "SOA and NS records at the zone apex are created automatically").
/// Every other record was written by someone (external-dns, a person) and is not azplan's.
pub fn zone_own_record(record: &Value) -> bool {
    let id = record.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut parts = id.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let record_type = parts.next().unwrap_or_default();
    name == "@"
        && (record_type.eq_ignore_ascii_case("SOA") || record_type.eq_ignore_ascii_case("NS"))
}

/// Whether an ID is a record set of a (public or private) DNS zone:
/// `…/{dnsZones|privateDnsZones}/{zone}/{record type}/{name}`.
pub fn is_record_set(id: &str) -> bool {
    const TYPES: [&str; 10] = [
        "a", "aaaa", "caa", "cname", "mx", "ns", "ptr", "soa", "srv", "txt",
    ];
    let lower = id.to_ascii_lowercase();
    let Some(at) = lower
        .find("/providers/microsoft.network/privatednszones/")
        .or_else(|| lower.find("/providers/microsoft.network/dnszones/"))
    else {
        return false;
    };
    let parts: Vec<&str> = lower[at..].split('/').filter(|s| !s.is_empty()).collect();
    parts.len() == 6 && TYPES.contains(&parts[4])
}
