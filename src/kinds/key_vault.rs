//! Key vaults: SKU, tenant, RBAC authorization, network rules, purge protection and soft delete.
//! A deleted vault is soft-deleted: its name stays taken until it is purged or its retention
//! ends, so the plan reads the soft-deleted vault of every vault it would create and says what
//! to do, and every delete says how long the name stays taken.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, Context, EMPTY, KNOWN_AFTER_APPLY, Kind, LateValue, Rules, tracked};
use crate::de::Spanned;
use crate::model::{
    KeyVault, KeyVaultNetworkRules, KeyVaultSku, NetworkBypass, NetworkDefaultAction, Resource,
    Spec, Stack,
};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawKeyVault {
    /// Azure name (3-24 letters, digits and hyphens, starting with a letter, ending with a
    /// letter or digit, no consecutive hyphens; globally unique); defaults to the key.
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
    /// `standard` (default) or `premium` (HSM-protected keys).
    pub sku: Option<KeyVaultSku>,
    /// Microsoft Entra tenant that authenticates requests to the vault; default the
    /// subscription's tenant (read from ARM when planning).
    pub tenant_id: Option<Spanned<String>>,
    /// Authorize data actions with Azure RBAC (role assignments such as Key Vault Secrets User
    /// scoped to `keyVault/NAME`). Default true; with false the vault uses access policies,
    /// which azplan does not model yet (write them under `raw: {properties: {accessPolicies}}`).
    pub rbac_authorization: Option<Spanned<bool>>,
    /// Default true. False blocks everything but private endpoints and trusted services.
    pub public_network_access: Option<bool>,
    /// The vault's firewall (`networkAcls`). Default: allow every network.
    pub network_rules: Option<Spanned<RawNetworkRules>>,
    /// Purge protection: a deleted vault cannot be purged before its retention ends. Azure can
    /// turn it on but never off. Default false.
    #[serde(default)]
    pub purge_protection: bool,
    /// Days a deleted vault is kept (and its name taken), 7-90; fixed when the vault is
    /// created. Default 90.
    pub soft_delete_retention_days: Option<Spanned<u32>>,
    /// When the vault to create exists soft-deleted, recover it (`createMode: recover`)
    /// instead of failing. Default false: the plan stops and says what to do.
    #[serde(default)]
    pub recover: bool,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawNetworkRules {
    /// What happens to traffic no rule allows: `Allow` (default) or `Deny`.
    pub default_action: Option<NetworkDefaultAction>,
    /// `AzureServices` (default: trusted Microsoft services pass) or `None`.
    pub bypass: Option<NetworkBypass>,
    /// IPv4 addresses or CIDR ranges allowed in (`203.0.113.7`, `198.51.100.0/24`).
    #[serde(default)]
    pub ip_rules: Vec<Spanned<String>>,
    /// Subnets allowed in (`vnet/NAME/SUBNET`, `existing/NAME/SUBNET` or an ARM ID); each needs
    /// the `Microsoft.KeyVault` service endpoint.
    #[serde(default)]
    pub subnets: Vec<Spanned<String>>,
}

/// ARM and azurerm names of a key vault's settings (`crate::kinds::habits`). ARM:
/// Microsoft.KeyVault vaults properties; azurerm: `azurerm_key_vault`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "", "sku_name", "`sku: standard | premium`"),
    habit("", "enableRbacAuthorization", "enable_rbac_authorization", "`rbacAuthorization: true | false`"),
    habit("", "", "rbac_authorization_enabled", "`rbacAuthorization: true | false`"),
    habit("", "enablePurgeProtection", "purge_protection_enabled", "`purgeProtection: true`"),
    habit("", "softDeleteRetentionInDays", "soft_delete_retention_days", "`softDeleteRetentionDays: 7-90`"),
    habit("", "networkAcls", "network_acls", "`networkRules: {defaultAction, bypass, ipRules, subnets}`"),
    habit("", "", "public_network_access_enabled", "`publicNetworkAccess: true | false`"),
    habit("", "createMode", "", "`recover: true`"),
    habit("", "accessPolicies", "access_policy", "`rbacAuthorization: true` and role assignments; access policies only under `raw:`"),
    habit("networkRules", "virtualNetworkRules", "virtual_network_subnet_ids", "`subnets: [vnet/NAME/SUBNET]`"),
];

