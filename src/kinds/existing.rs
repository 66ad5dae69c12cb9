//! Resources the stack reads but never writes (`existing:`), of any ARM type, by ID.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;

use super::{EMPTY, Kind, KindDef, Rules, Serial};

static RULES: Rules = EMPTY;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawExisting {
    /// Full ARM ID of the resource.
    pub id: Spanned<String>,
}

pub static DEF: KindDef = KindDef {
    kind: Kind::Existing,
    section: Some("existing"),
    prefix: "existing",
    noun: "existing resource",
    example: "`existing/NAME`",
    // Any type: the ID says which.
    arm: &[],
    parent: None,
    taggable: false,
    serial: Serial::Free,
    delete_rank: u8::MAX,
    rules: &RULES,
};
