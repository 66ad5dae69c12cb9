//! Names users bring from ARM templates, Bicep and Terraform's azurerm provider, mapped to
//! azplan's fields, so an unknown field says where its setting lives here ("`enableAutoScaling`
//! is ARM's name; azplan writes `autoscale: {min, max}`") instead of "14 candidates, none close".
//! Each kind keeps its rows as data beside its spec types (`HABITS`); this module matches them.
//!
//! ARM names are the properties of the kind's ARM body (Bicep writes the same names); azurerm
//! names are the arguments of the matching `azurerm_*` resource. Names that differ from
//! azplan's only in case style (`vm_size`, `dns_prefix`) need no row: the did-you-mean already
//! finds them (`crate::diag::did_you_mean`).

use crate::diag::{Code, SpecDiagnostic, same_words};
use crate::source::Span;
use crate::yaml::{Node, Value};

/// One name another tool writes, and what azplan writes instead.
#[derive(Debug, Clone, Copy)]
pub struct Habit {
    /// Where the name is written, relative to the table's place: `""` for the entry's own
    /// settings, `network`, `network.loadBalancer`, …
    pub at: &'static str,
    /// ARM's (and Bicep's) property name; `""` when it is azplan's too or has none.
    pub arm: &'static str,
    /// The azurerm argument; `""` when it has none that differs.
    pub azurerm: &'static str,
    /// What azplan writes instead, as the hint says it.
    pub azplan: &'static str,
}

/// A row, shortened for the tables.
pub const fn habit(
    at: &'static str,
    arm: &'static str,
    azurerm: &'static str,
    azplan: &'static str,
) -> Habit {
    Habit {
        at,
        arm,
        azurerm,
        azplan,
    }
}

/// Names every kind shares: where a resource lives.
#[rustfmt::skip]
pub(crate) const COMMON: &[Habit] = &[
    habit("", "", "resource_group_name", "`resourceGroup` (a key under `resourceGroups`, or `existing/NAME`)"),
    habit("", "", "depends_on", "`dependsOn: [ADDRESS, …]` (e.g. `roleAssignment/NAME`)"),
];

/// A kind's tables: each with the place (a pattern, `*` for any key) its rows are relative to.
pub type Tables = &'static [(&'static str, &'static [Habit])];

/// Rewrites the help of unknown-field diagnostics (those pushed for one entry) whose name
/// another tool uses, from the kind's tables.
pub(crate) fn explain<'d>(
    diagnostics: impl Iterator<Item = &'d mut SpecDiagnostic>,
    body: &Node,
    tables: Tables,
) {
    for diagnostic in diagnostics.filter(|d| d.code == Code::UnknownField) {
        let Some((span, _)) = &diagnostic.primary else {
            continue;
        };
        let Some((parents, name)) = key_path(body, *span) else {
            continue;
        };
        if let Some(hint) = lookup(tables, &parents, &name) {
            diagnostic.help = Some(hint);
        }
    }
}

/// The hint for `name` written under `parents` (keys from the entry down), if a table knows it.
pub fn lookup(tables: Tables, parents: &[String], name: &str) -> Option<String> {
    let written = same_words(name);
    for (place, rows) in tables {
        for row in rows.iter() {
            if !at(place, row.at, parents) {
                continue;
            }
            let arm = !row.arm.is_empty() && same_words(row.arm) == written;
            let azurerm = !row.azurerm.is_empty() && same_words(row.azurerm) == written;
            // When both tools spell the same words, the case style says whose it is:
            // snake_case is Terraform's, camelCase ARM's.
            let snake = name.contains('_');
            let whose = match (arm, azurerm) {
                (true, true) if name.eq_ignore_ascii_case(row.arm) && name == row.azurerm => {
                    "ARM's and Terraform's (azurerm) name"
                }
                (true, true) if snake => "Terraform's (azurerm) name",
                (true, _) => "ARM's (and Bicep's) name",
                (false, true) => "Terraform's (azurerm) name",
                (false, false) => continue,
            };
            return Some(format!("`{name}` is {whose}; azplan writes {}", row.azplan));
        }
    }
    None
}

/// Whether `parents` is the table's place followed by the row's.
fn at(place: &str, relative: &str, parents: &[String]) -> bool {
    let pattern: Vec<&str> = place
        .split('.')
        .chain(relative.split('.'))
        .filter(|p| !p.is_empty())
        .collect();
    pattern.len() == parents.len()
        && pattern
            .iter()
            .zip(parents)
            .all(|(p, key)| *p == "*" || p == key)
}

/// The keys from the entry down to the mapping holding the key at `span`, and that key.
fn key_path(node: &Node, span: Span) -> Option<(Vec<String>, String)> {
    match &node.value {
        Value::Map(entries) => entries.iter().find_map(|(key, value)| {
            let name = key.as_str().unwrap_or("?").to_string();
            if key.span == span {
                return Some((Vec::new(), name));
            }
            let (mut parents, found) = key_path(value, span)?;
            parents.insert(0, name);
            Some((parents, found))
        }),
        Value::Seq(items) => items.iter().find_map(|item| key_path(item, span)),
        Value::Scalar { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL: &[Habit] = &[habit(
        "",
        "enableAutoScaling",
        "auto_scaling_enabled",
        "`autoscale: {min, max}`",
    )];
    const CLUSTER: &[Habit] = &[habit(
        "network",
        "networkPlugin",
        "network_plugin",
        "`plugin`",
    )];
    const TABLES: Tables = &[("", CLUSTER), ("nodePools.*", POOL)];

    fn keys(path: &[&str]) -> Vec<String> {
        path.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_are_found_where_the_other_tool_writes_them() {
        assert_eq!(
            lookup(TABLES, &keys(&["nodePools", "apps"]), "enableAutoScaling").as_deref(),
            Some(
                "`enableAutoScaling` is ARM's (and Bicep's) name; azplan writes `autoscale: {min, max}`"
            )
        );
        assert_eq!(
            lookup(
                TABLES,
                &keys(&["nodePools", "apps"]),
                "auto_scaling_enabled"
            )
            .as_deref(),
            Some(
                "`auto_scaling_enabled` is Terraform's (azurerm) name; azplan writes `autoscale: {min, max}`"
            )
        );
        assert!(lookup(TABLES, &keys(&["network"]), "network_plugin").is_some());
        // Only at their place: a pool's name means nothing on the cluster itself.
        assert_eq!(lookup(TABLES, &[], "enableAutoScaling"), None);
        assert_eq!(lookup(TABLES, &keys(&["nodePools", "apps"]), "count"), None);
    }
}
