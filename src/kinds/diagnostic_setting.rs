//! Diagnostic settings (`Microsoft.Insights/diagnosticSettings`, 2021-05-01-preview): a
//! resource's logs and metrics sent to a Log Analytics workspace. Their own kind because they
//! are extension resources under any resource (`{target}/providers/Microsoft.Insights/
//! diagnosticSettings/{name}`) with neither tags nor any free-form field to carry the stack's
//! mark, so whose a setting is follows from where it is and where it sends (`ours`).
//!
//! Shape and rules from `diagnosticsSettings_API.json` of
//! specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview:
//! `DiagnosticSettings` (`logs`: LogSettings with `category` or `categoryGroup` and the required
//! `enabled`; `metrics`: MetricSettings with `category` and `enabled`; `workspaceId`;
//! `logAnalyticsDestinationType`, "Possible values are: Dedicated and null (null is default.)"),
//! and the PUT `DiagnosticSettings_CreateOrUpdate`, which takes the whole setting.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules};
use crate::de::Spanned;
use crate::model::{
    Address, DestinationTable, DiagnosticSetting, Origin, Resource, Spec, Stack, Target,
};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDiagnosticSetting {
    /// The setting's Azure name; defaults to the key. Fixed at creation (it is part of the ID).
    pub name: Option<Spanned<String>>,
    /// The resource whose logs and metrics are sent: any resource address of the stack
    /// (`cluster/NAME`, `keyVault/NAME`, …), `existing/NAME` or an ARM ID. Fixed at creation.
    pub target: Spanned<String>,
    /// The Log Analytics workspace they go to: `workspace/NAME`, `existing/NAME` or an ARM ID.
    pub workspace: Spanned<String>,
    /// Resource log categories sent, e.g. `kube-audit-admin`, `guard` for a cluster.
    #[serde(default)]
    pub logs: Vec<Spanned<String>>,
    /// Log category groups sent: `allLogs` or `audit`.
    #[serde(default)]
    pub category_groups: Vec<Spanned<String>>,
    /// Metric categories sent, usually `AllMetrics`. Each list is sent once per value.
    #[serde(default)]
    pub metrics: Vec<Spanned<String>>,
    /// `resourceSpecific` (one table per category, e.g. AKSAuditAdmin) or `azureDiagnostics`
    /// (the shared AzureDiagnostics table, ARM's default).
    pub destination_table: Option<DestinationTable>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

crate::spec::common!(RawDiagnosticSetting);

/// ARM, Bicep and azurerm names of a diagnostic setting's settings (`crate::kinds::habits`).
/// ARM/Bicep: DiagnosticSettings (diagnosticsSettings_API.json) and the Bicep `scope:`
/// property of an extension resource; azurerm: `azurerm_monitor_diagnostic_setting`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "scope", "target_resource_id", "`target: ADDRESS` (e.g. `cluster/NAME`) or an ARM ID"),
    habit("", "workspaceId", "log_analytics_workspace_id", "`workspace: workspace/NAME` (or an ARM ID)"),
    habit("", "", "enabled_log", "`logs: [CATEGORY, …]` or `categoryGroups: [allLogs]`"),
    habit("", "", "log", "`logs: [CATEGORY, …]` or `categoryGroups: [allLogs]`"),
    habit("", "categoryGroup", "category_group", "`categoryGroups: [allLogs | audit]`"),
    habit("", "", "metric", "`metrics: [AllMetrics]`"),
    habit("", "logAnalyticsDestinationType", "log_analytics_destination_type", "`destinationTable: resourceSpecific | azureDiagnostics`"),
    habit("", "storageAccountId", "storage_account_id", "nothing yet: azplan sends to a Log Analytics workspace only (use `raw:`)"),
    habit("", "eventHubAuthorizationRuleId", "eventhub_authorization_rule_id", "nothing yet: azplan sends to a Log Analytics workspace only (use `raw:`)"),
];

/// Log category groups: `allLogs` (every resource log category; the official
/// createOrUpdateDiagnosticSetting example sends it) and `audit` ("the audit category group
/// allows you to select the resource logs that are necessary for auditing your resource",
/// Learn's include azure-monitor-log-category-groups-tip.md).
const CATEGORY_GROUPS: [&str; 2] = ["allLogs", "audit"];

