//! Microsoft.Network/dnsZones (2018-05-01, synchronous PUT, LRO delete) and privateDnsZones
//! (2024-06-01, PUT answered with Location) with their virtualNetworkLinks. Zones carry an etag;
//! public zones get name servers; a private zone with links cannot be deleted.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::records;
use crate::emulator::route::Target;
use crate::emulator::state::State;

fn check_zone_name(name: &str) -> Result<(), ArmError> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.is_empty() || name.len() > 253 || !name.trim_end_matches('.').split('.').all(label_ok) {
        return Err(ArmError::bad_request(
            "InvalidResourceName",
            format!(
                "The zone name '{name}' is invalid. A zone name is a sequence of labels of 1-63 letters, digits, hyphens or underscores separated by periods."
            ),
        ));
    }
    Ok(())
}

/// Azure DNS spreads zones over name-server sets; the set number is derived from the zone id.
fn name_servers(key: &str) -> Value {
    let n = key.bytes().fold(0u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    }) % 9
        + 1;
    json!([
        format!("ns1-0{n}.azure-dns.com."),
        format!("ns2-0{n}.azure-dns.net."),
        format!("ns3-0{n}.azure-dns.org."),
        format!("ns4-0{n}.azure-dns.info."),
    ])
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    check_zone_name(&target.name)?;
    let location = common::required_location(body)?;
    if location != "global" {
        return Err(ArmError::bad_request(
            "LocationNotAvailableForResourceType",
            format!(
                "The provided location '{location}' is not available for resource type '{}'. List of available regions for the resource type is 'global'.",
                target.kind.arm_type()
            ),
        ));
    }
    let key = target.key();
    let existing = state.get(&key).cloned();
    let created = existing.is_none();
    let mut props = common::properties(body)?;
    let mut out = Map::new();
    let etag = common::new_guid();
    if target.kind == Kind::DnsZone {
        for field in [
            "nameServers",
            "maxNumberOfRecordSets",
            "maxNumberOfRecordsPerRecordSet",
            "numberOfRecordSets",
        ] {
            props.remove(field);
        }
        // 10,000 record sets per public zone is the service limit (Learn "Azure subscription and
        // service limits", Azure DNS). CreateOrUpdateZone.json (2018-05-01) shows 5000, the limit
        // of its time; the fidelity replay checks the property's presence and type, not the value.
        out.insert("maxNumberOfRecordSets".into(), json!(10000));
        out.insert("maxNumberOfRecordsPerRecordSet".into(), json!(20));
        out.insert("numberOfRecordSets".into(), json!(2));
        out.insert("nameServers".into(), name_servers(&key));
        out.extend(props);
        common::merge_defaults(&mut out, json!({"zoneType": "Public"}));
    } else {
        for field in ["provisioningState", "internalId"] {
            props.remove(field);
        }
        let internal_id = existing
            .as_ref()
            .and_then(|r| r.body.get("properties")?.get("internalId").cloned())
            .unwrap_or_else(|| json!(format!("Id1;Id2;{}", common::new_guid())));
        out.insert("maxNumberOfRecordSets".into(), json!(25000));
        out.insert("maxNumberOfVirtualNetworkLinks".into(), json!(1000));
        out.insert(
            "maxNumberOfVirtualNetworkLinksWithRegistration".into(),
            json!(100),
        );
        out.insert("numberOfRecordSets".into(), json!(1));
        out.insert("numberOfVirtualNetworkLinks".into(), json!(0));
        out.insert(
            "numberOfVirtualNetworkLinksWithRegistration".into(),
            json!(0),
        );
        out.insert(
            "provisioningState".into(),
            json!(if created { "Creating" } else { "Updating" }),
        );
        out.insert("internalId".into(), internal_id);
        out.extend(props);
    }
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert("etag".into(), json!(etag));
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    if created && target.kind == Kind::PrivateDnsZone {
        records::create_soa(state, ctx, target);
    }
    Ok(Written::new(target.kind, created))
}

/// "Private DNS zone cannot be deleted unless all virtual network links to it are removed."
pub(crate) fn before_delete_private(state: &State, target: &Target) -> Result<(), ArmError> {
    let links = state.children(&target.key(), Kind::PrivateDnsZoneLink);
    let Some(first) = links.first() else {
        return Ok(());
    };
    let link_name = common::str_at(&first.body, &["name"]).unwrap_or("");
    Err(ArmError::conflict(
        "CannotDeleteResource",
        format!(
            "Cannot delete resource while nested resources exist. Some existing nested resource IDs include: 'Microsoft.Network/privateDnsZones/{}/virtualNetworkLinks/{link_name}'. Please delete all nested resources before deleting this resource.",
            target.name
        ),
    ))
}

