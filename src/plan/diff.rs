//! Comparing a desired ARM body with a live one, property by property, under a kind's rules:
//! only what azplan sets is compared, so server defaults and read-only values are never changes.

use serde_json::Value;

use crate::kinds::Rules;

/// One property that differs.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub path: String,
    pub before: Option<Value>,
    pub after: Value,
}

/// What a diff leaves out besides the kind's rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unknowns<'a> {
    /// Paths ignored for this resource only (an autoscaled pool's count).
    pub ignored: &'a [&'a str],
    /// Paths whose desired value is not known yet (a late value from a dependency): a change
    /// only when the live body has nothing there.
    pub late: &'a [&'a str],
}

/// Differences between `desired` and `live`, skipping `create_only` and ignored paths.
pub fn diff(
    desired: &Value,
    live: &Value,
    rules: &Rules,
    unknowns: Unknowns<'_>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let walker = Walker {
        rules,
        extra_ignores: unknowns.ignored,
        late: unknowns.late,
    };
    let shown_as_list = single_values_shown_as_lists(live, rules);
    walker.walk(
        &mut String::new(),
        desired,
        Some(shown_as_list.as_ref().unwrap_or(live)),
        &mut out,
    );
    out
}

/// A live body where a single value Azure shows only as a one-element list (a subnet made with
/// `addressPrefixes: [x]` has no `addressPrefix`) is read as the single value too; `None` when
/// nothing needed it.
fn single_values_shown_as_lists(live: &Value, rules: &Rules) -> Option<Value> {
    let mut normalized: Option<Value> = None;
    for (single, list) in rules.single_or_list {
        let current = normalized.as_ref().unwrap_or(live);
        let shown = crate::plan::lookup(current, single).is_some_and(|v| !v.is_null());
        let only = crate::plan::lookup(current, list)
            .and_then(Value::as_array)
            .filter(|a| a.len() == 1)
            .map(|a| a[0].clone());
        if let (false, Some(only)) = (shown, only) {
            let mut copy = current.clone();
            crate::kinds::set(&mut copy, single, only);
            normalized = Some(copy);
        }
    }
    normalized
}

struct Walker<'r> {
    rules: &'r Rules,
    extra_ignores: &'r [&'r str],
    late: &'r [&'r str],
}

/// Matches a dotted path against a rule pattern where `*` is any one key and `[]` any element.
/// Called for every rule at every node of every body: it walks both in step without allocating.
pub fn matches(pattern: &str, path: &str) -> bool {
    let (mut pattern, mut path) = (pattern.split('.'), path.split('.'));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some(p), Some(q))
                if p == "*"
                    || p == q
                    || (p.ends_with("[]") && q.strip_suffix("[]") == p.strip_suffix("[]")) => {}
            _ => return false,
        }
    }
}

/// Appends `.key` (or `key` at the root) to a dotted path; returns the length to truncate back to.
fn push_key(path: &mut String, key: &str) -> usize {
    let len = path.len();
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
    len
}

fn any(patterns: &[&str], path: &str) -> bool {
    patterns.iter().any(|p| matches(p, path))
}

