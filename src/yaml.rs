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
    let mut builder = Builder {
        file,
        offsets: CharOffsets::new(text),
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
        Ok(builder.documents)
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

/// saphyr reports positions in characters; spans are bytes.
enum CharOffsets {
    Ascii,
    Table(Vec<usize>),
}

impl CharOffsets {
    fn new(text: &str) -> CharOffsets {
        if text.is_ascii() {
            CharOffsets::Ascii
        } else {
            let mut table: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            table.push(text.len());
            CharOffsets::Table(table)
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match self {
            CharOffsets::Ascii => char_index,
            CharOffsets::Table(table) => table
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

    #[test]
    fn syntax_errors_point_into_the_file() {
        let problems = parse(FileId(0), "a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(problems[0].code, Code::YamlSyntax);
    }
}
