//! Serde deserialisation from the spanned YAML tree. Errors carry the span of the node that
//! caused them, unknown fields are collected (all of them, with did-you-mean) instead of aborting,
//! and [`Spanned`] fields capture where a value was written.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer as _};

use crate::diag::{Code, Diagnostics, SpecDiagnostic, suggest};
use crate::source::{FileId, Span};
use crate::yaml::{self, Node, Value};

/// A fatal deserialisation error for one value.
#[derive(Debug, Clone)]
pub struct Error {
    pub span: Option<Span>,
    pub code: Code,
    pub message: String,
    pub help: Option<String>,
    /// Boxed: errors travel through every `Result` of the deserialiser, and are rare.
    place: Box<Place>,
}

/// Where a value that failed sits, so the reader can take it out and go on (`crate::salvage`).
#[derive(Debug, Clone, Default)]
struct Place {
    /// The index of each mapping entry or list item on the way down, innermost first (serde
    /// unwinds outwards).
    path: Vec<usize>,
    /// For a missing field: the field and the mapping that lacks it.
    missing: Option<(&'static str, Option<Span>)>,
}

impl Error {
    fn new(code: Code, message: String, help: Option<String>) -> Error {
        Error {
            span: None,
            code,
            message,
            help,
            place: Box::default(),
        }
    }

    fn at(mut self, span: Span) -> Error {
        self.span.get_or_insert(span);
        self
    }

    /// The error happened inside entry `index` of the mapping or list being read.
    fn within(mut self, index: usize) -> Error {
        self.place.path.push(index);
        self
    }

    /// A missing field is reported by the struct's visitor; the mapping is the one being read.
    fn missing_in(mut self, mapping: Span) -> Error {
        if let Some((_, at @ None)) = &mut self.place.missing {
            *at = Some(mapping);
        }
        self
    }

    /// The entries from the top of the value down to the one that failed (empty when the value
    /// itself failed).
    pub fn path(&self) -> impl Iterator<Item = usize> + '_ {
        self.place.path.iter().rev().copied()
    }

    /// The field a mapping lacks, and where that mapping is.
    pub fn missing_field(&self) -> Option<(&'static str, Span)> {
        match self.place.missing {
            Some((field, Some(mapping))) => Some((field, mapping)),
            _ => None,
        }
    }

    pub fn into_diagnostic(self, fallback: Span) -> SpecDiagnostic {
        let span = self.span.unwrap_or(fallback);
        let label = match self.code {
            Code::MissingField => "in this mapping",
            Code::UnknownField => "unknown field",
            _ => "here",
        };
        let help = self.help.unwrap_or_else(|| {
            "see this field's description in schemas/azplan.schema.json (`azplan schema`)".into()
        });
        SpecDiagnostic::new(self.code, self.message)
            .at(span, label)
            .help(help)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(Code::InvalidValue, msg.to_string(), None)
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error::new(
            Code::InvalidValue,
            format!("expected {}, found {unexpected}", plain_expected(expected)),
            Some(format!(
                "write {} here (`${{var.NAME}}` works too)",
                plain_expected(expected)
            )),
        )
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Error::new(
            Code::InvalidValue,
            format!("invalid value: {unexpected}"),
            Some(format!("expected {expected}")),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::new(
            Code::InvalidValue,
            format!("unknown value `{variant}`"),
            Some(suggest(variant, expected.iter().copied())),
        )
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(
            Code::UnknownField,
            format!("unknown field `{field}`"),
            Some(suggest(field, expected.iter().copied())),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        let mut error = Error::new(
            Code::MissingField,
            format!("missing field `{field}`"),
            Some(format!("add `{field}:` to this mapping")),
        );
        error.place.missing = Some((field, None));
        error
    }
}

/// serde names primitive types as Rust does (`u32`); users read YAML.
fn plain_expected(expected: &dyn de::Expected) -> String {
    let text = expected.to_string();
    match text.as_str() {
        "u8" | "u16" | "u32" | "u64" => "a whole number (0 or more)".into(),
        "i8" | "i16" | "i32" | "i64" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        _ => text,
    }
}

/// Deserialises `T` from a node, collecting non-fatal problems (unknown fields) in `sink`.
pub fn from_node<'n, T: Deserialize<'n>>(
    node: &'n Node,
    text: &str,
    sink: &RefCell<Vec<SpecDiagnostic>>,
) -> Result<T, Error> {
    let label = node.label_span(text);
    T::deserialize(Deserializer {
        node,
        label,
        text,
        sink,
    })
}

/// Deserialises one spec entry: problems go to `diagnostics` (the first that stops it included);
/// `None` when it could not be read.
pub fn parse_entry<'n, T: Deserialize<'n>>(
    node: &'n Node,
    fallback: Span,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<T> {
    let sink = RefCell::new(Vec::new());
    let result = from_node::<T>(node, text, &sink);
    for problem in sink.into_inner() {
        diagnostics.push(problem);
    }
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            diagnostics.push(e.into_diagnostic(fallback));
            None
        }
    }
}

#[derive(Clone, Copy)]
pub struct Deserializer<'n, 's> {
    node: &'n Node,
    /// Where errors about this value point (a map value's key, for containers).
    label: Span,
    text: &'s str,
    sink: &'s RefCell<Vec<SpecDiagnostic>>,
}

impl<'n, 's> Deserializer<'n, 's> {
    fn child(&self, node: &'n Node, label: Span) -> Deserializer<'n, 's> {
        Deserializer {
            node,
            label,
            text: self.text,
            sink: self.sink,
        }
    }

