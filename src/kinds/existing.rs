//! Resources the stack reads but never writes (`existing:`), of any ARM type, by ID.

use super::{EMPTY, Kind, KindDef, Rules, Serial};

static RULES: Rules = EMPTY;

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