pub static RULES: Rules = Rules {
    // No replacements: a new vault of the same name cannot be created while the old one is
    // soft-deleted, so what a vault fixes at creation is a plan error (`refusals`), not a
    // replacement.
    // VaultProperties.enablePurgeProtection: "Enabling this functionality is irreversible".
    one_way: &[(
        "properties.enablePurgeProtection",
        "purge protection cannot be turned off once enabled (Azure: \"Enabling the purge protection for a vault is an irreversible action\")",
    )],
    // Sent when the vault is created (to recover a soft-deleted one), never compared.
    create_only: &["properties.createMode"],
    // VaultProperties defaults (Microsoft.KeyVault 2026-04-01): softDeleteRetentionInDays 90,
    // publicNetworkAccess "enabled"; NetworkRuleSet.bypass "If not specified the default is
    // 'AzureServices'"; a vault without networkAcls takes traffic from every network (Learn
    // "Configure Azure Key Vault networking settings": "Allow public access from all networks"
    // is the default). enableRbacAuthorization: "If null or not specified, the vault is created
    // with the default value of false" (the schema's `default: true` describes new vaults, which
    // always answer with the property).
    server_defaults: &[
        ("properties.softDeleteRetentionInDays", "90"),
        ("properties.publicNetworkAccess", "\"Enabled\""),
        ("properties.enableRbacAuthorization", "false"),
        ("properties.enabledForDeployment", "false"),
        ("properties.enabledForDiskEncryption", "false"),
        ("properties.enabledForTemplateDeployment", "false"),
        ("properties.networkAcls.defaultAction", "\"Allow\""),
        ("properties.networkAcls.bypass", "\"AzureServices\""),
    ],
    sets: &[
        "properties.networkAcls.ipRules",
        "properties.networkAcls.virtualNetworkRules",
        "properties.accessPolicies",
    ],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "properties.tenantId",
        "properties.sku.name",
        "properties.sku.family",
        "properties.publicNetworkAccess",
        "properties.networkAcls.defaultAction",
        "properties.networkAcls.bypass",
        // The service answers subnet IDs lower-cased (createVaultWithNetworkAcls.json).
        "properties.networkAcls.virtualNetworkRules[].id",
    ],
    ..EMPTY
};

/// The ARM type of soft-deleted vaults (Vaults_GetDeleted).
pub const DELETED_VAULT_TYPE: &str = "Microsoft.KeyVault/deletedVaults";

/// The ID of the soft-deleted vault a vault of this name and region would leave:
/// `GET /subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}`.
pub fn deleted_vault_id(subscription: &str, location: &str, name: &str) -> String {
    let location: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    format!(
        "/subscriptions/{subscription}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}"
    )
}

/// The subscription's ID as ARM names it: its GET (Subscriptions_Get) carries `tenantId`.
pub fn subscription_id(stack: &Stack) -> String {
    format!("/subscriptions/{}", stack.subscription)
}

/// Whether planning needs the subscription's tenant: a vault without `tenantId`.
pub fn needs_tenant(stack: &Stack) -> bool {
    stack
        .resources
        .values()
        .any(|r| matches!(&r.spec, Spec::KeyVault(kv) if kv.tenant_id.is_none()))
}

/// The subscription's soft-deleted vaults (Vaults_ListDeleted).
pub fn deleted_vaults_path(subscription: &str) -> String {
    format!("/subscriptions/{subscription}/providers/Microsoft.KeyVault/deletedVaults")
}