    fn scalar(&self) -> Option<(&'n str, bool)> {
        match &self.node.value {
            Value::Scalar { text, plain } => Some((text.as_str(), *plain)),
            _ => None,
        }
    }

    fn unexpected(&self) -> de::Unexpected<'n> {
        match &self.node.value {
            Value::Scalar { .. } if self.node.is_null() => de::Unexpected::Unit,
            Value::Scalar { text, .. } => de::Unexpected::Str(text),
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
        }
    }

    fn invalid<V: Visitor<'n>>(&self, visitor: &V) -> Error {
        de::Error::invalid_type(self.unexpected(), visitor)
    }

    /// A number JSON cannot carry, found in free-form JSON (`raw:`): reported with the other
    /// problems of the file (not ending the entry), and read as null meanwhile.
    fn collect_unrepresentable<V: Visitor<'n>>(
        &self,
        text: &str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        let problem = unrepresentable(text);
        let mut diagnostic =
            SpecDiagnostic::new(problem.code, problem.message).at(self.node.span, "here");
        if let Some(help) = problem.help {
            diagnostic = diagnostic.help(help);
        }
        self.sink.borrow_mut().push(diagnostic);
        visitor.visit_unit()
    }

    fn located<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| e.at(self.label))
    }
}

fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i128::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

/// Digits (with sign or base prefix) that `parse_int` could not hold: too large for any number
/// ARM takes.
fn looks_like_int(text: &str) -> bool {
    let digits = text.trim_start_matches(['-', '+']);
    let (digits, radix) = if let Some(hex) = digits.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (oct, 8)
    } else {
        (digits, 10)
    };
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

/// ARM bodies are JSON: no NaN, no infinities, integers of at most 64 bits. Sending `null`
/// instead (what serde_json makes of them) would silently change the request.
fn unrepresentable(text: &str) -> Error {
    Error::new(
        Code::InvalidValue,
        format!("`{text}` is not a number ARM can take"),
        Some(
            "ARM bodies are JSON: finite numbers and integers within 64 bits; quote it to send a string"
                .into(),
        ),
    )
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let looks_numeric = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        text.parse().ok()
    } else {
        None
    }
}

