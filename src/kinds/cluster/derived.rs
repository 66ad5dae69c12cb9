//! Role assignments a cluster's settings imply: AcrPull for the kubelet identity on each
//! attached registry, DNS Zone Contributor for app routing on its zones, Network Contributor
//! for the cluster identity on its own outbound IPs and prefixes.

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
    ) -> Vec<Address> {
        let before_cluster = self.outbound_grants(cluster_address, resource, cluster);
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
                // App routing writes records with DNS Zone Contributor on a public zone and
                // Private DNS Zone Contributor on a private one (learn.microsoft.com/azure/aks/
                // app-routing-dns-ssl: "az role assignment create ... --role 'Private DNS Zone
                // Contributor'" for private zones).
                let (role, reason) = if self.zone_is_private(zone) {
                    (
                        roles::PRIVATE_DNS_ZONE_CONTRIBUTOR,
                        "app routing: Private DNS Zone Contributor on its private zone",
                    )
                } else {
                    (
                        roles::DNS_ZONE_CONTRIBUTOR,
                        "app routing: DNS Zone Contributor on its zone",
                    )
                };
                self.derive(
                    resource,
                    Derived {
                        name: format!("{}-approuting-dns-{suffix}", cluster_address.name),
                        role,
                        scope: zone.clone(),
                        principal: principal.clone(),
                        span: resource.span,
                        reason,
                    },
                );
            }
        }
        before_cluster
    }

    /// Learn "Use a public standard load balancer in AKS", Requirements for using your own
    /// outbound public IPs or prefixes: "You must ensure the AKS cluster identity has
    /// permissions to access the outbound IP, as per the required public IP permissions list"
    /// (Learn "Use a service principal with AKS", networking: Network Contributor covers it).
    /// A user-assigned identity gets it before the cluster is created (the cluster waits for
    /// it, as AKS checks on create); a system-assigned one exists only with the cluster, so
    /// its grant follows. A service principal's is the user's to give. Returns the grants the
    /// cluster waits for.
    fn outbound_grants(
        &mut self,
        cluster_address: &Address,
        resource: &Resource,
        cluster: &Cluster,
    ) -> Vec<Address> {
        let identity = match &cluster.identity {
            crate::model::ControlPlaneIdentity::UserAssigned(id) => Some(id.clone()),
            crate::model::ControlPlaneIdentity::SystemAssigned => None,
            crate::model::ControlPlaneIdentity::ServicePrincipal { .. } => return Vec::new(),
        };
        let principal = Principal::Cluster {
            cluster: cluster_address.clone(),
            identity: ClusterIdentity::ControlPlane,
        };
        // An address and a prefix may share a name: the prefix's grant says `prefix`. A
        // target listed twice is granted once.
        let mut own: Vec<(&Target, &str)> = cluster
            .network
            .outbound_ips
            .iter()
            .map(|t| (t, ""))
            .chain(
                cluster
                    .network
                    .outbound_ip_prefixes
                    .iter()
                    .map(|t| (t, "prefix-")),
            )
            .collect();
        own.sort();
        own.dedup();
        let mut before = Vec::new();
        for (target, what) in own {
            let suffix = target_suffix(target);
            let name = format!("{}-network-{what}{suffix}", cluster_address.name);
            let address = self.derive(
                resource,
                Derived {
                    name,
                    role: roles::NETWORK_CONTRIBUTOR,
                    scope: target.clone(),
                    principal: principal.clone(),
                    span: resource.span,
                    reason: "own outbound IP: Network Contributor for the cluster identity",
                },
            );
            if let Some(identity) = &identity
                && let Some(address) = address
                && let Some(grant) = self.resources.get_mut(&address)
            {
                // Before the cluster: on the identity (its principal ID), not on the cluster.
                grant.dependencies.retain(|d| &d.on != cluster_address);
                grant.dependencies.push(Dependency {
                    on: identity.clone(),
                    span: resource.span,
                    explicit: false,
                });
                before.push(address);
            }
        }
        before
    }

    /// A cluster with a user-assigned control-plane identity needs that identity's roles on
    /// what it joins before it is created: Private DNS Zone Contributor on a custom private DNS
    /// zone and Network Contributor on its subnet (learn.microsoft.com/azure/aks/
    /// private-clusters, "Create a private AKS cluster with a custom private DNS zone";
    /// learn.microsoft.com/azure/aks/configure-azure-cni, "Network Contributor"). The spec's role
    /// assignments to that identity, scoped to a zone, subnet or VNet the cluster refers to, are
    /// therefore dependencies of the cluster.
    pub(crate) fn clusters_wait_for_their_grants(&mut self) {
        let joined_kinds = [
            Kind::DnsZone,
            Kind::Subnet,
            Kind::VirtualNetwork,
            Kind::Existing,
        ];
        let mut waits: Vec<(Address, Address, crate::source::Span)> = Vec::new();
        for cluster in self.resources.values() {
            let Spec::Cluster(c) = &cluster.spec else {
                continue;
            };
            let crate::model::ControlPlaneIdentity::UserAssigned(identity) = &c.identity else {
                continue;
            };
            let joined: Vec<&Address> = cluster
                .dependencies
                .iter()
                .map(|d| &d.on)
                .filter(|a| joined_kinds.contains(&a.kind))
                .collect();
            for grant in self.resources.values() {
                let Spec::RoleAssignment(ra) = &grant.spec else {
                    continue;
                };
                let to_identity = matches!(&ra.principal, Principal::Identity(p) if p == identity);
                let on_joined = match &ra.scope {
                    Scope::Target(Target::Node(scope)) => joined
                        .iter()
                        .any(|j| *j == scope || scope.parent().is_some_and(|parent| *j == &parent)),
                    _ => false,
                };
                if to_identity && on_joined && !matches!(grant.origin, Origin::Derived { .. }) {
                    waits.push((cluster.address.clone(), grant.address.clone(), grant.span));
                }
            }
        }
        for (cluster, grant, span) in waits {
            if let Some(resource) = self.resources.get_mut(&cluster) {
                resource.dependencies.push(Dependency {
                    on: grant,
                    span,
                    explicit: false,
                });
            }
        }
    }

    /// Whether a DNS zone reference names a private zone: a zone of the spec with `private:
    /// true` (zones are built before clusters), or an `existing:` entry or ARM ID of type
    /// `Microsoft.Network/privateDnsZones`.
    pub(crate) fn zone_is_private(&self, zone: &Target) -> bool {
        let private_type = crate::kind::private_dns_zone_type().path;
        match zone {
            Target::ArmId(id) => {
                crate::build::arm_type_of(id).is_some_and(|t| t.eq_ignore_ascii_case(private_type))
            }
            Target::Node(address) if address.kind == Kind::Existing => self
                .symbols
                .get(address)
                .and_then(|s| s.arm_type.as_deref())
                .is_some_and(|t| t.eq_ignore_ascii_case(private_type)),
            Target::Node(address) => matches!(
                self.resources.get(address).map(|r| &r.spec),
                Some(Spec::DnsZone(crate::model::DnsZone { private: true }))
            ),
        }
    }

    /// Adds a role assignment the cluster's settings imply, as its own node.
    /// Adds the grant; returns its address (`None` when it clashes with a declared one).
    pub(super) fn derive(&mut self, cluster: &Resource, derived: Derived) -> Option<Address> {
        let Derived {
            name,
            role,
            scope,
            principal,
            span,
            reason,
        } = derived;
        let mut address = Address::new(Kind::RoleAssignment, name);
        if matches!(
            self.resources.get(&address).map(|r| &r.origin),
            Some(Origin::Derived { .. })
        ) {
            // Another derived grant took the name: its target ends in the same name (two
            // `egress` addresses in different groups). A short stable hash of this target keeps
            // them apart (the Azure name is a GUID of scope, role and principal either way).
            let key = match &scope {
                Target::Node(a) => a.to_string(),
                Target::ArmId(id) => id.to_ascii_lowercase(),
            };
            let hash = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes()).simple();
            address = Address::new(
                Kind::RoleAssignment,
                format!("{}-{}", address.name, &hash.to_string()[..8]),
            );
        }
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
            return None;
        }
        let role = roles::resolve(role)?;
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
                unreadable: false,
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
        Some(address)
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
