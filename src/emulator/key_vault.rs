//! Microsoft.KeyVault/vaults (specification/keyvault/resource-manager/Microsoft.KeyVault/KeyVault/
//! stable/2026-04-01/openapi.json; 2026-05-15's vault examples have the same shape): PUT answers 200 (update, final body) or 201 with
//! Location and Retry-After (create, `RegisteringDns` until the operation ends); PATCH and DELETE
//! are synchronous. A deleted vault is soft-deleted: its name stays taken (globally, since the
//! vault URI is `https://NAME.vault.azure.net/`) until it is purged or its retention ends, and a
//! PUT of that name fails unless it carries `createMode: recover`. Purge protection can be turned
//! on, never off, and makes purges fail. Served next to the vaults: `deletedVaults` (GET, LIST,
//! POST purge, an LRO with Location) and `checkNameAvailability`.
//!
//! Error codes and messages are Azure's where a capture was found (cited at each); the others say
//! so.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::emulator::clock;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{Reply, Written, paged, result_url};
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::{Action, Operation, Record, State};

/// What a vault keeps while soft-deleted (DeletedVaultProperties of the spec, plus the body it is
/// recovered to).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeletedVault {
    pub(crate) subscription: String,
    pub(crate) name: String,
    pub(crate) location: String,
    pub(crate) vault_id: String,
    pub(crate) deleted_ms: u64,
    pub(crate) purge_at_ms: u64,
    pub(crate) purge_protected: bool,
    /// The vault as it was deleted: a recovery brings it back.
    pub(crate) body: Value,
}

/// The `deletedVaults` and name-check paths of the provider (`route` parses them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VaultRoute {
    /// `GET /subscriptions/{sub}/providers/Microsoft.KeyVault/deletedVaults` (Vaults_ListDeleted).
    ListDeleted,
    /// `GET …/locations/{location}/deletedVaults/{name}` (Vaults_GetDeleted).
    Deleted { location: String, name: String },
    /// `POST …/locations/{location}/deletedVaults/{name}/purge` (Vaults_PurgeDeleted).
    Purge { location: String, name: String },
    /// `POST /subscriptions/{sub}/providers/Microsoft.KeyVault/checkNameAvailability`.
    CheckName,
}

/// Read-only properties a client may send back; the service ignores them.
const READ_ONLY: [&str; 4] = [
    "provisioningState",
    "hsmPoolResourceId",
    "privateEndpointConnections",
    "vaultUri",
];

/// Vault names are global (one DNS name each), so the soft-delete registry is keyed by name.
fn key_of(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Learn "Naming rules and restrictions for Azure resources", Microsoft.KeyVault: 3-24
/// alphanumerics and hyphens, starting with a letter, ending with a letter or digit, no
/// consecutive hyphens. Code and message as the service answers (VaultNameNotValid, quoted in
/// Azure-Samples/azure-django-postgres-flexible-aca#30).
fn check_name(name: &str) -> Result<(), ArmError> {
    let ok = (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !name.contains("--");
    if ok {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "VaultNameNotValid",
        format!(
            "The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742"
        ),
    ))
}

/// A soft-deleted vault that still holds its name at `now`.
pub(crate) fn deleted<'s>(state: &'s State, name: &str, now: u64) -> Option<&'s DeletedVault> {
    state
        .deleted_vaults
        .get(&key_of(name))
        .filter(|d| d.purge_at_ms > now)
}

/// Another live vault with the name, in any group or subscription.
fn taken_elsewhere(state: &State, target: &Target) -> bool {
    let key = target.key();
    let name = key_of(&target.name);
    state
        .resources
        .iter()
        .any(|(k, r)| r.kind == Kind::KeyVault && *k != key && k.rsplit('/').next() == Some(&name))
}