impl<'n> de::Deserializer<'n> for Deserializer<'n, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            Value::Scalar { text, plain: false } => visitor.visit_str(text),
            Value::Scalar { text, plain: true } => {
                if yaml::is_null(text) {
                    visitor.visit_unit()
                } else if let Some(b) = yaml::resolve_bool(text) {
                    visitor.visit_bool(b)
                } else if let Some(i) = parse_int(text) {
                    match (u64::try_from(i), i64::try_from(i)) {
                        (Ok(u), _) => visitor.visit_u64(u),
                        (_, Ok(s)) => visitor.visit_i64(s),
                        _ => self.collect_unrepresentable(text, visitor),
                    }
                } else if looks_like_int(text) {
                    self.collect_unrepresentable(text, visitor)
                } else if let Some(f) = parse_float(text) {
                    if f.is_finite() {
                        visitor.visit_f64(f)
                    } else {
                        self.collect_unrepresentable(text, visitor)
                    }
                } else {
                    visitor.visit_str(text)
                }
            }
            Value::Seq(_) => return self.deserialize_seq(visitor),
            Value::Map(_) => return self.deserialize_map(visitor),
        };
        self.located(result)
    }

    fn deserialize_bool<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.scalar() {
            Some((text, true)) => match yaml::resolve_bool(text) {
                Some(b) => visitor.visit_bool(b),
                None => Err(self.invalid(&visitor)),
            },
            _ => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_i64<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self
            .scalar()
            .and_then(|(t, plain)| plain.then(|| parse_int(t)).flatten())
        {
            Some(i) => match i64::try_from(i) {
                Ok(v) => visitor.visit_i64(v),
                Err(_) => Err(de::Error::custom(format!("number {i} is out of range"))),
            },
            None => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_u64<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self
            .scalar()
            .and_then(|(t, plain)| plain.then(|| parse_int(t)).flatten())
        {
            Some(i) => match u64::try_from(i) {
                Ok(v) => visitor.visit_u64(v),
                Err(_) => Err(de::Error::invalid_value(
                    de::Unexpected::Signed(i64::try_from(i).unwrap_or(i64::MIN)),
                    &visitor,
                )),
            },
            None => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_f64<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let parsed = self.scalar().and_then(|(t, plain)| {
            plain
                .then(|| parse_int(t).map(|i| i as f64).or_else(|| parse_float(t)))
                .flatten()
        });
        let result = match parsed {
            Some(f) if f.is_finite() => visitor.visit_f64(f),
            Some(_) => Err(unrepresentable(self.scalar().map_or("", |(t, _)| t))),
            None => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_str<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match self.scalar() {
            Some((text, true)) if yaml::is_null(text) => Err(self.invalid(&visitor)),
            // Plain scalars keep their source text: `1.30` stays "1.30", not 1.3.
            Some((text, _)) => visitor.visit_borrowed_str(text),
            None => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_option<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            self.located(visitor.visit_none())
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.node.is_null() {
            self.located(visitor.visit_unit())
        } else {
            Err(self.invalid(&visitor).at(self.label))
        }
    }

    fn deserialize_seq<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            Value::Seq(items) => visitor.visit_seq(SeqAccess {
                de: self,
                items: items.iter().enumerate(),
            }),
            _ => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_map<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_struct("", &[], visitor)
    }

    fn deserialize_struct<V: Visitor<'n>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == SPANNED_NAME {
            return visitor.visit_map(SpannedAccess { de: self, step: 0 });
        }
        let result = match &self.node.value {
            // An empty value (`key:`) reads as an empty mapping, so `rg-platform:` declares a
            // resource with every field at its default.
            Value::Scalar { .. } if self.node.is_null() => visitor.visit_map(MapAccess {
                de: self,
                entries: [].iter().enumerate(),
                fields,
                value: None,
            }),
            Value::Map(entries) => visitor.visit_map(MapAccess {
                de: self,
                entries: entries.iter().enumerate(),
                fields,
                value: None,
            }),
            _ => Err(self.invalid(&visitor)),
        };
        self.located(result.map_err(|e| e.missing_in(self.node.span)))
    }

    fn deserialize_enum<V: Visitor<'n>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            Value::Scalar { .. } => visitor.visit_enum(EnumAccess {
                de: self,
                variant: self.node,
                value: None,
            }),
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = &entries[0];
                visitor.visit_enum(EnumAccess {
                    de: self.child(key, key.span),
                    variant: key,
                    value: Some(value),
                })
            }
            _ => Err(self.invalid(&visitor)),
        };
        self.located(result)
    }

    fn deserialize_newtype_struct<V: Visitor<'n>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_identifier<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_string<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_tuple<V: Visitor<'n>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'n>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'n>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_bytes<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        Err(self.invalid(&visitor).at(self.label))
    }

    fn deserialize_byte_buf<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    serde::forward_to_deserialize_any! {}

    fn deserialize_i8<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i16<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i32<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u8<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u16<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u32<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_f32<V: Visitor<'n>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }
}

