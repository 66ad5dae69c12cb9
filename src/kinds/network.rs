//! Virtual networks and subnets. Subnets are their own resources, so a VNet body never carries
//! `properties.subnets`: since api-version 2023-11-01 a PUT without that property keeps the
//! subnets, while a partial list would delete the missing ones.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::model::{
    Address, Association, Dependency, Origin, Resource, Spec, Subnet, VirtualNetwork,
};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawVnet {
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
    /// Address prefixes in CIDR notation, e.g. `[10.0.0.0/8]`.
    pub address_space: Spanned<Vec<Spanned<String>>>,
    /// Custom DNS servers; Azure DNS when unset.
    #[serde(default)]
    pub dns_servers: Vec<String>,
    /// Subnets, referenced as `vnet/VNET/SUBNET`. Each is its own resource.
    #[serde(default)]
    pub subnets: BTreeMap<String, Spanned<RawSubnet>>,
    /// Peerings from this VNet to others, referenced as `vnet/VNET/PEERING`
    /// (`crate::kinds::peering`). With this key the VNet's peerings are the stack's: one left
    /// out is deleted. Without it, azplan leaves the VNet's peerings alone.
    pub peerings: Option<BTreeMap<String, Spanned<super::peering::RawPeering>>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSubnet {
    /// Address prefix in CIDR notation, inside the VNet's address space.
    pub prefix: Spanned<String>,
    /// Service the subnet is delegated to, e.g. `Microsoft.ContainerInstance/containerGroups`
    /// for virtual nodes.
    pub delegation: Option<Spanned<String>>,
    /// Service endpoints, e.g. `Microsoft.ContainerRegistry`.
    #[serde(default)]
    pub service_endpoints: Vec<String>,
    /// Default outbound access for VMs in the subnet (creation only). Default: Azure's.
    pub default_outbound_access: Option<bool>,
    /// The subnet's route table: `routeTable/NAME`, `existing/NAME` or an ARM ID; `none` takes
    /// any off. Unset: azplan leaves the association as it is (AKS associates its own route
    /// table with a kubenet cluster's subnet).
    pub route_table: Option<Spanned<String>>,
    /// The subnet's network security group: `networkSecurityGroup/NAME`, `existing/NAME` or an
    /// ARM ID; `none` takes any off. Unset: azplan leaves the association as it is.
    pub network_security_group: Option<Spanned<String>>,
    /// Whether NSGs and route tables apply to private endpoints in the subnet: `Disabled`,
    /// `Enabled`, `NetworkSecurityGroupEnabled` or `RouteTableEnabled`. Unset: azplan leaves
    /// the live value as it is (Azure's default for a new subnet is `Disabled`).
    pub private_endpoint_network_policies: Option<Spanned<String>>,
    /// The subnet's NAT gateway: `natGateway/NAME`, `existing/NAME` or an ARM ID; `none` takes
    /// any off. Unset: azplan leaves the association as it is.
    pub nat_gateway: Option<Spanned<String>>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
}

/// ARM and azurerm names of a VNet's and its subnets' settings (`crate::kinds::habits`). ARM:
/// Microsoft.Network virtualNetworks and subnets properties; azurerm: `azurerm_virtual_network`
/// and `azurerm_subnet`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "addressPrefixes", "", "`addressSpace: [CIDR, …]`"),
    habit("", "dhcpOptions", "", "`dnsServers: [IP, …]`"),
    habit("", "", "subnet", "`subnets: {NAME: {prefix}}` (a map by subnet name)"),
    habit("subnets.*", "addressPrefix", "", "`prefix: CIDR`"),
    habit("subnets.*", "addressPrefixes", "address_prefixes", "`prefix: CIDR` (one prefix)"),
    habit("subnets.*", "delegations", "", "`delegation: SERVICE` (e.g. `Microsoft.ContainerInstance/containerGroups`)"),
    habit("subnets.*", "", "default_outbound_access_enabled", "`defaultOutboundAccess`"),
    habit("subnets.*", "", "network_security_group_id", "`networkSecurityGroup: networkSecurityGroup/NAME`"),
    habit("subnets.*", "", "route_table_id", "`routeTable: routeTable/NAME`"),
    habit("subnets.*", "", "private_endpoint_network_policies", "`privateEndpointNetworkPolicies`"),
    habit("subnets.*", "", "private_endpoint_network_policies_enabled", "`privateEndpointNetworkPolicies: Enabled` (or `Disabled`)"),
    habit("subnets.*", "", "enforce_private_link_endpoint_network_policies", "`privateEndpointNetworkPolicies`"),
    habit("subnets.*", "", "nat_gateway_id", "`natGateway: natGateway/NAME`"),
    habit("subnets.*", "name", "name", "nothing: the subnet's key under `subnets` is its name"),
];