/// The soft-deleted vault a vault of the stack would meet when created, if it was read: in the
/// spec's region first, then in any region of the subscription (a vault name is global).
pub fn soft_deleted<'l>(ctx: &Context<'l>, resource: &Resource) -> Option<&'l Value> {
    if let Some(location) = resource.location.as_deref()
        && let Some(found) = ctx.live.get(&deleted_vault_id(
            &ctx.stack.subscription,
            location,
            &resource.name,
        ))
    {
        return Some(found);
    }
    let prefix = format!(
        "/subscriptions/{}/providers/microsoft.keyvault/locations/",
        ctx.stack.subscription
    )
    .to_ascii_lowercase();
    let suffix = format!("/deletedvaults/{}", resource.name).to_ascii_lowercase();
    ctx.live
        .iter()
        .find(|(id, _)| id.starts_with(&prefix) && id.ends_with(&suffix))
        .map(|(_, body)| body)
}

pub fn body(b: &mut BodyBuilder<'_, '_>, resource: &Resource, kv: &KeyVault) -> Value {
    let mut body = tracked(b, resource);
    let tenant = match &kv.tenant_id {
        Some(t) => json!(t),
        None => subscription_tenant(b),
    };
    let rules = &kv.network_rules;
    let subnets: Vec<Value> = rules
        .subnets
        .iter()
        .map(|t| json!({ "id": b.ctx.target_id(t) }))
        .collect();
    let ip_rules: Vec<Value> = rules
        .ip_rules
        .iter()
        .map(|ip| json!({ "value": ip }))
        .collect();
    body["properties"] = json!({
        "tenantId": tenant,
        "sku": {
            "family": "A",
            "name": match kv.sku {
                KeyVaultSku::Standard => "standard",
                KeyVaultSku::Premium => "premium",
            },
        },
        "enableRbacAuthorization": kv.rbac_authorization,
        // A vault PUT replaces the vault's properties: what it leaves out goes back to the
        // service default (false, VaultProperties in keyvault.json), so these are always sent
        // and compared, and one turned on outside azplan shows in the plan instead of being
        // reset silently by the next update. `raw:` turns them on.
        "enabledForDeployment": false,
        "enabledForDiskEncryption": false,
        "enabledForTemplateDeployment": false,
        // Required on create unless recovering (VaultProperties.accessPolicies); with RBAC the
        // service ignores them. Access policies go under `raw:`.
        "accessPolicies": [],
        "publicNetworkAccess": if kv.public_network_access { "Enabled" } else { "Disabled" },
        "softDeleteRetentionInDays": kv.soft_delete_retention_days,
        "networkAcls": {
            "defaultAction": match rules.default_action {
                NetworkDefaultAction::Allow => "Allow",
                NetworkDefaultAction::Deny => "Deny",
            },
            "bypass": match rules.bypass {
                NetworkBypass::AzureServices => "AzureServices",
                NetworkBypass::None => "None",
            },
            "ipRules": ip_rules,
            "virtualNetworkRules": subnets,
        },
    });
    // Azure refuses `false` even on a new vault ("The property \"enablePurgeProtection\" cannot
    // be set to false"), so it is sent only to turn protection on.
    if kv.purge_protection {
        body["properties"]["enablePurgeProtection"] = json!(true);
    }
    // Recovery is asked for only when the plan saw the soft-deleted vault: the service refuses
    // `recover` with nothing to recover.
    if kv.recover && soft_deleted(b.ctx, resource).is_some() {
        body["properties"]["createMode"] = json!("recover");
    }
    body
}

