//! ARM resource IDs, parsed once: `/subscriptions/S/resourceGroups/G/providers/NS/T/N[/T2/N2]`,
//! and extension resources that hang off another resource
//! (`…/registries/r/providers/Microsoft.Authorization/roleAssignments/x`, a role assignment on a
//! namespace of a cluster). Every part of the planner that asks an ID for its type, parent,
//! scope or group asks this type, so the answers cannot disagree.

use std::fmt;

/// One `providers/NAMESPACE/TYPE/NAME[/TYPE/NAME…]` section of an ID.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Section {
    namespace: String,
    /// (type, name) pairs: `virtualNetworks/v`, then `subnets/s`.
    types: Vec<(String, String)>,
}

/// A parsed ARM ID. Comparisons are case-insensitive, as ARM's are.
#[derive(Debug, Clone)]
pub struct ResourceId {
    subscription: String,
    resource_group: Option<String>,
    sections: Vec<Section>,
}

impl ResourceId {
    /// Parses an ID; `None` for anything that is not one (no `/subscriptions/…`, a dangling
    /// `providers`, a type without a name).
    pub fn parse(text: &str) -> Option<ResourceId> {
        let parts: Vec<&str> = text.trim_matches('/').split('/').collect();
        let mut at = 0;
        let mut next = || {
            let part = parts.get(at).copied();
            at += 1;
            part
        };
        if !next()?.eq_ignore_ascii_case("subscriptions") {
            return None;
        }
        let subscription = next().filter(|s| !s.is_empty())?.to_string();
        let mut id = ResourceId {
            subscription,
            resource_group: None,
            sections: Vec::new(),
        };
        while let Some(word) = next() {
            if word.eq_ignore_ascii_case("resourceGroups")
                && id.resource_group.is_none()
                && id.sections.is_empty()
            {
                id.resource_group = Some(next().filter(|g| !g.is_empty())?.to_string());
            } else if word.eq_ignore_ascii_case("providers") {
                let namespace = next().filter(|n| !n.is_empty())?.to_string();
                id.sections.push(Section {
                    namespace,
                    types: Vec::new(),
                });
            } else {
                let name = next().filter(|n| !n.is_empty())?;
                if word.is_empty() {
                    return None;
                }
                id.sections
                    .last_mut()?
                    .types
                    .push((word.to_string(), name.to_string()));
            }
        }
        if id.sections.last().is_some_and(|s| s.types.is_empty()) {
            return None;
        }
        Some(id)
    }

    pub fn subscription(&self) -> &str {
        &self.subscription
    }

    pub fn resource_group(&self) -> Option<&str> {
        self.resource_group.as_deref()
    }

    /// The ARM type, e.g. `Microsoft.Network/virtualNetworks/subnets`: of the last section for
    /// an extension resource (a role assignment on a registry is a role assignment).
    pub fn arm_type(&self) -> String {
        match self.sections.last() {
            Some(section) => {
                let types: Vec<&str> = section.types.iter().map(|(t, _)| t.as_str()).collect();
                format!("{}/{}", section.namespace, types.join("/"))
            }
            None if self.resource_group.is_some() => {
                crate::kind::resource_group_type().path.to_string()
            }
            None => crate::kind::SUBSCRIPTION_TYPE.to_string(),
        }
    }

    /// The resource's own name (the last segment).
    pub fn name(&self) -> &str {
        match self.sections.last().and_then(|s| s.types.last()) {
            Some((_, name)) => name,
            None => self.resource_group.as_deref().unwrap_or(&self.subscription),
        }
    }

    /// The resource this one is a child of (`vnet` for a subnet); `None` for a top-level
    /// resource or an extension resource (whose scope is not its parent).
    pub fn parent(&self) -> Option<ResourceId> {
        let last = self.sections.last()?;
        if last.types.len() < 2 {
            return None;
        }
        let mut parent = self.clone();
        parent.sections.last_mut()?.types.pop();
        Some(parent)
    }

    /// What an extension resource hangs off (the scope of a role assignment); `None` for a
    /// resource that is not an extension.
    pub fn scope(&self) -> Option<ResourceId> {
        let extension = match self.sections.len() {
            0 => false,
            // A second `providers` section is always an extension of what comes before.
            1 => self.is_extension_of_scope(),
            _ => true,
        };
        if !extension {
            return None;
        }
        let mut scope = self.clone();
        scope.sections.pop();
        Some(scope)
    }

    /// A single section that sits directly on a subscription or group is an extension resource
    /// when its namespace is one of ARM's extension providers; role assignments on a group are.
    fn is_extension_of_scope(&self) -> bool {
        self.sections.last().is_some_and(|s| {
            let role_assignments = crate::kind::role_assignment_type().path;
            let namespace = role_assignments.split('/').next().unwrap_or_default();
            s.namespace.eq_ignore_ascii_case(namespace)
        })
    }

    /// Whether this ID is `other` or lies inside it (a resource inside a group, a role
    /// assignment scoped below a resource).
    pub fn is_within(&self, other: &ResourceId) -> bool {
        let mine = self.to_string().to_ascii_lowercase();
        let theirs = other.to_string().to_ascii_lowercase();
        mine == theirs || mine.starts_with(&format!("{theirs}/"))
    }

