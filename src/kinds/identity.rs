//! User-assigned managed identities and their federated credentials. A credential trusting a
//! cluster takes that cluster's OIDC issuer URL, known once the cluster exists.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{FederatedCredential, Issuer, Resource};

/// Managed identities and their credentials share one api-version.
const API_VERSION: &str = "2024-11-30";

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawIdentity {
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
    /// Federated credentials (at most 20), referenced as `identity/IDENTITY/CREDENTIAL`.
    #[serde(default)]
    pub federated_credentials: BTreeMap<String, Spanned<RawFederatedCredential>>,
}

/// Trust tokens of a Kubernetes service account: issuer from a cluster (or a URL), subject from
/// a namespace and service account (or given whole).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawFederatedCredential {
    /// Cluster whose OIDC issuer is trusted, e.g. `cluster/platform`.
    pub cluster: Option<Spanned<String>>,
    /// Issuer URL, for issuers outside the stack (e.g. GitHub Actions).
    pub issuer: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub service_account: Option<Spanned<String>>,
    /// Full subject, instead of namespace and serviceAccount.
    pub subject: Option<Spanned<String>>,
    /// Default `[api://AzureADTokenExchange]`.
    pub audiences: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
}

pub static IDENTITY_DEF: KindDef = KindDef {
    kind: Kind::Identity,
    section: Some("identities"),
    prefix: "identity",
    noun: "managed identity",
    example: "`identity/NAME`",
    arm: &[ArmType {
        path: "Microsoft.ManagedIdentity/userAssignedIdentities",
        api_version: API_VERSION,
    }],
    parent: None,
    taggable: true,
    serial: Serial::Free,
    delete_rank: 6,
    rules: &IDENTITY_RULES,
};

pub static CREDENTIAL_DEF: KindDef = KindDef {
    kind: Kind::FederatedCredential,
    section: None,
    prefix: "identity",
    noun: "federated credential",
    example: "`identity/NAME/CREDENTIAL`",
    arm: &[ArmType {
        path: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
        api_version: API_VERSION,
    }],
    parent: Some(Kind::Identity),
    taggable: false,
    // One credential write per identity at a time
    // (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity).
    serial: Serial::UnderParent,
    delete_rank: 9,
    rules: &CREDENTIAL_RULES,
};

pub static IDENTITY_RULES: Rules = Rules {
    immutable: &[("location", "an identity cannot move to another region")],
    exact_maps: &["tags"],
    case_insensitive: &["location"],
    ..EMPTY
};

pub static CREDENTIAL_RULES: Rules = Rules {
    sets: &["properties.audiences"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource) -> Value {
    tracked(b, resource)
}

pub fn credential_body(b: &mut BodyBuilder<'_, '_>, c: &FederatedCredential) -> Value {
    let issuer = match &c.issuer {
        Issuer::Url(url) => Value::String(url.clone()),
        Issuer::Cluster(cluster) => b.late(
            "properties.issuer",
            cluster,
            "properties.oidcIssuerProfile.issuerURL",
        ),
    };
    json!({
        "properties": {
            "issuer": issuer,
            "subject": c.subject,
            "audiences": c.audiences,
        }
    })
}

crate::spec::common!(RawIdentity);