/// The subscription's tenant, from its GET when it was read; otherwise known after apply.
fn subscription_tenant(b: &mut BodyBuilder<'_, '_>) -> Value {
    let subscription = subscription_id(b.ctx.stack);
    match b
        .ctx
        .live
        .get(&subscription)
        .and_then(|s| s.get("tenantId"))
        .filter(|t| t.is_string())
    {
        Some(tenant) => tenant.clone(),
        None => {
            b.late.push(LateValue {
                path: "properties.tenantId".into(),
                from: subscription,
                attribute: "tenantId".into(),
            });
            json!(KNOWN_AFTER_APPLY)
        }
    }
}

/// What a vault fixes at creation and Azure refuses to change, compared with the live vault:
/// (path, why) for each. A vault is never replaced instead (its soft-deleted name would stop
/// the new one).
pub fn refusals(resource: &Resource, live: &Value) -> Vec<(String, String)> {
    let Spec::KeyVault(kv) = &resource.spec else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let live_days = live
        .pointer("/properties/softDeleteRetentionInDays")
        .and_then(Value::as_u64)
        .unwrap_or(90);
    if live_days != u64::from(kv.soft_delete_retention_days) {
        // Learn "Azure Key Vault soft-delete overview": "Once the retention policy interval is
        // set and saved it can't be changed for that vault."
        out.push((
            "properties.softDeleteRetentionInDays".to_string(),
            format!(
                "the soft-delete retention is fixed when a vault is created (it is {live_days} days); set `softDeleteRetentionDays: {live_days}`"
            ),
        ));
    }
    let live_location = live.get("location").and_then(Value::as_str);
    if let (Some(live_location), Some(location)) = (live_location, resource.location.as_deref())
        && norm(live_location) != norm(location)
    {
        out.push((
            "location".to_string(),
            format!(
                "a vault cannot move to another region, and a new one of the same name cannot be made while the old one is soft-deleted (it is in {live_location})"
            ),
        ));
    }
    out
}

fn norm(location: &str) -> String {
    location.replace(' ', "").to_ascii_lowercase()
}

/// What the plan says about a vault it would create: the soft-deleted vault of the same name,
/// if one was read.
pub enum Create {
    /// No soft-deleted vault holds the name (or none was read).
    Free,
    /// Recovered with `createMode: recover` (the spec says `recover: true`): why, for the plan.
    Recovers(String),
    /// The name is taken by a soft-deleted vault: the plan error's message and help.
    Taken { message: String, help: String },
}

