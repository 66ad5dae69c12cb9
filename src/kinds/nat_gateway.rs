//! NAT gateways (`Microsoft.Network/natGateways`): outbound connectivity for the subnets
//! associated with one (a subnet's `natGateway:`), from public IPs and prefixes the platform
//! owns. An AKS cluster with `outboundType: userAssignedNatGateway` sends its egress through the
//! NAT gateway of its node subnet (Learn "Customize cluster egress with a user-assigned NAT
//! gateway").

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{NatGateway, Resource, Spec, Target};
use crate::spec::{RawJson, Zone};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawNatGateway {
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
    /// The availability zone, e.g. `[1]`; none: no zone. Cannot change after creation.
    pub zones: Option<Spanned<Vec<Zone>>>,
    /// TCP idle timeout, 4-120 minutes. Default Azure's (4).
    pub idle_timeout_minutes: Option<Spanned<u32>>,
    /// Its public IPs: `publicIp/NAME`, `existing/NAME` or ARM IDs.
    #[serde(default)]
    pub public_ips: Vec<Spanned<String>>,
    /// Its public IP prefixes: `publicIpPrefix/NAME`, `existing/NAME` or ARM IDs.
    #[serde(default)]
    pub public_ip_prefixes: Vec<Spanned<String>>,
    /// Warnings of this resource accepted on purpose, each with its reason.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM, Bicep and azurerm names of a NAT gateway's settings. azurerm: `azurerm_nat_gateway`
/// (its addresses through `azurerm_nat_gateway_public_ip_association` and
/// `azurerm_nat_gateway_public_ip_prefix_association`).
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "idleTimeoutInMinutes", "idle_timeout_in_minutes", "`idleTimeoutMinutes`"),
    habit("", "publicIpAddresses", "public_ip_address_id", "`publicIps: [publicIp/NAME, ...]`"),
    habit("", "publicIpPrefixes", "public_ip_prefix_id", "`publicIpPrefixes: [publicIpPrefix/NAME, ...]`"),
    habit("", "sku", "sku_name", "nothing: azplan's NAT gateways are Standard SKU"),
    habit("", "", "zones", "`zones: [1]`"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        ("location", "a NAT gateway cannot move to another region"),
        // Learn "Azure NAT Gateway and availability zones": a NAT gateway is zonal or has no
        // zone from its creation; NatGateway.zones "A list of availability zones denoting the
        // zone in which Nat Gateway should be deployed".
        ("zones", "a NAT gateway's zone is chosen at creation"),
    ],
    sets: &[
        "zones",
        "properties.publicIpAddresses",
        "properties.publicIpPrefixes",
    ],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "properties.publicIpAddresses[].id",
        "properties.publicIpPrefixes[].id",
    ],
    // NatGatewayPropertiesFormat.idleTimeoutInMinutes: 4 unless set (official example
    // NatGatewayCreateOrUpdate answers it; Learn: "4 minutes (default)").
    server_defaults: &[("properties.idleTimeoutInMinutes", "4")],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, n: &NatGateway) -> Value {
    let mut body = tracked(b, resource);
    body["sku"] = json!({ "name": "Standard" });
    if !n.zones.is_empty() {
        body["zones"] = json!(n.zones.iter().map(u8::to_string).collect::<Vec<_>>());
    }
    let ids = |targets: &[Target]| -> Vec<Value> {
        targets
            .iter()
            .map(|t| json!({ "id": b.ctx.target_id(t) }))
            .collect()
    };
    body["properties"] = json!({
        "idleTimeoutInMinutes": n.idle_timeout_minutes.unwrap_or(4),
        "publicIpAddresses": ids(&n.public_ips),
        "publicIpPrefixes": ids(&n.public_ip_prefixes),
    });
    // NatGateways_CreateOrUpdate replaces the gateway: NatGatewayPropertiesFormat's
    // `publicIpAddressesV6`, `publicIpPrefixesV6` ("An array of public ip prefixes V6
    // associated with the nat gateway resource") and `sourceVirtualNetwork` are not modelled,
    // so a PUT without them would take them off; they are sent back as they are live. The
    // gateway's `subnets` are read-only (set from the subnet side) and need no carrying.
    b.carry_over_live(
        resource,
        &mut body,
        &[
            "publicIpAddressesV6",
            "publicIpPrefixesV6",
            "sourceVirtualNetwork",
        ],
    );
    body
}

crate::spec::common!(RawNatGateway);

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn nat_gateways(&mut self, entries: &[Entry<RawNatGateway>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::NatGateway,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 80, "a NAT gateway name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
            );
            // Learn "Azure NAT Gateway resource", timers: "TCP idle timeout can be adjusted from
            // 4 minutes (default) to 120 minutes (2 hours)".
            if let Some(idle) = s
                .idle_timeout_minutes
                .as_ref()
                .filter(|i| !(4..=120).contains(&i.value))
            {
                self.error(SpecDiagnostic::invalid(
                    format!("{} minutes is not a NAT gateway idle timeout", idle.value),
                    idle.span,
                    "out of range",
                    "a NAT gateway's idle timeout is 4 to 120 minutes",
                ));
            }
            let zones = self.public_ip_zones(s.zones.as_ref());
            let mut deps = Vec::new();
            let public_ips: Vec<Target> = s
                .public_ips
                .iter()
                .filter_map(|t| self.resolve_or_id(t, &[Kind::PublicIp, Kind::Existing], &mut deps))
                .collect();
            let public_ip_prefixes: Vec<Target> = s
                .public_ip_prefixes
                .iter()
                .filter_map(|t| {
                    self.resolve_or_id(t, &[Kind::PublicIpPrefix, Kind::Existing], &mut deps)
                })
                .collect();
            self.check_nat_addresses(entry, &public_ip_prefixes, public_ips.len());
            resource.dependencies.extend(deps);
            resource.spec = Spec::NatGateway(NatGateway {
                zones,
                idle_timeout_minutes: s.idle_timeout_minutes.as_ref().map(|i| i.value),
                public_ips,
                public_ip_prefixes,
            });
            self.insert(resource);
        }
    }

    /// Learn "What is Azure NAT Gateway?": "A NAT gateway resource can use up to 16 IP
    /// addresses in any combination of public IP addresses and prefixes"; a /N prefix holds
    /// 2^(32-N). Prefixes outside the stack are not counted (their size is not in the spec).
    fn check_nat_addresses(
        &mut self,
        entry: &Entry<RawNatGateway>,
        prefixes: &[Target],
        ips: usize,
    ) {
        let mut total = ips as u64;
        for prefix in prefixes {
            if let Target::Node(address) = prefix
                && let Some(Spec::PublicIpPrefix(p)) = self.resources.get(address).map(|r| &r.spec)
            {
                total += super::public_ip::prefix_size(p.prefix_length);
            }
        }
        if total > 16 {
            let span = entry
                .spec
                .public_ip_prefixes
                .first()
                .or(entry.spec.public_ips.first())
                .map_or(entry.key.span, |t| t.span);
            self.error(SpecDiagnostic::invalid(
                format!("the NAT gateway's public IPs and prefixes hold {total} addresses"),
                span,
                "more than 16 addresses",
                "a NAT gateway uses up to 16 addresses (public IPs, and 2^(32-N) per /N prefix); use a smaller prefix or fewer addresses",
            ));
        }
    }
}
