//! An AKS cluster and its node pools as spec entries: the inverse of `kinds::cluster::body` and
//! `kinds::node_pool::body`, with AKS's defaults left out and the role assignments the cluster
//! derives (attached registries, app-routing DNS access) folded back into their settings.

use std::collections::BTreeSet;

use serde_json::Value;

use super::importer::Importer;
use super::marks::{at, text_at};
use super::select::Found;
use super::spec::{SpecEntry, group_of, strings, tags_map};
use super::yaml_out::{Map, Y};
use crate::id::ResourceId;
use crate::kind::Kind;

/// The autoscaler profile keys the spec has, with AKS's defaults (a GET shows every key).
const AUTOSCALER: [(&str, &str, &str); 20] = [
    (
        "balance-similar-node-groups",
        "balanceSimilarNodeGroups",
        "false",
    ),
    (
        "daemonset-eviction-for-empty-nodes",
        "daemonsetEvictionForEmptyNodes",
        "false",
    ),
    (
        "daemonset-eviction-for-occupied-nodes",
        "daemonsetEvictionForOccupiedNodes",
        "true",
    ),
    ("expander", "expander", "random"),
    (
        "ignore-daemonsets-utilization",
        "ignoreDaemonsetsUtilization",
        "false",
    ),
    ("max-empty-bulk-delete", "maxEmptyBulkDelete", "10"),
    (
        "max-graceful-termination-sec",
        "maxGracefulTerminationSec",
        "600",
    ),
    ("max-node-provision-time", "maxNodeProvisionTime", "15m"),
    (
        "max-total-unready-percentage",
        "maxTotalUnreadyPercentage",
        "45",
    ),
    ("new-pod-scale-up-delay", "newPodScaleUpDelay", "0s"),
    ("ok-total-unready-count", "okTotalUnreadyCount", "3"),
    ("scan-interval", "scanInterval", "10s"),
    (
        "scale-down-delay-after-add",
        "scaleDownDelayAfterAdd",
        "10m",
    ),
    (
        "scale-down-delay-after-delete",
        "scaleDownDelayAfterDelete",
        "10s",
    ),
    (
        "scale-down-delay-after-failure",
        "scaleDownDelayAfterFailure",
        "3m",
    ),
    ("scale-down-unneeded-time", "scaleDownUnneededTime", "10m"),
    ("scale-down-unready-time", "scaleDownUnreadyTime", "20m"),
    (
        "scale-down-utilization-threshold",
        "scaleDownUtilizationThreshold",
        "0.5",
    ),
    (
        "skip-nodes-with-local-storage",
        "skipNodesWithLocalStorage",
        "false",
    ),
    (
        "skip-nodes-with-system-pods",
        "skipNodesWithSystemPods",
        "true",
    ),
];

/// Spec fields that are numbers and booleans (AKS sends them as text).
const NUMBERS: [&str; 4] = [
    "maxEmptyBulkDelete",
    "maxGracefulTerminationSec",
    "maxTotalUnreadyPercentage",
    "okTotalUnreadyCount",
];

