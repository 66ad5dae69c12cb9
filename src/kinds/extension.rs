//! AKS cluster extensions (`Microsoft.KubernetesConfiguration/extensions`, Flux first), written
//! under a cluster as `extensions: {flux: {type: microsoft.flux, …}}` and addressed
//! `cluster/NAME/EXTENSION`. An extension is an extension resource on the cluster, not a plain
//! child: its ID is `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`
//! (extensions.json 2025-03-01 of specification/kubernetesconfiguration/resource-manager/
//! Microsoft.KubernetesConfiguration/extensions/stable). It carries no tags, so the stack's
//! extensions are exactly those its spec names: any other on the cluster (Azure Backup, Defender,
//! Dapr, Azure ML, another team's) is never changed or deleted, the plan lists it as left alone,
//! and only the cluster's own delete takes it. A system extension (`isSystemExtension`) or one
//! managed by another resource (`managedBy`) is never written even when the spec names it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{BodyBuilder, Context, EMPTY, Rules};
use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::SpecDiagnostic;
use crate::id::ResourceId;
use crate::kinds::habits::{Habit, habit};
use crate::model::{
    Address, ClusterExtension, Dependency, ExtensionScope, Kind, MarketplacePlan, Origin, Resource,
    Spec, Stack,
};
use crate::spec::Entry;

use super::cluster::RawCluster;

// The spec as written (serde types, spans, no invariants).

/// One extension instance (Extension, extensions.json 2025-03-01).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawExtension {
    /// The extension type (`extensionType`), e.g. `microsoft.flux`. Fixed at creation.
    #[serde(rename = "type")]
    pub extension_type: Spanned<String>,
    /// Take new minor versions automatically (`autoUpgradeMinorVersion`). Default true (ARM's).
    pub auto_upgrade_minor_version: Option<Spanned<bool>>,
    /// The release train auto-upgrades follow (`releaseTrain`), with auto-upgrade only.
    /// Default `Stable` (ARM's).
    pub release_train: Option<Spanned<String>>,
    /// A pinned version (`version`); needs `autoUpgradeMinorVersion: false`.
    pub version: Option<Spanned<String>>,
    /// Cluster scope: the namespace the release goes in (`scope.cluster.releaseNamespace`).
    /// Fixed at creation.
    pub release_namespace: Option<Spanned<String>>,
    /// Namespace scope: the namespace the extension is installed in
    /// (`scope.namespace.targetNamespace`). Fixed at creation.
    pub target_namespace: Option<Spanned<String>>,
    /// Settings as name-value pairs (`configurationSettings`); the spec's set is the whole set.
    #[serde(default)]
    pub configuration_settings: BTreeMap<String, String>,
    /// Protected settings (`configurationProtectedSettings`): each name maps to the environment
    /// variable that holds its value at apply time. Sent with every PUT of the extension (an
    /// update too, so that a whole PUT never drops them); ARM never returns them, so a change
    /// of value alone is not seen.
    #[serde(default)]
    pub configuration_protected_settings_env: BTreeMap<String, Spanned<String>>,
    /// A system-assigned identity for the extension (`identity.type: SystemAssigned`). Fixed at
    /// creation.
    pub system_assigned_identity: Option<bool>,
    /// The marketplace plan of a paid extension (`plan`). Fixed at creation.
    pub plan: Option<RawPlan>,
}

/// A marketplace plan (common-types v2 Plan: name, publisher and product are required).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawPlan {
    pub name: String,
    pub publisher: String,
    pub product: String,
    pub promotion_code: Option<String>,
    pub version: Option<String>,
}

