//! Microsoft.Network/publicIPAddresses and publicIPPrefixes, served so that references to them
//! (AKS `loadBalancerProfile.outboundIPs` / `outboundIPPrefixes`) can be checked like any other:
//! LRO PUT with Azure-AsyncOperation, Location DELETE, UpdateTags PATCH, the defaults of the
//! PublicIpPrefixCreateDefaults.json example (network stable/2025-07-01: `publicIPAddressVersion`
//! IPv4, `ipTags` [], a generated `ipPrefix`, a `resourceGuid`, a weak etag), and Standard SKU
//! with static allocation for addresses (Basic SKU public IPs were retired on 30 September 2025,
//! Learn "Upgrade to Standard SKU public IP addresses").

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// A documentation-range address (RFC 5737 TEST-NET-3) derived from the id, stable across GETs.
fn address(key: &str, prefix_len: u32) -> String {
    let n = key.bytes().fold(7u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    let size = 1u32 << (32 - prefix_len.clamp(24, 32));
    let host = (n % 256) / size * size;
    format!("203.0.113.{host}")
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_network_name(
        &target.name,
        if target.kind == Kind::PublicIpAddress {
            "public IP address"
        } else {
            "public IP prefix"
        },
        (1, 80),
    )?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let created = existing.is_none();
    let mut props = common::properties(body)?;
    for field in ["provisioningState", "resourceGuid", "ipAddress", "ipPrefix"] {
        props.remove(field);
    }
    let old = existing
        .as_ref()
        .and_then(|r| r.body.get("properties"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let guid = old
        .get("resourceGuid")
        .cloned()
        .unwrap_or_else(|| json!(common::new_guid()));
    let mut out = Map::new();
    // The network provider reports `Updating` while a create or an update runs.
    out.insert("provisioningState".into(), json!("Updating"));
    out.insert("resourceGuid".into(), guid);
    if target.kind == Kind::PublicIpPrefix {
        let length = props
            .get("prefixLength")
            .and_then(Value::as_u64)
            .ok_or_else(|| ArmError::missing_property("properties.prefixLength"))?;
        if !(21..=31).contains(&length) {
            return Err(ArmError::bad_request(
                "PublicIpPrefixLengthIsInvalid",
                format!(
                    "The prefix length {length} of the public IP prefix is invalid; IPv4 prefixes must be /21 to /31."
                ),
            ));
        }
        let len = u32::try_from(length).unwrap_or(31);
        out.insert(
            "ipPrefix".into(),
            json!(format!("{}/{len}", address(&key, len))),
        );
        common::merge_defaults(
            &mut props,
            json!({"publicIPAddressVersion": "IPv4", "ipTags": []}),
        );
    } else {
        out.insert("ipAddress".into(), json!(address(&key, 32)));
        common::merge_defaults(
            &mut props,
            json!({"publicIPAddressVersion": "IPv4", "publicIPAllocationMethod": "Static",
                "idleTimeoutInMinutes": 4, "ipTags": [],
                "ddosSettings": {"protectionMode": "VirtualNetworkInherited"}}),
        );
    }
    out.extend(props);
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert(
        "etag".into(),
        json!(format!("W/\"{}\"", common::new_guid())),
    );
    let sku = match body.get("sku") {
        Some(Value::Object(s)) => Value::Object(s.clone()),
        _ => json!({"name": "Standard", "tier": "Regional"}),
    };
    m.insert("sku".into(), sku);
    if let Some(zones) = body.get("zones").filter(|z| z.is_array()) {
        m.insert("zones".into(), zones.clone());
    }
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
