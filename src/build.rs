//! The one conversion from raw spec to model: resolves references, applies defaults, derives
//! resources, and checks every domain rule, collecting all diagnostics.

use std::collections::BTreeMap;

use crate::de::Spanned;
use crate::diag::{Code, Diagnostics, SpecDiagnostic, suggest};
use crate::load::{Entry, RawStack};
use crate::model::RegistrySku;
use crate::model::{
    Address, Dependency, DnsZone, Existing, Kind, Origin, Registry, Resource, ResourceGroupRef,
    Spec, Stack, Subnet, Target, VirtualNetwork, Workspace,
};
use crate::names;
use crate::net::Cidr;
use crate::reference::{self, Parsed};
use crate::source::{SourceMap, Span};
use crate::spec::{Common, RawJson};

mod access;
mod cluster;

/// Validates a loaded stack. Returns the model when there are no errors.
pub fn build(raw: &RawStack, sources: &SourceMap, diagnostics: &mut Diagnostics) -> Option<Stack> {
    let mut builder = Builder {
        raw,
        diagnostics,
        symbols: BTreeMap::new(),
        resources: BTreeMap::new(),
        location: raw.location.as_ref().map(|l| l.value.clone()),
        sources,
    };
    let settings = builder.settings();
    builder.declare_symbols();
    builder.resource_groups();
    builder.existing();
    builder.workspaces();
    builder.registries();
    builder.vnets();
    builder.dns_zones();
    builder.identities();
    builder.clusters();
    builder.federated_credentials();
    builder.role_assignments();
    builder.one_resource_per_azure_name();
    let resources = std::mem::take(&mut builder.resources);
    let failed = builder.diagnostics.has_errors();
    let (name, subscription) = settings?;
    (!failed).then(|| Stack {
        name,
        subscription,
        location: raw
            .location
            .as_ref()
            .map(|l| l.value.clone())
            .unwrap_or_default(),
        environment: raw.environment.clone(),
        resources,
    })
}

/// What a name in the stack is, for resolving references before the resources are built.
#[derive(Debug, Clone)]
struct Symbol {
    span: Span,
    /// For `existing/` entries: the ARM type of the ID, lower-case.
    arm_type: Option<String>,
}

struct Builder<'a> {
    raw: &'a RawStack,
    sources: &'a SourceMap,
    diagnostics: &'a mut Diagnostics,
    symbols: BTreeMap<Address, Symbol>,
    resources: BTreeMap<Address, Resource>,
    location: Option<String>,
}

/// Whether an `existing/` entry of ARM type `arm_type` (lower-case) can stand for `kind`.
fn existing_can_be(kind: Kind, arm_type: &str) -> bool {
    kind.def()
        .arm
        .iter()
        .any(|t| t.path.eq_ignore_ascii_case(arm_type))
}

/// The type of an ARM ID, e.g. `microsoft.network/virtualnetworks/subnets`, lower-case.
pub fn arm_type_of(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    if parts.len() < 2 || !parts[0].eq_ignore_ascii_case("subscriptions") || parts[1].is_empty() {
        return None;
    }
    let Some(providers) = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("providers"))
    else {
        return match parts.len() {
            4 if parts[2].eq_ignore_ascii_case("resourcegroups") && !parts[3].is_empty() => {
                Some("microsoft.resources/resourcegroups".into())
            }
            2 => Some("microsoft.resources/subscriptions".into()),
            _ => None,
        };
    };
    let rest = &parts[providers + 1..];
    if rest.len() < 3 || rest.len().is_multiple_of(2) || rest.iter().any(|p| p.is_empty()) {
        return None;
    }
    let types: Vec<&str> = rest[1..].iter().step_by(2).copied().collect();
    Some(format!("{}/{}", rest[0], types.join("/")).to_ascii_lowercase())
}

