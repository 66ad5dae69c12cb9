//! `$filter` of the generic resource LISTs (Microsoft.Resources `Resources_List` and
//! `Resources_ListByResourceGroup`, resources.json 2025-04-01), in the forms the parameter's
//! description documents:
//!
//! - `eq` / `ne` on `location`, `resourceType`, `name`, `resourceGroup`, `identity`,
//!   `identity/principalId`, `plan`, `plan/publisher`, `plan/product`, `plan/name`,
//!   `plan/version`, `plan/promotionCode`;
//! - `substringof('value', name|resourceGroup)`, several joined with `and` / `or`;
//! - `tagName eq 't' and tagValue eq 'v'` (the matched resources come back without their tags:
//!   "When you filter by a tag name and value, the tags for each resource are not returned"),
//!   `tagName eq 't'`, and `startswith(tagName, 'prefix')`; tag filters combine with nothing
//!   else (Azure/azure-cli#7674: "specifying tags and other parameters in a filter fails").
//!
//! Anything else is refused as ARM refuses it: 400 `InvalidFilterInQueryString`, "Invalid $filter
//! '…' specified in the query string." (the answer quoted in Azure/azure-sdk-for-net#18748).

use serde_json::Value;

use crate::emulator::common;
use crate::emulator::error::ArmError;

/// A parsed filter, ready to test resources.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    Resource(Expr),
    /// Tag name (exact, or a prefix) and optional value.
    Tag {
        name: String,
        prefix: bool,
        value: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Compare {
        property: Property,
        value: String,
        equal: bool,
    },
    Substring {
        value: String,
        property: Property,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Property {
    Location,
    ResourceType,
    Name,
    ResourceGroup,
    Identity,
    IdentityPrincipalId,
    Plan(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

fn invalid(filter: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidFilterInQueryString",
        format!("Invalid $filter '{filter}' specified in the query string."),
    )
}

fn tokens(filter: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                out.push(Token::Comma);
            }
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next()? {
                        // OData escapes a quote inside a string by doubling it.
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        '\'' => break,
                        other => text.push(other),
                    }
                }
                out.push(Token::Text(text));
            }
            c if c.is_ascii_alphanumeric() || c == '/' || c == '_' => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(Token::Word(word));
            }
            _ => return None,
        }
    }
    Some(out)
}