struct SeqAccess<'n, 's> {
    de: Deserializer<'n, 's>,
    items: std::iter::Enumerate<std::slice::Iter<'n, Node>>,
}

impl<'n> de::SeqAccess<'n> for SeqAccess<'n, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'n>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some((index, node)) => {
                let label = node.label_span(self.de.text);
                seed.deserialize(self.de.child(node, label))
                    .map(Some)
                    .map_err(|e| e.within(index))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'n, 's> {
    de: Deserializer<'n, 's>,
    entries: std::iter::Enumerate<std::slice::Iter<'n, (Node, Node)>>,
    /// The struct's field names; empty for free-form maps.
    fields: &'static [&'static str],
    /// The entry being read: its value, where errors about it point, and its index.
    value: Option<(&'n Node, Span, usize)>,
}

impl<'n> de::MapAccess<'n> for MapAccess<'n, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'n>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (index, (key, value)) in self.entries.by_ref() {
            let known =
                self.fields.is_empty() || key.as_str().is_some_and(|k| self.fields.contains(&k));
            if !known {
                let name = key.as_str().unwrap_or("?");
                let candidates = self
                    .fields
                    .iter()
                    .copied()
                    .filter(|f| !f.starts_with("$__"));
                self.de.sink.borrow_mut().push(SpecDiagnostic::error_at(
                    Code::UnknownField,
                    format!("unknown field `{name}`"),
                    key.span,
                    "unknown field",
                    suggest(name, candidates),
                ));
                continue;
            }
            let label = match value.value {
                Value::Scalar { .. } => value.span,
                _ => key.span,
            };
            self.value = Some((value, label, index));
            return seed
                .deserialize(self.de.child(key, key.span))
                .map(Some)
                .map_err(|e| e.within(index));
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'n>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (node, label, index) = self
            .value
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("value requested before key"))?;
        seed.deserialize(self.de.child(node, label))
            .map_err(|e| e.within(index))
    }
}

struct EnumAccess<'n, 's> {
    de: Deserializer<'n, 's>,
    variant: &'n Node,
    value: Option<&'n Node>,
}

impl<'n, 's> de::EnumAccess<'n> for EnumAccess<'n, 's> {
    type Error = Error;
    type Variant = VariantAccess<'n, 's>;

    fn variant_seed<V: DeserializeSeed<'n>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let variant_de = self.de.child(self.variant, self.variant.span);
        let variant = seed.deserialize(variant_de)?;
        Ok((
            variant,
            VariantAccess {
                de: self.de,
                value: self.value,
            },
        ))
    }
}

struct VariantAccess<'n, 's> {
    de: Deserializer<'n, 's>,
    value: Option<&'n Node>,
}

impl<'n> VariantAccess<'n, '_> {
    fn value_de(&self) -> Result<Deserializer<'n, '_>, Error> {
        match self.value {
            Some(node) => Ok(self.de.child(node, node.label_span(self.de.text))),
            None => Err(
                <Error as de::Error>::custom("this value needs settings under it")
                    .at(self.de.label),
            ),
        }
    }
}