impl Walker<'_> {
    /// `path` is the dotted path of `desired`, extended and restored in place as the walk goes
    /// down (no string per node).
    fn walk(
        &self,
        path: &mut String,
        desired: &Value,
        live: Option<&Value>,
        out: &mut Vec<Difference>,
    ) {
        let dotted = path.clone();
        if !dotted.is_empty()
            && (any(self.rules.ignore, &dotted)
                || any(self.rules.create_only, &dotted)
                || any(self.extra_ignores, &dotted))
        {
            return;
        }
        if self.late.contains(&dotted.as_str()) {
            // Unknown until a dependency exists; apply resolves it and rewrites it only if needed.
            if live.is_none_or(Value::is_null) {
                out.push(Difference {
                    path: dotted,
                    before: None,
                    after: desired.clone(),
                });
            }
            return;
        }
        match (desired, live) {
            (Value::Object(d), Some(Value::Object(l))) => {
                let keys_ci = any(self.rules.case_insensitive_keys, &dotted);
                for (key, value) in d {
                    let live_value = if keys_ci {
                        l.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(key))
                            .map(|(_, v)| v)
                    } else {
                        l.get(key)
                    };
                    let len = push_key(path, key);
                    self.walk(path, value, live_value, out);
                    path.truncate(len);
                }
                if any(self.rules.exact_maps, &dotted) {
                    for (key, value) in l {
                        if !d.contains_key(key) {
                            out.push(Difference {
                                path: format!("{dotted}.{key}"),
                                before: Some(value.clone()),
                                after: Value::Null,
                            });
                        }
                    }
                }
            }
            // A whole section Azure does not show: compare leaf by leaf, so a setting that is
            // off (`enabled: false`) matches its absence where that is the service default.
            (Value::Object(d), None | Some(Value::Null)) => {
                for (key, value) in d {
                    let len = push_key(path, key);
                    self.walk(path, value, None, out);
                    path.truncate(len);
                }
            }
            (Value::Array(d), Some(Value::Array(l))) => {
                if any(self.rules.sets, &dotted) {
                    if !self.same_set(&dotted, d, l) {
                        out.push(Difference {
                            path: dotted,
                            before: live.cloned(),
                            after: desired.clone(),
                        });
                    }
                    return;
                }
                if d.len() != l.len() {
                    out.push(Difference {
                        path: dotted,
                        before: live.cloned(),
                        after: desired.clone(),
                    });
                    return;
                }
                let mut element_path = path.clone();
                if !element_path.is_empty() {
                    element_path.push_str("[]");
                }
                let mut inner = Vec::new();
                for (dv, lv) in d.iter().zip(l) {
                    self.walk(&mut element_path, dv, Some(lv), &mut inner);
                }
                if !inner.is_empty() {
                    // Lists are shown whole: an element-wise path would not say which element.
                    out.push(Difference {
                        path: dotted,
                        before: live.cloned(),
                        after: desired.clone(),
                    });
                }
            }
            (Value::Object(d), _) if d.is_empty() && live.is_none_or(Value::is_null) => {}
            (Value::Array(d), _) if d.is_empty() && live.is_none_or(Value::is_null) => {}
            (d, Some(l)) if !l.is_null() && self.same_scalar(&dotted, d, l) => {}
            // A body that sends `null` asks for the property to be absent (a subnet's
            // `routeTable: none`): met when the live body has none.
            (Value::Null, None | Some(Value::Null)) => {}
            // Absent and `null` are one thing: the service default, where Microsoft documents
            // one (tests/oracle/DEFAULTS.md); the default is compared as a live value would be.
            (d, None | Some(Value::Null))
                if self.server_default(&dotted).is_some_and(|default| {
                    d == &default || self.same_scalar(&dotted, d, &default)
                }) => {}
            _ => out.push(Difference {
                path: dotted,
                before: live.filter(|v| !v.is_null()).cloned(),
                after: desired.clone(),
            }),
        }
    }

    fn same_scalar(&self, path: &str, desired: &Value, live: &Value) -> bool {
        if desired == live {
            return true;
        }
        match (desired, live) {
            (Value::String(d), Value::String(l)) => {
                if let Some((_, names)) =
                    self.rules.equivalent.iter().find(|(p, _)| matches(p, path))
                {
                    let name_of = |s: &str| {
                        names
                            .iter()
                            .find(|(old, _)| old.eq_ignore_ascii_case(s))
                            .map_or(s.to_string(), |(_, new)| new.to_string())
                    };
                    if name_of(d).eq_ignore_ascii_case(&name_of(l)) {
                        return true;
                    }
                }
                if any(self.rules.trailing_whitespace, path) && d.trim_end() == l.trim_end() {
                    return true;
                }
                // "West Europe" and "westeurope" are one region.
                if path == "location" {
                    let norm = |s: &str| s.replace(' ', "").to_ascii_lowercase();
                    return norm(d) == norm(l);
                }
                if any(self.rules.version_prefix, path) {
                    return l
                        .strip_prefix(d.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
                }
                if any(self.rules.last_segment, path) {
                    return last_segment(d).eq_ignore_ascii_case(last_segment(l));
                }
                any(self.rules.case_insensitive, path) && d.eq_ignore_ascii_case(l)
            }
            // ARM returns some numbers as strings and vice versa (e.g. zones "1" vs 1).
            (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
                n.to_string() == *s
            }
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            _ => false,
        }
    }

    fn server_default(&self, path: &str) -> Option<Value> {
        let (_, text) = self
            .rules
            .server_defaults
            .iter()
            .find(|(p, _)| matches(p, path))?;
        serde_json::from_str(text).ok()
    }

    fn same_set(&self, path: &str, desired: &[Value], live: &[Value]) -> bool {
        let element = format!("{path}[].");
        let ci = any(self.rules.case_insensitive, path)
            || self
                .rules
                .case_insensitive
                .iter()
                .any(|p| p.starts_with(&element));
        // Elements that are objects are compared on the keys azplan sends: Azure adds its own
        // to each (a service endpoint comes back with `locations` and `provisioningState`).
        let sent: std::collections::BTreeSet<&String> = desired
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|o| o.keys())
            .collect();
        let key = |v: &Value| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Object(o) if !sent.is_empty() => {
                    let kept: serde_json::Map<String, Value> = o
                        .iter()
                        .filter(|(k, _)| sent.contains(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    Value::Object(kept).to_string()
                }
                other => other.to_string(),
            };
            if ci { text.to_ascii_lowercase() } else { text }
        };
        let mut d: Vec<String> = desired.iter().map(key).collect();
        let mut l: Vec<String> = live.iter().map(key).collect();
        d.sort();
        d.dedup();
        l.sort();
        l.dedup();
        d == l
    }
}

