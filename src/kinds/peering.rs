//! Virtual network peerings (`Microsoft.Network/virtualNetworks/virtualNetworkPeerings`): one
//! direction of a peering, written under the local VNet as `vnets.VNET.peerings.NAME` and
//! addressed `vnet/VNET/NAME`. Traffic flows once both sides exist (`peeringState: Connected`);
//! the other side may be a VNet of the stack, an `existing:` one or an ARM ID in any
//! subscription. Peerings carry no tags, so a VNet owns its peerings only when its spec says so:
//! with a `peerings:` key, a peering the spec leaves out is deleted (as subnets are); without
//! one, azplan leaves the VNet's peerings alone (a hub team's, Virtual WAN's or Azure Virtual
//! Network Manager's peerings are made outside any stack).
//!
//! A VNet body never carries `properties.virtualNetworkPeerings`: a VNet PUT without it keeps
//! the peerings ("Redeploying does not actually remove it", ARM Deployments team on
//! Azure/arm-template-whatif#281 and #314, 2026-08-19), and `raw:` may not write it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::network::RawVnet;
use super::{BodyBuilder, EMPTY, Kind, Rules};
use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::model::{Address, Dependency, Origin, Resource, Spec, Target, VnetPeering};
use crate::names;
use crate::source::Span;
use crate::spec::{Entry, RawJson};

// The spec as written (serde types, spans, no invariants).

/// This VNet's side of a peering.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPeering {
    /// Peering name; defaults to the key.
    pub name: Option<Spanned<String>>,
    /// The remote virtual network: `vnet/NAME`, `existing/NAME` or an ARM ID (any
    /// subscription).
    pub remote: Spanned<String>,
    /// VMs of this VNet reach the remote VNet. Default true.
    pub allow_virtual_network_access: Option<bool>,
    /// Traffic forwarded by the remote VNet (not from it) is let in. Default false.
    pub allow_forwarded_traffic: Option<bool>,
    /// The remote VNet may use this VNet's gateway. Default false.
    pub allow_gateway_transit: Option<bool>,
    /// Use the remote VNet's gateway (its side must allow gateway transit). Default false;
    /// one peering of a VNet at most.
    pub use_remote_gateways: Option<bool>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
}

/// ARM and azurerm names of a peering's settings (`crate::kinds::habits`). ARM: Network
/// `VirtualNetworkPeeringPropertiesFormat`; azurerm: `azurerm_virtual_network_peering`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "virtualNetworkPeerings", "", "`peerings: {NAME: {remote: vnet/OTHER}}` (a map by peering name)"),
    habit("peerings.*", "remoteVirtualNetwork", "remote_virtual_network_id", "`remote: vnet/NAME` (or `existing/NAME`, or an ARM ID)"),
    habit("peerings.*", "", "allow_virtual_network_access", "`allowVirtualNetworkAccess`"),
    habit("peerings.*", "", "allow_forwarded_traffic", "`allowForwardedTraffic`"),
    habit("peerings.*", "", "allow_gateway_transit", "`allowGatewayTransit`"),
    habit("peerings.*", "", "use_remote_gateways", "`useRemoteGateways`"),
    habit("peerings.*", "", "virtual_network_name", "nothing: a peering belongs to the VNet it is written under"),
];

pub static RULES: Rules = Rules {
    // azurerm `virtual_network_peering` marks `remote_virtual_network_id` ForceNew: a peering
    // connects two given VNets; another remote is another peering.
    immutable: &[(
        "properties.remoteVirtualNetwork.id",
        "a peering cannot be pointed at another virtual network",
    )],
    case_insensitive: &["properties.remoteVirtualNetwork.id"],
    ..EMPTY
};

/// The four switches are always sent, so a peering made elsewhere with other values shows as a
/// change. Defaults: access on, the rest off, as azurerm `virtual_network_peering` defaults them
/// and as the official VirtualNetworkPeeringCreate example (Network 2025-07-01) sends them
/// (`allowForwardedTraffic` aside).
pub fn body(b: &BodyBuilder<'_, '_>, p: &VnetPeering) -> Value {
    json!({
        "properties": {
            "remoteVirtualNetwork": { "id": b.ctx.target_id(&p.remote) },
            "allowVirtualNetworkAccess": p.allow_virtual_network_access,
            "allowForwardedTraffic": p.allow_forwarded_traffic,
            "allowGatewayTransit": p.allow_gateway_transit,
            "useRemoteGateways": p.use_remote_gateways,
        }
    })
}

/// The peering's read-only state: `Initiated` until the remote side peers back, then
/// `Connected`; `Disconnected` once the remote side is gone. The sync level says whether both
/// sides know each other's current address space.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(
        body,
        &[
            ("peeringState", "properties.peeringState"),
            ("peeringSyncLevel", "properties.peeringSyncLevel"),
        ],
    )
}

/// Whether the VNet with this ID (any casing) is in the stack with a `peerings:` key: then its
/// peerings are the stack's, and one the spec leaves out is deleted.
pub fn vnet_owns_its_peerings(stack: &crate::model::Stack, vnet: &Address) -> bool {
    stack
        .resources
        .get(vnet)
        .is_some_and(|r| matches!(&r.spec, Spec::VirtualNetwork(v) if v.manages_peerings))
}

// Building the model from the spec.

