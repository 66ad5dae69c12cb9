//! Private endpoints (`Microsoft.Network/privateEndpoints`) with their private DNS zone group
//! (`privateEndpoints/privateDnsZoneGroups`, always named `default`). An endpoint is a NIC in a
//! subnet connected to one sub-resource (`groupId`) of another resource: a key vault (`vault`),
//! a registry (`registry`) or anything else by ID. Its connection is the automatic kind
//! (`privateLinkServiceConnections`): PrivateEndpointProperties of privateEndpoint.json tells
//! them apart from `manualPrivateLinkServiceConnections` ("A grouping of information about the
//! connection to the remote resource. Used when the network admin does not have access to
//! approve connections to the remote resource"); a stack that owns or may write the target
//! needs no approval step. The zone group is its own resource (its own PUT), declared with the
//! endpoint as `dnsZones:`; zone groups carry no tags, so an endpoint owns its zone groups only
//! when its spec has that key: Azure Policy's "DeployIfNotExists" private DNS integration (Learn
//! "Private Link and DNS integration at scale") adds zone groups to endpoints it did not make,
//! and a spec silent about DNS must not delete them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::build::{Builder, arm_type_of};
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::model::{
    Address, Dependency, Origin, PrivateDnsZoneGroup, PrivateEndpoint, Resource, Spec, Target,
};
use crate::names;
use crate::reference::{self, Parsed};
use crate::spec::{Entry, RawJson};

/// The name of the zone group azplan writes: the one the portal and `az network private-endpoint
/// dns-zone-group create` examples use; an endpoint has one zone group in practice.
pub const ZONE_GROUP: &str = "default";

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPrivateEndpoint {
    /// Azure name (2-64 letters, digits, `-`, `_` or `.`); defaults to the key.
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
    /// The subnet the endpoint's NIC is placed in: `vnet/NAME/SUBNET`, `existing/NAME/SUBNET` or
    /// an ARM ID. Cannot change (another subnet is another endpoint: replace).
    pub subnet: Spanned<String>,
    /// What the endpoint connects to: `keyVault/NAME`, `registry/NAME`, `existing/NAME` or the
    /// ARM ID of any resource that offers private link. Cannot change.
    pub target: Spanned<String>,
    /// The target's sub-resource: `vault` for a key vault, `registry` for a registry (the
    /// defaults); required for other targets (e.g. `blob` for a storage account).
    pub group_id: Option<Spanned<String>>,
    /// Private DNS zones the endpoint registers its addresses in (its zone group `default`):
    /// `dnsZone/NAME` (a `private: true` zone), `existing/NAME` or an ARM ID. With this key the
    /// endpoint's zone groups are the stack's (`[]` deletes them); without it azplan leaves them
    /// alone.
    pub dns_zones: Option<Spanned<Vec<Spanned<String>>>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

crate::spec::common!(RawPrivateEndpoint);

/// ARM, Bicep and azurerm names of an endpoint's settings (`crate::kinds::habits`). ARM/Bicep:
/// PrivateEndpointProperties; azurerm: `azurerm_private_endpoint`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "privateLinkServiceConnections", "private_service_connection", "`target:` and `groupId:` (one automatic connection)"),
    habit("", "manualPrivateLinkServiceConnections", "", "nothing: azplan makes automatically approved connections (`target:`)"),
    habit("", "privateLinkServiceId", "private_connection_resource_id", "`target: keyVault/NAME` (or `registry/NAME`, `existing/NAME`, an ARM ID)"),
    habit("", "groupIds", "subresource_names", "`groupId: vault` (one sub-resource)"),
    habit("", "", "subnet_id", "`subnet: vnet/NAME/SUBNET`"),
    habit("", "privateDnsZoneGroups", "private_dns_zone_group", "`dnsZones: [dnsZone/NAME, …]`"),
    habit("", "privateDnsZoneConfigs", "private_dns_zone_ids", "`dnsZones: [dnsZone/NAME, …]`"),
];

