//! A small YAML writer for generated specs: maps in the order the importer builds them, short
//! lists of scalars in flow style, comments above entries, and every string quoted whenever
//! plain text could read as something else (a number, a boolean, a `${var}`).

use serde_json::Value;

/// A YAML value as the importer builds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Y {
    Scalar(Value),
    List(Vec<Y>),
    Map(Map),
}

/// A map whose entries keep the order they were added in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Y,
    /// Comment lines written above the entry.
    pub comment: Vec<String>,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// Adds (or replaces) `key`.
    pub fn set(&mut self, key: &str, value: impl Into<Y>) {
        let value = value.into();
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(entry) => entry.value = value,
            None => self.entries.push(Entry {
                key: key.to_string(),
                value,
                comment: Vec::new(),
            }),
        }
    }

    /// Adds `key` with comment lines above it.
    pub fn set_commented(&mut self, key: &str, value: impl Into<Y>, comment: Vec<String>) {
        self.set(key, value);
        if let Some(entry) = self.entries.iter_mut().find(|e| e.key == key) {
            entry.comment = comment;
        }
    }

    /// Takes `key` out, if it is there.
    pub fn remove(&mut self, key: &str) {
        self.entries.retain(|e| e.key != key);
    }

    pub fn get(&self, key: &str) -> Option<&Y> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Y> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }

    /// The map under `key`, created when missing.
    pub fn map_mut(&mut self, key: &str) -> &mut Map {
        if !matches!(self.get(key), Some(Y::Map(_))) {
            self.set(key, Y::Map(Map::new()));
        }
        match self.get_mut(key) {
            Some(Y::Map(m)) => m,
            _ => unreachable!("set to a map above"),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl From<Map> for Y {
    fn from(m: Map) -> Y {
        Y::Map(m)
    }
}

impl From<&str> for Y {
    fn from(s: &str) -> Y {
        Y::Scalar(Value::String(s.to_string()))
    }
}

impl From<String> for Y {
    fn from(s: String) -> Y {
        Y::Scalar(Value::String(s))
    }
}

impl From<bool> for Y {
    fn from(b: bool) -> Y {
        Y::Scalar(Value::Bool(b))
    }
}

impl From<u64> for Y {
    fn from(n: u64) -> Y {
        Y::Scalar(Value::from(n))
    }
}

impl From<Vec<String>> for Y {
    fn from(items: Vec<String>) -> Y {
        Y::List(items.into_iter().map(Y::from).collect())
    }
}

impl From<&Value> for Y {
    /// JSON as YAML: objects become maps (in the JSON's key order), arrays lists.
    fn from(v: &Value) -> Y {
        match v {
            Value::Object(o) => Y::Map(Map {
                entries: o
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        value: Y::from(v),
                        comment: Vec::new(),
                    })
                    .collect(),
            }),
            Value::Array(items) => Y::List(items.iter().map(Y::from).collect()),
            other => Y::Scalar(other.clone()),
        }
    }
}

/// Renders a top-level map as a YAML document.
pub fn render(map: &Map) -> String {
    let mut out = String::new();
    write_map(map, 0, &mut out);
    out
}

fn write_map(map: &Map, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for entry in &map.entries {
        for line in &entry.comment {
            if line.is_empty() {
                out.push_str(&format!("{pad}#\n"));
            } else {
                out.push_str(&format!("{pad}# {line}\n"));
            }
        }
        let key = scalar_text(&Value::String(entry.key.clone()));
        match &entry.value {
            Y::Map(m) if m.is_empty() => out.push_str(&format!("{pad}{key}: {{}}\n")),
            Y::Map(m) => {
                out.push_str(&format!("{pad}{key}:\n"));
                write_map(m, indent + 2, out);
            }
            Y::List(items) => match flow(items) {
                Some(text) => out.push_str(&format!("{pad}{key}: {text}\n")),
                None => {
                    out.push_str(&format!("{pad}{key}:\n"));
                    write_list(items, indent + 2, out);
                }
            },
            Y::Scalar(v) => out.push_str(&format!("{pad}{key}: {}\n", scalar_text(v))),
        }
    }
}

fn write_list(items: &[Y], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Y::Scalar(v) => out.push_str(&format!("{pad}- {}\n", scalar_text(v))),
            Y::Map(m) if m.is_empty() => out.push_str(&format!("{pad}- {{}}\n")),
            Y::Map(m) => {
                let mut inner = String::new();
                write_map(m, indent + 2, &mut inner);
                // The first line of the map goes after the dash.
                let first = inner.split_off(0);
                let replaced = first.replacen(&format!("{pad}  "), &format!("{pad}- "), 1);
                out.push_str(&replaced);
            }
            Y::List(inner) => match flow(inner) {
                Some(text) => out.push_str(&format!("{pad}- {text}\n")),
                None => {
                    out.push_str(&format!("{pad}-\n"));
                    write_list(inner, indent + 2, out);
                }
            },
        }
    }
}

/// A list of scalars on one line, when it is short: `[1, 2, 3]`.
fn flow(items: &[Y]) -> Option<String> {
    let mut parts = Vec::new();
    for item in items {
        match item {
            Y::Scalar(v) => parts.push(scalar_text(v)),
            _ => return None,
        }
    }
    let text = format!("[{}]", parts.join(", "));
    (text.len() <= 100).then_some(text)
}

/// A scalar as YAML text. Strings are written plain only when they read back as the same
/// string; `${` is doubled so variable interpolation leaves it alone.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let s = s.replace("${", "$${");
            if plain(&s) {
                s
            } else {
                Value::String(s).to_string()
            }
        }
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn plain(s: &str) -> bool {
    const RESERVED: [&str; 12] = [
        "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", ".inf", ".nan",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    // Versions (`1.33.5`) read as text either way, but editors' schema checks want quotes.
    let version_like =
        s.chars().all(|c| c.is_ascii_digit() || c == '.') && s.matches('.').count() <= 2;
    let reads_as_other = RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
        || s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || version_like;
    s.trim() == s
        && !reads_as_other
        && (first.is_ascii_alphanumeric() || first == '/' || first == '_' || first == '.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _-./@=+()".contains(c))
        && !s.contains(" #")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn strings_that_would_read_as_something_else_are_quoted() {
        for (value, text) in [
            (json!("westeurope"), "westeurope"),
            (json!("1.33"), "\"1.33\""),
            (json!("true"), "\"true\""),
            (json!("10.0.0.0/8"), "10.0.0.0/8"),
            (json!("a: b"), "\"a: b\""),
            (json!("${var.x}"), "\"$${var.x}\""),
            (json!(""), "\"\""),
            (json!("-x"), "\"-x\""),
            (json!(3), "3"),
            (json!(false), "false"),
        ] {
            assert_eq!(scalar_text(&value), text, "{value}");
        }
    }

    #[test]
    fn maps_and_lists_render_as_block_yaml() {
        let mut m = Map::new();
        m.set("name", "x");
        m.set("zones", Y::List(vec![Y::from(1u64), Y::from(2u64)]));
        let mut inner = Map::new();
        inner.set("a", true);
        m.set_commented("raw", inner, vec!["why".into()]);
        let mut item = Map::new();
        item.set("k", "v");
        item.set("l", "w");
        m.set("items", Y::List(vec![Y::Map(item)]));
        assert_eq!(
            render(&m),
            "name: x\nzones: [1, 2]\n# why\nraw:\n  a: true\nitems:\n  - k: v\n    l: w\n"
        );
    }
}