/// ARM/Bicep names (Extension of extensions.json 2025-03-01) and azurerm's
/// (`azurerm_kubernetes_cluster_extension`: hashicorp/terraform-provider-azurerm,
/// `website/docs/r/kubernetes_cluster_extension.html.markdown`) of an extension's settings.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "extensionType", "extension_type", "`type` (e.g. `type: microsoft.flux`)"),
    habit("", "releaseTrain", "release_train", "`releaseTrain`"),
    habit("", "configurationSettings", "configuration_settings", "`configurationSettings: {NAME: VALUE}`"),
    habit("", "configurationProtectedSettings", "configuration_protected_settings", "`configurationProtectedSettingsEnv: {NAME: ENV_VAR}` (values come from the environment at apply time)"),
    habit("", "scope", "release_namespace", "`releaseNamespace` (cluster scope) or `targetNamespace` (namespace scope)"),
    habit("", "", "target_namespace", "`targetNamespace`"),
    habit("", "identity", "", "`systemAssignedIdentity: true`"),
    habit("", "", "cluster_id", "the cluster it is written under (`clusters.NAME.extensions`)"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        // patchExtension (extensions.json 2025-03-01) updates autoUpgradeMode,
        // autoUpgradeMinorVersion, releaseTrain, version and the settings only: the type, scope,
        // identity and plan an extension was installed with are not updatable.
        (
            "properties.extensionType",
            "the extension type is fixed at installation (patchExtension cannot change it)",
        ),
        (
            "properties.scope",
            "the scope is fixed at installation (patchExtension cannot change it)",
        ),
        (
            "identity.type",
            "the identity is fixed at installation (patchExtension cannot change it)",
        ),
        (
            "plan",
            "the marketplace plan is fixed at installation (patchExtension cannot change it)",
        ),
    ],
    // A PUT replaces the settings: names set outside azplan are changes too.
    exact_maps: &["properties.configurationSettings"],
    // The ListExtensions example (2025-03-01) shows `Microsoft.RecoveryServices/recoveryVault`
    // and Learn writes `microsoft.flux`; train names are compared as words (`Stable`/`stable`).
    case_insensitive: &["properties.extensionType", "properties.releaseTrain"],
    server_defaults: &[
        // Extension.properties.autoUpgradeMinorVersion default true, releaseTrain default
        // "Stable" (extensions.json 2025-03-01); ListExtensions answers `{}` for no settings.
        ("properties.autoUpgradeMinorVersion", "true"),
        ("properties.releaseTrain", "\"Stable\""),
        ("properties.configurationSettings", "{}"),
    ],
    ..EMPTY
};

pub fn body(b: &mut BodyBuilder<'_, '_>, e: &ClusterExtension) -> Value {
    let mut props = json!({
        "extensionType": e.extension_type,
        "autoUpgradeMinorVersion": e.auto_upgrade_minor_version,
        "configurationSettings": e.configuration_settings,
    });
    if let Some(train) = &e.release_train {
        props["releaseTrain"] = json!(train);
    }
    if let Some(version) = &e.version {
        props["version"] = json!(version);
    }
    match &e.scope {
        Some(ExtensionScope::Cluster { release_namespace }) => {
            props["scope"] = json!({ "cluster": { "releaseNamespace": release_namespace } });
        }
        Some(ExtensionScope::Namespace { target_namespace }) => {
            props["scope"] = json!({ "namespace": { "targetNamespace": target_namespace } });
        }
        None => {}
    }
    let mut body = json!({ "properties": props });
    if e.system_identity {
        body["identity"] = json!({ "type": "SystemAssigned" });
    }
    if let Some(p) = &e.plan {
        let mut plan = json!({ "name": p.name, "publisher": p.publisher, "product": p.product });
        if let Some(code) = &p.promotion_code {
            plan["promotionCode"] = json!(code);
        }
        if let Some(v) = &p.version {
            plan["version"] = json!(v);
        }
        body["plan"] = plan;
    }
    // `configurationProtectedSettings` is x-ms-secret (Extension and patchExtension,
    // extensions.json 2025-03-01): never returned, so it is read from the environment at apply
    // time and never enters a plan. azplan updates by PUT (the SDKs and `az k8s-extension
    // update` PATCH), and whether the service keeps protected settings a PUT leaves out is not
    // documented: every PUT carries them, and an update without the variable is refused.
    for (name, env) in &e.protected_settings {
        b.secrets.push(super::SecretValue {
            path: format!("properties.configurationProtectedSettings.{name}"),
            env: env.clone(),
            every_put: true,
        });
    }
    body
}

/// The path from a cluster's ID to its children of an extension-resource kind (extensions, Flux
/// configurations): `providers/{type}`.
pub fn segment(kind: Kind) -> String {
    format!("providers/{}", kind.def().arm[0].path)
}

/// Whether a path (any casing) is a LIST of a cluster's extensions or Flux configurations.
pub fn is_extension_list(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    [Kind::ClusterExtension, Kind::FluxConfiguration]
        .into_iter()
        .any(|k| path.ends_with(&format!("/{}", segment(k).to_ascii_lowercase())))
}