impl<'n> de::VariantAccess<'n> for VariantAccess<'n, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        match self.value {
            None => Ok(()),
            Some(node) if node.is_null() => Ok(()),
            Some(node) => Err(<Error as de::Error>::custom("this value takes no settings")
                .at(node.label_span(self.de.text))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'n>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self.value_de()?)
    }

    fn tuple_variant<V: Visitor<'n>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        self.value_de()?.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'n>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.value_de()?.deserialize_struct("", fields, visitor)
    }
}

const SPANNED_NAME: &str = "$__azplan_private_Spanned";
const SPANNED_FIELDS: &[&str] = &["$__azplan_private_span", "$__azplan_private_value"];

/// Hands a [`Spanned`] its location first, then its value.
struct SpannedAccess<'n, 's> {
    de: Deserializer<'n, 's>,
    step: u8,
}

impl<'n> de::MapAccess<'n> for SpannedAccess<'n, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'n>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(field) = SPANNED_FIELDS.get(self.step as usize) else {
            return Ok(None);
        };
        seed.deserialize(de::value::BorrowedStrDeserializer::new(field))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'n>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.step += 1;
        if self.step == 1 {
            let span = self.de.label;
            let parts = vec![span.file.0, span.start, span.end];
            seed.deserialize(parts.into_deserializer())
        } else {
            seed.deserialize(self.de)
        }
    }
}

/// A value with the place it was written, for diagnostics found after deserialisation.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub span: Span,
    pub value: T,
}

impl<T> Spanned<T> {
    pub fn new(span: Span, value: T) -> Spanned<T> {
        Spanned { span, value }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let mut span = None;
                let mut value = None;
                while let Some(key) = map.next_key::<&str>()? {
                    if key == SPANNED_FIELDS[0] {
                        let [file, start, end]: [u32; 3] = map.next_value()?;
                        span = Some(Span {
                            file: FileId(file),
                            start,
                            end,
                        });
                    } else {
                        value = Some(map.next_value()?);
                    }
                }
                match (span, value) {
                    (Some(span), Some(value)) => Ok(Spanned { span, value }),
                    _ => Err(de::Error::custom("Spanned needs the azplan YAML loader")),
                }
            }
        }

        deserializer.deserialize_struct(
            SPANNED_NAME,
            SPANNED_FIELDS,
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::yaml::parse;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)] // fields exist to be deserialised
    struct Pool {
        vm_size: String,
        count: Option<u32>,
        version: Option<Spanned<String>>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
    }

    fn load<T: for<'a> Deserialize<'a>>(text: &str) -> (Result<T, Error>, Vec<SpecDiagnostic>) {
        let node = parse(FileId(0), text).unwrap().remove(0);
        let sink = RefCell::new(Vec::new());
        let result = from_node::<T>(&node, text, &sink);
        (result, sink.into_inner())
    }

    #[test]
    fn every_unknown_field_is_collected_with_a_suggestion() {
        let (result, problems) = load::<Pool>("vmSize: x\nvmSzie: y\ncuont: 3\n");
        assert!(result.is_ok());
        let helps: Vec<_> = problems.iter().map(|p| p.help.clone().unwrap()).collect();
        assert_eq!(
            helps,
            vec!["did you mean `vmSize`?", "did you mean `count`?"]
        );
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let text = "vmSize: x\ncount: many\n";
        let (result, _) = load::<Pool>(text);
        let error = result.unwrap_err();
        let span = error.span.unwrap();
        assert_eq!(&text[span.start as usize..span.end as usize], "many");
    }

    #[test]
    fn plain_scalars_keep_their_text_for_strings() {
        let text = "vmSize: x\nversion: 1.30\n";
        let (result, _) = load::<Pool>(text);
        let version = result.unwrap().version.unwrap();
        assert_eq!(version.value, "1.30");
        assert_eq!(
            &text[version.span.start as usize..version.span.end as usize],
            "1.30"
        );
    }

    #[test]
    fn missing_fields_point_at_the_mapping() {
        let (result, _) = load::<Pool>("count: 1\n");
        assert_eq!(result.unwrap_err().code, Code::MissingField);
    }
}
