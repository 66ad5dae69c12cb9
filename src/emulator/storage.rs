//! Microsoft.Storage/storageAccounts (stable/2026-09-01/openapi.json). StorageAccounts_Create is
//! a long-running operation (x-ms-long-running-operation, final-state-via location): a new
//! account answers 202 + Location + Retry-After with no body and is `Creating` until the
//! operation ends; a PUT to an existing account updates it ("If an account is already created
//! and a subsequent create request is issued with different properties, the account properties
//! will be updated") and answers 200 with the account. StorageAccounts_Update (PATCH) answers 200
//! with the account, StorageAccounts_Delete 200 or 204, no LRO. The service fills in the
//! read-only `primaryEndpoints`, `primaryLocation`, `statusOfPrimary`, `creationTime`,
//! `keyCreationTime` and `sku.tier`, in the shape of the official StorageAccountCreate and
//! StorageAccountGetProperties examples. Account names are global (one DNS name each).

use serde_json::{Map, Value, json};

use crate::emulator::clock;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written};
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::{Record, State};

/// `readOnly` in StorageAccountProperties: what a client sends there is ignored.
const READ_ONLY: [&str; 18] = [
    "provisioningState",
    "primaryEndpoints",
    "primaryLocation",
    "statusOfPrimary",
    "lastGeoFailoverTime",
    "secondaryLocation",
    "statusOfSecondary",
    "creationTime",
    "keyCreationTime",
    "secondaryEndpoints",
    "geoReplicationStats",
    "failoverInProgress",
    "privateEndpointConnections",
    "blobRestoreStatus",
    "isSkuConversionBlocked",
    "accountMigrationInProgress",
    "storageAccountSkuConversionStatus",
    "primaryEndpointsIpv6",
];

/// SkuName (2026-09-01).
const SKUS: [&str; 14] = [
    "Standard_LRS",
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
    "StandardV2_LRS",
    "StandardV2_GRS",
    "StandardV2_ZRS",
    "StandardV2_GZRS",
    "PremiumV2_LRS",
    "PremiumV2_ZRS",
];

/// Kind (2026-09-01).
const KINDS: [&str; 5] = [
    "Storage",
    "StorageV2",
    "BlobStorage",
    "FileStorage",
    "BlockBlobStorage",
];

const ACCESS_TIERS: [&str; 5] = ["Hot", "Cool", "Premium", "Cold", "Smart"];
const TLS_VERSIONS: [&str; 4] = ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"];
const PUBLIC_NETWORK_ACCESS: [&str; 3] = ["Enabled", "Disabled", "SecuredByPerimeter"];
const DEFAULT_ACTIONS: [&str; 2] = ["Allow", "Deny"];
const BYPASS: [&str; 4] = ["None", "Logging", "Metrics", "AzureServices"];

/// StorageAccounts_CheckNameAvailability: `{name, type: Microsoft.Storage/storageAccounts}` in,
/// CheckNameAvailabilityResult out (200).
pub(crate) fn check_name_availability(
    state: &State,
    method: &str,
    body: Option<&Value>,
) -> Result<Reply, ArmError> {
    if method != "POST" {
        return Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not supported here."),
        ));
    }
    let body = body.ok_or_else(|| ArmError::invalid_body("the request body is missing"))?;
    let name = common::str_at(body, &["name"]).ok_or_else(|| ArmError::missing_property("name"))?;
    let kind = common::str_at(body, &["type"]).ok_or_else(|| ArmError::missing_property("type"))?;
    // StorageAccountCheckNameAvailabilityParameters.type: an enum of one value.
    if !kind.eq_ignore_ascii_case("Microsoft.Storage/storageAccounts") {
        return Err(ArmError::bad_request(
            "InvalidRequestPropertyValue",
            format!(
                "The value '{kind}' is not allowed for property type. Allowed values: Microsoft.Storage/storageAccounts."
            ),
        ));
    }
    Ok(Reply::json(200, name_available(state, name)))
}

/// CheckNameAvailabilityResult: `nameAvailable`, and `reason` (`AccountNameInvalid`,
/// `AlreadyExists`) with a message when it is not (StorageAccountCheckNameAvailability.json).
fn name_available(state: &State, name: &str) -> Value {
    if check_name(name).is_err() {
        return json!({
            "nameAvailable": false,
            "reason": "AccountNameInvalid",
            "message": invalid_name_message(name),
        });
    }
    if holder(state, name, None).is_some() {
        return json!({
            "nameAvailable": false,
            "reason": "AlreadyExists",
            "message": format!("The storage account named {name} is already taken."),
        });
    }
    json!({"nameAvailable": true})
}