/// An AKS cluster's resource log categories, from Learn's generated reference "Supported logs
/// for Microsoft.ContainerService/managedClusters"
/// (MicrosoftDocs/azure-reference-other azure-monitor-ref/supported-logs/includes/
/// microsoft-containerservice-managedclusters-logs-include.md, "automatically generated using
/// API calls to Azure"). Others are warned about, not refused: the list is a snapshot and
/// Azure is the judge.
const CLUSTER_LOG_CATEGORIES: [&str; 11] = [
    "cloud-controller-manager",
    "cluster-autoscaler",
    "csi-azuredisk-controller",
    "csi-azurefile-controller",
    "csi-snapshot-controller",
    "guard",
    "kube-apiserver",
    "kube-audit",
    "kube-audit-admin",
    "kube-controller-manager",
    "kube-scheduler",
];

pub static RULES: Rules = Rules {
    // Log and metric entries are compared as sets on the keys azplan sends (`category` or
    // `categoryGroup`, `enabled`): Azure adds `retentionPolicy` to each (the official
    // getDiagnosticSetting example), and their order means nothing.
    sets: &["properties.logs", "properties.metrics"],
    // ARM IDs of other services' resources come back in their own casing (the official
    // createOrUpdateDiagnosticSetting example answers `resourcegroups` and
    // `microsoft.insights` in lower case).
    case_insensitive: &[
        "properties.workspaceId",
        "properties.logAnalyticsDestinationType",
    ],
    ..EMPTY
};

/// One `logs` or `metrics` entry: the key (`category` or `categoryGroup`) and the value.
fn entry(key: &str, value: &str, enabled: bool) -> Value {
    json!({ key: value, "enabled": enabled })
}

/// Entries of the live list azplan keeps: those it does not declare but that are off
/// (`enabled: false`), as they are. Azure may list a resource's other categories switched off,
/// and sending them back off changes nothing, while leaving them out would show as a change on
/// every plan. An undeclared entry that is on is left out, so the PUT turns it off, and the
/// plan shows it.
fn carried_off(live: Option<&Value>, list: &str, declared: &[Value]) -> Vec<Value> {
    let key_of = |v: &Value| {
        ["category", "categoryGroup"].iter().find_map(|k| {
            v.get(*k)
                .and_then(Value::as_str)
                .map(|s| (*k, s.to_string()))
        })
    };
    let declared: Vec<(&str, String)> = declared.iter().filter_map(key_of).collect();
    live.and_then(|b| b.pointer(&format!("/properties/{list}")))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("enabled") == Some(&Value::Bool(false)))
        .filter_map(key_of)
        .filter(|(k, name)| {
            !declared
                .iter()
                .any(|(dk, dn)| dk == k && dn.eq_ignore_ascii_case(name))
        })
        .map(|(k, name)| entry(k, &name, false))
        .collect()
}

/// The ARM type and api-version of diagnostic settings.
pub fn arm_type() -> &'static super::ArmType {
    &Kind::DiagnosticSetting.def().arm[0]
}

/// `DiagnosticSettings_List` of one resource: `GET {resourceUri}/providers/Microsoft.Insights/
/// diagnosticSettings` (diagnosticsSettings_API.json 2021-05-01-preview, one page).
pub fn list_path(target_id: &str) -> String {
    format!("{target_id}/providers/{}", arm_type().path)
}

/// Where a resource's diagnostic settings may sit: on the resource itself and, for a storage
/// account, on each of its services too, whose resource logs are set there
/// (`{account}/blobServices/default`, `fileServices`, `queueServices`, `tableServices`: Learn
/// "Monitor Azure Blob Storage", each storage service is a resource of its own for diagnostic
/// settings; Microsoft's verified module Azure/terraform-azurerm-avm-res-storage-storageaccount
/// targets `{account}/blobServices/default`). All are read before the account is deleted.
pub fn scopes_of(target_id: &str, arm_type: &str) -> Vec<String> {
    let mut scopes = vec![target_id.to_string()];
    if Kind::StorageAccount
        .def()
        .arm
        .iter()
        .any(|t| t.path.eq_ignore_ascii_case(arm_type))
    {
        for service in [
            "blobServices",
            "fileServices",
            "queueServices",
            "tableServices",
        ] {
            scopes.push(format!("{target_id}/{service}/default"));
        }
    }
    scopes
}

