//! A position-aware YAML tree: every node keeps its span, so later stages can point diagnostics at
//! file:line:column. Built from saphyr-parser's marked events; the one YAML reader of the spec.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use crate::diag::{Code, SpecDiagnostic};
use crate::source::{FileId, Span};

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `plain` scalars are resolved by the YAML 1.2 core schema (null, bools, numbers);
    /// quoted ones are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    pub fn scalar(text: impl Into<String>, plain: bool, span: Span) -> Node {
        Node {
            span,
            value: Value::Scalar {
                text: text.into(),
                plain,
            },
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// How many nodes this tree holds (itself included).
    pub fn size(&self) -> usize {
        match &self.value {
            Value::Scalar { .. } => 1,
            Value::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.size() + v.size())
                    .sum::<usize>()
            }
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null(text))
    }

    /// A short description for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Where a diagnostic about this node should point: the scalar itself, or the first line of a
    /// container (a whole multi-line block would bury the message).
    pub fn label_span(&self, text: &str) -> Span {
        match &self.value {
            Value::Scalar { .. } => self.span,
            _ => {
                let start = self.span.start as usize;
                let rest = text.get(start..).unwrap_or("");
                let line_len = rest.find('\n').unwrap_or(rest.len());
                let line = rest[..line_len].trim_end();
                Span::new(
                    self.span.file,
                    start,
                    start + line.len().max(1).min(rest.len()),
                )
            }
        }
    }
}

pub fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

pub fn resolve_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Nodes that aliases and merge keys may copy into one file, in all. Real specs reuse small
/// fragments (pool defaults, tag sets); a "billion laughs" file asks for billions of copies and
/// would exhaust memory. Beyond this budget the file is refused.
pub const MAX_ALIAS_NODES: usize = 250_000;
/// Nesting deeper than this is refused: no spec needs it, and every later stage walks the tree
/// recursively.
pub const MAX_DEPTH: usize = 128;

/// Parses every document of a file. Errors are returned as diagnostics; a syntax error ends the
/// file (YAML cannot be resynchronised reliably), other problems are all reported.
pub fn parse(file: FileId, text: &str) -> Result<Vec<Node>, Vec<SpecDiagnostic>> {
    if text.len() >= READ_IN_HALVES_FROM
        && let Some(root) = parse_halves(file, text)
    {
        return Ok(vec![root]);
    }
    parse_part(file, text, 0).map(|(documents, _)| documents)
}

/// From this size a file is read as two halves side by side when it can be: a 10,000-resource
/// stack is 760 KB, and scanning its YAML was a quarter of its plan's time on one core.
const READ_IN_HALVES_FROM: usize = 256 * 1024;

/// Reads a one-document file whose root is a block mapping as two halves on two threads,
/// split before a top-level key. Gives up (`None`, and the caller reads the file whole) unless
/// the halves are provably the whole: each half must parse without a problem to one mapping,
/// and they must share no key. A line at column 0 can only start a new top-level key, since
/// block scalars, plain continuations and nested blocks are indented; one inside an unclosed
/// quote or flow collection leaves the first half unparseable, an alias to an anchor of the
/// other half is unknown in its own. Merge keys at the top (their entries go to the end of the
/// whole mapping), directives and further documents are not split at all. Any problem is
/// reported by the whole read, so messages do not depend on the split.
fn parse_halves(file: FileId, text: &str) -> Option<Node> {
    parse_halves_at(file, text, split_point(text)?)
}

fn parse_halves_at(file: FileId, text: &str, split: usize) -> Option<Node> {
    let (head, tail) = text.split_at(split);
    let (tail, head) = crate::par::both(
        true,
        || parse_part(file, tail, split),
        || parse_part(file, head, 0),
    );
    let (Ok((mut first, first_copies)), Ok((mut second, second_copies))) = (head, tail) else {
        return None;
    };
    if first.len() != 1 || second.len() != 1 || first_copies + second_copies > MAX_ALIAS_NODES {
        return None;
    }
    let (first, second) = (first.remove(0), second.remove(0));
    let (Value::Map(mut entries), Value::Map(more)) = (first.value, second.value) else {
        return None;
    };
    let keys: std::collections::HashSet<&str> =
        entries.iter().filter_map(|(k, _)| k.as_str()).collect();
    if more
        .iter()
        .any(|(k, _)| k.as_str().is_none_or(|k| keys.contains(k)))
    {
        return None;
    }
    entries.extend(more);
    Some(Node {
        span: Span::new(file, first.span.start as usize, second.span.end as usize),
        value: Value::Map(entries),
    })
}