/// Learn, "Resolve errors for storage account names": AccountNameInvalid with this message.
fn invalid_name_message(name: &str) -> String {
    format!(
        "{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only."
    )
}

/// The `accountName` path parameter: minLength 3, maxLength 24, pattern `^[a-z0-9]+$`.
fn check_name(name: &str) -> Result<(), ArmError> {
    let ok = (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "AccountNameInvalid",
            invalid_name_message(name),
        ))
    }
}

/// Another account of the name anywhere (any group, any subscription): the name is the
/// account's DNS name (`NAME.blob.core.windows.net`).
fn holder<'s>(state: &'s State, name: &str, except: Option<&str>) -> Option<&'s Record> {
    let name = name.to_ascii_lowercase();
    state.resources.iter().find_map(|(k, r)| {
        (r.kind == Kind::StorageAccount
            && Some(k.as_str()) != except
            && k.rsplit('/').next() == Some(name.as_str()))
        .then_some(r)
    })
}

/// The canonical spelling of `value` among `allowed` (the service takes any case), or the
/// refusal naming the property.
fn one_of(value: &Value, allowed: &[&'static str], path: &str) -> Result<&'static str, ArmError> {
    let text = value
        .as_str()
        .ok_or_else(|| ArmError::invalid_body(&format!("'{path}' must be a string")))?;
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(text))
        .copied()
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidRequestPropertyValue",
                format!(
                    "The value '{text}' is not allowed for property {path}. Allowed values: {}.",
                    allowed.join(", ")
                ),
            )
        })
}

fn is_private(ip: std::net::Ipv4Addr) -> bool {
    ip.is_private()
}

