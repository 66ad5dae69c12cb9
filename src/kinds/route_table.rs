//! Route tables (`Microsoft.Network/routeTables`) with their routes inline. Routes are not a kind
//! of their own: RouteTables_Get lists them in `properties.routes` with full bodies (official
//! example RouteTableCreateWithRoute, network 2026-03-01), so one PUT says the whole table.
//! That PUT replaces the route set: a route table updated without its routes loses them
//! (ansible-collections/azure#1142, "Route table updates delete all existing routes"). So
//! `routes:` works like a VNet's `peerings:`: with the key the routes are the stack's and one
//! left out is deleted; without it the routes the live table has are sent back as they are.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{Resource, Route, RouteTable, Spec};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRouteTable {
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
    /// Routes learned over BGP (from a VPN or ExpressRoute gateway) reach the subnets using the
    /// table. Default true (`disableBgpRoutePropagation: false`).
    pub bgp_route_propagation: Option<bool>,
    /// Routes by name. With this key the table's routes are the stack's: one left out is
    /// deleted. Without it, azplan keeps the routes the table has.
    pub routes: Option<BTreeMap<String, Spanned<RawRoute>>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRoute {
    /// Destination in CIDR notation (`0.0.0.0/0`) or a service tag (`AzureCloud`).
    pub address_prefix: Spanned<String>,
    /// `VirtualNetworkGateway`, `VnetLocal`, `Internet`, `VirtualAppliance` or `None`.
    pub next_hop_type: Spanned<String>,
    /// The appliance's private IP; only (and always) with `VirtualAppliance`.
    pub next_hop_ip_address: Option<Spanned<String>>,
}

/// ARM and azurerm names of a route table's settings (`crate::kinds::habits`). ARM:
/// Microsoft.Network routeTables properties; azurerm: `azurerm_route_table`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "disableBgpRoutePropagation", "", "`bgpRoutePropagation: false`"),
    habit("", "", "bgp_route_propagation_enabled", "`bgpRoutePropagation`"),
    habit("", "", "route", "`routes: {NAME: {addressPrefix, nextHopType}}` (a map by route name)"),
    habit("routes.*", "", "address_prefix", "`addressPrefix`"),
    habit("routes.*", "", "next_hop_type", "`nextHopType`"),
    habit("routes.*", "", "next_hop_in_ip_address", "`nextHopIpAddress`"),
];

/// RouteNextHopType of the network spec (routeTable.json).
const NEXT_HOP_TYPES: [&str; 5] = [
    "VirtualNetworkGateway",
    "VnetLocal",
    "Internet",
    "VirtualAppliance",
    "None",
];

pub static RULES: Rules = Rules {
    immutable: &[("location", "a route table cannot move to another region")],
    exact_maps: &["tags"],
    case_insensitive: &["location", "properties.routes[].properties.nextHopType"],
    // RouteTablePropertiesFormat.disableBgpRoutePropagation: a table made without it answers
    // `false`.
    server_defaults: &[("properties.disableBgpRoutePropagation", "false")],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, rt: &RouteTable) -> Value {
    let mut body = tracked(b, resource);
    body["properties"] = json!({ "disableBgpRoutePropagation": !rt.bgp_route_propagation });
    let routes = match &rt.routes {
        Some(routes) => super::in_live_order(
            b,
            resource,
            "routes",
            routes.iter().map(route_body).collect(),
        ),
        None => super::live_children(b, resource, "routes"),
    };
    body["properties"]["routes"] = Value::Array(routes);
    body
}

fn route_body(r: &Route) -> Value {
    let mut body = json!({
        "name": r.name,
        "properties": { "addressPrefix": r.address_prefix, "nextHopType": r.next_hop_type },
    });
    if let Some(ip) = &r.next_hop_ip_address {
        body["properties"]["nextHopIpAddress"] = json!(ip);
    }
    body
}

crate::spec::common!(RawRouteTable);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn route_tables(&mut self, entries: &[Entry<RawRouteTable>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::RouteTable,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 80, "a route table name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
            );
            let routes = s.routes.as_ref().map(|routes| {
                routes
                    .iter()
                    .filter_map(|(name, r)| self.route(name, &r.value))
                    .collect()
            });
            resource.spec = Spec::RouteTable(RouteTable {
                bgp_route_propagation: s.bgp_route_propagation.unwrap_or(true),
                routes,
            });
            self.insert(resource);
        }
    }

    fn route(&mut self, name: &str, r: &RawRoute) -> Option<Route> {
        let hop = &r.next_hop_type;
        let Some(next_hop_type) = NEXT_HOP_TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(&hop.value))
        else {
            self.error(SpecDiagnostic::invalid(
                format!("`{}` is not a next hop type", hop.value),
                hop.span,
                "unknown next hop type",
                format!("use one of {}", NEXT_HOP_TYPES.join(", ")),
            ));
            return None;
        };
        let prefix = &r.address_prefix;
        // A prefix is a CIDR or a service tag (Learn "Virtual network traffic routing": "You can
        // use a service tag as the address prefix"); only what looks like an address is checked.
        if prefix.value.starts_with(|c: char| c.is_ascii_digit()) {
            self.cidr(prefix)?;
        }
        // Learn "Virtual network traffic routing", Virtual appliance: "When you create a route
        // with the Virtual appliance hop type, you also specify a next hop IP address"; the other
        // types take none.
        let appliance = *next_hop_type == "VirtualAppliance";
        match (&r.next_hop_ip_address, appliance) {
            (None, true) => {
                self.error(SpecDiagnostic::invalid(
                    format!("route `{name}` goes to a virtual appliance without its address"),
                    hop.span,
                    "no `nextHopIpAddress`",
                    "add `nextHopIpAddress: IP` (the appliance's private IP address)",
                ));
                return None;
            }
            (Some(ip), false) => {
                self.error(SpecDiagnostic::invalid(
                    format!("route `{name}` has a next hop address but goes to `{next_hop_type}`"),
                    ip.span,
                    "only for VirtualAppliance",
                    "remove `nextHopIpAddress`, or use `nextHopType: VirtualAppliance`",
                ));
                return None;
            }
            (Some(ip), true) if ip.value.parse::<std::net::Ipv4Addr>().is_err() => {
                self.error(SpecDiagnostic::invalid(
                    format!("`{}` is not an IPv4 address", ip.value),
                    ip.span,
                    "not an IPv4 address",
                    "write the appliance's private IP address, e.g. `10.0.2.4`",
                ));
                return None;
            }
            _ => {}
        }
        Some(Route {
            name: name.to_string(),
            address_prefix: prefix.value.clone(),
            next_hop_type: (*next_hop_type).to_string(),
            next_hop_ip_address: r.next_hop_ip_address.as_ref().map(|i| i.value.clone()),
        })
    }
}
