//! AKS clusters and their node pools: defaults, the cluster's own rules, and the derived role
//! assignments (attached registries, app-routing DNS access).

use crate::model::PrivateDnsZone;
use std::collections::BTreeMap;

use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::kinds::cluster::{RawAutoscalerProfile, RawCluster, RawSkuTier};
use crate::model::{
    Aad, Address, ApiServer, AppRouting, Cluster, ContainerInsights, ControlPlaneIdentity,
    Dependency, Kind, LinuxProfile, Network, Spec, Target,
};
use crate::model::{NginxIngress, NodeOsUpgradeChannel, OutboundType, SkuTier, UpgradeChannel};
use crate::names;
use crate::spec::Entry;

const SNAT_PORTS_PER_IP: u64 = 64_000;

/// Variables that hold the runner's own credentials: azplan's sign-in (src/arm/credential.rs:
/// AZURE_CLIENT_*, AZURE_FEDERATED_*, IDENTITY_*/MSI_* of managed identity) and the CI systems'
/// own tokens (GitHub Actions ACTIONS_*/GITHUB_*/GH_*, GitLab CI_*, Azure Pipelines SYSTEM_* and
/// AZURE_DEVOPS_*, Terraform-style ARM_*), by prefix, and azplan's own settings. A spec edited in
/// a pull request must not be able to send them to Azure as a cluster's secret.
const RUNNER_SECRET_PREFIXES: &[&str] = &[
    "AZURE_CLIENT_",
    "AZURE_FEDERATED_",
    "AZURE_DEVOPS_",
    "IDENTITY_",
    "MSI_",
    "ARM_",
    "ACTIONS_",
    "GITHUB_",
    "GH_",
    "CI_",
    "SYSTEM_",
    "AZPLAN_",
];

fn runner_secret(name: &str) -> bool {
    let name = name.trim().to_ascii_uppercase();
    RUNNER_SECRET_PREFIXES.iter().any(|p| name.starts_with(p))
}