/// NetworkRuleSet as stored: `defaultAction` required, `bypass` default AzureServices, rules
/// with their `action` (only `Allow`) and a virtual network rule's `state`. Refusals as the
/// service answers them where captured (SubnetsHaveNoServiceEndpointsConfigured, quoted in
/// public Terraform code); the IP rule wording is the emulator's, after Learn's "Guidelines and
/// limitations for the Azure Storage firewall" (no /31 or /32, no RFC 1918 ranges). The other
/// NetworkRuleSet fields (`resourceAccessRules`, `ipv6Rules`) are stored and answered as sent,
/// as StorageAccountGetProperties.json answers its resource access rule; a PUT that leaves them
/// out replaces the rule set without them.
fn network_acls(state: &State, acls: Option<&Value>) -> Result<Value, ArmError> {
    let Some(acls) = acls.filter(|a| !a.is_null()) else {
        return Ok(json!({
            "bypass": "AzureServices",
            "virtualNetworkRules": [],
            "ipRules": [],
            "defaultAction": "Allow",
        }));
    };
    let default_action = acls
        .get("defaultAction")
        .ok_or_else(|| ArmError::missing_property("properties.networkAcls.defaultAction"))?;
    let default_action = one_of(
        default_action,
        &DEFAULT_ACTIONS,
        "properties.networkAcls.defaultAction",
    )?;
    let bypass = match acls.get("bypass").and_then(Value::as_str) {
        None => "AzureServices".to_string(),
        Some(text) => {
            let mut parts = Vec::new();
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                parts.push(one_of(
                    &json!(part),
                    &BYPASS,
                    "properties.networkAcls.bypass",
                )?);
            }
            parts.join(", ")
        }
    };
    let mut ip_rules = Vec::new();
    for rule in acls
        .get("ipRules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = rule
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| ArmError::missing_property("properties.networkAcls.ipRules[].value"))?;
        let (address, prefix) = match value.split_once('/') {
            Some((a, p)) => (a, p.parse::<u8>().ok()),
            None => (value, Some(32)),
        };
        let ip = address.parse::<std::net::Ipv4Addr>().ok();
        let bad = match (ip, prefix) {
            (None, _) | (_, None) => Some("is not an IPv4 address or range"),
            (Some(_), Some(p)) if p > 32 => Some("is not an IPv4 address or range"),
            (Some(_), Some(31 | 32)) if value.contains('/') => {
                Some("uses a /31 or /32 prefix; write the address without one")
            }
            (Some(ip), _) if is_private(ip) => Some("is a private (RFC 1918) address"),
            _ => None,
        };
        if let Some(why) = bad {
            return Err(ArmError::bad_request(
                "NetworkAclsValidationFailure",
                format!("Validation of network acls failure: the IP rule '{value}' {why}."),
            ));
        }
        ip_rules.push(json!({"value": value, "action": "Allow"}));
    }
    let mut vnet_rules = Vec::new();
    let mut missing = Vec::new();
    for rule in acls
        .get("virtualNetworkRules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = rule.get("id").and_then(Value::as_str).ok_or_else(|| {
            ArmError::missing_property("properties.networkAcls.virtualNetworkRules[].id")
        })?;
        if let Some(subnet) = state.get(&id.to_ascii_lowercase()) {
            let has_endpoint = subnet
                .body
                .pointer("/properties/serviceEndpoints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| e.get("service").and_then(Value::as_str))
                .any(|s| {
                    s.eq_ignore_ascii_case("Microsoft.Storage")
                        || s.eq_ignore_ascii_case("Microsoft.Storage.Global")
                });
            if !has_endpoint {
                missing.push(id.to_string());
            }
        }
        vnet_rules.push(json!({"id": id, "action": "Allow", "state": "Succeeded"}));
    }
    if let Some(first) = missing.first() {
        let (vnet, _) = first.rsplit_once("/subnets/").unwrap_or((first, ""));
        let names: Vec<&str> = missing
            .iter()
            .filter_map(|id| id.rsplit('/').next())
            .collect();
        return Err(ArmError::bad_request(
            "NetworkAclsValidationFailure",
            format!(
                "Validation of network acls failure: SubnetsHaveNoServiceEndpointsConfigured:Subnets {} of virtual network {vnet} do not have ServiceEndpoints for Microsoft.Storage resources configured. Add Microsoft.Storage to subnet's ServiceEndpoints collection before trying to ACL Microsoft.Storage resources to these subnets..",
                names.join(", ")
            ),
        ));
    }
    let mut out = acls.as_object().cloned().unwrap_or_default();
    out.insert("bypass".into(), json!(bypass));
    out.insert("virtualNetworkRules".into(), Value::Array(vnet_rules));
    out.insert("ipRules".into(), Value::Array(ip_rules));
    out.insert("defaultAction".into(), json!(default_action));
    Ok(Value::Object(out))
}

/// Endpoints (Endpoints) by kind, as the official examples answer them: a general-purpose
/// account has all six services, premium block blobs blob, dfs and web
/// (StorageAccountCreatePremiumBlockBlobStorage.json), premium files the file service.
fn services(kind: &str) -> &'static [&'static str] {
    match kind {
        "BlockBlobStorage" => &["blob", "dfs", "web"],
        "FileStorage" => &["file"],
        "BlobStorage" => &["blob", "dfs", "table"],
        _ => &["blob", "dfs", "file", "queue", "table", "web"],
    }
}

fn urls(host: &str, services: &[&str]) -> Map<String, Value> {
    services
        .iter()
        .map(|s| {
            (
                (*s).to_string(),
                json!(format!("https://{host}.{s}.core.windows.net/")),
            )
        })
        .collect()
}

