//! Storage accounts (`Microsoft.Storage/storageAccounts`, stable/2026-09-01/openapi.json): the
//! Terraform state, Velero backup and CSI blob stores platforms keep beside their clusters.
//! What an account fixes at creation (region, kind, hierarchical namespace) is a replacement the
//! plan shows, and so needs `--allow-destroy` (or is refused under `protect: true`); a change
//! between SKU families Azure cannot convert is a plan error, since a new account would start
//! empty. Settings azplan does not model are sent back as they are live, so an update never
//! resets them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{
    NetworkBypass, NetworkDefaultAction, Resource, Spec, StorageAccessTier, StorageAccount,
    StorageKind, StorageNetworkRules, StorageSku, StorageTlsVersion,
};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawStorageAccount {
    /// Azure name: 3-24 lowercase letters and digits, globally unique; defaults to the key.
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    /// Refuse any plan that deletes or replaces the account (its data goes with it).
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Redundancy and performance, e.g. `Standard_LRS` (default), `Standard_ZRS`,
    /// `Standard_GRS`, `Premium_LRS`. Redundancy can change later within a family (Standard,
    /// Premium, StandardV2, PremiumV2); the family cannot.
    pub sku: Option<Spanned<StorageSku>>,
    /// `StorageV2` (default), `BlockBlobStorage` (premium block blobs) or `FileStorage`
    /// (premium file shares). Fixed at creation: a change replaces the account.
    pub kind: Option<Spanned<StorageKind>>,
    /// Default access tier of blobs, standard StorageV2 only: `Hot` (default), `Cool`, `Cold`
    /// or `Smart`.
    pub access_tier: Option<Spanned<StorageAccessTier>>,
    /// Oldest TLS version accepted: `TLS1_2` (default), `TLS1_1` or `TLS1_0`.
    pub minimum_tls_version: Option<StorageTlsVersion>,
    /// Let containers be read anonymously when they ask for it. Default false, always sent: an
    /// older account that does not say allows it (Learn), so it is a change until set.
    pub allow_blob_public_access: Option<bool>,
    /// Accept requests signed with the account keys (Shared Key, and SAS signed with a key).
    /// Default true, as Azure; false leaves Microsoft Entra ID only (Terraform's azurerm
    /// backend then needs `use_azuread_auth`).
    pub allow_shared_key_access: Option<bool>,
    /// Default true. False blocks every public network: private endpoints only.
    pub public_network_access: Option<bool>,
    /// Refuse plain HTTP. Default true.
    pub https_only: Option<bool>,
    /// Data Lake Storage's hierarchical namespace (`isHnsEnabled`). Default false; fixed at
    /// creation: a change replaces the account.
    pub hierarchical_namespace: Option<bool>,
    /// The account's firewall (`networkAcls`). Default: every network allowed.
    pub network_rules: Option<Spanned<RawStorageNetworkRules>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawStorageNetworkRules {
    /// What happens to traffic no rule allows: `Allow` (default) or `Deny`.
    pub default_action: Option<NetworkDefaultAction>,
    /// `AzureServices` (default: trusted Microsoft services pass) or `None`.
    pub bypass: Option<NetworkBypass>,
    /// Public IPv4 addresses or ranges allowed in (`203.0.113.7`, `198.51.100.0/24`); no
    /// private ranges, no `/31` or `/32`.
    #[serde(default)]
    pub ip_rules: Vec<Spanned<String>>,
    /// Subnets allowed in (`vnet/NAME/SUBNET`, `existing/NAME/SUBNET` or an ARM ID); each needs
    /// the `Microsoft.Storage` (or `Microsoft.Storage.Global`) service endpoint.
    #[serde(default)]
    pub subnets: Vec<Spanned<String>>,
}

/// ARM (and Bicep) and azurerm names of a storage account's settings (`crate::kinds::habits`).
/// ARM: StorageAccountCreateParameters; azurerm: `azurerm_storage_account`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "", "account_tier", "`sku: Standard_LRS` (tier and replication in one name)"),
    habit("", "", "account_replication_type", "`sku: Standard_LRS` (tier and replication in one name)"),
    habit("", "", "account_kind", "`kind: StorageV2 | BlockBlobStorage | FileStorage`"),
    habit("", "", "min_tls_version", "`minimumTlsVersion: TLS1_2`"),
    habit("", "", "shared_access_key_enabled", "`allowSharedKeyAccess: true | false`"),
    habit("", "", "public_network_access_enabled", "`publicNetworkAccess: true | false`"),
    habit("", "", "allow_nested_items_to_be_public", "`allowBlobPublicAccess: true | false`"),
    habit("", "supportsHttpsTrafficOnly", "https_traffic_only_enabled", "`httpsOnly: true | false`"),
    habit("", "", "enable_https_traffic_only", "`httpsOnly: true | false`"),
    habit("", "", "access_tier", "`accessTier: Hot | Cool | Cold | Smart`"),
    habit("", "isHnsEnabled", "is_hns_enabled", "`hierarchicalNamespace: true`"),
    habit("", "networkAcls", "network_rules", "`networkRules: {defaultAction, bypass, ipRules, subnets}`"),
    habit("networkRules", "virtualNetworkRules", "virtual_network_subnet_ids", "`subnets: [vnet/NAME/SUBNET]`"),
    habit("networkRules", "", "ip_rules", "`ipRules: [203.0.113.7, 198.51.100.0/24]`"),
    habit("", "properties", "", "the settings directly under the entry (`minimumTlsVersion`, `networkRules`, ...)"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        // StorageAccountCreateParameters.location: "The geo region of a resource cannot be
        // changed once it is created".
        (
            "location",
            "a storage account cannot move to another region",
        ),
        // StorageAccountUpdateParameters.kind: "Currently only StorageV2 value supported by
        // server", the upgrade of a legacy general-purpose v1 account; the kinds azplan writes
        // are fixed at creation (Learn, "Upgrade to a general-purpose v2 storage account").
        ("kind", "a storage account's kind is fixed at creation"),
        // isHnsEnabled is not in StorageAccountPropertiesUpdateParameters: only a one-way
        // migration (POST hnsonmigration, Learn "Upgrade Azure Blob Storage with Azure Data
        // Lake Storage capabilities") turns it on, and nothing turns it off.
        (
            "properties.isHnsEnabled",
            "the hierarchical namespace is fixed when a storage account is created",
        ),
    ],
    sets: &[
        "properties.networkAcls.ipRules",
        "properties.networkAcls.virtualNetworkRules",
    ],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "kind",
        "sku.name",
        "properties.accessTier",
        "properties.minimumTlsVersion",
        "properties.publicNetworkAccess",
        "properties.networkAcls.defaultAction",
        "properties.networkAcls.bypass",
        "properties.networkAcls.ipRules[].action",
        "properties.networkAcls.virtualNetworkRules[].id",
        "properties.networkAcls.virtualNetworkRules[].action",
    ],
    // StorageAccountPropertiesCreateParameters (2026-09-01): minimumTlsVersion "The default
    // interpretation is TLS 1.0", allowSharedKeyAccess "The default value is null, which is
    // equivalent to true",
    // supportsHttpsTrafficOnly "The default value is true since API version 2019-04-01";
    // NetworkRuleSet bypass "Possible values are any combination of Logging|Metrics|
    // AzureServices ... None" with default AzureServices and defaultAction Allow
    // (StorageAccountGetProperties.json); a GET without publicNetworkAccess or isHnsEnabled
    // (StorageAccountCreate.json's answer) is an account open to public networks without a
    // hierarchical namespace (Learn, "Configure Azure Storage firewalls and virtual networks":
    // public network access is enabled from all networks by default).
    //
    // No default for allowBlobPublicAccess: the API's "default interpretation is false" holds
    // for the accounts created today (which answer `false`), but Learn ("Configure anonymous
    // read access for containers and blobs", "Prevent anonymous read access to containers and
    // blobs") says the property "is not set by default and does not return a value until you
    // explicitly set it. The storage account permits public access when the property value is
    // null or when it is true". An older account that answers without it allows anonymous
    // access: compared as false, a spec's `false` would never be sent. Without a default, an
    // account that does not say is always a change, and the PUT sets it explicitly.
    server_defaults: &[
        ("properties.minimumTlsVersion", "\"TLS1_0\""),
        ("properties.allowSharedKeyAccess", "true"),
        ("properties.supportsHttpsTrafficOnly", "true"),
        ("properties.isHnsEnabled", "false"),
        ("properties.publicNetworkAccess", "\"Enabled\""),
        ("properties.networkAcls.defaultAction", "\"Allow\""),
        ("properties.networkAcls.bypass", "\"AzureServices\""),
    ],
    ..EMPTY
};