impl Builder<'_> {
    pub(crate) fn declare_clusters(&mut self, entries: &[Entry<RawCluster>]) {
        for e in entries {
            self.declare(Address::new(Kind::Cluster, &e.key.value), e.key.span, None);
            for (pool, spec) in e.spec.node_pools.value.iter() {
                let span = spec.span;
                self.declare(
                    Address::child(Kind::NodePool, &e.key.value, pool),
                    span,
                    None,
                );
            }
            self.declare_dropped_children(e, "nodePools", Kind::NodePool);
            for (name, span) in crate::kinds::maintenance::declared(e) {
                self.declare(
                    Address::child(Kind::MaintenanceConfiguration, &e.key.value, name),
                    span,
                    None,
                );
            }
            for (name, span) in crate::kinds::extension::declared(e) {
                self.declare(
                    Address::child(Kind::ClusterExtension, &e.key.value, name),
                    span,
                    None,
                );
            }
            for (name, span) in crate::kinds::flux_configuration::declared(e) {
                self.declare(
                    Address::child(Kind::FluxConfiguration, &e.key.value, name),
                    span,
                    None,
                );
            }
        }
    }

    pub(crate) fn clusters(&mut self, entries: &[Entry<RawCluster>]) {
        for entry in entries {
            self.cluster(entry);
        }
    }

    pub(super) fn cluster(&mut self, entry: &Entry<RawCluster>) {
        let s = &entry.spec;
        let mut resource = self.common(
            Kind::Cluster,
            entry,
            s.resource_group.as_ref(),
            s.location.as_ref(),
            &s.tags,
            names::cluster,
        );
        let mut deps = std::mem::take(&mut resource.dependencies);
        let address = resource.address.clone();

        // ManagedClusterProperties.dnsPrefix has no default in ARM ("This cannot be updated
        // once the Managed Cluster has been created", AKS 2026-08-01) and azurerm requires
        // `dns_prefix`; azplan takes the cluster's Azure name (README, "Defaults that differ").
        let dns_prefix = s
            .dns_prefix
            .as_ref()
            .map_or_else(|| resource.name.clone(), |p| p.value.clone());
        let dns_span = s.dns_prefix.as_ref().map_or(entry.key.span, |p| p.span);
        self.check_name(&dns_prefix, dns_span, names::dns_prefix);

        let identity = self.control_plane_identity(s, &mut deps);
        let kubelet_identity = self.kubelet_identity(s, &identity, &mut deps);
        let network = self.network(s, &mut deps);
        let api_server = self.api_server(s, &mut deps);
        let aad = self.aad(s);
        let access = self.access(s);
        let pools = self.pools(entry, &network, &mut resource);
        let virtual_nodes = self.virtual_nodes(entry, &network, &pools, &mut deps);
        let addons = self.addons(s, &mut deps);
        let app_gateway_ingress = self.app_gateway_ingress(s, &mut deps);
        self.cluster_warnings(entry, &network, &api_server, aad.as_ref(), &pools);

        resource.dependencies.extend(deps);
        let cluster = Cluster {
            kubernetes_version: self.requested_version(
                s.kubernetes_version.as_ref(),
                (resource.raw.as_mut(), s.raw.as_ref().map(|r| r.span)),
                "properties.kubernetesVersion",
            ),
            dns_prefix,
            sku_tier: self.sku_tier(s),
            identity,
            kubelet_identity,
            node_resource_group: s.node_resource_group.clone(),
            autoscaler_profile: autoscaler_profile(s.autoscaler_profile.as_ref()),
            network,
            api_server,
            aad,
            kubernetes_rbac: access.kubernetes_rbac,
            oidc_issuer: access.oidc_issuer,
            workload_identity: access.workload_identity,
            virtual_nodes,
            container_insights: addons.container_insights,
            app_routing: addons.app_routing,
            http_application_routing: addons.http_application_routing,
            azure_policy: s.azure_policy.unwrap_or(false),
            secrets_provider: self.secrets_provider(s),
            app_gateway_ingress,
            attached_registries: addons.attached.iter().map(|(t, _)| t.clone()).collect(),
            linux: self.linux_profile(s),
            upgrade_channel: s
                .auto_upgrade
                .as_ref()
                .and_then(|u| u.channel)
                .unwrap_or(UpgradeChannel::None),
            node_os_upgrade_channel: s
                .auto_upgrade
                .as_ref()
                .and_then(|u| u.node_os)
                .unwrap_or(NodeOsUpgradeChannel::NodeImage),
            owns_maintenance: s.maintenance.is_some(),
            azure_monitor: self.azure_monitor(s),
            owns_extensions: s.extensions.is_some(),
            owns_flux_configurations: s.flux_configurations.is_some(),
            pools,
        };
        // AKS grants the app-routing identity nothing on the zones it is given; Learn "Set up
        // a custom domain name and SSL certificate with the application routing add-on"
        // (https://learn.microsoft.com/azure/aks/app-routing-dns-ssl) has the user attach
        // them (`az aks approuting zone add --attach-zones`). azplan does it by default, as
        // derived role assignments the plan shows.
        let grant_dns_access = s
            .app_routing
            .as_ref()
            .is_none_or(|a| a.value.grant_dns_zone_access.unwrap_or(true));
        let grants_first = self.derived_role_assignments(
            &address,
            &resource,
            &cluster,
            &addons.attached,
            grant_dns_access,
        );
        resource
            .dependencies
            .extend(grants_first.into_iter().map(|on| Dependency {
                on,
                span: resource.span,
                explicit: false,
            }));
        resource.spec = Spec::Cluster(Box::new(cluster));
        self.maintenance(entry, &resource);
        self.extensions(entry, &resource);
        self.flux_configurations(entry, &resource);
        self.insert(resource);
    }

    /// The pricing tier; AKS's default is `Free` (ManagedClusterSKU.tier: "If not specified, the
    /// default is 'Free'", AKS 2026-08-01). The old name `Paid` is taken as `Standard`.
    fn sku_tier(&mut self, s: &RawCluster) -> SkuTier {
        let Some(tier) = &s.sku_tier else {
            return SkuTier::Free;
        };
        if tier.value == RawSkuTier::Paid {
            self.error(SpecDiagnostic::error_at(
                Code::LegacyValue,
                "`Paid` is the old name of the `Standard` tier",
                tier.span,
                "taken as `Standard`",
                "AKS renamed the tier in api-version 2023-02-01 and no longer accepts `Paid`; write `skuTier: Standard`",
            ));
        }
        tier.value.tier()
    }

    /// The kubelet identity: AKS's own unless the spec names one, which needs a user-assigned
    /// control-plane identity.
    pub(super) fn kubelet_identity(
        &mut self,
        s: &RawCluster,
        control_plane: &ControlPlaneIdentity,
        deps: &mut Vec<Dependency>,
    ) -> Option<Address> {
        let k = s.kubelet_identity.as_ref()?;
        let address = match self.resolve(k, &[Kind::Identity], deps) {
            Some(Target::Node(a)) => Some(a),
            _ => None,
        };
        if *control_plane == ControlPlaneIdentity::SystemAssigned {
            self.error(
                SpecDiagnostic::conflict("a custom kubelet identity needs a user-assigned control-plane identity", k.span, "kubelet identity", "set `identity: identity/NAME` (the control plane needs Managed Identity Operator on the kubelet identity)"),
            );
        }
        address
    }

    /// Kubernetes RBAC, the OIDC issuer and workload identity, with the rules between them.
    pub(super) fn access(&mut self, s: &RawCluster) -> Access {
        let kubernetes_rbac = s.kubernetes_rbac.as_ref().is_none_or(|r| r.value);
        // Learn "AKS-managed Microsoft Entra integration" (https://learn.microsoft.com/azure/aks/
        // enable-authentication-microsoft-entra-id): it needs a cluster with Kubernetes RBAC.
        if let (Some(raw_aad), Some(rbac)) = (&s.aad, &s.kubernetes_rbac)
            && !rbac.value
        {
            self.error(
                SpecDiagnostic::new(Code::AadNeedsRbac, "managed Entra ID needs Kubernetes RBAC")
                    .at(rbac.span, "RBAC disabled")
                    .also(raw_aad.span, "managed Entra ID")
                    .help("remove `kubernetesRbac: false`"),
            );
        }
        let oidc_issuer = s.oidc_issuer.as_ref().is_some_and(|o| o.value);
        let workload_identity = s.workload_identity.as_ref().is_some_and(|w| w.value);
        if let Some(w) = s
            .workload_identity
            .as_ref()
            .filter(|w| w.value && !oidc_issuer)
        {
            let mut d = SpecDiagnostic::error_at(
                Code::WorkloadIdentityNeedsOidc,
                "workload identity needs the OIDC issuer",
                w.span,
                "workload identity",
                "add `oidcIssuer: true` to the cluster",
            );
            if let Some(o) = &s.oidc_issuer {
                d = d.also(o.span, "OIDC issuer disabled here");
            }
            self.error(d);
        }
        Access {
            kubernetes_rbac,
            oidc_issuer,
            workload_identity,
        }
    }

    /// Container Insights, app routing, the retired HTTP application routing and attached
    /// registries.
    pub(super) fn addons(&mut self, s: &RawCluster, deps: &mut Vec<Dependency>) -> Addons {
        let container_insights = s.container_insights.as_ref().and_then(|ci| {
            let workspace = self.resolve_or_id(&ci.value.workspace, &[Kind::Workspace], deps)?;
            Some(ContainerInsights {
                workspace,
                use_aad_auth: ci.value.use_aad_auth.unwrap_or(true),
            })
        });
        if let Some(ar) = &s.app_routing {
            self.no_repeats(&ar.value.dns_zones, "DNS zone");
        }
        self.no_repeats(&s.attached_registries, "registry");
        let app_routing = s.app_routing.as_ref().map(|ar| {
            let mut dns_zones: Vec<Target> = Vec::new();
            for zone in &ar.value.dns_zones {
                if let Some(target) = self.resolve_or_id(zone, &[Kind::DnsZone], deps)
                    && !dns_zones.contains(&target)
                {
                    dns_zones.push(target);
                }
            }
            if ar.value.dns_zones.len() > 5 {
                self.error(SpecDiagnostic::invalid(
                    format!(
                        "app routing takes at most 5 DNS zones, found {}",
                        ar.value.dns_zones.len()
                    ),
                    ar.span,
                    "app routing",
                    "split the zones across clusters, or delegate subdomains",
                ));
            }
            AppRouting {
                dns_zones,
                nginx: ar.value.nginx.unwrap_or(NginxIngress::AnnotationControlled),
            }
        });
        let mut attached: Vec<(Target, crate::source::Span)> = s
            .attached_registries
            .iter()
            // Only the derived AcrPull assignment waits for the registry; the cluster does not.
            .filter_map(|r| {
                self.resolve_or_id(r, &[Kind::Registry], &mut Vec::new())
                    .map(|t| (t, r.span))
            })
            .collect();
        // Repeats are reported above; derive one assignment per target.
        let mut seen = Vec::new();
        attached.retain(|(t, _)| {
            let fresh = !seen.contains(t);
            seen.push(t.clone());
            fresh
        });
        let http_application_routing = s.http_application_routing.as_ref().is_some_and(|h| h.value);
        if let Some(h) = s.http_application_routing.as_ref().filter(|h| h.value) {
            self.error(SpecDiagnostic::error_at(
                Code::HttpApplicationRouting,
                "the HTTP application routing add-on is retired",
                h.span,
                "retired add-on",
                "use `appRouting:` (managed NGINX with Azure DNS zones) instead",
            ));
        }
        Addons {
            container_insights,
            app_routing,
            http_application_routing,
            attached,
        }
    }

    /// The node admin user and SSH key. AKS takes exactly one key and refuses all but RSA:
    /// "The value of parameter linuxProfile.ssh.publicKeys.keyData is invalid" for Ed25519
    /// (RP error quoted in Azure/AKS#1172 and, in 2024, Azure/AKS#4431), while the swagger
    /// asks only for "PEM format with or without headers" (AKS 2026-08-01) and the official
    /// examples send `keydata`: other shapes are a warning, never an error.
    pub(super) fn linux_profile(&mut self, s: &RawCluster) -> Option<LinuxProfile> {
        let linux = s.linux.as_ref()?;
        let key = &linux.ssh_public_key;
        let algorithm = key.value.split_whitespace().next().unwrap_or("");
        let refused = algorithm == "ssh-ed25519"
            || algorithm.starts_with("ecdsa-")
            || algorithm.starts_with("sk-");
        let openssh_rsa = algorithm == "ssh-rsa" && key.value.split_whitespace().count() >= 2;
        // The SSH2 form (RFC 4716), which the portal accepts ("Multiline SSH key must begin
        // with '---- BEGIN SSH2 PUBLIC KEY ----'", quoted in Azure/AKS#3434).
        let ssh2 = key
            .value
            .trim_start()
            .starts_with("---- BEGIN SSH2 PUBLIC KEY ----");
        if refused {
            self.error(SpecDiagnostic::invalid(
                format!("AKS refuses `{algorithm}` keys: only RSA keys are accepted"),
                key.span,
                "not an RSA key",
                "AKS answers \"The value of parameter linuxProfile.ssh.publicKeys.keyData is invalid\" (https://github.com/Azure/AKS/issues/4431); generate one with `ssh-keygen -t rsa -b 4096` and paste its `.pub` line",
            ));
        } else if !openssh_rsa && !ssh2 {
            self.error(
                SpecDiagnostic::new(
                    Code::UnusualSshKey,
                    "this does not look like an RSA public key",
                )
                .at(key.span, "SSH public key")
                .help("AKS expects one RSA key, e.g. the `ssh-rsa AAAA... you@host` line of a `.pub` file; it is fixed at creation"),
            );
        }
        Some(LinuxProfile {
            admin_user: linux.admin_user.clone(),
            ssh_public_key: key.value.clone(),
        })
    }

    pub(super) fn no_repeats(&mut self, list: &[Spanned<String>], what: &str) {
        for (i, item) in list.iter().enumerate() {
            if let Some(first) = list[..i].iter().find(|other| other.value == item.value) {
                self.error(
                    SpecDiagnostic::new(
                        Code::DuplicateName,
                        format!("{what} `{}` is listed twice", item.value),
                    )
                    .at(item.span, "listed again")
                    .also(first.span, "first listed here")
                    .help("remove the repeat"),
                );
            }
        }
    }

    pub(super) fn control_plane_identity(
        &mut self,
        s: &RawCluster,
        deps: &mut Vec<Dependency>,
    ) -> ControlPlaneIdentity {
        if let Some(sp) = &s.service_principal {
            self.error(
                SpecDiagnostic::error_at(Code::ServicePrincipal, "this cluster uses a service principal", sp.span, "service principal", "service principals expire and need secret rotation; prefer a managed identity (`identity: systemAssigned`)"),
            );
            if let Some(identity) = &s.identity {
                // AKS accepts both and runs on the managed identity: the official examples
                // ManagedClustersCreate_Update and _UpdateWindowsGmsa (AKS 2026-07-01/08-01)
                // send a user-assigned identity beside a service principal, and their answers
                // keep both. azplan sends the identity only.
                self.error(
                    SpecDiagnostic::new(
                        Code::ServicePrincipalBesideIdentity,
                        "this cluster has both a service principal and a managed identity; AKS uses the managed identity",
                    )
                    .at(identity.span, "used")
                    .also(sp.span, "not used")
                    .help("remove `servicePrincipal`"),
                );
                return self.managed_identity(s, deps);
            }
            let env = &sp.value.client_secret_env;
            if runner_secret(env) {
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidValue,
                    format!("`{env}` holds the credentials azplan or the CI runner signs in with"),
                    sp.span,
                    "not a cluster secret",
                    "give the cluster's service principal secret its own variable (e.g. AKS_SP_SECRET); a spec never sends the runner's own credentials to Azure",
                ));
            }
            return ControlPlaneIdentity::ServicePrincipal {
                client_id: sp.value.client_id.clone(),
                secret_env: env.clone(),
            };
        }
        self.managed_identity(s, deps)
    }

    fn managed_identity(
        &mut self,
        s: &RawCluster,
        deps: &mut Vec<Dependency>,
    ) -> ControlPlaneIdentity {
        match &s.identity {
            None => ControlPlaneIdentity::SystemAssigned,
            Some(i) if i.value == "systemAssigned" || i.value == "SystemAssigned" => {
                ControlPlaneIdentity::SystemAssigned
            }
            Some(i) => match self.resolve(i, &[Kind::Identity], deps) {
                Some(Target::Node(a)) => ControlPlaneIdentity::UserAssigned(a),
                _ => ControlPlaneIdentity::SystemAssigned,
            },
        }
    }

    pub(super) fn api_server(&mut self, s: &RawCluster, deps: &mut Vec<Dependency>) -> ApiServer {
        let Some(raw) = &s.api_server else {
            return ApiServer {
                private: false,
                authorized_ip_ranges: Vec::new(),
                private_dns_zone: None,
            };
        };
        let a = &raw.value;
        let ranges: Vec<_> = a
            .authorized_ip_ranges
            .iter()
            .filter_map(|r| {
                // A bare IP is accepted as a /32, as the Azure CLI does.
                if !r.value.contains('/') {
                    let with_prefix = Spanned::new(r.span, format!("{}/32", r.value));
                    return self.cidr(&with_prefix);
                }
                self.cidr(r)
            })
            .collect();
        if a.private && !a.authorized_ip_ranges.is_empty() {
            self.error(SpecDiagnostic::conflict(
                "authorized IP ranges apply to a public API server only",
                a.authorized_ip_ranges[0].span,
                "authorized ranges",
                "remove `authorizedIpRanges`, or make the API server public",
            ));
        }
        ApiServer {
            private: a.private,
            authorized_ip_ranges: ranges,
            private_dns_zone: a
                .private_dns_zone
                .as_ref()
                .and_then(|z| self.private_dns_zone(z, deps)),
        }
    }

    /// `system` and `none` are AKS's own modes (ApiServerAccessProfile.privateDNSZone, AKS
    /// 2026-08-01: "'system', 'none' or the resource ID of a private DNS zone"); anything else
    /// names a private DNS zone, which the cluster then waits for.
    fn private_dns_zone(
        &mut self,
        zone: &Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<PrivateDnsZone> {
        let value = zone.value.trim();
        if value.eq_ignore_ascii_case("system") || value.eq_ignore_ascii_case("none") {
            return Some(PrivateDnsZone::Mode(value.to_ascii_lowercase()));
        }
        let target = self.resolve_or_id(zone, &[Kind::DnsZone], deps)?;
        if !self.zone_is_private(&target) {
            self.error(SpecDiagnostic::error_at(
                Code::WrongReferenceKind,
                format!("`{value}` is not a private DNS zone"),
                zone.span,
                "a public zone",
                "a private cluster's API server needs a private DNS zone (`private: true`), or `system`",
            ));
            return None;
        }
        Some(PrivateDnsZone::Zone(target))
    }

    pub(super) fn aad(&mut self, s: &RawCluster) -> Option<Aad> {
        let Some(raw) = &s.aad else {
            return None;
        };
        let a = &raw.value;
        for group in &a.admin_groups {
            if !names::is_guid(&group.value) {
                self.error(SpecDiagnostic::invalid(
                    format!("`{}` is not a group object ID", group.value),
                    group.span,
                    "expected a GUID",
                    "find it with `az ad group show --group NAME --query id`",
                ));
            }
        }
        Some(Aad {
            admin_groups: a
                .admin_groups
                .iter()
                .map(|g| g.value.to_ascii_lowercase())
                .collect(),
            // On unless written (README, "Defaults that differ from AKS's"): ARM's
            // ManagedClusterAADProfile.enableAzureRBAC documents no default and is off when
            // absent (AKS 2026-08-01; tests/oracle/DEFAULTS.md), but azplan's Kubernetes-scoped
            // role assignments (Learn "Use Azure RBAC for Kubernetes authorization",
            // https://learn.microsoft.com/azure/aks/manage-azure-rbac) need it.
            azure_rbac: a.azure_rbac.unwrap_or(true),
            disable_local_accounts: a.disable_local_accounts.as_ref().is_some_and(|d| d.value),
            tenant_id: a.tenant_id.clone(),
        })
    }

    pub(super) fn cluster_warnings(
        &mut self,
        entry: &Entry<RawCluster>,
        network: &Network,
        api_server: &ApiServer,
        aad: Option<&Aad>,
        pools: &[Address],
    ) {
        let s = &entry.spec;
        if !api_server.private && api_server.authorized_ip_ranges.is_empty() {
            let span = s.api_server.as_ref().map_or(entry.key.span, |a| a.span);
            self.error(
                SpecDiagnostic::error_at(Code::PublicApiServer, "the API server is public and open to every address", span, "public API server", "set `apiServer.authorizedIpRanges` to your egress ranges, or `apiServer.private: true`"),
            );
        }
        if let (Some(aad), Some(raw)) = (aad, &s.aad)
            && !aad.disable_local_accounts
        {
            self.error(
                    SpecDiagnostic::error_at(Code::LocalAccounts, "local accounts stay enabled beside managed Entra ID", raw.span, "managed Entra ID", "anyone with `az aks get-credentials --admin` bypasses Entra ID; set `aad.disableLocalAccounts: true`"),
                );
        }
        if network.outbound_type == OutboundType::LoadBalancer {
            let max_nodes: u64 = pools
                .iter()
                .filter_map(|a| match self.resources.get(a).map(|r| &r.spec) {
                    Some(Spec::NodePool(p)) => Some(u64::from(p.max_nodes())),
                    _ => None,
                })
                .sum();
            let Some(ips) = self.outbound_addresses(network) else {
                return;
            };
            let ports = match network.allocated_outbound_ports {
                Some(p) if p > 0 => u64::from(p),
                _ => super::network::default_ports_per_node(max_nodes),
            };
            let needed = (max_nodes * ports).div_ceil(SNAT_PORTS_PER_IP);
            if needed > ips {
                let span = s
                    .network
                    .as_ref()
                    .and_then(|n| n.value.load_balancer.as_ref())
                    .map_or(entry.key.span, |l| l.span);
                self.error(
                    SpecDiagnostic::error_at(Code::SnatExhaustion, format!("{max_nodes} nodes × {ports} outbound ports need {needed} outbound IPs, but the load balancer has {ips}"), span, "SNAT ports", if network.outbound_ips.is_empty() && network.outbound_ip_prefixes.is_empty() { format!("set `managedOutboundIps: {needed}` (each IP gives 64,000 SNAT ports), or lower `allocatedOutboundPorts`") } else { format!("give the load balancer {needed} outbound addresses (each gives 64,000 SNAT ports; a prefix of length /N holds 2^(32-N)), or lower `allocatedOutboundPorts`") }),
                );
            }
        }
    }
}

