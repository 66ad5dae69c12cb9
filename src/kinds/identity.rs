//! User-assigned managed identities and their federated credentials. A credential trusting a
//! cluster takes that cluster's OIDC issuer URL, known once the cluster exists.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::spec::RawJson;

use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, Context, EMPTY, Kind, Rules, tracked};
use crate::model::{
    Address, Dependency, FederatedCredential, Issuer, Origin, Resource, Spec, Target,
};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawIdentity {
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
    /// Federated credentials (at most 20), referenced as `identity/IDENTITY/CREDENTIAL`.
    #[serde(default)]
    pub federated_credentials: BTreeMap<String, Spanned<RawFederatedCredential>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

/// Trust tokens of a Kubernetes service account: issuer from a cluster (or a URL), subject from
/// a namespace and service account (or given whole).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawFederatedCredential {
    /// Cluster whose OIDC issuer is trusted, e.g. `cluster/platform`.
    pub cluster: Option<Spanned<String>>,
    /// Issuer URL, for issuers outside the stack (e.g. GitHub Actions).
    pub issuer: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub service_account: Option<Spanned<String>>,
    /// Full subject, instead of namespace and serviceAccount.
    pub subject: Option<Spanned<String>>,
    /// Default `[api://AzureADTokenExchange]`.
    pub audiences: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
}

/// ARM and azurerm names of an identity's federated credentials (`crate::kinds::habits`). ARM:
/// Microsoft.ManagedIdentity federatedIdentityCredentials properties; azurerm:
/// `azurerm_federated_identity_credential`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("federatedCredentials.*", "", "audience", "`audiences: [api://AzureADTokenExchange]`"),
    habit("federatedCredentials.*", "", "parent_id", "nothing: a credential belongs to the identity it is written under"),
];

pub static IDENTITY_RULES: Rules = Rules {
    immutable: &[("location", "an identity cannot move to another region")],
    exact_maps: &["tags"],
    case_insensitive: &["location"],
    ..EMPTY
};

pub static CREDENTIAL_RULES: Rules = Rules {
    sets: &["properties.audiences"],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource) -> Value {
    tracked(b, resource)
}

pub fn credential_body(b: &mut BodyBuilder<'_, '_>, c: &FederatedCredential) -> Value {
    let issuer = match &c.issuer {
        Issuer::Url(url) => Value::String(url.clone()),
        Issuer::Cluster(cluster) => b.late(
            "properties.issuer",
            cluster,
            "properties.oidcIssuerProfile.issuerURL",
        ),
    };
    json!({
        "properties": {
            "issuer": issuer,
            "subject": c.subject,
            "audiences": c.audiences,
        }
    })
}

crate::spec::common!(RawIdentity);

const MAX_FEDERATED_CREDENTIALS: usize = 20;
const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// The IDs workloads sign in with.
pub fn outputs(ctx: &Context<'_>, resource: &Resource, body: &Value) -> Vec<(String, Value)> {
    let mut out = super::outputs_at(
        body,
        &[
            ("clientId", "properties.clientId"),
            ("principalId", "properties.principalId"),
        ],
    );
    out.push(("id".into(), json!(ctx.id(&resource.address))));
    out
}

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::{Code, SpecDiagnostic};
use crate::names;
use crate::spec::Entry;

