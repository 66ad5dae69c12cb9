//! Microsoft.Insights/dataCollectionEndpoints (dataCollectionEndpoints_API.json, stable
//! 2023-03-11): synchronous PUT (200/201), PATCH (200: tags and identity, ResourceForUpdate) and
//! DELETE (200/204). The service fills in what the spec calls READ-ONLY: `immutableId`, the
//! `configurationAccess`, `logsIngestion` and `metricsIngestion` endpoints and
//! `provisioningState`, all kept across updates. The endpoint hosts follow the spec's own
//! examples (`https://mydce-abcd.eastus-1.control.monitor.azure.com` for configuration,
//! `…ingest.monitor.azure.com` for logs and metrics: ConfigurationAccessEndpointSpec,
//! LogsIngestionEndpointSpec, MetricsIngestionEndpointSpec), the immutable ID its
//! `dce-b74e0d383fc9415abaa584ec41adece3`.

use serde_json::{Map, Value, json};

use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Written;
use crate::emulator::kind::Kind;
use crate::emulator::route::Target;
use crate::emulator::state::State;

/// READ-ONLY in DataCollectionEndpoint (the spec's descriptions and `readOnly` marks): what a
/// client sends there is ignored.
const READ_ONLY: [&str; 8] = [
    "immutableId",
    "configurationAccess",
    "logsIngestion",
    "metricsIngestion",
    "provisioningState",
    "privateLinkScopedResources",
    "failoverConfiguration",
    "metadata",
];

/// KnownPublicNetworkAccessOptions (NetworkRuleSet.publicNetworkAccess, 2023-03-11).
const PUBLIC_NETWORK_ACCESS: [&str; 3] = ["Enabled", "Disabled", "SecuredByPerimeter"];

/// `networkAcls.publicNetworkAccess` in the spelling of the enum. The spec lists three values;
/// another is refused (the code is not from a capture of the service).
fn network_acls(acls: Option<&Value>) -> Result<Option<Value>, ArmError> {
    let Some(acls) = acls.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Some(map) = acls.as_object() else {
        return Err(ArmError::invalid_body(
            "'properties.networkAcls' must be an object",
        ));
    };
    let mut out = map.clone();
    match map.get("publicNetworkAccess") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            let known = PUBLIC_NETWORK_ACCESS
                .into_iter()
                .find(|v| v.eq_ignore_ascii_case(s))
                .ok_or_else(|| {
                    ArmError::bad_request(
                        "InvalidPayload",
                        format!(
                            "Data collection endpoint is invalid: publicNetworkAccess '{s}' is not one of Enabled, Disabled, SecuredByPerimeter."
                        ),
                    )
                })?;
            out.insert("publicNetworkAccess".into(), json!(known));
        }
        Some(_) => {
            return Err(ArmError::invalid_body(
                "'properties.networkAcls.publicNetworkAccess' must be a string",
            ));
        }
    }
    Ok(Some(Value::Object(out)))
}

/// The three endpoint hosts, in the form of the spec's examples: the endpoint's name in lower
/// case, four characters of its immutable ID, the region with its `-1` cell suffix.
fn endpoints(name: &str, location: &str, immutable: &str) -> [(&'static str, String); 3] {
    let host = format!(
        "{}-{}.{}-1",
        name.to_ascii_lowercase(),
        &immutable[immutable.len() - 4..],
        location.to_ascii_lowercase().replace(' ', "")
    );
    [
        (
            "configurationAccess",
            format!("https://{host}.control.monitor.azure.com"),
        ),
        (
            "logsIngestion",
            format!("https://{host}.ingest.monitor.azure.com"),
        ),
        (
            "metricsIngestion",
            format!("https://{host}.ingest.monitor.azure.com"),
        ),
    ]
}

pub(crate) fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: &Value,
) -> Result<Written, ArmError> {
    let location = common::required_location(body)?;
    let key = target.key();
    let existing = state.get(&key).cloned();
    common::check_location(existing.as_ref(), &location, target)?;
    let mut props = common::properties(body)?;
    for field in READ_ONLY {
        props.remove(field);
    }
    match network_acls(props.get("networkAcls"))? {
        Some(acls) => {
            props.insert("networkAcls".into(), acls);
        }
        None => {
            props.remove("networkAcls");
        }
    }
    let old = |field: &str| {
        existing
            .as_ref()
            .and_then(|r| r.body.get("properties"))
            .and_then(|p| p.get(field))
            .cloned()
    };
    // "The immutable ID of this data collection endpoint resource": kept across updates, and
    // the endpoint hosts with it.
    let immutable = old("immutableId")
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("dce-{}", common::new_guid().replace('-', "")));
    let mut out = Map::new();
    out.insert("immutableId".into(), json!(immutable));
    for (field, url) in endpoints(&target.name, &location, &immutable) {
        out.insert(
            field.into(),
            old(field).unwrap_or_else(|| json!({"endpoint": url})),
        );
    }
    out.extend(props);
    out.insert("provisioningState".into(), json!("Succeeded"));
    common::put_monitor_resource(state, ctx, target, &location, body, out, existing.as_ref())?;
    Ok(Written::new(
        Kind::DataCollectionEndpoint,
        existing.is_none(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_follow_the_spec_examples() {
        let [config, logs, metrics] = endpoints(
            "myCollectionEndpoint",
            "eastus",
            "dce-b74e0d383fc9415abaa584ec41adabcd",
        );
        assert_eq!(
            config.1,
            "https://mycollectionendpoint-abcd.eastus-1.control.monitor.azure.com"
        );
        assert_eq!(
            logs.1,
            "https://mycollectionendpoint-abcd.eastus-1.ingest.monitor.azure.com"
        );
        assert_eq!(metrics.0, "metricsIngestion");
    }

    #[test]
    fn public_network_access_is_one_of_the_enum() {
        let acls = network_acls(Some(&json!({"publicNetworkAccess": "disabled"})))
            .unwrap()
            .unwrap();
        assert_eq!(acls["publicNetworkAccess"], "Disabled");
        assert!(network_acls(Some(&json!({"publicNetworkAccess": "Open"}))).is_err());
        assert!(network_acls(None).unwrap().is_none());
    }
}
