//! Reading a spec entry past its bad values. serde stops at the first error of a value, so one
//! bad enum value (`skuTier: Paid`) used to drop the whole resource: its other problems stayed
//! hidden until the next run, and every reference to it failed as "not declared". Here a bad
//! value is reported, taken out of (a copy of) the entry, and the entry read again, until it
//! reads or nothing is left to take out; what was taken out is listed, so rules that would only
//! echo it (no System pool once a pool's `mode` is gone) can stay quiet.

use std::cell::RefCell;

use serde::de::DeserializeOwned;

use crate::de;
use crate::diag::{Diagnostics, SpecDiagnostic};
use crate::source::Span;
use crate::yaml::{Node, Value};

/// How many bad values one entry may lose before reading gives up on it. Each pass reads the
/// whole entry again, so this bounds the work a hostile entry can ask for.
const MAX_PASSES: usize = 64;

/// An entry as far as it could be read.
#[derive(Debug)]
pub struct Salvaged<T> {
    /// The settings, without the values that were taken out; `None` when even that failed
    /// (the entry's body is not a mapping, or a required setting is missing).
    pub value: Option<T>,
    /// The settings taken out, as dotted paths from the entry (`nodePools.system.mode`,
    /// `zones[1]`).
    pub dropped: Vec<String>,
}

