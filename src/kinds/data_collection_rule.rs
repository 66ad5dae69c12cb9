//! Data collection rules (`Microsoft.Insights/dataCollectionRules`, 2023-03-11) in the two shapes
//! AKS monitoring uses, each one data source, one destination and one flow between them:
//! Container Insights (the `ContainerInsights` extension data source, its
//! `Microsoft-ContainerInsights-*` streams to a Log Analytics workspace) and managed Prometheus
//! (a `prometheusForwarder` data source, `Microsoft-PrometheusMetrics` to an Azure Monitor
//! workspace, `monitoringAccounts`). The names inside the rule are the ones Microsoft's own
//! templates give them (`ContainerInsightsExtension` / `ciworkspace`, `PrometheusDataSource` /
//! `MonitoringAccount1`: Learn "Enable monitoring for Kubernetes clusters" ARM templates;
//! Azure/ARO-HCP `dev-infrastructure/modules/metrics/datacollection.bicep`). Anything else a
//! rule can say (extension settings, more streams' transforms) goes through `raw:`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{DataCollectionRule, DcrShape, Resource, Spec};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDataCollectionRule {
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
    /// `Linux` or `Windows`: the agents the rule is for. Unset: any.
    pub kind: Option<Spanned<String>>,
    pub description: Option<String>,
    /// The data collection endpoint the rule's agents use (`dataCollectionEndpointId`):
    /// `dataCollectionEndpoint/NAME`, `existing/NAME` or an ARM ID.
    pub endpoint: Option<Spanned<String>>,
    /// Container Insights logs to a Log Analytics workspace.
    pub container_insights: Option<Spanned<RawContainerInsightsRule>>,
    /// Managed Prometheus metrics to an Azure Monitor workspace.
    pub prometheus: Option<Spanned<RawPrometheusRule>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawContainerInsightsRule {
    /// `workspace/NAME`, `existing/NAME` or an ARM ID.
    pub workspace: Spanned<String>,
    /// The Container Insights streams collected; default
    /// `[Microsoft-ContainerInsights-Group-Default]` (all of them).
    pub streams: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPrometheusRule {
    /// `monitorWorkspace/NAME`, `existing/NAME` or an ARM ID.
    pub monitor_workspace: Spanned<String>,
}

/// ARM and azurerm names of a rule's settings (`crate::kinds::habits`). ARM:
/// DataCollectionRuleResource; azurerm: `azurerm_monitor_data_collection_rule`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "dataCollectionEndpointId", "data_collection_endpoint_id", "`endpoint: dataCollectionEndpoint/NAME`"),
    habit("", "dataSources", "data_sources", "`containerInsights: {workspace}` or `prometheus: {monitorWorkspace}`"),
    habit("", "destinations", "destinations", "`containerInsights: {workspace}` or `prometheus: {monitorWorkspace}`"),
    habit("", "dataFlows", "data_flow", "`containerInsights:` or `prometheus:` (one flow each)"),
];

/// The default stream: "Microsoft-ContainerInsights-Group-Default" collects every Container
/// Insights table (Learn "Configure data collection in Container insights using DCR", stream
/// values).
const CI_DEFAULT_STREAM: &str = "Microsoft-ContainerInsights-Group-Default";
/// KnownDataCollectionRuleResourceKind (dataCollectionRules_API.json 2023-03-11).
const KINDS: [&str; 2] = ["Linux", "Windows"];

pub static RULES: Rules = Rules {
    immutable: &[(
        "location",
        "a data collection rule cannot move to another region",
    )],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "kind",
        "properties.dataCollectionEndpointId",
        "properties.destinations.logAnalytics[].workspaceResourceId",
        "properties.destinations.monitoringAccounts[].accountResourceId",
    ],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, r: &DataCollectionRule) -> Value {
    let mut body = tracked(b, resource);
    if let Some(kind) = &r.kind {
        body["kind"] = json!(kind);
    }
    let mut props = match &r.shape {
        DcrShape::ContainerInsights { workspace, streams } => json!({
            "dataSources": {"extensions": [{
                "name": "ContainerInsightsExtension",
                "streams": streams,
                "extensionName": "ContainerInsights",
            }]},
            "destinations": {"logAnalytics": [{
                "workspaceResourceId": b.ctx.target_id(workspace),
                "name": "ciworkspace",
            }]},
            "dataFlows": [{"streams": streams, "destinations": ["ciworkspace"]}],
        }),
        DcrShape::Prometheus { monitor_workspace } => json!({
            "dataSources": {"prometheusForwarder": [{
                "name": "PrometheusDataSource",
                "streams": ["Microsoft-PrometheusMetrics"],
                "labelIncludeFilter": {},
            }]},
            "destinations": {"monitoringAccounts": [{
                "accountResourceId": b.ctx.target_id(monitor_workspace),
                "name": "MonitoringAccount1",
            }]},
            "dataFlows": [{
                "streams": ["Microsoft-PrometheusMetrics"],
                "destinations": ["MonitoringAccount1"],
            }],
        }),
    };
    if let Some(endpoint) = &r.endpoint {
        props["dataCollectionEndpointId"] = json!(b.ctx.target_id(endpoint));
    }
    if let Some(description) = &r.description {
        props["description"] = json!(description);
    }
    body["properties"] = props;
    body
}