/// Learn "Azure Private Endpoint private DNS zone values"
/// (https://learn.microsoft.com/azure/private-link/private-endpoint-dns): the zone to use per
/// sub-resource, Azure public cloud. Other clouds use other names (the page's China table), so a
/// mismatch is a warning.
const ZONE_OF_GROUP: &[(&str, &str, &str)] = &[
    (
        "Microsoft.KeyVault/vaults",
        "vault",
        "privatelink.vaultcore.azure.net",
    ),
    (
        "Microsoft.ContainerRegistry/registries",
        "registry",
        "privatelink.azurecr.io",
    ),
];

pub static RULES: Rules = Rules {
    immutable: &[
        (
            "location",
            "a private endpoint cannot move to another region",
        ),
        // ARM refuses a new subnet on an existing endpoint (400
        // CannotChangeSubnetOnExistingPrivateEndpoint, pulumi/pulumi-azure-native#3883); azurerm
        // `private_endpoint` marks `subnet_id` ForceNew.
        (
            "properties.subnet.id",
            "a private endpoint's NIC stays in the subnet it was created in",
        ),
        // azurerm marks `private_connection_resource_id` ForceNew (no Microsoft page says it; the
        // emulator does not refuse it). A changed `groupId` is sent as an update: Azure decides.
        (
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
            "a private endpoint connects to one resource",
        ),
    ],
    exact_maps: &["tags"],
    // A connection's name is a label (the official PrivateEndpointCreate example sends none); an
    // endpoint's live connection keeps its name (`body`).
    ignore: &["properties.privateLinkServiceConnections[].name"],
    case_insensitive: &[
        "location",
        "properties.subnet.id",
        "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
        "properties.privateLinkServiceConnections[].properties.groupIds",
    ],
    ..EMPTY
};

pub static ZONE_GROUP_RULES: Rules = Rules {
    // Zone config names are labels; the zone each points at is what matters.
    ignore: &["properties.privateDnsZoneConfigs[].name"],
    case_insensitive: &["properties.privateDnsZoneConfigs[].properties.privateDnsZoneId"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, pe: &PrivateEndpoint) -> Value {
    let mut body = tracked(b, resource);
    // One automatic connection, named after the endpoint as the portal does, or as it is live.
    let name = b
        .ctx
        .live
        .get(&b.ctx.id(&resource.address))
        .and_then(|live| live.pointer("/properties/privateLinkServiceConnections/0/name"))
        .and_then(Value::as_str)
        .unwrap_or(&resource.name)
        .to_string();
    body["properties"] = json!({
        "subnet": { "id": b.ctx.target_id(&pe.subnet) },
        "privateLinkServiceConnections": [{
            "name": name,
            "properties": {
                "privateLinkServiceId": b.ctx.target_id(&pe.target),
                "groupIds": [pe.group_id],
            },
        }],
    });
    // Settings the spec does not write, sent back as they are live: a PUT replaces the
    // endpoint, and static addresses, the NIC's name or its application security groups must
    // not be reset by an update of the tags.
    if let Some(live) = b.ctx.live.get(&b.ctx.id(&resource.address)) {
        for key in KEPT {
            match live.pointer(&format!("/properties/{key}")) {
                None | Some(Value::Null) => {}
                Some(Value::Array(a)) if a.is_empty() => {}
                Some(value) => body["properties"][key] = value.clone(),
            }
        }
    }
    body
}

/// PrivateEndpointProperties the spec leaves as they are (write them with `raw:`).
const KEPT: [&str; 4] = [
    "ipConfigurations",
    "customNetworkInterfaceName",
    "applicationSecurityGroups",
    "ipVersionType",
];

pub fn zone_group_body(b: &BodyBuilder<'_, '_>, group: &PrivateDnsZoneGroup) -> Value {
    let mut configs: Vec<(String, Value)> = group
        .zones
        .iter()
        .map(|zone| {
            let id = b.ctx.target_id(zone);
            let name = id.rsplit('/').next().unwrap_or_default().replace('.', "-");
            (
                id.to_ascii_lowercase(),
                json!({ "name": name, "properties": { "privateDnsZoneId": id } }),
            )
        })
        .collect();
    // In ID order, so the body does not depend on how the spec lists them.
    configs.sort_by(|a, b| a.0.cmp(&b.0));
    json!({ "properties": {
        "privateDnsZoneConfigs": configs.into_iter().map(|(_, c)| c).collect::<Vec<_>>(),
    }})
}

/// The NIC Azure made and the addresses it answers on (read-only, PrivateEndpointProperties).
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    let mut out = super::outputs_at(
        body,
        &[("provisioningState", "properties.provisioningState")],
    );
    if let Some(nic) = body.pointer("/properties/networkInterfaces/0/id") {
        out.push(("networkInterfaceId".into(), nic.clone()));
    }
    if let Some(ip) = body.pointer("/properties/customDnsConfigs/0/ipAddresses/0") {
        out.push(("privateIpAddress".into(), ip.clone()));
    }
    out
}

