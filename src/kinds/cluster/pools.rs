//! A cluster's node pools: the first System pool first, modes, counts and autoscale ranges,
//! zones, taints and subnets.

use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::{Code, SpecDiagnostic};
use crate::kinds::cluster::RawCluster;
use crate::kinds::node_pool::RawNodePool;
use crate::model::{Address, Kind, Network, NodePool, Origin, Resource, Spec};
use crate::model::{PoolMode, PoolUpgrade};
use crate::names;
use crate::spec::Entry;
use crate::spec::NodesOrPercent;

impl Builder<'_> {
    pub(super) fn pools(
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
            // User unless written (README, "Defaults that differ from AKS's"): AgentPoolMode
            // documents no default (AKS 2026-08-01: "A cluster must have at least one
            // 'System' Agent Pool at all times"); `az aks nodepool add --mode` defaults to
            // User. A default that depended on the other pools would flip a pool to User when
            // a second one is added, which AKS refuses for the last System pool.
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
            let mut raw = self.raw_override(p.raw.as_ref());
            let pool_model = NodePool {
                mode,
                vm_size: p.vm_size.value.clone(),
                count: p.count.as_ref().map(|c| c.value),
                autoscale,
                zones: p
                    .zones
                    .as_ref()
                    .or(s.zones.as_ref())
                    .map(|zones| zones.iter().map(|z| z.0).collect())
                    .unwrap_or_default(),
                max_pods: p.max_pods,
                os_disk_size_gb: p.os_disk.as_ref().and_then(|d| d.size_gb),
                os_disk_type: p.os_disk.as_ref().and_then(|d| d.disk_type),
                os_sku: p.os_sku,
                labels: p.labels.clone(),
                taints: p.taints.iter().map(|t| t.value.clone()).collect(),
                subnet: subnet.or_else(|| network.subnet.clone()),
                kubernetes_version: self.requested_version(
                    p.kubernetes_version.as_ref(),
                    (raw.as_mut(), p.raw.as_ref().map(|r| r.span)),
                    "properties.orchestratorVersion",
                ),
                own_tags: p.tags.is_some(),
                upgrade: self.pool_upgrade(p),
            };
            for taint in &p.taints {
                if !valid_taint(&taint.value) {
                    self.error(
                        SpecDiagnostic::invalid(format!("`{}` is not a taint", taint.value), taint.span, "invalid taint", "write `key=value:Effect` with Effect NoSchedule, PreferNoSchedule or NoExecute"),
                    );
                }
            }
            // A pool's tags are its own (its scale set's): copying the cluster's would rewrite
            // every pool of an adopted cluster whose pools carry other tags.
            let tags = p.tags.clone().unwrap_or_default();
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
        // Learn "Manage system node pools" (https://learn.microsoft.com/azure/aks/use-system-pools):
        // "AKS clusters must have at least one system node pool".
        // A pool (or its `mode`) that could not be read may be the System pool: its own error
        // says what is wrong, and this one would only repeat it.
        if system == 0 && !entry.dropped_under("nodePools") {
            self.error(
                SpecDiagnostic::error_at(Code::NoSystemPool, format!("cluster `{}` has no System node pool", entry.key.value), entry.key.span, "no System pool", "AKS needs at least one pool with `mode: System` (Linux, at least 2 vCPUs and 4 GB) to run critical add-ons"),
            );
        }
        // The first System pool is created inline with the cluster; order it first.
        addresses.sort_by_key(|a| match self.resources.get(a).map(|r| &r.spec) {
            Some(Spec::NodePool(p)) if p.mode == PoolMode::System => 0,
            _ => 1,
        });
        addresses
    }

    pub(super) fn autoscale(&mut self, p: &RawNodePool, mode: PoolMode) -> Option<(u32, u32)> {
        let floor = u32::from(mode == PoolMode::System);
        if let Some(count) = p
            .count
            .as_ref()
            .filter(|c| c.value < floor || c.value > 1000)
        {
            self.error(SpecDiagnostic::invalid(
                format!(
                    "a {} pool of {} nodes is out of range",
                    mode_name(mode),
                    count.value
                ),
                count.span,
                "out of range",
                "System pools have 1-1000 nodes, User pools 0-1000",
            ));
        }
        let a = p.autoscale.as_ref()?;
        let (min, max) = (a.value.min, a.value.max);
        // Learn "Cluster autoscaler" (https://learn.microsoft.com/azure/aks/cluster-autoscaler):
        // `--min-count` may not exceed `--max-count`; AKS answers InvalidParameter otherwise.
        if min > max {
            self.error(SpecDiagnostic::error_at(
                Code::AutoscaleRange,
                format!("autoscale minimum {min} is above the maximum {max}"),
                a.span,
                "min > max",
                "swap the bounds, or raise `max`",
            ));
        } else if min < floor || max > 1000 {
            self.error(SpecDiagnostic::error_at(
                Code::AutoscaleRange,
                format!(
                    "autoscale bounds {min}..{max} are out of range for a {} pool",
                    mode_name(mode)
                ),
                a.span,
                "out of range",
                "System pools scale within 1-1000 nodes, User pools within 0-1000",
            ));
        } else if let Some(count) = p.count.as_ref().filter(|c| c.value < min || c.value > max) {
            self.error(
                SpecDiagnostic::new(Code::CountOutsideAutoscale, format!("count {} is outside the autoscale range {min}..{max}", count.value))
                    .at(count.span, "outside the range")
                    .also(a.span, "autoscale range")
                    .help("Azure accepts it and the autoscaler then keeps the pool within min..max; the count only matters when the pool is created"),
            );
        }
        Some((min, max))
    }
}

