//! Flux configurations (`Microsoft.KubernetesConfiguration/fluxConfigurations`): a Git repository
//! and the kustomizations Flux reconciles from it, written under a cluster as
//! `fluxConfigurations: {apps: {gitRepository: {url, branch}, kustomizations: {…}}}` and
//! addressed `cluster/NAME/CONFIG`. Like extensions, an extension resource on the cluster
//! (`{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`,
//! fluxconfiguration.json 2025-04-01), without tags: the stack's configurations are exactly those
//! its spec names (others are left alone; `kinds::undeclared_child_is_ours`). It needs the
//! `microsoft.flux` extension (Learn "Tutorial: Deploy applications using GitOps with Flux v2":
//! "After the microsoft.flux cluster extension is installed, you can create one or more
//! fluxConfigurations resources"), so it waits for the cluster's Flux extension when the spec
//! declares one.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{BodyBuilder, EMPTY, Rules};
use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::SpecDiagnostic;
use crate::kinds::habits::{Habit, habit};
use crate::model::{
    Address, Dependency, FluxConfiguration, GitRepository, Kind, Kustomization, Origin, Resource,
    Spec,
};
use crate::spec::Entry;

use super::cluster::RawCluster;

/// The extension type that runs Flux configurations.
pub const FLUX_EXTENSION_TYPE: &str = "microsoft.flux";

// The spec as written (serde types, spans, no invariants).

/// One Flux configuration with a Git repository source (FluxConfigurationProperties).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawFluxConfiguration {
    /// `cluster` (default, ARM's) or `namespace`. Fixed at creation.
    pub scope: Option<Spanned<String>>,
    /// The namespace the configuration is installed to; default `default` (ARM's). At most 253
    /// lower-case letters, digits, `-` and `.`. Fixed at creation.
    pub namespace: Option<Spanned<String>>,
    /// Stop reconciling (`suspend`); default false.
    pub suspend: Option<bool>,
    /// The Git repository Flux pulls from.
    pub git_repository: Spanned<RawGitRepository>,
    /// Kustomizations by name: what Flux applies from the repository.
    #[serde(default)]
    pub kustomizations: BTreeMap<String, Spanned<RawKustomization>>,
}

/// GitRepositoryDefinition.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawGitRepository {
    /// `https://…`, `http://…`, `ssh://…` or `git@…`.
    pub url: Spanned<String>,
    /// The branch to follow (`repositoryRef.branch`).
    pub branch: Option<String>,
    /// A tag (`repositoryRef.tag`).
    pub tag: Option<String>,
    /// A semver range over tags (`repositoryRef.semver`).
    pub semver: Option<String>,
    /// A commit SHA (`repositoryRef.commit`).
    pub commit: Option<String>,
    /// Seconds between syncs; default 600 (ARM's).
    pub sync_interval_in_seconds: Option<u64>,
    /// Seconds a sync may take; default 600 (ARM's).
    pub timeout_in_seconds: Option<u64>,
    /// Plain-text HTTPS user name.
    pub https_user: Option<String>,
    /// Base64 CA certificate for HTTPS.
    #[serde(rename = "httpsCACert")]
    pub https_ca_cert: Option<String>,
    /// Base64 known_hosts for SSH.
    pub ssh_known_hosts: Option<String>,
    /// A Kubernetes secret on the cluster holding the credentials.
    pub local_auth_ref: Option<String>,
}

/// KustomizationDefinition.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawKustomization {
    /// The path in the repository; default the root (ARM's `""`).
    pub path: Option<String>,
    /// Kustomizations of this configuration that must reconcile first.
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    /// Default 600 (ARM's).
    pub sync_interval_in_seconds: Option<u64>,
    /// Default 600 (ARM's).
    pub timeout_in_seconds: Option<u64>,
    /// Seconds between retries after a failure; Flux's default when not given.
    pub retry_interval_in_seconds: Option<u64>,
    /// Delete what the kustomization no longer holds; default false (ARM's).
    pub prune: Option<bool>,
    /// Recreate resources whose immutable fields changed; default false (ARM's).
    pub force: Option<bool>,
    /// Health-check what it applied; default true (ARM's).
    pub wait: Option<bool>,
}

