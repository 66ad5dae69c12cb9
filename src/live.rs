//! Live state: the ARM resources as they are, keyed by lower-cased ID. Read from ARM by the
//! client, or from a file of GET bodies (`--live FILE`) for offline plans and snapshot reviews.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::id::ResourceId;

/// The largest `--live` file read: a 10,000-resource estate of full AKS bodies is well below.
const MAX_LIVE_BYTES: u64 = 512 * 1024 * 1024;

/// Resources observed in ARM.
#[derive(Debug, Clone, Default)]
pub struct LiveState {
    by_id: BTreeMap<String, Value>,
    /// Everything a resource group holds, as the generic resource LIST of the group answers
    /// (ID, type, tags; no properties), keyed by the group's lower-cased ID. A group delete
    /// takes all of it, so the plan must know all of it, not only the types azplan manages.
    contents: BTreeMap<String, Vec<Value>>,
    /// Upgrade profiles of clusters, by cluster ID (lower-case).
    offers: BTreeMap<String, Value>,
}

/// Where a live resource stands in ARM's provisioning life cycle (ARM RPC: `Succeeded`,
/// `Failed` and `Canceled` are terminal; every other value means an operation is in flight; a
/// resource without a provisioningState counts as succeeded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provisioning {
    Succeeded,
    /// `Failed` or `Canceled`: exists, but not as asked.
    Failed(String),
    /// `Creating`, `Updating`, `Deleting`, `Accepted`…: an operation is in flight.
    Busy(String),
}

impl Provisioning {
    pub fn of(body: &Value) -> Provisioning {
        Provisioning::from_state(
            body.get("properties")
                .and_then(|p| p.get("provisioningState"))
                .and_then(Value::as_str),
        )
    }

    /// Services differ in casing (`Succeeded`, `succeeded`): compared case-insensitively.
    pub fn from_state(state: Option<&str>) -> Provisioning {
        let is = |s: &str, names: &[&str]| names.iter().any(|n| s.eq_ignore_ascii_case(n));
        match state {
            None => Provisioning::Succeeded,
            Some(s) if is(s, &["Succeeded"]) => Provisioning::Succeeded,
            Some(s) if is(s, &["Failed", "Canceled", "Cancelled"]) => {
                Provisioning::Failed(s.into())
            }
            Some(s) => Provisioning::Busy(s.into()),
        }
    }

    /// The state's name, when it is not `Succeeded`.
    pub fn unsettled(&self) -> Option<&str> {
        match self {
            Provisioning::Succeeded => None,
            Provisioning::Failed(s) | Provisioning::Busy(s) => Some(s),
        }
    }
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

    /// Forgets a resource (read again, it is gone).
    pub fn remove(&mut self, id: &str) -> Option<Value> {
        self.by_id.remove(&id.to_ascii_lowercase())
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.by_id.get(&id.to_ascii_lowercase())
    }

    /// Records what the generic resource LIST of a group answered.
    pub fn set_group_contents(&mut self, group_id: &str, entries: Vec<Value>) {
        self.contents.insert(group_id.to_ascii_lowercase(), entries);
    }

    /// The top-level resources inside a group: as its generic LIST answered when it was read,
    /// otherwise (live state from a file) every known body directly inside the group.
    pub fn group_contents(&self, group_id: &str) -> Vec<&Value> {
        let group = group_id.to_ascii_lowercase();
        if let Some(entries) = self.contents.get(&group) {
            return entries.iter().collect();
        }
        let Some(group) = ResourceId::parse(&group) else {
            return Vec::new();
        };
        self.by_id
            .iter()
            .filter(|(id, _)| {
                ResourceId::parse(id).is_some_and(|id| {
                    id.is_within(&group)
                        && id.parent().is_none()
                        && id.scope().is_none()
                        && id != group
                })
            })
            .map(|(_, body)| body)
            .collect()
    }