impl Builder<'_> {
    /// How many outbound addresses the load balancer has: the managed count, or the user's own
    /// addresses (one each) and prefixes (2^(32-N) addresses for a /N, Learn "Public IP address
    /// prefix", Prefix sizes: "/28 (IPv4) … = 16 addresses"). `None` when a prefix outside the
    /// stack has a size the spec does not say, so the SNAT check is not guessed.
    fn outbound_addresses(&self, network: &crate::model::Network) -> Option<u64> {
        if network.outbound_ips.is_empty() && network.outbound_ip_prefixes.is_empty() {
            return Some(u64::from(network.managed_outbound_ips.unwrap_or(1)));
        }
        let mut total = network.outbound_ips.len() as u64;
        for prefix in &network.outbound_ip_prefixes {
            let crate::model::Target::Node(address) = prefix else {
                return None;
            };
            match self.resources.get(address).map(|r| &r.spec) {
                Some(Spec::PublicIpPrefix(p)) => {
                    total += crate::kinds::public_ip::prefix_size(p.prefix_length);
                }
                _ => return None,
            }
        }
        Some(total)
    }
}

/// AKS autoscaler keys are kebab-case; their values are strings except three booleans (the
/// official models type `daemonset-eviction-*` and `ignore-daemonsets-utilization` as bool).
pub(super) fn autoscaler_profile(
    raw: Option<&RawAutoscalerProfile>,
) -> BTreeMap<&'static str, serde_json::Value> {
    let mut map = BTreeMap::new();
    let Some(p) = raw else { return map };
    let mut text = |key: &'static str, value: Option<String>| {
        if let Some(v) = value {
            map.insert(key, serde_json::Value::String(v));
        }
    };
    let b = |v: Option<bool>| v.map(|b| b.to_string());
    let n = |v: Option<u32>| v.map(|n| n.to_string());
    text(
        "balance-similar-node-groups",
        b(p.balance_similar_node_groups),
    );
    text("expander", p.expander.clone());
    text("max-empty-bulk-delete", n(p.max_empty_bulk_delete));
    text(
        "max-graceful-termination-sec",
        n(p.max_graceful_termination_sec),
    );
    text("max-node-provision-time", p.max_node_provision_time.clone());
    text(
        "max-total-unready-percentage",
        n(p.max_total_unready_percentage),
    );
    text("new-pod-scale-up-delay", p.new_pod_scale_up_delay.clone());
    text("ok-total-unready-count", n(p.ok_total_unready_count));
    text("scan-interval", p.scan_interval.clone());
    text(
        "scale-down-delay-after-add",
        p.scale_down_delay_after_add.clone(),
    );
    text(
        "scale-down-delay-after-delete",
        p.scale_down_delay_after_delete.clone(),
    );
    text(
        "scale-down-delay-after-failure",
        p.scale_down_delay_after_failure.clone(),
    );
    text(
        "scale-down-unneeded-time",
        p.scale_down_unneeded_time.clone(),
    );
    text("scale-down-unready-time", p.scale_down_unready_time.clone());
    text(
        "scale-down-utilization-threshold",
        p.scale_down_utilization_threshold.clone(),
    );
    text(
        "skip-nodes-with-local-storage",
        b(p.skip_nodes_with_local_storage),
    );
    text(
        "skip-nodes-with-system-pods",
        b(p.skip_nodes_with_system_pods),
    );
    let flags = [
        (
            "daemonset-eviction-for-empty-nodes",
            p.daemonset_eviction_for_empty_nodes,
        ),
        (
            "daemonset-eviction-for-occupied-nodes",
            p.daemonset_eviction_for_occupied_nodes,
        ),
        (
            "ignore-daemonsets-utilization",
            p.ignore_daemonsets_utilization,
        ),
    ];
    for (key, value) in flags {
        if let Some(v) = value {
            map.insert(key, serde_json::Value::Bool(v));
        }
    }
    map
}

/// Kubernetes RBAC, the OIDC issuer and workload identity, as the cluster will have them.
pub(super) struct Access {
    kubernetes_rbac: bool,
    oidc_issuer: bool,
    workload_identity: bool,
}

/// The add-ons a cluster runs, resolved.
pub(super) struct Addons {
    container_insights: Option<ContainerInsights>,
    app_routing: Option<AppRouting>,
    http_application_routing: bool,
    /// Registries the kubelet pulls from, with where each was written.
    attached: Vec<(Target, crate::source::Span)>,
}
