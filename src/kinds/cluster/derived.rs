//! Role assignments a cluster's settings imply: AcrPull for the kubelet identity on each
//! attached registry, DNS Zone Contributor for app routing on its zones.

use std::collections::BTreeMap;

use crate::build::Builder;
use crate::diag::{Code, SpecDiagnostic};
use crate::model::{
    Address, Cluster, ClusterIdentity, Dependency, Kind, Origin, Principal, Resource,
    RoleAssignment, Scope, Spec, Target,
};
use crate::roles;

impl Builder<'_> {
    pub(super) fn derived_role_assignments(
        &mut self,
        cluster_address: &Address,
        resource: &Resource,
        cluster: &Cluster,
        attached: &[(Target, crate::source::Span)],
        grant_dns_access: bool,
    ) {
        let kubelet = Principal::Cluster {
            cluster: cluster_address.clone(),
            identity: ClusterIdentity::Kubelet,
        };
        for (registry, span) in attached {
            let suffix = target_suffix(registry);
            self.derive(
                resource,
                Derived {
                    name: format!("{}-acrpull-{suffix}", cluster_address.name),
                    role: roles::ACR_PULL,
                    scope: registry.clone(),
                    principal: kubelet.clone(),
                    span: *span,
                    reason: "attached registry: AcrPull for the kubelet identity",
                },
            );
        }
        if let Some(app_routing) = &cluster.app_routing
            && grant_dns_access
        {
            let principal = Principal::Cluster {
                cluster: cluster_address.clone(),
                identity: ClusterIdentity::AppRouting,
            };
            for zone in &app_routing.dns_zones {
                let suffix = target_suffix(zone);
                self.derive(
                    resource,
                    Derived {
                        name: format!("{}-approuting-dns-{suffix}", cluster_address.name),
                        role: roles::DNS_ZONE_CONTRIBUTOR,
                        scope: zone.clone(),
                        principal: principal.clone(),
                        span: resource.span,
                        reason: "app routing: DNS Zone Contributor on its zone",
                    },
                );
            }
        }
    }

    /// Adds a role assignment the cluster's settings imply, as its own node.
    pub(super) fn derive(&mut self, cluster: &Resource, derived: Derived) {
        let Derived {
            name,
            role,
            scope,
            principal,
            span,
            reason,
        } = derived;
        let address = Address::new(Kind::RoleAssignment, name);
        if let Some(existing) = self.symbols.get(&address) {
            let first = existing.span;
            self.error(SpecDiagnostic::error_at(
                Code::DuplicateName,
                format!(
                    "`{address}` is derived from cluster `{}` but is also declared",
                    cluster.address.name
                ),
                first,
                "declared here",
                "rename the declared role assignment; azplan creates this one itself",
            ));
            return;
        }
        let Some(role) = roles::resolve(role) else {
            return;
        };
        let mut dependencies = vec![Dependency {
            on: cluster.address.clone(),
            span,
            explicit: false,
        }];
        if let Target::Node(target) = &scope {
            let on = match (target.kind, &target.child) {
                (Kind::Existing, Some(_)) => Address::new(Kind::Existing, &target.name),
                _ => target.clone(),
            };
            dependencies.push(Dependency {
                on,
                span,
                explicit: false,
            });
        }
        self.symbols.insert(
            address.clone(),
            crate::build::Symbol {
                span,
                arm_type: None,
            },
        );
        self.insert(Resource {
            address: address.clone(),
            name: address.name.clone(),
            span,
            origin: Origin::Derived {
                from: cluster.address.clone(),
                reason,
            },
            resource_group: None,
            location: None,
            tags: BTreeMap::new(),
            protect: false,
            raw: None,
            dependencies,
            spec: Spec::RoleAssignment(RoleAssignment {
                name: None,
                role,
                scope: Scope::Target(scope),
                principal,
                description: Some(reason.to_string()),
            }),
        });
    }
}

pub(super) fn target_suffix(target: &Target) -> String {
    match target {
        Target::Node(a) => a.child.clone().unwrap_or_else(|| a.name.clone()),
        Target::ArmId(id) => id.rsplit('/').next().unwrap_or("external").to_string(),
    }
}

/// A role assignment a cluster's settings imply (AcrPull for an attached registry, DNS Zone
/// Contributor for app routing).
pub(super) struct Derived {
    name: String,
    role: &'static str,
    scope: Target,
    principal: Principal,
    /// Where in the spec the setting that implies it was written.
    span: crate::source::Span,
    reason: &'static str,
}