    /// `NS/type/name…` after the first `providers` (what a delete line shows for a resource
    /// known only by ID), or the group's or subscription's name.
    pub fn short(&self) -> String {
        let text = self.to_string();
        match text.to_ascii_lowercase().find("/providers/") {
            Some(at) => text[at + "/providers/".len()..].to_string(),
            None => self.name().to_string(),
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/subscriptions/{}", self.subscription)?;
        if let Some(group) = &self.resource_group {
            write!(f, "/resourceGroups/{group}")?;
        }
        for section in &self.sections {
            write!(f, "/providers/{}", section.namespace)?;
            for (t, n) in &section.types {
                write!(f, "/{t}/{n}")?;
            }
        }
        Ok(())
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &ResourceId) -> bool {
        self.to_string().eq_ignore_ascii_case(&other.to_string())
    }
}

impl Eq for ResourceId {}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

    #[test]
    fn types_parents_and_scopes() {
        let subnet = ResourceId::parse(&format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
        ))
        .unwrap();
        assert_eq!(
            subnet.arm_type(),
            "Microsoft.Network/virtualNetworks/subnets"
        );
        assert_eq!(subnet.name(), "s");
        assert_eq!(subnet.resource_group(), Some("rg"));
        assert_eq!(
            subnet.parent().unwrap().to_string(),
            format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v")
        );
        assert!(subnet.scope().is_none());
        assert_eq!(
            subnet.short(),
            "Microsoft.Network/virtualNetworks/v/subnets/s"
        );

        // A role assignment on a namespace of a cluster: two provider sections.
        let on_namespace = ResourceId::parse(&format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/namespaces/team/providers/Microsoft.Authorization/roleAssignments/x"
        ))
        .unwrap();
        assert_eq!(
            on_namespace.arm_type(),
            "Microsoft.Authorization/roleAssignments"
        );
        assert!(
            on_namespace.parent().is_none(),
            "an extension has a scope, not a parent"
        );
        let scope = on_namespace.scope().unwrap();
        assert_eq!(
            scope.arm_type(),
            "Microsoft.ContainerService/managedClusters/namespaces"
        );
        let group = ResourceId::parse(&format!("{SUB}/resourceGroups/RG")).unwrap();
        assert!(on_namespace.is_within(&group), "case-insensitive");
        assert_eq!(group.arm_type(), "Microsoft.Resources/resourceGroups");

        // A role assignment on a group: one section, still an extension.
        let on_group = ResourceId::parse(&format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x"
        ))
        .unwrap();
        assert_eq!(on_group.scope().unwrap(), group);

        for bad in [
            "",
            "/",
            "not-an-id",
            "/subscriptions",
            "/subscriptions/s/resourceGroups",
            "/subscriptions/s/resourceGroups/x/providers/Microsoft.Network",
            "/subscriptions/s/resourceGroups/x/providers/Microsoft.Network/virtualNetworks",
        ] {
            assert!(ResourceId::parse(bad).is_none(), "{bad}");
        }
    }

    fn segment() -> impl Strategy<Value = String> {
        "[A-Za-z0-9][A-Za-z0-9._-]{0,8}"
    }

    proptest! {
        /// Any ID built from parts parses back to those parts, and prints back as written.
        #[test]
        fn ids_round_trip(
            group in proptest::option::of(segment()),
            sections in prop::collection::vec(
                (segment(), prop::collection::vec((segment(), segment()), 1..3)),
                0..3,
            ),
        ) {
            let mut text = SUB.to_string();
            if let Some(g) = &group {
                text.push_str(&format!("/resourceGroups/{g}"));
            }
            for (namespace, types) in &sections {
                text.push_str(&format!("/providers/{namespace}"));
                for (t, n) in types {
                    text.push_str(&format!("/{t}/{n}"));
                }
            }
            let id = ResourceId::parse(&text).expect("parses");
            prop_assert_eq!(id.to_string(), text.clone());
            prop_assert_eq!(id.resource_group(), group.as_deref());
            if let Some((namespace, types)) = sections.last() {
                let names: Vec<&str> = types.iter().map(|(t, _)| t.as_str()).collect();
                prop_assert_eq!(id.arm_type(), format!("{namespace}/{}", names.join("/")));
                prop_assert_eq!(id.name(), types.last().unwrap().1.as_str());
                if let Some(parent) = id.parent() {
                    prop_assert!(id.is_within(&parent));
                    prop_assert!(text.starts_with(&parent.to_string()));
                }
                if let Some(scope) = id.scope() {
                    prop_assert!(id.is_within(&scope));
                }
            }
        }

        /// Whatever the text, parsing never panics, and what parses prints back parseable.
        #[test]
        fn parsing_never_panics(text in "(/[A-Za-z0-9.]{0,6}){0,12}") {
            if let Some(id) = ResourceId::parse(&text) {
                prop_assert!(ResourceId::parse(&id.to_string()).is_some());
            }
        }
    }
}
