//! A cluster's Azure Monitor profile (`azureMonitor:` → ARM `azureMonitorProfile`): managed
//! Prometheus metrics and the kube-state-metrics allowlists, as
//! ManagedClusterAzureMonitorProfileMetrics and …KubeStateMetrics define them (AKS 2026-08-01;
//! azure-mgmt-containerservice 41.8 models). Where the metrics go is not here: the data
//! collection rule associated with the cluster names the Azure Monitor workspace.
//!
//! With metrics on, AKS answers both allowlists as empty strings when they were not given
//! (Learn "Enable Prometheus and Grafana", the `az aks update --enable-azure-monitor-metrics`
//! output: `"kubeStateMetrics": {"metricAnnotationsAllowList": "", "metricLabelsAllowlist": ""}`),
//! so azplan sends them always, `""` for none: a second plan is clean and an allowlist removed
//! from the spec is removed from the cluster. Microsoft's onboarding template sends both too
//! (Azure/prometheus-collector,
//! `AddonBicepTemplate/nested_azuremonitormetrics_profile_clusterResourceId.bicep`).

use serde_json::{Value, json};

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::kinds::cluster::RawCluster;
use crate::model::AzureMonitor;

impl Builder<'_> {
    pub(super) fn azure_monitor(&mut self, s: &RawCluster) -> Option<AzureMonitor> {
        let raw = &s.azure_monitor.as_ref()?.value;
        let ksm = raw.kube_state_metrics.as_ref();
        if let (false, Some(ksm)) = (raw.metrics.value, ksm) {
            // The allowlists configure "the kube-state-metrics pod that is deployed with the
            // addon" (ManagedClusterAzureMonitorProfileKubeStateMetrics): nothing to configure
            // with the add-on off.
            self.error(
                SpecDiagnostic::conflict(
                    "kube-state-metrics settings need managed Prometheus metrics on",
                    ksm.span,
                    "kube-state-metrics settings",
                    "set `metrics: true`, or leave `kubeStateMetrics` out",
                )
                .also(raw.metrics.span, "metrics off"),
            );
        }
        let ksm = ksm.map(|k| &k.value);
        Some(AzureMonitor {
            metrics: raw.metrics.value,
            metric_labels_allowlist: ksm
                .and_then(|k| k.metric_labels_allowlist.clone())
                .unwrap_or_default(),
            metric_annotations_allow_list: ksm
                .and_then(|k| k.metric_annotations_allow_list.clone())
                .unwrap_or_default(),
        })
    }
}

/// `properties.azureMonitorProfile` of the cluster body: the allowlists only with metrics on.
pub(super) fn profile(m: &AzureMonitor) -> Value {
    if !m.metrics {
        return json!({ "metrics": { "enabled": false } });
    }
    json!({ "metrics": {
        "enabled": true,
        "kubeStateMetrics": {
            "metricLabelsAllowlist": m.metric_labels_allowlist,
            "metricAnnotationsAllowList": m.metric_annotations_allow_list,
        },
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlists_are_sent_empty_as_aks_answers_them() {
        let on = AzureMonitor {
            metrics: true,
            metric_labels_allowlist: String::new(),
            metric_annotations_allow_list: "pods=[kubernetes.io/team]".into(),
        };
        assert_eq!(
            profile(&on),
            json!({"metrics": {"enabled": true, "kubeStateMetrics": {
                "metricLabelsAllowlist": "",
                "metricAnnotationsAllowList": "pods=[kubernetes.io/team]"
            }}})
        );
        let off = AzureMonitor {
            metrics: false,
            ..on
        };
        assert_eq!(profile(&off), json!({"metrics": {"enabled": false}}));
    }
}
