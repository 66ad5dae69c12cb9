//! User-assigned managed identities and their federated credentials. A credential trusting a
//! cluster takes that cluster's OIDC issuer URL, known once the cluster exists.

use serde_json::{Value, json};

use super::{BodyBuilder, EMPTY, Rules, tracked};
use crate::model::{FederatedCredential, Issuer, Resource};

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
