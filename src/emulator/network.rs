//! Microsoft.Network/virtualNetworks and subnets: LRO PUTs, subnet defaults, prefix validation, and
//! the inline-children rule (a `subnets` list replaces the set; omitting the property keeps it,
//! api-version ≥ 2023-11-01). A subnet used by an AKS pool or virtual nodes cannot be deleted.

use serde_json::{Map, Value, json};

use crate::emulator::cidr::Cidr;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

fn check_vnet_name(name: &str, what: &str, max: usize) -> Result<(), ArmError> {
    common::check_network_name(
        name,
        what,
        (if what == "virtual network" { 2 } else { 1 }, max),
    )
}

/// One write at a time on a VNet and its children (subnets and peerings alike).
pub(crate) fn busy(state: &State, vnet_key: &str) -> Result<(), ArmError> {
    let subnet_busy = [Kind::Subnet, Kind::VirtualNetworkPeering]
        .into_iter()
        .flat_map(|kind| state.children(vnet_key, kind))
        .any(|s| state.pending(&s.id.to_ascii_lowercase()).is_some());
    if state.pending(vnet_key).is_some() || subnet_busy {
        let mut err = ArmError::new(
            429,
            "RetryableErrorDueToAnotherOperation",
            format!(
                "Operation on virtual network '{vnet_key}' cannot be performed now because another operation on the same resource is in progress. Retry the operation later."
            ),
        );
        err.retry_after = Some(1);
        return Err(err);
    }
    Ok(())
}

fn prefixes_of(
    owner: &str,
    props: &Map<String, Value>,
    single: &str,
    plural: &[&str],
) -> Result<Vec<(String, Cidr)>, ArmError> {
    let mut texts: Vec<String> = Vec::new();
    if let Some(s) = props.get(single).and_then(Value::as_str) {
        texts.push(s.to_string());
    }
    let mut list = Value::Object(props.clone());
    for p in plural {
        list = list.get(*p).cloned().unwrap_or(Value::Null);
    }
    if let Some(items) = list.as_array() {
        for item in items {
            let text = item
                .as_str()
                .ok_or_else(|| ArmError::invalid_body("address prefixes must be strings"))?;
            texts.push(text.to_string());
        }
    }
    texts
        .into_iter()
        // Dual-stack: IPv6 prefixes are accepted when well-formed; only IPv4 ranges are checked.
        .filter(|t| !is_ipv6_prefix(t))
        .map(|t| match Cidr::parse(&t) {
            Some(c) => Ok((t, c)),
            None => Err(ArmError::bad_request(
                "InvalidAddressPrefixFormat",
                format!("Address prefix {t} of resource {owner} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24."),
            )),
        })
        .collect()
}

fn is_ipv6_prefix(text: &str) -> bool {
    text.split_once('/').is_some_and(|(addr, len)| {
        addr.parse::<std::net::Ipv6Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 128)
    })
}

/// The read-only `actions` the Network RP grants a delegated service: what
/// `az network vnet subnet list-available-delegations` lists for the services AKS platforms
/// delegate to, and none for others (SubnetCreateWithDelegation.json: `Microsoft.Provider/
/// resourceType` gets `[]`).
fn delegation_actions(service: &str) -> Value {
    let service = service.to_ascii_lowercase();
    match service.as_str() {
        "microsoft.containerinstance/containergroups" | "microsoft.web/serverfarms" => {
            json!(["Microsoft.Network/virtualNetworks/subnets/action"])
        }
        "microsoft.containerservice/managedclusters"
        | "microsoft.dbforpostgresql/flexibleservers"
        | "microsoft.dbformysql/flexibleservers" => {
            json!(["Microsoft.Network/virtualNetworks/subnets/join/action"])
        }
        _ => json!([]),
    }
}

