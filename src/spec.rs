//! The raw spec: serde types that mirror the YAML exactly (spans, no invariants). The JSON Schema
//! in `schemas/` is generated from these types; `model` turns them into validated values.
//!
//! The settings every resource shares (`name`, `resourceGroup`, `tags`, `dependsOn`, …) are
//! repeated in each struct on purpose: serde's `flatten` cannot be combined with
//! `deny_unknown_fields`, and unknown fields must stay errors (and schema violations).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::source::Span;

/// Free-form JSON merged into a resource's ARM body (the escape hatch).
pub type RawJson = serde_json::Value;

/// One entry of a section: its key (the address name) and its settings.
#[derive(Debug)]
pub struct Entry<T> {
    pub key: Spanned<String>,
    pub spec: T,
    /// Settings that were written but could not be read (reported already), as dotted paths
    /// (`nodePools.system.mode`): the entry is built without them, and rules that would only
    /// repeat their error check this list.
    pub dropped: Vec<String>,
    /// The whole entry, key to last setting: the diagnostics of this resource point inside.
    pub region: Span,
}

impl<T> Entry<T> {
    /// Whether a setting at `path`, or anything under it, could not be read.
    pub fn dropped_under(&self, path: &str) -> bool {
        self.dropped.iter().any(|d| {
            d == path
                || d.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    }
}

/// The stack-wide settings, as written.
#[derive(Debug, Default)]
pub struct RawSettings {
    pub name: Option<Spanned<String>>,
    pub subscription: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub tags: BTreeMap<String, String>,
    pub environment: Option<String>,
}

/// A variable: a default, or none when every environment must give a value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawVariable {
    pub default: Option<RawJson>,
    pub description: Option<String>,
}

/// An availability zone: `1`, or `"1"` as ARM templates, Bicep and Terraform write them
/// (ARM's `availabilityZones` is a list of strings: AgentPool `availabilityZones`, "The list of
/// Availability zones to use for nodes", `type: array, items: string`, AKS 2026-08-01).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(pub u8);

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Zone, D::Error> {
        struct ZoneVisitor;

        impl serde::de::Visitor<'_> for ZoneVisitor {
            type Value = Zone;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an availability zone such as 1 or \"1\"")
            }

            fn visit_u64<E: serde::de::Error>(self, zone: u64) -> Result<Zone, E> {
                u8::try_from(zone)
                    .map(Zone)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(zone), &self))
            }

            fn visit_i64<E: serde::de::Error>(self, zone: i64) -> Result<Zone, E> {
                u64::try_from(zone)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(zone), &self))
                    .and_then(|z| self.visit_u64(z))
            }

            fn visit_str<E: serde::de::Error>(self, zone: &str) -> Result<Zone, E> {
                zone.trim()
                    .parse::<u8>()
                    .map(Zone)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(zone), &self))
            }
        }

        deserializer.deserialize_any(ZoneVisitor)
    }
}

impl JsonSchema for Zone {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Zone".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An availability zone: `1`, or `\"1\"` as ARM writes it.",
            "type": ["integer", "string"],
            "minimum": 0,
            "maximum": 255,
            "pattern": "^[0-9]+$"
        })
    }
}

/// A node count or a percentage of a pool, as AKS's upgrade settings take them: `5`, `"5"` or
/// `"33%"` (AgentPoolUpgradeSettings `maxSurge` and `maxUnavailable` are strings, "an integer
/// (e.g. '5') or a percentage (e.g. '50%')", AKS 2026-08-01). Kept as written (trimmed); the
/// cluster builder checks the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodesOrPercent(pub String);

impl<'de> Deserialize<'de> for NodesOrPercent {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<NodesOrPercent, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = NodesOrPercent;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a node count such as 1 or a percentage such as \"33%\"")
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<NodesOrPercent, E> {
                Ok(NodesOrPercent(n.to_string()))
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<NodesOrPercent, E> {
                Ok(NodesOrPercent(n.to_string()))
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<NodesOrPercent, E> {
                Ok(NodesOrPercent(s.trim().to_string()))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

impl JsonSchema for NodesOrPercent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NodesOrPercent".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A node count (`1`) or a percentage of the pool (`\"33%\"`).",
            "type": ["integer", "string"],
            "minimum": 0,
            "pattern": "^[0-9]+%?$"
        })
    }
}

impl NodesOrPercent {
    /// The value as (number, is a percentage), or None when it is neither.
    pub fn parse(&self) -> Option<(u32, bool)> {
        match self.0.strip_suffix('%') {
            Some(p) => p.parse().ok().map(|n| (n, true)),
            None => self.0.parse().ok().map(|n| (n, false)),
        }
    }
}

/// Settings every managed resource accepts.
pub trait Common {
    fn name(&self) -> Option<&Spanned<String>>;
    fn depends_on(&self) -> &[Spanned<String>];
    fn protect(&self) -> bool;
    fn raw(&self) -> Option<&Spanned<RawJson>>;
}

/// Implements `Common` for raw types with the usual fields.
macro_rules! common {
    ($($t:ty),*) => {$(
        impl $crate::spec::Common for $t {
            fn name(&self) -> Option<&$crate::de::Spanned<String>> { self.name.as_ref() }
            fn depends_on(&self) -> &[$crate::de::Spanned<String>] { &self.depends_on }
            fn protect(&self) -> bool { self.protect }
            fn raw(&self) -> Option<&$crate::de::Spanned<$crate::spec::RawJson>> { self.raw.as_ref() }
        }
    )*};
}

pub(crate) use common;

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::source::FileId;

    fn zones(text: &str) -> Result<Vec<Zone>, String> {
        let node = crate::yaml::parse(FileId(0), text).unwrap().remove(0);
        crate::de::from_node::<Vec<Zone>>(&node, text, &RefCell::new(Vec::new()))
            .map_err(|e| e.message)
    }

    #[test]
    fn zones_are_numbers_or_strings_as_arm_writes_them() {
        assert_eq!(zones("[1, 2, 3]"), Ok(vec![Zone(1), Zone(2), Zone(3)]));
        assert_eq!(
            zones("['1', \"2\", 3]"),
            Ok(vec![Zone(1), Zone(2), Zone(3)])
        );
        assert!(zones("[one]").is_err());
        assert!(zones("[-1]").is_err());
        assert!(zones("[300]").is_err());
    }
}
