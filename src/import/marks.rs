//! What the import's steps share: reading values out of ARM bodies, the ownership marks and
//! cluster principals it recognises, and what it folds back into cluster settings.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A value at a dotted path of a body.
pub(super) fn at<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    crate::plan::lookup(body, path).filter(|v| !v.is_null())
}

pub(super) fn text_at<'v>(body: &'v Value, path: &str) -> Option<&'v str> {
    at(body, path).and_then(Value::as_str)
}

/// The stack and address of an ownership mark: `azplan-stack:STACK roleAssignment/KEY[: text]`
/// → (stack, key, text).
pub fn ownership_mark(description: &str) -> Option<(String, String, Option<String>)> {
    let rest = description.strip_prefix(crate::kinds::OWNER_PREFIX)?;
    let (stack, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("roleAssignment/")?;
    let (key, text) = match rest.split_once(": ") {
        Some((key, text)) => (key, Some(text.to_string())),
        None => (rest, None),
    };
    Some((stack.to_string(), key.trim().to_string(), text))
}

/// A role assignment that a cluster setting derives (AcrPull for an attached registry, DNS Zone
/// Contributor for app routing): it comes back as that setting.
#[derive(Debug, Default)]
pub(super) struct Folded {
    /// Per cluster ID: the registries (references) it pulls from.
    pub attached: BTreeMap<String, Vec<String>>,
    /// Per cluster ID: the lower-cased zone IDs app routing was granted.
    pub dns_granted: BTreeMap<String, BTreeSet<String>>,
    /// Role assignment IDs that are folded.
    pub ids: BTreeSet<String>,
}

/// Where a cluster's identities show their object IDs, by principal facet.
pub(super) const CLUSTER_PRINCIPALS: [(&str, &str); 8] = [
    (
        "kubelet",
        "properties.identityProfile.kubeletidentity.objectId",
    ),
    ("controlPlane", "identity.principalId"),
    (
        "appRouting",
        "properties.ingressProfile.webAppRouting.identity.objectId",
    ),
    (
        "monitoring",
        "properties.addonProfiles.omsagent.identity.objectId",
    ),
    (
        "virtualNodes",
        "properties.addonProfiles.aciConnectorLinux.identity.objectId",
    ),
    (
        "azurePolicy",
        "properties.addonProfiles.azurepolicy.identity.objectId",
    ),
    (
        "keyVaultSecretsProvider",
        "properties.addonProfiles.azureKeyvaultSecretsProvider.identity.objectId",
    ),
    (
        "ingressApplicationGateway",
        "properties.addonProfiles.ingressApplicationGateway.identity.objectId",
    ),
];
