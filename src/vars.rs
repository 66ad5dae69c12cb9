//! Variables: one spec, many environments. Values come from defaults, a named environment,
//! values files and `--var`, in that order of precedence, and replace `${var.NAME}` in any value.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Code, Diagnostics, SpecDiagnostic, suggest};
use crate::source::Span;
use crate::yaml::{Node, Value};

/// A declared variable and where its value came from.
#[derive(Debug, Clone)]
pub struct Variable {
    pub declared_at: Span,
    pub value: Option<Node>,
}

/// The variables of a stack, with their final values.
#[derive(Debug, Default)]
pub struct Variables {
    pub declared: BTreeMap<String, Variable>,
    used: BTreeSet<String>,
    /// Variables whose value may use other variables are resolved once, on first use; these
    /// are being resolved now (to find cycles), done, or failed (reported once).
    resolving: Vec<String>,
    resolved: BTreeSet<String>,
    broken: BTreeSet<String>,
    /// What interpolation has produced so far (text bytes plus copied nodes), bounded like
    /// YAML aliases: variables that use each other twice double at every level, and a spec of
    /// a few lines could otherwise ask for gigabytes.
    produced: usize,
    over_budget: bool,
}

/// The most text (bytes) and copied nodes (64 each) interpolation may produce for one stack.
pub const MAX_PRODUCED: usize = 16 * 1024 * 1024;

impl Variables {
    /// Sets a value, overriding any earlier one; false when the variable is not declared.
    pub fn set(&mut self, name: &str, value: Node) -> bool {
        match self.declared.get_mut(name) {
            Some(variable) => {
                variable.value = Some(value);
                true
            }
            None => false,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> + Clone {
        self.declared.keys().map(String::as_str)
    }

    /// Replaces every `${var.NAME}` in `node`. A scalar that is exactly one reference takes the
    /// variable's value with its type (a number stays a number, a list a list); references inside
    /// longer text are formatted as text.
    pub fn interpolate(&mut self, node: &mut Node, diagnostics: &mut Diagnostics) {
        match &mut node.value {
            Value::Scalar { text, plain } => {
                if !text.contains("${") {
                    return;
                }
                let span = node.span;
                if let Some(replacement) = self.expand(text, *plain, span, diagnostics) {
                    *node = replacement;
                }
            }
            Value::Seq(items) => {
                for item in items {
                    self.interpolate(item, diagnostics);
                }
            }
            Value::Map(entries) => {
                for (_, value) in entries {
                    self.interpolate(value, diagnostics);
                }
            }
        }
    }

    fn expand(
        &mut self,
        text: &str,
        plain: bool,
        span: Span,
        diagnostics: &mut Diagnostics,
    ) -> Option<Node> {
        let pieces = match split_template(text) {
            Ok(pieces) => pieces,
            Err(message) => {
                diagnostics.push(SpecDiagnostic::error_at(
                    Code::UnknownVariable,
                    message,
                    span,
                    "here",
                    "write `${var.NAME}`; `$${` gives a literal `${`",
                ));
                return None;
            }
        };
        if let [Piece::Var(name)] = pieces.as_slice() {
            let value = self.lookup(name, span, diagnostics)?;
            // A node costs about what 64 bytes of text do.
            if !self.spend(value.size().saturating_mul(64), span, diagnostics) {
                return None;
            }
            return Some(respan(value, span));
        }
        let mut out = String::new();
        for piece in &pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(name) => {
                    let value = self.lookup(name, span, diagnostics)?;
                    match &value.value {
                        Value::Scalar { text, .. } => out.push_str(text),
                        _ => {
                            diagnostics.push(SpecDiagnostic::invalid(
                                format!(
                                    "variable `{name}` is {} and cannot be part of a text",
                                    value.describe()
                                ),
                                span,
                                "used inside text here",
                                "use the variable as the whole value instead",
                            ));
                            return None;
                        }
                    }
                }
            }
        }
        if !self.spend(out.len(), span, diagnostics) {
            return None;
        }
        let was_plain = plain && !pieces.iter().any(|p| matches!(p, Piece::Var(_)));
        Some(Node::scalar(out, was_plain, span))
    }