/// The read-only endpoints and locations an account answers with, from its name, kind, SKU and
/// routing preference: RoutingPreference's publishMicrosoftEndpoints / publishInternetEndpoints
/// add `microsoftEndpoints` (every service) and `internetEndpoints` (blob, dfs, file, web), as in
/// StorageAccountCreate.json; GRS and GZRS name a secondary region, RA-GRS and RA-GZRS
/// secondary endpoints ("Only available if the SKU name is Standard_RAGRS").
fn refresh(name: &str, kind: &str, sku: &str, location: &str, props: &mut Map<String, Value>) {
    let mut primary = urls(name, services(kind));
    let routing = props
        .get("routingPreference")
        .cloned()
        .unwrap_or(Value::Null);
    if routing["publishMicrosoftEndpoints"] == json!(true) {
        let host = format!("{name}-microsoftrouting");
        primary.insert(
            "microsoftEndpoints".into(),
            Value::Object(urls(&host, services(kind))),
        );
    }
    if routing["publishInternetEndpoints"] == json!(true) {
        let host = format!("{name}-internetrouting");
        let internet: Vec<&str> = services(kind)
            .iter()
            .copied()
            .filter(|s| matches!(*s, "blob" | "dfs" | "file" | "web"))
            .collect();
        primary.insert(
            "internetEndpoints".into(),
            Value::Object(urls(&host, &internet)),
        );
    }
    props.insert("primaryEndpoints".into(), Value::Object(primary));
    props.insert("primaryLocation".into(), json!(location));
    props.insert("statusOfPrimary".into(), json!("available"));
    if sku.contains("GRS") || sku.contains("GZRS") {
        // The paired region; the emulator names no real pair.
        if !props.contains_key("secondaryLocation") {
            props.insert(
                "secondaryLocation".into(),
                json!(format!("{location}-paired")),
            );
        }
        props.insert("statusOfSecondary".into(), json!("available"));
    } else {
        props.remove("secondaryLocation");
        props.remove("statusOfSecondary");
    }
    if sku.contains("RAG") {
        props.insert(
            "secondaryEndpoints".into(),
            Value::Object(urls(&format!("{name}-secondary"), services(kind))),
        );
    } else {
        props.remove("secondaryEndpoints");
    }
}

/// Encryption at rest is always on ("Azure Storage encryption at rest is enabled by default for
/// all storage accounts and cannot be disabled", StorageAccountPropertiesUpdateParameters); each
/// enabled service answers when it was enabled (`lastEnabledTime`, read-only).
fn stamp_encryption(encryption: &mut Value, at: &Value) {
    if let Some(services) = encryption
        .get_mut("services")
        .and_then(Value::as_object_mut)
    {
        for service in services.values_mut() {
            if service.get("enabled") == Some(&json!(true))
                && service.get("lastEnabledTime").is_none()
                && let Some(m) = service.as_object_mut()
            {
                m.insert("lastEnabledTime".into(), at.clone());
            }
        }
    }
}