/// The start of the line nearest the middle of `text` that begins a top-level key, if the file
/// may be split at all (see [`parse_halves`]).
fn split_point(text: &str) -> Option<usize> {
    let middle = text.len() / 2;
    let mut best: Option<usize> = None;
    let mut content_seen = false;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let here = start;
        start += line.len();
        let Some(&first) = line.as_bytes().first() else {
            continue;
        };
        if line.starts_with("---") {
            if content_seen {
                return None;
            }
        } else if first == b'%' || line.starts_with("...") || line.starts_with("<<") {
            return None;
        } else if (first.is_ascii_alphanumeric() || first == b'_')
            && content_seen
            && best.is_none_or(|b| here.abs_diff(middle) < b.abs_diff(middle))
        {
            best = Some(here);
        }
        if !matches!(first, b' ' | b'\t' | b'\r' | b'\n' | b'#') {
            content_seen = true;
        }
    }
    best
}

/// Parses `text`, which starts at byte `base` of its file; also says how many nodes aliases
/// copied, so halves of one file share one budget.
fn parse_part(
    file: FileId,
    text: &str,
    base: usize,
) -> Result<(Vec<Node>, usize), Vec<SpecDiagnostic>> {
    let mut builder = Builder {
        file,
        offsets: CharOffsets::new(text, base),
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: Vec::new(),
        problems: Vec::new(),
        copied: 0,
    };
    for item in Parser::new_from_str(text) {
        match item {
            Ok((event, span)) => {
                if let Err(problem) = builder.event(event, span.start, span.end) {
                    builder.problems.push(*problem);
                    return Err(builder.problems);
                }
            }
            Err(error) => {
                builder.problems.push(syntax_error(&builder, &error));
                return Err(builder.problems);
            }
        }
    }
    if builder.problems.is_empty() {
        Ok((builder.documents, builder.copied))
    } else {
        Err(builder.problems)
    }
}

fn syntax_error(builder: &Builder, error: &ScanError) -> SpecDiagnostic {
    let at = builder.offsets.byte(error.marker().index());
    SpecDiagnostic::error_at(
        Code::YamlSyntax,
        format!("YAML syntax error: {}", error.info()),
        Span::new(builder.file, at, at),
        "here",
        "check the indentation and quoting around this point",
    )
}

/// saphyr reports positions in characters; spans are bytes of the whole file, of which the
/// text parsed may be a part starting at `base`.
struct CharOffsets {
    base: usize,
    table: Option<Vec<usize>>,
}

impl CharOffsets {
    fn new(text: &str, base: usize) -> CharOffsets {
        let table = (!text.is_ascii()).then(|| {
            let mut table: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            table.push(text.len());
            table
        });
        CharOffsets { base, table }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.base
            + match &self.table {
                None => char_index,
                Some(table) => table
                    .get(char_index)
                    .copied()
                    .unwrap_or_else(|| table.last().copied().unwrap_or(0)),
            }
    }
}

enum Open {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        /// Index of each text key in `entries`, so duplicate detection stays linear.
        keys: HashMap<String, usize>,
        pending_key: Option<Node>,
    },
}

struct Builder {
    file: FileId,
    offsets: CharOffsets,
    stack: Vec<Open>,
    /// Each anchored node with its size in nodes, so copies are counted without walking them.
    anchors: HashMap<usize, (Node, usize)>,
    documents: Vec<Node>,
    problems: Vec<SpecDiagnostic>,
    /// Nodes copied by aliases and merge keys so far.
    copied: usize,
}

impl Builder {
    fn span(&self, start: Marker, end: Marker) -> Span {
        Span::new(
            self.file,
            self.offsets.byte(start.index()),
            self.offsets.byte(end.index()),
        )
    }

