//! Reading a stack's groups through Azure Resource Graph: the one query that asks for all of a
//! stack's groups (and what its tag marks elsewhere) at once, and turning its rows back into the
//! GET bodies the planner compares. Resource Graph lags behind ARM by seconds, so apply confirms
//! every resource it writes with a fresh GET (see `apply`), and `--read list` avoids it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::kinds;

/// What to read in one subscription: groups by lower-case name, and the stacks whose ownership
/// tag finds what they own elsewhere in that subscription (a stack's tag counts only in its own
/// subscription: a stack of the same name in another subscription is another stack).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub groups: BTreeSet<String>,
    pub owners: BTreeSet<String>,
}

/// What one query asks for, per subscription (lower-case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ask {
    pub scopes: BTreeMap<String, Scope>,
}

impl Ask {
    /// Whether `self` answers everything `other` asks.
    pub fn covers(&self, other: &Ask) -> bool {
        other.scopes.iter().all(|(subscription, scope)| {
            self.scopes.get(subscription).is_some_and(|mine| {
                scope.groups.is_subset(&mine.groups) && scope.owners.is_subset(&mine.owners)
            })
        })
    }

    /// The subscriptions the query runs over (the request's `subscriptions`).
    pub fn subscriptions(&self) -> Vec<String> {
        self.scopes.keys().cloned().collect()
    }
}

/// A KQL string literal: single-quoted, with `\` and `'` escaped (KQL "String data type":
/// escaping with a backslash inside single quotes).
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The query for `ask`, within the subset Resource Graph documents for the `Resources` table and
/// the emulator serves: `where` on `subscriptionId`, `resourceGroup` and a tag with `=~`/`in~`,
/// `and`/`or`, ordered by `id` so that `$skipToken` pages are stable.
pub fn query(ask: &Ask) -> String {
    let mut any = Vec::new();
    for (subscription, scope) in &ask.scopes {
        let mut within = Vec::new();
        if !scope.groups.is_empty() {
            let groups: Vec<String> = scope.groups.iter().map(|g| quoted(g)).collect();
            within.push(format!("resourceGroup in~ ({})", groups.join(", ")));
        }
        if !scope.owners.is_empty() {
            let owners: Vec<String> = scope.owners.iter().map(|o| quoted(o)).collect();
            within.push(format!(
                "tags[{}] in~ ({})",
                quoted(kinds::OWNER_TAG),
                owners.join(", ")
            ));
        }
        if within.is_empty() {
            continue;
        }
        any.push(format!(
            "(subscriptionId =~ {} and ({}))",
            quoted(subscription),
            within.join(" or ")
        ));
    }
    if any.is_empty() {
        // Nothing to ask: a query that answers no rows.
        return "Resources | where id == '' | order by id asc".to_string();
    }
    format!("Resources | where {} | order by id asc", any.join(" or "))
}

/// The GET body of a Resources row: the columns a GET has, with the type in ARM's casing (rows
/// answer it lower-cased) and the empty columns Resource Graph fills in (`kind: ""`,
/// `zones: null`) left out, as a GET leaves them out.
pub fn body_of_row(row: &Value) -> Option<Value> {
    let row = row.as_object()?;
    let id = row.get("id")?.as_str()?;
    let mut body = Map::new();
    body.insert("id".into(), Value::String(id.to_string()));
    for column in [
        "name",
        "type",
        "kind",
        "location",
        "managedBy",
        "sku",
        "plan",
        "properties",
        "tags",
        "identity",
        "zones",
        "extendedLocation",
    ] {
        match row.get(column) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(value) => {
                body.insert(column.into(), value.clone());
            }
        }
    }
    if let Some(Value::String(arm_type)) = body.get("type")
        && let Some((_, known)) = kinds::by_arm_type(arm_type)
    {
        body.insert("type".into(), Value::String(known.path.to_string()));
    }
    Some(Value::Object(body))
}

/// The row's subscription and group, lower-case, from its `id`.
pub fn place_of(body: &Value) -> Option<(String, String)> {
    let id = body.get("id")?.as_str()?;
    let parsed = crate::id::ResourceId::parse(id)?;
    Some((
        parsed.subscription().to_ascii_lowercase(),
        parsed.resource_group()?.to_ascii_lowercase(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ask(groups: &[&str], owners: &[&str]) -> Ask {
        let mut ask = Ask::default();
        ask.scopes.insert(
            "sub".into(),
            Scope {
                groups: groups.iter().map(|g| g.to_string()).collect(),
                owners: owners.iter().map(|o| o.to_string()).collect(),
            },
        );
        ask
    }

    #[test]
    fn one_query_asks_for_every_group_and_the_owner_tag() {
        let q = query(&ask(&["rg-a", "rg-b"], &["platform"]));
        assert_eq!(
            q,
            "Resources | where (subscriptionId =~ 'sub' and (resourceGroup in~ ('rg-a', 'rg-b') or tags['azplan-stack'] in~ ('platform'))) | order by id asc"
        );
    }

    #[test]
    fn a_stack_s_tag_is_asked_for_in_its_own_subscription_only() {
        let mut both = ask(&["rg-a"], &["platform"]);
        both.scopes.insert(
            "other".into(),
            Scope {
                groups: ["rg-hub".to_string()].into(),
                owners: BTreeSet::new(),
            },
        );
        assert_eq!(
            query(&both),
            "Resources | where (subscriptionId =~ 'other' and (resourceGroup in~ ('rg-hub'))) or (subscriptionId =~ 'sub' and (resourceGroup in~ ('rg-a') or tags['azplan-stack'] in~ ('platform'))) | order by id asc"
        );
    }

    #[test]
    fn quotes_in_names_cannot_end_the_literal() {
        assert_eq!(quoted("a'b\\c"), "'a\\'b\\\\c'");
    }

    #[test]
    fn a_wider_ask_covers_a_narrower_one() {
        assert!(ask(&["a", "b"], &["x", "y"]).covers(&ask(&["a"], &["x"])));
        assert!(!ask(&["a"], &["x"]).covers(&ask(&["a", "b"], &["x"])));
        assert!(!ask(&["a", "b"], &["x"]).covers(&ask(&["a"], &["y"])));
    }

    #[test]
    fn a_row_becomes_the_get_body() {
        // The row shape of ResourcesBasicQuery (resourcegraph 2024-04-01 examples).
        let row = json!({
            "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v",
            "name": "v", "type": "microsoft.network/virtualnetworks", "tenantId": "t",
            "kind": "", "location": "westeurope", "resourceGroup": "rg", "subscriptionId": "s",
            "managedBy": "", "sku": null, "plan": null, "properties": {"subnets": []},
            "tags": {}, "identity": null, "zones": null, "extendedLocation": null
        });
        assert_eq!(
            body_of_row(&row).unwrap(),
            json!({
                "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/v",
                "name": "v", "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
                "properties": {"subnets": []}, "tags": {}
            })
        );
        assert_eq!(
            place_of(&body_of_row(&row).unwrap()),
            Some(("s".into(), "rg".into()))
        );
    }
}
