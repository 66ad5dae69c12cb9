//! AKS clusters and their node pools: defaults, the cluster's own rules, and the derived role
//! assignments (attached registries, app-routing DNS access).

use std::collections::BTreeMap;

use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::kinds::cluster::{RawAutoscalerProfile, RawCluster};
use crate::kinds::node_pool::RawNodePool;
use crate::model::{
    Aad, Address, ApiServer, AppRouting, Cluster, ClusterIdentity, ContainerInsights,
    ControlPlaneIdentity, Dependency, Kind, LinuxProfile, Network, NodePool, Origin, Principal,
    Resource, RoleAssignment, Scope, Spec, Target,
};
use crate::model::{
    LoadBalancerSku, NetworkPlugin, NetworkPluginMode, NginxIngress, NodeOsUpgradeChannel,
    OutboundType, PoolMode, SkuTier, UpgradeChannel,
};
use crate::names;
use crate::roles;
use crate::spec::Entry;

pub const ACI_DELEGATION: &str = "Microsoft.ContainerInstance/containerGroups";
const SNAT_PORTS_PER_IP: u64 = 64_000;
const VIRTUAL_NODES_LIMITS: &str =
    "on virtual nodes, init containers, Azure Disk volumes and DaemonSets do not work";

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
        }
    }

    pub(crate) fn clusters(&mut self, entries: &[Entry<RawCluster>]) {
        for entry in entries {
            self.cluster(entry);
        }
    }

    fn cluster(&mut self, entry: &Entry<RawCluster>) {
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

        let dns_prefix = s
            .dns_prefix
            .as_ref()
            .map_or_else(|| resource.name.clone(), |p| p.value.clone());
        let dns_span = s.dns_prefix.as_ref().map_or(entry.key.span, |p| p.span);
        self.check_name(&dns_prefix, dns_span, names::dns_prefix);

        let identity = self.control_plane_identity(s, &mut deps);
        let kubelet_identity = self.kubelet_identity(s, &identity, &mut deps);
        let network = self.network(s, &mut deps);
        let api_server = self.api_server(s);
        let aad = self.aad(s);
        let access = self.access(s);
        let pools = self.pools(entry, &network, &mut resource);
        let virtual_nodes = self.virtual_nodes(entry, &network, &pools, &mut deps);
        let addons = self.addons(s, &mut deps);
        self.cluster_warnings(entry, &network, &api_server, aad.as_ref(), &pools);

        resource.dependencies.extend(deps);
        let cluster = Cluster {
            kubernetes_version: s.kubernetes_version.as_ref().map(|v| v.value.clone()),
            dns_prefix,
            sku_tier: s.sku_tier.unwrap_or(SkuTier::Free),
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
            pools,
        };
        let grant_dns_access = s
            .app_routing
            .as_ref()
            .is_none_or(|a| a.value.grant_dns_zone_access.unwrap_or(true));
        self.derived_role_assignments(
            &address,
            &resource,
            &cluster,
            &addons.attached,
            grant_dns_access,
        );
        resource.spec = Spec::Cluster(Box::new(cluster));
        self.insert(resource);
    }

    /// The kubelet identity: AKS's own unless the spec names one, which needs a user-assigned
    /// control-plane identity.
    fn kubelet_identity(
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
                SpecDiagnostic::new(Code::ConflictingSettings, "a custom kubelet identity needs a user-assigned control-plane identity")
                    .at(k.span, "kubelet identity")
                    .help("set `identity: identity/NAME` (the control plane needs Managed Identity Operator on the kubelet identity)"),
            );
        }
        address
    }

    /// Kubernetes RBAC, the OIDC issuer and workload identity, with the rules between them.
    fn access(&mut self, s: &RawCluster) -> Access {
        let kubernetes_rbac = s.kubernetes_rbac.as_ref().is_none_or(|r| r.value);
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
            let mut d = SpecDiagnostic::new(
                Code::WorkloadIdentityNeedsOidc,
                "workload identity needs the OIDC issuer",
            )
            .at(w.span, "workload identity")
            .help("add `oidcIssuer: true` to the cluster");
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
    fn addons(&mut self, s: &RawCluster, deps: &mut Vec<Dependency>) -> Addons {
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
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidValue,
                        format!(
                            "app routing takes at most 5 DNS zones, found {}",
                            ar.value.dns_zones.len()
                        ),
                    )
                    .at(ar.span, "app routing")
                    .help("split the zones across clusters, or delegate subdomains"),
                );
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
            self.error(
                SpecDiagnostic::new(
                    Code::HttpApplicationRouting,
                    "the HTTP application routing add-on is retired",
                )
                .at(h.span, "retired add-on")
                .help("use `appRouting:` (managed NGINX with Azure DNS zones) instead"),
            );
        }
        Addons {
            container_insights,
            app_routing,
            http_application_routing,
            attached,
        }
    }

    /// The node admin user and SSH key, the key checked for OpenSSH's public-key shape.
    fn linux_profile(&mut self, s: &RawCluster) -> Option<LinuxProfile> {
        let linux = s.linux.as_ref()?;
        let key = &linux.ssh_public_key;
        let valid = key.value.split_whitespace().count() >= 2
            && [
                "ssh-rsa",
                "ssh-ed25519",
                "ecdsa-sha2-nistp256",
                "ecdsa-sha2-nistp384",
                "ecdsa-sha2-nistp521",
            ]
            .contains(&key.value.split_whitespace().next().unwrap_or(""));
        if !valid {
            self.error(
                SpecDiagnostic::new(Code::InvalidValue, "this is not an OpenSSH public key")
                    .at(key.span, "SSH public key")
                    .help("paste the `.pub` file's line, e.g. `ssh-ed25519 AAAA... you@host`"),
            );
        }
        Some(LinuxProfile {
            admin_user: linux.admin_user.clone(),
            ssh_public_key: key.value.clone(),
        })
    }

    fn no_repeats(&mut self, list: &[Spanned<String>], what: &str) {
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

    fn control_plane_identity(
        &mut self,
        s: &RawCluster,
        deps: &mut Vec<Dependency>,
    ) -> ControlPlaneIdentity {
        if let Some(sp) = &s.service_principal {
            self.error(
                SpecDiagnostic::new(Code::ServicePrincipal, "this cluster uses a service principal")
                    .at(sp.span, "service principal")
                    .help("service principals expire and need secret rotation; prefer a managed identity (`identity: systemAssigned`)"),
            );
            if let Some(identity) = &s.identity {
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        "a cluster has either a service principal or a managed identity",
                    )
                    .at(identity.span, "managed identity")
                    .also(sp.span, "service principal")
                    .help("remove one of them"),
                );
            }
            return ControlPlaneIdentity::ServicePrincipal {
                client_id: sp.value.client_id.clone(),
                secret_env: sp.value.client_secret_env.clone(),
            };
        }
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

    fn network(&mut self, s: &RawCluster, deps: &mut Vec<Dependency>) -> Network {
        let Some(raw) = &s.network else {
            return Network {
                plugin: NetworkPlugin::Azure,
                plugin_mode: None,
                policy: None,
                dataplane: None,
                subnet: None,
                pod_cidr: None,
                service_cidr: None,
                dns_service_ip: None,
                outbound_type: OutboundType::LoadBalancer,
                load_balancer_sku: LoadBalancerSku::Standard,
                managed_outbound_ips: None,
                allocated_outbound_ports: None,
                idle_timeout_minutes: None,
            };
        };
        let n = &raw.value;
        let plugin = n.plugin.as_ref().map_or(NetworkPlugin::Azure, |p| p.value);
        if let Some(p) = n
            .plugin
            .as_ref()
            .filter(|p| p.value == NetworkPlugin::Kubenet)
        {
            self.error(
                SpecDiagnostic::new(
                    Code::Kubenet,
                    "kubenet is legacy networking (retiring March 2028)",
                )
                .at(p.span, "kubenet")
                .help(
                    "use `plugin: azure` with `pluginMode: overlay` for the same address economy",
                ),
            );
        }
        let subnet = n
            .subnet
            .as_ref()
            .and_then(|t| self.resolve_or_id(t, &[Kind::Subnet], deps));
        let pod_cidr = n.pod_cidr.as_ref().and_then(|c| self.cidr(c));
        if let Some(p) = &n.pod_cidr {
            let overlay = n.plugin_mode == Some(NetworkPluginMode::Overlay);
            if plugin == NetworkPlugin::Azure && !overlay {
                self.error(
                    SpecDiagnostic::new(Code::ConflictingSettings, "a pod CIDR is only used by kubenet and Azure CNI Overlay")
                        .at(p.span, "pod CIDR")
                        .help("add `pluginMode: overlay`, or remove `podCidr` (pods take subnet IPs with plain Azure CNI)"),
                );
            }
        }
        let service_cidr = n.service_cidr.as_ref().and_then(|c| self.cidr(c));
        let dns_service_ip =
            n.dns_service_ip
                .as_ref()
                .and_then(|ip| match ip.value.parse::<std::net::Ipv4Addr>() {
                    Ok(a) => Some(a),
                    Err(_) => {
                        self.error(
                            SpecDiagnostic::new(
                                Code::InvalidValue,
                                format!("`{}` is not an IPv4 address", ip.value),
                            )
                            .at(ip.span, "invalid address")
                            .help("e.g. `dnsServiceIp: 10.0.0.10`"),
                        );
                        None
                    }
                });
        match (&n.service_cidr, &n.dns_service_ip) {
            (Some(c), None) => self.error(
                SpecDiagnostic::new(
                    Code::ConflictingSettings,
                    "`serviceCidr` needs `dnsServiceIp`",
                )
                .at(c.span, "service CIDR")
                .help("set both, e.g. `serviceCidr: 10.0.0.0/16` and `dnsServiceIp: 10.0.0.10`"),
            ),
            (None, Some(ip)) => self.error(
                SpecDiagnostic::new(
                    Code::ConflictingSettings,
                    "`dnsServiceIp` needs `serviceCidr`",
                )
                .at(ip.span, "DNS service IP")
                .help("set both, e.g. `serviceCidr: 10.0.0.0/16` and `dnsServiceIp: 10.0.0.10`"),
            ),
            _ => {}
        }
        if let (Some(cidr), Some(ip), Some(ip_text)) =
            (service_cidr, dns_service_ip, &n.dns_service_ip)
            && !cidr.contains_ip(ip)
        {
            self.error(
                SpecDiagnostic::new(
                    Code::DnsServiceIpOutsideServiceCidr,
                    format!("DNS service IP {ip} is outside the service CIDR {cidr}"),
                )
                .at(ip_text.span, "outside the service CIDR")
                .help("pick an address inside `serviceCidr` (by convention its .10)"),
            );
        }
        if let (Some(cidr), Some(text), Some(Target::Node(subnet))) =
            (service_cidr, &n.service_cidr, &subnet)
            && let Some(space) = self
                .vnet_space(subnet)
                .into_iter()
                .find(|c| c.overlaps(cidr))
        {
            self.error(
                    SpecDiagnostic::new(Code::ServiceCidrOverlap, format!("service CIDR {cidr} overlaps the VNet address space {space}"))
                        .at(text.span, "overlaps the VNet")
                        .help("Kubernetes service addresses must not be routable in the VNet; pick a range outside it"),
                );
        }
        let lb = n.load_balancer.as_ref();
        if let Some(ips) = lb
            .and_then(|l| l.value.managed_outbound_ips.as_ref())
            .filter(|i| !(1..=100).contains(&i.value))
        {
            self.error(
                SpecDiagnostic::new(
                    Code::InvalidValue,
                    format!("{} managed outbound IPs is out of range", ips.value),
                )
                .at(ips.span, "out of range")
                .help("a load balancer takes 1 to 100 managed outbound IPs"),
            );
        }
        if let Some(ports) = lb
            .and_then(|l| l.value.allocated_outbound_ports.as_ref())
            .filter(|p| p.value > 64_000 || p.value % 8 != 0)
        {
            self.error(
                SpecDiagnostic::new(
                    Code::InvalidValue,
                    format!("{} allocated outbound ports is not valid", ports.value),
                )
                .at(ports.span, "invalid port count")
                .help("use a multiple of 8 between 0 (dynamic) and 64000"),
            );
        }
        Network {
            plugin,
            plugin_mode: n.plugin_mode,
            policy: n.policy,
            dataplane: n.dataplane,
            subnet,
            pod_cidr,
            service_cidr,
            dns_service_ip,
            outbound_type: n.outbound_type.unwrap_or(OutboundType::LoadBalancer),
            load_balancer_sku: lb
                .and_then(|l| l.value.sku)
                .unwrap_or(LoadBalancerSku::Standard),
            managed_outbound_ips: lb
                .and_then(|l| l.value.managed_outbound_ips.as_ref())
                .map(|i| i.value),
            allocated_outbound_ports: lb
                .and_then(|l| l.value.allocated_outbound_ports.as_ref())
                .map(|p| p.value),
            idle_timeout_minutes: lb.and_then(|l| l.value.idle_timeout_minutes),
        }
    }

    /// The address space of the VNet a managed subnet belongs to.
    fn vnet_space(&self, subnet: &Address) -> Vec<crate::net::Cidr> {
        let Some(vnet) = subnet.parent() else {
            return Vec::new();
        };
        match self.resources.get(&vnet).map(|r| &r.spec) {
            Some(Spec::VirtualNetwork(v)) => v.address_space.clone(),
            _ => Vec::new(),
        }
    }

    fn api_server(&mut self, s: &RawCluster) -> ApiServer {
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
            self.error(
                SpecDiagnostic::new(
                    Code::ConflictingSettings,
                    "authorized IP ranges apply to a public API server only",
                )
                .at(a.authorized_ip_ranges[0].span, "authorized ranges")
                .help("remove `authorizedIpRanges`, or make the API server public"),
            );
        }
        ApiServer {
            private: a.private,
            authorized_ip_ranges: ranges,
            private_dns_zone: a.private_dns_zone.as_ref().map(|z| z.value.clone()),
        }
    }

    fn aad(&mut self, s: &RawCluster) -> Option<Aad> {
        let Some(raw) = &s.aad else {
            return None;
        };
        let a = &raw.value;
        for group in &a.admin_groups {
            if !names::is_guid(&group.value) {
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidValue,
                        format!("`{}` is not a group object ID", group.value),
                    )
                    .at(group.span, "expected a GUID")
                    .help("find it with `az ad group show --group NAME --query id`"),
                );
            }
        }
        Some(Aad {
            admin_groups: a
                .admin_groups
                .iter()
                .map(|g| g.value.to_ascii_lowercase())
                .collect(),
            azure_rbac: a.azure_rbac.unwrap_or(true),
            disable_local_accounts: a.disable_local_accounts.as_ref().is_some_and(|d| d.value),
            tenant_id: a.tenant_id.clone(),
        })
    }

    fn pools(
        &mut self,
        entry: &Entry<RawCluster>,
        network: &Network,
        cluster: &mut Resource,
    ) -> Vec<Address> {
        let s = &entry.spec;
        let mut addresses = Vec::new();
        let mut system = 0;
        for (name, pool) in s.node_pools.value.iter() {
            let address = Address::child(Kind::NodePool, &entry.key.value, name);
            self.check_name(name, pool.span, names::node_pool);
            let p = &pool.value;
            let mode = p.mode.unwrap_or(PoolMode::User);
            if mode == PoolMode::System {
                system += 1;
            }
            let mut deps = vec![crate::model::Dependency {
                on: cluster.address.clone(),
                span: pool.span,
                explicit: false,
            }];
            self.depends_on(&p.depends_on, &mut deps);
            let subnet = p
                .subnet
                .as_ref()
                .and_then(|t| self.resolve_or_id(t, &[Kind::Subnet], &mut deps));
            let autoscale = self.autoscale(p, mode);
            let raw = self.raw_override(p.raw.as_ref());
            let pool_model = NodePool {
                mode,
                vm_size: p.vm_size.value.clone(),
                count: p.count.as_ref().map(|c| c.value),
                autoscale,
                zones: p
                    .zones
                    .clone()
                    .or_else(|| s.zones.clone())
                    .unwrap_or_default(),
                max_pods: p.max_pods,
                os_disk_size_gb: p.os_disk.as_ref().and_then(|d| d.size_gb),
                os_disk_type: p.os_disk.as_ref().and_then(|d| d.disk_type),
                os_sku: p.os_sku,
                labels: p.labels.clone(),
                taints: p.taints.iter().map(|t| t.value.clone()).collect(),
                subnet: subnet.or_else(|| network.subnet.clone()),
            };
            for taint in &p.taints {
                if !valid_taint(&taint.value) {
                    self.error(
                        SpecDiagnostic::new(Code::InvalidValue, format!("`{}` is not a taint", taint.value))
                            .at(taint.span, "invalid taint")
                            .help("write `key=value:Effect` with Effect NoSchedule, PreferNoSchedule or NoExecute"),
                    );
                }
            }
            let mut tags = cluster.tags.clone();
            tags.extend(p.tags.clone());
            self.insert(Resource {
                address: address.clone(),
                name: name.clone(),
                span: pool.span,
                origin: Origin::Declared,
                resource_group: cluster.resource_group.clone(),
                location: None,
                tags,
                protect: cluster.protect,
                raw,
                dependencies: deps,
                spec: Spec::NodePool(pool_model),
            });
            addresses.push(address);
        }
        if system == 0 {
            self.error(
                SpecDiagnostic::new(Code::NoSystemPool, format!("cluster `{}` has no System node pool", entry.key.value))
                    .at(entry.key.span, "no System pool")
                    .help("AKS needs at least one pool with `mode: System` (Linux, at least 2 vCPUs and 4 GB) to run critical add-ons"),
            );
        }
        // The first System pool is created inline with the cluster; order it first.
        addresses.sort_by_key(|a| match self.resources.get(a).map(|r| &r.spec) {
            Some(Spec::NodePool(p)) if p.mode == PoolMode::System => 0,
            _ => 1,
        });
        addresses
    }

    fn autoscale(&mut self, p: &RawNodePool, mode: PoolMode) -> Option<(u32, u32)> {
        let floor = u32::from(mode == PoolMode::System);
        if let Some(count) = p
            .count
            .as_ref()
            .filter(|c| c.value < floor || c.value > 1000)
        {
            self.error(
                SpecDiagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "a {} pool of {} nodes is out of range",
                        mode_name(mode),
                        count.value
                    ),
                )
                .at(count.span, "out of range")
                .help("System pools have 1-1000 nodes, User pools 0-1000"),
            );
        }
        let a = p.autoscale.as_ref()?;
        let (min, max) = (a.value.min, a.value.max);
        if min > max {
            self.error(
                SpecDiagnostic::new(
                    Code::AutoscaleRange,
                    format!("autoscale minimum {min} is above the maximum {max}"),
                )
                .at(a.span, "min > max")
                .help("swap the bounds, or raise `max`"),
            );
        } else if min < floor || max > 1000 {
            self.error(
                SpecDiagnostic::new(
                    Code::AutoscaleRange,
                    format!(
                        "autoscale bounds {min}..{max} are out of range for a {} pool",
                        mode_name(mode)
                    ),
                )
                .at(a.span, "out of range")
                .help("System pools scale within 1-1000 nodes, User pools within 0-1000"),
            );
        } else if let Some(count) = p.count.as_ref().filter(|c| c.value < min || c.value > max) {
            self.error(
                SpecDiagnostic::new(Code::CountOutsideAutoscale, format!("count {} is outside the autoscale range {min}..{max}", count.value))
                    .at(count.span, "outside the range")
                    .also(a.span, "autoscale range")
                    .help("the count is the starting size of an autoscaled pool: keep it within min..max, or remove it"),
            );
        }
        Some((min, max))
    }

    fn virtual_nodes(
        &mut self,
        entry: &Entry<RawCluster>,
        network: &Network,
        pools: &[Address],
        deps: &mut Vec<Dependency>,
    ) -> Option<Target> {
        let raw = entry.spec.virtual_nodes.as_ref()?;
        let subnet_ref = &raw.value.subnet;
        let overlay = network.plugin_mode == Some(NetworkPluginMode::Overlay);
        if network.plugin != NetworkPlugin::Azure || overlay {
            let found = if overlay {
                "Azure CNI Overlay".to_string()
            } else {
                format!("{:?}", network.plugin).to_lowercase()
            };
            let mut d = SpecDiagnostic::new(
                Code::VirtualNodesNeedAzureCni,
                format!("virtual nodes need Azure CNI, but the cluster uses {found}"),
            )
            .at(raw.span, "virtual nodes")
            .help(format!(
                "set `network.plugin: azure` without overlay; note that {VIRTUAL_NODES_LIMITS}"
            ));
            if let Some(p) = entry
                .spec
                .network
                .as_ref()
                .and_then(|n| n.value.plugin.as_ref())
            {
                d = d.also(p.span, "network plugin");
            }
            self.error(d);
        }
        let target = self.resolve_or_id(subnet_ref, &[Kind::Subnet], deps)?;
        if let Target::Node(subnet) = &target {
            if let Some(Spec::Subnet(s)) = self.resources.get(subnet).map(|r| &r.spec)
                && s.delegation
                    .as_deref()
                    .is_none_or(|d| !d.eq_ignore_ascii_case(ACI_DELEGATION))
            {
                self.error(
                    SpecDiagnostic::new(
                        Code::VirtualNodesSubnet,
                        format!("subnet `{subnet}` is not delegated to container instances"),
                    )
                    .at(subnet_ref.span, "virtual nodes subnet")
                    .help(format!("add `delegation: {ACI_DELEGATION}` to the subnet")),
                );
            }
            // Only this cluster's pools: scanning every resource made validation quadratic.
            let used_by: Vec<String> = pools
                .iter()
                .filter_map(|a| match self.resources.get(a).map(|r| &r.spec) {
                    Some(Spec::NodePool(p)) if p.subnet.as_ref() == Some(&target) => {
                        Some(a.to_string())
                    }
                    _ => None,
                })
                .collect();
            if let Some(pool) = used_by.first() {
                self.error(
                    SpecDiagnostic::new(
                        Code::VirtualNodesSubnet,
                        format!("subnet `{subnet}` is also used by node pool `{pool}`"),
                    )
                    .at(subnet_ref.span, "virtual nodes subnet")
                    .help("virtual nodes need a dedicated subnet; give the pools another one"),
                );
            }
            if let Some(Target::Node(node_subnet)) = &network.subnet
                && node_subnet.parent() != subnet.parent()
            {
                self.error(
                    SpecDiagnostic::new(
                        Code::VirtualNodesSubnet,
                        format!("subnet `{subnet}` is not in the cluster's VNet"),
                    )
                    .at(subnet_ref.span, "virtual nodes subnet")
                    .help(format!(
                        "the ACI connector needs a subnet of the same VNet as `{node_subnet}`"
                    )),
                );
            }
        }
        Some(target)
    }

    fn cluster_warnings(
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
                SpecDiagnostic::new(Code::PublicApiServer, "the API server is public and open to every address")
                    .at(span, "public API server")
                    .help("set `apiServer.authorizedIpRanges` to your egress ranges, or `apiServer.private: true`"),
            );
        }
        if let (Some(aad), Some(raw)) = (aad, &s.aad)
            && !aad.disable_local_accounts
        {
            self.error(
                    SpecDiagnostic::new(Code::LocalAccounts, "local accounts stay enabled beside managed Entra ID")
                        .at(raw.span, "managed Entra ID")
                        .help("anyone with `az aks get-credentials --admin` bypasses Entra ID; set `aad.disableLocalAccounts: true`"),
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
            let ips = u64::from(network.managed_outbound_ips.unwrap_or(1));
            let ports = match network.allocated_outbound_ports {
                Some(p) if p > 0 => u64::from(p),
                _ => default_ports_per_node(max_nodes),
            };
            let needed = (max_nodes * ports).div_ceil(SNAT_PORTS_PER_IP);
            if needed > ips {
                let span = s
                    .network
                    .as_ref()
                    .and_then(|n| n.value.load_balancer.as_ref())
                    .map_or(entry.key.span, |l| l.span);
                self.error(
                    SpecDiagnostic::new(
                        Code::SnatExhaustion,
                        format!("{max_nodes} nodes × {ports} outbound ports need {needed} outbound IPs, but the load balancer has {ips}"),
                    )
                    .at(span, "SNAT ports")
                    .help(format!("set `managedOutboundIps: {needed}` (each IP gives 64,000 SNAT ports), or lower `allocatedOutboundPorts`")),
                );
            }
        }
    }

    fn derived_role_assignments(
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
    fn derive(&mut self, cluster: &Resource, derived: Derived) {
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
            self.error(
                SpecDiagnostic::new(
                    Code::DuplicateName,
                    format!(
                        "`{address}` is derived from cluster `{}` but is also declared",
                        cluster.address.name
                    ),
                )
                .at(first, "declared here")
                .help("rename the declared role assignment; azplan creates this one itself"),
            );
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

fn target_suffix(target: &Target) -> String {
    match target {
        Target::Node(a) => a.child.clone().unwrap_or_else(|| a.name.clone()),
        Target::ArmId(id) => id.rsplit('/').next().unwrap_or("external").to_string(),
    }
}

fn mode_name(mode: PoolMode) -> &'static str {
    match mode {
        PoolMode::System => "System",
        PoolMode::User => "User",
    }
}

fn valid_taint(taint: &str) -> bool {
    let Some((key_value, effect)) = taint.rsplit_once(':') else {
        return false;
    };
    let key = key_value.split_once('=').map_or(key_value, |(k, _)| k);
    !key.is_empty() && matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute")
}

/// Azure's default SNAT port allocation per node, by backend pool size.
fn default_ports_per_node(nodes: u64) -> u64 {
    match nodes {
        0..=50 => 1024,
        51..=100 => 512,
        101..=200 => 256,
        201..=400 => 128,
        401..=800 => 64,
        _ => 32,
    }
}

/// AKS autoscaler keys are kebab-case; their values are strings except three booleans (the
/// official models type `daemonset-eviction-*` and `ignore-daemonsets-utilization` as bool).
fn autoscaler_profile(
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
struct Access {
    kubernetes_rbac: bool,
    oidc_issuer: bool,
    workload_identity: bool,
}

/// The add-ons a cluster runs, resolved.
struct Addons {
    container_insights: Option<ContainerInsights>,
    app_routing: Option<AppRouting>,
    http_application_routing: bool,
    /// Registries the kubelet pulls from, with where each was written.
    attached: Vec<(Target, crate::source::Span)>,
}

/// A role assignment a cluster's settings imply (AcrPull for an attached registry, DNS Zone
/// Contributor for app routing).
struct Derived {
    name: String,
    role: &'static str,
    scope: Target,
    principal: Principal,
    /// Where in the spec the setting that implies it was written.
    span: crate::source::Span,
    reason: &'static str,
}
