//! Microsoft.Network/privateDnsZones/{zone}/{recordType}/{name}: record sets of a private DNS zone
//! (Private DNS `RecordSets_*`, every stable api-version), the small compare-and-swap resource
//! clients build locks on, so the concurrency rules follow the spec exactly:
//!
//! - PUT (`CreateOrUpdateSync`, 200/201) honours `If-Match: <etag>` ("Specify the last-seen ETag
//!   value to prevent accidentally overwriting any concurrent changes") and `If-None-Match: *`
//!   ("allow a new record set to be created, but to prevent updating an existing record set");
//!   PATCH (`RecordSets_Update`, 200) and DELETE (`DeleteSync`, 200/204) honour `If-Match`.
//!   Source: `specification/privatedns/resource-manager/Microsoft.Network/PrivateDns/RecordSet.tsp`.
//! - Every successful write renews the etag (Learn "Azure DNS zones and records", Etags: "each
//!   update to a resource results in the Etag being regenerated").
//! - The precondition check and the write happen under the one state lock, so two clients racing
//!   `If-None-Match: *` get exactly one 201 and one 412.
//! - A zone is created with its SOA record set `@` (RecordSetSOAGet.json); SOA can be updated but
//!   neither created nor deleted; deleting the zone deletes its record sets (`PrivateZones_Delete`:
//!   "All DNS records in the zone will also be deleted").
//! - Errors from the Private DNS provider come without ARM's `error` wrapper, as the service sends
//!   them (a record-set GET 404 logged in Azure/azure-cli#27374:
//!   `{"code":"NotFound","message":"The resource record '…' does not exist in resource group '…' of
//!   subscription '…'."}`).

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written, paged};
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::{Record, State};

/// The `RecordType` enum of the Private DNS spec, in its casing.
const RECORD_TYPES: [&str; 8] = ["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT"];

/// The canonical record type for a path segment (case-insensitive), if it is one.
pub(crate) fn record_type(segment: &str) -> Option<&'static str> {
    RECORD_TYPES
        .into_iter()
        .find(|t| t.eq_ignore_ascii_case(segment))
}

/// The record type of a record set id (`…/privateDnsZones/{zone}/{type}/{name}`).
pub(crate) fn type_of(id: &str) -> &'static str {
    id.rsplit('/').nth(1).and_then(record_type).unwrap_or("A")
}

/// `Microsoft.Network/privateDnsZones/TXT`, the `type` the service answers with.
pub(crate) fn arm_type(record_type: &str) -> String {
    format!("Microsoft.Network/privateDnsZones/{record_type}")
}

/// The property that holds the records of a type (RecordSetProperties in the spec).
fn records_field(record_type: &str) -> &'static str {
    match record_type {
        "A" => "aRecords",
        "AAAA" => "aaaaRecords",
        "CNAME" => "cnameRecord",
        "MX" => "mxRecords",
        "PTR" => "ptrRecords",
        "SOA" => "soaRecord",
        "SRV" => "srvRecords",
        _ => "txtRecords",
    }
}

fn zone_name(target: &Target) -> &str {
    target
        .parent_id
        .as_deref()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("")
}

fn fqdn(name: &str, zone: &str) -> String {
    let zone = zone.trim_end_matches('.').to_lowercase();
    if name == "@" {
        format!("{zone}.")
    } else {
        format!("{name}.{zone}.")
    }
}

/// 404 for a record set that is not there, in the Private DNS provider's words.
pub(crate) fn not_found(target: &Target) -> ArmError {
    ArmError::new(
        404,
        "NotFound",
        format!(
            "The resource record '{}.{}' does not exist in resource group '{}' of subscription '{}'.",
            target.name,
            zone_name(target),
            target.resource_group.as_deref().unwrap_or(""),
            target.subscription
        ),
    )
    .flat()
}

fn bad_request(message: String) -> ArmError {
    ArmError::bad_request("BadRequest", message).flat()
}

/// The zone a record set lives in; the parent check ARM applies to nested resources.
fn zone<'s>(state: &'s State, target: &Target) -> Result<&'s Record, ArmError> {
    common::parent_record(state, target)
}

