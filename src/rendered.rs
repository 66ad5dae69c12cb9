//! The rendered configuration: the request azplan would send for every resource of a stack
//! (method, ID, api-version and body), one deterministic JSON document per resource, for
//! config reviews and snapshot tests (`azplan render`). Pure: no live state, so values that
//! only exist once a dependency does read "(known after apply)".

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::graph::Graph;
use crate::kinds::{self, Context};
use crate::live::LiveState;
use crate::model::{Spec, Stack};

/// What a value that only exists after apply reads as.
pub const KNOWN_AFTER_APPLY: &str = "(known after apply)";

/// File name → content, in a stable order. Names come from addresses (`cluster/aks/system` →
/// `cluster.aks.system.json`); content is pretty JSON with sorted keys and a final newline.
pub fn render(stack: &Stack, graph: &Graph) -> BTreeMap<String, String> {
    let empty = LiveState::default();
    let ctx = Context {
        stack,
        live: &empty,
    };
    let mut files = BTreeMap::new();
    for address in &graph.order {
        let resource = &stack.resources[address];
        if matches!(resource.spec, Spec::Existing(_)) {
            continue;
        }
        let desired = kinds::desired(&ctx, resource);
        let mut body = desired.body;
        for late in &desired.late {
            kinds::set(&mut body, &late.path, json!(KNOWN_AFTER_APPLY));
        }
        for secret in &desired.secrets {
            kinds::set(
                &mut body,
                &secret.path,
                json!(format!("(secret from ${}, sent on create)", secret.env)),
            );
        }
        let arm = kinds::arm_kind(resource);
        let document = json!({
            "address": address.to_string(),
            "request": format!("PUT {}?api-version={}", ctx.id(address), arm.api_version),
            "dependsOn": graph.dependencies(address).iter().map(ToString::to_string).collect::<Vec<_>>(),
            "body": sorted(body),
        });
        let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
        text.push('\n');
        files.insert(file_name(&address.to_string()), text);
    }
    files
}

/// `cluster/aks/system` → `cluster.aks.system.json`: a `/` becomes `.`, and every other
/// character but letters, digits, `-` and `_` is percent-encoded (a `.` in a name is `%2E`), so
/// two addresses never share a file (`vnet/a.b/c` and `vnet/a/b.c` stay apart).
fn file_name(address: &str) -> String {
    let mut out = String::new();
    for c in address.chars() {
        match c {
            '/' => out.push('.'),
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => out.push(c),
            c => {
                let mut bytes = [0u8; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    format!("{out}.json")
}

/// Whether a file's content is a render (what `--update` may remove when it is no longer
/// rendered; other JSON in the directory is left alone).
pub fn is_render(content: &str) -> bool {
    serde_json::from_str::<Value>(content).is_ok_and(|v| {
        v.get("address").is_some_and(Value::is_string)
            && v.get("request")
                .and_then(Value::as_str)
                .is_some_and(|r| r.starts_with("PUT "))
    })
}

/// The same value with object keys in sorted order, whatever order the body was built in.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// One file's difference between what is committed and what renders now.
#[derive(Debug, PartialEq)]
pub struct FileDiff {
    pub name: String,
    /// `None` when the file is new (not committed) / gone (no longer rendered).
    pub committed: Option<String>,
    pub rendered: Option<String>,
}

/// The files that differ between a committed render and a fresh one.
pub fn compare(
    committed: &BTreeMap<String, String>,
    rendered: &BTreeMap<String, String>,
) -> Vec<FileDiff> {
    let mut names: Vec<&String> = committed.keys().chain(rendered.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| committed.get(*n) != rendered.get(*n))
        .map(|n| FileDiff {
            name: n.clone(),
            committed: committed.get(n).cloned(),
            rendered: rendered.get(n).cloned(),
        })
        .collect()
}

/// A unified diff of the differing files, `a/` the committed render and `b/` the fresh one.
pub fn unified(diffs: &[FileDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        let old = d.committed.as_deref().unwrap_or("");
        let new = d.rendered.as_deref().unwrap_or("");
        let diff = similar::TextDiff::from_lines(old, new);
        let from = if d.committed.is_some() {
            format!("a/{}", d.name)
        } else {
            "/dev/null".to_string()
        };
        let to = if d.rendered.is_some() {
            format!("b/{}", d.name)
        } else {
            "/dev/null".to_string()
        };
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&from, &to)
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_addresses_and_keys_are_sorted() {
        assert_eq!(file_name("cluster/aks/system"), "cluster.aks.system.json");
        assert_ne!(file_name("vnet/a.b/c"), file_name("vnet/a/b.c"));
        assert_eq!(file_name("vnet/a.b/c"), "vnet.a%2Eb.c.json");
        let v = sorted(json!({"b": 1, "a": {"d": 2, "c": [ {"z": 1, "y": 2} ]}}));
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"a":{"c":[{"y":2,"z":1}],"d":2},"b":1}"#
        );
    }

    #[test]
    fn changed_new_and_gone_files_are_differences() {
        let committed: BTreeMap<String, String> = [
            ("a.json".into(), "1\n".into()),
            ("b.json".into(), "2\n".into()),
        ]
        .into();
        let rendered: BTreeMap<String, String> = [
            ("a.json".into(), "1\n".into()),
            ("c.json".into(), "3\n".into()),
        ]
        .into();
        let diffs = compare(&committed, &rendered);
        let names: Vec<&str> = diffs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["b.json", "c.json"]);
        let text = unified(&diffs);
        assert!(text.contains("--- a/b.json\n+++ /dev/null"), "{text}");
        assert!(text.contains("--- /dev/null\n+++ b/c.json"), "{text}");
    }
}
