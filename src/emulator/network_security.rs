//! Microsoft.Network/routeTables and networkSecurityGroups (network 2026-03-01), with their
//! routes and security rules inline: LRO PUT with Azure-AsyncOperation, Location DELETE,
//! UpdateTags PATCH. A PUT replaces the inline set (routes left out are gone: ansible-collections/
//! azure#1142); GET lists the subnets that use the resource (`properties.subnets`, read-only,
//! RouteTablePropertiesFormat / NetworkSecurityGroupPropertiesFormat). What the service refuses:
//! a route to a virtual appliance without its address, two routes or rules of one name, a rule
//! priority outside 100-4096 or taken by another rule of the same direction (Learn "Network
//! security groups": "Rules with the same priority and direction can't be created"), and the
//! delete of a table or group a subnet still uses (InUseRouteTableCannotBeDeleted,
//! InUseNetworkSecurityGroupCannotBeDeleted). Response shapes follow the official examples
//! RouteTableCreateWithRoute and NetworkSecurityGroupCreateWithRule.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// RouteNextHopType (routeTable.json).
const NEXT_HOP_TYPES: [&str; 5] = [
    "VirtualNetworkGateway",
    "VnetLocal",
    "Internet",
    "VirtualAppliance",
    "None",
];
/// SecurityRuleProtocol, SecurityRuleAccess, SecurityRuleDirection (networkSecurityGroup.json).
const PROTOCOLS: [&str; 6] = ["Tcp", "Udp", "Icmp", "Esp", "*", "Ah"];
const ACCESS: [&str; 2] = ["Allow", "Deny"];
const DIRECTIONS: [&str; 2] = ["Inbound", "Outbound"];

/// The subnet property that points at a resource of this kind.
fn subnet_property(kind: Kind) -> &'static str {
    if kind == Kind::RouteTable {
        "routeTable"
    } else {
        "networkSecurityGroup"
    }
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let noun = if target.kind == Kind::RouteTable {
        "route table"
    } else {
        "network security group"
    };
    common::check_network_name(&target.name, noun, (1, 80))?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let created = existing.is_none();
    let mut props = common::properties(body)?;
    for field in ["provisioningState", "resourceGuid", "subnets"] {
        props.remove(field);
    }
    let guid = common::resource_guid(existing.as_ref());
    let mut out = Map::new();
    // The network provider reports `Updating` while a create or an update runs.
    out.insert("provisioningState".into(), json!("Updating"));
    out.insert("resourceGuid".into(), guid);
    if target.kind == Kind::RouteTable {
        let routes = children(&props, "routes")?;
        let routes = routes
            .iter()
            .map(|r| route(&target.id, r))
            .collect::<Result<Vec<_>, _>>()?;
        common::merge_defaults(&mut props, json!({"disableBgpRoutePropagation": false}));
        props.insert("routes".into(), Value::Array(routes));
    } else {
        let rules = children(&props, "securityRules")?;
        let rules = rules
            .iter()
            .map(|r| security_rule(&target.id, r))
            .collect::<Result<Vec<_>, _>>()?;
        check_priorities(&rules)?;
        props.insert("securityRules".into(), Value::Array(rules));
        props.insert("defaultSecurityRules".into(), default_rules(&target.id));
    }
    out.extend(props);
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert(
        "etag".into(),
        json!(format!("W/\"{}\"", common::new_guid())),
    );
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(target.kind, created))
}

/// The inline children under `property`: a list, each named once (an absent list is empty: the
/// PUT replaces the set).
fn children(props: &Map<String, Value>, property: &str) -> Result<Vec<Value>, ArmError> {
    let list = match props.get(property) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => {
            return Err(ArmError::invalid_body(&format!(
                "'properties.{property}' must be an array"
            )));
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for child in &list {
        let name = common::str_at(child, &["name"])
            .ok_or_else(|| ArmError::missing_property(&format!("properties.{property}[].name")))?
            .to_ascii_lowercase();
        if seen.contains(&name) {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: duplicate name '{name}' in '{property}'."),
            ));
        }
        seen.push(name);
    }
    Ok(list)
}

