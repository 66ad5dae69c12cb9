//! From live bodies to spec entries, kind by kind: each the inverse of the body its kind's
//! module in `kinds/` renders, leaving out what the spec's defaults and the kind's
//! `server_defaults` already say, and writing references (`identity/app`, `vnet/net/nodes`)
//! wherever the target is imported too.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::names;
use super::select::Found;
use super::yaml_out::{Map, Y};
use crate::id::ResourceId;
use crate::kind::{self, Kind};
use crate::kinds::OWNER_TAG;
use crate::live::LiveState;

/// A value at a dotted path of a body.
pub(super) fn at<'v>(body: &'v Value, path: &str) -> Option<&'v Value> {
    crate::plan::lookup(body, path).filter(|v| !v.is_null())
}

pub(super) fn text_at<'v>(body: &'v Value, path: &str) -> Option<&'v str> {
    at(body, path).and_then(Value::as_str)
}

fn bool_at(body: &Value, path: &str) -> Option<bool> {
    match at(body, path)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn same_location(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.replace(' ', "").to_ascii_lowercase();
    norm(a) == norm(b)
}

/// A role assignment that a cluster setting derives (AcrPull for an attached registry, DNS Zone
/// Contributor for app routing): it comes back as that setting.
#[derive(Debug, Default)]
pub(super) struct Folded {
    /// Per cluster ID: the registries (references) it pulls from.
    pub attached: BTreeMap<String, Vec<String>>,
    /// Per cluster ID: the lower-cased zone IDs app routing was granted.
    pub dns_granted: BTreeMap<String, BTreeSet<String>>,
    /// Role assignment IDs that are folded.
    pub ids: BTreeSet<String>,
}

/// A spec entry and where it goes.
#[derive(Debug, Clone)]
pub(super) struct SpecEntry {
    pub section: &'static str,
    pub key: String,
    pub address: String,
    pub map: Map,
    /// Child entries (subnets, node pools, credentials): (name, address, map).
    pub children: Vec<(String, String, Map)>,
    pub comment: Vec<String>,
}

pub(super) struct Importer<'a> {
    pub live: &'a LiveState,
    pub found: &'a BTreeMap<String, Found>,
    pub stack: String,
    pub subscription: String,
    pub location: Option<String>,
    /// Lower-cased ID of the stack's default group.
    pub default_group: Option<String>,
    pub common_tags: BTreeMap<String, String>,
    /// Lower-cased ID → key, for top-level resources and role assignments.
    pub keys: BTreeMap<String, String>,
    /// Lower-cased ID → key of an `existing:` entry, with the ID as live state spells it.
    pub existing: BTreeMap<String, (String, String)>,
    pub folded: Folded,
    /// The node subnet found among a cluster's pools, for its `network.subnet`.
    pub pending_subnet: Option<String>,
    /// `resourceGroup:` of the stack.
    pub default_group_ref: Option<String>,
    /// Per address: settings the spec has no field for, written with `raw:` (path → value).
    pub captured: BTreeMap<String, BTreeMap<String, Value>>,
    pub notes: Vec<String>,
}