impl Builder<'_> {
    /// Checks a pool's upgrade settings against AgentPoolUpgradeSettings (AKS 2026-08-01):
    /// drainTimeoutInMinutes `minimum: 1, maximum: 1440`, nodeSoakDurationInMinutes
    /// `minimum: 0, maximum: 30`; maxSurge and maxUnavailable "an integer (e.g. '5') or a
    /// percentage (e.g. '50%')", "the percentage of the total agent pool size".
    fn pool_upgrade(&mut self, p: &RawNodePool) -> PoolUpgrade {
        let Some(u) = p.upgrade.as_ref() else {
            return PoolUpgrade::default();
        };
        let u = &u.value;
        let mut nodes = |field: &str, v: &Spanned<NodesOrPercent>| -> Option<(u32, bool)> {
            let parsed = v.value.parse().filter(|&(n, pct)| !pct || n <= 100);
            if parsed.is_none() {
                self.error(SpecDiagnostic::invalid(
                    format!("`{}` is not a node count or a percentage", v.value.0),
                    v.span,
                    "invalid",
                    format!("write `{field}` as a count such as 1 or a percentage such as \"33%\" (at most 100%)"),
                ));
            }
            parsed
        };
        let surge = u.max_surge.as_ref().map(|v| nodes("maxSurge", v));
        let unavailable = u
            .max_unavailable
            .as_ref()
            .map(|v| nodes("maxUnavailable", v));
        // AKS's default surge is 10% and its default unavailable 0: a pool may turn surge off
        // only by allowing some nodes to be unavailable, or no node could ever be upgraded
        // (Learn "Upgrade AKS node pools": maxUnavailable is for "when surge capacity is
        // unavailable"; with `maxSurge: 0` it must be above zero).
        if let (Some(Some((0, _))), Some(span)) = (surge, u.max_surge.as_ref().map(|v| v.span))
            && !matches!(unavailable, Some(Some((n, _))) if n > 0)
        {
            self.error(SpecDiagnostic::invalid(
                "a pool with `maxSurge: 0` needs `maxUnavailable` above 0",
                span,
                "no surge",
                "set `maxUnavailable` (e.g. 1) so AKS can upgrade nodes in place, or keep a surge",
            ));
        }
        if let Some(d) = u
            .drain_timeout_minutes
            .as_ref()
            .filter(|d| !(1..=1440).contains(&d.value))
        {
            self.error(SpecDiagnostic::invalid(
                format!("a drain timeout of {} minutes is out of range", d.value),
                d.span,
                "out of range",
                "AKS takes 1-1440 minutes (default 30)",
            ));
        }
        if let Some(s) = u.soak_minutes.as_ref().filter(|s| s.value > 30) {
            self.error(SpecDiagnostic::invalid(
                format!("a soak of {} minutes is out of range", s.value),
                s.span,
                "out of range",
                "AKS takes 0-30 minutes (default 0)",
            ));
        }
        PoolUpgrade {
            max_surge: u.max_surge.as_ref().map(|v| v.value.0.clone()),
            max_unavailable: u.max_unavailable.as_ref().map(|v| v.value.0.clone()),
            drain_timeout_minutes: u.drain_timeout_minutes.as_ref().map(|d| d.value),
            soak_minutes: u.soak_minutes.as_ref().map(|s| s.value),
        }
    }
}

pub(super) fn mode_name(mode: PoolMode) -> &'static str {
    match mode {
        PoolMode::System => "System",
        PoolMode::User => "User",
    }
}

pub(super) fn valid_taint(taint: &str) -> bool {
    let Some((key_value, effect)) = taint.rsplit_once(':') else {
        return false;
    };
    let key = key_value.split_once('=').map_or(key_value, |(k, _)| k);
    !key.is_empty() && matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute")
}