/// ARM/Bicep names (fluxconfiguration.json 2025-04-01) and azurerm's
/// (`azurerm_kubernetes_flux_configuration`: hashicorp/terraform-provider-azurerm,
/// `website/docs/r/kubernetes_flux_configuration.html.markdown`).
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "", "git_repository", "`gitRepository: {url, branch}`"),
    habit("", "sourceKind", "", "nothing: azplan writes Git repository sources (`gitRepository`)"),
    habit("gitRepository", "repositoryRef", "reference_type", "`branch`, `tag`, `semver` or `commit` directly under `gitRepository`"),
    habit("gitRepository", "", "reference_value", "`branch`, `tag`, `semver` or `commit` directly under `gitRepository`"),
    habit("gitRepository", "", "sync_interval_in_seconds", "`syncIntervalInSeconds`"),
    habit("", "", "kustomizations", "`kustomizations: {NAME: {path, dependsOn, prune}}` (a map by name)"),
    habit("kustomizations.*", "", "garbage_collection_enabled", "`prune`"),
    habit("kustomizations.*", "", "recreating_enabled", "`force`"),
    habit("kustomizations.*", "", "depends_on", "`dependsOn`"),
];

pub static RULES: Rules = Rules {
    immutable: &[
        // FluxConfigurationProperties.scope and .namespace: x-ms-mutability read, create
        // (fluxconfiguration.json 2025-04-01).
        (
            "properties.scope",
            "the scope is fixed at creation (x-ms-mutability: read, create)",
        ),
        (
            "properties.namespace",
            "the namespace is fixed at creation (x-ms-mutability: read, create)",
        ),
    ],
    // A PUT replaces the kustomizations: one added outside azplan is a change too.
    exact_maps: &["properties.kustomizations"],
    // The `default`s of FluxConfigurationProperties, GitRepositoryDefinition and
    // KustomizationDefinition (fluxconfiguration.json 2025-04-01), for bodies that leave them out
    // (the GetFluxConfiguration example's kustomizations show no `prune` or `force`).
    server_defaults: &[
        ("properties.scope", "\"cluster\""),
        ("properties.namespace", "\"default\""),
        ("properties.sourceKind", "\"GitRepository\""),
        ("properties.suspend", "false"),
        ("properties.gitRepository.timeoutInSeconds", "600"),
        ("properties.gitRepository.syncIntervalInSeconds", "600"),
        ("properties.kustomizations.*.path", "\"\""),
        ("properties.kustomizations.*.dependsOn", "[]"),
        ("properties.kustomizations.*.timeoutInSeconds", "600"),
        ("properties.kustomizations.*.syncIntervalInSeconds", "600"),
        ("properties.kustomizations.*.prune", "false"),
        ("properties.kustomizations.*.force", "false"),
        ("properties.kustomizations.*.wait", "true"),
    ],
    ..EMPTY
};

/// Settings azplan does not model, sent back as they are live so that a whole-resource PUT keeps
/// them: the configuration's reconciliation wait, the repository's auth provider, each
/// kustomization's postBuild substitutions.
const CARRIED: [&str; 2] = ["waitForReconciliation", "reconciliationWaitDuration"];

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, f: &FluxConfiguration) -> Value {
    let mut body = modelled(f);
    b.carry_over_live(resource, &mut body, &CARRIED);
    let live = b
        .ctx
        .live
        .get(&b.ctx.id(&resource.address))
        .and_then(|l| l.get("properties"));
    if let Some(live) = live {
        if let Some(provider) = live
            .pointer("/gitRepository/provider")
            .filter(|v| !v.is_null())
        {
            body["properties"]["gitRepository"]["provider"] = provider.clone();
        }
        if let Some(Value::Object(ks)) = body["properties"].get_mut("kustomizations") {
            for (name, k) in ks.iter_mut() {
                if let Some(post) = live
                    .get("kustomizations")
                    .and_then(|l| l.get(name))
                    .and_then(|l| l.get("postBuild"))
                    .filter(|v| !v.is_null())
                {
                    k["postBuild"] = post.clone();
                }
            }
        }
    }
    body
}

