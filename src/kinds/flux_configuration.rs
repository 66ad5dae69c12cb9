//! Flux configurations (`Microsoft.KubernetesConfiguration/fluxConfigurations`): a Git repository
//! and the kustomizations Flux reconciles from it, written under a cluster as
//! `fluxConfigurations: {apps: {gitRepository: {url, branch}, kustomizations: {…}}}` and
//! addressed `cluster/NAME/CONFIG`. Like extensions, an extension resource on the cluster
//! (`{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`,
//! fluxconfiguration.json 2025-04-01), without tags: the cluster owns its configurations only
//! when its spec has `fluxConfigurations:`. It needs the `microsoft.flux` extension (Learn
//! "Tutorial: Deploy applications using GitOps with Flux v2": "After the microsoft.flux cluster
//! extension is installed, you can create one or more fluxConfigurations resources"), so it
//! waits for the cluster's Flux extension when the spec declares one.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{EMPTY, Rules};
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
    ..EMPTY
};

pub fn body(f: &FluxConfiguration) -> Value {
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
        // it. A cluster that owns its extensions (`extensions:`) but lists no Flux extension
        // would delete one installed outside azplan, so nothing could run the configurations.
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
                    self.error(SpecDiagnostic::invalid(
                        format!("kustomization `{name}` depends on `{}`, which is not another kustomization of this configuration", dep.value),
                        dep.span,
                        "unknown kustomization",
                        format!(
                            "name one of: {}",
                            f.kustomizations
                                .keys()
                                .filter(|k| *k != name)
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
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