pub fn check_create(ctx: &Context<'_>, resource: &Resource) -> Create {
    let Spec::KeyVault(kv) = &resource.spec else {
        return Create::Free;
    };
    let Some(deleted) = soft_deleted(ctx, resource) else {
        return Create::Free;
    };
    let at = |p: &str| {
        deleted
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("an unknown date")
            .to_string()
    };
    let (deleted_on, purge_on) = (
        at("/properties/deletionDate"),
        at("/properties/scheduledPurgeDate"),
    );
    let protected =
        deleted.pointer("/properties/purgeProtectionEnabled") == Some(&Value::Bool(true));
    let location = at("/properties/location");
    let name = &resource.name;
    if kv.recover {
        // A vault is recovered where it was deleted (Learn, "Azure Key Vault recovery
        // management": recovery restores the vault in its original location), with the
        // retention it was created with (fixed at creation).
        let wanted = resource
            .location
            .as_deref()
            .unwrap_or_default()
            .replace(' ', "")
            .to_ascii_lowercase();
        if !location.is_empty()
            && location != "an unknown date"
            && location.replace(' ', "").to_ascii_lowercase() != wanted
        {
            return Create::Taken {
                message: format!(
                    "key vault `{name}` exists soft-deleted in `{location}` (deleted {deleted_on}); a recovery brings it back there, not to `{wanted}`"
                ),
                help: format!(
                    "set the vault's `location: {location}` to recover it, or choose another name"
                ),
            };
        }
        let retention = deleted
            .pointer("/properties/softDeleteRetentionInDays")
            .or_else(|| deleted.pointer("/properties/properties/softDeleteRetentionInDays"))
            .and_then(Value::as_u64);
        if let Some(days) = retention
            && u64::from(kv.soft_delete_retention_days) != days
        {
            return Create::Taken {
                message: format!(
                    "key vault `{name}` exists soft-deleted with a soft-delete retention of {days} days, fixed when it was created"
                ),
                help: format!("set `softDeleteRetentionDays: {days}` to recover it"),
            };
        }
        if protected && !kv.purge_protection {
            return Create::Taken {
                message: format!(
                    "key vault `{name}` exists soft-deleted (deleted {deleted_on}) with purge protection, which a recovered vault keeps"
                ),
                help: "add `purgeProtection: true`: purge protection cannot be turned off".into(),
            };
        }
        return Create::Recovers(format!(
            "recovers the soft-deleted vault `{name}` (deleted {deleted_on}, `recover: true`): it comes back with its keys, secrets and certificates; Azure may restore its old settings rather than the request's (Azure/azure-rest-api-specs#21306), so plan again after the apply: a difference left shows there and the next apply sends it"
        ));
    }
    let purge = if protected {
        format!(
            "it has purge protection, so it cannot be purged: wait until {purge_on}, or use another name"
        )
    } else {
        format!(
            "or purge it yourself, which deletes its keys, secrets and certificates for good: `az keyvault purge --name {name} --location {location}` (azplan never purges); otherwise the name is free after {purge_on}"
        )
    };
    Create::Taken {
        message: format!(
            "key vault `{name}` exists soft-deleted (deleted {deleted_on}, scheduled purge {purge_on}): Azure refuses to create a vault of that name (ConflictError)"
        ),
        help: format!("add `recover: true` to recover it with its contents; {purge}"),
    }
}

/// Said on the plan's delete of a vault: its name stays taken.
pub fn delete_notes(body: &Value) -> Vec<String> {
    if body.pointer("/properties/enableSoftDelete") == Some(&Value::Bool(false)) {
        return Vec::new();
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    let days = body
        .pointer("/properties/softDeleteRetentionInDays")
        .and_then(Value::as_u64)
        .unwrap_or(90);
    let protected = body.pointer("/properties/enablePurgeProtection") == Some(&Value::Bool(true));
    let how = if protected {
        "purge protection forbids purging it sooner"
    } else {
        "unless it is purged (`az keyvault purge`); `recover: true` brings it back"
    };
    vec![format!(
        "Azure keeps a deleted key vault soft-deleted for {days} days: the name `{name}` stays taken until then, {how}"
    )]
}

crate::spec::common!(RawKeyVault);

/// The vault URI secrets and keys are read from.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(body, &[("vaultUri", "properties.vaultUri")])
}

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::spec::Entry;

/// Learn "Virtual network service endpoints" / "Configure Azure Key Vault networking settings":
/// a subnet in a vault's network rules needs the `Microsoft.KeyVault` service endpoint.
const SERVICE_ENDPOINT: &str = "Microsoft.KeyVault";