/// A subnet as the Network RP returns it: defaults for the policy flags, ids for delegations.
fn subnet_body(subnet_id: &str, name: &str, props: &Map<String, Value>, state_word: &str) -> Value {
    let mut out = Map::new();
    out.insert("provisioningState".into(), json!(state_word));
    for (k, v) in props {
        // `routeTable: null` / `networkSecurityGroup: null` / `natGateway: null` take the
        // association off.
        if v.is_null()
            && matches!(
                k.as_str(),
                "routeTable" | "networkSecurityGroup" | "natGateway"
            )
        {
            continue;
        }
        if !matches!(
            k.as_str(),
            "provisioningState"
                | "ipConfigurations"
                | "resourceNavigationLinks"
                | "serviceAssociationLinks"
                | "purpose"
        ) {
            out.insert(k.clone(), v.clone());
        }
    }
    common::merge_defaults(
        &mut out,
        json!({
            "privateEndpointNetworkPolicies": "Disabled",
            "privateLinkServiceNetworkPolicies": "Enabled",
            "delegations": [],
        }),
    );
    if let Some(Value::Array(delegations)) = out.get_mut("delegations") {
        for d in delegations.iter_mut() {
            let dname = d
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("delegation")
                .to_string();
            if let Some(obj) = d.as_object_mut() {
                obj.insert(
                    "id".into(),
                    json!(format!("{subnet_id}/delegations/{dname}")),
                );
                obj.insert(
                    "type".into(),
                    json!("Microsoft.Network/virtualNetworks/subnets/delegations"),
                );
                if let Some(Value::Object(dp)) = obj.get_mut("properties") {
                    dp.insert("provisioningState".into(), json!("Succeeded"));
                    let service = dp
                        .get("serviceName")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    dp.insert("actions".into(), delegation_actions(&service));
                }
            }
        }
        // A delegated subnet answers with an empty `purpose` (SubnetCreateWithDelegation.json).
        if !delegations.is_empty() {
            out.insert("purpose".into(), json!(""));
        }
    }
    json!({
        "name": name,
        "id": subnet_id,
        "etag": format!("W/\"{}\"", common::new_guid()),
        "type": Kind::Subnet.arm_type(),
        "properties": Value::Object(out),
    })
}

/// `VirtualNetworkPrivateEndpointNetworkPolicies` (virtualNetwork.json, network 2025-07-01):
/// the four values the service takes.
fn check_endpoint_policies(props: &Map<String, Value>) -> Result<(), ArmError> {
    const VALUES: [&str; 4] = [
        "Disabled",
        "Enabled",
        "NetworkSecurityGroupEnabled",
        "RouteTableEnabled",
    ];
    match props.get("privateEndpointNetworkPolicies") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(v)) if VALUES.iter().any(|x| x.eq_ignore_ascii_case(v)) => Ok(()),
        Some(other) => Err(ArmError::bad_request(
            "InvalidRequestFormat",
            format!(
                "Cannot parse the request: privateEndpointNetworkPolicies {other} is not one of {}.",
                VALUES.join(", ")
            ),
        )),
    }
}

