//! Federated credentials and role assignments: who may do what, checked against the clusters
//! and identities they name.

use std::collections::BTreeMap;

use super::Builder;
use crate::diag::{Code, SpecDiagnostic, suggest};
use crate::model::PrincipalType;
use crate::model::{
    Address, ClusterIdentity, Dependency, FederatedCredential, Issuer, Kind, Origin, Principal,
    Resource, RoleAssignment, Scope, Spec, Target,
};
use crate::names;
use crate::reference::{self, Parsed};
use crate::roles;

const MAX_FEDERATED_CREDENTIALS: usize = 20;
const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

impl Builder<'_> {
    pub(super) fn federated_credentials(&mut self) {
        for entry in &self.raw.identities {
            let identity = Address::new(Kind::Identity, &entry.key.value);
            let credentials = &entry.spec.federated_credentials;
            if credentials.len() > MAX_FEDERATED_CREDENTIALS {
                let extra = credentials
                    .values()
                    .nth(MAX_FEDERATED_CREDENTIALS)
                    .map_or(entry.key.span, |c| c.span);
                self.error(
                    SpecDiagnostic::new(
                        Code::TooManyFederatedCredentials,
                        format!("identity `{}` has {} federated credentials; Azure allows {MAX_FEDERATED_CREDENTIALS}", entry.key.value, credentials.len()),
                    )
                    .at(extra, "the 21st")
                    .help("split the workloads across several identities"),
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
                                SpecDiagnostic::new(Code::InvalidValue, "an issuer is an https:// URL")
                                    .at(url.span, "issuer")
                                    .help("e.g. `https://token.actions.githubusercontent.com`, or use `cluster: cluster/NAME`"),
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
                            SpecDiagnostic::new(Code::MissingField, format!("federated credential `{name}` has no issuer"))
                                .at(credential.span, "no issuer")
                                .help("add `cluster: cluster/NAME` (its OIDC issuer) or `issuer: https://...`"),
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
                            SpecDiagnostic::new(Code::MissingField, format!("federated credential `{name}` needs a subject"))
                                .at(credential.span, "no subject")
                                .help("set `namespace` and `serviceAccount` (a Kubernetes service account), or `subject` alone"),
                        );
                        None
                    }
                };
                let audiences = c.audiences.as_ref().map_or_else(
                    || vec![TOKEN_EXCHANGE_AUDIENCE.to_string()],
                    |a| a.value.clone(),
                );
                if let Some(a) = c.audiences.as_ref().filter(|a| a.value.len() != 1) {
                    self.error(
                        SpecDiagnostic::new(
                            Code::InvalidValue,
                            format!(
                                "a federated credential takes exactly one audience, found {}",
                                a.value.len()
                            ),
                        )
                        .at(a.span, "audiences")
                        .help(format!("use `[{TOKEN_EXCHANGE_AUDIENCE}]`, the default")),
                    );
                }
                let (Some(issuer), Some(subject)) = (issuer, subject) else {
                    continue;
                };
                let issuer_key = match &issuer {
                    Issuer::Cluster(a) => a.to_string(),
                    Issuer::Url(u) => u.clone(),
                };
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

    fn issuer_cluster(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Address> {
        let Target::Node(cluster) = self.resolve(text, &[Kind::Cluster], false, deps)? else {
            return None;
        };
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

    pub(super) fn role_assignments(&mut self) {
        for entry in &self.raw.role_assignments {
            let s = &entry.spec;
            let mut deps = Vec::new();
            self.depends_on(&s.depends_on, &mut deps);
            let role = roles::resolve(&s.role.value);
            if role.is_none() {
                self.error(
                    SpecDiagnostic::new(
                        Code::UnknownRole,
                        format!("`{}` is not a built-in role azplan knows", s.role.value),
                    )
                    .at(s.role.span, "unknown role")
                    .help(format!(
                        "{} (or give the role definition GUID)",
                        suggest(&s.role.value, roles::built_in_names())
                    )),
                );
            }
            let scope = self.scope(&s.scope, &mut deps);
            let principal = self.principal(entry, &mut deps);
            if let Some(name) = s.name.as_ref().filter(|n| !names::is_guid(&n.value)) {
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidName,
                        format!("`{}` is not a GUID", name.value),
                    )
                    .at(name.span, "role assignment name")
                    .help(
                        "role assignment names are GUIDs; leave `name` out and azplan derives one",
                    ),
                );
            }
            let (Some(role), Some(scope), Some(principal)) = (role, scope, principal) else {
                continue;
            };
            self.insert(Resource {
                address: Address::new(Kind::RoleAssignment, &entry.key.value),
                name: entry.key.value.clone(),
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location: None,
                tags: BTreeMap::new(),
                protect: s.protect,
                raw: None,
                dependencies: deps,
                spec: Spec::RoleAssignment(RoleAssignment {
                    name: s.name.as_ref().map(|n| n.value.to_ascii_lowercase()),
                    role,
                    scope,
                    principal,
                    description: s.description.clone(),
                }),
            });
        }
    }

    fn scope(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Scope> {
        // Role assignments cannot be scoped to pools, credentials or other assignments.
        let scopes: Vec<Kind> = Kind::all()
            .filter(|k| {
                !matches!(
                    k,
                    Kind::NodePool | Kind::FederatedCredential | Kind::RoleAssignment
                )
            })
            .collect();
        match reference::parse(&text.value) {
            Ok(Parsed::Subscription) => Some(Scope::Subscription),
            Ok(Parsed::ArmId(id)) => {
                if super::arm_type_of(id).is_none() {
                    self.error(
                        SpecDiagnostic::new(
                            Code::InvalidReference,
                            format!("`{id}` is not an ARM ID"),
                        )
                        .at(text.span, "invalid scope")
                        .help("e.g. /subscriptions/SUB/resourceGroups/RG"),
                    );
                    return None;
                }
                Some(Scope::Target(Target::ArmId(id.to_string())))
            }
            Ok(Parsed::Path {
                kind: Kind::Cluster,
                name,
                child: None,
                facet: Some(facet),
            }) => {
                let cluster = Address::new(Kind::Cluster, name);
                self.resolve_address(&cluster, text, &[Kind::Cluster], deps)?;
                if facet == "nodeResourceGroup" {
                    return Some(Scope::NodeResourceGroup(cluster));
                }
                if let Some(namespace) = facet.strip_prefix("namespace/").filter(|n| !n.is_empty())
                {
                    return Some(Scope::Namespace {
                        cluster,
                        namespace: namespace.to_string(),
                    });
                }
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidReference,
                        format!("`:{facet}` is not a cluster scope"),
                    )
                    .at(text.span, "unknown scope")
                    .help(suggest(facet, ["nodeResourceGroup", "namespace/NAME"])),
                );
                None
            }
            _ => self.resolve(text, &scopes, false, deps).map(Scope::Target),
        }
    }

    fn principal(
        &mut self,
        entry: &crate::load::Entry<crate::kinds::role_assignment::RawRoleAssignment>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Principal> {
        let s = &entry.spec;
        match (&s.principal, &s.principal_id) {
            (Some(p), None) => {
                if s.principal_type
                    .is_some_and(|t| t != PrincipalType::ServicePrincipal)
                {
                    self.error(
                        SpecDiagnostic::new(
                            Code::ConflictingSettings,
                            "managed identities are service principals",
                        )
                        .at(p.span, "principal")
                        .help(
                            "remove `principalType`; azplan sends ServicePrincipal for identities",
                        ),
                    );
                }
                self.principal_reference(p, deps)
            }
            (None, Some(id)) => {
                if !names::is_guid(&id.value) {
                    self.error(
                        SpecDiagnostic::new(
                            Code::InvalidValue,
                            format!("`{}` is not an object ID", id.value),
                        )
                        .at(id.span, "expected a GUID")
                        .help("find it with `az ad group show --group NAME --query id`"),
                    );
                    return None;
                }
                let Some(principal_type) = s.principal_type else {
                    self.error(
                        SpecDiagnostic::new(
                            Code::MissingField,
                            "`principalId` needs `principalType`",
                        )
                        .at(id.span, "principal")
                        .help("add `principalType: Group` (or User, ServicePrincipal)"),
                    );
                    return None;
                };
                Some(Principal::Object {
                    id: id.value.to_ascii_lowercase(),
                    principal_type,
                })
            }
            (Some(p), Some(id)) => {
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        "set `principal` or `principalId`, not both",
                    )
                    .at(id.span, "object ID")
                    .also(p.span, "reference")
                    .help(
                        "`principal` names an identity of the stack; `principalId` one outside it",
                    ),
                );
                None
            }
            (None, None) => {
                self.error(
                    SpecDiagnostic::new(Code::MissingField, format!("role assignment `{}` has no principal", entry.key.value))
                        .at(entry.key.span, "no principal")
                        .help("add `principal: identity/NAME` (or `cluster/NAME:kubelet`), or `principalId` with `principalType`"),
                );
                None
            }
        }
    }

    fn principal_reference(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Principal> {
        if let Ok(Parsed::Path {
            kind: Kind::Cluster,
            name,
            child: None,
            facet: Some(facet),
        }) = reference::parse(&text.value)
        {
            let cluster = Address::new(Kind::Cluster, name);
            self.resolve_address(&cluster, text, &[Kind::Cluster], deps)?;
            let Some((_, identity)) = ClusterIdentity::ALL.iter().find(|(n, _)| *n == facet) else {
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidReference,
                        format!("`:{facet}` is not a cluster identity"),
                    )
                    .at(text.span, "unknown identity")
                    .help(suggest(facet, ClusterIdentity::ALL.iter().map(|(n, _)| *n))),
                );
                return None;
            };
            self.check_identity_enabled(&cluster, *identity, text);
            return Some(Principal::Cluster {
                cluster,
                identity: *identity,
            });
        }
        match self.resolve(text, &[Kind::Identity], false, deps)? {
            Target::Node(address) => Some(Principal::Identity(address)),
            Target::ArmId(_) => None,
        }
    }

    /// Add-on identities exist only when the add-on is on.
    fn check_identity_enabled(
        &mut self,
        cluster: &Address,
        identity: ClusterIdentity,
        text: &crate::de::Spanned<String>,
    ) {
        let Some(Spec::Cluster(c)) = self.resources.get(cluster).map(|r| &r.spec) else {
            return;
        };
        let (enabled, setting) = match identity {
            ClusterIdentity::ControlPlane | ClusterIdentity::Kubelet => (true, ""),
            ClusterIdentity::AppRouting => (c.app_routing.is_some(), "appRouting"),
            ClusterIdentity::Monitoring => (c.container_insights.is_some(), "containerInsights"),
            ClusterIdentity::VirtualNodes => (c.virtual_nodes.is_some(), "virtualNodes"),
            ClusterIdentity::AzurePolicy => (c.azure_policy, "azurePolicy"),
        };
        if !enabled {
            self.error(
                SpecDiagnostic::new(
                    Code::InvalidReference,
                    format!(
                        "cluster `{}` has no {} identity: the add-on is off",
                        cluster.name,
                        identity.name()
                    ),
                )
                .at(text.span, "add-on identity")
                .help(format!("enable `{setting}` on the cluster")),
            );
        }
    }
}