/// Whether a live resource of the stack may carry diagnostic settings worth reading before its
/// delete: a top-level resource (not a group, which has none of its own, nor an extension
/// resource such as an assignment or a setting).
pub fn may_have_settings(body: &Value) -> bool {
    let Some(arm_type) = body.get("type").and_then(Value::as_str) else {
        return false;
    };
    super::by_arm_type(arm_type).is_some_and(|(def, _)| {
        def.parent.is_none() && def.section.is_some() && can_be_target(def.kind)
    })
}

/// The body azplan PUTs: the workspace, every declared category on, and `Dedicated` when the
/// spec asks for resource-specific tables (left out for the default; `dropped` shows the
/// change back).
pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, ds: &DiagnosticSetting) -> Value {
    let live = b.ctx.live.get(&b.ctx.id(&resource.address));
    let mut logs: Vec<Value> = ds
        .logs
        .iter()
        .map(|c| entry("category", c, true))
        .chain(
            ds.category_groups
                .iter()
                .map(|g| entry("categoryGroup", g, true)),
        )
        .collect();
    let off = carried_off(live, "logs", &logs);
    logs.extend(off);
    let mut metrics: Vec<Value> = ds
        .metrics
        .iter()
        .map(|c| entry("category", c, true))
        .collect();
    let off = carried_off(live, "metrics", &metrics);
    metrics.extend(off);
    let mut body = json!({ "properties": {
        "workspaceId": b.ctx.target_id(&ds.workspace),
        "logs": logs,
        "metrics": metrics,
    }});
    if ds.destination_table == Some(DestinationTable::ResourceSpecific) {
        body["properties"]["logAnalyticsDestinationType"] = json!("Dedicated");
    }
    body
}

/// What the PUT takes away without the body naming it: it replaces the whole setting, so a
/// `Dedicated` destination type the spec no longer asks for goes back to the default (`null`,
/// AzureDiagnostics), which the diff of what the body sends would not show.
pub(crate) fn dropped(desired: &Value, live: &Value) -> Vec<(String, Value)> {
    let path = "/properties/logAnalyticsDestinationType";
    match (desired.pointer(path), live.pointer(path)) {
        (None, Some(before)) if !before.is_null() => {
            vec![(
                "properties.logAnalyticsDestinationType".into(),
                before.clone(),
            )]
        }
        _ => Vec::new(),
    }
}

/// Whether a live setting at a declared setting's ID is the stack's. A setting carries no tags
/// and no field azplan could mark, so:
/// - on a target the stack declares (not `existing:`), it is the stack's: the target is the
///   stack's (its own ownership check refuses it otherwise), and the spec claims that name on
///   it, as it claims a subnet or a pool of a VNet or cluster it owns;
/// - on a target outside the stack (`existing/NAME`, an ARM ID), it is the stack's only when it
///   sends to a workspace the stack declares: someone else's setting of that name, sending
///   elsewhere, is nobody's to the plan, which refuses to change it without `--adopt`.
pub fn ours(stack: &Stack, ds: &DiagnosticSetting, body: &Value) -> bool {
    super::declares(stack, &ds.target)
        || super::points_at_declared(stack, &ds.workspace, body, "/properties/workspaceId")
}

// Building the model from the spec.

use crate::build::{Builder, arm_type_of};
use crate::diag::{Code, SpecDiagnostic, suggest};
use crate::reference::{self, Parsed};
use crate::spec::Entry;

/// Kinds that are not a target: extension resources themselves, and resource groups
/// (DiagnosticSettings and DataCollectionRuleAssociations are served under a resource,
/// `/{resourceUri}/providers/...`; groups and subscriptions have no resource logs of their own).
pub(crate) fn can_be_target(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::ResourceGroup
            | Kind::RoleAssignment
            | Kind::PolicyAssignment
            | Kind::DiagnosticSetting
            | Kind::DataCollectionRuleAssociation
    )
}

/// The extension resources that sit on a resource given as `target:`, for their messages.
#[derive(Clone, Copy)]
pub(crate) enum Extension {
    DiagnosticSetting,
    RuleAssociation,
}

impl Extension {
    fn one(self) -> &'static str {
        match self {
            Extension::DiagnosticSetting => "a diagnostic setting",
            Extension::RuleAssociation => "a data collection rule association",
        }
    }

    fn elsewhere(self) -> &'static str {
        match self {
            Extension::DiagnosticSetting => {
                "; the subscription's activity log has its own API (subscriptionDiagnosticsSettings), which azplan does not write"
            }
            Extension::RuleAssociation => "",
        }
    }
}

