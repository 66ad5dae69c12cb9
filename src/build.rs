//! The one conversion from raw spec to model: resolves references, applies defaults, derives
//! resources, and checks every domain rule, collecting all diagnostics.

use std::collections::BTreeMap;

use crate::de::Spanned;
use crate::diag::{Code, Diagnostics, SpecDiagnostic, suggest};

use crate::id::ResourceId;
use crate::model::{
    Address, Dependency, Kind, Origin, Principal, Resource, ResourceGroupRef, Scope, Spec, Stack,
    Target,
};
use crate::names;
use crate::net::Cidr;
use crate::reference::{self, Parsed};
use crate::source::{SourceMap, Span};
use crate::spec::{Common, Entry, RawJson, RawSettings};

/// Validates a loaded stack with `kinds` (every kind's declarations and builds, in order:
/// `kinds::build_model`). Returns the model when there are no errors.
pub(crate) fn build(
    raw: &RawSettings,
    sources: &SourceMap,
    diagnostics: &mut Diagnostics,
    kinds: impl FnOnce(&mut Builder<'_>),
) -> Option<Stack> {
    let mut builder = Builder {
        raw,
        diagnostics,
        symbols: BTreeMap::new(),
        resources: BTreeMap::new(),
        location: raw.location.as_ref().map(|l| l.value.clone()),
        sources,
        group_names: BTreeMap::new(),
        existing_ids: BTreeMap::new(),
    };
    let settings = builder.settings();
    kinds(&mut builder);
    let resources = std::mem::take(&mut builder.resources);
    let failed = builder.diagnostics.has_errors();
    if failed {
        // With a model to show, `check` runs this beside the graph's build instead.
        for clash in one_resource_per_azure_name(&resources) {
            builder.error(clash);
        }
    }
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
        ids: crate::model::IdMemo::with_capacity(resources.len()),
        // Built again from sorted order, which fills every node: inserted one by one, the
        // nodes are left part empty (a 10,000-resource model took 10 MB instead of 6).
        resources: resources.into_iter().collect(),
    })
}

/// Two entries must not name the same Azure resource: Azure names are case-insensitive, and a
/// role assignment is its (scope, role, principal). Pure, so `check` runs it beside the graph's
/// build.
pub(crate) fn one_resource_per_azure_name(
    resources: &BTreeMap<Address, Resource>,
) -> Vec<SpecDiagnostic> {
    /// What makes two spec entries the same Azure resource.
    #[derive(PartialEq, Eq, Hash)]
    enum AzureName {
        /// Role assignments are named by GUID, or found by what they grant.
        RoleAssignmentName(String),
        RoleAssignment(Scope, String, Principal),
        /// Policy assignments have no resource group: their ID is their scope's plus
        /// `/providers/Microsoft.Authorization/policyAssignments/NAME`, so one name may be
        /// used once per scope (PolicyAssignments_Create takes `scope` and
        /// `policyAssignmentName`, policyAssignments.json 2025-03-01).
        PolicyAssignment(Scope, String),
        /// Everything else by kind (a private and a public zone may share a name), group,
        /// parent and case-insensitive name.
        Named(Kind, bool, String, String, String),
    }
    // Hashed, not ordered: clashes are reported in the resources' order anyway.
    let mut seen: std::collections::HashMap<AzureName, (Address, Span)> =
        std::collections::HashMap::with_capacity(resources.len());
    let mut clashes = Vec::new();
    for (address, resource) in resources {
        let group = match &resource.resource_group {
            Some(ResourceGroupRef::Managed { name, .. }) => name.to_ascii_lowercase(),
            Some(ResourceGroupRef::Existing { id, .. }) => id.to_ascii_lowercase(),
            None => String::new(),
        };
        let parent = address
            .parent()
            .and_then(|p| resources.get(&p))
            .map(|p| p.name.to_ascii_lowercase())
            .unwrap_or_default();
        let name = resource.name.to_ascii_lowercase();
        let key = match &resource.spec {
            Spec::Existing(_) => continue,
            Spec::RoleAssignment(ra) => match &ra.name {
                Some(name) => AzureName::RoleAssignmentName(name.to_ascii_lowercase()),
                None => AzureName::RoleAssignment(
                    ra.scope.clone(),
                    ra.role.guid.clone(),
                    ra.principal.clone(),
                ),
            },
            Spec::PolicyAssignment(pa) => AzureName::PolicyAssignment(pa.scope.clone(), name),
            Spec::DnsZone(z) => AzureName::Named(address.kind, z.private, group, parent, name),
            _ => AzureName::Named(address.kind, false, group, parent, name),
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
    clashes
        .into_iter()
        .map(|(address, span, first, first_span): (Address, Span, Address, Span)| {
        let what = if address.kind == Kind::RoleAssignment {
            "the same role assignment (scope, role and principal)"
        } else {
            "the same Azure resource"
        };
            SpecDiagnostic::new(Code::DuplicateName, format!("`{address}` and `{first}` are {what}"))
                .at(span, "declared again here")
                .also(first_span, "first declared here")
                .help("Azure names are case-insensitive and unique per resource group; keep one entry")
        })
        .collect()
}

/// Whether a reference may be a raw ARM ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ids {
    Refused,
    Allowed,
}

/// What a name in the stack is, for resolving references before the resources are built.
#[derive(Debug, Clone)]
pub(crate) struct Symbol {
    pub(crate) span: Span,
    /// For `existing/` entries: the ARM type of the ID, lower-case.
    pub(crate) arm_type: Option<String>,
    /// Declared, but its settings could not be read (reported already): references to it, and
    /// to children of it, resolve without further checks, so they do not repeat that error.
    pub(crate) unreadable: bool,
}

pub(crate) struct Builder<'a> {
    /// The stack-wide settings (defaults for every resource).
    pub(crate) raw: &'a RawSettings,
    /// Declared resource groups: key → Azure name.
    pub(crate) group_names: BTreeMap<String, String>,
    /// Declared `existing:` entries: key → ARM ID.
    pub(crate) existing_ids: BTreeMap<String, String>,
    pub(crate) sources: &'a SourceMap,
    pub(crate) diagnostics: &'a mut Diagnostics,
    pub(crate) symbols: BTreeMap<Address, Symbol>,
    pub(crate) resources: BTreeMap<Address, Resource>,
    pub(crate) location: Option<String>,
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
    ResourceId::parse(id).map(|id| id.arm_type().to_ascii_lowercase())
}