/// Optional settings the live rule has and the spec no longer gives: the whole-resource PUT
/// removes them, so the plan shows it (an endpoint dropped from the rule is then deleted after
/// the rule's update, `plan::delete`).
pub(crate) fn dropped(desired: &Value, live: &Value) -> Vec<(String, Value)> {
    super::dropped_properties(desired, live, &["dataCollectionEndpointId", "description"])
}

/// The rule's `immutableId`, which data sent to it names.
pub fn outputs(body: &Value) -> Vec<(String, Value)> {
    super::outputs_at(body, &[("immutableId", "properties.immutableId")])
}

crate::spec::common!(RawDataCollectionRule);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn data_collection_rules(&mut self, entries: &[Entry<RawDataCollectionRule>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::DataCollectionRule,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |_| Ok(()),
            );
            let kind = s.kind.as_ref().and_then(|k| {
                let found = KINDS.iter().find(|v| v.eq_ignore_ascii_case(&k.value));
                if found.is_none() {
                    self.error(SpecDiagnostic::invalid(
                        format!("`{}` is not a data collection rule kind", k.value),
                        k.span,
                        "unknown kind",
                        "use `Linux` or `Windows`, or leave `kind` out for a rule of any agent",
                    ));
                }
                found.map(|v| v.to_string())
            });
            // A declared endpoint is created before the rule (a dependency), and a rule is
            // deleted before it (delete ranks 2 and 1).
            let endpoint = s.endpoint.as_ref().and_then(|e| {
                self.resolve_or_id(
                    e,
                    &[Kind::DataCollectionEndpoint],
                    &mut resource.dependencies,
                )
            });
            let shape = match (&s.container_insights, &s.prometheus) {
                (Some(ci), None) => {
                    let Some(workspace) = self.resolve_or_id(
                        &ci.value.workspace,
                        &[Kind::Workspace],
                        &mut resource.dependencies,
                    ) else {
                        continue;
                    };
                    let streams = match &ci.value.streams {
                        None => vec![CI_DEFAULT_STREAM.to_string()],
                        Some(list) => {
                            for bad in list.iter().filter(|s| !s.value.starts_with("Microsoft-")) {
                                self.error(SpecDiagnostic::invalid(
                                    format!("`{}` is not a Container Insights stream", bad.value),
                                    bad.span,
                                    "not a Microsoft- stream",
                                    format!(
                                        "Container Insights streams are Microsoft's tables, e.g. `{CI_DEFAULT_STREAM}`, `Microsoft-ContainerLogV2`, `Microsoft-KubeEvents`"
                                    ),
                                ));
                            }
                            if list.is_empty() {
                                self.error(SpecDiagnostic::invalid(
                                    "a Container Insights rule with no streams collects nothing",
                                    ci.span,
                                    "no streams",
                                    format!("leave `streams` out for `{CI_DEFAULT_STREAM}`"),
                                ));
                            }
                            list.iter().map(|s| s.value.clone()).collect()
                        }
                    };
                    DcrShape::ContainerInsights { workspace, streams }
                }
                (None, Some(p)) => {
                    let Some(monitor_workspace) = self.resolve_or_id(
                        &p.value.monitor_workspace,
                        &[Kind::MonitorWorkspace],
                        &mut resource.dependencies,
                    ) else {
                        continue;
                    };
                    DcrShape::Prometheus { monitor_workspace }
                }
                (Some(ci), Some(p)) => {
                    self.error(
                        SpecDiagnostic::conflict(
                            "a data collection rule here is either Container Insights or Prometheus",
                            p.span,
                            "second shape",
                            "declare two rules, one with `containerInsights:` and one with `prometheus:`",
                        )
                        .also(ci.span, "first shape"),
                    );
                    continue;
                }
                (None, None) => {
                    self.error(SpecDiagnostic::invalid(
                        "a data collection rule needs `containerInsights:` or `prometheus:`",
                        entry.key.span,
                        "nothing to collect",
                        "add `containerInsights: {workspace: workspace/NAME}` or `prometheus: {monitorWorkspace: monitorWorkspace/NAME}`",
                    ));
                    continue;
                }
            };
            resource.spec = Spec::DataCollectionRule(DataCollectionRule {
                kind,
                description: s.description.clone(),
                endpoint,
                shape,
            });
            self.insert(resource);
        }
    }
}