/// `Some(canonical)` when `value` is one of `allowed` (any casing).
fn one_of(value: Option<&str>, allowed: &[&'static str]) -> Option<&'static str> {
    value.and_then(|v| allowed.iter().find(|a| a.eq_ignore_ascii_case(v)).copied())
}

fn child_envelope(
    parent_id: &str,
    segment: &str,
    kind_type: &str,
    child: &Value,
) -> Map<String, Value> {
    let name = common::str_at(child, &["name"]).unwrap_or("");
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("id".into(), json!(format!("{parent_id}/{segment}/{name}")));
    m.insert(
        "etag".into(),
        json!(format!("W/\"{}\"", common::new_guid())),
    );
    m.insert("type".into(), json!(kind_type));
    m
}

fn route(table_id: &str, r: &Value) -> Result<Value, ArmError> {
    let name = common::str_at(r, &["name"]).unwrap_or("");
    let mut props = r
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    props.remove("provisioningState");
    if common::str_at(r, &["properties", "addressPrefix"]).is_none() {
        return Err(ArmError::missing_property(
            "properties.routes[].properties.addressPrefix",
        ));
    }
    let hop = common::str_at(r, &["properties", "nextHopType"]);
    let Some(hop) = one_of(hop, &NEXT_HOP_TYPES) else {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            format!(
                "Cannot parse the request: route '{name}' has an invalid nextHopType '{}'.",
                hop.unwrap_or("")
            ),
        ));
    };
    props.insert("nextHopType".into(), json!(hop));
    // Learn "Virtual network traffic routing": a Virtual appliance route names the appliance's
    // IP address; the other next hop types take none.
    let ip = common::str_at(r, &["properties", "nextHopIpAddress"]);
    if hop == "VirtualAppliance" && ip.is_none_or(|i| i.parse::<std::net::IpAddr>().is_err()) {
        return Err(ArmError::bad_request(
            "InvalidNextHopIpAddress",
            format!(
                "Route {table_id}/routes/{name} has an invalid or missing NextHopIpAddress. A route with next hop type VirtualAppliance needs the IP address of the appliance."
            ),
        ));
    }
    if hop != "VirtualAppliance" && ip.is_some_and(|i| !i.is_empty()) {
        return Err(ArmError::bad_request(
            "NextHopIpAddressNotAllowed",
            format!(
                "Route {table_id}/routes/{name} has NextHopIpAddress set, which is allowed only with next hop type VirtualAppliance."
            ),
        ));
    }
    props.insert("provisioningState".into(), json!("Succeeded"));
    let mut m = child_envelope(
        table_id,
        "routes",
        "Microsoft.Network/routeTables/routes",
        r,
    );
    m.insert("properties".into(), Value::Object(props));
    Ok(Value::Object(m))
}

fn security_rule(nsg_id: &str, r: &Value) -> Result<Value, ArmError> {
    let name = common::str_at(r, &["name"]).unwrap_or("").to_string();
    let mut props = r
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    props.remove("provisioningState");
    let priority = props.get("priority").and_then(Value::as_i64);
    match priority {
        None => {
            return Err(ArmError::missing_property(
                "properties.securityRules[].properties.priority",
            ));
        }
        Some(p) if !(100..=4096).contains(&p) => {
            return Err(ArmError::bad_request(
                "SecurityRuleInvalidPriority",
                format!(
                    "Security rule {name} has invalid Priority. Value provided: {p} Allowed range 100-4096."
                ),
            ));
        }
        Some(_) => {}
    }
    for (field, allowed) in [
        ("protocol", &PROTOCOLS[..]),
        ("access", &ACCESS[..]),
        ("direction", &DIRECTIONS[..]),
    ] {
        let value = props.get(field).and_then(Value::as_str);
        let Some(canonical) = one_of(value, allowed) else {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                format!(
                    "Cannot parse the request: security rule '{name}' has an invalid {field} '{}'; allowed: {}.",
                    value.unwrap_or(""),
                    allowed.join(", ")
                ),
            ));
        };
        props.insert(field.into(), json!(canonical));
    }
    props.insert("provisioningState".into(), json!("Succeeded"));
    let mut m = child_envelope(
        nsg_id,
        "securityRules",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        r,
    );
    m.insert("properties".into(), Value::Object(props));
    Ok(Value::Object(m))
}

