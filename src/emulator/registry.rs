//! Microsoft.ContainerRegistry/registries (2025-11-01): LRO PUT with Azure-AsyncOperation, server
//! defaults and policies as in RegistryCreate.json, globally unique names.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

const READ_ONLY: [&str; 6] = [
    "loginServer",
    "creationDate",
    "provisioningState",
    "status",
    "dataEndpointHostNames",
    "privateEndpointConnections",
];

fn sku(body: &Value) -> Result<Value, ArmError> {
    let name = common::str_at(body, &["sku", "name"])
        .ok_or_else(|| ArmError::missing_property("sku.name"))?;
    let canonical = ["Basic", "Standard", "Premium"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            ArmError::bad_request(
                "InvalidSkuName",
                format!("The SKU '{name}' is not valid. Valid SKUs are Basic, Standard, Premium."),
            )
        })?;
    Ok(json!({"name": canonical, "tier": canonical}))
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    common::check_name(
        &target.name,
        "registry",
        (5, 50),
        |c| c.is_ascii_alphanumeric(),
        |_, _| true,
        "The name must be 5-50 alphanumeric characters.",
    )?;
    let key = target.key();
    let lower = target.name.to_ascii_lowercase();
    let taken = state.resources.iter().any(|(k, r)| {
        r.kind == Kind::Registry && *k != key && k.rsplit('/').next() == Some(lower.as_str())
    });
    if taken {
        return Err(ArmError::conflict(
            "AlreadyInUse",
            format!(
                "The registry DNS name {lower}.azurecr.io is already in use. You can check if the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability"
            ),
        ));
    }
    let location = common::required_location(body)?;
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let sku = sku(body)?;
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    if let (Some(old), Some(new)) = (
        existing
            .as_ref()
            .and_then(|r| common::str_at(&r.body, &["properties", "zoneRedundancy"])),
        props.get("zoneRedundancy").and_then(Value::as_str),
    ) && !old.eq_ignore_ascii_case(new)
    {
        return Err(ArmError::bad_request(
            "ZoneRedundancyCannotBeChanged",
            "The property 'zoneRedundancy' cannot be changed after the registry is created.",
        ));
    }
    let created = existing.is_none();
    let creation_date = existing
        .as_ref()
        .and_then(|r| r.body.get("properties")?.get("creationDate").cloned())
        .unwrap_or_else(|| json!(ctx.timestamp()));
    let mut out = Map::new();
    out.insert("loginServer".into(), json!(format!("{lower}.azurecr.io")));
    out.insert("creationDate".into(), creation_date);
    out.insert(
        "provisioningState".into(),
        json!(if created { "Creating" } else { "Updating" }),
    );
    out.extend(props);
    common::merge_defaults(&mut out, defaults(ctx));
    let mut m = common::envelope(target, Some(&location), common::tags(body)?);
    m.insert("sku".into(), sku);
    if let Some(identity) = body.get("identity").filter(|v| v.is_object()) {
        m.insert("identity".into(), identity_with_ids(identity, &key, ctx));
    }
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
    Ok(Written::new(Kind::Registry, created))
}

fn defaults(ctx: &Ctx) -> Value {
    json!({
        "adminUserEnabled": false,
        "networkRuleSet": {"defaultAction": "Allow", "ipRules": []},
        "policies": {
            "quarantinePolicy": {"status": "disabled"},
            "trustPolicy": {"type": "Notary", "status": "disabled"},
            "retentionPolicy": {"days": 7, "lastUpdatedTime": ctx.timestamp(), "status": "disabled"},
            "exportPolicy": {"status": "enabled"},
            "azureADAuthenticationAsArmPolicy": {"status": "enabled"}
        },
        "encryption": {"status": "disabled"},
        "status": null,
        "dataEndpointEnabled": false,
        "dataEndpointHostNames": [],
        "privateEndpointConnections": [],
        "publicNetworkAccess": "Enabled",
        "networkRuleBypassOptions": "AzureServices",
        "networkRuleBypassAllowedForTasks": false,
        "zoneRedundancy": "Disabled",
        "anonymousPullEnabled": false,
        "roleAssignmentMode": "LegacyRegistryPermissions"
    })
}

/// A system-assigned identity gets its principal and tenant from the service.
fn identity_with_ids(identity: &Value, key: &str, ctx: &Ctx) -> Value {
    let mut identity = identity.clone();
    let kind = common::str_at(&identity, &["type"])
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind.contains("systemassigned") {
        identity["principalId"] = json!(common::derived_guid(&format!("{key}/principal")));
        identity["tenantId"] = json!(ctx.settings.tenant_id);
    }
    identity
}

pub(crate) fn patch(updated: &mut Value, body: &Value) -> Result<(), ArmError> {
    if body.get("sku").is_some() {
        updated["sku"] = sku(body)?;
    }
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    if props.contains_key("zoneRedundancy") {
        return Err(ArmError::bad_request(
            "ZoneRedundancyCannotBeChanged",
            "The property 'zoneRedundancy' cannot be changed after the registry is created.",
        ));
    }
    common::merge_patch(&mut updated["properties"], &Value::Object(props));
    Ok(())
}