impl Builder<'_> {
    pub(crate) fn key_vaults(&mut self, entries: &[Entry<RawKeyVault>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::KeyVault,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::key_vault,
            );
            let days = s
                .soft_delete_retention_days
                .as_ref()
                .map_or(90, |d| d.value);
            if let Some(d) = s
                .soft_delete_retention_days
                .as_ref()
                .filter(|d| !(7..=90).contains(&d.value))
            {
                self.error(SpecDiagnostic::invalid(
                    format!(
                        "a soft-delete retention of {} days is out of range",
                        d.value
                    ),
                    d.span,
                    "out of range",
                    "Key Vault keeps deleted vaults 7 to 90 days (softDeleteRetentionInDays)",
                ));
            }
            if let Some(t) = s.tenant_id.as_ref().filter(|t| !names::is_guid(&t.value)) {
                self.error(SpecDiagnostic::invalid(
                    format!("`{}` is not a tenant ID", t.value),
                    t.span,
                    "not a GUID",
                    "a tenant ID is a GUID; leave `tenantId` out to use the subscription's tenant",
                ));
            }
            let network_rules = self.key_vault_network_rules(s, &mut resource.dependencies);
            resource.spec = Spec::KeyVault(KeyVault {
                sku: s.sku.unwrap_or(KeyVaultSku::Standard),
                tenant_id: s.tenant_id.as_ref().map(|t| t.value.clone()),
                rbac_authorization: s.rbac_authorization.as_ref().is_none_or(|r| r.value),
                public_network_access: s.public_network_access.unwrap_or(true),
                network_rules,
                purge_protection: s.purge_protection,
                soft_delete_retention_days: days,
                recover: s.recover,
            });
            self.insert(resource);
        }
    }

    fn key_vault_network_rules(
        &mut self,
        s: &RawKeyVault,
        deps: &mut Vec<crate::model::Dependency>,
    ) -> KeyVaultNetworkRules {
        let mut rules = KeyVaultNetworkRules {
            default_action: NetworkDefaultAction::Allow,
            bypass: NetworkBypass::AzureServices,
            ip_rules: Vec::new(),
            subnets: Vec::new(),
        };
        let Some(raw) = &s.network_rules else {
            return rules;
        };
        let raw = &raw.value;
        rules.default_action = raw.default_action.unwrap_or(NetworkDefaultAction::Allow);
        rules.bypass = raw.bypass.unwrap_or(NetworkBypass::AzureServices);
        for ip in &raw.ip_rules {
            // The service stores a single address as a /32 (createVaultWithNetworkAcls.json
            // answers `124.56.78.91/32` for `124.56.78.91`), so that is what azplan sends.
            let text = if ip.value.contains('/') {
                ip.value.clone()
            } else {
                format!("{}/32", ip.value)
            };
            match text.parse::<crate::net::Cidr>() {
                Ok(cidr) => rules.ip_rules.push(cidr.to_string()),
                Err(message) => self.error(SpecDiagnostic::invalid(
                    message,
                    ip.span,
                    "not an IPv4 address or range",
                    "write an IPv4 address (`203.0.113.7`) or range (`198.51.100.0/24`)",
                )),
            }
        }
        rules.subnets = self.subnets_with_endpoint(
            &raw.subnets,
            &[SERVICE_ENDPOINT],
            &format!(
                "add `serviceEndpoints: [{SERVICE_ENDPOINT}]` to the subnet: a vault's network rules admit a subnet only through that endpoint"
            ),
            deps,
        );
        rules
    }
}

#[cfg(test)]
mod tests {
    /// A vault's network rules admit a declared subnet only with the Microsoft.KeyVault service
    /// endpoint; the error names the subnet and says what to add.
    #[test]
    fn a_subnet_without_the_key_vault_endpoint_is_an_error() {
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {name: rg-s}\nvnets:\n  net:\n    addressSpace: [10.250.0.0/16]\n    subnets:\n      nodes: {prefix: 10.250.0.0/20}\n      kv: {prefix: 10.250.16.0/24, serviceEndpoints: [Microsoft.KeyVault]}\nkeyVaults:\n  platform:\n    name: kv-platform-s\n    networkRules: {defaultAction: Deny, subnets: [vnet/net/nodes, vnet/net/kv]}\n";
        let checked = crate::check::check_str("s.yaml", spec, &crate::load::LoadOptions::default());
        let errors: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| format!("{d:?}"))
            .filter(|d| d.contains("service endpoint"))
            .collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0]
                .contains("subnet `vnet/net/nodes` has no `Microsoft.KeyVault` service endpoint"),
            "{}",
            errors[0]
        );
        assert!(
            errors[0].contains("add `serviceEndpoints: [Microsoft.KeyVault]` to the subnet"),
            "{}",
            errors[0]
        );
    }
}