pub static VNET_RULES: Rules = Rules {
    immutable: &[(
        "location",
        "a virtual network cannot move to another region",
    )],
    sets: &[
        "properties.addressSpace.addressPrefixes",
        "properties.dhcpOptions.dnsServers",
    ],
    exact_maps: &["tags"],
    case_insensitive: &["location"],
    ..EMPTY
};

pub static SUBNET_RULES: Rules = Rules {
    sets: &["properties.serviceEndpoints"],
    // Network's Subnet schema has both `addressPrefix` and `addressPrefixes`; a subnet created
    // with the list (Terraform's azurerm does; the official example
    // VirtualNetworkCreateSubnetWithAddressPrefixes, Network 2026-01-01) comes back without the
    // single value.
    single_or_list: &[("properties.addressPrefix", "properties.addressPrefixes")],
    // Azure answers IDs in its own casing (a resource group name may come back upper-cased).
    case_insensitive: &[
        "properties.delegations[].properties.serviceName",
        "properties.serviceEndpoints[].service",
        "properties.routeTable.id",
        "properties.networkSecurityGroup.id",
        "properties.privateEndpointNetworkPolicies",
        "properties.natGateway.id",
    ],
    // Delegation names are labels; only the delegated service matters.
    ignore: &["properties.delegations[].name"],
    create_only: &["properties.defaultOutboundAccess"],
    ..EMPTY
};

pub fn vnet_body(b: &BodyBuilder<'_, '_>, resource: &Resource, v: &VirtualNetwork) -> Value {
    let mut body = tracked(b, resource);
    let prefixes: Vec<String> = v.address_space.iter().map(ToString::to_string).collect();
    body["properties"] = json!({ "addressSpace": { "addressPrefixes": prefixes } });
    if !v.dns_servers.is_empty() {
        body["properties"]["dhcpOptions"] = json!({ "dnsServers": v.dns_servers });
    }
    body
}