/// Writable properties azplan does not model, sent back as they are live: a PUT to an existing
/// account updates it with the request's properties (StorageAccounts_Create), so leaving them
/// out could reset what another tool set (encryption with customer-managed keys, SFTP, ...).
const UNMODELLED: &[&str] = &[
    "encryption",
    "customDomain",
    "sasPolicy",
    "keyPolicy",
    "azureFilesIdentityBasedAuthentication",
    "isSftpEnabled",
    "isLocalUserEnabled",
    "enableExtendedGroups",
    "largeFileSharesState",
    "routingPreference",
    "dualStackEndpointPreference",
    "isNfsV3Enabled",
    "allowCrossTenantReplication",
    "defaultToOAuthAuthentication",
    "immutableStorageWithVersioning",
    "allowedCopyScope",
    "dnsEndpointType",
    "allowSharedKeyAccessForServices",
    "allowCrossTenantDelegationSas",
];

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, sa: &StorageAccount) -> Value {
    let mut body = tracked(b, resource);
    body["sku"] = json!({ "name": sa.sku.arm() });
    body["kind"] = json!(sa.kind.arm());
    let rules = &sa.network_rules;
    // IPRule: `action` "The action of IP ACL rule" (only `Allow`); VirtualNetworkRule the same.
    let ip_rules: Vec<Value> = rules
        .ip_rules
        .iter()
        .map(|ip| json!({ "value": ip, "action": "Allow" }))
        .collect();
    let subnets: Vec<Value> = rules
        .subnets
        .iter()
        .map(|t| json!({ "id": b.ctx.target_id(t), "action": "Allow" }))
        .collect();
    body["properties"] = json!({
        "minimumTlsVersion": sa.minimum_tls_version.arm(),
        "allowBlobPublicAccess": sa.allow_blob_public_access,
        "allowSharedKeyAccess": sa.allow_shared_key_access,
        "publicNetworkAccess": if sa.public_network_access { "Enabled" } else { "Disabled" },
        "supportsHttpsTrafficOnly": sa.https_only,
        "isHnsEnabled": sa.hierarchical_namespace,
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
    if let Some(tier) = sa.access_tier {
        body["properties"]["accessTier"] = json!(tier.arm());
    }
    b.carry_over_live(resource, &mut body, UNMODELLED);
    b.carry_over_live_fields(resource, &mut body, "networkAcls", &MODELLED_ACLS);
    // What Azure fills into a carried-over encryption block is read-only (2026-09-01:
    // EncryptionService `lastEnabledTime`; KeyVaultProperties `currentVersionedKeyIdentifier`,
    // `lastKeyRotationTimestamp`, `currentVersionedKeyExpirationTimestamp`), never sent, as the
    // SDK's models do not send it.
    if let Some(encryption) = body.pointer_mut("/properties/encryption") {
        if let Some(services) = encryption
            .get_mut("services")
            .and_then(Value::as_object_mut)
        {
            for service in services.values_mut().filter_map(Value::as_object_mut) {
                service.remove("lastEnabledTime");
            }
        }
        if let Some(key_vault) = encryption
            .get_mut("keyvaultproperties")
            .and_then(Value::as_object_mut)
        {
            for read_only in [
                "currentVersionedKeyIdentifier",
                "lastKeyRotationTimestamp",
                "currentVersionedKeyExpirationTimestamp",
            ] {
                key_vault.remove(read_only);
            }
        }
    }
    body
}

/// The NetworkRuleSet fields `networkRules` writes. NetworkRuleSet (2026-09-01) also has
/// `resourceAccessRules` ("Sets the resource access rules": resource instances such as a
/// Synapse workspace let in by resource ID and tenant, Learn "Configure Azure Storage firewalls
/// and virtual networks", "Grant access from Azure resource instances") and `ipv6Rules` ("Sets
/// the IPv6 ACL rules"), which azplan does not model: the
/// PUT replaces `networkAcls` whole, so those (and any field a later api-version adds) are sent
/// back as they are live, and an unrelated update keeps them.
const MODELLED_ACLS: [&str; 4] = ["defaultAction", "bypass", "ipRules", "virtualNetworkRules"];

/// What a storage account cannot change and cannot be replaced for, compared with the live
/// account: (path, why) for each. Learn, "Change how a storage account is replicated": the
/// redundancy of an account changes (geo-replication and read access by an update, zone
/// redundancy by a conversion), always within its performance tier; a move between standard
/// and premium is a manual migration, copying the data to another account. A replacement would
/// start empty, so the plan stops instead.
pub fn refusals(resource: &Resource, live: &Value) -> Vec<(String, String)> {
    let Spec::StorageAccount(sa) = &resource.spec else {
        return Vec::new();
    };
    let Some(live_sku) = live.pointer("/sku/name").and_then(Value::as_str) else {
        return Vec::new();
    };
    let live_family = live_sku.split('_').next().unwrap_or_default();
    if live_family.eq_ignore_ascii_case(sa.sku.family()) {
        return Vec::new();
    }
    vec![(
        "sku.name".to_string(),
        format!(
            "a {live_family} storage account cannot become {} (it is {live_sku}): Azure converts redundancy within a performance family only; keep `sku: {live_sku}`, or create another account and copy the data",
            sa.sku.family()
        ),
    )]
}

crate::spec::common!(RawStorageAccount);

/// The endpoints clients are configured with (Terraform's backend, Velero, the CSI drivers).
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(
        body,
        &[
            ("primaryBlobEndpoint", "properties.primaryEndpoints.blob"),
            ("primaryDfsEndpoint", "properties.primaryEndpoints.dfs"),
            ("primaryFileEndpoint", "properties.primaryEndpoints.file"),
        ],
    )
}

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::net::Cidr;
use crate::spec::Entry;

/// Learn, "Configure Azure Storage firewalls and virtual networks": a subnet in an account's
/// network rules needs the `Microsoft.Storage` service endpoint (same region) or
/// `Microsoft.Storage.Global` (any region).
const SERVICE_ENDPOINTS: [&str; 2] = ["Microsoft.Storage", "Microsoft.Storage.Global"];

/// RFC 1918 ranges, which Learn ("Guidelines and limitations for the Azure Storage firewall")
/// says IP network rules do not accept: private traffic reaches an account through subnets.
const PRIVATE_RANGES: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

impl Builder<'_> {
    pub(crate) fn storage_accounts(&mut self, entries: &[Entry<RawStorageAccount>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::StorageAccount,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::storage_account,
            );
            let kind = s.kind.as_ref().map_or(StorageKind::StorageV2, |k| k.value);
            let sku = s.sku.as_ref().map_or(StorageSku::StandardLrs, |k| k.value);
            self.check_storage_sku(s, kind, sku);
            let standard = sku.family() == "Standard";
            let access_tier = match (kind, &s.access_tier) {
                // Learn, "Access tiers for blob data": a standard general-purpose v2 account's
                // default tier is hot when none is given.
                (StorageKind::StorageV2, tier) if standard => {
                    Some(tier.as_ref().map_or(StorageAccessTier::Hot, |t| t.value))
                }
                (_, None) => None,
                // A premium general-purpose v2 account holds page blobs, which Learn ("Access
                // tiers for blob data") says cannot be tiered.
                (StorageKind::StorageV2, Some(tier)) => {
                    self.error(SpecDiagnostic::invalid(
                        format!("a {} account has no blob access tier to choose", sku.arm()),
                        tier.span,
                        "premium",
                        "remove `accessTier`: access tiers are for standard StorageV2 accounts (block blobs)",
                    ));
                    None
                }
                // AccessTier: "The 'Premium' access tier is the default value for premium block
                // blobs storage account type and it cannot be changed"; file shares have tiers
                // of their own, not the account.
                (other, Some(tier)) => {
                    self.error(SpecDiagnostic::invalid(
                        format!("a {} account has no blob access tier to choose", other.arm()),
                        tier.span,
                        "not for this kind",
                        "remove `accessTier`: BlockBlobStorage accounts are always Premium and FileStorage accounts have none; access tiers are for `kind: StorageV2`",
                    ));
                    None
                }
            };
            let hns = s.hierarchical_namespace.unwrap_or(false);
            if hns && kind == StorageKind::FileStorage {
                // Learn, "Azure Data Lake Storage hierarchical namespace": the namespace is a
                // blob feature (general-purpose v2 and premium block blob accounts).
                let span = s.kind.as_ref().map_or(entry.key.span, |k| k.span);
                self.error(SpecDiagnostic::invalid(
                    "a FileStorage account cannot have a hierarchical namespace",
                    span,
                    "file shares only",
                    "Data Lake Storage needs `kind: StorageV2` or `BlockBlobStorage`; remove `hierarchicalNamespace`",
                ));
            }
            let network_rules = self.storage_network_rules(s, &mut resource.dependencies);
            resource.spec = Spec::StorageAccount(StorageAccount {
                sku,
                kind,
                access_tier,
                minimum_tls_version: s.minimum_tls_version.unwrap_or(StorageTlsVersion::Tls12),
                allow_blob_public_access: s.allow_blob_public_access.unwrap_or(false),
                allow_shared_key_access: s.allow_shared_key_access.unwrap_or(true),
                public_network_access: s.public_network_access.unwrap_or(true),
                https_only: s.https_only.unwrap_or(true),
                hierarchical_namespace: hns,
                network_rules,
            });
            self.insert(resource);
        }
    }

    /// Learn, "Storage account overview" (types of storage accounts): premium block blobs and
    /// premium file shares are Premium_LRS or Premium_ZRS (file shares also PremiumV2_*, and
    /// StandardV2_* for provisioned v2 standard file shares); a general-purpose v2 account is
    /// Standard_* or Premium_LRS (premium page blobs).
    fn check_storage_sku(&mut self, s: &RawStorageAccount, kind: StorageKind, sku: StorageSku) {
        use StorageSku as K;
        let ok = match kind {
            StorageKind::StorageV2 => matches!(
                sku,
                K::StandardLrs
                    | K::StandardGrs
                    | K::StandardRagrs
                    | K::StandardZrs
                    | K::StandardGzrs
                    | K::StandardRagzrs
                    | K::PremiumLrs
            ),
            StorageKind::BlockBlobStorage => matches!(sku, K::PremiumLrs | K::PremiumZrs),
            StorageKind::FileStorage => matches!(
                sku,
                K::PremiumLrs
                    | K::PremiumZrs
                    | K::PremiumV2Lrs
                    | K::PremiumV2Zrs
                    | K::StandardV2Lrs
                    | K::StandardV2Grs
                    | K::StandardV2Zrs
                    | K::StandardV2Gzrs
            ),
        };
        if ok {
            return;
        }
        let span = s
            .sku
            .as_ref()
            .map(|k| k.span)
            .or(s.kind.as_ref().map(|k| k.span));
        let Some(span) = span else { return };
        let help = match kind {
            StorageKind::StorageV2 => {
                "a StorageV2 account is Standard_LRS, _ZRS, _GRS, _RAGRS, _GZRS, _RAGZRS or Premium_LRS"
            }
            StorageKind::BlockBlobStorage => {
                "a BlockBlobStorage account is Premium_LRS or Premium_ZRS"
            }
            StorageKind::FileStorage => {
                "a FileStorage account is Premium_LRS, Premium_ZRS, PremiumV2_* or StandardV2_*"
            }
        };
        self.error(SpecDiagnostic::invalid(
            format!("a {} account cannot be {}", kind.arm(), sku.arm()),
            span,
            "SKU not offered for this kind",
            help,
        ));
    }

    fn storage_network_rules(
        &mut self,
        s: &RawStorageAccount,
        deps: &mut Vec<crate::model::Dependency>,
    ) -> StorageNetworkRules {
        let mut rules = StorageNetworkRules {
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
            match storage_ip_rule(&ip.value) {
                Ok(value) => rules.ip_rules.push(value),
                Err((message, help)) => self.error(SpecDiagnostic::invalid(
                    message,
                    ip.span,
                    "not accepted by the storage firewall",
                    help,
                )),
            }
        }
        rules.subnets = self.subnets_with_endpoint(
            &raw.subnets,
            &SERVICE_ENDPOINTS,
            "add `serviceEndpoints: [Microsoft.Storage]` (or `Microsoft.Storage.Global`) to the subnet: an account's network rules admit a subnet only through that endpoint",
            deps,
        );
        rules
    }
}

