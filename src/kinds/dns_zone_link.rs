//! Private DNS zone virtual network links (`Microsoft.Network/privateDnsZones/virtualNetworkLinks`):
//! a private zone answers only in the virtual networks linked to it. Written under the zone as
//! `dnsZones.ZONE.links.LINK`, addressed `dnsZone/ZONE/LINK`; each link is its own resource in
//! the `global` location, with tags (so the ownership tag) of its own.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::model::{
    Address, Dependency, DnsZoneLink, Origin, ResolutionPolicy, Resource, Spec, Target,
};
use crate::names;
use crate::source::Span;
use crate::spec::{Entry, RawJson};

use super::dns_zone::RawDnsZone;

// The spec as written (serde types, spans, no invariants).

/// A virtual network the zone answers in.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDnsZoneLink {
    /// Link name; defaults to the key.
    pub name: Option<Spanned<String>>,
    /// The linked virtual network: `vnet/NAME`, `existing/NAME` or an ARM ID (any subscription).
    pub vnet: Spanned<String>,
    /// Auto-registration of the VNet's virtual machines in the zone. Default false. A VNet
    /// registers in one private zone at most.
    #[serde(default)]
    pub registration: bool,
    /// `NxDomainRedirect` falls back to public resolution when the zone has no such name
    /// (privatelink zones only). Left as Azure has it when unset (`Default` on a new link).
    pub resolution_policy: Option<Spanned<ResolutionPolicy>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
}

/// ARM and azurerm names of a link's settings (`crate::kinds::habits`). ARM: privatedns
/// `VirtualNetworkLinkProperties`; azurerm: `azurerm_private_dns_zone_virtual_network_link`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("links.*", "virtualNetwork", "virtual_network_id", "`vnet: vnet/NAME` (or `existing/NAME`, or an ARM ID)"),
    habit("links.*", "registrationEnabled", "registration_enabled", "`registration: true`"),
    habit("links.*", "", "resolution_policy", "`resolutionPolicy: NxDomainRedirect`"),
    habit("links.*", "", "private_dns_zone_name", "nothing: a link belongs to the zone it is written under"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        // VirtualNetworkLink.tsp: `location` has Read and Create visibility only.
        ("location", "a link's location is set when it is created"),
        // azurerm `private_dns_zone_virtual_network_link` marks `virtual_network_id` ForceNew:
        // a link is to one VNet; another VNet is another link.
        (
            "properties.virtualNetwork.id",
            "a link cannot be moved to another virtual network",
        ),
    ],
    // The official VirtualNetworkLinkPut body (privatedns 2024-06-01) leaves
    // `resolutionPolicy` out where none was sent; VirtualNetworkLinkList of the same version
    // shows `"Default"` on a link that did not ask for NxDomainRedirect.
    server_defaults: &[("properties.resolutionPolicy", "\"Default\"")],
    exact_maps: &["tags"],
    // The official example sends `"location": "Global"` and reads back `"global"`; IDs are
    // case-insensitive.
    case_insensitive: &[
        "location",
        "properties.virtualNetwork.id",
        "properties.resolutionPolicy",
    ],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, link: &DnsZoneLink) -> Value {
    let mut body = tracked(b, resource);
    body["location"] = json!("global");
    body["properties"] = json!({
        "virtualNetwork": { "id": b.ctx.target_id(&link.vnet) },
        "registrationEnabled": link.registration,
    });
    if let Some(policy) = link.resolution_policy {
        body["properties"]["resolutionPolicy"] = json!(policy.as_str());
    }
    body
}

/// The link's state as Azure reports it (`InProgress` until the VNet can resolve the zone).
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(
        body,
        &[(
            "virtualNetworkLinkState",
            "properties.virtualNetworkLinkState",
        )],
    )
}

// Building the model from the spec.

/// Learn "What is an Azure Private DNS zone?", Limits
/// (https://learn.microsoft.com/azure/dns/private-dns-privatednszone): "Number of private DNS
/// zones a virtual network can get linked to with auto-registration enabled: 1".
const REGISTRATION_ZONES_PER_VNET: usize = 1;

