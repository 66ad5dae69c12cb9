//! Azure Monitor workspaces (`Microsoft.Monitor/accounts`), the store managed Prometheus writes
//! AKS metrics to. The only writable setting is `publicNetworkAccess`; everything else a GET
//! shows is the service's (`accountId`, `metrics.prometheusQueryEndpoint`, the default data
//! collection rule and endpoint it creates in its managed group), all `readOnly` in
//! monitoringAccounts_API.json (Microsoft.Monitor stable/2023-04-03).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{MonitorWorkspace, Resource, Spec};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawMonitorWorkspace {
    /// Azure name: letters, digits and hyphens, not starting or ending with a hyphen, at least
    /// two characters; defaults to the key.
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
    /// Queries and ingestion from public networks. Default true (Azure's: a workspace created
    /// without the property answers `Enabled`).
    pub public_network_access: Option<bool>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// ARM and azurerm names of an Azure Monitor workspace's settings (`crate::kinds::habits`).
/// ARM: AzureMonitorWorkspace properties; azurerm: `azurerm_monitor_workspace`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "", "public_network_access_enabled", "`publicNetworkAccess: true | false`"),
    habit("", "properties", "", "the settings directly under the entry (`publicNetworkAccess`)"),
];

pub static RULES: Rules = Rules {
    // ARM refuses a PUT that moves a tracked resource (InvalidResourceLocation).
    immutable: &[(
        "location",
        "an Azure Monitor workspace cannot move to another region",
    )],
    exact_maps: &["tags"],
    case_insensitive: &["location", "properties.publicNetworkAccess"],
    // AzureMonitorWorkspacesCreate.json (2023-04-03): a request with only `location` answers
    // `publicNetworkAccess: Enabled`.
    server_defaults: &[("properties.publicNetworkAccess", "\"Enabled\"")],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, w: &MonitorWorkspace) -> Value {
    let mut body = tracked(b, resource);
    body["properties"] = json!({
        "publicNetworkAccess": if w.public_network_access { "Enabled" } else { "Disabled" },
    });
    body
}

/// What a user wires elsewhere: Grafana's data source and PromQL clients use the query
/// endpoint; the default data collection rule is where the AKS metrics add-on sends.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(
        body,
        &[
            ("accountId", "properties.accountId"),
            (
                "prometheusQueryEndpoint",
                "properties.metrics.prometheusQueryEndpoint",
            ),
            (
                "defaultDataCollectionRuleId",
                "properties.defaultIngestionSettings.dataCollectionRuleResourceId",
            ),
        ],
    )
}

crate::spec::common!(RawMonitorWorkspace);

// Building the model from the spec.

use crate::build::Builder;
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn monitor_workspaces(&mut self, entries: &[Entry<RawMonitorWorkspace>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::MonitorWorkspace,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::monitor_workspace,
            );
            resource.spec = Spec::MonitorWorkspace(MonitorWorkspace {
                public_network_access: s.public_network_access.unwrap_or(true),
            });
            self.insert(resource);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_read_from_the_official_get_shape() {
        // The property paths of AzureMonitorWorkspacesGet.json (Microsoft.Monitor 2023-04-03).
        let body = json!({"properties": {
            "accountId": "2df515bf-c3ce-4920-84d4-1d9d16542d9f",
            "metrics": {"prometheusQueryEndpoint": "https://w-v8hx.eastus.prometheus.monitor.azure.com"},
            "defaultIngestionSettings": {"dataCollectionRuleResourceId": "/subscriptions/s/resourceGroups/MA_w_eastus_managed/providers/Microsoft.Insights/dataCollectionRules/w"}
        }});
        let names: Vec<String> = outputs(&body).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "accountId",
                "prometheusQueryEndpoint",
                "defaultDataCollectionRuleId"
            ]
        );
    }
}
