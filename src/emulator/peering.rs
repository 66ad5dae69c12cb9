//! Microsoft.Network/virtualNetworks/virtualNetworkPeerings (Network virtualNetwork.json,
//! `VirtualNetworkPeerings_*`): an LRO PUT answered with Azure-AsyncOperation, a Location
//! DELETE, no PATCH. A peering is `Initiated` until the remote VNet peers back, then both sides
//! are `Connected` ("When you create the peering from the second virtual network to the first
//! virtual network, its peering status is Connected", Learn "Create, change, or delete a virtual
//! network peering"); deleting one side leaves the other `Disconnected`. Peered address spaces
//! must not overlap, and `useRemoteGateways` needs a gateway the emulator never has. The VNet
//! GET lists the peerings inline (`properties.virtualNetworkPeerings`, official VirtualNetworkGet).

use serde_json::{Map, Value, json};

use crate::emulator::cidr::Cidr;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// The IPv4 prefixes of a VNet record's address space.
fn address_space(vnet: &Value) -> Vec<(String, Cidr)> {
    vnet.pointer("/properties/addressSpace/addressPrefixes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|t| Cidr::parse(t).map(|c| (t.to_string(), c)))
        .collect()
}

fn prefixes_value(vnet: Option<&Value>) -> Value {
    let prefixes: Vec<Value> = vnet
        .and_then(|v| v.pointer("/properties/addressSpace/addressPrefixes"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    json!({ "addressPrefixes": prefixes })
}

/// The peering of `remote` (a VNet key) that points back at `local` (a VNet key), if any.
fn peering_back(state: &State, remote: &str, local: &str) -> Option<String> {
    state
        .children(remote, Kind::VirtualNetworkPeering)
        .into_iter()
        .find(|p| {
            common::str_at(&p.body, &["properties", "remoteVirtualNetwork", "id"])
                .is_some_and(|id| id.eq_ignore_ascii_case(local))
        })
        .map(|p| p.id.to_ascii_lowercase())
}

fn set_peering_state(state: &mut State, key: &str, word: &str) {
    if let Some(props) = state
        .body_mut(key)
        .and_then(|b| b.get_mut("properties"))
        .and_then(Value::as_object_mut)
    {
        props.insert("peeringState".into(), json!(word));
    }
}

/// Writes one peering of `vnet_id` (its own PUT or an entry of a VNet PUT's list).
pub(crate) fn write(
    state: &mut State,
    ctx: &Ctx,
    vnet_id: &str,
    name: &str,
    props: &Map<String, Value>,
) -> Result<bool, ArmError> {
    common::check_network_name(name, "virtual network peering", (1, 80))?;
    let id = format!("{vnet_id}/virtualNetworkPeerings/{name}");
    let key = id.to_ascii_lowercase();
    let vnet_key = vnet_id.to_ascii_lowercase();
    let remote = props
        .get("remoteVirtualNetwork")
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| ArmError::missing_property("properties.remoteVirtualNetwork.id"))?
        .to_string();
    let remote_key = remote.to_ascii_lowercase();
    let local = state.get(&vnet_key).map(|r| r.body.clone());
    let remote_body = state.get(&remote_key).map(|r| r.body.clone());
    if let (Some(local), Some(theirs)) = (&local, &remote_body) {
        let mine = address_space(local);
        let theirs = address_space(theirs);
        let overlap = mine
            .iter()
            .find_map(|(t, a)| theirs.iter().find(|(_, b)| a.overlaps(*b)).map(|_| t));
        if let Some(prefix) = overlap {
            // The service's wording for an overlap with a VNet already peered
            // (VnetAddressSpaceOverlapsWithAlreadyPeeredVnet, quoted in Azure/ResourceModules#731)
            // applied to the two VNets themselves.
            return Err(ArmError::bad_request(
                "VnetAddressSpacesOverlap",
                format!(
                    "Cannot create or update peering {id}. Virtual networks {vnet_id} and {remote} cannot be peered because their address spaces overlap. Overlapping address prefixes: {prefix}. For more information please refer to https://aka.ms/VnetPeeringInfo"
                ),
            ));
        }
    }
    if props.get("useRemoteGateways") == Some(&json!(true)) {
        // The emulator serves no virtual network gateways; the service's answer, quoted in
        // hashicorp/terraform#30569.
        return Err(ArmError::bad_request(
            "RemoteVnetHasNoGateways",
            format!(
                "Peering {id} cannot have UseRemoteGateway flag set to true because remote virtual network {remote} referenced by the peering does not have any gateways."
            ),
        ));
    }
    let existing = state.get(&key).cloned();
    let created = existing.is_none();
    let back = peering_back(state, &remote_key, &vnet_key);
    let mut out = Map::new();
    for (k, v) in props {
        if !matches!(
            k.as_str(),
            "provisioningState"
                | "peeringState"
                | "peeringSyncLevel"
                | "remoteAddressSpace"
                | "remoteVirtualNetworkAddressSpace"
                | "remoteBgpCommunities"
                | "resourceGuid"
        ) {
            out.insert(k.clone(), v.clone());
        }
    }
    // VirtualNetworkPeeringCreate (Network 2025-07-01) answers with the four switches; a PUT
    // that leaves one out gets false, access aside, which azurerm defaults to true. A settled
    // peering also shows `doNotVerifyRemoteGateways` and `peerCompleteVnets` (the bodies quoted
    // on Azure/arm-template-whatif#179 and #314).
    common::merge_defaults(
        &mut out,
        json!({
            "allowVirtualNetworkAccess": true,
            "allowForwardedTraffic": false,
            "allowGatewayTransit": false,
            "useRemoteGateways": false,
            "doNotVerifyRemoteGateways": false,
            "peerCompleteVnets": true,
        }),
    );
    out.insert("provisioningState".into(), json!("Updating"));
    out.insert(
        "peeringState".into(),
        json!(if back.is_some() {
            "Connected"
        } else {
            "Initiated"
        }),
    );
    out.insert("peeringSyncLevel".into(), json!("FullyInSync"));
    out.insert(
        "remoteAddressSpace".into(),
        prefixes_value(remote_body.as_ref()),
    );
    out.insert(
        "remoteVirtualNetworkAddressSpace".into(),
        prefixes_value(remote_body.as_ref()),
    );
    if let Some(communities) = remote_body
        .as_ref()
        .and_then(|b| b.pointer("/properties/bgpCommunities"))
    {
        out.insert("remoteBgpCommunities".into(), communities.clone());
    }
    let resource_guid = common::resource_guid(existing.as_ref());
    out.insert("resourceGuid".into(), resource_guid);
    let body = json!({
        "name": name,
        "id": id,
        "etag": format!("W/\"{}\"", common::new_guid()),
        "type": Kind::VirtualNetworkPeering.arm_type(),
        "properties": Value::Object(out),
    });
    state.put(key, id, Kind::VirtualNetworkPeering, body, ctx.now);
    if let Some(back) = back {
        set_peering_state(state, &back, "Connected");
    }
    Ok(created)
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let vnet = common::parent_record(state, target)?.id.clone();
    crate::emulator::network::busy(state, &vnet.to_ascii_lowercase())?;
    let props = common::properties(body)?;
    let created = write(state, ctx, &vnet, &target.name, &props)?;
    Ok(Written::new(Kind::VirtualNetworkPeering, created))
}

/// The remote side of a deleted peering is `Disconnected` (Learn "Create, change, or delete a
/// virtual network peering": when one side is deleted the other shows Disconnected).
pub(crate) fn disconnect_remote(state: &mut State, peering_key: &str) {
    let Some(record) = state.get(peering_key) else {
        return;
    };
    let Some(remote) = common::str_at(&record.body, &["properties", "remoteVirtualNetwork", "id"])
        .map(str::to_ascii_lowercase)
    else {
        return;
    };
    let local = peering_key
        .rsplit_once("/virtualnetworkpeerings/")
        .map_or("", |(vnet, _)| vnet)
        .to_string();
    if let Some(back) = peering_back(state, &remote, &local) {
        set_peering_state(state, &back, "Disconnected");
    }
}

pub(crate) fn before_delete(state: &mut State, target: &Target) -> Result<(), ArmError> {
    if let Some(parent) = &target.parent_id {
        crate::emulator::network::busy(state, &parent.to_ascii_lowercase())?;
    }
    disconnect_remote(state, &target.key());
    Ok(())
}

/// A VNet going away takes its peerings; their remote sides are left `Disconnected`.
pub(crate) fn before_vnet_delete(state: &mut State, vnet_key: &str) {
    let peerings: Vec<String> = state
        .children(vnet_key, Kind::VirtualNetworkPeering)
        .iter()
        .map(|p| p.id.to_ascii_lowercase())
        .collect();
    for key in peerings {
        disconnect_remote(state, &key);
    }
}

/// The peerings of a VNet as its GET lists them.
pub(crate) fn listed(state: &State, vnet_key: &str) -> Value {
    Value::Array(
        state
            .children(vnet_key, Kind::VirtualNetworkPeering)
            .iter()
            .map(|r| r.body.clone())
            .collect(),
    )
}