    /// Counts what an expansion produces; false (with one error for the stack) past the bound.
    fn spend(&mut self, amount: usize, span: Span, diagnostics: &mut Diagnostics) -> bool {
        self.produced = self.produced.saturating_add(amount);
        if self.produced <= MAX_PRODUCED {
            return true;
        }
        if !self.over_budget {
            self.over_budget = true;
            diagnostics.push(SpecDiagnostic::error_at(
                Code::YamlLimit,
                format!(
                    "variables expand to more than {} MiB of text and values",
                    MAX_PRODUCED / (1024 * 1024)
                ),
                span,
                "expanded here",
                "a variable that uses another twice doubles at every level; use each variable's value directly",
            ));
        }
        false
    }

    fn lookup(&mut self, name: &str, span: Span, diagnostics: &mut Diagnostics) -> Option<Node> {
        let Some(variable) = self.declared.get(name) else {
            diagnostics.push(SpecDiagnostic::error_at(
                Code::UnknownVariable,
                format!("unknown variable `{name}`"),
                span,
                "used here",
                suggest(name, self.names()),
            ));
            return None;
        };
        self.used.insert(name.to_string());
        if self.broken.contains(name) {
            return None;
        }
        if let Some(at) = self.resolving.iter().position(|n| n == name) {
            let mut cycle = self.resolving[at..].to_vec();
            cycle.push(name.to_string());
            diagnostics.push(
                SpecDiagnostic::new(
                    Code::UnknownVariable,
                    format!("variable `{name}` refers to itself: {}", cycle.join(" → ")),
                )
                .at(span, "used here")
                .also(variable.declared_at, "declared here")
                .help(
                    "a value may use other variables, but never itself, directly or through others",
                ),
            );
            self.broken.extend(cycle);
            return None;
        }
        let declared_at = variable.declared_at;
        let needs_resolving =
            !self.resolved.contains(name) && variable.value.as_ref().is_some_and(has_reference);
        if needs_resolving {
            let mut value = variable
                .value
                .clone()
                .unwrap_or_else(|| Node::scalar("", true, declared_at));
            let errors_before = diagnostics.error_count();
            self.resolving.push(name.to_string());
            self.interpolate(&mut value, diagnostics);
            self.resolving.pop();
            if diagnostics.error_count() > errors_before || self.broken.contains(name) {
                self.broken.insert(name.to_string());
                return None;
            }
            if let Some(variable) = self.declared.get_mut(name) {
                variable.value = Some(value);
            }
        }
        self.resolved.insert(name.to_string());
        let variable = &self.declared[name];
        match &variable.value {
            Some(value) => Some(value.clone()),
            None => {
                diagnostics.push(
                    SpecDiagnostic::new(
                        Code::MissingVariable,
                        format!("variable `{name}` has no value"),
                    )
                    .at(span, "used here")
                    .also(variable.declared_at, "declared without a default here")
                    .help(format!(
                        "give it a default, set it in an environment, or pass `--var {name}=...`"
                    )),
                );
                None
            }
        }
    }

    /// Warnings for variables nothing uses.
    pub fn unused(&self) -> impl Iterator<Item = SpecDiagnostic> + '_ {
        self.declared
            .iter()
            .filter(|(name, _)| !self.used.contains(*name))
            .map(|(name, variable)| {
                SpecDiagnostic::error_at(
                    Code::UnusedVariable,
                    format!("variable `{name}` is never used"),
                    variable.declared_at,
                    "declared here",
                    "remove it, or use it as `${var.NAME}`",
                )
            })
    }
}

/// Whether a value uses a variable anywhere.
fn has_reference(node: &Node) -> bool {
    match &node.value {
        Value::Scalar { text, .. } => text.contains("${"),
        Value::Seq(items) => items.iter().any(has_reference),
        Value::Map(entries) => entries.iter().any(|(_, v)| has_reference(v)),
    }
}