impl<'a> Importer<'a> {
    pub(super) fn new(
        live: &'a LiveState,
        found: &'a BTreeMap<String, Found>,
        stack: String,
    ) -> Importer<'a> {
        let subscription = found
            .values()
            .find_map(|f| ResourceId::parse(&f.id).map(|i| i.subscription().to_string()))
            .unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".into());
        let mut importer = Importer {
            live,
            found,
            stack,
            subscription,
            location: None,
            default_group: None,
            common_tags: BTreeMap::new(),
            keys: BTreeMap::new(),
            existing: BTreeMap::new(),
            folded: Folded::default(),
            pending_subnet: None,
            default_group_ref: None,
            captured: BTreeMap::new(),
            notes: Vec::new(),
        };
        importer.settings();
        importer.assign_keys();
        importer.fold_derived();
        importer
    }

    fn top_level(&self) -> impl Iterator<Item = (&String, &Found)> {
        self.found
            .iter()
            .filter(|(_, f)| f.kind.parent().is_none() && f.kind != Kind::RoleAssignment)
    }

    /// The stack's location, default group and common tags: what most resources share.
    fn settings(&mut self) {
        let mut locations: BTreeMap<String, usize> = BTreeMap::new();
        let mut groups: BTreeMap<String, usize> = BTreeMap::new();
        let mut tag_sets: Vec<BTreeMap<String, String>> = Vec::new();
        for (_, f) in self.top_level() {
            if let Some(l) = text_at(&f.body, "location").filter(|l| *l != "global") {
                *locations
                    .entry(l.replace(' ', "").to_ascii_lowercase())
                    .or_default() += 1;
            }
            if f.kind != Kind::ResourceGroup
                && let Some(g) = group_of(&f.id)
            {
                *groups.entry(g.to_ascii_lowercase()).or_default() += 1;
            }
            if f.kind.def().taggable {
                tag_sets.push(own_tags(&f.body));
            }
        }
        let most = |m: &BTreeMap<String, usize>| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(k, _)| k.clone())
        };
        self.location = most(&locations);
        self.default_group = most(&groups);
        if tag_sets.len() >= 2 {
            let mut common = tag_sets[0].clone();
            for set in &tag_sets[1..] {
                common.retain(|k, v| set.get(k) == Some(v));
            }
            self.common_tags = common;
        }
    }

    /// Keys: recovered from ownership marks where a stack left them, otherwise Azure names.
    fn assign_keys(&mut self) {
        let mut hints: BTreeMap<String, String> = BTreeMap::new();
        let assignments: Vec<&Found> = self
            .found
            .values()
            .filter(|f| f.kind == Kind::RoleAssignment)
            .collect();
        for ra in &assignments {
            let description = text_at(&ra.body, "properties.description").unwrap_or_default();
            let mark = names::ownership_mark(description);
            if let Some((_, key, _)) = &mark {
                hints
                    .entry(ra.id.to_ascii_lowercase())
                    .or_insert(key.clone());
            }
            let (scope, role, principal_id, name) = match ra_parts(ra) {
                Some(parts) => parts,
                None => continue,
            };
            let ra_key = mark.as_ref().map(|(_, k, _)| k.clone()).unwrap_or_default();
            // Derived names say their cluster and target: `CLUSTER-acrpull-TARGET`.
            for marker in ["-acrpull-", "-approuting-dns-"] {
                if let Some((cluster_key, target_key)) = ra_key.split_once(marker)
                    && let Some((cluster_id, _)) = self.cluster_principal(&principal_id)
                {
                    hints.entry(cluster_id).or_insert(cluster_key.to_string());
                    hints
                        .entry(scope.to_ascii_lowercase())
                        .or_insert(target_key.to_string());
                }
            }
            // Principals by address: find the key that gives the assignment's own name.
            for (owner_id, facet) in self.principal_owners(&principal_id) {
                let Some(owner) = self.found.get(&owner_id) else {
                    continue;
                };
                let azure_name = ResourceId::parse(&owner.id)
                    .map(|i| i.name().to_string())
                    .unwrap_or_default();
                let mut tries = names::candidates(&azure_name);
                tries.extend(names::candidates(&ra_key));
                let prefix = owner.kind.prefix();
                let hit = tries.into_iter().find(|c| {
                    let principal = match &facet {
                        Some(facet) => format!("{prefix}/{c}:{facet}"),
                        None => format!("{prefix}/{c}"),
                    };
                    names::role_assignment_name(&scope, &role, &principal) == name
                });
                if let Some(key) = hit {
                    hints.entry(owner_id).or_insert(key);
                }
            }
        }
        // Top-level resources, in ID order so keys are stable.
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let ids: Vec<(String, Kind, String)> = self
            .found
            .iter()
            .filter(|(_, f)| f.kind.parent().is_none())
            .map(|(lower, f)| {
                let name = ResourceId::parse(&f.id)
                    .map(|i| i.name().to_string())
                    .unwrap_or_default();
                (lower.clone(), f.kind, name)
            })
            .collect();
        // Hinted keys first, so a default never takes a recovered one.
        for (lower, kind, _) in &ids {
            if let Some(key) = hints.get(lower)
                && taken.insert(format!("{}/{key}", kind.prefix()))
            {
                self.keys.insert(lower.clone(), key.clone());
            }
        }
        for (lower, kind, name) in &ids {
            if self.keys.contains_key(lower) {
                continue;
            }
            let base = match kind {
                Kind::DnsZone => name.split('.').next().unwrap_or(name).to_string(),
                Kind::RoleAssignment => self.assignment_key(lower),
                _ => name.clone(),
            };
            let mut key = base.clone();
            let mut n = 2;
            while !taken.insert(format!("{}/{key}", kind.prefix())) {
                key = format!("{base}-{n}");
                n += 1;
            }
            self.keys.insert(lower.clone(), key);
        }
        // Existing entries may take hinted keys too (an attached registry of another team).
        for (lower, key) in hints {
            if !self.found.contains_key(&lower) {
                self.existing_key_hint(&lower, &key);
            }
        }
    }

    /// A readable key for a role assignment with no mark: `ROLE-on-SCOPE`.
    fn assignment_key(&self, lower: &str) -> String {
        let Some(ra) = self.found.get(lower) else {
            return "assignment".into();
        };
        let role = text_at(&ra.body, "properties.roleDefinitionId")
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_ascii_lowercase())
            .unwrap_or_default();
        let role_name = crate::roles::resolve(&role)
            .and_then(|r| r.name)
            .map_or(role.clone(), |n| n.to_ascii_lowercase().replace(' ', "-"));
        let scope = ra_scope(ra).unwrap_or_default();
        let scope_name = ResourceId::parse(&scope)
            .map(|i| i.name().to_string())
            .unwrap_or_else(|| "subscription".into());
        format!("{role_name}-{scope_name}")
    }

    fn existing_key_hint(&mut self, lower: &str, key: &str) {
        let Some(body) = self.live.get(lower) else {
            return;
        };
        let id = body
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(lower)
            .to_string();
        if !self.existing.values().any(|(k, _)| k == key) {
            self.existing
                .insert(lower.to_string(), (key.to_string(), id));
        }
    }

    /// The clusters and identities whose identity has this object ID, with the cluster facet
    /// (`kubelet`, `appRouting`, …) where it is a cluster's.
    pub(super) fn principal_owners(&self, principal_id: &str) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for (lower, f) in self.found.iter() {
            match f.kind {
                Kind::Identity
                    if text_at(&f.body, "properties.principalId")
                        .is_some_and(|p| p.eq_ignore_ascii_case(principal_id)) =>
                {
                    out.push((lower.clone(), None));
                }
                Kind::Cluster => {
                    for (facet, path) in CLUSTER_PRINCIPALS {
                        if text_at(&f.body, path)
                            .is_some_and(|p| p.eq_ignore_ascii_case(principal_id))
                        {
                            out.push((lower.clone(), Some(facet.to_string())));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The cluster (lower-cased ID) and facet whose identity this is, if any.
    fn cluster_principal(&self, principal_id: &str) -> Option<(String, String)> {
        self.principal_owners(principal_id)
            .into_iter()
            .find_map(|(id, facet)| facet.map(|f| (id, f)))
    }

    pub(super) fn key(&self, lower: &str) -> Option<&str> {
        self.keys
            .get(&lower.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The address of an imported resource.
    pub(super) fn address(&self, id: &str) -> Option<String> {
        let lower = id.to_ascii_lowercase();
        let f = self.found.get(&lower)?;
        if f.kind.parent().is_some() {
            let parsed = ResourceId::parse(&f.id)?;
            let parent = parsed.parent()?.to_string().to_ascii_lowercase();
            let parent_key = self.key(&parent)?;
            return Some(format!(
                "{}/{parent_key}/{}",
                f.kind.prefix(),
                parsed.name()
            ));
        }
        Some(format!("{}/{}", f.kind.prefix(), self.key(&lower)?))
    }

    /// How the spec refers to a resource: its address when imported, `existing/NAME` when live
    /// state has it, otherwise its ARM ID.
    pub(super) fn reference(&mut self, id: &str) -> String {
        if let Some(address) = self.address(id) {
            return address;
        }
        let Some(parsed) = ResourceId::parse(id) else {
            return id.to_string();
        };
        let subnet_type = Kind::Subnet.def().arm[0].path;
        if parsed.arm_type().eq_ignore_ascii_case(subnet_type)
            && let Some(vnet) = parsed.parent()
        {
            let vnet_ref = self.reference(&vnet.to_string());
            if !vnet_ref.starts_with('/') {
                return format!("{vnet_ref}/{}", parsed.name());
            }
            return id.to_string();
        }
        match self.existing_entry(id) {
            Some(key) => format!("existing/{key}"),
            None => id.to_string(),
        }
    }

    /// The key of the `existing:` entry for a resource live state has.
    fn existing_entry(&mut self, id: &str) -> Option<String> {
        let lower = id.to_ascii_lowercase();
        if let Some((key, _)) = self.existing.get(&lower) {
            return Some(key.clone());
        }
        let body = self.live.get(&lower)?;
        let id = body.get("id").and_then(Value::as_str).unwrap_or(id);
        let name = ResourceId::parse(id)?.name().to_string();
        let mut key = name.clone();
        let mut n = 2;
        while self.existing.values().any(|(k, _)| *k == key) {
            key = format!("{name}-{n}");
            n += 1;
        }
        self.existing.insert(lower, (key.clone(), id.to_string()));
        Some(key)
    }

    /// `resourceGroup:` for a resource, when it is not the stack's default.
    fn group_setting(&mut self, id: &str) -> Option<String> {
        let group = group_of(id)?;
        if self.default_group.as_deref() == Some(group.to_ascii_lowercase().as_str()) {
            return None;
        }
        Some(self.group_reference(&group))
    }

    /// A group as `resourceGroup:` takes it: a key, or `existing/NAME`.
    pub(super) fn group_reference(&mut self, group_id: &str) -> String {
        match self.key(group_id) {
            Some(key) => key.to_string(),
            None => {
                let key = self.existing_entry(group_id).unwrap_or_else(|| {
                    let name = ResourceId::parse(group_id)
                        .map(|i| i.name().to_string())
                        .unwrap_or_default();
                    self.existing.insert(
                        group_id.to_ascii_lowercase(),
                        (name.clone(), group_id.into()),
                    );
                    name
                });
                format!("existing/{key}")
            }
        }
    }

    /// Role assignments that a cluster setting derives, found by the names azplan gives them.
    fn fold_derived(&mut self) {
        let acr_pull = crate::roles::resolve(crate::roles::ACR_PULL).map(|r| r.guid);
        let dns = crate::roles::resolve(crate::roles::DNS_ZONE_CONTRIBUTOR).map(|r| r.guid);
        let assignments: Vec<Found> = self
            .found
            .values()
            .filter(|f| f.kind == Kind::RoleAssignment)
            .cloned()
            .collect();
        for ra in assignments {
            let Some((scope, role, principal_id, name)) = ra_parts(&ra) else {
                continue;
            };
            let Some((cluster_id, facet)) = self.cluster_principal(&principal_id) else {
                continue;
            };
            let Some(cluster_key) = self.key(&cluster_id).map(str::to_string) else {
                continue;
            };
            let principal = format!("cluster/{cluster_key}:{facet}");
            if names::role_assignment_name(&scope, &role, &principal) != name {
                continue;
            }
            if Some(&role) == acr_pull.as_ref() && facet == "kubelet" {
                let target = self.reference(&scope);
                self.folded
                    .attached
                    .entry(cluster_id)
                    .or_default()
                    .push(target);
                self.folded.ids.insert(ra.id.to_ascii_lowercase());
            } else if Some(&role) == dns.as_ref() && facet == "appRouting" {
                let zones = self.found.get(&cluster_id).and_then(|c| {
                    at(
                        &c.body,
                        "properties.ingressProfile.webAppRouting.dnsZoneResourceIds",
                    )
                    .and_then(Value::as_array)
                    .cloned()
                });
                let listed = zones
                    .into_iter()
                    .flatten()
                    .any(|z| z.as_str().is_some_and(|z| z.eq_ignore_ascii_case(&scope)));
                if listed {
                    self.folded
                        .dns_granted
                        .entry(cluster_id)
                        .or_default()
                        .insert(scope.to_ascii_lowercase());
                    self.folded.ids.insert(ra.id.to_ascii_lowercase());
                }
            }
        }
    }

    /// Location, tags, group and name: what every top-level entry starts with.
    fn common(&mut self, f: &Found, key: &str, map: &mut Map) {
        let name = ResourceId::parse(&f.id)
            .map(|i| i.name().to_string())
            .unwrap_or_default();
        if name != key {
            map.set("name", name);
        }
        if f.kind != Kind::ResourceGroup
            && let Some(group) = self.group_setting(&f.id)
        {
            map.set("resourceGroup", group);
        }
        if f.kind != Kind::DnsZone
            && let Some(location) = text_at(&f.body, "location")
            && !self
                .location
                .as_deref()
                .is_some_and(|l| same_location(l, location))
        {
            map.set("location", location);
        }
        let mut tags = own_tags(&f.body);
        tags.retain(|k, v| self.common_tags.get(k) != Some(v));
        if !tags.is_empty() {
            map.set("tags", tags_map(&tags));
        }
    }

    /// Every spec entry, in section order.
    pub(super) fn entries(&mut self) -> Vec<SpecEntry> {
        self.default_group_ref = self.default_group.clone().map(|g| self.group_reference(&g));
        let mut out = Vec::new();
        let found: Vec<(String, Found)> = self
            .found
            .iter()
            .map(|(k, f)| (k.clone(), f.clone()))
            .collect();
        let order = [
            Kind::ResourceGroup,
            Kind::Workspace,
            Kind::Registry,
            Kind::VirtualNetwork,
            Kind::DnsZone,
            Kind::Identity,
            Kind::Cluster,
            Kind::RoleAssignment,
        ];
        for kind in order {
            for (lower, f) in found.iter().filter(|(_, f)| f.kind == kind) {
                if kind == Kind::RoleAssignment && self.folded.ids.contains(lower) {
                    continue;
                }
                let Some(key) = self.key(lower).map(str::to_string) else {
                    continue;
                };
                let mut entry = SpecEntry {
                    section: kind.def().section.unwrap_or_default(),
                    address: format!("{}/{key}", kind.prefix()),
                    key: key.clone(),
                    map: Map::new(),
                    children: Vec::new(),
                    comment: Vec::new(),
                };
                if kind != Kind::RoleAssignment {
                    let mut map = Map::new();
                    self.common(f, &key, &mut map);
                    entry.map = map;
                }
                self.capture(kind, &entry.address, &f.body);
                match kind {
                    Kind::Registry => registry(&f.body, &mut entry.map),
                    Kind::Workspace => workspace(&f.body, &mut entry.map),
                    Kind::VirtualNetwork => self.vnet(f, &mut entry),
                    Kind::DnsZone => dns_zone(f, &mut entry.map),
                    Kind::Identity => self.identity(f, &mut entry),
                    Kind::Cluster => self.cluster(f, &mut entry),
                    Kind::RoleAssignment => self.role_assignment(f, &mut entry),
                    _ => {}
                }
                out.push(entry);
            }
        }
        out
    }

    /// Records the settings of a body the spec cannot write, for `raw:`.
    pub(super) fn capture(&mut self, kind: Kind, address: &str, body: &Value) {
        let found = super::unmodelled::captured(kind, body);
        if !found.is_empty() {
            self.captured
                .entry(address.to_string())
                .or_default()
                .extend(found);
        }
    }

    /// Children of an imported parent, by kind, in name order.
    pub(super) fn children_of(&self, parent_id: &str, kind: Kind) -> Vec<Found> {
        let parent = parent_id.to_ascii_lowercase();
        self.found
            .values()
            .filter(|f| {
                f.kind == kind
                    && ResourceId::parse(&f.id)
                        .and_then(|i| i.parent())
                        .is_some_and(|p| p.to_string().eq_ignore_ascii_case(&parent))
            })
            .cloned()
            .collect()
    }

    fn vnet(&mut self, f: &Found, entry: &mut SpecEntry) {
        let map = &mut entry.map;
        let prefixes = strings(at(&f.body, "properties.addressSpace.addressPrefixes"));
        map.set("addressSpace", prefixes);
        let dns = strings(at(&f.body, "properties.dhcpOptions.dnsServers"));
        if !dns.is_empty() {
            map.set("dnsServers", dns);
        }
        for subnet in self.children_of(&f.id, Kind::Subnet) {
            let name = ResourceId::parse(&subnet.id)
                .map(|i| i.name().to_string())
                .unwrap_or_default();
            let mut s = Map::new();
            let b = &subnet.body;
            let prefix = text_at(b, "properties.addressPrefix")
                .map(str::to_string)
                .or_else(|| {
                    strings(at(b, "properties.addressPrefixes"))
                        .into_iter()
                        .next()
                });
            s.set("prefix", prefix.unwrap_or_default());
            if let Some(service) = at(b, "properties.delegations")
                .and_then(Value::as_array)
                .and_then(|d| d.first())
                .and_then(|d| text_at(d, "properties.serviceName"))
            {
                s.set("delegation", service);
            }
            let endpoints: Vec<String> = at(b, "properties.serviceEndpoints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| text_at(e, "service").map(str::to_string))
                .collect();
            if !endpoints.is_empty() {
                s.set("serviceEndpoints", endpoints);
            }
            if let Some(access) = bool_at(b, "properties.defaultOutboundAccess") {
                s.set("defaultOutboundAccess", access);
            }
            let address = format!("{}/{name}", entry.address);
            self.capture(Kind::Subnet, &address, b);
            entry.children.push((name, address, s));
        }
    }

    fn identity(&mut self, f: &Found, entry: &mut SpecEntry) {
        let issuers: Vec<(String, String)> = self
            .found
            .iter()
            .filter(|(_, c)| c.kind == Kind::Cluster)
            .filter_map(|(lower, c)| {
                let url = text_at(&c.body, "properties.oidcIssuerProfile.issuerURL")?;
                Some((url.to_string(), lower.clone()))
            })
            .collect();
        for credential in self.children_of(&f.id, Kind::FederatedCredential) {
            let name = ResourceId::parse(&credential.id)
                .map(|i| i.name().to_string())
                .unwrap_or_default();
            let b = &credential.body;
            let mut c = Map::new();
            let issuer = text_at(b, "properties.issuer").unwrap_or_default();
            match issuers.iter().find(|(url, _)| url == issuer) {
                Some((_, cluster)) => {
                    let reference = self.reference(cluster);
                    c.set("cluster", reference);
                }
                None => c.set("issuer", issuer),
            }
            let subject = text_at(b, "properties.subject").unwrap_or_default();
            let parts: Vec<&str> = subject.split(':').collect();
            if parts.len() == 4 && parts[0] == "system" && parts[1] == "serviceaccount" {
                c.set("namespace", parts[2]);
                c.set("serviceAccount", parts[3]);
            } else {
                c.set("subject", subject);
            }
            let audiences = strings(at(b, "properties.audiences"));
            if audiences != ["api://AzureADTokenExchange"] {
                c.set("audiences", audiences);
            }
            let address = format!("{}/{name}", entry.address);
            entry.children.push((name, address, c));
        }
    }

    fn role_assignment(&mut self, f: &Found, entry: &mut SpecEntry) {
        let Some((scope, role, principal_id, name)) = ra_parts(f) else {
            return;
        };
        let map = &mut entry.map;
        let role_name = crate::roles::resolve(&role).and_then(|r| r.name);
        map.set("role", role_name.map_or(role.clone(), str::to_string));
        let scope_ref = self.scope_reference(&scope);
        entry.map.set("scope", scope_ref);
        // A principal of the stack by address: the one whose name azplan would derive.
        let mut principals: Vec<String> = Vec::new();
        for (owner, facet) in self.principal_owners(&principal_id) {
            if let Some(address) = self.address(&owner) {
                principals.push(match facet {
                    Some(facet) => format!("{address}:{facet}"),
                    None => address,
                });
            }
        }
        principals.sort_by_key(|p| p.contains(':'));
        let chosen = principals
            .iter()
            .find(|p| names::role_assignment_name(&scope, &role, p) == name)
            .or(principals.first())
            .cloned();
        let derived_name = match &chosen {
            Some(p) => {
                entry.map.set("principal", p.clone());
                names::role_assignment_name(&scope, &role, p)
            }
            None => {
                entry.map.set("principalId", principal_id.clone());
                let principal_type = text_at(&f.body, "properties.principalType")
                    .unwrap_or("ServicePrincipal")
                    .to_string();
                entry.map.set("principalType", principal_type);
                names::role_assignment_name(&scope, &role, &principal_id.to_ascii_lowercase())
            }
        };
        let description = text_at(&f.body, "properties.description").unwrap_or_default();
        let text = match names::ownership_mark(description) {
            Some((_, _, text)) => text,
            None => (!description.is_empty()).then(|| description.to_string()),
        };
        if let Some(text) = text {
            entry.map.set("description", text);
        }
        if !derived_name.eq_ignore_ascii_case(&name) {
            // Not the name azplan derives (made by another tool): keep Azure's.
            let mut named = Map::new();
            named.set("name", name);
            named.entries.append(&mut entry.map.entries);
            entry.map = named;
        }
    }

    /// A role assignment's scope as the spec writes it.
    fn scope_reference(&mut self, scope: &str) -> String {
        if scope.eq_ignore_ascii_case(&format!("/subscriptions/{}", self.subscription)) {
            return "subscription".into();
        }
        let clusters: Vec<(String, Value)> = self
            .found
            .iter()
            .filter(|(_, f)| f.kind == Kind::Cluster)
            .map(|(k, f)| (k.clone(), f.body.clone()))
            .collect();
        for (lower, body) in clusters {
            let Some(address) = self.address(&lower) else {
                continue;
            };
            if let Some(rest) = scope
                .to_ascii_lowercase()
                .strip_prefix(&format!("{lower}/namespaces/"))
            {
                let ns = &scope[scope.len() - rest.len()..];
                return format!("{address}:namespace/{ns}");
            }
            if let Some(node_group) = text_at(&body, "properties.nodeResourceGroup") {
                let node_id = format!(
                    "/subscriptions/{}/resourceGroups/{node_group}",
                    self.subscription
                );
                if node_id.eq_ignore_ascii_case(scope) && self.address(scope).is_none() {
                    return format!("{address}:nodeResourceGroup");
                }
            }
        }
        self.reference(scope)
    }
}

/// Where a cluster's identities show their object IDs, by principal facet.
pub(super) const CLUSTER_PRINCIPALS: [(&str, &str); 6] = [
    (
        "kubelet",
        "properties.identityProfile.kubeletidentity.objectId",
    ),
    ("controlPlane", "identity.principalId"),
    (
        "appRouting",
        "properties.ingressProfile.webAppRouting.identity.objectId",
    ),
    (
        "monitoring",
        "properties.addonProfiles.omsagent.identity.objectId",
    ),
    (
        "virtualNodes",
        "properties.addonProfiles.aciConnectorLinux.identity.objectId",
    ),
    (
        "azurePolicy",
        "properties.addonProfiles.azurepolicy.identity.objectId",
    ),
];

/// A role assignment's (scope, role GUID, principal ID, name).
pub(super) fn ra_parts(ra: &Found) -> Option<(String, String, String, String)> {
    let scope = ra_scope(ra)?;
    let role = text_at(&ra.body, "properties.roleDefinitionId")?;
    let role = role.rsplit('/').next().unwrap_or(role).to_ascii_lowercase();
    let principal = text_at(&ra.body, "properties.principalId")?.to_string();
    let name = ResourceId::parse(&ra.id)?.name().to_ascii_lowercase();
    Some((scope, role, principal, name))
}

fn ra_scope(ra: &Found) -> Option<String> {
    text_at(&ra.body, "properties.scope")
        .map(str::to_string)
        .or_else(|| ResourceId::parse(&ra.id)?.scope().map(|s| s.to_string()))
}

/// The group ID a resource lives in.
pub(super) fn group_of(id: &str) -> Option<String> {
    let parsed = ResourceId::parse(id)?;
    let group = parsed.resource_group()?;
    Some(format!(
        "/subscriptions/{}/resourceGroups/{group}",
        parsed.subscription()
    ))
}

/// A resource's tags without the ownership tag.
pub(super) fn own_tags(body: &Value) -> BTreeMap<String, String> {
    body.get("tags")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != OWNER_TAG)
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

pub(super) fn tags_map(tags: &BTreeMap<String, String>) -> Map {
    let mut map = Map::new();
    for (k, v) in tags {
        map.set(k, v.clone());
    }
    map
}

pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

fn registry(body: &Value, map: &mut Map) {
    if let Some(sku) = text_at(body, "sku.name").filter(|s| !s.eq_ignore_ascii_case("Standard")) {
        map.set("sku", sku);
    }
    if bool_at(body, "properties.adminUserEnabled") == Some(true) {
        map.set("adminUser", true);
    }
    if text_at(body, "properties.zoneRedundancy").is_some_and(|z| z.eq_ignore_ascii_case("Enabled"))
    {
        map.set("zoneRedundancy", true);
    }
    if text_at(body, "properties.publicNetworkAccess")
        .is_some_and(|p| p.eq_ignore_ascii_case("Disabled"))
    {
        map.set("publicNetworkAccess", false);
    }
}

fn workspace(body: &Value, map: &mut Map) {
    if let Some(sku) = text_at(body, "properties.sku.name").filter(|s| *s != "PerGB2018") {
        map.set("sku", sku);
    }
    if let Some(days) = at(body, "properties.retentionInDays").and_then(Value::as_u64)
        && days != 30
    {
        map.set("retentionDays", days);
    }
    if let Some(quota) = at(body, "properties.workspaceCapping.dailyQuotaGb")
        .and_then(Value::as_f64)
        .filter(|q| *q > 0.0)
    {
        map.set("dailyQuotaGb", Y::Scalar(serde_json::json!(quota)));
    }
}

fn dns_zone(f: &Found, map: &mut Map) {
    let arm_type = f
        .body
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| ResourceId::parse(&f.id).map(|i| i.arm_type()))
        .unwrap_or_default();
    let private = kind::by_arm_type(&arm_type)
        .is_some_and(|(def, t)| def.arm.len() > 1 && std::ptr::eq(t, &def.arm[1]));
    if private {
        map.set("private", true);
    }
}