fn addon<'v>(body: &'v Value, name: &str) -> Option<&'v Value> {
    at(body, "properties.addonProfiles")?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn addon_on(body: &Value, name: &str) -> bool {
    addon(body, name)
        .and_then(|a| a.get("enabled"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl Importer<'_> {
    pub(super) fn cluster(&mut self, f: &Found, entry: &mut SpecEntry) {
        let b = &f.body;
        let name = ResourceId::parse(&f.id)
            .map(|i| i.name().to_string())
            .unwrap_or_default();
        let mut m = Map::new();
        let channel = text_at(b, "properties.autoUpgradeProfile.upgradeChannel")
            .filter(|c| !c.eq_ignore_ascii_case("none"));
        if let Some(version) = text_at(b, "properties.kubernetesVersion") {
            // A cluster on an upgrade channel moves its patch: the minor version is what is
            // chosen.
            let version = match channel {
                Some(c) if !c.eq_ignore_ascii_case("node-image") => {
                    version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
                }
                _ => version.to_string(),
            };
            m.set("kubernetesVersion", version);
        }
        if let Some(prefix) = text_at(b, "properties.dnsPrefix").filter(|p| *p != name) {
            m.set("dnsPrefix", prefix);
        }
        if let Some(tier) = text_at(b, "sku.tier") {
            let tier = if tier.eq_ignore_ascii_case("Paid") {
                "Standard"
            } else {
                tier
            };
            if !tier.eq_ignore_ascii_case("Free") {
                m.set("skuTier", tier);
            }
        }
        let user_assigned =
            text_at(b, "identity.type").is_some_and(|t| t.eq_ignore_ascii_case("UserAssigned"));
        if user_assigned
            && let Some(id) = at(b, "identity.userAssignedIdentities")
                .and_then(Value::as_object)
                .and_then(|m| m.keys().next().cloned())
        {
            let reference = self.reference(&id);
            if reference.starts_with('/') {
                // The spec names identities of the stack or `existing:` ones; this one is
                // neither, so it is kept as ARM shows it (without the read-only IDs).
                let identity = serde_json::json!({
                    "type": "UserAssigned",
                    "userAssignedIdentities": { id.as_str(): {} },
                });
                self.captured
                    .entry(entry.address.clone())
                    .or_default()
                    .insert("identity".into(), identity);
            } else {
                m.set("identity", reference);
            }
        }
        if let Some(node_group) = text_at(b, "properties.nodeResourceGroup") {
            let group = group_of(&f.id)
                .and_then(|g| ResourceId::parse(&g).map(|i| i.name().to_string()))
                .unwrap_or_default();
            let location = text_at(b, "location").unwrap_or_default();
            let default = format!("MC_{group}_{name}_{location}");
            if !node_group.eq_ignore_ascii_case(&default) {
                m.set("nodeResourceGroup", node_group);
            }
        }
        if user_assigned
            && let Some(kubelet) =
                text_at(b, "properties.identityProfile.kubeletidentity.resourceId")
            && self.address(kubelet).is_some()
        {
            let reference = self.reference(kubelet);
            m.set("kubeletIdentity", reference);
        }
        if let Some(sp) = text_at(b, "properties.servicePrincipalProfile.clientId")
            .filter(|c| !c.eq_ignore_ascii_case("msi"))
            && text_at(b, "identity.type").is_none()
        {
            let mut s = Map::new();
            s.set("clientId", sp);
            s.set("clientSecretEnv", "AKS_SERVICE_PRINCIPAL_SECRET");
            m.set_commented(
                "servicePrincipal",
                s,
                vec!["The secret is never read: set AKS_SERVICE_PRINCIPAL_SECRET when a create needs it.".into()],
            );
        }
        self.zones_and_pools(f, &mut m, entry);
        self.autoscaler(b, &mut m);
        self.network(f, &mut m);
        api_server(b, &mut m);
        // AKS fills in the subscription's tenant when the spec names none; the identities show
        // which tenant that is.
        let home_tenant = text_at(b, "identity.tenantId")
            .map(str::to_string)
            .or_else(|| {
                self.found
                    .values()
                    .filter(|f| f.kind == Kind::Identity)
                    .find_map(|f| text_at(&f.body, "properties.tenantId").map(str::to_string))
            });
        aad(b, home_tenant.as_deref(), &mut m);
        if bool_at(b, "properties.enableRBAC") == Some(false) {
            m.set("kubernetesRbac", false);
        }
        let oidc = bool_at(b, "properties.oidcIssuerProfile.enabled") == Some(true);
        if oidc {
            m.set("oidcIssuer", true);
        }
        // Workload identity without the issuer is not a spec azplan accepts (the webhook has
        // no tokens to exchange); such a body keeps it through `raw:`.
        if oidc && bool_at(b, "properties.securityProfile.workloadIdentity.enabled") == Some(true) {
            m.set("workloadIdentity", true);
        }
        self.addons(f, &mut m);
        if let Some(attached) = self.folded.attached.get(&lower(&f.id)).cloned() {
            let mut attached = attached;
            attached.sort();
            m.set("attachedRegistries", attached);
        }
        if let (Some(user), Some(key)) = (
            text_at(b, "properties.linuxProfile.adminUsername"),
            at(b, "properties.linuxProfile.ssh.publicKeys")
                .and_then(Value::as_array)
                .and_then(|k| k.first())
                .and_then(|k| text_at(k, "keyData")),
        ) {
            let mut l = Map::new();
            l.set("adminUser", user);
            l.set("sshPublicKey", key.trim_end());
            m.set("linux", l);
        }
        let mut upgrade = Map::new();
        if let Some(c) = channel {
            upgrade.set("channel", c);
        }
        if let Some(os) = text_at(b, "properties.autoUpgradeProfile.nodeOSUpgradeChannel")
            .filter(|c| !c.eq_ignore_ascii_case("NodeImage"))
        {
            upgrade.set("nodeOs", os);
        }
        if !upgrade.is_empty() {
            m.set("autoUpgrade", upgrade);
        }
        if let Some(monitor) = azure_monitor(b) {
            m.set("azureMonitor", monitor);
        }
        if let Some(maintenance) = self.maintenance(f) {
            m.set("maintenance", maintenance);
        }
        entry.map.entries.extend(m.entries);
    }

    /// The cluster's planned maintenance windows as `maintenance:`, when every configuration it
    /// has is one azplan models (a named window). With the legacy `default` configuration
    /// (`timeInWeek`) there is no `maintenance:`, so the imported spec leaves them all alone
    /// rather than deleting the one it cannot write.
    fn maintenance(&self, f: &Found) -> Option<Map> {
        use crate::kinds::maintenance::{AUTO_UPGRADE, NODE_OS};
        let configs = self.children_of(&f.id, Kind::MaintenanceConfiguration);
        if configs.is_empty() {
            return None;
        }
        let mut out = Map::new();
        let mut windows: Vec<(&str, Map)> = Vec::new();
        for c in &configs {
            let name = c.id.rsplit('/').next().unwrap_or_default();
            let key = if name.eq_ignore_ascii_case(AUTO_UPGRADE) {
                "autoUpgrade"
            } else if name.eq_ignore_ascii_case(NODE_OS) {
                "nodeOs"
            } else {
                return None;
            };
            let w = at(&c.body, "properties.maintenanceWindow")?.as_object()?;
            let schedule = w.get("schedule")?.as_object()?;
            let mut window = Map::new();
            let (kind, spec) = schedule.iter().find(|(_, v)| v.is_object())?;
            let mut sched = Map::new();
            for (k, v) in spec.as_object()? {
                if !v.is_null() {
                    sched.set(k, Y::from(v));
                }
            }
            window.set(kind, sched);
            window.set("startTime", Y::from(w.get("startTime")?));
            for field in ["durationHours", "utcOffset", "startDate"] {
                if let Some(v) = w.get(field).filter(|v| !v.is_null()) {
                    window.set(field, Y::from(v));
                }
            }
            if let Some(dates) = w
                .get("notAllowedDates")
                .and_then(Value::as_array)
                .filter(|d| !d.is_empty())
            {
                window.set("notAllowedDates", Y::from(&Value::Array(dates.clone())));
            }
            windows.push((key, window));
        }
        windows.sort_by_key(|(k, _)| *k);
        for (key, window) in windows {
            out.set(key, window);
        }
        Some(out)
    }

    /// Pools, and the cluster's `zones` when every pool shares them.
    fn zones_and_pools(&mut self, f: &Found, m: &mut Map, entry: &mut SpecEntry) {
        let mut pools = self.children_of(&f.id, Kind::NodePool);
        if pools.is_empty() {
            // A cluster body alone: its inline profiles are the pools.
            for profile in at(&f.body, "properties.agentPoolProfiles")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(name) = text_at(profile, "name") else {
                    continue;
                };
                let mut properties = profile.clone();
                if let Some(p) = properties.as_object_mut() {
                    p.remove("name");
                }
                pools.push(Found {
                    id: format!("{}/agentPools/{name}", f.id),
                    kind: Kind::NodePool,
                    body: serde_json::json!({ "name": name, "properties": properties }),
                });
            }
        }
        // System pools first, as the model orders them (the first goes inline on create).
        pools.sort_by_key(|p| {
            let system = text_at(&p.body, "properties.mode")
                .is_none_or(|m| m.eq_ignore_ascii_case("System"));
            (!system, p.id.to_ascii_lowercase())
        });
        let zone_sets: BTreeSet<Vec<String>> = pools
            .iter()
            .map(|p| {
                let mut z = strings(at(&p.body, "properties.availabilityZones"));
                z.sort();
                z
            })
            .collect();
        let shared_zones = (zone_sets.len() == 1)
            .then(|| zone_sets.iter().next().cloned())
            .flatten()
            .filter(|z| !z.is_empty());
        if let Some(zones) = &shared_zones {
            m.set("zones", zone_list(zones));
        }
        let cluster_version = text_at(&f.body, "properties.kubernetesVersion").map(str::to_string);
        let plugin = text_at(&f.body, "properties.networkProfile.networkPlugin")
            .unwrap_or("azure")
            .to_ascii_lowercase();
        let overlay = text_at(&f.body, "properties.networkProfile.networkPluginMode").is_some();
        let subnet = self.node_subnet(&pools);
        for pool in &pools {
            let name = ResourceId::parse(&pool.id)
                .map(|i| i.name().to_string())
                .unwrap_or_default();
            let p = &pool.body;
            let mut s = Map::new();
            let mode = text_at(p, "properties.mode").unwrap_or("System");
            if mode.eq_ignore_ascii_case("System") {
                s.set("mode", "System");
            }
            s.set(
                "vmSize",
                text_at(p, "properties.vmSize").unwrap_or("Standard_D4ds_v5"),
            );
            let count = at(p, "properties.count").and_then(Value::as_u64);
            if bool_at(p, "properties.enableAutoScaling") == Some(true) {
                let mut a = Map::new();
                let min = at(p, "properties.minCount").and_then(Value::as_u64);
                let max = at(p, "properties.maxCount").and_then(Value::as_u64);
                a.set("min", min.unwrap_or(1));
                a.set("max", max.unwrap_or(1));
                s.set("autoscale", a);
            } else {
                s.set("count", count.unwrap_or(1));
            }
            let mut zones = strings(at(p, "properties.availabilityZones"));
            zones.sort();
            if shared_zones.is_none() && !zones.is_empty() {
                s.set("zones", zone_list(&zones));
            }
            let default_pods = match (plugin.as_str(), overlay) {
                ("azure", false) => 30,
                ("azure", true) => 250,
                _ => 110,
            };
            if let Some(pods) = at(p, "properties.maxPods")
                .and_then(Value::as_u64)
                .filter(|n| *n != default_pods)
            {
                s.set("maxPods", pods);
            }
            let mut disk = Map::new();
            if let Some(size) = at(p, "properties.osDiskSizeGB")
                .and_then(Value::as_u64)
                .filter(|n| *n != 128 && *n != 0)
            {
                disk.set("sizeGb", size);
            }
            if let Some(t) = text_at(p, "properties.osDiskType").filter(|t| *t == "Ephemeral") {
                disk.set("type", t);
            }
            if !disk.is_empty() {
                s.set("osDisk", disk);
            }
            if let Some(sku) = text_at(p, "properties.osSKU")
                .filter(|s| ["AzureLinux", "Ubuntu2204", "Ubuntu2404"].contains(s))
            {
                s.set("osSku", sku);
            }
            if let Some(labels) = at(p, "properties.nodeLabels").and_then(Value::as_object)
                && !labels.is_empty()
            {
                let mut l = Map::new();
                for (k, v) in labels {
                    l.set(k, Y::from(v));
                }
                s.set("labels", l);
            }
            let taints = strings(at(p, "properties.nodeTaints"));
            if !taints.is_empty() {
                s.set("taints", taints);
            }
            if let Some(id) = text_at(p, "properties.vnetSubnetID") {
                let reference = self.reference(id);
                if subnet.as_deref() != Some(reference.as_str()) {
                    s.set("subnet", reference);
                }
            }
            if let Some(v) = text_at(p, "properties.orchestratorVersion")
                && cluster_version
                    .as_deref()
                    .is_none_or(|c| !c.starts_with(v) && !v.starts_with(c))
            {
                s.set("kubernetesVersion", v);
            }
            // Upgrade settings other than AKS's defaults (AgentPoolUpgradeSettings, AKS
            // 2026-08-01: surge 10%, unavailable 0, drain 30 minutes, soak 0).
            let mut upgrade = Map::new();
            if let Some(v) =
                text_at(p, "properties.upgradeSettings.maxSurge").filter(|v| *v != "10%")
            {
                upgrade.set("maxSurge", v);
            }
            if let Some(v) =
                text_at(p, "properties.upgradeSettings.maxUnavailable").filter(|v| *v != "0")
            {
                upgrade.set("maxUnavailable", v);
            }
            if let Some(n) = at(p, "properties.upgradeSettings.drainTimeoutInMinutes")
                .and_then(Value::as_u64)
                .filter(|n| *n != 30)
            {
                upgrade.set("drainTimeoutMinutes", n);
            }
            if let Some(n) = at(p, "properties.upgradeSettings.nodeSoakDurationInMinutes")
                .and_then(Value::as_u64)
                .filter(|n| *n != 0)
            {
                upgrade.set("soakMinutes", n);
            }
            if !upgrade.is_empty() {
                s.set("upgrade", upgrade);
            }
            let tags = super::spec::own_tags(&serde_json::json!({
                "tags": at(p, "properties.tags").cloned().unwrap_or(Value::Null)
            }));
            if !tags.is_empty() {
                s.set("tags", tags_map(&tags));
            }
            let address = format!("{}/{name}", entry.address);
            self.capture(Kind::NodePool, &address, p);
            // OS SKUs the spec does not name (Windows, Mariner): kept as Azure has them.
            if let Some(sku) = text_at(p, "properties.osSKU")
                .filter(|s| !["Ubuntu", "AzureLinux", "Ubuntu2204", "Ubuntu2404"].contains(s))
            {
                self.captured
                    .entry(address.clone())
                    .or_default()
                    .insert("properties.osSKU".into(), Value::String(sku.into()));
            }
            entry.children.push((name, address, s));
        }
        m.set("nodePools", Y::Map(Map::new()));
        if let Some(subnet) = subnet {
            self.pending_subnet = Some(subnet);
        }
    }

    /// The subnet most pools use (the cluster network's `subnet`), as a reference.
    fn node_subnet(&mut self, pools: &[Found]) -> Option<String> {
        let first = pools
            .iter()
            .find(|p| {
                text_at(&p.body, "properties.mode").is_none_or(|m| m.eq_ignore_ascii_case("System"))
            })
            .or(pools.first())?;
        let id = text_at(&first.body, "properties.vnetSubnetID")?.to_string();
        Some(self.reference(&id))
    }

    fn autoscaler(&mut self, b: &Value, m: &mut Map) {
        let Some(profile) = at(b, "properties.autoScalerProfile").and_then(Value::as_object) else {
            return;
        };
        let mut out = Map::new();
        for (aks, spec, default) in AUTOSCALER {
            let Some(value) = profile.get(aks).filter(|v| !v.is_null()) else {
                continue;
            };
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if text == default {
                continue;
            }
            let y = if NUMBERS.contains(&spec) {
                text.parse::<u64>()
                    .map_or_else(|_| Y::from(text.clone()), Y::from)
            } else if let Ok(flag) = text.parse::<bool>() {
                Y::from(flag)
            } else {
                Y::from(text)
            };
            out.set(spec, y);
        }
        if !out.is_empty() {
            m.set("autoscalerProfile", out);
        }
    }

    fn network(&mut self, f: &Found, m: &mut Map) {
        let b = &f.body;
        let n = "properties.networkProfile";
        let mut net = Map::new();
        let plugin = text_at(b, &format!("{n}.networkPlugin")).unwrap_or("azure");
        if !plugin.eq_ignore_ascii_case("azure") {
            net.set("plugin", plugin.to_ascii_lowercase());
        }
        let overlay = text_at(b, &format!("{n}.networkPluginMode"))
            .is_some_and(|p| p.eq_ignore_ascii_case("overlay"));
        if overlay {
            net.set("pluginMode", "overlay");
        }
        if let Some(policy) =
            text_at(b, &format!("{n}.networkPolicy")).filter(|p| !p.eq_ignore_ascii_case("none"))
        {
            net.set("policy", policy.to_ascii_lowercase());
        }
        if let Some(dataplane) = text_at(b, &format!("{n}.networkDataplane"))
            .filter(|d| !d.eq_ignore_ascii_case("azure"))
        {
            net.set("dataplane", dataplane.to_ascii_lowercase());
        }
        if let Some(subnet) = self.pending_subnet.take() {
            net.set("subnet", subnet);
        }
        if (plugin.eq_ignore_ascii_case("kubenet") || overlay)
            && let Some(cidr) = text_at(b, &format!("{n}.podCidr"))
                // podCidr "10.244.0.0/16" is AKS's default (AKS 2026-08-01).
                .filter(|c| *c != "10.244.0.0/16")
        {
            net.set("podCidr", cidr);
        }
        // AKS's defaults: "10.0.0.0/16" and "10.0.0.10" (serviceCidr, dnsServiceIP, AKS
        // 2026-08-01), fixed at creation and not compared when the spec leaves them out.
        if let (Some(cidr), Some(ip)) = (
            text_at(b, &format!("{n}.serviceCidr")),
            text_at(b, &format!("{n}.dnsServiceIP")),
        ) && (cidr, ip) != ("10.0.0.0/16", "10.0.0.10")
        {
            net.set("serviceCidr", cidr);
            net.set("dnsServiceIp", ip);
        }
        let outbound = text_at(b, &format!("{n}.outboundType")).unwrap_or("loadBalancer");
        let outbound_name = match outbound.to_ascii_lowercase().as_str() {
            "userdefinedrouting" => Some("userDefinedRouting"),
            "managednatgateway" => Some("managedNatGateway"),
            "userassignednatgateway" => Some("userAssignedNatGateway"),
            "none" => Some("none"),
            _ => None,
        };
        if let Some(o) = outbound_name {
            net.set("outboundType", o);
        }
        let mut lb = Map::new();
        if text_at(b, &format!("{n}.loadBalancerSku"))
            .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
        {
            lb.set("sku", "basic");
        }
        let p = format!("{n}.loadBalancerProfile");
        if let Some(ips) = at(b, &format!("{p}.managedOutboundIPs.count"))
            .and_then(Value::as_u64)
            .filter(|c| *c != 1)
        {
            lb.set("managedOutboundIps", ips);
        }
        if let Some(ports) = at(b, &format!("{p}.allocatedOutboundPorts"))
            .and_then(Value::as_u64)
            .filter(|p| *p != 0)
        {
            lb.set("allocatedOutboundPorts", ports);
        }
        if let Some(idle) = at(b, &format!("{p}.idleTimeoutInMinutes"))
            .and_then(Value::as_u64)
            .filter(|i| *i != 30)
        {
            lb.set("idleTimeoutMinutes", idle);
        }
        if !lb.is_empty() {
            net.set("loadBalancer", lb);
        }
        if !net.is_empty() {
            m.set("network", net);
        }
    }

    fn addons(&mut self, f: &Found, m: &mut Map) {
        let b = &f.body;
        if addon_on(b, "omsagent")
            && let Some(config) = addon(b, "omsagent").and_then(|a| a.get("config"))
        {
            let workspace = config
                .as_object()
                .and_then(|c| {
                    c.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("logAnalyticsWorkspaceResourceID"))
                })
                .and_then(|(_, v)| v.as_str());
            if let Some(workspace) = workspace {
                let mut ci = Map::new();
                let reference = self.reference(workspace);
                ci.set("workspace", reference);
                let aad_auth = config
                    .as_object()
                    .and_then(|c| c.iter().find(|(k, _)| k.eq_ignore_ascii_case("useAADAuth")))
                    .map(|(_, v)| v.as_str().map_or(v.to_string(), str::to_string));
                if aad_auth
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case("false"))
                {
                    ci.set("useAadAuth", false);
                }
                m.set("containerInsights", ci);
            }
        }
        if addon_on(b, "aciConnectorLinux")
            && let Some(subnet_name) = addon(b, "aciConnectorLinux")
                .and_then(|a| a.get("config"))
                .and_then(Value::as_object)
                .and_then(|c| c.iter().find(|(k, _)| k.eq_ignore_ascii_case("SubnetName")))
                .and_then(|(_, v)| v.as_str())
        {
            // The connector's subnet is named in the cluster's VNet.
            let vnet = self
                .children_of(&f.id, Kind::NodePool)
                .iter()
                .find_map(|p| {
                    let id = text_at(&p.body, "properties.vnetSubnetID")?;
                    Some(ResourceId::parse(id)?.parent()?.to_string())
                });
            let vnet = vnet.or_else(|| {
                at(&f.body, "properties.agentPoolProfiles")
                    .and_then(Value::as_array)
                    .and_then(|p| p.first())
                    .and_then(|p| text_at(p, "vnetSubnetID"))
                    .and_then(ResourceId::parse)
                    .and_then(|i| i.parent())
                    .map(|p| p.to_string())
            });
            if let Some(vnet) = vnet {
                let reference = self.reference(&format!("{vnet}/subnets/{subnet_name}"));
                let mut v = Map::new();
                v.set("subnet", reference);
                m.set("virtualNodes", v);
            }
        }
        let ar = "properties.ingressProfile.webAppRouting";
        if bool_at(b, &format!("{ar}.enabled")) == Some(true) {
            let mut a = Map::new();
            let zones = strings(at(b, &format!("{ar}.dnsZoneResourceIds")));
            let references: Vec<String> = zones.iter().map(|z| self.reference(z)).collect();
            if !references.is_empty() {
                a.set("dnsZones", references);
            }
            if let Some(nginx) = text_at(b, &format!("{ar}.nginx.defaultIngressControllerType"))
                .filter(|n| !n.eq_ignore_ascii_case("AnnotationControlled"))
            {
                a.set("nginx", nginx);
            }
            let granted = self.folded.dns_granted.get(&lower(&f.id));
            if !zones.is_empty() && granted.is_none_or(BTreeSet::is_empty) {
                a.set("grantDnsZoneAccess", false);
            }
            m.set("appRouting", a);
        }
        if addon_on(b, "httpApplicationRouting") {
            m.set("httpApplicationRouting", true);
        }
        if addon_on(b, "azurepolicy") {
            m.set("azurePolicy", true);
        }
        self.secrets_and_gateway_addons(b, m);
    }

    /// The Key Vault secrets provider and Application Gateway ingress add-ons, back to the
    /// spec (config keys as `kinds::cluster::addons` sends them; AKS's defaults left out).
    fn secrets_and_gateway_addons(&mut self, b: &Value, m: &mut Map) {
        let config = |name: &str, key: &str| -> Option<String> {
            addon(b, name)?
                .get("config")?
                .as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string)
        };
        let kv = "azureKeyvaultSecretsProvider";
        if addon_on(b, kv) {
            let mut p = Map::new();
            if config(kv, "enableSecretRotation").is_some_and(|r| r.eq_ignore_ascii_case("true")) {
                p.set("secretRotation", true);
            }
            if let Some(interval) = config(kv, "rotationPollInterval").filter(|i| i != "2m") {
                p.set("rotationPollInterval", interval);
            }
            m.set("keyVaultSecretsProvider", p);
        }
        let gw = "ingressApplicationGateway";
        if addon_on(b, gw) {
            let mut g = Map::new();
            if let Some(id) = config(gw, "applicationGatewayId") {
                let reference = self.reference(&id);
                g.set("gateway", reference);
            } else {
                if let Some(name) = config(gw, "applicationGatewayName") {
                    g.set("name", name);
                }
                if let Some(subnet) = config(gw, "subnetId") {
                    let reference = self.reference(&subnet);
                    g.set("subnet", reference);
                } else if let Some(cidr) = config(gw, "subnetCIDR") {
                    g.set("subnetCidr", cidr);
                }
            }
            m.set("ingressApplicationGateway", g);
        }
    }
}

