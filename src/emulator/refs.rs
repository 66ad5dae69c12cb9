//! References to other resources inside any PUT/PATCH body — including fields no type module
//! knows, as a client's escape hatch may send them — must name resources that exist, as the
//! services check them: a user-assigned identity key ARM cannot resolve fails the identity
//! operation (`FailedIdentityOperation`), a network resource pointing at nothing is
//! `InvalidResourceReference` ("Resource … referenced by resource … was not found"), and AKS
//! answers `InvalidParameter` naming the field. A reference counts as dangling when it points
//! into a resource group this emulator holds, has a type the emulator serves, and names nothing
//! there (`common::dangling_reference`). References to types the emulator does not serve
//! (`Microsoft.Compute/diskEncryptionSets`, …) cannot be judged and pass, as do references into
//! groups a service manages (an AKS node resource group) and to the resource itself or below it;
//! read-only fields the service fills in (`effectiveOutboundIPs`) are skipped.

use serde_json::Value;

use crate::emulator::common;
use crate::emulator::error::ArmError;
use crate::emulator::kind::Kind;
use crate::emulator::route::{self, Route, Target};
use crate::emulator::state::State;

/// Fields whose values the service writes, not the client.
const READ_ONLY: [&str; 4] = [
    "effectiveOutboundIPs",
    "provisioningState",
    "status",
    "powerState",
];

fn looks_like_id(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("/subscriptions/")
        && lower.contains("/resourcegroups/")
        && lower.contains("/providers/")
}

/// True when the id points into a resource group some service manages (`managedBy` set).
fn in_managed_group(state: &State, id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    let segs: Vec<&str> = lower.split('/').collect();
    segs.len() > 4
        && state
            .get(&segs[..5].join("/"))
            .and_then(|g| g.body.get("managedBy"))
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty())
}

/// Whether the id addresses an instance of a type the emulator serves.
fn served(id: &str) -> bool {
    matches!(route::parse(id), Ok(Route::Instance(_)))
}

fn refused(target: &Target, path: &str, id: &str, identity: bool) -> ArmError {
    if identity && !matches!(target.kind, Kind::Cluster | Kind::NodePool) {
        return ArmError::bad_request(
            "FailedIdentityOperation",
            format!(
                "Identity operation for resource '{}' failed with error 'Failed to perform resource identity operation. Status: 'NotFound'. Response: '{{\"error\":{{\"code\":\"NotFound\",\"message\":\"Resource '{id}' was not found.\"}}}}'.'.",
                target.id
            ),
        );
    }
    match target.kind {
        Kind::Cluster | Kind::NodePool => ArmError::bad_request(
            "InvalidParameter",
            format!("The value of parameter {path} is invalid: the resource '{id}' was not found."),
        )
        .with_target(path),
        _ => ArmError::bad_request(
            "InvalidResourceReference",
            format!(
                "Resource {id} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
                target.id
            ),
        )
        .with_target(path),
    }
}

/// Refuses the first reference in `body` that names nothing.
pub(crate) fn check(state: &State, target: &Target, body: &Value) -> Result<(), ArmError> {
    // Azure Monitor answers for its own references (`diagnostic::put`, `dcr_association::put`),
    // not with the network
    // wording below.
    if matches!(
        target.kind,
        Kind::DiagnosticSetting | Kind::DataCollectionRuleAssociation
    ) {
        return Ok(());
    }
    let own = target.key();
    let dangling = |id: &str| {
        let lower = id.to_ascii_lowercase();
        lower != own
            && !lower.starts_with(&format!("{own}/"))
            && !in_managed_group(state, id)
            && served(id)
            && common::dangling_reference(state, id)
    };
    walk(body, "", &mut |path, id, identity| {
        if dangling(id) {
            Err(refused(target, path, id, identity))
        } else {
            Ok(())
        }
    })
}

fn walk(
    value: &Value,
    path: &str,
    visit: &mut impl FnMut(&str, &str, bool) -> Result<(), ArmError>,
) -> Result<(), ArmError> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if READ_ONLY.contains(&key.as_str()) || (path.is_empty() && key == "id") {
                    continue;
                }
                let here = join(key);
                if key == "userAssignedIdentities"
                    && let Value::Object(identities) = v
                {
                    for id in identities.keys() {
                        visit(&here, id, true)?;
                    }
                    continue;
                }
                walk(v, &here, visit)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), visit)?;
            }
            Ok(())
        }
        Value::String(s) if looks_like_id(s) => visit(path, s, false),
        _ => Ok(()),
    }
}