/// An IP rule as the storage firewall takes it: a public IPv4 address, or a public range of
/// prefix length 30 or less (Learn, "Guidelines and limitations for the Azure Storage
/// firewall": "/31 or /32 prefix sizes aren't supported ... use individual IP address rules";
/// private address ranges defined in RFC 1918 aren't allowed). The error is (message, help).
fn storage_ip_rule(text: &str) -> Result<String, (String, String)> {
    let (cidr, bare) = if text.contains('/') {
        (text.parse::<Cidr>(), false)
    } else {
        (format!("{text}/32").parse::<Cidr>(), true)
    };
    let cidr = cidr.map_err(|message| {
        (
            message,
            "write a public IPv4 address (`203.0.113.7`) or range (`198.51.100.0/24`)".to_string(),
        )
    })?;
    if PRIVATE_RANGES
        .iter()
        .filter_map(|r| r.parse::<Cidr>().ok())
        .any(|private| private.overlaps(cidr))
    {
        return Err((
            format!("`{text}` is in a private (RFC 1918) range"),
            "the storage firewall's IP rules take public addresses only; let private networks in through `subnets:` (with the Microsoft.Storage service endpoint) or a private endpoint".to_string(),
        ));
    }
    if bare {
        return Ok(text.to_string());
    }
    if cidr.to_string().ends_with("/31") || cidr.to_string().ends_with("/32") {
        let first = cidr.to_string();
        let address = first.split('/').next().unwrap_or_default().to_string();
        return Err((
            format!("`{text}` is a /31 or /32 range, which the storage firewall does not take"),
            format!("write each address on its own, without a prefix length (`{address}`)"),
        ));
    }
    Ok(cidr.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_rules_follow_the_storage_firewall_limits() {
        assert_eq!(storage_ip_rule("203.0.113.7"), Ok("203.0.113.7".into()));
        assert_eq!(
            storage_ip_rule("198.51.100.0/24"),
            Ok("198.51.100.0/24".into())
        );
        assert!(storage_ip_rule("198.51.100.4/31").is_err());
        assert!(storage_ip_rule("198.51.100.4/32").is_err());
        assert!(storage_ip_rule("10.1.2.3").is_err());
        assert!(storage_ip_rule("172.20.0.0/16").is_err());
        assert!(storage_ip_rule("192.168.1.0/24").is_err());
        assert!(storage_ip_rule("not-an-ip").is_err());
    }

    #[test]
    fn network_rule_fields_azplan_does_not_model_are_sent_back_as_they_are_live() {
        use crate::kinds::Context;
        use crate::live::LiveState;
        use crate::model::Address;
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {name: rg-s}\nstorageAccounts:\n  state:\n    name: ststate\n    networkRules: {defaultAction: Deny, ipRules: [203.0.113.7]}\n";
        let checked = crate::check::check_str("s.yaml", spec, &crate::load::LoadOptions::default());
        let stack = checked.stack.expect("a stack");
        let address = Address::new(Kind::StorageAccount, "state");
        let empty = LiveState::default();
        let id = Context {
            stack: &stack,
            live: &empty,
        }
        .id(&address);
        // The resource access rule of StorageAccountGetProperties.json (2026-09-01), an IPv6
        // rule, and live IP rules and default action the spec replaces.
        let rule = json!([{
            "resourceId": "/subscriptions/a7e99807-abbf-4642-bdec-2c809a96a8bc/resourceGroups/res9407/providers/Microsoft.Synapse/workspaces/testworkspace",
            "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"
        }]);
        let ipv6 = json!([{"value": "2001:db8::/48", "action": "Allow"}]);
        let mut live = LiveState::default();
        live.insert(
            json!({"id": id, "type": "Microsoft.Storage/storageAccounts",
            "properties": {"networkAcls": {"defaultAction": "Allow", "bypass": "AzureServices",
                "ipRules": [{"value": "198.51.100.9", "action": "Allow"}],
                "virtualNetworkRules": [], "resourceAccessRules": rule, "ipv6Rules": ipv6}}}),
        );
        let ctx = Context {
            stack: &stack,
            live: &live,
        };
        let body = crate::kinds::desired(&ctx, &stack.resources[&address]).body;
        let acls = &body["properties"]["networkAcls"];
        assert_eq!(acls["resourceAccessRules"], rule);
        assert_eq!(acls["ipv6Rules"], ipv6);
        assert_eq!(acls["defaultAction"], "Deny");
        assert_eq!(
            acls["ipRules"],
            json!([{"value": "203.0.113.7", "action": "Allow"}])
        );
        // Nothing live, nothing carried: a new account's rule set is the spec's alone.
        let fresh = Context {
            stack: &stack,
            live: &empty,
        };
        let body = crate::kinds::desired(&fresh, &stack.resources[&address]).body;
        assert!(
            body["properties"]["networkAcls"]
                .get("resourceAccessRules")
                .is_none()
        );
    }

    #[test]
    fn outputs_are_read_from_the_official_get_shape() {
        // The property paths of StorageAccountGetProperties.json (Microsoft.Storage 2026-09-01).
        let body = json!({"properties": {"primaryEndpoints": {
            "blob": "https://sto8596.blob.core.windows.net/",
            "dfs": "https://sto8596.dfs.core.windows.net/",
            "file": "https://sto8596.file.core.windows.net/"
        }}});
        let names: Vec<String> = outputs(&body).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "primaryBlobEndpoint",
                "primaryDfsEndpoint",
                "primaryFileEndpoint"
            ]
        );
    }
}
