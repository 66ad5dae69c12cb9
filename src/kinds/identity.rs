//! User-assigned managed identities and their federated credentials. A credential trusting a
//! cluster takes that cluster's OIDC issuer URL, known once the cluster exists.

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, EMPTY, Kind, KindDef, Rules, Serial, tracked};
use crate::model::{FederatedCredential, Issuer, Resource};

/// Managed identities and their credentials share one api-version.
const API_VERSION: &str = "2024-11-30";

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