/// `privateDnsZones/{zone}/virtualNetworkLinks/{link}`: a zone made resolvable from one VNet.
pub(crate) fn put_link(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_name(
        &target.name,
        "virtual network link",
        (1, 80),
        |c| c.is_ascii_alphanumeric() || "-_.".contains(c),
        |first, last| {
            first.is_ascii_alphanumeric() && (last.is_ascii_alphanumeric() || last == '_')
        },
        "The name must be 1-80 letters, digits, hyphens, underscores or periods.",
    )?;
    common::parent_record(state, target)?;
    let location = match body.get("location") {
        None | Some(Value::Null) => "global".to_string(),
        // `Global` in the official VirtualNetworkLinkPut request, `global` in its answer.
        Some(_) => common::required_location(body)?.to_ascii_lowercase(),
    };
    let props = common::properties(body)?;
    let vnet = props
        .get("virtualNetwork")
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.virtualNetwork.id"))?;
    if !location.eq_ignore_ascii_case("global") {
        return Err(ArmError::bad_request(
            "LocationNotAvailableForResourceType",
            format!(
                "The provided location '{location}' is not available for resource type '{}'. List of available regions for the resource type is 'global'.",
                target.kind.arm_type()
            ),
        ));
    }
    if common::dangling_reference(state, vnet) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The virtual network '{vnet}' referenced by the link was not found."),
        )
        .with_target("properties.virtualNetwork.id"));
    }
    let key = target.key();
    let parent_key = target
        .parent_id
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let duplicate = state
        .children(&parent_key, Kind::PrivateDnsZoneLink)
        .into_iter()
        .any(|l| {
            l.id.to_ascii_lowercase() != key
                && common::str_at(&l.body, &["properties", "virtualNetwork", "id"])
                    .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
        });
    if duplicate {
        return Err(ArmError::conflict(
            "Conflict",
            format!("The virtual network '{vnet}' is already linked to the private DNS zone."),
        ));
    }
    let created = state.get(&key).is_none();
    check_link_limits(state, &parent_key, &key, vnet, &props)?;
    let mut out = Map::new();
    out.insert("virtualNetwork".into(), json!({"id": vnet}));
    out.insert(
        "registrationEnabled".into(),
        props
            .get("registrationEnabled")
            .cloned()
            .unwrap_or(json!(false)),
    );
    out.insert(
        "resolutionPolicy".into(),
        props
            .get("resolutionPolicy")
            .cloned()
            .unwrap_or(json!("Default")),
    );
    out.insert("virtualNetworkLinkState".into(), json!("Completed"));
    out.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Updating" }),
    );
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert("etag".into(), json!(common::new_guid()));
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::PrivateDnsZoneLink, created))
}

/// Learn "What is an Azure Private DNS zone?", Limits
/// (https://learn.microsoft.com/azure/dns/private-dns-privatednszone): 1000 virtual network
/// links per zone, 100 of them with auto-registration, and a virtual network registers in one
/// private zone at most. (The service's error codes for these are not published; the emulator
/// answers 400 BadRequest / 409 Conflict with the limit's wording.)
fn check_link_limits(
    state: &State,
    zone_key: &str,
    link_key: &str,
    vnet: &str,
    props: &Map<String, Value>,
) -> Result<(), ArmError> {
    let others: Vec<&crate::emulator::state::Record> = state
        .children(zone_key, Kind::PrivateDnsZoneLink)
        .into_iter()
        .filter(|l| l.id.to_ascii_lowercase() != link_key)
        .collect();
    let registers = |body: &Value| body["properties"]["registrationEnabled"] == json!(true);
    if others.len() >= 1000 {
        return Err(ArmError::bad_request(
            "BadRequest",
            "A private DNS zone can be linked to at most 1000 virtual networks.",
        ));
    }
    if props.get("registrationEnabled") != Some(&json!(true)) {
        return Ok(());
    }
    if others.iter().filter(|l| registers(&l.body)).count() >= 100 {
        return Err(ArmError::bad_request(
            "BadRequest",
            "A private DNS zone can be linked to at most 100 virtual networks with auto-registration enabled.",
        ));
    }
    let elsewhere = state.resources.values().find(|r| {
        r.kind == Kind::PrivateDnsZoneLink
            && r.id.to_ascii_lowercase() != link_key
            && !r
                .id
                .to_ascii_lowercase()
                .starts_with(&format!("{zone_key}/"))
            && registers(&r.body)
            && common::str_at(&r.body, &["properties", "virtualNetwork", "id"])
                .is_some_and(|v| v.eq_ignore_ascii_case(vnet))
    });
    if let Some(other) = elsewhere {
        return Err(ArmError::conflict(
            "Conflict",
            format!(
                "The virtual network '{vnet}' is already linked with auto-registration enabled by '{}'. A virtual network can be linked to only one private DNS zone with auto-registration enabled.",
                other.id
            ),
        ));
    }
    Ok(())
}

/// VirtualNetworkLinks_Update (PATCH, VirtualNetworkLink.tsp): the writable properties a body
/// carries replace the link's (the official VirtualNetworkLinkPatch turns registration on); the
/// VNet a link points at stays what it was created with.
pub(crate) fn patch_link(link: &mut Value, body: &Value) -> Result<(), ArmError> {
    let Some(props) = body.get("properties") else {
        return Ok(());
    };
    let props = props
        .as_object()
        .ok_or_else(|| ArmError::invalid_body("'properties' must be an object"))?;
    for field in ["registrationEnabled", "resolutionPolicy"] {
        if let Some(value) = props.get(field) {
            link["properties"][field] = value.clone();
        }
    }
    Ok(())
}