    /// Records a cluster's upgrade profile (`upgradeProfiles/default`): the versions AKS offers
    /// it. Kept apart from resources: it is not one the stack could own or delete.
    pub fn set_upgrade_offer(&mut self, cluster_id: &str, profile: Value) {
        self.offers.insert(cluster_id.to_ascii_lowercase(), profile);
    }

    /// A cluster's upgrade profile, when it was read.
    pub fn upgrade_offer(&self, cluster_id: &str) -> Option<&Value> {
        self.offers.get(&cluster_id.to_ascii_lowercase())
    }

    /// Every body the generic LISTs of groups answered.
    pub fn all_group_contents(&self) -> impl Iterator<Item = &Value> {
        self.contents.values().flatten()
    }

    /// Role assignments whose scope is the group or anything inside it (they go with it).
    pub fn role_assignments_within(&self, group_id: &str) -> Vec<&Value> {
        let Some(group) = ResourceId::parse(group_id) else {
            return Vec::new();
        };
        self.by_id
            .iter()
            .filter(|(id, _)| {
                ResourceId::parse(id).is_some_and(|id| {
                    crate::kind::is_assignment_type(&id.arm_type())
                        && id.scope().is_some_and(|scope| scope.is_within(&group))
                })
            })
            .map(|(_, body)| body)
            .collect()
    }

    /// A parent's GET lists some children inline (a VNet its subnets, a cluster its pools), so
    /// an export of parents alone (`az aks show`) holds them: each child without a body of its
    /// own gets one from its parent's listing.
    pub fn add_children_listed_inline(&mut self) {
        let mut children = Vec::new();
        for (id, body) in &self.by_id {
            let Some(parent) = ResourceId::parse(id) else {
                continue;
            };
            let parent_type = parent.arm_type();
            for def in crate::kind::TABLE.iter() {
                let (Some(at), Some(parent_kind), Some(child_type)) =
                    (def.listed_in_parent_at, def.parent, def.arm.first())
                else {
                    continue;
                };
                if !parent_kind
                    .def()
                    .arm
                    .iter()
                    .any(|t| t.path.eq_ignore_ascii_case(&parent_type))
                    || !crate::kind::child_type_of(&parent_type, child_type)
                {
                    continue;
                }
                let listed = at
                    .split('.')
                    .try_fold(body, |v, key| v.get(key))
                    .and_then(Value::as_array);
                for entry in listed.into_iter().flatten() {
                    if let Some(child) = child_from_listing(body, entry, child_type) {
                        children.push(child);
                    }
                }
            }
        }
        for child in children {
            let id = child["id"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            self.by_id.entry(id).or_insert(child);
        }
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
        let text =
            crate::source::read_bounded(path, MAX_LIVE_BYTES).map_err(|source| LiveError::Io {
                path: shown.clone(),
                source,
            })?;
        // serde_yaml reads JSON too (YAML is a superset), so one parser serves both formats. It is
        // the user's chosen crate for plain YAML; spec files go through `yaml.rs` instead, which
        // keeps spans for diagnostics. serde_yaml bounds alias expansion and nesting itself.
        // JSON (what `az` and ARM write) goes through serde_json first: a tenth of serde_yaml's
        // cost on a 10,000-resource export. Anything it refuses is read as YAML, whose errors
        // are the ones reported.
        let json = serde_json::from_str::<Strict>(&text).ok();
        let value: Value = match json {
            Some(strict) => strict.0,
            None => {
                serde_yaml::from_str::<Strict>(&text)
                    .map_err(|e| LiveError::Syntax {
                        path: shown.clone(),
                        message: e.to_string(),
                    })?
                    .0
            }
        };
        let items = match value {
            Value::Array(items) => items,
            Value::Object(mut map) => match map.remove("value") {
                Some(Value::Array(items)) => items,
                _ => vec![Value::Object(map)],
            },
            // An empty file is far more likely a failed export than an empty subscription,
            // which would plan every resource as new.
            Value::Null => {
                return Err(LiveError::Syntax {
                    path: shown,
                    message: "the file is empty; an empty subscription is written `[]`".into(),
                });
            }
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
        live.add_children_listed_inline();
        Ok(live)
    }
}

/// A child's body from its parent's inline listing: subnets are listed whole (with their
/// `id`); pool profiles are the pool's properties plus its `name`.
fn child_from_listing(
    parent: &Value,
    entry: &Value,
    child_type: &crate::kind::ArmType,
) -> Option<Value> {
    if entry.get("id").and_then(Value::as_str).is_some() {
        let mut child = entry.clone();
        if child.get("type").is_none() {
            child["type"] = Value::String(child_type.path.to_string());
        }
        return Some(child);
    }
    let name = entry.get("name")?.as_str()?;
    let parent_id = parent.get("id")?.as_str()?;
    let mut properties = entry.clone();
    properties.as_object_mut()?.remove("name");
    Some(serde_json::json!({
        "id": format!("{parent_id}/{}/{name}", child_type.segment()),
        "name": name,
        "type": child_type.path,
        "properties": properties,
    }))
}

/// A JSON value read strictly: a key twice in one object is an error (serde's `Value` keeps
/// the last silently, so one of two bodies would vanish), and so is a number JSON cannot hold.
struct Strict(Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Strict, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a JSON number")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(value) = map.next_value()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{key}` in one object"
                )));
            }
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Properties the service changes on its own.
const VOLATILE: [&str; 5] = [
    "provisioningState",
    "lastModifiedDate",
    "modifiedDate",
    "updatedOn",
    "powerState",
];

