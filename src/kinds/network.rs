//! Virtual networks and subnets. Subnets are their own resources, so a VNet body never carries
//! `properties.subnets`: since api-version 2023-11-01 a PUT without that property keeps the
//! subnets, while a partial list would delete the missing ones.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{Resource, Subnet, VirtualNetwork};

/// Network resources share one api-version.
const API_VERSION: &str = "2026-03-01";

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
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
}

pub static VNET_DEF: KindDef = KindDef {
    kind: Kind::VirtualNetwork,
    section: Some("vnets"),
    prefix: "vnet",
    noun: "virtual network",
    example: "`vnet/NAME`",
    arm: &[ArmType {
        path: "Microsoft.Network/virtualNetworks",
        api_version: API_VERSION,
    }],
    parent: None,
    taggable: true,
    serial: Serial::Free,
    delete_rank: 3,
    rules: &VNET_RULES,
};

pub static SUBNET_DEF: KindDef = KindDef {
    kind: Kind::Subnet,
    section: None,
    prefix: "vnet",
    noun: "subnet",
    example: "`vnet/NAME/SUBNET`",
    arm: &[ArmType {
        path: "Microsoft.Network/virtualNetworks/subnets",
        api_version: API_VERSION,
    }],
    parent: Some(Kind::VirtualNetwork),
    taggable: false,
    // ARM writes one subnet of a VNet at a time (AnotherOperationInProgress otherwise).
    serial: Serial::UnderParent,
    delete_rank: 4,
    rules: &SUBNET_RULES,
};

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
    // Delegation names are labels; only the delegated service matters.
    ignore: &["properties.delegations[].name"],
    create_only: &["properties.defaultOutboundAccess"],
    case_insensitive: &[
        "properties.delegations[].properties.serviceName",
        "properties.serviceEndpoints[].service",
    ],
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

pub fn subnet_body(s: &Subnet) -> Value {
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
    body
}

/// `Microsoft.ContainerInstance/containerGroups` → `containerGroups`.
fn delegation_name(service: &str) -> String {
    service.rsplit('/').next().unwrap_or(service).to_string()
}

crate::spec::common!(RawVnet);