fn check_subnet_prefixes(
    vnet: &[(String, Cidr)],
    subnets: &[(String, Vec<(String, Cidr)>)],
    vnet_name: &str,
) -> Result<(), ArmError> {
    for (i, (name, prefixes)) in subnets.iter().enumerate() {
        for (text, cidr) in prefixes {
            if !vnet.iter().any(|(_, space)| space.contains(*cidr)) {
                return Err(ArmError::bad_request(
                    "NetcfgSubnetRangeOutsideVnet",
                    format!(
                        "Subnet '{name}' is not valid because its IP address range {text} is outside the IP address range of virtual network '{vnet_name}'."
                    ),
                ));
            }
            for (other_name, other) in subnets.iter().skip(i + 1) {
                if let Some((other_text, _)) = other.iter().find(|(_, o)| o.overlaps(*cidr)) {
                    return Err(ArmError::bad_request(
                        "NetcfgSubnetRangesOverlap",
                        format!(
                            "Subnet '{name}' is not valid because its IP address range {text} overlaps with that of an existing subnet '{other_name}' ({other_text}) in virtual network '{vnet_name}'."
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn put_vnet(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    check_vnet_name(&target.name, "virtual network", 64)?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    busy(state, &key)?;
    let mut props = common::properties(body)?;
    let space = prefixes_of(&target.id, &props, "", &["addressSpace", "addressPrefixes"])?;
    if space.is_empty() {
        return Err(ArmError::missing_property(
            "properties.addressSpace.addressPrefixes",
        ));
    }
    // The desired subnet set: the inline list if given, otherwise the existing subnets.
    let inline = match props.remove("subnets") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items),
        Some(_) => {
            return Err(ArmError::invalid_body(
                "'properties.subnets' must be an array",
            ));
        }
    };
    let existing_subnets: Vec<(String, String, Map<String, Value>)> = state
        .children(&key, Kind::Subnet)
        .iter()
        .map(|r| {
            let name = common::str_at(&r.body, &["name"]).unwrap_or("").to_string();
            let props = r
                .body
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            (r.id.to_ascii_lowercase(), name, props)
        })
        .collect();
    let mut desired: Vec<(String, Map<String, Value>)> = Vec::new();
    match &inline {
        Some(items) => {
            for item in items {
                let name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| ArmError::missing_property("properties.subnets[].name"))?;
                check_vnet_name(name, "subnet", 80)?;
                if desired.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    return Err(ArmError::bad_request(
                        "DuplicateResourceName",
                        format!("Subnet name '{name}' appears more than once."),
                    ));
                }
                desired.push((name.to_string(), common::properties(item)?));
            }
        }
        None => {
            for (_, name, p) in &existing_subnets {
                desired.push((name.clone(), p.clone()));
            }
        }
    }
    let mut with_prefixes = Vec::new();
    for (name, p) in &desired {
        let prefixes = prefixes_of(
            &format!("{}/subnets/{name}", target.id),
            p,
            "addressPrefix",
            &["addressPrefixes"],
        )?;
        if prefixes.is_empty() {
            return Err(ArmError::missing_property(
                "properties.subnets[].properties.addressPrefix",
            ));
        }
        with_prefixes.push((name.clone(), prefixes));
    }
    check_subnet_prefixes(&space, &with_prefixes, &target.name)?;
    let removed: Vec<&(String, String, Map<String, Value>)> = existing_subnets
        .iter()
        .filter(|(_, name, _)| !desired.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
        .collect();
    for (subnet_key, name, _) in &removed {
        if let Some(user) = subnet_user(state, subnet_key) {
            return Err(in_use(name, &user));
        }
    }

    // `virtualNetworkPeerings` as subnets: a list replaces the set, no property keeps it (ARM
    // Deployments team on Azure/arm-template-whatif#281: redeploying a VNet without its
    // peerings "does not actually remove it").
    let inline_peerings = match props.remove("virtualNetworkPeerings") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(items),
        Some(_) => {
            return Err(ArmError::invalid_body(
                "'properties.virtualNetworkPeerings' must be an array",
            ));
        }
    };
    let created = existing.is_none();
    for (subnet_key, _, _) in removed {
        state.remove_tree(subnet_key);
    }
    if let Some(_items) = inline {
        for (name, p) in &desired {
            let subnet_id = format!("{}/subnets/{name}", target.id);
            state.put(
                subnet_id.to_ascii_lowercase(),
                subnet_id.clone(),
                Kind::Subnet,
                subnet_body(&subnet_id, name, p, "Updating"),
                ctx.now,
            );
        }
    }
    let resource_guid = common::resource_guid(existing.as_ref());
    let mut out = Map::new();
    out.insert("provisioningState".into(), json!("Updating"));
    out.insert("resourceGuid".into(), resource_guid);
    for (k, v) in props {
        if !matches!(k.as_str(), "provisioningState" | "resourceGuid") {
            out.insert(k, v);
        }
    }
    common::merge_defaults(
        &mut out,
        json!({"enableDdosProtection": false, "privateEndpointVNetPolicies": "Disabled"}),
    );
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert(
        "etag".into(),
        json!(format!("W/\"{}\"", common::new_guid())),
    );
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key.clone(),
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    if let Some(items) = inline_peerings {
        let mut named = Vec::new();
        for item in &items {
            let name = item.get("name").and_then(Value::as_str).ok_or_else(|| {
                ArmError::missing_property("properties.virtualNetworkPeerings[].name")
            })?;
            named.push((name.to_string(), common::properties(item)?));
        }
        let stale: Vec<String> = state
            .children(&key, Kind::VirtualNetworkPeering)
            .iter()
            .filter(|p| {
                let name = common::str_at(&p.body, &["name"]).unwrap_or("");
                !named.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|p| p.id.to_ascii_lowercase())
            .collect();
        for peering in stale {
            crate::emulator::peering::disconnect_remote(state, &peering);
            state.remove_tree(&peering);
        }
        for (name, p) in &named {
            crate::emulator::peering::write(state, ctx, &target.id, name, p)?;
        }
    }
    Ok(Written::new(Kind::VirtualNetwork, created))
}

pub(crate) fn put_subnet(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    check_vnet_name(&target.name, "subnet", 80)?;
    let vnet = common::parent_record(state, target)?.clone();
    let vnet_key = vnet.id.to_ascii_lowercase();
    busy(state, &vnet_key)?;
    let props = common::properties(body)?;
    let prefixes = prefixes_of(&target.id, &props, "addressPrefix", &["addressPrefixes"])?;
    if prefixes.is_empty() {
        return Err(ArmError::missing_property("properties.addressPrefix"));
    }
    check_endpoint_policies(&props)?;
    let vnet_props = vnet
        .body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let space = prefixes_of(
        &vnet.id,
        &vnet_props,
        "",
        &["addressSpace", "addressPrefixes"],
    )?;
    let key = target.key();
    let mut all = vec![(target.name.clone(), prefixes)];
    for sibling in state.children(&vnet_key, Kind::Subnet) {
        if sibling.id.eq_ignore_ascii_case(&target.id) {
            continue;
        }
        let p = sibling
            .body
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let name = common::str_at(&sibling.body, &["name"])
            .unwrap_or("")
            .to_string();
        all.push((
            name,
            prefixes_of(&sibling.id, &p, "addressPrefix", &["addressPrefixes"])?,
        ));
    }
    check_subnet_prefixes(
        &space,
        &all,
        common::str_at(&vnet.body, &["name"]).unwrap_or(""),
    )?;
    let created = state.get(&key).is_none();
    state.put(
        key,
        target.id.clone(),
        Kind::Subnet,
        subnet_body(&target.id, &target.name, &props, "Updating"),
        ctx.now,
    );
    Ok(Written::new(Kind::Subnet, created))
}

/// Who uses a subnet: an AKS pool (vnetSubnetID/podSubnetID) or a cluster's virtual nodes.
pub(crate) fn subnet_user(state: &State, subnet_key: &str) -> Option<String> {
    for record in state.resources.values() {
        match record.kind {
            Kind::NodePool => {
                for field in ["vnetSubnetID", "podSubnetID"] {
                    if common::str_at(&record.body, &["properties", field])
                        .is_some_and(|s| s.eq_ignore_ascii_case(subnet_key))
                    {
                        return Some(record.id.clone());
                    }
                }
            }
            Kind::Cluster
                if crate::emulator::cluster::virtual_node_subnet(state, record)
                    .is_some_and(|s| s.eq_ignore_ascii_case(subnet_key)) =>
            {
                return Some(record.id.clone());
            }
            _ => {}
        }
    }
    // A private endpoint's NIC sits in the subnet.
    crate::emulator::private_endpoint::in_subnet(state, subnet_key)
}

fn in_use(name: &str, user: &str) -> ArmError {
    ArmError::bad_request(
        "InUseSubnetCannotBeDeleted",
        format!(
            "Subnet {name} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet."
        ),
    )
}

pub(crate) fn before_delete_subnet(state: &State, target: &Target) -> Result<(), ArmError> {
    if let Some(parent) = &target.parent_id {
        busy(state, &parent.to_ascii_lowercase())?;
    }
    match subnet_user(state, &target.key()) {
        Some(user) => Err(in_use(&target.name, &user)),
        None => Ok(()),
    }
}

pub(crate) fn before_delete_vnet(state: &State, target: &Target) -> Result<(), ArmError> {
    for subnet in state.children(&target.key(), Kind::Subnet) {
        if let Some(user) = subnet_user(state, &subnet.id.to_ascii_lowercase()) {
            return Err(in_use(
                common::str_at(&subnet.body, &["name"]).unwrap_or(""),
                &user,
            ));
        }
    }
    Ok(())
}