fn modelled(f: &FluxConfiguration) -> Value {
    let mut git = json!({
        "url": f.git.url,
        "repositoryRef": f.git.reference,
        "syncIntervalInSeconds": f.git.sync_interval_seconds,
        "timeoutInSeconds": f.git.timeout_seconds,
    });
    for (name, value) in [
        ("httpsUser", &f.git.https_user),
        ("httpsCACert", &f.git.https_ca_cert),
        ("sshKnownHosts", &f.git.ssh_known_hosts),
        ("localAuthRef", &f.git.local_auth_ref),
    ] {
        if let Some(v) = value {
            git[name] = json!(v);
        }
    }
    let kustomizations: Map<String, Value> = f
        .kustomizations
        .iter()
        .map(|(name, k)| {
            let mut v = json!({
                "path": k.path,
                "dependsOn": k.depends_on,
                "syncIntervalInSeconds": k.sync_interval_seconds,
                "timeoutInSeconds": k.timeout_seconds,
                "prune": k.prune,
                "force": k.force,
                "wait": k.wait,
            });
            if let Some(retry) = k.retry_interval_seconds {
                v["retryIntervalInSeconds"] = json!(retry);
            }
            (name.clone(), v)
        })
        .collect();
    json!({ "properties": {
        "scope": f.scope,
        "namespace": f.namespace,
        "sourceKind": "GitRepository",
        "suspend": f.suspend,
        "gitRepository": git,
        "kustomizations": kustomizations,
    }})
}

/// The child addresses a cluster's spec declares.
pub(crate) fn declared(entry: &Entry<RawCluster>) -> Vec<(String, crate::source::Span)> {
    let Some(x) = entry.spec.flux_configurations.as_ref() else {
        return Vec::new();
    };
    x.value
        .iter()
        .map(|(name, e)| (name.clone(), e.span))
        .collect()
}

/// The default of GitRepositoryDefinition's and KustomizationDefinition's `timeoutInSeconds` and
/// `syncIntervalInSeconds` (fluxconfiguration.json 2025-04-01).
const DEFAULT_SECONDS: u64 = 600;