fn property(word: &str) -> Option<Property> {
    let p = match word.to_ascii_lowercase().as_str() {
        "location" => Property::Location,
        "resourcetype" => Property::ResourceType,
        "name" => Property::Name,
        "resourcegroup" => Property::ResourceGroup,
        "identity" => Property::Identity,
        "identity/principalid" => Property::IdentityPrincipalId,
        "plan" => Property::Plan("name"),
        "plan/publisher" => Property::Plan("publisher"),
        "plan/product" => Property::Plan("product"),
        "plan/name" => Property::Plan("name"),
        "plan/version" => Property::Plan("version"),
        "plan/promotioncode" => Property::Plan("promotionCode"),
        _ => return None,
    };
    Some(p)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

/// One condition as written, before tag and resource conditions are told apart.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Expr(Expr),
    TagName { value: String, prefix: bool },
    TagValue(String),
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn word(&mut self) -> Option<String> {
        match self.next()? {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    fn text(&mut self) -> Option<String> {
        match self.next()? {
            Token::Text(t) => Some(t),
            _ => None,
        }
    }

    fn expect(&mut self, token: Token) -> Option<()> {
        (self.next()? == token).then_some(())
    }

    fn peek_word(&self, keyword: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(keyword))
    }

    /// `term (and term)*` joined by `or`, `and` binding tighter (OData precedence).
    fn or(&mut self) -> Option<Vec<Vec<Term>>> {
        let mut alternatives = vec![self.and()?];
        while self.peek_word("or") {
            self.at += 1;
            alternatives.push(self.and()?);
        }
        Some(alternatives)
    }

    fn and(&mut self) -> Option<Vec<Term>> {
        let mut terms = vec![self.term()?];
        while self.peek_word("and") {
            self.at += 1;
            terms.push(self.term()?);
        }
        Some(terms)
    }

    fn term(&mut self) -> Option<Term> {
        let word = self.word()?;
        let lower = word.to_ascii_lowercase();
        if lower == "substringof" {
            self.expect(Token::Open)?;
            let value = self.text()?;
            self.expect(Token::Comma)?;
            let property = property(&self.word()?)
                .filter(|p| matches!(p, Property::Name | Property::ResourceGroup))?;
            self.expect(Token::Close)?;
            return Some(Term::Expr(Expr::Substring { value, property }));
        }
        if lower == "startswith" {
            self.expect(Token::Open)?;
            if !self.word()?.eq_ignore_ascii_case("tagName") {
                return None;
            }
            self.expect(Token::Comma)?;
            let value = self.text()?;
            self.expect(Token::Close)?;
            return Some(Term::TagName {
                value,
                prefix: true,
            });
        }
        let op = self.word()?.to_ascii_lowercase();
        let equal = match op.as_str() {
            "eq" => true,
            "ne" => false,
            _ => return None,
        };
        let value = self.text()?;
        match lower.as_str() {
            "tagname" if equal => Some(Term::TagName {
                value,
                prefix: false,
            }),
            "tagvalue" if equal => Some(Term::TagValue(value)),
            _ => Some(Term::Expr(Expr::Compare {
                property: property(&word)?,
                value,
                equal,
            })),
        }
    }
}

/// Parses a `$filter` value, or answers with ARM's error for it.
pub(crate) fn parse(filter: &str) -> Result<Filter, ArmError> {
    let tokens = tokens(filter).ok_or_else(|| invalid(filter))?;
    let mut parser = Parser { tokens, at: 0 };
    let alternatives = parser.or().ok_or_else(|| invalid(filter))?;
    if parser.at != parser.tokens.len() {
        return Err(invalid(filter));
    }
    let is_tag = |t: &Term| matches!(t, Term::TagName { .. } | Term::TagValue(_));
    if alternatives.iter().flatten().any(is_tag) {
        return match alternatives.as_slice() {
            [terms] => match terms.as_slice() {
                [Term::TagName { value, prefix }] => Ok(Filter::Tag {
                    name: value.clone(),
                    prefix: *prefix,
                    value: None,
                }),
                [
                    Term::TagName {
                        value,
                        prefix: false,
                    },
                    Term::TagValue(v),
                ] => Ok(Filter::Tag {
                    name: value.clone(),
                    prefix: false,
                    value: Some(v.clone()),
                }),
                _ => Err(invalid(filter)),
            },
            _ => Err(invalid(filter)),
        };
    }
    let join_and = |terms: &Vec<Term>| {
        terms
            .iter()
            .filter_map(|t| match t {
                Term::Expr(e) => Some(e.clone()),
                _ => None,
            })
            .reduce(|a, b| Expr::And(Box::new(a), Box::new(b)))
    };
    alternatives
        .iter()
        .map(join_and)
        .collect::<Option<Vec<Expr>>>()
        .and_then(|ands| {
            ands.into_iter()
                .reduce(|a, b| Expr::Or(Box::new(a), Box::new(b)))
        })
        .map(Filter::Resource)
        .ok_or_else(|| invalid(filter))
}

fn field(body: &Value, property: Property) -> Option<String> {
    let id = body.get("id").and_then(Value::as_str).unwrap_or("");
    match property {
        Property::Location => body
            .get("location")
            .and_then(Value::as_str)
            .map(common::normalize_location),
        Property::ResourceType => body.get("type").and_then(Value::as_str).map(str::to_string),
        Property::Name => body.get("name").and_then(Value::as_str).map(str::to_string),
        Property::ResourceGroup => id.split('/').nth(4).map(str::to_string),
        Property::Identity => common::str_at(body, &["identity", "type"]).map(str::to_string),
        Property::IdentityPrincipalId => {
            common::str_at(body, &["identity", "principalId"]).map(str::to_string)
        }
        Property::Plan(key) => common::str_at(body, &["plan", key]).map(str::to_string),
    }
}

fn holds(expr: &Expr, body: &Value) -> bool {
    match expr {
        Expr::Compare {
            property,
            value,
            equal,
        } => {
            let wanted = if *property == Property::Location {
                common::normalize_location(value)
            } else {
                value.clone()
            };
            let same = field(body, *property).is_some_and(|f| f.eq_ignore_ascii_case(&wanted));
            same == *equal
        }
        Expr::Substring { value, property } => field(body, *property)
            .is_some_and(|f| f.to_ascii_lowercase().contains(&value.to_ascii_lowercase())),
        Expr::And(a, b) => holds(a, body) && holds(b, body),
        Expr::Or(a, b) => holds(a, body) || holds(b, body),
    }
}

impl Filter {
    /// Whether a generic-list item passes; tag names compare case-insensitively (ARM tag names
    /// are case-insensitive), tag values exactly.
    pub(crate) fn keeps(&self, body: &Value) -> bool {
        match self {
            Filter::Resource(expr) => holds(expr, body),
            Filter::Tag {
                name,
                prefix,
                value,
            } => body
                .get("tags")
                .and_then(Value::as_object)
                .is_some_and(|tags| {
                    tags.iter().any(|(k, v)| {
                        let name_ok = if *prefix {
                            k.to_ascii_lowercase()
                                .starts_with(&name.to_ascii_lowercase())
                        } else {
                            k.eq_ignore_ascii_case(name)
                        };
                        name_ok && value.as_deref().is_none_or(|want| v.as_str() == Some(want))
                    })
                }),
        }
    }

    /// Filtering by tag name and value drops the tags from the answer.
    pub(crate) fn hides_tags(&self) -> bool {
        matches!(self, Filter::Tag { value: Some(_), .. })
    }
}

#[cfg(test)]
mod tests {
    use super::{Filter, parse};
    use serde_json::json;

    #[test]
    fn documented_forms_parse_and_match() {
        let vnet = json!({"id": "/subscriptions/s/resourceGroups/Demo-RG/providers/Microsoft.Network/virtualNetworks/demo-net",
            "name": "demo-net", "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
            "tags": {"Dept": "Finance"}});
        let keeps = |f: &str| parse(f).expect(f).keeps(&vnet);
        assert!(keeps("resourceType eq 'Microsoft.Network/virtualNetworks'"));
        assert!(keeps("resourceType eq 'microsoft.network/VIRTUALNETWORKS'"));
        assert!(!keeps(
            "resourceType ne 'Microsoft.Network/virtualNetworks'"
        ));
        assert!(keeps("substringof('demo', name)"));
        assert!(keeps(
            "substringof('nope', name) or substringof('rg', resourceGroup)"
        ));
        assert!(!keeps(
            "substringof('demo', name) and resourceType eq 'Microsoft.Web/sites'"
        ));
        assert!(keeps("location eq 'West Europe'"));
        assert!(keeps("name eq 'demo-net' and resourceGroup eq 'demo-rg'"));
        assert!(keeps("tagName eq 'dept' and tagValue eq 'Finance'"));
        assert!(!keeps("tagName eq 'dept' and tagValue eq 'finance'"));
        assert!(keeps("startswith(tagName, 'de')"));
        assert!(
            parse("tagName eq 'a' and tagValue eq 'b'")
                .expect("tag")
                .hides_tags()
        );
        assert!(!matches!(parse("tagName eq 'a'"), Ok(Filter::Resource(_))));
        for bad in [
            "tagName eq 'a' and resourceType eq 'x'",
            "tagValue eq 'b'",
            "startswith(resourceType, 'Microsoft.Storage')",
            "kind eq 'x'",
            "$filter=resourceType eq 'x'",
            "name eq 'unterminated",
            "name eq 'a' extra",
        ] {
            let err = parse(bad).expect_err(bad);
            assert_eq!(
                (err.status, err.code.as_str()),
                (400, "InvalidFilterInQueryString")
            );
            assert_eq!(
                err.message,
                format!("Invalid $filter '{bad}' specified in the query string.")
            );
        }
    }
}