/// Gives a substituted value the span of the place that used it, so diagnostics about the
/// value point at the spec, not at a values file or the command line.
fn respan(mut node: Node, span: Span) -> Node {
    node.span = span;
    match &mut node.value {
        Value::Scalar { .. } => {}
        Value::Seq(items) => {
            for item in items {
                *item = respan(item.clone(), span);
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                *k = respan(k.clone(), span);
                *v = respan(v.clone(), span);
            }
        }
    }
    node
}

#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(std::borrow::Cow<'a, str>),
    Var(&'a str),
}

fn split_template(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        let after = &rest[start..];
        if after.starts_with("$${") {
            pieces.push(Piece::Text(format!("{}${{", &rest[..start]).into()));
            rest = &rest[start + 3..];
            continue;
        }
        if !after.starts_with("${") {
            pieces.push(Piece::Text(rest[..=start].into()));
            rest = &rest[start + 1..];
            continue;
        }
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].into()));
        }
        let Some(end) = after.find('}') else {
            return Err(format!("unclosed `${{` in `{text}`"));
        };
        let inner = after[2..end].trim();
        let Some(name) = inner.strip_prefix("var.") else {
            return Err(format!("`${{{inner}}}` is not a variable reference"));
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!("`{name}` is not a valid variable name"));
        }
        pieces.push(Piece::Var(name));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.into()));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::yaml::parse;

    fn vars(pairs: &[(&str, &str)]) -> Variables {
        let mut v = Variables::default();
        for (name, value) in pairs {
            let node = parse(FileId(1), value).unwrap().remove(0);
            v.declared.insert(
                name.to_string(),
                Variable {
                    declared_at: node.span,
                    value: Some(node),
                },
            );
        }
        v
    }

    fn run(v: &mut Variables, text: &str) -> (Node, Diagnostics) {
        let mut node = parse(FileId(0), text).unwrap().remove(0);
        let mut d = Diagnostics::default();
        v.interpolate(&mut node, &mut d);
        (node, d)
    }

    #[test]
    fn whole_value_keeps_its_type_and_text_is_formatted() {
        let mut v = vars(&[("count", "3"), ("env", "prod")]);
        let (node, d) = run(
            &mut v,
            "a: ${var.count}\nb: acr${var.env}01\nc: $${literal}\n",
        );
        assert!(d.is_empty());
        let values: Vec<_> = node
            .as_map()
            .unwrap()
            .iter()
            .map(|(_, v)| v.value.clone())
            .collect();
        assert_eq!(
            values[0],
            Value::Scalar {
                text: "3".into(),
                plain: true
            }
        );
        assert_eq!(
            values[1],
            Value::Scalar {
                text: "acrprod01".into(),
                plain: false
            }
        );
        assert_eq!(
            values[2],
            Value::Scalar {
                text: "${literal}".into(),
                plain: true
            }
        );
        assert_eq!(v.unused().count(), 0);
    }

    #[test]
    fn values_may_use_other_variables_but_never_themselves() {
        let mut v = vars(&[("a", "${var.b}-x"), ("b", "base"), ("self", "${var.self}")]);
        let (node, d) = run(&mut v, "x: ${var.a}\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(node.as_map().unwrap()[0].1.as_str(), Some("base-x"));

        let (_, d) = run(&mut v, "x: ${var.self}\ny: ${var.self}\n");
        let problems: Vec<_> = d.iter().collect();
        assert_eq!(problems.len(), 1, "reported once: {problems:?}");
        assert!(problems[0].message.contains("refers to itself"));

        let mut v = vars(&[("p", "${var.q}"), ("q", "${var.p}")]);
        let (_, d) = run(&mut v, "x: ${var.p}\n");
        assert_eq!(d.error_count(), 1);
        assert!(d.iter().next().unwrap().message.contains("p → q → p"));
    }

    #[test]
    fn unknown_variables_suggest_the_closest() {
        let mut v = vars(&[("nodeCount", "3")]);
        let (_, d) = run(&mut v, "a: ${var.nodeCuont}\n");
        let problem = d.iter().next().unwrap();
        assert_eq!(problem.code, Code::UnknownVariable);
        assert_eq!(problem.help.as_deref(), Some("did you mean `nodeCount`?"));
    }
}