/// Differences whose live value Azure does not show, on a property fixed at creation: azplan
/// cannot tell whether they differ, so they are neither changes nor replacements (a
/// replacement is planned only from a value Azure shows). Returns (changes, not shown).
pub fn split_not_shown(
    differences: Vec<Difference>,
    rules: &Rules,
) -> (Vec<Difference>, Vec<Difference>) {
    differences.into_iter().partition(|d| {
        d.before.is_some()
            || !rules
                .immutable
                .iter()
                .any(|(p, _)| matches(p, &d.path) || d.path.starts_with(&format!("{p}.")))
    })
}

fn last_segment(text: &str) -> &str {
    text.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kinds::EMPTY;

    static RULES: Rules = Rules {
        sets: &["zones"],
        case_insensitive: &["location", "id"],
        case_insensitive_keys: &["addons"],
        exact_maps: &["tags"],
        ignore: &["secret"],
        last_segment: &["role"],
        version_prefix: &["version"],
        ..EMPTY
    };

    #[test]
    fn server_noise_is_not_a_change() {
        let desired = json!({"location": "West Europe", "zones": ["1", "2"], "addons": {"omsagent": {"enabled": true}},
            "role": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/abc", "secret": "x", "id": "/A/B", "version": "1.33"});
        let live = json!({"location": "WestEurope", "zones": [2, 1], "addons": {"omsAgent": {"enabled": true, "identity": {}}},
            "role": "/providers/Microsoft.Authorization/roleDefinitions/ABC", "id": "/a/b", "provisioningState": "Succeeded", "version": "1.33.5"});
        assert_eq!(diff(&desired, &live, &RULES, Unknowns::default()), vec![]);
    }

    #[test]
    fn changes_and_foreign_tags_are_reported() {
        let desired = json!({"tags": {"a": "1"}, "count": 3, "nested": {"x": [1, 2]}});
        let live = json!({"tags": {"a": "1", "b": "2"}, "count": 2, "nested": {"x": [1, 3]}});
        let paths: Vec<String> = diff(&desired, &live, &RULES, Unknowns::default())
            .into_iter()
            .map(|d| d.path)
            .collect();
        assert_eq!(paths, vec!["count", "nested.x", "tags.b"]);
    }

    #[test]
    fn set_elements_are_compared_on_the_keys_sent() {
        // Subnet service endpoints as the official VirtualNetworkCreateServiceEndpoints example
        // (Network 2026-03-01) answers them: Azure adds `locations` and `provisioningState`.
        let rules = &crate::kinds::network::SUBNET_RULES;
        let desired =
            json!({"properties": {"serviceEndpoints": [{"service": "Microsoft.Storage"}]}});
        let live = json!({"properties": {"serviceEndpoints": [{"service": "microsoft.storage",
            "locations": ["eastus2(stage)", "centraluseuap"], "provisioningState": "Succeeded"}]}});
        assert_eq!(diff(&desired, &live, rules, Unknowns::default()), vec![]);
        let other = json!({"properties": {"serviceEndpoints": [{"service": "Microsoft.Sql"}]}});
        assert_eq!(diff(&other, &live, rules, Unknowns::default()).len(), 1);
    }

    #[test]
    fn a_single_prefix_shown_as_a_list_is_the_same_prefix() {
        let rules = &crate::kinds::network::SUBNET_RULES;
        let desired = json!({"properties": {"addressPrefix": "10.0.0.0/24"}});
        let listed = json!({"properties": {"addressPrefixes": ["10.0.0.0/24"]}});
        assert_eq!(diff(&desired, &listed, rules, Unknowns::default()), vec![]);
        let two = json!({"properties": {"addressPrefixes": ["10.0.0.0/24", "10.1.0.0/24"]}});
        assert_eq!(diff(&desired, &two, rules, Unknowns::default()).len(), 1);
    }

    #[test]
    fn patterns_match_wildcards_and_elements() {
        assert!(matches(
            "properties.addonProfiles.*.config.id",
            "properties.addonProfiles.omsagent.config.id"
        ));
        assert!(matches(
            "properties.delegations[].name",
            "properties.delegations[].name"
        ));
        assert!(!matches("properties.a", "properties.a.b"));
    }
}