fn check_ttl(props: &Map<String, Value>) -> Result<(), ArmError> {
    match props.get("ttl") {
        None | Some(Value::Null) => Ok(()),
        // RecordSetProperties.ttl is an int64; DNS TTLs are unsigned 32-bit (RFC 2181 §8).
        Some(v) if v.as_u64().is_some_and(|t| t <= 2_147_483_647) => Ok(()),
        Some(v) => Err(bad_request(format!(
            "The value '{v}' of the TTL is invalid. The TTL must be an integer between 0 and 2147483647."
        ))),
    }
}

fn check_metadata(props: &Map<String, Value>) -> Result<(), ArmError> {
    match props.get("metadata") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => Ok(()),
        Some(_) => Err(ArmError::invalid_body(
            "'properties.metadata' must be an object of strings",
        )),
    }
}

/// The stored properties for a PUT body: only the record type's own field survives, plus the
/// read-only values the service computes.
fn properties(
    target: &Target,
    record_type: &str,
    given: &Map<String, Value>,
) -> Result<Map<String, Value>, ArmError> {
    check_ttl(given)?;
    check_metadata(given)?;
    let field = records_field(record_type);
    let mut out = Map::new();
    for key in ["metadata", "ttl"] {
        if let Some(v) = given.get(key).filter(|v| !v.is_null()) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert("fqdn".into(), json!(fqdn(&target.name, zone_name(target))));
    out.insert("isAutoRegistered".into(), json!(false));
    match given.get(field) {
        None | Some(Value::Null) => {
            // Record-list types answer with an empty list once created (RecordSetAList.json shows
            // lists; an empty set is valid: azure-powershell Test-RecordSetCrud creates one).
            if !matches!(record_type, "CNAME" | "SOA") {
                out.insert(field.into(), json!([]));
            }
        }
        Some(v @ Value::Array(_)) if !matches!(record_type, "CNAME" | "SOA") => {
            out.insert(field.into(), v.clone());
        }
        Some(v @ Value::Object(_)) if matches!(record_type, "CNAME" | "SOA") => {
            out.insert(field.into(), v.clone());
        }
        Some(_) => {
            return Err(ArmError::invalid_body(&format!(
                "'properties.{field}' has the wrong shape for a record set of type {record_type}"
            )));
        }
    }
    Ok(out)
}

fn body(target: &Target, record_type: &str, props: Map<String, Value>) -> Value {
    json!({
        "id": target.id,
        "name": target.name,
        "type": arm_type(record_type),
        "etag": common::new_guid(),
        "properties": Value::Object(props),
    })
}

/// `RecordSets_CreateOrUpdate` (preconditions were checked by the caller under the same lock).
pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    request: &Value,
) -> Result<Written, ArmError> {
    zone(state, target)?;
    let record_type = type_of(&target.id);
    let key = target.key();
    let existing = state.get(&key);
    if record_type == "SOA" && (target.name != "@" || existing.is_none()) {
        return Err(bad_request(
            "There can be only one record set of type SOA, and it can be modified but not deleted."
                .into(),
        ));
    }
    let created = existing.is_none();
    let given = common::properties(request)?;
    let props = properties(target, record_type, &given)?;
    state.put(
        key,
        target.id.clone(),
        Kind::PrivateDnsRecordSet,
        body(target, record_type, props),
        ctx.now,
    );
    Ok(Written::new(Kind::PrivateDnsRecordSet, created))
}

/// `RecordSets_Update`: each property present in the body replaces the stored one
/// (RecordSetTXTPatch.json: `metadata` {key2} replaces {key1}; `ttl` and `txtRecords` stay).
pub(crate) fn patch(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    request: &Value,
) -> Result<Reply, ArmError> {
    zone(state, target)?;
    let key = target.key();
    let record = state.get(&key).ok_or_else(|| not_found(target))?;
    let record_type = type_of(&target.id);
    let mut props = common::properties(&record.body)?;
    let given = common::properties(request)?;
    check_ttl(&given)?;
    check_metadata(&given)?;
    let field = records_field(record_type);
    for (k, v) in given {
        if k == "metadata" || k == "ttl" || k == field {
            if v.is_null() {
                props.remove(&k);
            } else {
                props.insert(k, v);
            }
        }
    }
    let updated = body(target, record_type, props);
    state.put(
        key.clone(),
        record.id.clone(),
        Kind::PrivateDnsRecordSet,
        updated,
        ctx.now,
    );
    let record = state.get(&key).ok_or_else(|| not_found(target))?;
    Ok(with_etag(
        Reply::json(200, record.body.clone()),
        &record.body,
    ))
}