fn check_changes(
    old: &Value,
    sku: &str,
    kind: &str,
    props: &Map<String, Value>,
) -> Result<(), ArmError> {
    let old_sku = common::str_at(old, &["sku", "name"]).unwrap_or(sku);
    let family = |s: &str| s.split('_').next().unwrap_or_default().to_ascii_lowercase();
    if family(old_sku) != family(sku) {
        // Learn, "Change how a storage account is replicated": redundancy changes within a
        // performance tier; standard to premium (or back) is a manual migration. The wording
        // is the emulator's.
        return Err(ArmError::bad_request(
            "InvalidRequestPropertyValue",
            format!(
                "The SKU of the storage account cannot be changed from {old_sku} to {sku}: redundancy conversions stay within a performance tier."
            ),
        ));
    }
    let old_kind = common::str_at(old, &["kind"]).unwrap_or(kind);
    // StorageAccountUpdateParameters.kind: "Currently only StorageV2 value supported by
    // server", the upgrade of a general-purpose v1 or Blob storage account.
    let upgrade = matches!(old_kind, "Storage" | "BlobStorage") && kind == "StorageV2";
    if !old_kind.eq_ignore_ascii_case(kind) && !upgrade {
        return Err(ArmError::bad_request(
            "InvalidRequestPropertyValue",
            format!("The kind of the storage account cannot be changed from {old_kind} to {kind}."),
        ));
    }
    // isHnsEnabled is not an update parameter (StorageAccountPropertiesUpdateParameters); the
    // namespace changes only by the hnsonmigration action.
    let old_hns = old.pointer("/properties/isHnsEnabled") == Some(&Value::Bool(true));
    if let Some(hns) = props.get("isHnsEnabled").and_then(Value::as_bool)
        && hns != old_hns
    {
        return Err(ArmError::bad_request(
            "InvalidRequestPropertyValue",
            "The property isHnsEnabled cannot be changed on an existing storage account; use the hierarchical namespace migration.",
        ));
    }
    Ok(())
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    check_name(&target.name)?;
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let created = existing.is_none();
    if created && holder(state, &target.name, Some(&key)).is_some() {
        // The service's answer (hashicorp/terraform#11485; Learn, "Resolve errors for storage
        // account names").
        return Err(ArmError::conflict(
            "StorageAccountAlreadyTaken",
            format!(
                "The storage account named {} is already taken.",
                target.name
            ),
        )
        .with_target(&target.name));
    }
    // StorageAccountCreateParameters: `sku`, `kind` and `location` are required.
    let sku = body
        .pointer("/sku/name")
        .ok_or_else(|| ArmError::missing_property("sku.name"))?;
    let sku = one_of(sku, &SKUS, "sku.name")?;
    let kind = body
        .get("kind")
        .ok_or_else(|| ArmError::missing_property("kind"))?;
    let kind = one_of(kind, &KINDS, "kind")?;
    let sent = common::properties(body)?;
    if let Some(old) = &existing {
        check_changes(&old.body, sku, kind, &sent)?;
    }
    // On an existing account the request's properties update it ("the account properties will
    // be updated"): what the request leaves out stays as it is.
    let mut props = existing
        .as_ref()
        .and_then(|r| r.body.get("properties"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in sent {
        props.insert(k, v);
    }
    for field in READ_ONLY {
        props.remove(field);
    }
    if let Some(v) = props.get("minimumTlsVersion").filter(|v| !v.is_null()) {
        let version = one_of(v, &TLS_VERSIONS, "properties.minimumTlsVersion")?;
        // MinimumTlsVersion: "Minimum TLS version 1.3 version is not supported." The wording of
        // the refusal is the emulator's.
        if version == "TLS1_3" {
            return Err(ArmError::bad_request(
                "InvalidRequestPropertyValue",
                "Minimum TLS version 1.3 is not supported for storage accounts.",
            ));
        }
        props.insert("minimumTlsVersion".into(), json!(version));
    }
    if let Some(v) = props.get("publicNetworkAccess").filter(|v| !v.is_null()) {
        let access = one_of(v, &PUBLIC_NETWORK_ACCESS, "properties.publicNetworkAccess")?;
        props.insert("publicNetworkAccess".into(), json!(access));
    }
    let tier = match props.get("accessTier").filter(|v| !v.is_null()) {
        Some(v) => Some(one_of(v, &ACCESS_TIERS, "properties.accessTier")?),
        None => None,
    };
    // AccessTier: "Required for storage accounts where kind = BlobStorage", and "'Premium' ...
    // is the default value for premium block blobs storage account type and it cannot be
    // changed"; Learn "Access tiers for blob data": a v2 account without one is Hot.
    let tier = match (kind, tier) {
        ("BlobStorage", None) => return Err(ArmError::missing_property("properties.accessTier")),
        ("BlockBlobStorage", Some(t)) if t != "Premium" => {
            return Err(ArmError::bad_request(
                "InvalidRequestPropertyValue",
                format!(
                    "The access tier '{t}' is not supported for BlockBlobStorage accounts: their tier is Premium."
                ),
            ));
        }
        ("BlockBlobStorage", _) => Some("Premium"),
        ("FileStorage", _) => None,
        ("StorageV2", None) if !sku.starts_with("Premium") => existing
            .as_ref()
            .and_then(|r| common::str_at(&r.body, &["properties", "accessTier"]))
            .and_then(|t| ACCESS_TIERS.iter().find(|a| **a == t).copied())
            .or(Some("Hot")),
        (_, t) => t,
    };
    match tier {
        Some(t) => {
            props.insert("accessTier".into(), json!(t));
        }
        None => {
            props.remove("accessTier");
        }
    }
    let acls = network_acls(state, props.get("networkAcls"))?;
    props.insert("networkAcls".into(), acls);
    // A new account without allowBlobPublicAccess answers `false` (the official
    // StorageAccountCreatePremiumBlockBlobStorage example, 2025-08-01: not sent, answered
    // false; the property's "default interpretation is false").
    if created
        && props
            .get("allowBlobPublicAccess")
            .is_none_or(Value::is_null)
    {
        props.insert("allowBlobPublicAccess".into(), json!(false));
    }
    // supportsHttpsTrafficOnly: "The default value is true since API version 2019-04-01".
    if props
        .get("supportsHttpsTrafficOnly")
        .is_none_or(Value::is_null)
    {
        props.insert("supportsHttpsTrafficOnly".into(), json!(true));
    }
    let old = |field: &str| {
        existing
            .as_ref()
            .and_then(|r| r.body.get("properties"))
            .and_then(|p| p.get(field))
            .cloned()
    };
    let now = clock::rfc3339(ctx.now);
    let creation = old("creationTime").unwrap_or_else(|| json!(now));
    if props.get("encryption").is_none_or(Value::is_null) {
        let encryption = old("encryption").unwrap_or_else(|| {
            json!({
                "keySource": "Microsoft.Storage",
                "services": {
                    "blob": {"enabled": true, "keyType": "Account", "lastEnabledTime": creation},
                    "file": {"enabled": true, "keyType": "Account", "lastEnabledTime": creation},
                },
            })
        });
        props.insert("encryption".into(), encryption);
    }
    if let Some(encryption) = props.get_mut("encryption") {
        stamp_encryption(encryption, &creation);
    }
    let mut out = Map::new();
    out.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Succeeded" }),
    );
    out.insert("creationTime".into(), creation.clone());
    out.insert(
        "keyCreationTime".into(),
        old("keyCreationTime").unwrap_or_else(|| json!({"key1": creation, "key2": creation})),
    );
    if let Some(secondary) = old("secondaryLocation") {
        out.insert("secondaryLocation".into(), secondary);
    }
    for (k, v) in props {
        out.insert(k, v);
    }
    refresh(&target.name, kind, sku, &location, &mut out);
    let tier_name = if sku.starts_with("Premium") {
        "Premium"
    } else {
        "Standard"
    };
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert("sku".into(), json!({"name": sku, "tier": tier_name}));
    m.insert("kind".into(), json!(kind));
    for field in ["identity", "extendedLocation", "zones", "placement"] {
        if let Some(v) = body.get(field).filter(|v| !v.is_null()) {
            m.insert(field.into(), v.clone());
        }
    }
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::StorageAccount, created))
}

