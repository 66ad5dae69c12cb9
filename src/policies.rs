//! Built-in Azure Policy definitions and initiatives by name, so a spec can assign
//! `Allowed locations` instead of a definition ID: a small list kept as data in `policies.csv`
//! (sources named there), like `roles.rs` keeps the built-in roles. Anything else is assigned by
//! its full ID.

/// `kind,display name,GUID` per line (see the file's header for its sources).
const TABLE: &str = include_str!("policies.csv");

/// What a policy assignment assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// `Microsoft.Authorization/policyDefinitions`.
    Definition,
    /// `Microsoft.Authorization/policySetDefinitions` (an initiative).
    Initiative,
}

impl PolicyKind {
    /// The ARM type segment of the definition's ID.
    pub fn segment(self) -> &'static str {
        match self {
            PolicyKind::Definition => "policyDefinitions",
            PolicyKind::Initiative => "policySetDefinitions",
        }
    }
}

/// A definition or initiative as the spec named it, resolved to its ARM ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Policy {
    /// `/providers/Microsoft.Authorization/policyDefinitions/{GUID}` for a built-in; a full ID
    /// as given otherwise.
    pub id: String,
    /// The built-in's display name, when known.
    pub name: Option<&'static str>,
}

struct BuiltIn {
    kind: PolicyKind,
    name: &'static str,
    guid: &'static str,
}

fn built_in() -> &'static [BuiltIn] {
    static POLICIES: std::sync::LazyLock<Vec<BuiltIn>> = std::sync::LazyLock::new(|| {
        TABLE
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| {
                let (kind, rest) = line.split_once(',')?;
                let (name, guid) = rest.rsplit_once(',')?;
                let kind = match kind.trim() {
                    "definition" => PolicyKind::Definition,
                    "initiative" => PolicyKind::Initiative,
                    _ => return None,
                };
                let guid = guid.trim();
                crate::names::is_guid(guid).then_some(BuiltIn {
                    kind,
                    name: name.trim(),
                    guid,
                })
            })
            .collect()
    });
    &POLICIES
}

fn built_in_id(b: &BuiltIn) -> String {
    format!(
        "/providers/Microsoft.Authorization/{}/{}",
        b.kind.segment(),
        b.guid
    )
}

/// The kind of definition a definition ID names (any casing), if it is one.
pub fn kind_of_id(id: &str) -> Option<PolicyKind> {
    let lower = id.to_ascii_lowercase();
    let (prefix, name) = lower.rsplit_once('/')?;
    if name.is_empty() {
        return None;
    }
    [PolicyKind::Definition, PolicyKind::Initiative]
        .into_iter()
        .find(|k| {
            prefix.ends_with(&format!(
                "/providers/microsoft.authorization/{}",
                k.segment().to_ascii_lowercase()
            ))
        })
}

/// Resolves a built-in display name (case-insensitively), a built-in's GUID, or a full
/// definition or initiative ID (built-in, or custom at a subscription or management group).
pub fn resolve(text: &str) -> Option<Policy> {
    let text = text.trim();
    if text.starts_with('/') {
        kind_of_id(text)?;
        let guid = text.rsplit('/').next().unwrap_or_default();
        let name = built_in()
            .iter()
            .find(|b| {
                b.guid.eq_ignore_ascii_case(guid) && built_in_id(b).eq_ignore_ascii_case(text)
            })
            .map(|b| b.name);
        return Some(Policy {
            id: text.to_string(),
            name,
        });
    }
    built_in()
        .iter()
        .find(|b| b.name.eq_ignore_ascii_case(text) || b.guid.eq_ignore_ascii_case(text))
        .map(|b| Policy {
            id: built_in_id(b),
            name: Some(b.name),
        })
}

pub fn built_in_names() -> impl Iterator<Item = &'static str> + Clone {
    built_in().iter().map(|b| b.name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_line_is_read_and_names_and_ids_are_unique() {
        let lines = TABLE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
            .count();
        assert_eq!(
            built_in().len(),
            lines,
            "a line of policies.csv is not read"
        );
        let names: BTreeSet<String> = built_in()
            .iter()
            .map(|b| b.name.to_ascii_lowercase())
            .collect();
        let guids: BTreeSet<&str> = built_in().iter().map(|b| b.guid).collect();
        assert_eq!(names.len(), lines, "display names are unique");
        assert_eq!(guids.len(), lines, "GUIDs are unique");
    }

    #[test]
    fn names_guids_and_ids_resolve() {
        let by_name = resolve("allowed LOCATIONS").unwrap();
        assert_eq!(
            by_name.id,
            "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
        );
        assert_eq!(
            resolve("e56962a6-4747-49cd-b67b-bf8b01975c4c"),
            Some(by_name.clone())
        );
        assert_eq!(resolve(&by_name.id), Some(by_name));
        let initiative =
            resolve("Kubernetes cluster pod security baseline standards for Linux-based workloads")
                .unwrap();
        assert_eq!(kind_of_id(&initiative.id), Some(PolicyKind::Initiative));
        let custom = "/subscriptions/s/providers/Microsoft.Authorization/policyDefinitions/mine";
        assert_eq!(
            resolve(custom),
            Some(Policy {
                id: custom.into(),
                name: None
            })
        );
        assert_eq!(resolve("No such policy"), None);
        assert_eq!(resolve("/subscriptions/s/resourceGroups/rg"), None);
    }
}