pub fn subnet_body(b: &BodyBuilder<'_, '_>, resource: &Resource, s: &Subnet) -> Value {
    let delegations: Vec<Value> = s
        .delegation
        .iter()
        .map(|service| json!({ "name": delegation_name(service), "properties": { "serviceName": service } }))
        .collect();
    let endpoints: Vec<Value> = s
        .service_endpoints
        .iter()
        .map(|e| json!({ "service": e }))
        .collect();
    let mut body = json!({
        "properties": {
            "addressPrefix": s.prefix.to_string(),
            "delegations": delegations,
            "serviceEndpoints": endpoints,
        }
    });
    if let Some(access) = s.default_outbound_access {
        body["properties"]["defaultOutboundAccess"] = json!(access);
    }
    // A subnet PUT replaces the subnet, and a PUT without the property resets it to Azure's
    // default (`Disabled`), so an unset value is sent back as it is live.
    let live_properties = b
        .ctx
        .live
        .get(&b.ctx.id(&resource.address))
        .and_then(|live| live.get("properties"));
    let policies = s.private_endpoint_network_policies.clone().or_else(|| {
        live_properties
            .and_then(|p| p.get("privateEndpointNetworkPolicies"))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    if let Some(policies) = policies {
        body["properties"]["privateEndpointNetworkPolicies"] = json!(policies);
    }
    // A subnet PUT replaces the subnet: a property left out is taken off (Subnets_CreateOrUpdate
    // has no merge), so an association the spec does not manage is sent back as it is live, and
    // `none` is sent as null, which the diff sees against a live association.
    for (property, association) in [
        ("routeTable", &s.route_table),
        ("networkSecurityGroup", &s.network_security_group),
        ("natGateway", &s.nat_gateway),
    ] {
        let value = match association {
            Association::To(target) => json!({ "id": b.ctx.target_id(target) }),
            Association::None => Value::Null,
            Association::Unmanaged => match live_properties
                .and_then(|p| p.get(property))
                .and_then(|a| a.get("id"))
            {
                Some(id) => json!({ "id": id }),
                None => continue,
            },
        };
        body["properties"][property] = value;
    }
    body
}

/// `Microsoft.ContainerInstance/containerGroups` → `containerGroups`.
fn delegation_name(service: &str) -> String {
    service.rsplit('/').next().unwrap_or(service).to_string()
}

crate::spec::common!(RawVnet);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::{Code, SpecDiagnostic};
use crate::names;
use crate::net::Cidr;
use crate::source::Span;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn declare_vnets(&mut self, entries: &[Entry<RawVnet>]) {
        for e in entries {
            self.declare(
                Address::new(Kind::VirtualNetwork, &e.key.value),
                e.key.span,
                None,
            );
            for (subnet, spec) in &e.spec.subnets {
                let span = spec.span;
                self.declare(
                    Address::child(Kind::Subnet, &e.key.value, subnet),
                    span,
                    None,
                );
            }
            self.declare_dropped_children(e, "subnets", Kind::Subnet);
        }
    }

    pub(crate) fn vnets(&mut self, entries: &[Entry<RawVnet>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::VirtualNetwork,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 64, "a virtual network name is 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
            );
            let space: Vec<(Cidr, Span)> = s
                .address_space
                .value
                .iter()
                .filter_map(|t| self.cidr(t).map(|c| (c, t.span)))
                .collect();
            if s.address_space.value.is_empty() {
                self.error(SpecDiagnostic::invalid(
                    "the address space is empty",
                    s.address_space.span,
                    "empty",
                    "give at least one prefix, e.g. `addressSpace: [10.0.0.0/8]`",
                ));
            }
            let mut placed: Vec<(Cidr, Span, &str)> = Vec::new();
            for (subnet_name, subnet) in &s.subnets {
                let address = Address::child(Kind::Subnet, &entry.key.value, subnet_name);
                let key = Spanned::new(subnet.span, subnet_name.clone());
                self.check_name(subnet_name, key.span, |n| {
                    names::generic(n, 80, "a subnet name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit")
                });
                let mut dependencies = vec![Dependency {
                    on: resource.address.clone(),
                    span: key.span,
                    explicit: false,
                }];
                self.depends_on(&subnet.value.depends_on, &mut dependencies);
                let Some(prefix) = self.cidr(&subnet.value.prefix) else {
                    continue;
                };
                if !space.is_empty() && !space.iter().any(|(c, _)| c.contains(prefix)) {
                    let spaces = space
                        .iter()
                        .map(|(c, _)| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    // Learn "Add, change, or delete a virtual network subnet" (https://learn.microsoft.com/
                    // azure/virtual-network/virtual-network-manage-subnet): a subnet's range lies within
                    // the VNet's address space and overlaps no other subnet.
                    self.error(
                        SpecDiagnostic::new(Code::SubnetOutsideVnet, format!("subnet `{subnet_name}` ({prefix}) is outside the VNet's address space"))
                            .at(subnet.value.prefix.span, "not inside the address space")
                            .also(space[0].1, "address space")
                            .help(format!("pick a prefix inside {spaces}, or widen `addressSpace`")),
                    );
                }
                if let Some((other, other_span, other_name)) =
                    placed.iter().find(|(c, _, _)| c.overlaps(prefix))
                {
                    self.error(
                        SpecDiagnostic::new(Code::SubnetOverlap, format!("subnet `{subnet_name}` ({prefix}) overlaps subnet `{other_name}` ({other})"))
                            .at(subnet.value.prefix.span, "overlaps")
                            .also(*other_span, "this subnet")
                            .help("subnets of one VNet need disjoint prefixes"),
                    );
                }
                placed.push((prefix, subnet.value.prefix.span, subnet_name));
                let route_table = self.association(
                    subnet.value.route_table.as_ref(),
                    Kind::RouteTable,
                    &mut dependencies,
                );
                let network_security_group = self.association(
                    subnet.value.network_security_group.as_ref(),
                    Kind::NetworkSecurityGroup,
                    &mut dependencies,
                );
                let private_endpoint_network_policies = subnet
                    .value
                    .private_endpoint_network_policies
                    .as_ref()
                    .and_then(|p| self.endpoint_policies(p));
                let nat_gateway = self.association(
                    subnet.value.nat_gateway.as_ref(),
                    Kind::NatGateway,
                    &mut dependencies,
                );
                let raw = self.raw_override(subnet.value.raw.as_ref());
                self.insert(Resource {
                    address,
                    name: subnet_name.clone(),
                    span: key.span,
                    origin: Origin::Declared,
                    resource_group: resource.resource_group.clone(),
                    location: None,
                    tags: BTreeMap::new(),
                    protect: subnet.value.protect,
                    raw,
                    dependencies,
                    spec: Spec::Subnet(Subnet {
                        prefix,
                        delegation: subnet.value.delegation.as_ref().map(|d| d.value.clone()),
                        service_endpoints: subnet.value.service_endpoints.clone(),
                        default_outbound_access: subnet.value.default_outbound_access,
                        route_table,
                        network_security_group,
                        private_endpoint_network_policies,
                        nat_gateway,
                    }),
                });
            }
            resource.spec = Spec::VirtualNetwork(VirtualNetwork {
                address_space: space.iter().map(|(c, _)| *c).collect(),
                dns_servers: s.dns_servers.clone(),
                manages_peerings: s.peerings.is_some(),
            });
            self.insert(resource);
        }
    }
}

/// `VirtualNetworkPrivateEndpointNetworkPolicies` of the network spec (virtualNetwork.json,
/// network 2025-07-01): "Enable or Disable apply network policies on private end point in the
/// subnet", default `Disabled`. Learn "Manage network policies for private endpoints"
/// (https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy): "By
/// default, network policies are disabled for a subnet"; they can be enabled for NSGs only, for
/// route tables only, or both.
const ENDPOINT_POLICIES: [&str; 4] = [
    "Disabled",
    "Enabled",
    "NetworkSecurityGroupEnabled",
    "RouteTableEnabled",
];

impl Builder<'_> {
    /// A subnet's `privateEndpointNetworkPolicies:`, in Azure's casing.
    fn endpoint_policies(&mut self, text: &Spanned<String>) -> Option<String> {
        let found = ENDPOINT_POLICIES
            .iter()
            .find(|p| p.eq_ignore_ascii_case(&text.value));
        if found.is_none() {
            self.error(SpecDiagnostic::invalid(
                format!(
                    "`{}` is not a private endpoint network policy setting",
                    text.value
                ),
                text.span,
                "unknown value",
                format!("use one of {}", ENDPOINT_POLICIES.join(", ")),
            ));
        }
        found.map(|p| (*p).to_string())
    }

    /// A subnet's `routeTable:` or `networkSecurityGroup:`: `none`, or a reference the subnet
    /// then depends on (it is created first, and deleted after the subnet lets go of it).
    fn association(
        &mut self,
        text: Option<&Spanned<String>>,
        kind: Kind,
        deps: &mut Vec<Dependency>,
    ) -> Association {
        match text {
            None => Association::Unmanaged,
            Some(t) if t.value == "none" => Association::None,
            Some(t) => self
                .resolve_or_id(t, &[kind], deps)
                .map_or(Association::Unmanaged, Association::To),
        }
    }
}