impl Builder<'_> {
    pub(crate) fn diagnostic_settings(&mut self, entries: &[Entry<RawDiagnosticSetting>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut deps = Vec::new();
            self.depends_on(&s.depends_on, &mut deps);
            let name = crate::build::azure_name(s.name.as_ref(), &entry.key);
            let name_span = s.name.as_ref().map_or(entry.key.span, |n| n.span);
            self.check_name(&name, name_span, name_rule);
            let target = self.extension_scope(&s.target, Extension::DiagnosticSetting, &mut deps);
            let workspace = self.resolve_or_id(&s.workspace, &[Kind::Workspace], &mut deps);
            if s.logs.is_empty() && s.category_groups.is_empty() && s.metrics.is_empty() {
                // Not refused: DiagnosticSettings declares `logs` and `metrics` optional
                // (diagnosticsSettings_API.json), but such a setting sends nothing.
                self.error(
                    SpecDiagnostic::new(
                        Code::DiagnosticSetting,
                        format!("diagnostic setting `{}` sends nothing", entry.key.value),
                    )
                    .at(entry.key.span, "no logs, category groups or metrics")
                    .help("add `categoryGroups: [allLogs]`, `logs: [CATEGORY, …]` or `metrics: [AllMetrics]`"),
                );
            }
            for group in &s.category_groups {
                if !CATEGORY_GROUPS.contains(&group.value.as_str()) {
                    self.error(
                        SpecDiagnostic::new(
                            Code::DiagnosticSetting,
                            format!("`{}` is not a log category group Microsoft documents", group.value),
                        )
                        .at(group.span, "unknown category group")
                        .help(format!(
                            "{} (Azure is the judge: acknowledge this warning if it accepts the group)",
                            suggest(&group.value, CATEGORY_GROUPS)
                        )),
                    );
                }
            }
            if target.as_ref().is_some_and(|t| self.is_cluster(t)) {
                for log in &s.logs {
                    if !CLUSTER_LOG_CATEGORIES.contains(&log.value.as_str()) {
                        self.error(
                            SpecDiagnostic::new(
                                Code::DiagnosticSetting,
                                format!("`{}` is not a log category of AKS clusters", log.value),
                            )
                            .at(log.span, "unknown category")
                            .help(format!(
                                "{} (Learn \"Supported logs for Microsoft.ContainerService/managedClusters\"; acknowledge this warning if Azure accepts it)",
                                suggest(&log.value, CLUSTER_LOG_CATEGORIES)
                            )),
                        );
                    }
                }
            }
            let raw = self.raw_override(s.raw.as_ref());
            let (Some(target), Some(workspace)) = (target, workspace) else {
                continue;
            };
            let values = |list: &[Spanned<String>]| {
                let mut out: Vec<String> = Vec::new();
                for v in list {
                    if !out.contains(&v.value) {
                        out.push(v.value.clone());
                    }
                }
                out
            };
            self.insert(Resource {
                address: Address::new(Kind::DiagnosticSetting, &entry.key.value),
                name,
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location: None,
                tags: Default::default(),
                protect: s.protect,
                raw,
                dependencies: deps,
                spec: Spec::DiagnosticSetting(DiagnosticSetting {
                    target,
                    workspace,
                    logs: values(&s.logs),
                    category_groups: values(&s.category_groups),
                    metrics: values(&s.metrics),
                    destination_table: s.destination_table,
                }),
            });
        }
    }

    /// Whether a target is an AKS cluster (declared, or an ID of one).
    fn is_cluster(&self, target: &Target) -> bool {
        let cluster_type = Kind::Cluster.def().arm[0].path;
        match target {
            Target::Node(a) => a.kind == Kind::Cluster,
            Target::ArmId(id) => {
                arm_type_of(id).is_some_and(|t| t.eq_ignore_ascii_case(cluster_type))
            }
        }
    }

    /// A setting's or an association's target: a resource of the stack, `existing/NAME`, or the
    /// ARM ID of any resource (not a group or subscription: both live under `{resourceUri}`).
    pub(crate) fn extension_scope(
        &mut self,
        text: &Spanned<String>,
        what: Extension,
        deps: &mut Vec<crate::model::Dependency>,
    ) -> Option<Target> {
        if let Ok(Parsed::ArmId(id)) = reference::parse(&text.value) {
            let is_resource = crate::id::ResourceId::parse(id)
                .is_some_and(|p| p.arm_type().contains('/') && arm_type_of(id).is_some());
            let provider = id.to_ascii_lowercase().contains("/providers/");
            if !(is_resource && provider) {
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidReference,
                    format!("`{id}` is not the ARM ID of a resource"),
                    text.span,
                    "invalid target",
                    format!(
                        "{} goes under a resource: /subscriptions/SUB/resourceGroups/RG/providers/NAMESPACE/TYPE/NAME",
                        what.one()
                    ),
                ));
                return None;
            }
            self.wait_for_group_of(id, text.span, deps);
            return Some(Target::ArmId(id.to_string()));
        }
        if let Ok(Parsed::Path { kind, .. }) = reference::parse(&text.value)
            && !can_be_target(kind)
        {
            self.error(SpecDiagnostic::error_at(
                Code::WrongReferenceKind,
                format!("{} cannot sit on a {}", what.one(), kind.noun()),
                text.span,
                "not a target",
                format!(
                    "{} goes under a resource such as `cluster/NAME` or `keyVault/NAME`{}",
                    what.one(),
                    what.elsewhere()
                ),
            ));
            return None;
        }
        let kinds: Vec<Kind> = Kind::all()
            .filter(|k| k.parent().is_none() && can_be_target(*k))
            .collect();
        self.resolve(text, &kinds, deps)
    }
}