impl Builder<'_> {
    pub(crate) fn flux_configurations(&mut self, entry: &Entry<RawCluster>, cluster: &Resource) {
        let Some(x) = entry.spec.flux_configurations.as_ref() else {
            return;
        };
        // The cluster's Flux extension, when its spec declares one: the configurations wait for
        // it. A cluster whose spec manages its extensions (`extensions:`) names the Flux
        // extension its configurations need, so that apply orders them after it.
        let flux = entry.spec.extensions.as_ref().map(|x| {
            x.value
                .iter()
                .find(|(_, e)| {
                    e.value
                        .extension_type
                        .value
                        .eq_ignore_ascii_case(FLUX_EXTENSION_TYPE)
                })
                .map(|(name, _)| name.clone())
        });
        if let Some(None) = &flux {
            self.error(SpecDiagnostic::invalid(
                "Flux configurations need the cluster's `microsoft.flux` extension",
                x.span,
                "no Flux extension",
                "add `extensions: {flux: {type: microsoft.flux}}` to this cluster (with `extensions:` the cluster's extensions are the stack's)",
            ));
            return;
        }
        for (name, raw) in &x.value {
            let clash = entry.spec.node_pools.value.contains_key(name)
                || entry
                    .spec
                    .extensions
                    .as_ref()
                    .is_some_and(|e| e.value.contains_key(name));
            if clash {
                self.error(SpecDiagnostic::invalid(
                    format!("Flux configuration `{name}` has the name of a pool or extension of this cluster"),
                    raw.span,
                    "same address",
                    format!(
                        "`cluster/{}/{name}` would name both; give the configuration another name",
                        entry.key.value
                    ),
                ));
                continue;
            }
            let Some(model) = self.flux_configuration(&raw.value) else {
                continue;
            };
            let mut dependencies = vec![Dependency {
                on: cluster.address.clone(),
                span: raw.span,
                explicit: false,
            }];
            if let Some(Some(extension)) = &flux {
                dependencies.push(Dependency {
                    on: Address::child(Kind::ClusterExtension, &entry.key.value, extension),
                    span: raw.span,
                    explicit: false,
                });
            }
            self.insert(Resource {
                address: Address::child(Kind::FluxConfiguration, &entry.key.value, name),
                name: name.clone(),
                span: raw.span,
                origin: Origin::Declared,
                resource_group: cluster.resource_group.clone(),
                location: None,
                tags: Default::default(),
                protect: cluster.protect,
                raw: None,
                dependencies,
                spec: Spec::FluxConfiguration(model),
            });
        }
    }

    /// Checks a configuration against FluxConfigurationProperties (fluxconfiguration.json
    /// 2025-04-01): `scope` is `cluster` or `namespace`; `namespace` "Maximum of 253 lower case
    /// alphanumeric characters, hyphen and period only"; a kustomization's `dependsOn` names
    /// "other Kustomizations" of the configuration.
    fn flux_configuration(&mut self, f: &RawFluxConfiguration) -> Option<FluxConfiguration> {
        let mut ok = true;
        let scope = f.scope.as_ref().map_or("cluster", |s| s.value.as_str());
        if let Some(s) = f
            .scope
            .as_ref()
            .filter(|s| !matches!(s.value.as_str(), "cluster" | "namespace"))
        {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                format!("`{}` is not a Flux configuration scope", s.value),
                s.span,
                "unknown scope",
                "write `cluster` or `namespace`",
            ));
        }
        let namespace = f.namespace.as_ref().map_or("default", |n| n.value.as_str());
        if let Some(n) = f.namespace.as_ref().filter(|n| {
            n.value.is_empty()
                || n.value.len() > 253
                || !n
                    .value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        }) {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                format!("`{}` is not a Flux configuration namespace", n.value),
                n.span,
                "not a namespace name",
                "at most 253 lower-case letters, digits, `-` and `.`",
            ));
        }
        for (name, k) in &f.kustomizations {
            for dep in &k.value.depends_on {
                if !f.kustomizations.contains_key(&dep.value) || dep.value == *name {
                    ok = false;
                    let others: Vec<String> = f
                        .kustomizations
                        .keys()
                        .filter(|k| *k != name)
                        .map(|k| format!("`{k}`"))
                        .collect();
                    let help = if others.is_empty() {
                        "this configuration has no other kustomization: drop `dependsOn`".into()
                    } else {
                        format!("name one of: {}", others.join(", "))
                    };
                    self.error(SpecDiagnostic::invalid(
                        format!("kustomization `{name}` depends on `{}`, which is not another kustomization of this configuration", dep.value),
                        dep.span,
                        "unknown kustomization",
                        help,
                    ));
                }
            }
        }
        let g = &f.git_repository.value;
        if g.url.value.trim().is_empty() {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                "a Git repository needs a URL",
                g.url.span,
                "empty",
                "write the repository's `https://` or `ssh://` URL",
            ));
        }
        let reference: BTreeMap<&'static str, String> = [
            ("branch", &g.branch),
            ("tag", &g.tag),
            ("semver", &g.semver),
            ("commit", &g.commit),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect();
        ok.then(|| FluxConfiguration {
            scope: scope.to_string(),
            namespace: namespace.to_string(),
            suspend: f.suspend.unwrap_or(false),
            git: GitRepository {
                url: g.url.value.clone(),
                reference,
                sync_interval_seconds: g.sync_interval_in_seconds.unwrap_or(DEFAULT_SECONDS),
                timeout_seconds: g.timeout_in_seconds.unwrap_or(DEFAULT_SECONDS),
                https_user: g.https_user.clone(),
                https_ca_cert: g.https_ca_cert.clone(),
                ssh_known_hosts: g.ssh_known_hosts.clone(),
                local_auth_ref: g.local_auth_ref.clone(),
            },
            kustomizations: f
                .kustomizations
                .iter()
                .map(|(name, k)| {
                    let k = &k.value;
                    (
                        name.clone(),
                        Kustomization {
                            path: k.path.clone().unwrap_or_default(),
                            depends_on: k.depends_on.iter().map(|d| d.value.clone()).collect(),
                            sync_interval_seconds: k
                                .sync_interval_in_seconds
                                .unwrap_or(DEFAULT_SECONDS),
                            timeout_seconds: k.timeout_in_seconds.unwrap_or(DEFAULT_SECONDS),
                            retry_interval_seconds: k.retry_interval_in_seconds,
                            prune: k.prune.unwrap_or(false),
                            force: k.force.unwrap_or(false),
                            wait: k.wait.unwrap_or(true),
                        },
                    )
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::check_str;
    use crate::kinds::Context;
    use crate::live::LiveState;
    use crate::load::LoadOptions;

    const SPEC: &str = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {name: rg-s}\nclusters:\n  aks:\n    apiServer: {authorizedIpRanges: [203.0.113.0/24]}\n    nodePools:\n      system: {mode: System, vmSize: Standard_D2ds_v5, count: 1}\n    extensions:\n      flux: {type: microsoft.flux}\n    fluxConfigurations:\n      apps:\n        gitRepository: {url: 'https://example.com/repo', tag: v1}\n        kustomizations:\n          infra: {path: ./infra}\n          apps: {path: ./apps, dependsOn: [infra], prune: true}\n";

    fn stack() -> crate::model::Stack {
        let checked = check_str("s.yaml", SPEC, &LoadOptions::default());
        assert!(
            !checked.diagnostics.has_errors(),
            "{:?}",
            checked.diagnostics
        );
        checked.stack.expect("a stack")
    }

    #[test]
    fn a_configuration_waits_for_the_flux_extension_and_sends_arm_defaults() {
        let stack = stack();
        let address = Address::child(Kind::FluxConfiguration, "aks", "apps");
        let resource = &stack.resources[&address];
        let deps: Vec<String> = resource
            .dependencies
            .iter()
            .map(|d| d.on.to_string())
            .collect();
        assert_eq!(deps, ["cluster/aks", "cluster/aks/flux"]);
        let live = LiveState::default();
        let ctx = Context {
            stack: &stack,
            live: &live,
        };
        assert!(ctx.id(&address).ends_with(
            "/managedClusters/aks/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/apps"
        ));
        let d = crate::kinds::desired(&ctx, resource);
        assert_eq!(d.body["properties"]["scope"], "cluster");
        assert_eq!(d.body["properties"]["namespace"], "default");
        assert_eq!(d.body["properties"]["sourceKind"], "GitRepository");
        assert_eq!(
            d.body["properties"]["gitRepository"],
            json!({"url": "https://example.com/repo", "repositoryRef": {"tag": "v1"},
                   "syncIntervalInSeconds": 600, "timeoutInSeconds": 600})
        );
        assert_eq!(
            d.body["properties"]["kustomizations"]["apps"],
            json!({"path": "./apps", "dependsOn": ["infra"], "syncIntervalInSeconds": 600,
                   "timeoutInSeconds": 600, "prune": true, "force": false, "wait": true})
        );
    }

    #[test]
    fn unmodelled_live_settings_are_sent_back() {
        let stack = stack();
        let address = Address::child(Kind::FluxConfiguration, "aks", "apps");
        let empty = LiveState::default();
        let id = Context {
            stack: &stack,
            live: &empty,
        }
        .id(&address);
        let mut live = LiveState::default();
        live.insert(
            json!({"id": id, "type": "Microsoft.KubernetesConfiguration/fluxConfigurations",
            "properties": {"waitForReconciliation": true,
                "gitRepository": {"url": "https://example.com/repo", "provider": "Azure"},
                "kustomizations": {"apps": {"postBuild": {"substitute": {"env": "prod"}}}}}}),
        );
        let ctx = Context {
            stack: &stack,
            live: &live,
        };
        let d = crate::kinds::desired(&ctx, &stack.resources[&address]);
        assert_eq!(d.body["properties"]["waitForReconciliation"], true);
        assert_eq!(d.body["properties"]["gitRepository"]["provider"], "Azure");
        assert_eq!(
            d.body["properties"]["kustomizations"]["apps"]["postBuild"],
            json!({"substitute": {"env": "prod"}})
        );
        assert!(
            d.body["properties"]["kustomizations"]["infra"]
                .get("postBuild")
                .is_none()
        );
    }
}