impl Builder<'_> {
    pub(crate) fn error(&mut self, diagnostic: SpecDiagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(crate) fn settings(&mut self) -> Option<(String, String)> {
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
            self.error(SpecDiagnostic::invalid(
                format!("subscription `{}` is not a GUID", s.value),
                s.span,
                "expected a subscription ID",
                "find it with `az account show --query id`",
            ));
        }
        if let Some(name) = &name {
            let ok = !name.value.is_empty()
                && name.value.len() <= 63
                && name
                    .value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !ok {
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidName,
                    format!("stack name `{}` is not valid", name.value),
                    name.span,
                    "stack name",
                    "a stack name is 1-63 letters, digits, `-` and `_`; it becomes a tag value",
                ));
            }
        }
        Some((name?.value, subscription?.value))
    }

    pub(crate) fn declare(&mut self, address: Address, span: Span, arm_type: Option<String>) {
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
        self.symbols.insert(
            address,
            Symbol {
                span,
                arm_type,
                unreadable: false,
            },
        );
    }

    /// Declares every entry of a section of top-level resources without children.
    pub(crate) fn declare_each<T>(&mut self, kind: Kind, entries: &[Entry<T>]) {
        for e in entries {
            self.declare(Address::new(kind, &e.key.value), e.key.span, None);
        }
    }

    /// Declares an entry (or a child, such as a node pool) whose settings could not be read.
    pub(crate) fn declare_unreadable(&mut self, address: Address, span: Span) {
        self.symbols.entry(address).or_insert(Symbol {
            span,
            arm_type: None,
            unreadable: true,
        });
    }

    /// Declares the children (`nodePools.NAME`, `subnets.NAME`, …) an entry lost while it was
    /// read: they were written, so references to them are not "not declared".
    pub(crate) fn declare_dropped_children<T>(
        &mut self,
        entry: &Entry<T>,
        field: &str,
        kind: Kind,
    ) {
        for path in &entry.dropped {
            let child = path
                .strip_prefix(field)
                .and_then(|rest| rest.strip_prefix('.'))
                .filter(|name| !name.contains(['.', '[']));
            if let Some(child) = child {
                self.declare_unreadable(
                    Address::child(kind, &entry.key.value, child),
                    entry.key.span,
                );
            }
        }
    }

    /// Resolves a reference to one node of the expected kinds (or an `existing/` entry of a
    /// matching ARM type). Records the dependency.
    pub(crate) fn resolve(
        &mut self,
        text: &Spanned<String>,
        expected: &[Kind],
        deps: &mut Vec<Dependency>,
    ) -> Option<Target> {
        self.resolve_target(text, expected, Ids::Refused, deps)
    }

    /// Like `resolve`, and a raw ARM ID (of a resource outside the stack) is taken as it is.
    pub(crate) fn resolve_or_id(
        &mut self,
        text: &Spanned<String>,
        expected: &[Kind],
        deps: &mut Vec<Dependency>,
    ) -> Option<Target> {
        self.resolve_target(text, expected, Ids::Allowed, deps)
    }

    /// Subnets a resource's network rules admit (`vnet/NAME/SUBNET`, `existing/NAME/SUBNET` or
    /// an ARM ID), each declared one checked for a service endpoint of `endpoints` (the first
    /// is named in the error): a storage account or key vault admits a subnet only through its
    /// service endpoint. `help` says what to add.
    pub(crate) fn subnets_with_endpoint(
        &mut self,
        subnets: &[Spanned<String>],
        endpoints: &[&str],
        help: &str,
        deps: &mut Vec<Dependency>,
    ) -> Vec<Target> {
        let mut admitted = Vec::new();
        for subnet in subnets {
            let Some(target) = self.resolve_or_id(subnet, &[Kind::Subnet], deps) else {
                continue;
            };
            if let Target::Node(address) = &target
                && let Some(Spec::Subnet(sn)) = self.resources.get(address).map(|r| &r.spec)
                && !sn
                    .service_endpoints
                    .iter()
                    .any(|e| endpoints.iter().any(|s| e.eq_ignore_ascii_case(s)))
            {
                self.error(SpecDiagnostic::invalid(
                    format!(
                        "subnet `{address}` has no `{}` service endpoint",
                        endpoints[0]
                    ),
                    subnet.span,
                    "no service endpoint",
                    help,
                ));
            }
            admitted.push(target);
        }
        admitted
    }

    fn resolve_target(
        &mut self,
        text: &Spanned<String>,
        expected: &[Kind],
        ids: Ids,
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
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidReference,
                    message,
                    text.span,
                    format!("expected a reference to a {what}"),
                    example_reference(expected),
                ));
                return None;
            }
        };
        match parsed {
            Parsed::ArmId(id) if ids == Ids::Allowed => {
                let arm_type = arm_type_of(id);
                let fits = arm_type
                    .as_deref()
                    .is_some_and(|t| expected.iter().any(|k| existing_can_be(*k, t)));
                if !fits {
                    self.error(SpecDiagnostic::error_at(
                        Code::WrongReferenceKind,
                        format!("`{id}` is not the ARM ID of a {what}"),
                        text.span,
                        "wrong kind of resource",
                        example_reference(expected),
                    ));
                    return None;
                }
                self.wait_for_group_of(id, text.span, deps);
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
                self.error(SpecDiagnostic::error_at(
                    Code::WrongReferenceKind,
                    format!("`{}` cannot be used here", text.value),
                    text.span,
                    format!("expected a {what}"),
                    example_reference(expected),
                ));
                None
            }
        }
    }

    /// An ARM ID inside a resource group this stack creates (a role assignment scoped to the
    /// group by its ID) cannot be used before the group exists: it depends on the group.
    pub(crate) fn wait_for_group_of(&self, id: &str, span: Span, deps: &mut Vec<Dependency>) {
        let Some(parsed) = ResourceId::parse(id) else {
            return;
        };
        let same_subscription = self
            .raw
            .subscription
            .as_ref()
            .is_some_and(|s| s.value.eq_ignore_ascii_case(parsed.subscription()));
        let Some(group) = parsed.resource_group().filter(|_| same_subscription) else {
            return;
        };
        if let Some((key, _)) = self
            .group_names
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(group))
        {
            deps.push(Dependency {
                on: Address::new(Kind::ResourceGroup, key),
                span,
                explicit: false,
            });
        }
    }

    /// Checks that an address names a declared node of an expected kind.
    pub(crate) fn resolve_address(
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
        // `vnet/v/x` reads as a subnet (`Kind::child`); a VNet's other children (peerings) are
        // found under the same name.
        let node = match (node.kind.parent(), &node.child) {
            (Some(parent), Some(child)) if !self.symbols.contains_key(&node) => parent
                .children()
                .map(|kind| Address::child(kind, &node.name, child))
                .find(|sibling| self.symbols.contains_key(sibling))
                .unwrap_or(node),
            _ => node,
        };
        let parent_unreadable = node
            .parent()
            .and_then(|p| self.symbols.get(&p))
            .is_some_and(|s| s.unreadable);
        if parent_unreadable && !self.symbols.contains_key(&node) {
            return Some(());
        }
        let Some(symbol) = self.symbols.get(&node).cloned() else {
            let same_kind: Vec<String> = self
                .symbols
                .keys()
                .filter(|a| a.kind == node.kind)
                .map(|a| a.to_string())
                .collect();
            let wanted = node.to_string();
            self.error(SpecDiagnostic::error_at(
                Code::UnknownReference,
                format!("`{wanted}` is not declared in this stack"),
                text.span,
                "unknown reference",
                suggest(&wanted, same_kind.iter().map(String::as_str)),
            ));
            return None;
        };
        // An unreadable `existing:` entry has no ARM type to check against.
        let kind_ok = if address.kind == Kind::Existing && symbol.unreadable {
            true
        } else if address.kind == Kind::Existing {
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
            expected.contains(&node.kind)
        };
        if !kind_ok {
            self.error(SpecDiagnostic::error_at(
                Code::WrongReferenceKind,
                format!(
                    "`{}` is a {}, but a {what} is expected here",
                    text.value,
                    node.kind.noun()
                ),
                text.span,
                format!("expected a {what}"),
                example_reference(expected),
            ));
            return None;
        }
        deps.push(Dependency {
            on: node,
            span: text.span,
            explicit: false,
        });
        Some(())
    }

    pub(crate) fn depends_on(&mut self, list: &[Spanned<String>], deps: &mut Vec<Dependency>) {
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
                        SpecDiagnostic::error_at(Code::InvalidReference, format!("`{}` is not a resource address", item.value), item.span, "expected an address", "dependsOn lists addresses such as `roleAssignment/NAME` or `vnet/NAME/SUBNET`"),
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
    pub(crate) fn resource_group(
        &mut self,
        own: Option<&Spanned<String>>,
        key: &Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<ResourceGroupRef> {
        let Some(text) = own.or(self.raw.resource_group.as_ref()).cloned() else {
            self.error(SpecDiagnostic::error_at(
                Code::MissingSetting,
                format!("`{}` has no resource group", key.value),
                key.span,
                "no resource group",
                "set `resourceGroup:` on the resource or once for the whole stack",
            ));
            return None;
        };
        if text.value.starts_with("existing/") {
            let target = self.resolve(&text, &[Kind::ResourceGroup], deps)?;
            let Target::Node(address) = target else {
                return None;
            };
            let id = self.existing_ids.get(&address.name).cloned()?;
            return Some(ResourceGroupRef::Existing { address, id });
        }
        let address = Address::new(Kind::ResourceGroup, &text.value);
        if !self.symbols.contains_key(&address) {
            let declared: Vec<&str> = self.group_names.keys().map(String::as_str).collect();
            self.error(
                SpecDiagnostic::error_at(Code::UnknownReference, format!("resource group `{}` is not declared in this stack", text.value), text.span, "unknown resource group", match crate::diag::did_you_mean(&text.value, declared.iter().copied()) {
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
            .group_names
            .get(&text.value)
            .cloned()
            .unwrap_or_else(|| text.value.clone());
        Some(ResourceGroupRef::Managed { address, name })
    }

    pub(crate) fn location(
        &mut self,
        own: Option<&Spanned<String>>,
        key: &Spanned<String>,
    ) -> Option<String> {
        match own
            .map(|l| l.value.clone())
            .or_else(|| self.location.clone())
        {
            // ARM's region names: "West Europe" is `westeurope`.
            Some(location) => Some(location.replace(' ', "").to_ascii_lowercase()),
            None => {
                self.error(SpecDiagnostic::error_at(
                    Code::MissingSetting,
                    format!("`{}` has no location", key.value),
                    key.span,
                    "no location",
                    "set `location:` on the resource or once for the whole stack",
                ));
                None
            }
        }
    }

    pub(crate) fn tags(&self, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut tags = self.raw.tags.clone();
        tags.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        tags
    }

    pub(crate) fn check_name(
        &mut self,
        name: &str,
        span: Span,
        rule: fn(&str) -> Result<(), names::Rule>,
    ) {
        if let Err(rule) = rule(name) {
            self.error(SpecDiagnostic::error_at(
                Code::InvalidName,
                format!("`{name}` is not a valid name"),
                span,
                "invalid name",
                rule,
            ));
        }
    }

    pub(crate) fn raw_override(
        &mut self,
        raw: Option<&Spanned<RawJson>>,
    ) -> Option<serde_json::Value> {
        let raw = raw?;
        if !raw.value.is_object() {
            self.error(SpecDiagnostic::error_at(
                Code::RawOverride,
                "`raw` must be a mapping merged into the ARM body",
                raw.span,
                "not a mapping",
                "e.g. `raw: {properties: {someSetting: true}}`",
            ));
            return None;
        }
        // What raw may not write: what ARM takes from the request path, the tags (the
        // ownership tag is azplan's), and children that are resources of their own (a list here
        // would delete every child it leaves out, with no delete in the plan).
        const NOT_RAW: &[(&str, &str)] = &[
            ("id", "ARM takes it from the request path"),
            ("name", "ARM takes it from the request path"),
            ("type", "ARM takes it from the request path"),
            (
                "tags",
                "write tags with `tags:`; the ownership tag is azplan's",
            ),
            (
                "properties.subnets",
                "subnets are resources of their own (`subnets:`); a list here would delete the others",
            ),
            (
                "properties.virtualNetworkPeerings",
                "peerings are resources of their own (`peerings:`); a list here would delete the others",
            ),
            (
                "properties.agentPoolProfiles",
                "node pools are resources of their own (`nodePools:`)",
            ),
            ("properties.provisioningState", "Azure sets it"),
        ];
        let mut refused = false;
        for (path, why) in NOT_RAW {
            let present = path
                .split('.')
                .try_fold(&raw.value, |v, key| v.get(key))
                .is_some();
            if present {
                refused = true;
                self.error(SpecDiagnostic::error_at(
                    Code::RawOverride,
                    format!("`raw` may not set `{path}`"),
                    raw.span,
                    "in this raw block",
                    *why,
                ));
            }
        }
        if refused {
            return None;
        }
        Some(raw.value.clone())
    }

    /// The fields every declared, resource-group-scoped resource shares.
    pub(crate) fn common<T: Common>(
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

    pub(crate) fn insert(&mut self, resource: Resource) {
        self.resources.insert(resource.address.clone(), resource);
    }

    pub(crate) fn cidr(&mut self, text: &Spanned<String>) -> Option<Cidr> {
        match text.value.parse::<Cidr>() {
            Ok(cidr) => Some(cidr),
            Err(message) => {
                self.error(SpecDiagnostic::error_at(
                    Code::InvalidCidr,
                    message,
                    text.span,
                    "invalid CIDR",
                    "write an IPv4 network such as `10.240.0.0/16`",
                ));
                None
            }
        }
    }
}

/// The Azure name: `name:` when given, else the key.
pub(crate) fn azure_name(name: Option<&Spanned<String>>, key: &Spanned<String>) -> String {
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
    pub(crate) fn arm_types_come_from_ids() {
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

    /// Clash diagnostics of a stack of two assignments of `Allowed locations`, one at each
    /// scope, both named `require-tag` in any casing.
    fn policy_clashes(first: &str, second: &str) -> Vec<String> {
        let spec = format!(
            "stack: s\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\n\
             resourceGroups:\n  a: {{name: rg-a}}\n  b: {{name: rg-b}}\n\
             policyAssignments:\n  one: {{name: require-tag, policy: Allowed locations, scope: '{first}'}}\n\
             \x20 two: {{name: Require-Tag, policy: Allowed locations, scope: '{second}'}}\n"
        );
        let checked = crate::check::check_str("s.yaml", &spec, &Default::default());
        // `check` runs `one_resource_per_azure_name`; nothing else may fail here.
        assert!(
            checked
                .diagnostics
                .iter()
                .all(|d| d.code == Code::DuplicateName),
            "{:?}",
            checked.diagnostics
        );
        checked
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn policy_assignments_share_a_name_across_scopes_only() {
        assert_eq!(policy_clashes("rg/a", "rg/b"), Vec::<String>::new());
        assert_eq!(policy_clashes("subscription", "rg/a"), Vec::<String>::new());
        assert_eq!(policy_clashes("rg/a", "rg/a").len(), 1);
        assert_eq!(policy_clashes("subscription", "subscription").len(), 1);
    }
}