/// `Sku`: family `A`, name `standard` or `premium` (SkuName, not modelled as a string).
fn sku(props: &Map<String, Value>) -> Result<Value, ArmError> {
    let sku = props
        .get("sku")
        .filter(|s| s.is_object())
        .ok_or_else(|| ArmError::missing_property("properties.sku"))?;
    let name = common::str_at(sku, &["name"])
        .ok_or_else(|| ArmError::missing_property("properties.sku.name"))?;
    let family = common::str_at(sku, &["family"])
        .ok_or_else(|| ArmError::missing_property("properties.sku.family"))?;
    let canonical = ["standard", "premium"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            ArmError::bad_request(
                "BadRequest",
                format!(
                    "The SKU name '{name}' is not valid. Valid SKU names are standard, premium."
                ),
            )
        })?;
    if !family.eq_ignore_ascii_case("A") {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!("The SKU family '{family}' is not valid. The valid SKU family is A."),
        ));
    }
    Ok(json!({"family": "A", "name": canonical}))
}

/// The service keeps an address rule as a CIDR (`124.56.78.91` comes back `124.56.78.91/32`) and
/// subnet IDs lower-cased (createVaultWithNetworkAcls.json, 2026-04-01).
fn normalize_network_acls(props: &mut Map<String, Value>) {
    let Some(acls) = props.get_mut("networkAcls").and_then(Value::as_object_mut) else {
        return;
    };
    if let Some(rules) = acls.get_mut("ipRules").and_then(Value::as_array_mut) {
        for rule in rules {
            if let Some(value) = rule.get("value").and_then(Value::as_str)
                && !value.contains('/')
                && value.parse::<std::net::Ipv4Addr>().is_ok()
            {
                rule["value"] = json!(format!("{value}/32"));
            }
        }
    }
    if let Some(rules) = acls
        .get_mut("virtualNetworkRules")
        .and_then(Value::as_array_mut)
    {
        for rule in rules {
            if let Some(id) = rule.get("id").and_then(Value::as_str) {
                rule["id"] = json!(id.to_ascii_lowercase());
            }
        }
    }
}