/// Why an endpoint is not connected: an automatic connection whose
/// `privateLinkServiceConnectionState.status` is not `Approved`. The spec's
/// PrivateLinkServiceConnectionState (privateEndpoint.json / privateLinkService.json: "Indicates
/// whether the connection has been Approved/Rejected/Removed by the owner of the service") and
/// Learn "Manage a Private Endpoint connection"
/// (https://learn.microsoft.com/azure/private-link/manage-private-endpoint: the consumer-side
/// states Pending, Approved, Rejected and Disconnected, and "the service provider can also change
/// the connection state of private endpoint connection at a later time without consumer
/// intervention"); only an approved connection carries traffic, while the endpoint's own
/// provisioningState stays `Succeeded`. azplan writes only automatic connections
/// (`privateLinkServiceConnections`), which Azure approves when made; anything else there means
/// the target's owner rejected or removed it since.
pub fn unapproved_connection(body: &Value) -> Option<String> {
    let connections = body
        .pointer("/properties/privateLinkServiceConnections")
        .and_then(Value::as_array)?;
    let bad: Vec<String> = connections
        .iter()
        .filter_map(|c| {
            let status = c
                .pointer("/properties/privateLinkServiceConnectionState/status")
                .and_then(Value::as_str)?;
            (!status.eq_ignore_ascii_case("Approved")).then(|| {
                let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
                format!("connection `{name}` is {status}")
            })
        })
        .collect();
    (!bad.is_empty()).then(|| bad.join(", "))
}

/// Whether an endpoint the stack keeps owns its undeclared zone groups.
pub fn owns_zone_groups(resource: &Resource) -> bool {
    matches!(&resource.spec, Spec::PrivateEndpoint(pe) if pe.owns_zone_groups)
}

// Building the model from the spec.

