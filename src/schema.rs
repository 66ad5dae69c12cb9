//! The JSON Schema of a stack file, generated from the raw spec types so it cannot drift.
//! Editors use it through the `# yaml-language-server: $schema=...` modeline.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use serde_json::{Value, json};

use crate::kinds::RawStackFile;

/// Where the committed copy lives, relative to the repository root.
pub const PATH: &str = "schemas/azplan.schema.json";

/// The schema as pretty JSON with a trailing newline, exactly as committed.
pub fn generate() -> String {
    let generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .with_transform(AllowVariables)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<RawStackFile>();
    schema.insert(
        "$id".into(),
        json!("https://azplan.dev/schemas/azplan.schema.json"),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Numbers, booleans, lists and enums may also be written as `${var.NAME}`, which the loader replaces with a
/// typed value before validation; the schema must not flag that in editors.
#[derive(Clone)]
struct AllowVariables;

const VARIABLE_PATTERN: &str = r"^\$\{\s*var\.[A-Za-z0-9_-]+\s*\}$";

impl Transform for AllowVariables {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let Some(object) = schema.as_object_mut() else {
            return;
        };
        let typed = |t: &str| matches!(t, "integer" | "number" | "boolean" | "array");
        // Enums (`sku: Premium`) are strings, but only the listed ones.
        let scalar = object.contains_key("enum")
            || object.contains_key("oneOf")
            || match object.get("type") {
                Some(Value::String(t)) => typed(t),
                Some(Value::Array(types)) => types.iter().any(|t| t.as_str().is_some_and(typed)),
                _ => false,
            };
        if !scalar {
            return;
        }
        let original: serde_json::Map<String, Value> = std::mem::take(object);
        let (kept, moved): (Vec<_>, Vec<_>) = original
            .into_iter()
            .partition(|(k, _)| matches!(k.as_str(), "description" | "title" | "default"));
        object.extend(kept);
        object.insert(
            "anyOf".into(),
            json!([Value::Object(moved.into_iter().collect()), {"type": "string", "pattern": VARIABLE_PATTERN}]),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sections_in_the_schema_match_what_the_loader_reads() {
        let schema: serde_json::Value = serde_json::from_str(&super::generate()).unwrap();
        let mut properties: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        properties.sort_unstable();
        let mut loaded: Vec<&str> = crate::load::SETTINGS
            .iter()
            .chain(crate::load::VARIABLE_SECTIONS)
            .copied()
            .chain(crate::kind::TABLE.iter().filter_map(|d| d.section))
            .collect();
        loaded.sort_unstable();
        assert_eq!(properties, loaded);
    }
}