impl Builder<'_> {
    pub(crate) fn declare_dns_zone_links(&mut self, entries: &[Entry<RawDnsZone>]) {
        for e in entries {
            for (link, spec) in &e.spec.links {
                self.declare(
                    Address::child(Kind::DnsZoneLink, &e.key.value, link),
                    spec.span,
                    None,
                );
            }
            self.declare_dropped_children(e, "links", Kind::DnsZoneLink);
        }
    }

    /// Builds every zone's links, after the zones and the VNets they point at.
    pub(crate) fn dns_zone_links(&mut self, entries: &[Entry<RawDnsZone>]) {
        // Links with registration, by VNet: (zone's key, the link's span).
        let mut registering: BTreeMap<Target, Vec<(String, Span)>> = BTreeMap::new();
        for entry in entries {
            let zone = Address::new(Kind::DnsZone, &entry.key.value);
            let Some(zone_resource) = self.resources.get(&zone).cloned() else {
                continue;
            };
            let private = matches!(&zone_resource.spec, Spec::DnsZone(z) if z.private);
            if !entry.spec.links.is_empty() && !private {
                let first = entry
                    .spec
                    .links
                    .values()
                    .next()
                    .map_or(entry.key.span, |l| l.span);
                // Learn "What is a virtual network link?"
                // (https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links): links
                // connect *private* DNS zones to virtual networks; public zones answer everywhere.
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        format!("DNS zone `{}` is public; only private zones have virtual network links", entry.key.value),
                    )
                    .at(first, "a link")
                    .help("set `private: true` on the zone, or remove `links`"),
                );
                continue;
            }
            let mut linked: BTreeMap<Target, Span> = BTreeMap::new();
            for (name, link) in &entry.spec.links {
                let l = &link.value;
                let address = Address::child(Kind::DnsZoneLink, &entry.key.value, name);
                let azure_name = l.name.as_ref().map_or(name.clone(), |n| n.value.clone());
                let name_span = l.name.as_ref().map_or(link.span, |n| n.span);
                // Learn "Naming rules", Microsoft.Network privateDnsZones/virtualNetworkLinks:
                // 1-80 alphanumerics, underscores, periods and hyphens, starting with an
                // alphanumeric and ending with an alphanumeric or underscore.
                self.check_name(&azure_name, name_span, |n| {
                    names::generic(n, 80, "a virtual network link name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit")
                });
                let mut dependencies = vec![Dependency {
                    on: zone.clone(),
                    span: link.span,
                    explicit: false,
                }];
                self.depends_on(&l.depends_on, &mut dependencies);
                let Some(vnet) =
                    self.resolve_or_id(&l.vnet, &[Kind::VirtualNetwork], &mut dependencies)
                else {
                    continue;
                };
                // One link per VNet and zone: the emulator and the service answer Conflict to a
                // second link of the same VNet.
                if let Some(first) = linked.get(&vnet) {
                    self.error(
                        SpecDiagnostic::new(
                            Code::DuplicateName,
                            format!("zone `{}` links `{}` twice", entry.key.value, l.vnet.value),
                        )
                        .at(l.vnet.span, "linked again here")
                        .also(*first, "first linked here")
                        .help("keep one link per virtual network"),
                    );
                } else {
                    linked.insert(vnet.clone(), l.vnet.span);
                }
                if l.registration {
                    registering
                        .entry(vnet.clone())
                        .or_default()
                        .push((entry.key.value.clone(), l.vnet.span));
                }
                let raw = self.raw_override(l.raw.as_ref());
                self.insert(Resource {
                    address,
                    name: azure_name,
                    span: link.span,
                    origin: Origin::Declared,
                    resource_group: zone_resource.resource_group.clone(),
                    location: Some("global".into()),
                    tags: self.tags(&l.tags),
                    protect: l.protect,
                    raw,
                    dependencies,
                    spec: Spec::DnsZoneLink(DnsZoneLink {
                        vnet,
                        registration: l.registration,
                        resolution_policy: l.resolution_policy.as_ref().map(|p| p.value),
                    }),
                });
            }
        }
        for (_, zones) in registering {
            if zones.len() > REGISTRATION_ZONES_PER_VNET {
                let (first_zone, first) = &zones[0];
                let (zone, span) = &zones[1];
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        format!("a virtual network registers in one private DNS zone at most, but zones `{first_zone}` and `{zone}` both register it"),
                    )
                    .at(*span, "registration here")
                    .also(*first, "and here")
                    .help("keep `registration: true` on one link; the other zones resolve without it"),
                );
            }
        }
    }
}