/// FNV-1a over the bytes written to it.
struct Fnv1a(u64);

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A body as it serialises without `systemData` and the volatile properties.
struct Housekept<'a>(&'a Value);

impl serde::Serialize for Housekept<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let Value::Object(map) = self.0 else {
            return self.0.serialize(serializer);
        };
        let mut out = serializer.serialize_map(None)?;
        for (key, value) in map {
            match (key.as_str(), value) {
                ("systemData", _) => {}
                ("properties", Value::Object(properties)) => {
                    out.serialize_entry(key, &Steady(properties))?
                }
                _ => out.serialize_entry(key, value)?,
            }
        }
        out.end()
    }
}

/// Properties without the volatile ones.
struct Steady<'a>(&'a serde_json::Map<String, Value>);

impl serde::Serialize for Steady<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut out = serializer.serialize_map(None)?;
        for (key, value) in self.0 {
            if !VOLATILE.contains(&key.as_str()) {
                out.serialize_entry(key, value)?;
            }
        }
        out.end()
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
    // Service housekeeping (operation state, audit data) is not a change to the resource. The
    // body is hashed as its compact JSON text (serde_json's maps are sorted, so the text is
    // canonical), streamed into the hash without the housekeeping and without a copy.
    let mut hash = Fnv1a(0xcbf2_9ce4_8422_2325);
    let _ = serde_json::to_writer(&mut hash, &Housekept(body));
    let hash = hash.0;
    format!("fnv1a:{hash:016x}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn live_files_are_read_strictly() {
        let dir = std::env::temp_dir().join(format!("azplan-live-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cases = [
            ("empty.json", "", Some("empty")),
            ("blank.yaml", "# nothing\n", Some("empty")),
            (
                "dup.json",
                r#"[{"id": "/a", "id": "/b"}]"#,
                Some("duplicate key `id`"),
            ),
            (
                "dup.yaml",
                "value: []\nvalue: [{id: /a}]\n",
                Some("duplicate"),
            ),
            ("none.json", "[]", None),
            ("one.yaml", "- id: /a\n  n: 1.5\n", None),
        ];
        for (name, text, problem) in cases {
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            let result = LiveState::from_file(&path);
            match problem {
                Some(expected) => {
                    let message = result.expect_err(name).to_string();
                    assert!(message.contains(expected), "{name}: {message}");
                }
                None => {
                    result.expect(name);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

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