/// The cluster a live extension or Flux configuration is installed in: its scope, which is its
/// parent for azplan (an extension resource's ID has no parent in ARM's sense).
pub fn live_parent(id: &ResourceId) -> Option<ResourceId> {
    let t = id.arm_type();
    crate::kind::by_arm_type(&t)
        .is_some_and(|(d, _)| d.kind.is_extension_resource())
        .then(|| id.scope())
        .flatten()
}

/// Whether the stack's cluster with this ID has the spec key that makes the plan read its children
/// of `kind` (`extensions:`, `fluxConfigurations:`). It does not make unnamed ones the stack's
/// (`kinds::undeclared_child_is_ours`): it only lets the plan see and report them.
pub fn cluster_owns(stack: &Stack, ctx: &Context<'_>, kind: Kind, cluster_id: &str) -> bool {
    stack.resources.values().any(|r| {
        matches!(&r.spec, Spec::Cluster(c) if owns(c, kind))
            && ctx.id(&r.address).eq_ignore_ascii_case(cluster_id)
    })
}

/// Whether a cluster's spec manages (and so reads) its children of an extension-resource kind.
pub fn owns(cluster: &crate::model::Cluster, kind: Kind) -> bool {
    match kind {
        Kind::ClusterExtension => cluster.owns_extensions,
        Kind::FluxConfiguration => cluster.owns_flux_configurations,
        _ => false,
    }
}

/// Why a live extension is never written even when the spec names it: a system extension
/// (`isSystemExtension`, read-only, "Flag to note if this extension is a system extension") or
/// one another Azure resource manages (`managedBy`, "Indicates if this resource is managed by
/// another Azure resource"), both of Extension in extensions.json 2025-03-01.
pub fn foreign(body: &Value) -> Option<String> {
    if is_system(body) {
        return Some("it is a system extension (`isSystemExtension: true`)".into());
    }
    body.get("managedBy")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .map(|m| format!("it is managed by another resource (`managedBy: {m}`)"))
}

/// Whether a live extension is a system extension (`isSystemExtension`, extensions.json
/// 2025-03-01): Azure's own part of the cluster, which a new cluster gets again.
pub fn is_system(body: &Value) -> bool {
    body.pointer("/properties/isSystemExtension") == Some(&Value::Bool(true))
}

/// The child addresses a cluster's spec declares.
pub(crate) fn declared(entry: &Entry<RawCluster>) -> Vec<(String, crate::source::Span)> {
    let Some(x) = entry.spec.extensions.as_ref() else {
        return Vec::new();
    };
    x.value
        .iter()
        .map(|(name, e)| (name.clone(), e.span))
        .collect()
}