fn bool_at(body: &Value, path: &str) -> Option<bool> {
    match at(body, path)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn zone_list(zones: &[String]) -> Y {
    Y::List(
        zones
            .iter()
            .map(|z| {
                z.parse::<u64>()
                    .map_or_else(|_| Y::from(z.clone()), Y::from)
            })
            .collect(),
    )
}

fn api_server(b: &Value, m: &mut Map) {
    let p = "properties.apiServerAccessProfile";
    let mut a = Map::new();
    if bool_at(b, &format!("{p}.enablePrivateCluster")) == Some(true) {
        a.set("private", true);
    }
    let ranges = strings(at(b, &format!("{p}.authorizedIPRanges")));
    if !ranges.is_empty() {
        a.set("authorizedIpRanges", ranges);
    }
    if let Some(zone) = text_at(b, &format!("{p}.privateDNSZone")) {
        a.set("privateDnsZone", zone);
    }
    if !a.is_empty() {
        m.set("apiServer", a);
    }
}

fn aad(b: &Value, home_tenant: Option<&str>, m: &mut Map) {
    let p = "properties.aadProfile";
    if bool_at(b, &format!("{p}.managed")) != Some(true) {
        return;
    }
    let mut a = Map::new();
    let groups = strings(at(b, &format!("{p}.adminGroupObjectIDs")));
    if !groups.is_empty() {
        a.set("adminGroups", groups);
    }
    if bool_at(b, &format!("{p}.enableAzureRBAC")) != Some(true) {
        a.set("azureRbac", false);
    }
    if bool_at(b, "properties.disableLocalAccounts") == Some(true) {
        a.set("disableLocalAccounts", true);
    }
    if let Some(tenant) = text_at(b, &format!("{p}.tenantID"))
        .filter(|t| home_tenant.is_none_or(|h| !h.eq_ignore_ascii_case(t)))
    {
        a.set("tenantId", tenant);
    }
    m.set("aad", a);
}

/// Managed Prometheus as `azureMonitor:` when the metrics add-on is on, with the allowlists AKS
/// does not answer as empty (`kinds::cluster::monitor`); off (AKS's answer for every cluster
/// without it) writes nothing.
fn azure_monitor(b: &Value) -> Option<Map> {
    if bool_at(b, "properties.azureMonitorProfile.metrics.enabled") != Some(true) {
        return None;
    }
    let mut monitor = Map::new();
    monitor.set("metrics", true);
    let mut ksm = Map::new();
    for key in ["metricLabelsAllowlist", "metricAnnotationsAllowList"] {
        let path = format!("properties.azureMonitorProfile.metrics.kubeStateMetrics.{key}");
        if let Some(list) = text_at(b, &path).filter(|l| !l.is_empty()) {
            ksm.set(key, list);
        }
    }
    if !ksm.is_empty() {
        monitor.set("kubeStateMetrics", ksm);
    }
    Some(monitor)
}