/// StorageAccounts_Update: tags (taken by the generic PATCH), `sku`, `kind` (the v2 upgrade)
/// and the updatable properties, merged into the account.
pub(crate) fn patch(state: &State, updated: &mut Value, body: &Value) -> Result<(), ArmError> {
    let sku = match body.pointer("/sku/name") {
        Some(v) => one_of(v, &SKUS, "sku.name")?,
        None => common::str_at(updated, &["sku", "name"])
            .and_then(|s| SKUS.iter().find(|k| **k == s).copied())
            .unwrap_or("Standard_LRS"),
    };
    let kind = match body.get("kind") {
        Some(v) => one_of(v, &KINDS, "kind")?,
        None => common::str_at(updated, &["kind"])
            .and_then(|s| KINDS.iter().find(|k| **k == s).copied())
            .unwrap_or("StorageV2"),
    };
    let props = common::properties(body)?;
    check_changes(updated, sku, kind, &props)?;
    let creation = updated["properties"]["creationTime"].clone();
    updated["sku"] = json!({
        "name": sku,
        "tier": if sku.starts_with("Premium") { "Premium" } else { "Standard" },
    });
    updated["kind"] = json!(kind);
    for (k, v) in props {
        if READ_ONLY.contains(&k.as_str()) {
            continue;
        }
        let v = match k.as_str() {
            "networkAcls" => network_acls(state, Some(&v))?,
            "encryption" => {
                let mut v = v;
                stamp_encryption(&mut v, &creation);
                v
            }
            _ => v,
        };
        updated["properties"][k] = v;
    }
    let name = common::str_at(updated, &["name"])
        .unwrap_or_default()
        .to_string();
    let location = common::str_at(updated, &["location"])
        .unwrap_or_default()
        .to_string();
    if let Some(props) = updated.get_mut("properties").and_then(Value::as_object_mut) {
        refresh(&name, kind, sku, &location, props);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_path_pattern() {
        for ok in ["sto4445", "abc", "a23456789012345678901234"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "Sto4445", "sto-4445", "a234567890123456789012345", ""] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_premium_account_cannot_become_standard_nor_a_kind_change_kinds() {
        let old = json!({"sku": {"name": "Premium_LRS"}, "kind": "BlockBlobStorage"});
        assert!(check_changes(&old, "Premium_ZRS", "BlockBlobStorage", &Map::new()).is_ok());
        assert!(check_changes(&old, "Standard_LRS", "BlockBlobStorage", &Map::new()).is_err());
        assert!(check_changes(&old, "Premium_LRS", "StorageV2", &Map::new()).is_err());
        let v1 = json!({"sku": {"name": "Standard_LRS"}, "kind": "Storage"});
        assert!(check_changes(&v1, "Standard_GRS", "StorageV2", &Map::new()).is_ok());
    }
}