impl Builder<'_> {
    pub(crate) fn declare_private_endpoints(&mut self, entries: &[Entry<RawPrivateEndpoint>]) {
        for e in entries {
            self.declare(
                Address::new(Kind::PrivateEndpoint, &e.key.value),
                e.key.span,
                None,
            );
            if let Some(zones) = &e.spec.dns_zones
                && !zones.value.is_empty()
            {
                self.declare(
                    Address::child(Kind::PrivateDnsZoneGroup, &e.key.value, ZONE_GROUP),
                    zones.span,
                    None,
                );
            }
        }
    }

    /// Builds every endpoint and its zone group, after the subnets, zones and targets.
    pub(crate) fn private_endpoints(&mut self, entries: &[Entry<RawPrivateEndpoint>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::PrivateEndpoint,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 64, "a private endpoint name is 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
            );
            let mut deps = std::mem::take(&mut resource.dependencies);
            let subnet = self.resolve_or_id(&s.subnet, &[Kind::Subnet], &mut deps);
            let target = self.endpoint_target(&s.target, &mut deps);
            resource.dependencies = deps;
            let group_id = target
                .as_ref()
                .and_then(|(_, arm_type)| self.group_id(s, arm_type.as_deref()));
            let (Some(subnet), Some((target, arm_type)), Some(group_id)) =
                (subnet, target, group_id)
            else {
                continue;
            };
            if let Some(zones) = &s.dns_zones
                && !zones.value.is_empty()
            {
                self.zone_group(entry, &resource, zones, arm_type.as_deref(), &group_id);
            }
            resource.spec = Spec::PrivateEndpoint(PrivateEndpoint {
                subnet,
                target,
                group_id,
                owns_zone_groups: s.dns_zones.is_some(),
            });
            self.insert(resource);
        }
    }

    /// The endpoint's target and its ARM type when known: a key vault, a registry, an
    /// `existing/` entry or any ARM ID (private link serves many types azplan does not model).
    fn endpoint_target(
        &mut self,
        text: &Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<(Target, Option<String>)> {
        if let Ok(Parsed::ArmId(id)) = reference::parse(&text.value) {
            self.wait_for_group_of(id, text.span, deps);
            return Some((Target::ArmId(id.to_string()), arm_type_of(id)));
        }
        let target = self.resolve(
            text,
            &[Kind::KeyVault, Kind::Registry, Kind::Existing],
            deps,
        )?;
        let arm_type = match &target {
            Target::Node(a) if a.kind == Kind::Existing => self
                .symbols
                .get(&Address::new(Kind::Existing, &a.name))
                .and_then(|s| s.arm_type.clone()),
            Target::Node(a) => a
                .kind
                .def()
                .arm
                .first()
                .map(|t| t.path.to_ascii_lowercase()),
            Target::ArmId(id) => arm_type_of(id),
        };
        Some((target, arm_type))
    }

    /// `groupId:`, or the one sub-resource a key vault or registry offers.
    fn group_id(&mut self, s: &RawPrivateEndpoint, arm_type: Option<&str>) -> Option<String> {
        if let Some(g) = &s.group_id {
            if g.value.trim().is_empty() {
                self.error(SpecDiagnostic::invalid(
                    "the group ID is empty",
                    g.span,
                    "empty",
                    "write the target's sub-resource, e.g. `groupId: vault`",
                ));
                return None;
            }
            return Some(g.value.clone());
        }
        let known = ZONE_OF_GROUP
            .iter()
            .find(|(t, _, _)| arm_type.is_some_and(|a| a.eq_ignore_ascii_case(t)));
        match known {
            Some((_, group, _)) => Some((*group).to_string()),
            None => {
                self.error(SpecDiagnostic::error_at(
                    Code::MissingField,
                    "a private endpoint to this target needs `groupId`",
                    s.target.span,
                    "no default sub-resource for this type",
                    "add `groupId:` with the target's sub-resource (Learn \"Azure Private Endpoint private DNS zone values\" lists them, e.g. `blob` for a storage account)",
                ));
                None
            }
        }
    }

    /// The endpoint's zone group: each zone a private DNS zone; a zone whose name is not the one
    /// Learn gives for the sub-resource is a warning.
    fn zone_group(
        &mut self,
        entry: &Entry<RawPrivateEndpoint>,
        endpoint: &Resource,
        zones: &Spanned<Vec<Spanned<String>>>,
        arm_type: Option<&str>,
        group_id: &str,
    ) {
        let mut deps = vec![Dependency {
            on: endpoint.address.clone(),
            span: zones.span,
            explicit: false,
        }];
        let expected = ZONE_OF_GROUP
            .iter()
            .find(|(t, g, _)| {
                arm_type.is_some_and(|a| a.eq_ignore_ascii_case(t))
                    && g.eq_ignore_ascii_case(group_id)
            })
            .map(|(_, _, zone)| *zone);
        let mut targets = Vec::new();
        for text in &zones.value {
            let Some(target) = self.resolve_or_id(text, &[Kind::DnsZone], &mut deps) else {
                continue;
            };
            let (name, private) = match &target {
                Target::Node(a) if a.kind == Kind::DnsZone => {
                    match self.resources.get(a) {
                        Some(r) => (
                            r.name.clone(),
                            matches!(&r.spec, Spec::DnsZone(z) if z.private),
                        ),
                        // Unreadable: reported already.
                        None => (String::new(), true),
                    }
                }
                Target::Node(a) => {
                    let t = self
                        .symbols
                        .get(&Address::new(Kind::Existing, &a.name))
                        .and_then(|s| s.arm_type.clone())
                        .unwrap_or_default();
                    (
                        String::new(),
                        t.eq_ignore_ascii_case("microsoft.network/privatednszones"),
                    )
                }
                Target::ArmId(id) => (
                    id.rsplit('/').next().unwrap_or_default().to_string(),
                    arm_type_of(id).is_some_and(|t| t == "microsoft.network/privatednszones"),
                ),
            };
            // PrivateDnsZoneConfigProperties.privateDnsZoneId: "The resource id of the private
            // dns zone" (privateEndpoint.json); a public zone is not one.
            if !private {
                self.error(SpecDiagnostic::error_at(
                    Code::WrongReferenceKind,
                    format!("`{}` is not a private DNS zone", text.value),
                    text.span,
                    "a zone group takes private DNS zones",
                    "give the zone `private: true`, or point at a `Microsoft.Network/privateDnsZones` zone",
                ));
                continue;
            }
            if let Some(zone) = expected
                && !name.is_empty()
                && !name.eq_ignore_ascii_case(zone)
            {
                self.error(
                    SpecDiagnostic::new(
                        Code::PrivateDnsZoneName,
                        format!("zone `{name}` is not the private DNS zone for `{group_id}`"),
                    )
                    .at(text.span, format!("Azure's zone for `{group_id}` is `{zone}`"))
                    .help(format!(
                        "in Azure's public cloud, `{group_id}` endpoints resolve through `{zone}` (Learn \"Azure Private Endpoint private DNS zone values\"); other clouds use their own names, so acknowledge this warning there"
                    )),
                );
            }
            targets.push(target);
        }
        self.insert(Resource {
            address: Address::child(Kind::PrivateDnsZoneGroup, &entry.key.value, ZONE_GROUP),
            name: ZONE_GROUP.to_string(),
            span: zones.span,
            origin: Origin::Declared,
            resource_group: endpoint.resource_group.clone(),
            location: None,
            tags: BTreeMap::new(),
            protect: endpoint.protect,
            raw: None,
            dependencies: deps,
            spec: Spec::PrivateDnsZoneGroup(PrivateDnsZoneGroup { zones: targets }),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(status: &str) -> Value {
        json!({"properties": {"provisioningState": "Succeeded", "privateLinkServiceConnections": [
            {"name": "pe", "properties": {"privateLinkServiceConnectionState": {"status": status}}}
        ]}})
    }

    #[test]
    fn only_approved_connections_are_converged() {
        assert_eq!(unapproved_connection(&endpoint("Approved")), None);
        assert_eq!(unapproved_connection(&endpoint("approved")), None);
        for status in ["Pending", "Rejected", "Disconnected"] {
            assert_eq!(
                unapproved_connection(&endpoint(status)),
                Some(format!("connection `pe` is {status}"))
            );
        }
        // Through the per-kind hook, by ARM type; other kinds have none.
        let arm = Kind::PrivateEndpoint.def().arm[0].path;
        assert!(crate::kinds::unconverged(arm, &endpoint("Rejected")).is_some());
        assert!(
            crate::kinds::unconverged("Microsoft.Network/virtualNetworks", &endpoint("Rejected"))
                .is_none()
        );
    }

    #[test]
    fn zone_groups_go_with_their_deleted_endpoint_only() {
        let endpoint = Kind::PrivateEndpoint.def().arm[0].path;
        assert!(crate::kinds::goes_with_deleted_parent(
            Kind::PrivateDnsZoneGroup,
            endpoint
        ));
        assert!(!crate::kinds::goes_with_deleted_parent(
            Kind::VnetPeering,
            "Microsoft.Network/virtualNetworks"
        ));
    }
}
