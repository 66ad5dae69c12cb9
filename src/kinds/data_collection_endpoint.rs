//! Data collection endpoints (`Microsoft.Insights/dataCollectionEndpoints`, 2023-03-11): the
//! configuration and ingestion URLs a data collection rule's agents use, needed where agents
//! cannot use the public ones (private link) and for managed Prometheus rules, which name one
//! in `dataCollectionEndpointId` (Learn "Data collection endpoints in Azure Monitor"). Writable:
//! `kind`, `description`, `networkAcls.publicNetworkAccess`; the endpoints and `immutableId` are
//! the service's (READ-ONLY in dataCollectionEndpoints_API.json). Microsoft's managed Prometheus
//! onboarding template creates one per cluster, `MSProm-<region>-<cluster>`, `kind: Linux`, and
//! names it in the Prometheus rule (Azure/prometheus-collector,
//! `AddonBicepTemplate/FullAzureMonitorMetricsProfile.bicep`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{DataCollectionEndpoint, Resource, Spec};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDataCollectionEndpoint {
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
    /// `Linux` or `Windows`: the agents the endpoint is for. Unset: any.
    pub kind: Option<Spanned<String>>,
    pub description: Option<String>,
    /// `Enabled`, `Disabled` or `SecuredByPerimeter` (networkAcls.publicNetworkAccess). Default
    /// `Enabled`, as the official DataCollectionEndpointsCreate example sends.
    pub public_network_access: Option<Spanned<String>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM and azurerm names of an endpoint's settings (`crate::kinds::habits`). ARM:
/// DataCollectionEndpointResource; azurerm: `azurerm_monitor_data_collection_endpoint`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "networkAcls", "", "`publicNetworkAccess: Enabled | Disabled | SecuredByPerimeter`"),
    habit("", "", "public_network_access_enabled", "`publicNetworkAccess: Enabled | Disabled`"),
    habit("", "properties", "", "the settings directly under the entry (`kind`, `description`, `publicNetworkAccess`)"),
];

/// KnownDataCollectionEndpointResourceKind (dataCollectionEndpoints_API.json 2023-03-11).
const KINDS: [&str; 2] = ["Linux", "Windows"];
/// KnownPublicNetworkAccessOptions (NetworkRuleSet, same file).
const ACCESS: [&str; 3] = ["Enabled", "Disabled", "SecuredByPerimeter"];

pub static RULES: Rules = Rules {
    // `location` is x-ms-mutability create/read in DataCollectionEndpointResource.
    immutable: &[(
        "location",
        "a data collection endpoint cannot move to another region",
    )],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "kind",
        "properties.networkAcls.publicNetworkAccess",
    ],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, e: &DataCollectionEndpoint) -> Value {
    let mut body = tracked(b, resource);
    if let Some(kind) = &e.kind {
        body["kind"] = json!(kind);
    }
    let mut props = json!({
        "networkAcls": {"publicNetworkAccess": e.public_network_access},
    });
    if let Some(description) = &e.description {
        props["description"] = json!(description);
    }
    body["properties"] = props;
    body
}

/// A description the live endpoint has and the spec no longer gives: the PUT removes it.
pub(crate) fn dropped(desired: &Value, live: &Value) -> Vec<(String, Value)> {
    super::dropped_properties(desired, live, &["description"])
}

/// What agents and clients are configured with: the three URLs and the immutable ID.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(
        body,
        &[
            ("immutableId", "properties.immutableId"),
            (
                "configurationAccessEndpoint",
                "properties.configurationAccess.endpoint",
            ),
            ("logsIngestionEndpoint", "properties.logsIngestion.endpoint"),
            (
                "metricsIngestionEndpoint",
                "properties.metricsIngestion.endpoint",
            ),
        ],
    )
}

crate::spec::common!(RawDataCollectionEndpoint);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::spec::Entry;

/// The value of `text` among `allowed` (any casing), in the enum's spelling.
fn one_of(text: &str, allowed: &[&'static str]) -> Option<&'static str> {
    allowed
        .iter()
        .copied()
        .find(|v| v.eq_ignore_ascii_case(text))
}

impl Builder<'_> {
    pub(crate) fn data_collection_endpoints(
        &mut self,
        entries: &[Entry<RawDataCollectionEndpoint>],
    ) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::DataCollectionEndpoint,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                // The spec gives no pattern for the name ("The name is case insensitive").
                |_| Ok(()),
            );
            let kind = s.kind.as_ref().and_then(|k| {
                let found = one_of(&k.value, &KINDS);
                if found.is_none() {
                    self.error(SpecDiagnostic::invalid(
                        format!("`{}` is not a data collection endpoint kind", k.value),
                        k.span,
                        "unknown kind",
                        "use `Linux` or `Windows`, or leave `kind` out for an endpoint of any agent",
                    ));
                }
                found.map(str::to_string)
            });
            let access = match &s.public_network_access {
                None => "Enabled",
                Some(a) => one_of(&a.value, &ACCESS).unwrap_or_else(|| {
                    self.error(SpecDiagnostic::invalid(
                        format!("`{}` is not a public network access option", a.value),
                        a.span,
                        "unknown option",
                        "use `Enabled`, `Disabled` or `SecuredByPerimeter` (a network security perimeter decides)",
                    ));
                    "Enabled"
                }),
            };
            resource.spec = Spec::DataCollectionEndpoint(DataCollectionEndpoint {
                kind,
                description: s.description.clone(),
                public_network_access: access.to_string(),
            });
            self.insert(resource);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_read_from_the_spec_shape() {
        // The property paths of DataCollectionEndpointsGet.json (2023-03-11) and the spec's
        // MetricsIngestionEndpointSpec and immutableId.
        let body = json!({"properties": {
            "immutableId": "dce-b74e0d383fc9415abaa584ec41adece3",
            "configurationAccess": {"endpoint": "https://mycollectionendpoint-abcd.eastus-1.control.monitor.azure.com"},
            "logsIngestion": {"endpoint": "https://mycollectionendpoint-abcd.eastus-1.ingest.monitor.azure.com"},
            "metricsIngestion": {"endpoint": "https://mydce-abcd.eastus-1.ingest.monitor.azure.com"}
        }});
        let names: Vec<String> = outputs(&body).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "immutableId",
                "configurationAccessEndpoint",
                "logsIngestionEndpoint",
                "metricsIngestionEndpoint"
            ]
        );
    }

    #[test]
    fn options_keep_the_enum_spelling() {
        assert_eq!(
            one_of("securedbyperimeter", &ACCESS),
            Some("SecuredByPerimeter")
        );
        assert_eq!(one_of("linux", &KINDS), Some("Linux"));
        assert_eq!(one_of("Open", &ACCESS), None);
    }
}
