//! Microsoft.Network/natGateways (network 2026-03-01): LRO PUT with Azure-AsyncOperation,
//! Location DELETE, UpdateTags PATCH, as the other network types. Response shape of the official
//! example NatGatewayCreateOrUpdate (`sku.name` Standard, `idleTimeoutInMinutes`,
//! `publicIpAddresses` / `publicIpPrefixes` as `{id}` lists, read-only `subnets`): the idle
//! timeout defaults to 4 minutes (Learn "Azure NAT Gateway resource", timers: "TCP idle timeout
//! can be adjusted from 4 minutes (default) to 120 minutes"), and GET lists the subnets
//! associated with the gateway. References to public IPs and prefixes that do not exist are
//! refused by `refs` (InvalidResourceReference), like any network reference, and the delete of a
//! gateway a subnet still uses is refused (InUseNatGatewayCannotBeDeleted, the code Azure
//! answers as client libraries quote it: "Returned when deleting a NAT gateway still associated
//! with a subnet"). Not emulated: the refusal of more than 16 addresses (Learn: "A NAT gateway
//! resource can use up to 16 IP addresses"), whose error code was not found in a Microsoft
//! source; azplan's spec check refuses it before any request.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_network_name(&target.name, "NAT gateway", (1, 80))?;
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
    out.insert("provisioningState".into(), json!("Updating"));
    out.insert("resourceGuid".into(), guid);
    common::merge_defaults(&mut props, json!({"idleTimeoutInMinutes": 4}));
    out.extend(props);
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert(
        "etag".into(),
        json!(format!("W/\"{}\"", common::new_guid())),
    );
    let sku = match body.get("sku") {
        Some(Value::Object(s)) => Value::Object(s.clone()),
        _ => json!({"name": "Standard"}),
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

/// The subnets whose `natGateway` points at `id`: their IDs.
pub(crate) fn users(state: &State, id: &str) -> Vec<String> {
    state
        .resources
        .values()
        .filter(|r| r.kind == Kind::Subnet)
        .filter(|r| {
            common::str_at(&r.body, &["properties", "natGateway", "id"])
                .is_some_and(|s| s.eq_ignore_ascii_case(id))
        })
        .map(|r| r.id.clone())
        .collect()
}

/// GET lists the subnets that use the gateway (`[{id}]`).
pub(crate) fn render(state: &State, id: &str, body: &mut Value) {
    let subnets: Vec<Value> = users(state, id)
        .into_iter()
        .map(|s| json!({ "id": s }))
        .collect();
    if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut)
        && !subnets.is_empty()
    {
        props.insert("subnets".into(), Value::Array(subnets));
    }
}

/// A NAT gateway a subnet uses cannot be deleted.
pub(crate) fn before_delete(state: &State, target: &Target) -> Result<(), ArmError> {
    let users = users(state, &target.id);
    if users.is_empty() {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InUseNatGatewayCannotBeDeleted",
        format!(
            "Nat gateway {} is in use by {} and cannot be deleted. In order to delete the Nat gateway, remove the association with the resource(s).",
            target.id,
            users.join(", ")
        ),
    ))
}