/// The refusals the service makes for any write of vault properties, checked against what the
/// vault has now (`None` for a new vault).
fn check_properties(
    props: &Map<String, Value>,
    old: Option<&Map<String, Value>>,
) -> Result<(), ArmError> {
    // Azure refuses `false` even on a new vault (Azure/azure-rest-api-specs#18106, azure-cli#28732:
    // "(BadRequest) The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge
    // protection for a vault is an irreversible action.").
    if props.get("enablePurgeProtection") == Some(&Value::Bool(false)) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The property \"enablePurgeProtection\" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.",
        ));
    }
    if let Some(days) = props
        .get("softDeleteRetentionInDays")
        .filter(|v| !v.is_null())
    {
        let n = days.as_i64().unwrap_or(-1);
        // VaultProperties: "softDelete data retention days. It accepts >=7 and <=90."
        if !(7..=90).contains(&n) {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "The property \"softDeleteRetentionInDays\" must be between 7 and 90; got {days}."
                ),
            ));
        }
        // Learn "Azure Key Vault soft-delete overview": "Once the retention policy interval is set
        // and saved it can't be changed for that vault." No capture of the service's refusal was
        // found: the wording here is the emulator's.
        let before = old
            .and_then(|o| o.get("softDeleteRetentionInDays"))
            .and_then(Value::as_i64);
        if before.is_some_and(|b| b != n) {
            return Err(ArmError::bad_request(
                "BadRequest",
                "The property \"softDeleteRetentionInDays\" has been set already and cannot be changed.",
            ));
        }
    }
    if props.get("enableSoftDelete") == Some(&Value::Bool(false)) {
        // VaultProperties.enableSoftDelete: "Once set to true, it cannot be reverted to false";
        // soft delete is on for every vault since 2020. Wording is the emulator's.
        return Err(ArmError::bad_request(
            "BadRequest",
            "The property \"enableSoftDelete\" cannot be set to false. Soft delete cannot be disabled.",
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
    if body.get("properties").is_none_or(Value::is_null) {
        return Err(ArmError::missing_property("properties"));
    }
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    let recover = common::str_at(body, &["properties", "createMode"])
        .is_some_and(|m| m.eq_ignore_ascii_case("recover"));
    props.remove("createMode");
    normalize_network_acls(&mut props);
    if existing.is_none() && taken_elsewhere(state, target) {
        // Code and message as quoted in adamdost-0/linux-update-cds#21 and Learn "Common error
        // codes for Azure Key Vault" (VaultAlreadyExists).
        return Err(ArmError::conflict(
            "VaultAlreadyExists",
            format!(
                "The vault name '{}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information on VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.",
                target.name
            ),
        ));
    }
    // A recovery starts from the vault as it was deleted; other PUTs from what exists now.
    let mut base: Option<Value> = existing.as_ref().map(|r| r.body.clone());
    if existing.is_none() {
        let soft_deleted = deleted(state, &target.name, ctx.now).cloned();
        match (soft_deleted, recover) {
            (Some(d), true) => {
                state.deleted_vaults.remove(&key_of(&target.name));
                state.dirty = true;
                base = Some(d.body);
            }
            (Some(_), false) => {
                // As the service answers (azure-cli#29115, alan-turing-institute/data-safe-haven#2523).
                return Err(ArmError::conflict(
                    "ConflictError",
                    "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
                ));
            }
            (None, true) => {
                // No capture of this refusal was found: code and wording are the emulator's.
                return Err(ArmError::new(
                    404,
                    "NotFound",
                    format!(
                        "No deleted vault named '{}' was found to recover (createMode 'recover').",
                        target.name
                    ),
                ));
            }
            (None, false) => {}
        }
    }
    let old_props: Option<Map<String, Value>> = base
        .as_ref()
        .and_then(|b| b.get("properties"))
        .and_then(Value::as_object)
        .cloned();
    // A recovery needs no tenant or SKU: the vault comes back with its own
    // (VaultProperties.accessPolicies: "When `createMode` is set to `recover`, access policies
    // are not required").
    let needs_all = old_props.is_none();
    if needs_all && common::str_at(&Value::Object(props.clone()), &["tenantId"]).is_none() {
        return Err(ArmError::missing_property("properties.tenantId"));
    }
    check_properties(&props, old_props.as_ref())?;
    let sku = match (props.contains_key("sku"), &old_props) {
        (true, _) | (false, None) => sku(&props)?,
        (false, Some(old)) => old.get("sku").cloned().unwrap_or(Value::Null),
    };
    let created = existing.is_none();
    let mut out = Map::new();
    out.insert("sku".into(), sku);
    // A PUT replaces the writable properties; the vault's identity and one-way settings stay.
    out.extend(props);
    if let Some(old) = &old_props {
        for kept in [
            "enablePurgeProtection",
            "softDeleteRetentionInDays",
            "tenantId",
        ] {
            if !out.contains_key(kept)
                && let Some(v) = old.get(kept)
            {
                out.insert(kept.into(), v.clone());
            }
        }
        if recover {
            // Whatever the PUT leaves out comes back as it was.
            for (k, v) in old {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    out.insert(
        "vaultUri".into(),
        json!(format!(
            "https://{}.vault.azure.net/",
            target.name.to_ascii_lowercase()
        )),
    );
    // VaultProvisioningState: `RegisteringDns` while a new vault's DNS name is set up.
    out.insert(
        "provisioningState".into(),
        json!(if created {
            "RegisteringDns"
        } else {
            "Succeeded"
        }),
    );
    common::merge_defaults(&mut out, defaults());
    let tags = common::tags(body)?.or_else(|| {
        recover
            .then(|| base.as_ref().and_then(|b| b.get("tags")).cloned())
            .flatten()
    });
    // The service answers `tags: {}` for a vault without tags (every vault example).
    let mut m = common::envelope(target, Some(&location), tags.or_else(|| Some(json!({}))));
    m.insert(
        "systemData".into(),
        common::system_data(existing.as_ref(), ctx),
    );
    m.insert("properties".into(), Value::Object(out));
    state.put(
        key,
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(Written::new(Kind::KeyVault, created))
}

/// Server defaults of VaultProperties (2026-04-01): `enableSoftDelete` true,
/// `softDeleteRetentionInDays` 90, `enableRbacAuthorization` true, `publicNetworkAccess` enabled
/// (spelled `Enabled`, as the createVault example echoes it), no access policies.
fn defaults() -> Value {
    json!({
        "accessPolicies": [],
        "enabledForDeployment": false,
        "enabledForDiskEncryption": false,
        "enabledForTemplateDeployment": false,
        "enableSoftDelete": true,
        "softDeleteRetentionInDays": 90,
        "enableRbacAuthorization": true,
        "publicNetworkAccess": "Enabled",
    })
}

/// Vaults_Update (PATCH, synchronous 200): tags and properties merge in, under the same refusals
/// as a PUT.
pub(crate) fn patch(updated: &mut Value, body: &Value) -> Result<(), ArmError> {
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    props.remove("createMode");
    normalize_network_acls(&mut props);
    let old = updated
        .get("properties")
        .and_then(Value::as_object)
        .cloned();
    check_properties(&props, old.as_ref())?;
    if props.contains_key("sku") {
        let sku = sku(&props)?;
        props.insert("sku".into(), sku);
    }
    common::merge_patch(&mut updated["properties"], &Value::Object(props));
    Ok(())
}

fn deleted_entry(ctx: &Ctx, record: &Record) -> DeletedVault {
    let name = common::str_at(&record.body, &["name"])
        .unwrap_or("")
        .to_string();
    let days = record
        .body
        .pointer("/properties/softDeleteRetentionInDays")
        .and_then(Value::as_u64)
        .unwrap_or(90);
    let purge_protected =
        record.body.pointer("/properties/enablePurgeProtection") == Some(&Value::Bool(true));
    DeletedVault {
        subscription: record.id.split('/').nth(2).unwrap_or("").to_string(),
        location: common::str_at(&record.body, &["location"])
            .map(common::normalize_location)
            .unwrap_or_default(),
        vault_id: record.id.clone(),
        deleted_ms: ctx.now,
        purge_at_ms: ctx
            .now
            .saturating_add(ctx.settings.scaled(days * 24 * 3600 * 1000)),
        purge_protected,
        body: record.body.clone(),
        name,
    }
}

/// Vaults_Delete: the vault is soft-deleted (retention from its `softDeleteRetentionInDays`).
pub(crate) fn soft_delete(state: &mut State, ctx: &Ctx, record: &Record) {
    let entry = deleted_entry(ctx, record);
    state.deleted_vaults.insert(key_of(&entry.name), entry);
    state.dirty = true;
}

/// A resource group's delete soft-deletes the vaults inside it, as a vault delete does (reported
/// in adamdost-0/linux-update-cds#21: a deleted resource group left its vault soft-deleted, the
/// name reserved).
pub(crate) fn soft_delete_in_group(state: &mut State, ctx: &Ctx, group_key: &str) {
    let prefix = format!("{group_key}/");
    let vaults: Vec<Record> = state
        .resources
        .iter()
        .filter(|(k, r)| r.kind == Kind::KeyVault && k.starts_with(&prefix))
        .map(|(_, r)| r.clone())
        .collect();
    for record in vaults {
        soft_delete(state, ctx, &record);
    }
}

fn deleted_id(d: &DeletedVault) -> String {
    format!(
        "/subscriptions/{}/providers/Microsoft.KeyVault/locations/{}/deletedVaults/{}",
        d.subscription, d.location, d.name
    )
}

/// The DeletedVault body, as in getDeletedVault.json (2026-04-01).
fn deleted_body(d: &DeletedVault) -> Value {
    json!({
        "id": deleted_id(d),
        "name": d.name,
        "type": "Microsoft.KeyVault/deletedVaults",
        "properties": {
            "vaultId": d.vault_id,
            "location": d.location,
            "deletionDate": clock::rfc3339(d.deleted_ms),
            "scheduledPurgeDate": clock::rfc3339(d.purge_at_ms),
            "tags": d.body.get("tags").cloned().unwrap_or_else(|| json!({})),
            "purgeProtectionEnabled": d.purge_protected,
        }
    })
}

fn deleted_not_found(name: &str) -> ArmError {
    // No capture of the service's 404 body was found: wording is the emulator's.
    ArmError::new(
        404,
        "ResourceNotFound",
        format!("The deleted vault '{name}' was not found."),
    )
}

/// The `deletedVaults` and `checkNameAvailability` operations.
pub(crate) fn dispatch(
    state: &mut State,
    ctx: &Ctx,
    method: &str,
    subscription: &str,
    route: &VaultRoute,
    body: Option<&Value>,
) -> Result<Reply, ArmError> {
    let in_place = |d: &&DeletedVault, location: &str| {
        d.subscription.eq_ignore_ascii_case(subscription)
            && d.location == common::normalize_location(location)
    };
    match (route, method) {
        (VaultRoute::ListDeleted, "GET") => {
            let value = state
                .deleted_vaults
                .values()
                .filter(|d| {
                    d.purge_at_ms > ctx.now && d.subscription.eq_ignore_ascii_case(subscription)
                })
                .map(deleted_body)
                .collect();
            Ok(paged(ctx, value))
        }
        (VaultRoute::Deleted { location, name }, "GET") => deleted(state, name, ctx.now)
            .filter(|d| in_place(d, location))
            .map(|d| Reply::json(200, deleted_body(d)))
            .ok_or_else(|| deleted_not_found(name)),
        (VaultRoute::Purge { location, name }, "POST") => {
            let d = deleted(state, name, ctx.now)
                .filter(|d| in_place(d, location))
                .cloned()
                .ok_or_else(|| deleted_not_found(name))?;
            if d.purge_protected {
                // As the service answers (microsoft/AzureTRE#1446: "(MethodNotAllowed) Operation
                // 'DeletedVaultPurge' is not allowed."); the status code was not in the capture.
                return Err(ArmError::new(
                    405,
                    "MethodNotAllowed",
                    "Operation 'DeletedVaultPurge' is not allowed.",
                ));
            }
            // The name is free as soon as the purge is accepted (the service takes a while; not
            // modelled).
            state.deleted_vaults.remove(&key_of(name));
            state.dirty = true;
            let op = Operation {
                id: common::new_guid(),
                resource_key: deleted_id(&d).to_ascii_lowercase(),
                kind: Kind::KeyVault,
                action: Action::Delete,
                subscription: subscription.to_string(),
                location: d.location.clone(),
                start_ms: ctx.now,
                end_ms: ctx.now.saturating_add(
                    ctx.lro_duration_ms
                        .unwrap_or_else(|| ctx.settings.scaled(5_000)),
                ),
                failure: ctx.lro_failure.clone(),
                done: false,
                canceled: false,
                activity: ctx.activity.clone(),
            };
            state.start_operation(op.clone());
            // Vaults_PurgeDeleted: 202 + Location + Retry-After, final state via Location.
            Ok(Reply::empty(202)
                .with_header("Location", result_url(ctx, &op))
                .with_header("Retry-After", ctx.settings.retry_after().to_string()))
        }
        (VaultRoute::CheckName, "POST") => {
            let body = body.ok_or_else(|| ArmError::invalid_body("the request body is missing"))?;
            let name = common::str_at(body, &["name"])
                .ok_or_else(|| ArmError::missing_property("name"))?;
            let kind = common::str_at(body, &["type"])
                .ok_or_else(|| ArmError::missing_property("type"))?;
            if !kind.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "The type '{kind}' is not valid; expected 'Microsoft.KeyVault/vaults'."
                    ),
                ));
            }
            Ok(Reply::json(200, name_availability(state, ctx, name)))
        }
        _ => Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not supported here."),
        )),
    }
}