/// Reads one entry; every problem goes to `diagnostics`, each once.
pub fn read_entry<T: DeserializeOwned>(
    node: &Node,
    fallback: Span,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Salvaged<T> {
    let mut copy: Option<Node> = None;
    let mut dropped = Vec::new();
    // (mapping, key) pairs taken out: reading again then says the key is missing, which the
    // first error already explained.
    let mut taken: Vec<(Span, String)> = Vec::new();
    let mut found: Vec<SpecDiagnostic> = Vec::new();
    let mut value = None;
    for _ in 0..MAX_PASSES {
        let sink = RefCell::new(Vec::new());
        let result = de::from_node::<T>(copy.as_ref().unwrap_or(node), text, &sink);
        found.extend(sink.into_inner());
        let error = match result {
            Ok(read) => {
                value = Some(read);
                break;
            }
            Err(error) => error,
        };
        let echo = error
            .missing_field()
            .is_some_and(|(field, mapping)| taken.contains(&(mapping, field.to_string())));
        let path: Vec<usize> = error.path().collect();
        if !echo {
            found.push(error.into_diagnostic(fallback));
        }
        let Some(taken_out) = take_out(copy.get_or_insert_with(|| node.clone()), &path) else {
            break;
        };
        taken.push((taken_out.mapping, taken_out.key));
        dropped.push(taken_out.path);
    }
    let mut seen: Vec<(Option<(Span, String)>, String)> = Vec::new();
    for diagnostic in found {
        let key = (diagnostic.primary.clone(), diagnostic.message.clone());
        if !seen.contains(&key) {
            seen.push(key);
            diagnostics.push(diagnostic);
        }
    }
    Salvaged { value, dropped }
}

/// What was taken out of an entry.
struct TakenOut {
    /// The mapping (or list) it was taken from.
    mapping: Span,
    /// Its key (a list item's index).
    key: String,
    /// Its dotted path from the entry.
    path: String,
}

/// Removes the mapping entry or list item at `path` (indices from the top); `None` when the path
/// is empty (the value itself failed) or leads nowhere.
fn take_out(node: &mut Node, path: &[usize]) -> Option<TakenOut> {
    let (last, down) = path.split_last()?;
    let mut current = node;
    let mut dotted = String::new();
    for &index in down {
        current = match &mut current.value {
            Value::Map(entries) => {
                let (key, value) = entries.get_mut(index)?;
                push_key(&mut dotted, key.as_str().unwrap_or("?"));
                value
            }
            Value::Seq(items) => {
                dotted.push_str(&format!("[{index}]"));
                items.get_mut(index)?
            }
            Value::Scalar { .. } => return None,
        };
    }
    let mapping = current.span;
    let key = match &mut current.value {
        Value::Map(entries) if *last < entries.len() => {
            let (key, _) = entries.remove(*last);
            let key = key.as_str().unwrap_or("?").to_string();
            push_key(&mut dotted, &key);
            key
        }
        Value::Seq(items) if *last < items.len() => {
            items.remove(*last);
            dotted.push_str(&format!("[{last}]"));
            last.to_string()
        }
        _ => return None,
    };
    Some(TakenOut {
        mapping,
        key,
        path: dotted,
    })
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;
    use crate::diag::Code;
    use crate::source::FileId;
    use crate::yaml::parse;

    #[derive(Debug, Deserialize, PartialEq, Clone, Copy)]
    enum Mode {
        System,
        User,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)] // `vmSize` exists to be required
    struct Pool {
        mode: Option<Mode>,
        vm_size: String,
        count: Option<u32>,
        zones: Option<Vec<u8>>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Cluster {
        sku_tier: Option<Mode>,
        node_pools: BTreeMap<String, Pool>,
    }

    fn load<T: DeserializeOwned>(text: &str) -> (Salvaged<T>, Vec<(Code, String)>) {
        let node = parse(FileId(0), text).unwrap().remove(0);
        let mut diagnostics = Diagnostics::default();
        let read = read_entry::<T>(&node, node.span, text, &mut diagnostics);
        let found = diagnostics
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect();
        (read, found)
    }

    #[test]
    fn every_bad_value_is_reported_and_the_entry_still_reads() {
        let (read, found) = load::<Cluster>(
            "skuTier: Paid\nnodePools:\n  system: {mode: system, vmSize: x, count: many, zones: [1, x, 3], vmSzie: y}\n",
        );
        let cluster = read
            .value
            .expect("the cluster reads without its bad values");
        assert_eq!(cluster.sku_tier, None);
        let pool = &cluster.node_pools["system"];
        assert_eq!((pool.mode, pool.count), (None, None));
        assert_eq!(pool.zones, Some(vec![1, 3]));
        assert_eq!(
            read.dropped,
            [
                "skuTier",
                "nodePools.system.mode",
                "nodePools.system.count",
                "nodePools.system.zones[1]"
            ]
        );
        let codes: Vec<Code> = found.iter().map(|(c, _)| *c).collect();
        assert_eq!(
            codes.iter().filter(|c| **c == Code::InvalidValue).count(),
            4
        );
        assert_eq!(
            codes.iter().filter(|c| **c == Code::UnknownField).count(),
            1
        );
    }

    #[test]
    fn a_required_setting_taken_out_takes_its_mapping_with_it_once() {
        let (read, found) = load::<Cluster>("nodePools:\n  a: {vmSize: [x]}\n  b: {vmSize: y}\n");
        let cluster = read.value.unwrap();
        assert_eq!(cluster.node_pools.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(read.dropped, ["nodePools.a.vmSize", "nodePools.a"]);
        // The bad value is reported; "missing field `vmSize`" would only repeat it.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Code::InvalidValue);
    }

    #[test]
    fn an_entry_without_its_required_settings_does_not_read() {
        let (read, found) = load::<Cluster>("skuTier: User\n");
        assert!(read.value.is_none());
        assert_eq!(
            found,
            [(Code::MissingField, "missing field `nodePools`".into())]
        );
        let (read, _) = load::<Cluster>("just text\n");
        assert!(read.value.is_none());
    }

    #[test]
    fn a_hostile_entry_is_given_up_after_a_bounded_number_of_passes() {
        let bad: String = (0..500)
            .map(|i| format!("  p{i}: {{vmSize: [x]}}\n"))
            .collect();
        let (read, found) = load::<Cluster>(&format!("nodePools:\n{bad}"));
        assert!(read.value.is_none());
        assert!(found.len() <= MAX_PASSES, "{}", found.len());
    }
}
