//! A cluster's network: plugin, subnets, service addresses, outbound and load balancer, and
//! virtual nodes on their delegated subnet.

use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::kinds::cluster::{RawCluster, RawLoadBalancer, RawNetwork};
use crate::model::{Address, Dependency, Kind, Network, Spec, Target};
use crate::model::{LoadBalancerSku, NetworkPlugin, NetworkPluginMode, OutboundType};
use crate::spec::Entry;

pub const ACI_DELEGATION: &str = "Microsoft.ContainerInstance/containerGroups";
const VIRTUAL_NODES_LIMITS: &str =
    "on virtual nodes, init containers, Azure Disk volumes and DaemonSets do not work";

impl Builder<'_> {
    /// The cluster network; without a `network:` section, AKS's defaults (Azure CNI, a
    /// standard load balancer with one managed outbound IP), written once, below.
    pub(super) fn network(&mut self, s: &RawCluster, deps: &mut Vec<Dependency>) -> Network {
        let none = RawNetwork::default();
        let n = s.network.as_ref().map_or(&none, |raw| &raw.value);
        // Azure CNI unless written (README, "Defaults that differ from AKS's"): AKS 2026-08-01
        // documents no default for networkPlugin (earlier api-versions: `"default":
        // "kubenet"`, tests/oracle/DEFAULTS.md), and kubenet is retired (Learn "Use kubenet
        // networking", https://learn.microsoft.com/azure/aks/configure-kubenet). The plugin is
        // fixed at creation, so this default stays what existing clusters were created with.
        let plugin = n.plugin.as_ref().map_or(NetworkPlugin::Azure, |p| p.value);
        if let Some(p) = n
            .plugin
            .as_ref()
            .filter(|p| p.value == NetworkPlugin::Kubenet)
        {
            self.error(SpecDiagnostic::error_at(
                Code::Kubenet,
                "kubenet is legacy networking (retiring March 2028)",
                p.span,
                "kubenet",
                "use `plugin: azure` with `pluginMode: overlay` for the same address economy",
            ));
        }
        let subnet = n
            .subnet
            .as_ref()
            .and_then(|t| self.resolve_or_id(t, &[Kind::Subnet], deps));
        let pod_cidr = n.pod_cidr.as_ref().and_then(|c| self.cidr(c));
        if let Some(p) = &n.pod_cidr {
            let overlay = n.plugin_mode == Some(NetworkPluginMode::Overlay);
            // podCidr is used "when kubenet is used" (AKS 2026-08-01) or with overlay
            // (NetworkPluginMode); with flat Azure CNI the RP ignores it and does not keep it
            // (tests/oracle/VALIDATION.md §3; Microsoft's demos/private-aks-cluster sends one
            // with flat CNI and deploys): a warning, and azplan does not send it.
            if plugin != NetworkPlugin::Kubenet && !overlay {
                self.error(
                    SpecDiagnostic::new(Code::PodCidrUnused, "a pod CIDR is only used by kubenet and Azure CNI Overlay")
                        .at(p.span, "ignored")
                        .help("pods take subnet IPs with plain Azure CNI, so AKS ignores it (azplan does not send it); add `pluginMode: overlay` to use it, or remove it"),
                );
            }
        }
        let (service_cidr, dns_service_ip) = self.service_addresses(n, subnet.as_ref());
        let lb = n.load_balancer.as_ref();
        let outbound_type = n.outbound_type.unwrap_or(OutboundType::LoadBalancer);
        if outbound_type == OutboundType::UserAssignedNatGateway {
            self.check_user_nat_gateway(s, subnet.as_ref());
        }
        self.check_load_balancer(lb, outbound_type);
        let mut own = |list: Option<&Spanned<Vec<Spanned<String>>>>, kind: Kind| -> Vec<Target> {
            list.map(|l| l.value.iter())
                .into_iter()
                .flatten()
                .filter_map(|t| self.resolve_or_id(t, &[kind, Kind::Existing], deps))
                .collect()
        };
        let outbound_ips = own(
            lb.and_then(|l| l.value.outbound_ips.as_ref()),
            Kind::PublicIp,
        );
        let outbound_ip_prefixes = own(
            lb.and_then(|l| l.value.outbound_ip_prefixes.as_ref()),
            Kind::PublicIpPrefix,
        );
        Network {
            plugin,
            plugin_mode: n.plugin_mode,
            policy: n.policy,
            dataplane: n.dataplane,
            subnet,
            pod_cidr,
            service_cidr,
            dns_service_ip,
            outbound_type,
            load_balancer_sku: lb
                .and_then(|l| l.value.sku)
                .unwrap_or(LoadBalancerSku::Standard),
            managed_outbound_ips: lb
                .and_then(|l| l.value.managed_outbound_ips.as_ref())
                .map(|i| i.value),
            outbound_ips,
            outbound_ip_prefixes,
            allocated_outbound_ports: lb
                .and_then(|l| l.value.allocated_outbound_ports.as_ref())
                .map(|p| p.value),
            idle_timeout_minutes: lb.and_then(|l| l.value.idle_timeout_minutes),
        }
    }

    /// The service CIDR and cluster DNS address: both or neither, the address inside the
    /// range, the range outside the VNet.
    pub(super) fn service_addresses(
        &mut self,
        n: &RawNetwork,
        subnet: Option<&Target>,
    ) -> (Option<crate::net::Cidr>, Option<std::net::Ipv4Addr>) {
        let service_cidr = n.service_cidr.as_ref().and_then(|c| self.cidr(c));
        let dns_service_ip =
            n.dns_service_ip
                .as_ref()
                .and_then(|ip| match ip.value.parse::<std::net::Ipv4Addr>() {
                    Ok(a) => Some(a),
                    Err(_) => {
                        self.error(SpecDiagnostic::invalid(
                            format!("`{}` is not an IPv4 address", ip.value),
                            ip.span,
                            "invalid address",
                            "e.g. `dnsServiceIp: 10.0.0.10`",
                        ));
                        None
                    }
                });
        match (&n.service_cidr, &n.dns_service_ip) {
            (Some(c), None) => self.error(SpecDiagnostic::conflict(
                "`serviceCidr` needs `dnsServiceIp`",
                c.span,
                "service CIDR",
                "set both, e.g. `serviceCidr: 10.0.0.0/16` and `dnsServiceIp: 10.0.0.10`",
            )),
            (None, Some(ip)) => self.error(SpecDiagnostic::conflict(
                "`dnsServiceIp` needs `serviceCidr`",
                ip.span,
                "DNS service IP",
                "set both, e.g. `serviceCidr: 10.0.0.0/16` and `dnsServiceIp: 10.0.0.10`",
            )),
            _ => {}
        }
        // Learn "Configure Azure CNI networking" (https://learn.microsoft.com/azure/aks/configure-azure-cni):
        // "Kubernetes DNS service IP address: an IP address within the Kubernetes service address range".
        if let (Some(cidr), Some(ip), Some(ip_text)) =
            (service_cidr, dns_service_ip, &n.dns_service_ip)
            && !cidr.contains_ip(ip)
        {
            self.error(SpecDiagnostic::error_at(
                Code::DnsServiceIpOutsideServiceCidr,
                format!("DNS service IP {ip} is outside the service CIDR {cidr}"),
                ip_text.span,
                "outside the service CIDR",
                "pick an address inside `serviceCidr` (by convention its .10)",
            ));
        }
        if let (Some(cidr), Some(text)) = (service_cidr, &n.service_cidr) {
            self.check_service_cidr(cidr, text, subnet);
        }
        (service_cidr, dns_service_ip)
    }

    /// The service CIDR against the cluster's VNet. AKS refuses a range that overlaps a
    /// subnet of the VNet ("It must not overlap with any Subnet IP ranges.", serviceCidr,
    /// AKS 2026-08-01; RP code ServiceCidrOverlapExistingSubnetsCidr, quoted in
    /// Azure/azure-cli#20810) and the ranges Learn reserves ("AKS clusters can't use
    /// 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, or 192.0.2.0/24",
    /// https://learn.microsoft.com/azure/aks/configure-kubenet#prerequisites), but accepts
    /// one inside the VNet's address space and outside its subnets (Microsoft's quickstart
    /// demos/private-aks-cluster deploys 10.2.0.0/16 in a 10.0.0.0/8 VNet): a warning.
    fn check_service_cidr(
        &mut self,
        cidr: crate::net::Cidr,
        text: &Spanned<String>,
        subnet: Option<&Target>,
    ) {
        const RESERVED: [&str; 4] = [
            "169.254.0.0/16",
            "172.30.0.0/16",
            "172.31.0.0/16",
            "192.0.2.0/24",
        ];
        if let Some(reserved) = RESERVED
            .iter()
            .filter_map(|r| r.parse::<crate::net::Cidr>().ok())
            .find(|r| r.overlaps(cidr))
        {
            self.error(SpecDiagnostic::invalid(
                format!("service CIDR {cidr} overlaps {reserved}, which AKS reserves"),
                text.span,
                "reserved range",
                "AKS clusters can't use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 or 192.0.2.0/24 (https://learn.microsoft.com/azure/aks/configure-kubenet#prerequisites)",
            ));
        }
        let Some(Target::Node(subnet)) = subnet else {
            return;
        };
        let Some(vnet) = subnet.parent() else {
            return;
        };
        // The VNet's subnets are adjacent in the address order: a range, not a scan of the stack
        // (a scan per cluster made large stacks quadratic).
        let first = Address::child(Kind::Subnet, &vnet.name, "");
        let overlapping = self
            .resources
            .range(first..)
            .take_while(|(a, _)| a.is_child_of(&vnet))
            .find_map(|(_, r)| match &r.spec {
                Spec::Subnet(s) if s.prefix.overlaps(cidr) => Some((r.address.clone(), s.prefix)),
                _ => None,
            });
        // Learn "Configure Azure CNI networking": the service address range "must not be used by
        // any network element on or connected to this virtual network" (AKS checks the subnets).
        if let Some((other, prefix)) = overlapping {
            self.error(SpecDiagnostic::error_at(
                Code::ServiceCidrOverlap,
                format!("service CIDR {cidr} overlaps subnet {other} ({prefix})"),
                text.span,
                "overlaps a subnet",
                "AKS refuses a service range that overlaps any subnet of the VNet (ServiceCidrOverlapExistingSubnetsCidr); pick a range outside every subnet",
            ));
        } else if let Some(space) = self
            .vnet_space(subnet)
            .into_iter()
            .find(|c| c.overlaps(cidr))
        {
            self.error(
                SpecDiagnostic::new(
                    Code::ServiceCidrInVnet,
                    format!("service CIDR {cidr} is inside the VNet address space {space}"),
                )
                .at(text.span, "inside the VNet")
                .help("AKS accepts it while no subnet overlaps it, but a subnet added there later breaks cluster updates; a range outside the VNet avoids that"),
            );
        }
    }

    /// Outbound IP counts and SNAT ports within what a load balancer takes, and one way of
    /// giving its outbound addresses.
    pub(super) fn check_load_balancer(
        &mut self,
        lb: Option<&Spanned<RawLoadBalancer>>,
        outbound_type: OutboundType,
    ) {
        if let Some(l) = lb {
            self.check_outbound_forms(&l.value, outbound_type);
        }
        if let Some(ips) = lb
            .and_then(|l| l.value.managed_outbound_ips.as_ref())
            .filter(|i| !(1..=100).contains(&i.value))
        {
            self.error(SpecDiagnostic::invalid(
                format!("{} managed outbound IPs is out of range", ips.value),
                ips.span,
                "out of range",
                "a load balancer takes 1 to 100 managed outbound IPs",
            ));
        }
        if let Some(ports) = lb
            .and_then(|l| l.value.allocated_outbound_ports.as_ref())
            .filter(|p| p.value > 64_000 || p.value % 8 != 0)
        {
            self.error(SpecDiagnostic::invalid(
                format!("{} allocated outbound ports is not valid", ports.value),
                ports.span,
                "invalid port count",
                "use a multiple of 8 between 0 (dynamic) and 64000",
            ));
        }
    }

    /// Managed IPs, your own IPs and your own prefixes are three ways of giving the load
    /// balancer its outbound addresses, one at a time: AKS refuses more ("Load balancer profile
    /// must specify at most one of ManagedOutboundIPs, OutboundIPPrefixes and OutboundIPs",
    /// the InvalidParameter the emulator answers with), as azurerm's `load_balancer_profile`
    /// declares (`managed_outbound_ip_count`, `outbound_ip_address_ids` and
    /// `outbound_ip_prefix_ids` conflict with each other). They are the load balancer's, so
    /// only with `outboundType: loadBalancer` (Learn "Customize cluster egress with outbound
    /// types": the NAT gateway and user-defined routing types have no AKS load balancer
    /// outbound pool).
    fn check_outbound_forms(&mut self, l: &RawLoadBalancer, outbound_type: OutboundType) {
        let forms: Vec<(&str, crate::source::Span)> = [
            (
                "managedOutboundIps",
                l.managed_outbound_ips.as_ref().map(|v| v.span),
            ),
            ("outboundIps", l.outbound_ips.as_ref().map(|v| v.span)),
            (
                "outboundIpPrefixes",
                l.outbound_ip_prefixes.as_ref().map(|v| v.span),
            ),
        ]
        .into_iter()
        .filter_map(|(name, span)| span.map(|s| (name, s)))
        .collect();
        if let [(first, first_span), (second, second_span), ..] = forms[..] {
            self.error(
                SpecDiagnostic::conflict(
                    format!("`{first}` and `{second}` both give the load balancer's outbound addresses"),
                    second_span,
                    "second way",
                    "keep one of `managedOutboundIps`, `outboundIps` and `outboundIpPrefixes`: AKS takes at most one",
                )
                .also(first_span, "first way"),
            );
        }
        for (name, span) in [
            ("outboundIps", l.outbound_ips.as_ref()),
            ("outboundIpPrefixes", l.outbound_ip_prefixes.as_ref()),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.map(|v| (name, v)))
        .map(|(name, v)| (name, v.span))
        {
            if outbound_type != OutboundType::LoadBalancer {
                self.error(SpecDiagnostic::conflict(
                    format!("`{name}` is for the load balancer, but the outbound type is not `loadBalancer`"),
                    span,
                    "load balancer outbound addresses",
                    "remove it, or use `outboundType: loadBalancer`",
                ));
            }
        }
        for (name, list) in [
            ("outboundIps", l.outbound_ips.as_ref()),
            ("outboundIpPrefixes", l.outbound_ip_prefixes.as_ref()),
        ] {
            if let Some(list) = list.filter(|v| v.value.is_empty()) {
                self.error(SpecDiagnostic::invalid(
                    format!("`{name}` is empty"),
                    list.span,
                    "no addresses",
                    "list at least one, or remove the key for managed outbound IPs",
                ));
            }
        }
    }

    /// `userAssignedNatGateway` sends the nodes' egress through the NAT gateway of their
    /// subnet: Learn "Customize cluster egress with a user-assigned NAT gateway" creates the
    /// subnet "using the NAT gateway" and then "an AKS cluster using the subnet with the NAT
    /// gateway" (`--vnet-subnet-id`). A subnet of the stack that takes its NAT gateway off
    /// (`natGateway: none`) contradicts that. A cluster without a subnet of its own is not
    /// refused: the official example ManagedClustersCreate_UserAssignedNATGateway (AKS
    /// 2026-06-01) creates one, and a subnet whose spec says nothing may be associated
    /// elsewhere.
    fn check_user_nat_gateway(&mut self, s: &RawCluster, subnet: Option<&Target>) {
        let Some(span) = s.network.as_ref().map(|n| n.span) else {
            return;
        };
        if let Some(Target::Node(address)) = subnet
            && let Some(Spec::Subnet(sub)) = self.resources.get(address).map(|r| &r.spec)
            && sub.nat_gateway == crate::model::Association::None
        {
            self.error(SpecDiagnostic::conflict(
                format!("`outboundType: userAssignedNatGateway`, but subnet `{address}` has `natGateway: none`"),
                span,
                "user-assigned NAT gateway",
                "give the subnet `natGateway: natGateway/NAME`, or choose another outbound type",
            ));
        }
    }

    /// The address space of the VNet a managed subnet belongs to.
    pub(super) fn vnet_space(&self, subnet: &Address) -> Vec<crate::net::Cidr> {
        let Some(vnet) = subnet.parent() else {
            return Vec::new();
        };
        match self.resources.get(&vnet).map(|r| &r.spec) {
            Some(Spec::VirtualNetwork(v)) => v.address_space.clone(),
            _ => Vec::new(),
        }
    }

    pub(super) fn virtual_nodes(
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
            // Learn "Virtual nodes" (https://learn.microsoft.com/azure/aks/virtual-nodes): virtual
            // nodes need Azure CNI (AKS answers ACIConnectorRequiresAzureNetworking on kubenet).
            let mut d = SpecDiagnostic::error_at(
                Code::VirtualNodesNeedAzureCni,
                format!("virtual nodes need Azure CNI, but the cluster uses {found}"),
                raw.span,
                "virtual nodes",
                format!(
                    "set `network.plugin: azure` without overlay; note that {VIRTUAL_NODES_LIMITS}"
                ),
            );
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
                self.error(SpecDiagnostic::error_at(
                    Code::VirtualNodesSubnet,
                    format!("subnet `{subnet}` is not delegated to container instances"),
                    subnet_ref.span,
                    "virtual nodes subnet",
                    format!("add `delegation: {ACI_DELEGATION}` to the subnet"),
                ));
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
                self.error(SpecDiagnostic::error_at(
                    Code::VirtualNodesSubnet,
                    format!("subnet `{subnet}` is also used by node pool `{pool}`"),
                    subnet_ref.span,
                    "virtual nodes subnet",
                    "virtual nodes need a dedicated subnet; give the pools another one",
                ));
            }
            if let Some(Target::Node(node_subnet)) = &network.subnet
                && node_subnet.parent() != subnet.parent()
            {
                self.error(SpecDiagnostic::error_at(
                    Code::VirtualNodesSubnet,
                    format!("subnet `{subnet}` is not in the cluster's VNet"),
                    subnet_ref.span,
                    "virtual nodes subnet",
                    format!("the ACI connector needs a subnet of the same VNet as `{node_subnet}`"),
                ));
            }
        }
        Some(target)
    }
}

/// Azure's default SNAT port allocation per node, by backend pool size.
pub(super) fn default_ports_per_node(nodes: u64) -> u64 {
    match nodes {
        0..=50 => 1024,
        51..=100 => 512,
        101..=200 => 256,
        201..=400 => 128,
        401..=800 => 64,
        _ => 32,
    }
}