/// Adds the `ETag` response header a conditional client reads back.
pub(crate) fn with_etag(mut reply: Reply, body: &Value) -> Reply {
    if let Some(etag) = body.get("etag").and_then(Value::as_str) {
        reply.headers.push(("ETag".into(), etag.to_string()));
    }
    reply
}

/// SOA is the one record set that cannot be deleted (azure-powershell PrivateDns
/// Test-RecordSetSOA: "Record sets of type 'SOA' with name '@' cannot be deleted.").
pub(crate) fn before_delete(target: &Target) -> Result<(), ArmError> {
    if type_of(&target.id) == "SOA" {
        return Err(bad_request(format!(
            "Record sets of type 'SOA' with name '{}' cannot be deleted.",
            target.name
        )));
    }
    Ok(())
}

/// The SOA record set `@` every new zone starts with (RecordSetSOAGet.json, 2024-06-01).
pub(crate) fn create_soa(state: &mut State, ctx: &Ctx, zone: &Target) {
    let id = format!("{}/SOA/@", zone.id);
    let target = Target {
        kind: Kind::PrivateDnsRecordSet,
        subscription: zone.subscription.clone(),
        resource_group: zone.resource_group.clone(),
        id: id.clone(),
        name: "@".into(),
        parent_id: Some(zone.id.clone()),
    };
    let props = json!({
        "fqdn": fqdn("@", &zone.name),
        "isAutoRegistered": false,
        "soaRecord": {
            "email": "azureprivatedns-hostmaster.microsoft.com",
            "expireTime": 2419200,
            "host": "azureprivatedns.net",
            "minimumTtl": 300,
            "refreshTime": 3600,
            "retryTime": 300,
            "serialNumber": 1
        },
        "ttl": 3600
    });
    let props = props.as_object().cloned().unwrap_or_default();
    state.put(
        id.to_ascii_lowercase(),
        id,
        Kind::PrivateDnsRecordSet,
        body(&target, "SOA", props),
        ctx.now,
    );
}

/// `RecordSets_ListByType` and `RecordSets_List` (`…/ALL`): `$top` ("If not specified, returns up
/// to 100 record sets") and `$recordsetnamesuffix` (names that end with `.<suffix>`).
pub(crate) fn list(
    state: &State,
    ctx: &Ctx,
    zone_id: &str,
    record_type: Option<&str>,
) -> Result<Reply, ArmError> {
    let zone_key = zone_id.to_ascii_lowercase();
    if state.get(&zone_key).is_none() {
        return Err(ArmError::new(
            404,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                zone_id.rsplit('/').next().unwrap_or("")
            ),
        ));
    }
    let top = match ctx.query.get("$top") {
        None => 100,
        Some(t) => t.parse::<usize>().map_err(|_| {
            bad_request(format!(
                "The value '{t}' of the query parameter '$top' is invalid."
            ))
        })?,
    };
    let suffix = ctx
        .query
        .get("$recordsetnamesuffix")
        .map(|s| s.trim_start_matches('.').to_lowercase());
    let value: Vec<Value> = state
        .children(&zone_key, Kind::PrivateDnsRecordSet)
        .into_iter()
        .filter(|r| record_type.is_none_or(|t| type_of(&r.id) == t))
        .filter(|r| {
            let name = r.body["name"].as_str().unwrap_or("").to_lowercase();
            suffix
                .as_deref()
                .is_none_or(|s| name == s || name.ends_with(&format!(".{s}")))
        })
        .take(top)
        .map(|r| r.body.clone())
        .collect();
    Ok(paged(ctx, value))
}

/// How many record sets a zone holds (`numberOfRecordSets`, SOA included).
pub(crate) fn count(state: &State, zone_key: &str) -> usize {
    state.children(zone_key, Kind::PrivateDnsRecordSet).len()
}
