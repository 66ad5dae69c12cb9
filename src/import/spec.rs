//! From live bodies to spec entries, kind by kind: each the inverse of the body its kind's
//! module in `kinds/` renders, leaving out what the spec's defaults and the kind's
//! `server_defaults` already say, and writing references (`identity/app`, `vnet/net/nodes`)
//! wherever the target is imported too.

use std::collections::BTreeMap;

use serde_json::Value;

use super::importer::Importer;
use super::marks::{self, Folded, at, text_at};
use super::names::{self, ra_parts};
use super::select::Found;
use super::yaml_out::{Map, Y};
use crate::id::ResourceId;
use crate::kind::{self, Kind};
use crate::kinds::OWNER_TAG;
use crate::live::LiveState;

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
            Kind::Solution,
            Kind::MonitorWorkspace,
            Kind::DataCollectionEndpoint,
            Kind::DataCollectionRule,
            Kind::Registry,
            Kind::VirtualNetwork,
            Kind::DnsZone,
            Kind::Identity,
            Kind::Cluster,
            Kind::RoleAssignment,
            Kind::PolicyAssignment,
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
                if !matches!(kind, Kind::RoleAssignment | Kind::PolicyAssignment) {
                    let mut map = Map::new();
                    self.common(f, &key, &mut map);
                    entry.map = map;
                }
                self.capture(kind, &entry.address, &f.body);
                // A solution the spec cannot express is left out.
                if kind == Kind::Solution && !self.solution(f, &mut entry.map) {
                    continue;
                }
                if kind == Kind::DataCollectionRule && !self.data_collection_rule(f, &mut entry.map)
                {
                    continue;
                }
                match kind {
                    Kind::Registry => registry(&f.body, &mut entry.map),
                    Kind::Workspace => workspace(&f.body, &mut entry.map),
                    Kind::MonitorWorkspace => monitor_workspace(&f.body, &mut entry.map),
                    Kind::DataCollectionEndpoint => {
                        data_collection_endpoint(&f.body, &mut entry.map)
                    }
                    Kind::VirtualNetwork => self.vnet(f, &mut entry),
                    Kind::DnsZone => dns_zone(f, &mut entry.map),
                    Kind::Identity => self.identity(f, &mut entry),
                    Kind::Cluster => self.cluster(f, &mut entry),
                    Kind::RoleAssignment => self.role_assignment(f, &mut entry),
                    Kind::PolicyAssignment => self.policy_assignment(f, &key, &mut entry),
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

    /// A Microsoft gallery solution as `solution: TYPE` on its workspace (the name follows from
    /// them, `kinds::solution`); false for a solution the spec cannot express (a third party's,
    /// or one not named `TYPE(WORKSPACE)`), which is left out.
    fn solution(&mut self, f: &Found, map: &mut Map) -> bool {
        let publisher = text_at(&f.body, "plan.publisher").unwrap_or_default();
        let product = text_at(&f.body, "plan.product").unwrap_or_default();
        let workspace = text_at(&f.body, "properties.workspaceResourceId").unwrap_or_default();
        let Some(kind) = product.strip_prefix("OMSGallery/") else {
            self.notes.push(format!(
                "solution {} was left out: its plan product `{product}` is not a gallery solution (OMSGallery/TYPE)",
                f.id
            ));
            return false;
        };
        let workspace_name = workspace
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        let name = ResourceId::parse(&f.id)
            .map(|i| i.name().to_string())
            .unwrap_or_default();
        if !publisher.eq_ignore_ascii_case("Microsoft")
            || workspace.is_empty()
            || name != format!("{kind}({workspace_name})")
        {
            self.notes.push(format!(
                "solution {} was left out: the spec writes Microsoft's gallery solutions only, named TYPE(WORKSPACE)",
                f.id
            ));
            return false;
        }
        let (kind, workspace) = (kind.to_string(), workspace.to_string());
        map.set("solution", kind);
        let reference = self.reference(&workspace);
        map.set("workspace", reference);
        // The key is not the Azure name here: `name:` may only repeat the derived one.
        map.remove("name");
        true
    }

    /// A data collection rule in one of the shapes the spec writes (`kinds::data_collection_rule`:
    /// the ContainerInsights extension to a Log Analytics workspace, or a Prometheus forwarder to
    /// an Azure Monitor workspace); false for any other rule, which is left out with a note.
    fn data_collection_rule(&mut self, f: &Found, map: &mut Map) -> bool {
        let b = &f.body;
        let extension = at(b, "properties.dataSources.extensions")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .filter(|e| text_at(e, "extensionName") == Some("ContainerInsights"));
        let workspace = at(b, "properties.destinations.logAnalytics")
            .and_then(Value::as_array)
            .and_then(|d| d.first())
            .and_then(|d| text_at(d, "workspaceResourceId"));
        let forwarder = at(b, "properties.dataSources.prometheusForwarder")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty());
        let account = at(b, "properties.destinations.monitoringAccounts")
            .and_then(Value::as_array)
            .and_then(|d| d.first())
            .and_then(|d| text_at(d, "accountResourceId"));
        let mut shape = Map::new();
        let section = match (extension, workspace, forwarder, account) {
            (Some(extension), Some(workspace), false, None) => {
                let workspace = workspace.to_string();
                let streams = strings(extension.get("streams"));
                let reference = self.reference(&workspace);
                shape.set("workspace", reference);
                if streams != ["Microsoft-ContainerInsights-Group-Default"] {
                    shape.set("streams", streams);
                }
                "containerInsights"
            }
            (None, None, true, Some(account)) => {
                let account = account.to_string();
                let reference = self.reference(&account);
                shape.set("monitorWorkspace", reference);
                "prometheus"
            }
            _ => {
                self.notes.push(format!(
                    "data collection rule {} was left out: the spec writes the Container Insights and Prometheus shapes only",
                    f.id
                ));
                return false;
            }
        };
        if let Some(kind) = text_at(b, "kind") {
            map.set("kind", kind);
        }
        if let Some(description) = text_at(b, "properties.description") {
            map.set("description", description);
        }
        if let Some(endpoint) = text_at(b, "properties.dataCollectionEndpointId") {
            let endpoint = endpoint.to_string();
            let reference = self.reference(&endpoint);
            map.set("endpoint", reference);
        }
        map.set(section, shape);
        true
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
        let text = match marks::ownership_mark(description) {
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

    /// A policy assignment as `kinds::policy_assignment` reads it back: the built-in's name where
    /// azplan knows it, settings that differ from ARM's defaults.
    fn policy_assignment(&mut self, f: &Found, key: &str, entry: &mut SpecEntry) {
        let b = &f.body;
        let name = ResourceId::parse(&f.id)
            .map(|i| i.name().to_string())
            .unwrap_or_default();
        if name != key {
            entry.map.set("name", name);
        }
        let definition = text_at(b, "properties.policyDefinitionId").unwrap_or_default();
        let policy = crate::policies::resolve(definition)
            .and_then(|p| p.name)
            .map_or_else(|| definition.to_string(), str::to_string);
        entry.map.set("policy", policy);
        let scope = text_at(b, "properties.scope")
            .map(str::to_string)
            .or_else(|| {
                ResourceId::parse(&f.id)
                    .and_then(|i| i.scope())
                    .map(|s| s.to_string())
            })
            .unwrap_or_default();
        let scope = self.scope_reference(&scope);
        entry.map.set("scope", scope);
        for field in ["displayName", "description"] {
            if let Some(text) = text_at(b, &format!("properties.{field}")) {
                entry.map.set(field, text.to_string());
            }
        }
        if let Some(mode) = text_at(b, "properties.enforcementMode").filter(|m| *m != "Default") {
            entry.map.set("enforcementMode", mode.to_string());
        }
        let not_scopes = strings(at(b, "properties.notScopes"));
        if !not_scopes.is_empty() {
            let refs: Vec<String> = not_scopes.iter().map(|s| self.scope_reference(s)).collect();
            entry.map.set("notScopes", refs);
        }
        if let Some(Value::Object(parameters)) = at(b, "properties.parameters") {
            let mut values = serde_json::Map::new();
            for (k, v) in parameters {
                values.insert(k.clone(), v.get("value").cloned().unwrap_or(Value::Null));
            }
            if !values.is_empty() {
                entry.map.set("parameters", &Value::Object(values));
            }
        }
        if let Some(message) = at(b, "properties.nonComplianceMessages")
            .and_then(Value::as_array)
            .and_then(|m| m.first())
            .and_then(|m| m.get("message"))
            .and_then(Value::as_str)
        {
            entry.map.set("nonComplianceMessage", message.to_string());
        }
        if text_at(b, "identity.type").is_some_and(|t| t.eq_ignore_ascii_case("SystemAssigned")) {
            entry.map.set("identity", "systemAssigned".to_string());
            if let Some(location) = text_at(b, "location")
                && !self
                    .location
                    .as_deref()
                    .is_some_and(|l| same_location(l, location))
            {
                entry.map.set("location", location.to_string());
            }
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

fn monitor_workspace(body: &Value, map: &mut Map) {
    if text_at(body, "properties.publicNetworkAccess")
        .is_some_and(|a| a.eq_ignore_ascii_case("Disabled"))
    {
        map.set("publicNetworkAccess", false);
    }
}

/// A data collection endpoint's writable settings (`kinds::data_collection_endpoint`); the
/// default `Enabled` access is left out.
fn data_collection_endpoint(body: &Value, map: &mut Map) {
    if let Some(kind) = text_at(body, "kind") {
        map.set("kind", kind);
    }
    if let Some(description) = text_at(body, "properties.description") {
        map.set("description", description);
    }
    if let Some(access) = text_at(body, "properties.networkAcls.publicNetworkAccess")
        .filter(|a| !a.eq_ignore_ascii_case("Enabled"))
    {
        map.set("publicNetworkAccess", access);
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
