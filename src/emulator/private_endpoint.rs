//! Microsoft.Network/privateEndpoints and their privateDnsZoneGroups (network privateEndpoint.json,
//! 2025-07-01 and later): both PUTs are LROs answered with Azure-AsyncOperation
//! (`x-ms-long-running-operation`, `final-state-via: azure-async-operation`), both DELETEs 202 +
//! Location (`final-state-via: location`); neither has a PATCH. What the service adds, read-only,
//! as the official examples PrivateEndpointCreate and PrivateEndpointDnsZoneGroupCreate show: the
//! NIC it makes (`networkInterfaces[].id`, `{endpoint}.nic.{guid}`), `customDnsConfigs` (the
//! target's FQDNs and the NIC's private IPs), each connection's id and
//! `privateLinkServiceConnectionState` (automatic connections are `Approved`, and keep the state
//! the target's owner gave them across later PUTs), and each zone
//! config's `recordSets`. A subnet with an endpoint's NIC is in use (`network::subnet_user`). The
//! endpoint's IP is the subnet's first free address after the five Azure reserves (Learn "Virtual
//! network FAQ": "Azure reserves the first four and last IP address for a total of 5 IP
//! addresses within each subnet"). Not emulated: the A record sets the zone group writes into
//! the zones (only listed in `recordSets`), manual approval workflows, static `ipConfigurations`
//! (echoed as sent), and `privateEndpointConnections` on the target.

use std::net::Ipv4Addr;

use serde_json::{Map, Value, json};

use crate::emulator::cidr::Cidr;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// Public FQDNs of a target, by type (Learn "Azure Private Endpoint private DNS zone values":
/// `vault.azure.net` for a key vault, `azurecr.io` for a registry, whose data endpoint is
/// `{registry}.{region}.data.azurecr.io`, Learn "Connect privately to an Azure container registry
/// using Azure Private Link").
fn fqdns(state: &State, target_id: &str) -> Vec<String> {
    let lower = target_id.to_ascii_lowercase();
    let name = target_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if lower.contains("/providers/microsoft.keyvault/vaults/") {
        vec![format!("{name}.vault.azure.net")]
    } else if lower.contains("/providers/microsoft.containerregistry/registries/") {
        let region = state
            .get(&lower)
            .and_then(|r| common::str_at(&r.body, &["location"]))
            .unwrap_or("westeurope")
            .to_string();
        vec![
            format!("{name}.azurecr.io"),
            format!("{name}.{region}.data.azurecr.io"),
        ]
    } else {
        Vec::new()
    }
}

/// The connection lists of a PUT body (`privateLinkServiceConnections`,
/// `manualPrivateLinkServiceConnections`), each connection with its service ID.
fn connections(
    props: &Map<String, Value>,
    field: &str,
    endpoint_id: &str,
    manual: bool,
) -> Result<Vec<Value>, ArmError> {
    let list = match props.get(field) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list.clone(),
        Some(_) => {
            return Err(ArmError::invalid_body(&format!(
                "'properties.{field}' must be an array"
            )));
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, c)| {
            let service = common::str_at(c, &["properties", "privateLinkServiceId"]).ok_or_else(
                || {
                    ArmError::missing_property(&format!(
                        "properties.{field}[{i}].properties.privateLinkServiceId"
                    ))
                },
            )?;
            let name = common::str_at(c, &["name"])
                .map(str::to_string)
                .unwrap_or_else(|| format!("plsconnection{}", i + 1));
            let mut p = c
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            p.insert("privateLinkServiceId".into(), json!(service));
            p.insert("provisioningState".into(), json!("Succeeded"));
            // A manual connection waits for the target's owner; an automatic one is approved
            // (PrivateEndpointCreateForManualApproval / PrivateEndpointCreate examples).
            let state = if manual {
                json!({"status": "Pending", "description": "Awaiting approval", "actionsRequired": "None"})
            } else {
                json!({"status": "Approved", "description": "Auto-approved", "actionsRequired": "None"})
            };
            p.insert("privateLinkServiceConnectionState".into(), state);
            Ok(json!({
                "name": name,
                "id": format!("{endpoint_id}/{field}/{name}"),
                "type": format!("Microsoft.Network/privateEndpoints/{field}"),
                "etag": format!("W/\"{}\"", common::new_guid()),
                "properties": p,
            }))
        })
        .collect()
}