impl Builder<'_> {
    pub(crate) fn declare_peerings(&mut self, entries: &[Entry<RawVnet>]) {
        for e in entries {
            for (peering, spec) in e.spec.peerings.iter().flatten() {
                self.declare(
                    Address::child(Kind::VnetPeering, &e.key.value, peering),
                    spec.span,
                    None,
                );
            }
            self.declare_dropped_children(e, "peerings", Kind::VnetPeering);
        }
    }

    /// Builds every VNet's peerings, after the VNets (both sides may be in the stack).
    pub(crate) fn peerings(&mut self, entries: &[Entry<RawVnet>]) {
        for entry in entries {
            let vnet = Address::new(Kind::VirtualNetwork, &entry.key.value);
            let Some(vnet_resource) = self.resources.get(&vnet).cloned() else {
                continue;
            };
            let mut remote_gateways: Option<Span> = None;
            for (name, peering) in entry.spec.peerings.iter().flatten() {
                let p = &peering.value;
                let address = Address::child(Kind::VnetPeering, &entry.key.value, name);
                let azure_name = p.name.as_ref().map_or(name.clone(), |n| n.value.clone());
                let name_span = p.name.as_ref().map_or(peering.span, |n| n.span);
                // Learn "Naming rules", Microsoft.Network virtualNetworks/virtualNetworkPeerings:
                // 1-80 alphanumerics, underscores, periods and hyphens.
                self.check_name(&azure_name, name_span, |n| {
                    names::generic(n, 80, "a peering name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit")
                });
                // A subnet and a peering are different ARM types, but both print as
                // `vnet/VNET/NAME`: one name each keeps plans and references unambiguous.
                if entry.spec.subnets.contains_key(name) {
                    self.error(
                        SpecDiagnostic::new(
                            Code::DuplicateName,
                            format!(
                                "`vnet/{}/{name}` names both a subnet and a peering",
                                entry.key.value
                            ),
                        )
                        .at(peering.span, "the peering")
                        .help(
                            "give the peering another key (its Azure name can stay, with `name:`)",
                        ),
                    );
                }
                let mut dependencies = vec![Dependency {
                    on: vnet.clone(),
                    span: peering.span,
                    explicit: false,
                }];
                self.depends_on(&p.depends_on, &mut dependencies);
                let Some(remote) =
                    self.resolve_or_id(&p.remote, &[Kind::VirtualNetwork], &mut dependencies)
                else {
                    continue;
                };
                if remote == Target::Node(vnet.clone()) {
                    // A peering connects two virtual networks (Learn "Virtual network peering",
                    // https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
                    self.error(SpecDiagnostic::invalid(
                        format!(
                            "peering `{name}` peers `vnet/{}` with itself",
                            entry.key.value
                        ),
                        p.remote.span,
                        "the VNet itself",
                        "name the other virtual network",
                    ));
                    continue;
                }
                self.check_peered_spaces(&vnet_resource, &remote, p.remote.span);
                let use_remote_gateways = p.use_remote_gateways.unwrap_or(false);
                if use_remote_gateways {
                    // VirtualNetworkPeeringPropertiesFormat.useRemoteGateways (Network
                    // virtualNetwork.json): "Only one peering can have this flag set to true."
                    if let Some(first) = remote_gateways {
                        self.error(
                            SpecDiagnostic::new(
                                Code::ConflictingSettings,
                                format!("two peerings of `vnet/{}` use remote gateways; Azure allows one", entry.key.value),
                            )
                            .at(peering.span, "the second")
                            .also(first, "the first")
                            .help("keep `useRemoteGateways: true` on one peering"),
                        );
                    }
                    remote_gateways = Some(peering.span);
                }
                let raw = self.raw_override(p.raw.as_ref());
                self.insert(Resource {
                    address,
                    name: azure_name,
                    span: peering.span,
                    origin: Origin::Declared,
                    resource_group: vnet_resource.resource_group.clone(),
                    location: None,
                    tags: BTreeMap::new(),
                    protect: p.protect,
                    raw,
                    dependencies,
                    spec: Spec::VnetPeering(VnetPeering {
                        remote,
                        allow_virtual_network_access: p
                            .allow_virtual_network_access
                            .unwrap_or(true),
                        allow_forwarded_traffic: p.allow_forwarded_traffic.unwrap_or(false),
                        allow_gateway_transit: p.allow_gateway_transit.unwrap_or(false),
                        use_remote_gateways,
                    }),
                });
            }
        }
    }

    /// Learn "Create, change, or delete a virtual network peering", Requirements and constraints
    /// (https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering): the
    /// virtual networks you peer must have non-overlapping IP address spaces. Checked when both
    /// are in the stack.
    fn check_peered_spaces(&mut self, local: &Resource, remote: &Target, at: Span) {
        let Target::Node(remote) = remote else {
            return;
        };
        let (Spec::VirtualNetwork(mine), Some(Spec::VirtualNetwork(theirs))) =
            (&local.spec, self.resources.get(remote).map(|r| &r.spec))
        else {
            return;
        };
        let clash = mine.address_space.iter().find_map(|a| {
            theirs
                .address_space
                .iter()
                .find(|b| a.overlaps(**b))
                .map(|b| (*a, *b))
        });
        if let Some((a, b)) = clash {
            self.error(
                SpecDiagnostic::new(
                    Code::ConflictingSettings,
                    format!("`{}` ({a}) and `{remote}` ({b}) overlap; peered virtual networks need disjoint address spaces", local.address),
                )
                .at(at, "peered here")
                .help("change one VNet's `addressSpace`"),
            );
        }
    }
}