impl Builder<'_> {
    pub(crate) fn declare_identities(&mut self, entries: &[Entry<RawIdentity>]) {
        for e in entries {
            self.declare(Address::new(Kind::Identity, &e.key.value), e.key.span, None);
            for (credential, spec) in &e.spec.federated_credentials {
                let span = spec.span;
                self.declare(
                    Address::child(Kind::FederatedCredential, &e.key.value, credential),
                    span,
                    None,
                );
            }
            self.declare_dropped_children(e, "federatedCredentials", Kind::FederatedCredential);
        }
    }

    pub(crate) fn identities(&mut self, entries: &[Entry<RawIdentity>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(Kind::Identity, entry, s.resource_group.as_ref(), s.location.as_ref(), &s.tags, |n| {
                let ok = (3..=128).contains(&n.len())
                    && n.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                ok.then_some(()).ok_or("an identity name is 3-128 letters, digits, `-` and `_`, starting with a letter or digit")
            });
            resource.spec = Spec::Identity;
            self.insert(resource);
        }
    }

    pub(crate) fn federated_credentials(&mut self, entries: &[Entry<RawIdentity>]) {
        for entry in entries {
            let identity = Address::new(Kind::Identity, &entry.key.value);
            let credentials = &entry.spec.federated_credentials;
            // Learn "Workload identity federation considerations"
            // (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations):
            // "A maximum of 20 federated identity credentials can be added to an application or
            // user-assigned managed identity".
            if credentials.len() > MAX_FEDERATED_CREDENTIALS {
                let extra = credentials
                    .values()
                    .nth(MAX_FEDERATED_CREDENTIALS)
                    .map_or(entry.key.span, |c| c.span);
                self.error(
                    SpecDiagnostic::error_at(Code::TooManyFederatedCredentials, format!("identity `{}` has {} federated credentials; Azure allows {MAX_FEDERATED_CREDENTIALS}", entry.key.value, credentials.len()), extra, "the 21st", "split the workloads across several identities"),
                );
            }
            let resource_group = self
                .resources
                .get(&identity)
                .and_then(|r| r.resource_group.clone());
            let mut seen: BTreeMap<(String, String), crate::source::Span> = BTreeMap::new();
            for (name, credential) in credentials {
                let c = &credential.value;
                let address = Address::child(Kind::FederatedCredential, &entry.key.value, name);
                self.check_name(name, credential.span, names::federated_credential);
                let mut deps = vec![Dependency {
                    on: identity.clone(),
                    span: credential.span,
                    explicit: false,
                }];
                self.depends_on(&c.depends_on, &mut deps);
                let issuer = match (&c.cluster, &c.issuer) {
                    (Some(cluster), None) => {
                        self.issuer_cluster(cluster, &mut deps).map(Issuer::Cluster)
                    }
                    (None, Some(url)) => {
                        if !url.value.starts_with("https://") {
                            self.error(
                                SpecDiagnostic::invalid("an issuer is an https:// URL", url.span, "issuer", "e.g. `https://token.actions.githubusercontent.com`, or use `cluster: cluster/NAME`"),
                            );
                        }
                        Some(Issuer::Url(url.value.clone()))
                    }
                    (Some(cluster), Some(url)) => {
                        self.error(
                            SpecDiagnostic::new(
                                Code::ConflictingSettings,
                                "set `cluster` or `issuer`, not both",
                            )
                            .at(url.span, "issuer")
                            .also(cluster.span, "cluster")
                            .help("`cluster` takes the issuer from that cluster's OIDC issuer"),
                        );
                        None
                    }
                    (None, None) => {
                        self.error(
                            SpecDiagnostic::error_at(Code::MissingField, format!("federated credential `{name}` has no issuer"), credential.span, "no issuer", "add `cluster: cluster/NAME` (its OIDC issuer) or `issuer: https://...`"),
                        );
                        None
                    }
                };
                let subject = match (&c.subject, &c.namespace, &c.service_account) {
                    (Some(subject), None, None) => Some(subject.value.clone()),
                    (None, Some(ns), Some(sa)) => {
                        Some(format!("system:serviceaccount:{}:{}", ns.value, sa.value))
                    }
                    _ => {
                        self.error(
                            SpecDiagnostic::error_at(Code::MissingField, format!("federated credential `{name}` needs a subject"), credential.span, "no subject", "set `namespace` and `serviceAccount` (a Kubernetes service account), or `subject` alone"),
                        );
                        None
                    }
                };
                let audiences = c.audiences.as_ref().map_or_else(
                    || vec![TOKEN_EXCHANGE_AUDIENCE.to_string()],
                    |a| a.value.clone(),
                );
                if let Some(a) = c.audiences.as_ref().filter(|a| a.value.len() != 1) {
                    self.error(SpecDiagnostic::invalid(
                        format!(
                            "a federated credential takes exactly one audience, found {}",
                            a.value.len()
                        ),
                        a.span,
                        "audiences",
                        format!("use `[{TOKEN_EXCHANGE_AUDIENCE}]`, the default"),
                    ));
                }
                let (Some(issuer), Some(subject)) = (issuer, subject) else {
                    continue;
                };
                let issuer_key = match &issuer {
                    Issuer::Cluster(a) => a.to_string(),
                    Issuer::Url(u) => u.clone(),
                };
                // The same source: the issuer and subject pair must be unique per identity.
                if let Some(first) = seen.insert((issuer_key, subject.clone()), credential.span) {
                    self.error(
                        SpecDiagnostic::new(Code::DuplicateFederatedSubject, format!("another credential of `{identity}` already trusts `{subject}` from this issuer"))
                            .at(credential.span, "same issuer and subject")
                            .also(first, "first here")
                            .help("issuer and subject must be unique per identity; remove one credential"),
                    );
                }
                self.insert(Resource {
                    address,
                    name: name.clone(),
                    span: credential.span,
                    origin: Origin::Declared,
                    resource_group: resource_group.clone(),
                    location: None,
                    tags: BTreeMap::new(),
                    protect: false,
                    raw: None,
                    dependencies: deps,
                    spec: Spec::FederatedCredential(FederatedCredential {
                        issuer,
                        subject,
                        audiences,
                    }),
                });
            }
        }
    }

    pub(crate) fn issuer_cluster(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Address> {
        let Target::Node(cluster) = self.resolve(text, &[Kind::Cluster], deps)? else {
            return None;
        };
        // Learn "Deploy and configure workload identity" (https://learn.microsoft.com/azure/aks/
        // workload-identity-deploy-cluster): a federated credential trusts the cluster's OIDC
        // issuer URL, which exists only with `--enable-oidc-issuer`.
        if let Some(Spec::Cluster(c)) = self.resources.get(&cluster).map(|r| &r.spec)
            && !c.oidc_issuer
        {
            let declared = self.resources[&cluster].span;
            self.error(
                SpecDiagnostic::new(
                    Code::WorkloadIdentityNeedsOidc,
                    format!("cluster `{}` has no OIDC issuer to trust", cluster.name),
                )
                .at(text.span, "issuer cluster")
                .also(declared, "cluster declared here")
                .help("add `oidcIssuer: true` (and `workloadIdentity: true`) to the cluster"),
            );
        }
        Some(cluster)
    }
}