/// Two rules of one direction may not share a priority.
fn check_priorities(rules: &[Value]) -> Result<(), ArmError> {
    for (i, rule) in rules.iter().enumerate() {
        let at = |r: &Value| {
            (
                r.pointer("/properties/priority").and_then(Value::as_i64),
                common::str_at(r, &["properties", "direction"]).map(str::to_string),
            )
        };
        if let Some(other) = rules[..i].iter().find(|o| at(o) == at(rule)) {
            let name = |r: &Value| common::str_at(r, &["name"]).unwrap_or("").to_string();
            return Err(ArmError::bad_request(
                "SecurityRuleConflict",
                format!(
                    "Security rule {} conflicts with rule {}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules.",
                    name(rule),
                    name(other)
                ),
            ));
        }
    }
    Ok(())
}

/// The rules every NSG has (Learn "Network security groups", Default security rules), as
/// NetworkSecurityGroupCreateWithRule answers them.
fn default_rules(nsg_id: &str) -> Value {
    let rows = [
        (
            "AllowVnetInBound",
            65000,
            "Inbound",
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow inbound traffic from all VMs in VNET",
        ),
        (
            "AllowAzureLoadBalancerInBound",
            65001,
            "Inbound",
            "Allow",
            "AzureLoadBalancer",
            "*",
            "Allow inbound traffic from azure load balancer",
        ),
        (
            "DenyAllInBound",
            65500,
            "Inbound",
            "Deny",
            "*",
            "*",
            "Deny all inbound traffic",
        ),
        (
            "AllowVnetOutBound",
            65000,
            "Outbound",
            "Allow",
            "VirtualNetwork",
            "VirtualNetwork",
            "Allow outbound traffic from all VMs to all VMs in VNET",
        ),
        (
            "AllowInternetOutBound",
            65001,
            "Outbound",
            "Allow",
            "*",
            "Internet",
            "Allow outbound traffic from all VMs to Internet",
        ),
        (
            "DenyAllOutBound",
            65500,
            "Outbound",
            "Deny",
            "*",
            "*",
            "Deny all outbound traffic",
        ),
    ];
    Value::Array(
        rows.iter()
            .map(
                |(name, priority, direction, access, source, destination, description)| {
                    json!({
                        "name": name,
                        "id": format!("{nsg_id}/defaultSecurityRules/{name}"),
                        "etag": format!("W/\"{}\"", common::derived_guid(nsg_id)),
                        "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
                        "properties": {
                            "provisioningState": "Succeeded",
                            "description": description,
                            "protocol": "*",
                            "sourcePortRange": "*",
                            "destinationPortRange": "*",
                            "sourceAddressPrefix": source,
                            "destinationAddressPrefix": destination,
                            "access": access,
                            "priority": priority,
                            "direction": direction,
                        }
                    })
                },
            )
            .collect(),
    )
}

/// The subnets whose `routeTable` / `networkSecurityGroup` points at `id`: their IDs.
pub(crate) fn users(state: &State, kind: Kind, id: &str) -> Vec<String> {
    let property = subnet_property(kind);
    state
        .resources
        .values()
        .filter(|r| r.kind == Kind::Subnet)
        .filter(|r| {
            common::str_at(&r.body, &["properties", property, "id"])
                .is_some_and(|s| s.eq_ignore_ascii_case(id))
        })
        .map(|r| r.id.clone())
        .collect()
}

/// GET lists the subnets that use the table or group (`[{id}]`).
pub(crate) fn render(state: &State, kind: Kind, id: &str, body: &mut Value) {
    let subnets: Vec<Value> = users(state, kind, id)
        .into_iter()
        .map(|s| json!({ "id": s }))
        .collect();
    if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut)
        && !subnets.is_empty()
    {
        props.insert("subnets".into(), Value::Array(subnets));
    }
}

/// A route table or NSG a subnet uses cannot be deleted.
pub(crate) fn before_delete(state: &State, target: &Target) -> Result<(), ArmError> {
    let users = users(state, target.kind, &target.id);
    if users.is_empty() {
        return Ok(());
    }
    let list = users.join(", ");
    Err(if target.kind == Kind::RouteTable {
        ArmError::bad_request(
            "InUseRouteTableCannotBeDeleted",
            format!(
                "Route table {} is in use by {list} and cannot be deleted. In order to delete the route table, remove the association with the resource(s).",
                target.id
            ),
        )
    } else {
        ArmError::bad_request(
            "InUseNetworkSecurityGroupCannotBeDeleted",
            format!(
                "Network security group {} cannot be deleted because it is in use by the following resources: {list}. In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see aka.ms/deletensg.",
                target.id
            ),
        )
    })
}
