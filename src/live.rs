//! Live state: the ARM resources as they are, keyed by lower-cased ID. Read from ARM by the
//! client, or from a file of GET bodies (`--live FILE`) for offline plans and snapshot reviews.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Resources observed in ARM.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    by_id: BTreeMap<String, Value>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LiveError {
    #[error("cannot read live state `{path}`: {source}")]
    #[diagnostic(
        code(azplan::live::io),
        help("pass a JSON or YAML file of ARM resources")
    )]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("live state `{path}` is not valid JSON or YAML: {message}")]
    #[diagnostic(
        code(azplan::live::syntax),
        help("the file holds an array of ARM GET bodies, or `{{\"value\": [...]}}`")
    )]
    Syntax { path: String, message: String },
    #[error("live state `{path}`: entry {index} has no string `id`")]
    #[diagnostic(
        code(azplan::live::shape),
        help("every resource needs its ARM `id`, as GET returns it")
    )]
    MissingId { path: String, index: usize },
}

impl LiveState {
    pub fn insert(&mut self, body: Value) -> bool {
        match body.get("id").and_then(Value::as_str) {
            Some(id) => {
                self.by_id.insert(id.to_ascii_lowercase(), body);
                true
            }
            None => false,
        }
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(&id.to_ascii_lowercase())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.by_id.iter()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Reads an array of ARM bodies, or an ARM list page (`{"value": [...]}`). JSON or YAML.
    pub fn from_file(path: &Path) -> Result<LiveState, LiveError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LiveError::Io {
            path: shown.clone(),
            source,
        })?;
        // serde_yaml reads JSON too (YAML is a superset), so one parser serves both formats.
        let value: Value = serde_yaml::from_str(&text).map_err(|e| LiveError::Syntax {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut map) => match map.remove("value") {
                Some(Value::Array(items)) => items,
                _ => vec![Value::Object(map)],
            },
            Value::Null => Vec::new(),
            _ => {
                return Err(LiveError::Syntax {
                    path: shown,
                    message: "expected an array or an object".into(),
                });
            }
        };
        let mut live = LiveState::default();
        for (index, item) in items.into_iter().enumerate() {
            if !live.insert(item) {
                return Err(LiveError::MissingId { path: shown, index });
            }
        }
        Ok(live)
    }
}

/// A stable fingerprint of a live body, for stale-plan checks when ARM gives no ETag.
pub fn fingerprint(body: &Value) -> String {
    if let Some(etag) = body
        .get("etag")
        .or_else(|| body.get("eTag"))
        .and_then(Value::as_str)
    {
        return format!("etag:{etag}");
    }
    // Service housekeeping (operation state, audit data) is not a change to the resource.
    let mut stable = body.clone();
    if let Some(map) = stable.as_object_mut() {
        map.remove("systemData");
        if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
            for volatile in [
                "provisioningState",
                "lastModifiedDate",
                "modifiedDate",
                "updatedOn",
                "powerState",
            ] {
                props.remove(volatile);
            }
        }
    }
    // serde_json's maps are sorted, so the text is canonical.
    let text = stable.to_string();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fingerprints_ignore_housekeeping_but_not_settings() {
        let a = json!({"id": "/x", "properties": {"provisioningState": "Updating", "count": 1}});
        let b = json!({"id": "/x", "properties": {"provisioningState": "Succeeded", "count": 1}, "systemData": {}});
        let c = json!({"id": "/x", "properties": {"provisioningState": "Succeeded", "count": 2}});
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_eq!(fingerprint(&json!({"etag": "W/1"})), "etag:W/1");
    }
}