/// CheckNameAvailabilityResult: `nameAvailable`, and `reason` (`AccountNameInvalid`,
/// `AlreadyExists`) with a message when it is not. A soft-deleted vault's name is taken.
fn name_availability(state: &State, ctx: &Ctx, name: &str) -> Value {
    if let Err(e) = check_name(name) {
        return json!({"nameAvailable": false, "reason": "AccountNameInvalid", "message": e.message});
    }
    let wanted = key_of(name);
    let live = state
        .resources
        .iter()
        .any(|(k, r)| r.kind == Kind::KeyVault && k.rsplit('/').next() == Some(wanted.as_str()));
    if live {
        return json!({"nameAvailable": false, "reason": "AlreadyExists",
            "message": format!("The vault name '{name}' is already in use.")});
    }
    if deleted(state, name, ctx.now).is_some() {
        return json!({"nameAvailable": false, "reason": "AlreadyExists",
            "message": format!("The vault name '{name}' is already in use by a vault in the deleted state; recover or purge it to use the name.")});
    }
    json!({"nameAvailable": true})
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_follow_the_documented_rule() {
        for ok in ["abc", "kv-1", "a-b-c", "A23456789012345678901234"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "1kv",
            "kv-",
            "k--v",
            "kv_1",
            "A234567890123456789012345",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