impl Builder<'_> {
    fn error(&mut self, diagnostic: SpecDiagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn settings(&mut self) -> Option<(String, String)> {
        let raw = self.raw;
        let anywhere = self
            .sources
            .files()
            .next()
            .map(|(id, _)| Span::new(id, 0, 0));
        let missing = |setting: &str, example: &str| {
            let d = SpecDiagnostic::new(
                Code::MissingSetting,
                format!("the stack has no `{setting}`"),
            )
            .help(format!(
                "add `{setting}: {example}` to one of the stack's files"
            ));
            match anywhere {
                Some(span) => d.at(span, "in this stack"),
                None => d,
            }
        };
        let name = raw.name.clone();
        let subscription = raw.subscription.clone();
        // A file that did not parse may hold the settings; do not claim they are missing.
        let unreadable = self
            .diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::YamlSyntax | Code::YamlLimit | Code::Io));
        if unreadable {
            return None;
        }
        if name.is_none() {
            let d = missing("stack", "platform");
            self.error(d);
        }
        if subscription.is_none() {
            let d = missing("subscription", "00000000-0000-0000-0000-000000000000");
            self.error(d);
        }
        if let Some(s) = &subscription
            && !names::is_guid(&s.value)
        {
            self.error(
                SpecDiagnostic::new(
                    Code::InvalidValue,
                    format!("subscription `{}` is not a GUID", s.value),
                )
                .at(s.span, "expected a subscription ID")
                .help("find it with `az account show --query id`"),
            );
        }
        if let Some(name) = &name {
            let ok = !name.value.is_empty()
                && name.value.len() <= 63
                && name
                    .value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidName,
                        format!("stack name `{}` is not valid", name.value),
                    )
                    .at(name.span, "stack name")
                    .help(
                        "a stack name is 1-63 letters, digits, `-` and `_`; it becomes a tag value",
                    ),
                );
            }
        }
        Some((name?.value, subscription?.value))
    }

    /// Two entries must not name the same Azure resource: Azure names are case-insensitive, and
    /// a role assignment is its (scope, role, principal).
    fn one_resource_per_azure_name(&mut self) {
        let mut seen: BTreeMap<String, (Address, Span)> = BTreeMap::new();
        let mut clashes = Vec::new();
        for (address, resource) in &self.resources {
            let group = match &resource.resource_group {
                Some(ResourceGroupRef::Managed { name, .. }) => name.to_ascii_lowercase(),
                Some(ResourceGroupRef::Existing { id, .. }) => id.to_ascii_lowercase(),
                None => String::new(),
            };
            let parent = address
                .parent()
                .and_then(|p| self.resources.get(&p))
                .map(|p| p.name.to_ascii_lowercase())
                .unwrap_or_default();
            let key = match &resource.spec {
                Spec::Existing(_) => continue,
                Spec::RoleAssignment(ra) => match &ra.name {
                    Some(name) => format!("roleAssignment name {name}"),
                    None => format!(
                        "roleAssignment {:?} {} {:?}",
                        ra.scope, ra.role.guid, ra.principal
                    ),
                },
                Spec::DnsZone(z) => format!(
                    "dnsZone {} {group} {}",
                    z.private,
                    resource.name.to_ascii_lowercase()
                ),
                _ => format!(
                    "{:?} {group} {parent} {}",
                    address.kind,
                    resource.name.to_ascii_lowercase()
                ),
            };
            match seen.get(&key) {
                Some((first, first_span)) => {
                    clashes.push((address.clone(), resource.span, first.clone(), *first_span))
                }
                None => {
                    seen.insert(key, (address.clone(), resource.span));
                }
            }
        }
        for (address, span, first, first_span) in clashes {
            let what = if address.kind == Kind::RoleAssignment {
                "the same role assignment (scope, role and principal)"
            } else {
                "the same Azure resource"
            };
            self.error(
                SpecDiagnostic::new(Code::DuplicateName, format!("`{address}` and `{first}` are {what}"))
                    .at(span, "declared again here")
                    .also(first_span, "first declared here")
                    .help("Azure names are case-insensitive and unique per resource group; keep one entry"),
            );
        }
    }

    fn declare(&mut self, address: Address, span: Span, arm_type: Option<String>) {
        // Case-insensitive duplicates of top-level names are reported by the loader; children
        // are checked here.
        if let Some(first) = self.symbols.get(&address) {
            let first = first.span;
            self.error(
                SpecDiagnostic::new(
                    Code::DuplicateName,
                    format!("`{address}` is declared twice"),
                )
                .at(span, "declared again here")
                .also(first, "first declared here")
                .help("rename one of them"),
            );
            return;
        }
        self.symbols.insert(address, Symbol { span, arm_type });
    }

    fn declare_symbols(&mut self) {
        let raw = self.raw;
        for e in &raw.resource_groups {
            self.declare(
                Address::new(Kind::ResourceGroup, &e.key.value),
                e.key.span,
                None,
            );
        }
        for e in &raw.existing {
            let arm_type = arm_type_of(&e.spec.id.value);
            self.declare(
                Address::new(Kind::Existing, &e.key.value),
                e.key.span,
                arm_type,
            );
        }
        for e in &raw.workspaces {
            self.declare(
                Address::new(Kind::Workspace, &e.key.value),
                e.key.span,
                None,
            );
        }
        for e in &raw.registries {
            self.declare(Address::new(Kind::Registry, &e.key.value), e.key.span, None);
        }
        for e in &raw.vnets {
            self.declare(
                Address::new(Kind::VirtualNetwork, &e.key.value),
                e.key.span,
                None,
            );
            for (subnet, spec) in &e.spec.subnets {
                let span = spec.span;
                self.declare(
                    Address::child(Kind::Subnet, &e.key.value, subnet),
                    span,
                    None,
                );
            }
        }
        for e in &raw.dns_zones {
            self.declare(Address::new(Kind::DnsZone, &e.key.value), e.key.span, None);
        }
        for e in &raw.identities {
            self.declare(Address::new(Kind::Identity, &e.key.value), e.key.span, None);
            for (credential, spec) in &e.spec.federated_credentials {
                let span = spec.span;
                self.declare(
                    Address::child(Kind::FederatedCredential, &e.key.value, credential),
                    span,
                    None,
                );
            }
        }
        for e in &raw.clusters {
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
        for e in &raw.role_assignments {
            self.declare(
                Address::new(Kind::RoleAssignment, &e.key.value),
                e.key.span,
                None,
            );
        }
    }

    /// Resolves a reference to one node of the expected kinds (or an `existing/` entry of a
    /// matching ARM type, or a raw ARM ID when `allow_id`). Records the dependency.
    fn resolve(
        &mut self,
        text: &Spanned<String>,
        expected: &[Kind],
        allow_id: bool,
        deps: &mut Vec<Dependency>,
    ) -> Option<Target> {
        let what = expected
            .iter()
            .map(|k| k.noun())
            .collect::<Vec<_>>()
            .join(" or ");
        let parsed = match reference::parse(&text.value) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.error(
                    SpecDiagnostic::new(Code::InvalidReference, message)
                        .at(text.span, format!("expected a reference to a {what}"))
                        .help(example_reference(expected)),
                );
                return None;
            }
        };
        match parsed {
            Parsed::ArmId(id) if allow_id => {
                let arm_type = arm_type_of(id);
                let fits = arm_type
                    .as_deref()
                    .is_some_and(|t| expected.iter().any(|k| existing_can_be(*k, t)));
                if !fits {
                    self.error(
                        SpecDiagnostic::new(
                            Code::WrongReferenceKind,
                            format!("`{id}` is not the ARM ID of a {what}"),
                        )
                        .at(text.span, "wrong kind of resource")
                        .help(example_reference(expected)),
                    );
                    return None;
                }
                Some(Target::ArmId(id.to_string()))
            }
            Parsed::Path {
                kind,
                name,
                child,
                facet: None,
            } => {
                let address = Address {
                    kind,
                    name: name.to_string(),
                    child: child.map(str::to_string),
                };
                self.resolve_address(&address, text, expected, deps)
                    .map(|_| Target::Node(address))
            }
            _ => {
                self.error(
                    SpecDiagnostic::new(
                        Code::WrongReferenceKind,
                        format!("`{}` cannot be used here", text.value),
                    )
                    .at(text.span, format!("expected a {what}"))
                    .help(example_reference(expected)),
                );
                None
            }
        }
    }

    /// Checks that an address names a declared node of an expected kind.
    fn resolve_address(
        &mut self,
        address: &Address,
        text: &Spanned<String>,
        expected: &[Kind],
        deps: &mut Vec<Dependency>,
    ) -> Option<()> {
        let what = expected
            .iter()
            .map(|k| k.noun())
            .collect::<Vec<_>>()
            .join(" or ");
        // `existing/hub/snet` is a subnet of the existing `existing/hub`.
        let node = match (address.kind, &address.child) {
            (Kind::Existing, Some(_)) => Address::new(Kind::Existing, &address.name),
            _ => address.clone(),
        };
        let Some(symbol) = self.symbols.get(&node).cloned() else {
            let same_kind: Vec<String> = self
                .symbols
                .keys()
                .filter(|a| a.kind == node.kind)
                .map(|a| a.to_string())
                .collect();
            let wanted = node.to_string();
            self.error(
                SpecDiagnostic::new(
                    Code::UnknownReference,
                    format!("`{wanted}` is not declared in this stack"),
                )
                .at(text.span, "unknown reference")
                .help(suggest(&wanted, same_kind.iter().map(String::as_str))),
            );
            return None;
        };
        let kind_ok = if address.kind == Kind::Existing {
            let actual = match &address.child {
                Some(_) => symbol.arm_type.as_deref().map(|t| format!("{t}/subnets")),
                None => symbol.arm_type.clone(),
            };
            let ok = actual
                .as_deref()
                .is_some_and(|t| expected.iter().any(|k| existing_can_be(*k, t)))
                || expected.contains(&Kind::Existing);
            if !ok {
                self.error(
                    SpecDiagnostic::new(
                        Code::WrongReferenceKind,
                        format!(
                            "`{}` is a `{}`, not a {what}",
                            text.value,
                            actual.unwrap_or_else(|| "resource".into())
                        ),
                    )
                    .at(text.span, "wrong kind of resource")
                    .also(symbol.span, "declared here"),
                );
                return None;
            }
            true
        } else {
            expected.contains(&address.kind)
        };
        if !kind_ok {
            self.error(
                SpecDiagnostic::new(
                    Code::WrongReferenceKind,
                    format!(
                        "`{}` is a {}, but a {what} is expected here",
                        text.value,
                        address.kind.noun()
                    ),
                )
                .at(text.span, format!("expected a {what}"))
                .help(example_reference(expected)),
            );
            return None;
        }
        deps.push(Dependency {
            on: node,
            span: text.span,
            explicit: false,
        });
        Some(())
    }

    fn depends_on(&mut self, list: &[Spanned<String>], deps: &mut Vec<Dependency>) {
        for item in list {
            let parsed = reference::parse(&item.value);
            let address = match parsed {
                Ok(Parsed::Path {
                    kind,
                    name,
                    child,
                    facet: None,
                }) => Address {
                    kind,
                    name: name.to_string(),
                    child: child.map(str::to_string),
                },
                Ok(_) => {
                    self.error(
                        SpecDiagnostic::new(Code::InvalidReference, format!("`{}` is not a resource address", item.value))
                            .at(item.span, "expected an address")
                            .help("dependsOn lists addresses such as `roleAssignment/NAME` or `vnet/NAME/SUBNET`"),
                    );
                    continue;
                }
                Err(message) => {
                    self.error(
                        SpecDiagnostic::new(Code::InvalidReference, message)
                            .at(item.span, "expected an address"),
                    );
                    continue;
                }
            };
            let before = deps.len();
            if self
                .resolve_address(&address, item, &Kind::all().collect::<Vec<_>>(), deps)
                .is_some()
            {
                for dep in &mut deps[before..] {
                    dep.explicit = true;
                }
            }
        }
    }

    /// The resource group a resource lives in: its own setting or the stack default.
    fn resource_group(
        &mut self,
        own: Option<&Spanned<String>>,
        key: &Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<ResourceGroupRef> {
        let Some(text) = own.or(self.raw.resource_group.as_ref()).cloned() else {
            self.error(
                SpecDiagnostic::new(
                    Code::MissingSetting,
                    format!("`{}` has no resource group", key.value),
                )
                .at(key.span, "no resource group")
                .help("set `resourceGroup:` on the resource or once for the whole stack"),
            );
            return None;
        };
        if text.value.starts_with("existing/") {
            let target = self.resolve(&text, &[Kind::ResourceGroup], false, deps)?;
            let Target::Node(address) = target else {
                return None;
            };
            let id = self
                .raw
                .existing
                .iter()
                .find(|e| e.key.value == address.name)
                .map(|e| e.spec.id.value.clone())?;
            return Some(ResourceGroupRef::Existing { address, id });
        }
        let address = Address::new(Kind::ResourceGroup, &text.value);
        if !self.symbols.contains_key(&address) {
            let declared: Vec<&str> = self
                .raw
                .resource_groups
                .iter()
                .map(|e| e.key.value.as_str())
                .collect();
            self.error(
                SpecDiagnostic::new(Code::UnknownReference, format!("resource group `{}` is not declared in this stack", text.value))
                    .at(text.span, "unknown resource group")
                    .help(match crate::diag::did_you_mean(&text.value, declared.iter().copied()) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => "declare it under `resourceGroups:`, or list a pre-existing one under `existing:` and write `existing/NAME`".into(),
                    }),
            );
            return None;
        }
        deps.push(Dependency {
            on: address.clone(),
            span: text.span,
            explicit: false,
        });
        let name = self
            .raw
            .resource_groups
            .iter()
            .find(|e| e.key.value == text.value)
            .map(|e| azure_name(e.spec.name(), &e.key))
            .unwrap_or_else(|| text.value.clone());
        Some(ResourceGroupRef::Managed { address, name })
    }

    fn location(&mut self, own: Option<&Spanned<String>>, key: &Spanned<String>) -> Option<String> {
        match own
            .map(|l| l.value.clone())
            .or_else(|| self.location.clone())
        {
            // ARM's region names: "West Europe" is `westeurope`.
            Some(location) => Some(location.replace(' ', "").to_ascii_lowercase()),
            None => {
                self.error(
                    SpecDiagnostic::new(
                        Code::MissingSetting,
                        format!("`{}` has no location", key.value),
                    )
                    .at(key.span, "no location")
                    .help("set `location:` on the resource or once for the whole stack"),
                );
                None
            }
        }
    }

    fn tags(&self, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut tags = self.raw.tags.clone();
        tags.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    }

    fn check_name(&mut self, name: &str, span: Span, rule: fn(&str) -> Result<(), names::Rule>) {
        if let Err(rule) = rule(name) {
            self.error(
                SpecDiagnostic::new(Code::InvalidName, format!("`{name}` is not a valid name"))
                    .at(span, "invalid name")
                    .help(rule),
            );
        }
    }

    fn raw_override(&mut self, raw: Option<&Spanned<RawJson>>) -> Option<serde_json::Value> {
        let raw = raw?;
        if !raw.value.is_object() {
            self.error(
                SpecDiagnostic::new(
                    Code::RawOverride,
                    "`raw` must be a mapping merged into the ARM body",
                )
                .at(raw.span, "not a mapping")
                .help("e.g. `raw: {properties: {someSetting: true}}`"),
            );
            return None;
        }
        Some(raw.value.clone())
    }

    /// The fields every declared, resource-group-scoped resource shares.
    fn common<T: Common>(
        &mut self,
        kind: Kind,
        entry: &Entry<T>,
        resource_group: Option<&Spanned<String>>,
        location: Option<&Spanned<String>>,
        tags: &BTreeMap<String, String>,
        rule: fn(&str) -> Result<(), names::Rule>,
    ) -> Resource {
        let mut dependencies = Vec::new();
        let name = azure_name(entry.spec.name(), &entry.key);
        let name_span = entry.spec.name().map_or(entry.key.span, |n| n.span);
        self.check_name(&name, name_span, rule);
        let resource_group = if kind == Kind::ResourceGroup {
            None
        } else {
            self.resource_group(resource_group, &entry.key, &mut dependencies)
        };
        let location = if kind == Kind::DnsZone {
            Some("global".into())
        } else {
            self.location(location, &entry.key)
        };
        self.depends_on(entry.spec.depends_on(), &mut dependencies);
        Resource {
            address: Address::new(kind, &entry.key.value),
            name,
            span: entry.key.span,
            origin: Origin::Declared,
            resource_group,
            location,
            tags: self.tags(tags),
            protect: entry.spec.protect(),
            raw: self.raw_override(entry.spec.raw()),
            dependencies,
            spec: Spec::ResourceGroup,
        }
    }

    fn insert(&mut self, resource: Resource) {
        self.resources.insert(resource.address.clone(), resource);
    }

    fn resource_groups(&mut self) {
        for entry in &self.raw.resource_groups {
            let resource = self.common(
                Kind::ResourceGroup,
                entry,
                None,
                entry.spec.location.as_ref(),
                &entry.spec.tags,
                names::resource_group,
            );
            self.insert(resource);
        }
    }

    fn existing(&mut self) {
        for entry in &self.raw.existing {
            let id = &entry.spec.id;
            let Some(arm_type) = arm_type_of(&id.value) else {
                self.error(
                    SpecDiagnostic::new(Code::InvalidValue, format!("`{}` is not an ARM resource ID", id.value))
                        .at(id.span, "not an ARM ID")
                        .help("copy the ID from `az resource show --query id`, e.g. /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/NAME"),
                );
                continue;
            };
            let name = id
                .value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            self.insert(Resource {
                address: Address::new(Kind::Existing, &entry.key.value),
                name,
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location: None,
                tags: BTreeMap::new(),
                protect: true,
                raw: None,
                dependencies: Vec::new(),
                spec: Spec::Existing(Existing {
                    id: id.value.clone(),
                    arm_type,
                }),
            });
        }
    }

    fn workspaces(&mut self) {
        for entry in &self.raw.workspaces {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::Workspace,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::workspace,
            );
            let retention_days = s.retention_days.as_ref().map_or(30, |r| r.value);
            if let Some(r) = s
                .retention_days
                .as_ref()
                .filter(|r| !(30..=730).contains(&r.value))
            {
                self.error(
                    SpecDiagnostic::new(
                        Code::InvalidValue,
                        format!("retention of {} days is out of range", r.value),
                    )
                    .at(r.span, "out of range")
                    .help("Log Analytics keeps data 30 to 730 days"),
                );
            }
            resource.spec = Spec::Workspace(Workspace {
                sku: s.sku.clone().unwrap_or_else(|| "PerGB2018".into()),
                retention_days,
                daily_quota_gb: s.daily_quota_gb,
            });
            self.insert(resource);
        }
    }

    fn registries(&mut self) {
        for entry in &self.raw.registries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::Registry,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                names::registry,
            );
            let sku = s.sku.unwrap_or(RegistrySku::Standard);
            let zone_redundancy = s.zone_redundancy.as_ref().is_some_and(|z| z.value);
            if let Some(z) = s
                .zone_redundancy
                .as_ref()
                .filter(|z| z.value && sku != RegistrySku::Premium)
            {
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        "zone redundancy needs the Premium SKU",
                    )
                    .at(z.span, "zone redundancy")
                    .help("set `sku: Premium`, or remove `zoneRedundancy`"),
                );
            }
            resource.spec = Spec::Registry(Registry {
                sku,
                admin_user: s.admin_user,
                zone_redundancy,
                public_network_access: s.public_network_access.unwrap_or(true),
            });
            self.insert(resource);
        }
    }

    fn cidr(&mut self, text: &Spanned<String>) -> Option<Cidr> {
        match text.value.parse::<Cidr>() {
            Ok(cidr) => Some(cidr),
            Err(message) => {
                self.error(
                    SpecDiagnostic::new(Code::InvalidCidr, message)
                        .at(text.span, "invalid CIDR")
                        .help("write an IPv4 network such as `10.240.0.0/16`"),
                );
                None
            }
        }
    }

    fn vnets(&mut self) {
        for entry in &self.raw.vnets {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::VirtualNetwork,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 64, "a virtual network name is 1-64 letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
            );
            let space: Vec<(Cidr, Span)> = s
                .address_space
                .value
                .iter()
                .filter_map(|t| self.cidr(t).map(|c| (c, t.span)))
                .collect();
            if s.address_space.value.is_empty() {
                self.error(
                    SpecDiagnostic::new(Code::InvalidValue, "the address space is empty")
                        .at(s.address_space.span, "empty")
                        .help("give at least one prefix, e.g. `addressSpace: [10.0.0.0/8]`"),
                );
            }
            let mut placed: Vec<(Cidr, Span, &str)> = Vec::new();
            for (subnet_name, subnet) in &s.subnets {
                let address = Address::child(Kind::Subnet, &entry.key.value, subnet_name);
                let key = Spanned::new(subnet.span, subnet_name.clone());
                self.check_name(subnet_name, key.span, |n| {
                    names::generic(n, 80, "a subnet name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit")
                });
                let mut dependencies = vec![Dependency {
                    on: resource.address.clone(),
                    span: key.span,
                    explicit: false,
                }];
                self.depends_on(&subnet.value.depends_on, &mut dependencies);
                let Some(prefix) = self.cidr(&subnet.value.prefix) else {
                    continue;
                };
                if !space.is_empty() && !space.iter().any(|(c, _)| c.contains(prefix)) {
                    let spaces = space
                        .iter()
                        .map(|(c, _)| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.error(
                        SpecDiagnostic::new(Code::SubnetOutsideVnet, format!("subnet `{subnet_name}` ({prefix}) is outside the VNet's address space"))
                            .at(subnet.value.prefix.span, "not inside the address space")
                            .also(space[0].1, "address space")
                            .help(format!("pick a prefix inside {spaces}, or widen `addressSpace`")),
                    );
                }
                if let Some((other, other_span, other_name)) =
                    placed.iter().find(|(c, _, _)| c.overlaps(prefix))
                {
                    self.error(
                        SpecDiagnostic::new(Code::SubnetOverlap, format!("subnet `{subnet_name}` ({prefix}) overlaps subnet `{other_name}` ({other})"))
                            .at(subnet.value.prefix.span, "overlaps")
                            .also(*other_span, "this subnet")
                            .help("subnets of one VNet need disjoint prefixes"),
                    );
                }
                placed.push((prefix, subnet.value.prefix.span, subnet_name));
                let raw = self.raw_override(subnet.value.raw.as_ref());
                self.insert(Resource {
                    address,
                    name: subnet_name.clone(),
                    span: key.span,
                    origin: Origin::Declared,
                    resource_group: resource.resource_group.clone(),
                    location: None,
                    tags: BTreeMap::new(),
                    protect: subnet.value.protect,
                    raw,
                    dependencies,
                    spec: Spec::Subnet(Subnet {
                        prefix,
                        delegation: subnet.value.delegation.as_ref().map(|d| d.value.clone()),
                        service_endpoints: subnet.value.service_endpoints.clone(),
                        default_outbound_access: subnet.value.default_outbound_access,
                    }),
                });
            }
            resource.spec = Spec::VirtualNetwork(VirtualNetwork {
                address_space: space.iter().map(|(c, _)| *c).collect(),
                dns_servers: s.dns_servers.clone(),
            });
            self.insert(resource);
        }
    }

    fn dns_zones(&mut self) {
        for entry in &self.raw.dns_zones {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::DnsZone,
                entry,
                s.resource_group.as_ref(),
                None,
                &s.tags,
                names::dns_zone,
            );
            resource.spec = Spec::DnsZone(DnsZone { private: s.private });
            self.insert(resource);
        }
    }

    fn identities(&mut self) {
        for entry in &self.raw.identities {
            let s = &entry.spec;
            let mut resource = self.common(Kind::Identity, entry, s.resource_group.as_ref(), s.location.as_ref(), &s.tags, |n| {
                let ok = (3..=128).contains(&n.len())
                    && n.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                    && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                ok.then_some(()).ok_or("an identity name is 3-128 letters, digits, `-` and `_`, starting with a letter or digit")
            });
            resource.spec = Spec::Identity;
            self.insert(resource);
        }
    }
}

/// The Azure name: `name:` when given, else the key.
fn azure_name(name: Option<&Spanned<String>>, key: &Spanned<String>) -> String {
    name.map_or_else(|| key.value.clone(), |n| n.value.clone())
}

fn example_reference(expected: &[Kind]) -> String {
    let examples: Vec<&str> = expected.iter().map(|k| k.def().example).collect();
    format!(
        "write {}, or `existing/NAME` for a resource outside the stack",
        examples.join(" or ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_types_come_from_ids() {
        assert_eq!(
            arm_type_of("/subscriptions/s/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/hub/subnets/a").as_deref(),
            Some("microsoft.network/virtualnetworks/subnets")
        );
        assert_eq!(
            arm_type_of("/subscriptions/s/resourceGroups/shared").as_deref(),
            Some("microsoft.resources/resourcegroups")
        );
        assert_eq!(
            arm_type_of("/subscriptions/s/resourceGroups/x/providers/Microsoft.Network"),
            None
        );
        assert_eq!(arm_type_of("not-an-id"), None);
    }
}