/// DiagnosticSettings_CreateOrUpdate's `name` has no pattern in diagnosticsSettings_API.json
/// 2021-05-01-preview; it is one segment of the path
/// `/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}`, so it cannot be
/// empty or hold a `/`. Nothing else is refused: Azure is the judge.
fn name_rule(name: &str) -> Result<(), crate::names::Rule> {
    (!name.is_empty() && !name.contains('/'))
        .then_some(())
        .ok_or("a diagnostic setting name is one path segment: not empty, no `/`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_entries_azure_lists_are_carried_and_on_ones_are_not() {
        let live = json!({"properties": {"logs": [
            {"category": "kube-audit", "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}},
            {"category": "guard", "enabled": false},
            {"category": "kube-apiserver", "enabled": true},
            {"categoryGroup": "audit", "enabled": false},
        ]}});
        let declared = vec![entry("category", "kube-audit", true)];
        let carried = carried_off(Some(&live), "logs", &declared);
        assert_eq!(
            carried,
            vec![
                entry("category", "guard", false),
                entry("categoryGroup", "audit", false)
            ]
        );
        // A declared category that Azure shows off is not carried: the PUT turns it on.
        let declared = vec![entry("category", "guard", true)];
        assert!(
            !carried_off(Some(&live), "logs", &declared)
                .contains(&entry("category", "guard", false))
        );
        assert!(carried_off(None, "logs", &declared).is_empty());
    }

    #[test]
    fn a_dedicated_destination_the_spec_drops_shows() {
        let live = json!({"properties": {"logAnalyticsDestinationType": "Dedicated"}});
        let desired = json!({"properties": {}});
        assert_eq!(
            dropped(&desired, &live),
            vec![(
                "properties.logAnalyticsDestinationType".to_string(),
                json!("Dedicated")
            )]
        );
        assert!(dropped(&live, &live).is_empty());
        assert!(
            dropped(
                &desired,
                &json!({"properties": {"logAnalyticsDestinationType": null}})
            )
            .is_empty()
        );
    }

    #[test]
    fn names_are_path_segments() {
        assert!(name_rule("aks-to-logs").is_ok());
        assert!(name_rule("setting (1)").is_ok());
        for bad in ["", "a/b"] {
            assert!(name_rule(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_storage_accounts_settings_are_looked_for_on_its_services_too() {
        let account =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st";
        let scopes = scopes_of(account, "microsoft.storage/STORAGEACCOUNTS");
        assert_eq!(scopes.len(), 5);
        assert_eq!(scopes[0], account);
        assert!(scopes.contains(&format!("{account}/blobServices/default")));
        assert!(scopes.contains(&format!("{account}/tableServices/default")));
        let vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
        assert_eq!(
            scopes_of(vault, "Microsoft.KeyVault/vaults"),
            vec![vault.to_string()]
        );
    }
}