    /// Takes one parser event. An `Err` is a problem that ends the file (too deep, too many
    /// alias copies).
    fn event(
        &mut self,
        event: Event<'_>,
        start: Marker,
        end: Marker,
    ) -> Result<(), Box<SpecDiagnostic>> {
        if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..))
            && self.stack.len() >= MAX_DEPTH
        {
            return Err(Box::new(SpecDiagnostic::error_at(
                Code::YamlLimit,
                format!("YAML nested more than {MAX_DEPTH} levels deep"),
                self.span(start, end),
                "too deep",
                "flatten the structure; no azplan setting nests this deep",
            )));
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.span(start, end);
                let mut plain = style == ScalarStyle::Plain;
                if let Some(tag) = tag {
                    if tag.is_yaml_core_schema() && tag.suffix == "str" {
                        plain = false;
                    } else if !tag.is_yaml_core_schema() {
                        self.problems.push(SpecDiagnostic::error_at(
                            Code::YamlUnsupported,
                            format!("YAML tag `{}{}` is not supported", tag.handle, tag.suffix),
                            span,
                            "custom tag",
                            "remove the tag; azplan specs use plain YAML values",
                        ));
                    }
                }
                self.finish(Node::scalar(text.into_owned(), plain, span), anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq {
                start: self.offsets.byte(start.index()),
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map {
                start: self.offsets.byte(start.index()),
                anchor,
                entries: Vec::new(),
                keys: HashMap::new(),
                pending_key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.offsets.byte(end.index());
                match self.stack.pop() {
                    Some(Open::Seq {
                        start,
                        anchor,
                        items,
                    }) => {
                        let span = Span::new(self.file, start, end.max(last_end(&items, start)));
                        self.finish(
                            Node {
                                span,
                                value: Value::Seq(items),
                            },
                            anchor,
                        );
                    }
                    Some(Open::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    }) => {
                        let span = Span::new(self.file, start, end);
                        let entries = self.merge_keys(entries)?;
                        self.finish(
                            Node {
                                span,
                                value: Value::Map(entries),
                            },
                            anchor,
                        );
                    }
                    None => {}
                }
            }
            Event::Alias(anchor) => {
                let span = self.span(start, end);
                if let Some((_, size)) = self.anchors.get(&anchor) {
                    // Counted before copying: the copy itself is what must not happen.
                    self.count_copies(*size, span)?;
                }
                match self.anchors.get(&anchor) {
                    Some((node, _)) => {
                        let node = node.clone();
                        self.finish(node, 0);
                    }
                    None => {
                        self.problems.push(
                            SpecDiagnostic::new(Code::YamlSyntax, "alias to an unknown anchor")
                                .at(span, "unknown anchor"),
                        );
                        self.finish(Node::scalar("", true, span), 0);
                    }
                }
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
        Ok(())
    }

    /// Counts nodes copied by an alias or merge key against [`MAX_ALIAS_NODES`].
    fn count_copies(&mut self, nodes: usize, at: Span) -> Result<(), Box<SpecDiagnostic>> {
        self.copied = self.copied.saturating_add(nodes);
        if self.copied > MAX_ALIAS_NODES {
            return Err(Box::new(SpecDiagnostic::error_at(
                Code::YamlLimit,
                format!(
                    "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                ),
                at,
                "expansion passes the limit here",
                "reuse smaller fragments, or write the values out",
            )));
        }
        Ok(())
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        /// From this many entries a mapping's keys are indexed for the duplicate check.
        const INDEX_KEYS_FROM: usize = 16;
        if anchor != 0 {
            let size = node.size();
            self.anchors.insert(anchor, (node.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Open::Seq { items, .. }) => items.push(node),
            Some(Open::Map {
                entries,
                keys,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Some(key_text) = key.as_str().filter(|k| *k != "<<") {
                        // Small mappings (most of a spec) are searched; large ones indexed.
                        let first = if keys.is_empty() {
                            entries
                                .iter()
                                .position(|(k, _)| k.as_str() == Some(key_text))
                        } else {
                            keys.get(key_text).copied()
                        };
                        if let Some(first) = first {
                            let first_span = entries[first].0.span;
                            self.problems.push(
                                SpecDiagnostic::new(
                                    Code::DuplicateName,
                                    format!("duplicate key `{key_text}` in this mapping"),
                                )
                                .at(key.span, "duplicate key")
                                .also(first_span, "first defined here")
                                .help(
                                    "each key may appear once per mapping; merge the two entries",
                                ),
                            );
                            return;
                        }
                        if !keys.is_empty() {
                            keys.insert(key_text.to_string(), entries.len());
                        }
                    }
                    entries.push((key, node));
                    if keys.is_empty() && entries.len() >= INDEX_KEYS_FROM {
                        for (i, (k, _)) in entries.iter().enumerate() {
                            if let Some(text) = k.as_str().filter(|k| *k != "<<") {
                                keys.entry(text.to_string()).or_insert(i);
                            }
                        }
                    }
                }
            },
        }
    }

    /// YAML merge keys (`<<: *defaults`): entries of the merged mappings that the mapping does
    /// not set itself.
    fn merge_keys(
        &mut self,
        entries: Vec<(Node, Node)>,
    ) -> Result<Vec<(Node, Node)>, Box<SpecDiagnostic>> {
        if !entries.iter().any(|(k, _)| is_merge_key(k)) {
            return Ok(entries);
        }
        let (merges, mut own): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|(k, _)| is_merge_key(k));
        for (key, value) in merges {
            let sources: Vec<Node> = match value.value {
                Value::Map(_) => vec![value],
                Value::Seq(items) => items,
                _ => {
                    self.problems.push(
                        SpecDiagnostic::new(
                            Code::YamlUnsupported,
                            "`<<` must merge a mapping or a list of mappings",
                        )
                        .at(key.span, "merge key"),
                    );
                    continue;
                }
            };
            let mut present: std::collections::HashSet<String> = own
                .iter()
                .filter_map(|(k, _)| k.as_str().map(str::to_string))
                .collect();
            for source in sources {
                if let Value::Map(inherited) = source.value {
                    for (k, v) in inherited {
                        let new = match k.as_str() {
                            Some(text) => present.insert(text.to_string()),
                            None => true,
                        };
                        if new {
                            // The merged entries were already counted when their alias was
                            // expanded; a merge of an inline mapping copies nothing.
                            own.push((k, v));
                        }
                    }
                }
            }
        }
        Ok(own)
    }
}

fn is_merge_key(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar { text, plain: true } if text == "<<")
}

fn last_end(items: &[Node], start: usize) -> usize {
    items.last().map_or(start, |n| n.span.end as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> Node {
        parse(FileId(0), text).expect("valid yaml").remove(0)
    }

    #[test]
    fn spans_are_byte_offsets_even_after_multibyte_text() {
        let text = "a: \"é\"\nb: value\n";
        let root = parse_one(text);
        let (_, b) = &root.as_map().unwrap()[1];
        assert_eq!(&text[b.span.start as usize..b.span.end as usize], "value");
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let problems = parse(FileId(0), "a: 1\na: 2\n").unwrap_err();
        assert_eq!(problems[0].code, Code::DuplicateName);
        assert_eq!(problems[0].secondary.len(), 1);
    }

    #[test]
    fn anchors_and_merge_keys_expand() {
        let root = parse_one("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n");
        let (_, other) = &root.as_map().unwrap()[1];
        let entries: Vec<(&str, &str)> = other
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str().unwrap(), v.as_str().unwrap()))
            .collect();
        assert_eq!(entries, vec![("y", "3"), ("x", "1")]);
    }

    /// Every split a file allows: each line at column 0 that starts
    /// like a key, in a file `split_point` does not refuse.
    fn splits(text: &str) -> Vec<usize> {
        if split_point(text).is_none() {
            return Vec::new();
        }
        let mut at = 0;
        let mut splits = Vec::new();
        for line in text.split_inclusive('\n') {
            if at > 0 && line.as_bytes()[0].is_ascii_alphanumeric() {
                splits.push(at);
            }
            at += line.len();
        }
        splits
    }

    /// Read in halves, a file is exactly what it is read whole, or the halves give up.
    fn halves_match_the_whole(name: &str, text: &str) -> usize {
        let whole = parse(FileId(3), text);
        let mut split_reads = 0;
        for split in splits(text) {
            if let Some(root) = parse_halves_at(FileId(3), text, split) {
                split_reads += 1;
                let whole = whole.as_ref().unwrap_or_else(|problems| {
                    panic!(
                        "{name}: halves at {split} read a file the whole read refuses: {problems:?}"
                    )
                });
                assert_eq!(
                    whole.len(),
                    1,
                    "{name}: halves at {split} read one document of many"
                );
                assert_eq!(
                    root, whole[0],
                    "{name}: halves at {split} differ from the whole"
                );
            }
        }
        split_reads
    }

    #[test]
    fn halves_read_what_the_whole_reads_or_give_up() {
        let tricky = [
            "a: 1\nb: 2\n",
            "a: \"multi\nb: 2\"\nc: 3\n",
            "a: 'multi\nb: 2'\nc: 3\n",
            "a: [1,\n2]\nb: 3\n",
            "a: {x: 1,\ny: 2}\nb: 3\n",
            "a: &x {k: 1}\nb: *x\nc: *x\n",
            "a: 1\n<<: {a: 2, c: 3}\nd: 4\n",
            "a: |\n  text\nb: >\n  folded\n\nc: |+\n  kept\n\nd: 3\n",
            "a: plain\ncontinued: no\nb: plain\n  continued\nc: 1\n",
            "---\na: 1\nb: 2\n",
            "a: 1\n---\nb: 2\n",
            "a: 1\n...\nb: 2\n",
            "%YAML 1.2\n---\na: 1\nb: 2\n",
            "a:\n- 1\n- 2\nb: {x: 1}\nc:\n  - 3\n",
            "a: 1\nb: 2\na: 3\n",
            "a: \"\u{e9}\"\nb: \"\u{fc}\u{fc}\"\nc: \u{e9}t\u{e9}\n",
            "# c\na: 1\n# mid\nb: 2 # end\n\nc: 3\n",
            "? complex\n: value\nb: 1\n",
            "a: x\nb: !!str 5\nc: !custom 1\nd: 2\n",
            "a: 1\nb\nc: 2\n",
            "- 1\nb: 2\n",
            "a: 1\nb: *missing\nc: 2\n",
            "a: &x 1\nb: 2\nc: &x 3\nd: *x\n",
        ];
        let mut split_reads = 0;
        for (i, text) in tricky.iter().enumerate() {
            split_reads += halves_match_the_whole(&format!("case {i}"), text);
        }
        assert!(
            split_reads > 10,
            "the halves must be used where they can: {split_reads}"
        );
        assert!(
            parse_halves_at(FileId(0), tricky[1], 10).is_none(),
            "quote left open"
        );
        assert!(
            parse_halves_at(FileId(0), tricky[3], 8).is_none(),
            "flow left open"
        );
        assert!(
            parse_halves_at(FileId(0), tricky[5], 13).is_none(),
            "alias across"
        );
        assert!(split_point(tricky[6]).is_none(), "merge key at the top");
        assert!(split_point(tricky[10]).is_none(), "second document");
        assert!(split_point(tricky[12]).is_none(), "directive");
        assert!(
            split_point(tricky[9]).is_some(),
            "a leading --- is one document"
        );
    }

    #[test]
    fn every_spec_in_the_repository_reads_the_same_in_halves() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut pending = vec![root.join("examples"), root.join("tests")];
        let (mut files, mut split_reads) = (0, 0);
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    split_reads += halves_match_the_whole(&path.display().to_string(), &text);
                    files += 1;
                }
            }
        }
        assert!(
            files > 100 && split_reads > 500,
            "{files} files, {split_reads} split reads"
        );
    }

    #[test]
    fn a_large_file_is_read_in_halves_with_spans_into_the_whole() {
        let mut text = String::from("# big\nstack: big\n");
        for i in 0..12_000 {
            text.push_str(&format!(
                "k{i}:\n  name: \"r\u{e9}source {i}\"\n  tags: {{a: b}}\n"
            ));
        }
        assert!(text.len() >= READ_IN_HALVES_FROM);
        let split = split_point(&text).unwrap();
        assert!(split.abs_diff(text.len() / 2) < 64, "split near the middle");
        let halves = parse(FileId(1), &text).unwrap();
        let whole = parse_part(FileId(1), &text, 0).unwrap().0;
        assert_eq!(halves, whole);
        let (key, _) = halves[0].as_map().unwrap().last().unwrap();
        let span = key.span;
        assert_eq!(&text[span.start as usize..span.end as usize], "k11999");
    }

    #[test]
    fn syntax_errors_point_into_the_file() {
        let problems = parse(FileId(0), "a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(problems[0].code, Code::YamlSyntax);
    }
}