/// The first address of the subnet no other endpoint holds, after Azure's reserved ones.
fn next_address(state: &State, subnet_id: &str, endpoint_key: &str, count: usize) -> Vec<String> {
    let subnet = state.get(&subnet_id.to_ascii_lowercase());
    let prefix = subnet
        .and_then(|s| {
            common::str_at(&s.body, &["properties", "addressPrefix"])
                .map(str::to_string)
                .or_else(|| {
                    s.body
                        .pointer("/properties/addressPrefixes/0")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
        })
        .and_then(|p| Cidr::parse(&p));
    let Some(prefix) = prefix else {
        return (0..count).map(|i| format!("10.0.0.{}", 4 + i)).collect();
    };
    let taken: Vec<String> = state
        .resources
        .values()
        .filter(|r| r.kind == Kind::PrivateEndpoint && !r.id.eq_ignore_ascii_case(endpoint_key))
        .filter(|r| {
            common::str_at(&r.body, &["properties", "subnet", "id"])
                .is_some_and(|s| s.eq_ignore_ascii_case(subnet_id))
        })
        .flat_map(|r| {
            r.body
                .pointer("/properties/customDnsConfigs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .flat_map(|c| {
                    c.get("ipAddresses")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                })
                .filter_map(|ip| ip.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    let size = 1u64 << (32 - u32::from(prefix.len));
    (4..size.saturating_sub(1))
        .map(|offset| Ipv4Addr::from(prefix.base + offset as u32).to_string())
        .filter(|ip| !taken.contains(ip))
        .take(count)
        .collect()
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    // Learn "Naming rules and restrictions for Azure resources", Microsoft.Network
    // privateEndpoints: 2-64 alphanumerics, underscores, periods and hyphens; starts with an
    // alphanumeric, ends with an alphanumeric or underscore.
    common::check_network_name(&target.name, "private endpoint", (2, 64))?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let mut props = common::properties(body)?;
    let subnet_id = common::str_at(body, &["properties", "subnet", "id"])
        .ok_or_else(|| ArmError::missing_property("properties.subnet.id"))?
        .to_string();
    if common::dangling_reference(state, &subnet_id) {
        return Err(ArmError::bad_request(
            "InvalidResourceReference",
            format!(
                "Resource {subnet_id} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
                target.id
            ),
        ));
    }
    // The subnet cannot change: ARM answers 400 CannotChangeSubnetOnExistingPrivateEndpoint
    // (reported on pulumi/pulumi-azure-native#3883, 2025-01).
    if let Some(old) = existing
        .as_ref()
        .and_then(|r| common::str_at(&r.body, &["properties", "subnet", "id"]))
        && !old.eq_ignore_ascii_case(&subnet_id)
    {
        return Err(ArmError::bad_request(
            "CannotChangeSubnetOnExistingPrivateEndpoint",
            format!(
                "Subnet of private endpoint {} cannot be changed.",
                target.id
            ),
        ));
    }
    let mut auto = connections(&props, "privateLinkServiceConnections", &target.id, false)?;
    // The connection's state is the target owner's to set (Learn "Manage a Private Endpoint
    // connection": the provider approves, rejects or removes it, "at a later time without
    // consumer intervention" too), so an endpoint PUT keeps
    // the state a connection of the same name and service already has: a rejected connection
    // stays rejected until its owner approves it.
    let old = existing
        .as_ref()
        .and_then(|r| {
            r.body
                .pointer("/properties/privateLinkServiceConnections")
                .and_then(Value::as_array)
        })
        .cloned()
        .unwrap_or_default();
    for c in &mut auto {
        let same = |o: &&Value| {
            o.get("name") == c.get("name")
                && common::str_at(o, &["properties", "privateLinkServiceId"])
                    .zip(common::str_at(c, &["properties", "privateLinkServiceId"]))
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
        };
        if let Some(state) = old
            .iter()
            .find(same)
            .and_then(|o| o.pointer("/properties/privateLinkServiceConnectionState"))
            .cloned()
        {
            c["properties"]["privateLinkServiceConnectionState"] = state;
        }
    }
    let manual = connections(
        &props,
        "manualPrivateLinkServiceConnections",
        &target.id,
        true,
    )?;
    if auto.len() + manual.len() != 1 {
        return Err(ArmError::bad_request(
            "InvalidRequestFormat",
            "Cannot parse the request: a private endpoint has exactly one private link service connection.",
        ));
    }
    let service = auto
        .iter()
        .chain(&manual)
        .find_map(|c| common::str_at(c, &["properties", "privateLinkServiceId"]))
        .unwrap_or_default()
        .to_string();
    // Only targets of types the emulator serves can be known missing; a private link service
    // or a storage account may exist where the emulator cannot see.
    if !fqdns(state, &service).is_empty() && common::dangling_reference(state, &service) {
        return Err(ArmError::bad_request(
            "InvalidResourceReference",
            format!(
                "Resource {service} referenced by resource {} was not found.",
                target.id
            ),
        ));
    }
    for field in [
        "provisioningState",
        "resourceGuid",
        "networkInterfaces",
        "customDnsConfigs",
    ] {
        props.remove(field);
    }
    let kept = |path: &str| {
        existing
            .as_ref()
            .and_then(|r| r.body.pointer(path))
            .cloned()
    };
    let nic_name = props
        .get("customNetworkInterfaceName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}.nic.{}", target.name, common::new_guid()));
    let group = target.id.split("/providers/").next().unwrap_or_default();
    let nics = kept("/properties/networkInterfaces").unwrap_or_else(|| {
        json!([{ "id": format!("{group}/providers/Microsoft.Network/networkInterfaces/{nic_name}") }])
    });
    let names = fqdns(state, &service);
    // The NIC keeps its addresses across updates.
    let dns = match kept("/properties/customDnsConfigs") {
        Some(dns) if dns.as_array().is_some_and(|d| d.len() == names.len()) => dns,
        _ => dns_configs(state, &subnet_id, &key, &names),
    };
    let guid = kept("/properties/resourceGuid").unwrap_or_else(|| json!(common::new_guid()));
    let mut out = Map::new();
    out.insert("provisioningState".into(), json!("Updating"));
    out.insert("resourceGuid".into(), guid);
    common::merge_defaults(
        &mut props,
        json!({"applicationSecurityGroups": [], "ipConfigurations": []}),
    );
    out.extend(props);
    out.insert("subnet".into(), json!({ "id": subnet_id }));
    out.insert("privateLinkServiceConnections".into(), Value::Array(auto));
    out.insert(
        "manualPrivateLinkServiceConnections".into(),
        Value::Array(manual),
    );
    out.insert("networkInterfaces".into(), nics);
    out.insert("customDnsConfigs".into(), dns);
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert(
        "etag".into(),
        json!(format!("W/\"{}\"", common::new_guid())),
    );
    m.insert("properties".into(), Value::Object(out));
    let created = existing.is_none();
    state.put(
        key,
        target.id.clone(),
        Kind::PrivateEndpoint,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::PrivateEndpoint, created))
}

fn dns_configs(state: &State, subnet_id: &str, key: &str, names: &[String]) -> Value {
    let ips = next_address(state, subnet_id, key, names.len());
    Value::Array(
        names
            .iter()
            .zip(ips)
            .map(|(fqdn, ip)| json!({ "fqdn": fqdn, "ipAddresses": [ip] }))
            .collect(),
    )
}

/// The private DNS zone a public FQDN's private name lives in, and the record's name there
/// (Learn "Azure Private Endpoint private DNS zone values").
fn record_in_zone(fqdn: &str, zone: &str) -> Option<String> {
    let zone = zone.to_ascii_lowercase();
    let fqdn = fqdn.to_ascii_lowercase();
    let suffix = match zone.as_str() {
        "privatelink.vaultcore.azure.net" => ".vault.azure.net",
        "privatelink.azurecr.io" => ".azurecr.io",
        _ => return None,
    };
    fqdn.strip_suffix(suffix).map(str::to_string)
}

pub(crate) fn put_zone_group(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let endpoint = common::parent_record(state, target)?.clone();
    let mut props = common::properties(body)?;
    let configs = match props.remove("privateDnsZoneConfigs") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(ArmError::invalid_body(
                "'properties.privateDnsZoneConfigs' must be an array",
            ));
        }
    };
    let dns: Vec<Value> = endpoint
        .body
        .pointer("/properties/customDnsConfigs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out_configs = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        let zone_id = common::str_at(c, &["properties", "privateDnsZoneId"]).ok_or_else(|| {
            ArmError::missing_property(&format!(
                "properties.privateDnsZoneConfigs[{i}].properties.privateDnsZoneId"
            ))
        })?;
        if !zone_id
            .to_ascii_lowercase()
            .contains("/providers/microsoft.network/privatednszones/")
            || common::dangling_reference(state, zone_id)
        {
            return Err(ArmError::bad_request(
                "InvalidResourceReference",
                format!(
                    "Resource {zone_id} referenced by resource {} was not found.",
                    target.id
                ),
            ));
        }
        let zone = zone_id.rsplit('/').next().unwrap_or_default();
        let records: Vec<Value> = dns
            .iter()
            .filter_map(|d| {
                let fqdn = d.get("fqdn")?.as_str()?;
                let name = record_in_zone(fqdn, zone)?;
                Some(json!({
                    "recordType": "A",
                    "recordSetName": name,
                    "fqdn": format!("{name}.{zone}"),
                    "ttl": 10,
                    "ipAddresses": d.get("ipAddresses").cloned().unwrap_or(json!([])),
                    "provisioningState": "Succeeded",
                }))
            })
            .collect();
        let name = common::str_at(c, &["name"])
            .map(str::to_string)
            .unwrap_or_else(|| zone.replace('.', "-"));
        out_configs.push(json!({
            "name": name,
            "properties": { "privateDnsZoneId": zone_id, "recordSets": records },
        }));
    }
    let key = target.key();
    let created = state.get(&key).is_none();
    let body = json!({
        "name": target.name,
        "id": target.id,
        "type": Kind::PrivateDnsZoneGroup.arm_type(),
        "etag": format!("W/\"{}\"", common::new_guid()),
        "properties": {
            "provisioningState": "Updating",
            "privateDnsZoneConfigs": out_configs,
        },
    });
    state.put(
        key,
        target.id.clone(),
        Kind::PrivateDnsZoneGroup,
        body,
        ctx.now,
    );
    Ok(Written::new(Kind::PrivateDnsZoneGroup, created))
}

/// The endpoint whose NIC sits in a subnet, if any (the subnet is in use).
pub(crate) fn in_subnet(state: &State, subnet_key: &str) -> Option<String> {
    state
        .resources
        .values()
        .filter(|r| r.kind == Kind::PrivateEndpoint)
        .find(|r| {
            common::str_at(&r.body, &["properties", "subnet", "id"])
                .is_some_and(|s| s.eq_ignore_ascii_case(subnet_key))
        })
        .map(|r| {
            r.body
                .pointer("/properties/networkInterfaces/0/id")
                .and_then(Value::as_str)
                .unwrap_or(&r.id)
                .to_string()
        })
}