impl Builder<'_> {
    pub(crate) fn extensions(&mut self, entry: &Entry<RawCluster>, cluster: &Resource) {
        let Some(x) = entry.spec.extensions.as_ref() else {
            return;
        };
        for (name, raw) in &x.value {
            if entry.spec.node_pools.value.contains_key(name) {
                self.error(SpecDiagnostic::invalid(
                    format!("extension `{name}` has the name of a node pool of this cluster"),
                    raw.span,
                    "same address as a pool",
                    format!(
                        "`cluster/{}/{name}` would name both; give the extension another name",
                        entry.key.value
                    ),
                ));
                continue;
            }
            let Some(model) = self.extension(&raw.value) else {
                continue;
            };
            self.insert(Resource {
                address: Address::child(Kind::ClusterExtension, &entry.key.value, name),
                name: name.clone(),
                span: raw.span,
                origin: Origin::Declared,
                resource_group: cluster.resource_group.clone(),
                location: None,
                tags: Default::default(),
                protect: cluster.protect,
                raw: None,
                dependencies: vec![Dependency {
                    on: cluster.address.clone(),
                    span: raw.span,
                    explicit: false,
                }],
                spec: Spec::ClusterExtension(model),
            });
        }
    }

    /// Checks an extension against Extension (extensions.json 2025-03-01): `version` "To use
    /// 'version', autoUpgradeMinorVersion must be 'false'"; `releaseTrain` "only if
    /// autoUpgradeMinorVersion is 'true'"; Scope "can be either Cluster or Namespace; but not
    /// both".
    fn extension(&mut self, e: &RawExtension) -> Option<ClusterExtension> {
        let mut ok = true;
        if e.extension_type.value.trim().is_empty() {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                "an extension needs a type",
                e.extension_type.span,
                "empty",
                "write the extension type, e.g. `type: microsoft.flux`",
            ));
        }
        let auto = e.auto_upgrade_minor_version.as_ref().map(|a| a.value);
        if let Some(v) = &e.version
            && auto != Some(false)
        {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                "a pinned extension version needs `autoUpgradeMinorVersion: false`",
                v.span,
                "pinned while auto-upgrading",
                "add `autoUpgradeMinorVersion: false`, or drop `version` to follow the release train",
            ));
        }
        if let Some(t) = &e.release_train
            && auto == Some(false)
        {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                "`releaseTrain` applies only with `autoUpgradeMinorVersion: true`",
                t.span,
                "no auto-upgrade",
                "drop `releaseTrain`, or turn `autoUpgradeMinorVersion` on",
            ));
        }
        let scope = match (&e.release_namespace, &e.target_namespace) {
            (Some(_), Some(t)) => {
                ok = false;
                self.error(SpecDiagnostic::invalid(
                    "an extension is cluster-scoped or namespace-scoped, not both",
                    t.span,
                    "second scope",
                    "keep `releaseNamespace` (cluster scope) or `targetNamespace` (namespace scope)",
                ));
                None
            }
            (Some(r), None) => Some(ExtensionScope::Cluster {
                release_namespace: r.value.clone(),
            }),
            (None, Some(t)) => Some(ExtensionScope::Namespace {
                target_namespace: t.value.clone(),
            }),
            (None, None) => None,
        };
        for (name, env) in &e.configuration_protected_settings_env {
            // A secret's body path is dotted (`kinds::set`); a name with a dot would nest.
            if name.contains('.') || name.is_empty() {
                ok = false;
                self.error(SpecDiagnostic::invalid(
                    format!("protected setting `{name}` cannot be sent by azplan yet"),
                    env.span,
                    "name with a dot",
                    "azplan sends protected settings whose names have no `.`; set this one outside azplan",
                ));
            }
        }
        let auto = auto.unwrap_or(true);
        ok.then(|| ClusterExtension {
            extension_type: e.extension_type.value.clone(),
            auto_upgrade_minor_version: auto,
            // ARM's default train, sent so that the comparison sees a train changed outside.
            release_train: auto.then(|| {
                e.release_train
                    .as_ref()
                    .map_or_else(|| "Stable".to_string(), |t| t.value.clone())
            }),
            version: e.version.as_ref().map(|v| v.value.clone()),
            scope,
            configuration_settings: e.configuration_settings.clone(),
            protected_settings: e
                .configuration_protected_settings_env
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect(),
            system_identity: e.system_assigned_identity.unwrap_or(false),
            plan: e.plan.as_ref().map(|p| MarketplacePlan {
                name: p.name.clone(),
                publisher: p.publisher.clone(),
                product: p.product.clone(),
                promotion_code: p.promotion_code.clone(),
                version: p.version.clone(),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::check_str;
    use crate::live::LiveState;
    use crate::load::LoadOptions;

    const SPEC: &str = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {name: rg-s}\nclusters:\n  aks:\n    apiServer: {authorizedIpRanges: [203.0.113.0/24]}\n    nodePools:\n      system: {mode: System, vmSize: Standard_D2ds_v5, count: 1}\n    extensions:\n";

    fn stack(extensions: &str) -> Stack {
        let checked = check_str(
            "s.yaml",
            &format!("{SPEC}{extensions}"),
            &LoadOptions::default(),
        );
        assert!(
            !checked.diagnostics.has_errors(),
            "{:?}",
            checked.diagnostics
        );
        checked.stack.expect("a stack")
    }

    fn desired(stack: &Stack, name: &str) -> (String, crate::kinds::Desired) {
        let live = LiveState::default();
        let ctx = Context { stack, live: &live };
        let address = Address::child(Kind::ClusterExtension, "aks", name);
        let resource = &stack.resources[&address];
        (ctx.id(&address), crate::kinds::desired(&ctx, resource))
    }

    #[test]
    fn a_flux_extension_is_an_extension_resource_on_its_cluster_with_arm_defaults_sent() {
        let stack = stack(
            "      flux:\n        type: microsoft.flux\n        releaseNamespace: flux-system\n        configurationSettings: {helm-controller.enabled: \"false\"}\n",
        );
        let (id, d) = desired(&stack, "flux");
        assert_eq!(
            id,
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-s/providers/Microsoft.ContainerService/managedClusters/aks/providers/Microsoft.KubernetesConfiguration/extensions/flux"
        );
        assert_eq!(
            d.body,
            json!({"properties": {
                "extensionType": "microsoft.flux",
                "autoUpgradeMinorVersion": true,
                "releaseTrain": "Stable",
                "scope": {"cluster": {"releaseNamespace": "flux-system"}},
                "configurationSettings": {"helm-controller.enabled": "false"},
            }})
        );
        assert!(d.secrets.is_empty());
        // The ID parses back to the cluster as its scope, which the plan takes as its parent.
        let parsed = ResourceId::parse(&id).expect("an ARM ID");
        assert_eq!(
            live_parent(&parsed).map(|p| p.to_string()),
            Some(
                id[..id
                    .find("/providers/Microsoft.KubernetesConfiguration")
                    .unwrap()]
                    .into()
            )
        );
        assert!(is_extension_list(&format!(
            "{}/providers/microsoft.kubernetesconfiguration/extensions",
            &id[..id
                .find("/providers/Microsoft.KubernetesConfiguration")
                .unwrap()]
        )));
    }

    #[test]
    fn pinned_versions_identities_plans_and_protected_settings_reach_the_body() {
        let stack = stack(
            "      backup:\n        type: microsoft.dataprotection.kubernetes\n        autoUpgradeMinorVersion: false\n        version: 1.2.3\n        targetNamespace: apps\n        systemAssignedIdentity: true\n        plan: {name: p, publisher: pub, product: prod}\n        configurationProtectedSettingsEnv: {token: BACKUP_TOKEN}\n",
        );
        let (_, d) = desired(&stack, "backup");
        assert_eq!(d.body["properties"]["version"], "1.2.3");
        assert!(d.body["properties"].get("releaseTrain").is_none());
        assert_eq!(
            d.body["properties"]["scope"],
            json!({"namespace": {"targetNamespace": "apps"}})
        );
        assert_eq!(d.body["identity"], json!({"type": "SystemAssigned"}));
        assert_eq!(
            d.body["plan"],
            json!({"name": "p", "publisher": "pub", "product": "prod"})
        );
        // The secret's value never enters the body or the plan: only where it goes and the
        // variable it is read from.
        assert!(
            d.body["properties"]
                .get("configurationProtectedSettings")
                .is_none()
        );
        assert_eq!(d.secrets.len(), 1);
        assert_eq!(
            d.secrets[0].path,
            "properties.configurationProtectedSettings.token"
        );
        assert_eq!(d.secrets[0].env, "BACKUP_TOKEN");
        // Sent with updates too: a PUT without them might drop them.
        assert!(d.secrets[0].every_put);
    }

    #[test]
    fn a_cluster_never_owns_an_extension_its_spec_does_not_name_but_its_delete_takes_them() {
        let with = stack("      flux: {type: microsoft.flux}\n");
        let without = {
            let text = SPEC.trim_end_matches("    extensions:\n");
            check_str("s.yaml", text, &LoadOptions::default())
                .stack
                .expect("a stack")
        };
        // Azure Backup's extension, installed by another team on a cluster whose spec lists
        // extensions: not the stack's, with or without `extensions:`.
        let body = json!({"properties": {"extensionType": "microsoft.dataprotection.kubernetes"}});
        for stack in [&with, &without] {
            for kind in [Kind::ClusterExtension, Kind::FluxConfiguration] {
                assert!(!crate::kinds::undeclared_child_is_ours(
                    stack,
                    "cluster/aks",
                    kind,
                    &body
                ));
            }
        }
        assert!(foreign(&body).is_none());
        assert!(foreign(&json!({"properties": {"isSystemExtension": true}})).is_some());
        assert!(foreign(&json!({"managedBy": "/subscriptions/x/resourceGroups/y"})).is_some());
        assert!(crate::kinds::goes_with_deleted_parent(
            Kind::ClusterExtension,
            "Microsoft.ContainerService/managedClusters"
        ));
        assert_eq!(
            crate::kind::child_path(
                "Microsoft.ContainerService/managedClusters",
                &Kind::ClusterExtension.def().arm[0]
            )
            .as_deref(),
            Some("providers/Microsoft.KubernetesConfiguration/extensions")
        );
    }
}
