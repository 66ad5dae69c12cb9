//! The KQL subset Azure Resource Graph queries are answered in (see `resource_graph` for the
//! grammar and its sources): a lexer, a recursive-descent parser into a pipeline of operators, the
//! column check KQL makes ("failed to resolve" a column a `project` removed), and the row predicate.
//! Refusals are Resource Graph's invalid-query answer: 400 `BadRequest` with an `InvalidQuery`
//! detail and a `ParserFailure` or `InvalidQueryLanguage` detail naming the position and token, as
//! quoted from the service in Azure/aztfexport#485 and Azure/azure-powershell#13762.

use serde_json::{Map, Value, json};

use crate::emulator::clock;
use crate::emulator::error::ArmError;

/// Every column of a `Resources` row, in the order Resource Graph lists them, with its
/// `ColumnDataType` for the table format.
pub(crate) const COLUMNS: [(&str, &str); 16] = [
    ("id", "string"),
    ("name", "string"),
    ("type", "string"),
    ("tenantId", "string"),
    ("kind", "string"),
    ("location", "string"),
    ("resourceGroup", "string"),
    ("subscriptionId", "string"),
    ("managedBy", "string"),
    ("sku", "object"),
    ("plan", "object"),
    ("properties", "object"),
    ("tags", "object"),
    ("identity", "object"),
    ("zones", "object"),
    ("extendedLocation", "object"),
];

pub(crate) fn support_message() -> String {
    format!(
        "Please provide below info when asking for support: timestamp = {}, correlationId = {}.",
        clock::rfc3339(clock::now_ms()),
        uuid::Uuid::new_v4()
    )
}

/// 400 for a query outside the subset; `detail_code` is `ParserFailure` or `InvalidQueryLanguage`.
fn invalid_query(detail_code: &str, why: &str, position: usize, token: &str) -> ArmError {
    ArmError::bad_request("BadRequest", support_message()).with_details(vec![
        json!({
            "code": "InvalidQuery",
            "message": "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying."
        }),
        json!({
            "code": detail_code,
            "message": format!("{why} (the azplan emulator serves a KQL subset: see its resource_graph module)"),
            "line": 1,
            "characterPositionInLine": position,
            "token": token
        }),
    ])
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Text(String),
    Number(u64),
    Op(&'static str),
    Pipe,
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Comma,
    Dot,
}

impl Tok {
    fn shown(&self) -> String {
        match self {
            Tok::Word(w) => w.clone(),
            Tok::Text(t) => format!("'{t}'"),
            Tok::Number(n) => n.to_string(),
            Tok::Op(o) => (*o).to_string(),
            Tok::Pipe => "|".into(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::OpenBracket => "[".into(),
            Tok::CloseBracket => "]".into(),
            Tok::Comma => ",".into(),
            Tok::Dot => ".".into(),
        }
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ArmError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                // A KQL comment runs to the end of the line.
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '|' => {
                out.push((Tok::Pipe, start));
                i += 1;
            }
            '(' => {
                out.push((Tok::Open, start));
                i += 1;
            }
            ')' => {
                out.push((Tok::Close, start));
                i += 1;
            }
            '[' => {
                out.push((Tok::OpenBracket, start));
                i += 1;
            }
            ']' => {
                out.push((Tok::CloseBracket, start));
                i += 1;
            }
            ',' => {
                out.push((Tok::Comma, start));
                i += 1;
            }
            '.' => {
                out.push((Tok::Dot, start));
                i += 1;
            }
            '\'' | '"' => {
                let quote = c;
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(invalid_query(
                                "ParserFailure",
                                "unterminated string literal",
                                start,
                                &chars[start..].iter().collect::<String>(),
                            ));
                        }
                        Some('\\') if i + 1 < chars.len() => {
                            value.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&ch) if ch == quote => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            value.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push((Tok::Text(value), start));
            }
            _ if rest.starts_with("=~") => {
                out.push((Tok::Op("=~"), start));
                i += 2;
            }
            _ if rest.starts_with("!~") => {
                out.push((Tok::Op("!~"), start));
                i += 2;
            }
            _ if rest.starts_with("==") => {
                out.push((Tok::Op("=="), start));
                i += 2;
            }
            _ if rest.starts_with("!=") => {
                out.push((Tok::Op("!="), start));
                i += 2;
            }
            _ if rest.starts_with("!in~") => {
                out.push((Tok::Op("!in~"), start));
                i += 4;
            }
            _ if rest.starts_with("!in") && !is_word(chars.get(i + 3).copied()) => {
                out.push((Tok::Op("!in"), start));
                i += 3;
            }
            _ if rest.starts_with("!contains") || text_at(&chars, i, "!contains") => {
                out.push((Tok::Op("!contains"), start));
                i += "!contains".len();
            }
            c if c.is_ascii_digit() => {
                let mut n: u64 = 0;
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(u64::from(d));
                    i += 1;
                }
                out.push((Tok::Number(n), start));
            }
            c if is_word(Some(c)) => {
                let mut word = String::new();
                while is_word(chars.get(i).copied()) {
                    word.push(chars[i]);
                    i += 1;
                }
                if word == "in" && chars.get(i) == Some(&'~') {
                    out.push((Tok::Op("in~"), start));
                    i += 1;
                } else {
                    out.push((Tok::Word(word), start));
                }
            }
            other => {
                return Err(invalid_query(
                    "ParserFailure",
                    &format!("unexpected character '{other}'"),
                    start,
                    &other.to_string(),
                ));
            }
        }
    }
    Ok(out)
}

fn text_at(chars: &[char], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    chars.len() >= i + w.len() && chars[i..i + w.len()] == w[..]
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// What a comparison looks at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Column(String),
    Tag(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Compare {
        left: Operand,
        op: &'static str,
        values: Vec<String>,
    },
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Where(Cond),
    Project(Vec<String>),
    Order(Vec<(String, bool)>),
    Limit(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Resources,
    ResourceContainers,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    pub(crate) table: Table,
    pub(crate) ops: Vec<Op>,
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn position(&self) -> usize {
        self.toks.get(self.at).map(|(_, p)| *p).unwrap_or(self.end)
    }

    fn fail(&self, why: &str) -> ArmError {
        let token = self.peek().map(Tok::shown).unwrap_or_default();
        invalid_query("ParserFailure", why, self.position(), &token)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).map(|(t, _)| t.clone());
        self.at += 1;
        t
    }

    fn word(&mut self, what: &str) -> Result<String, ArmError> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.at += 1;
                Ok(w)
            }
            _ => Err(self.fail(&format!("expected {what}"))),
        }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w == word)
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), ArmError> {
        if self.peek() == Some(tok) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.fail(&format!("expected {what}")))
        }
    }

    fn text(&mut self) -> Result<String, ArmError> {
        match self.peek() {
            Some(Tok::Text(t)) => {
                let t = t.clone();
                self.at += 1;
                Ok(t)
            }
            _ => Err(self.fail("expected a string literal")),
        }
    }

    fn query(&mut self) -> Result<Query, ArmError> {
        let mut table = Table::Resources;
        let mut first_without_pipe = true;
        if let Some(Tok::Word(w)) = self.peek() {
            if w.eq_ignore_ascii_case("resources") {
                self.at += 1;
                first_without_pipe = false;
            } else if w.eq_ignore_ascii_case("resourcecontainers") {
                table = Table::ResourceContainers;
                self.at += 1;
                first_without_pipe = false;
            }
        }
        let mut ops = Vec::new();
        loop {
            if self.peek().is_none() {
                break;
            }
            if first_without_pipe {
                first_without_pipe = false;
            } else {
                self.expect(&Tok::Pipe, "'|'")?;
            }
            ops.push(self.operator()?);
        }
        Ok(Query { table, ops })
    }

    fn operator(&mut self) -> Result<Op, ArmError> {
        let position = self.position();
        let name = self.word("a query operator")?;
        match name.as_str() {
            "where" => Ok(Op::Where(self.or()?)),
            "project" => {
                let mut columns = vec![self.word("a column name")?];
                while self.peek() == Some(&Tok::Comma) {
                    self.at += 1;
                    columns.push(self.word("a column name")?);
                }
                Ok(Op::Project(columns))
            }
            "order" | "sort" => {
                if !self.keyword("by") {
                    return Err(self.fail("expected 'by'"));
                }
                self.at += 1;
                let mut keys = Vec::new();
                loop {
                    let column = self.word("a column name")?;
                    // KQL sorts descending unless told otherwise.
                    let mut descending = true;
                    if self.keyword("asc") {
                        descending = false;
                        self.at += 1;
                    } else if self.keyword("desc") {
                        self.at += 1;
                    }
                    keys.push((column, descending));
                    if self.peek() != Some(&Tok::Comma) {
                        break;
                    }
                    self.at += 1;
                }
                Ok(Op::Order(keys))
            }
            "limit" | "take" => match self.next() {
                Some(Tok::Number(n)) => Ok(Op::Limit(usize::try_from(n).unwrap_or(usize::MAX))),
                _ => {
                    self.at -= 1;
                    Err(self.fail("expected a row count"))
                }
            },
            other => Err(invalid_query(
                "InvalidQueryLanguage",
                &format!("the operator '{other}' is not in the emulated subset"),
                position,
                other,
            )),
        }
    }

    fn or(&mut self) -> Result<Cond, ArmError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and()?;
            left = Cond::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Cond, ArmError> {
        let mut left = self.atom()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.atom()?;
            left = Cond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn atom(&mut self) -> Result<Cond, ArmError> {
        if self.peek() == Some(&Tok::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Tok::Close, "')'")?;
            return Ok(inner);
        }
        let position = self.position();
        let column = self.word("a column name")?;
        let left = if column == "tags" {
            match self.peek() {
                Some(Tok::OpenBracket) => {
                    self.at += 1;
                    let key = self.text()?;
                    self.expect(&Tok::CloseBracket, "']'")?;
                    Operand::Tag(key)
                }
                Some(Tok::Dot) => {
                    self.at += 1;
                    Operand::Tag(self.word("a tag name")?)
                }
                _ => Operand::Column(column),
            }
        } else if self.peek() == Some(&Tok::Open) {
            return Err(invalid_query(
                "InvalidQueryLanguage",
                &format!("the function '{column}' is not in the emulated subset"),
                position,
                &column,
            ));
        } else {
            Operand::Column(column)
        };
        let op = match self.next() {
            Some(Tok::Op(op)) => op,
            Some(Tok::Word(w)) if w == "contains" => "contains",
            Some(Tok::Word(w)) => {
                self.at -= 1;
                return Err(invalid_query(
                    "InvalidQueryLanguage",
                    &format!("the operator '{w}' is not in the emulated subset"),
                    self.position(),
                    &w,
                ));
            }
            _ => {
                self.at -= 1;
                return Err(self.fail("expected a comparison operator"));
            }
        };
        let values = if matches!(op, "in~" | "!in~" | "in" | "!in") {
            self.expect(&Tok::Open, "'('")?;
            let mut values = vec![self.text()?];
            while self.peek() == Some(&Tok::Comma) {
                self.at += 1;
                values.push(self.text()?);
            }
            self.expect(&Tok::Close, "')'")?;
            values
        } else {
            vec![self.text()?]
        };
        Ok(Cond::Compare { left, op, values })
    }
}

pub(crate) fn parse(text: &str) -> Result<Query, ArmError> {
    let toks = lex(text)?;
    let mut parser = Parser {
        toks,
        at: 0,
        end: text.chars().count(),
    };
    let query = parser.query()?;
    check_columns(&query)?;
    Ok(query)
}

/// Columns must exist where they are used: KQL refuses a column a `project` removed.
fn check_columns(query: &Query) -> Result<(), ArmError> {
    let mut available: Vec<String> = COLUMNS.iter().map(|(c, _)| (*c).to_string()).collect();
    let unknown = |c: &str| {
        invalid_query(
            "ParserFailure",
            &format!("failed to resolve column '{c}'"),
            0,
            c,
        )
    };
    for op in &query.ops {
        match op {
            Op::Where(cond) => {
                let mut used = Vec::new();
                operands(cond, &mut used);
                for c in used {
                    if !available.iter().any(|a| a == c) {
                        return Err(unknown(c));
                    }
                }
            }
            Op::Project(columns) => {
                for c in columns {
                    if !available.iter().any(|a| a == c) {
                        return Err(unknown(c));
                    }
                }
                available = columns.clone();
            }
            Op::Order(keys) => {
                for (c, _) in keys {
                    if !available.iter().any(|a| a == c) {
                        return Err(unknown(c));
                    }
                }
            }
            Op::Limit(_) => {}
        }
    }
    Ok(())
}

/// The columns a condition reads (`tags` for a tag).
pub(crate) fn columns_of(cond: &Cond) -> Vec<&str> {
    let mut out = Vec::new();
    operands(cond, &mut out);
    out
}

fn operands<'a>(cond: &'a Cond, out: &mut Vec<&'a str>) {
    match cond {
        Cond::Compare { left, .. } => out.push(match left {
            Operand::Column(c) => c.as_str(),
            Operand::Tag(_) => "tags",
        }),
        Cond::And(a, b) | Cond::Or(a, b) => {
            operands(a, out);
            operands(b, out);
        }
    }
}

/// A cell as text for comparisons: strings as they are, `null` as empty, anything else as JSON.
pub(crate) fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

pub(crate) fn keeps(cond: &Cond, row: &Map<String, Value>) -> bool {
    match cond {
        Cond::And(a, b) => keeps(a, row) && keeps(b, row),
        Cond::Or(a, b) => keeps(a, row) || keeps(b, row),
        Cond::Compare { left, op, values } => {
            let cell = match left {
                Operand::Column(c) => cell_text(row.get(c)),
                Operand::Tag(key) => cell_text(row.get("tags").and_then(|t| t.get(key))),
            };
            let lower = cell.to_lowercase();
            let any_ci = || values.iter().any(|v| v.to_lowercase() == lower);
            let any_cs = || values.contains(&cell);
            let contains = || lower.contains(&values[0].to_lowercase());
            match *op {
                "=~" | "in~" => any_ci(),
                "!~" | "!in~" => !any_ci(),
                "==" | "in" => any_cs(),
                "!=" | "!in" => !any_cs(),
                "contains" => contains(),
                "!contains" => !contains(),
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Cond, Op, Operand, Table, parse};

    #[test]
    fn parses_the_subset() {
        let q = parse("Resources | where type =~ 'Microsoft.Network/virtualNetworks' and (resourceGroup in~ ('a', \"B\") or tags['env'] =~ 'prod') | project id, name | order by name asc | limit 5")
            .expect("valid");
        assert_eq!(q.table, Table::Resources);
        assert_eq!(q.ops.len(), 4);
        let Op::Where(Cond::And(left, right)) = &q.ops[0] else {
            panic!("and expected: {:?}", q.ops[0]);
        };
        assert!(matches!(**left, Cond::Compare { op: "=~", .. }));
        let Cond::Or(_, tag) = &**right else {
            panic!("or expected")
        };
        assert!(matches!(&**tag, Cond::Compare { left: Operand::Tag(k), .. } if k == "env"));
        assert_eq!(q.ops[2], Op::Order(vec![("name".into(), false)]));
        assert_eq!(q.ops[3], Op::Limit(5));
        let implicit = parse("where tags.team =~ 'x'").expect("a query may start with where");
        assert_eq!(implicit.table, Table::Resources);
        assert_eq!(
            parse("resourcecontainers").expect("valid").table,
            Table::ResourceContainers
        );
    }

    #[test]
    fn refuses_what_is_outside_the_subset() {
        for bad in [
            "Resources | summarize count() by location",
            "Resources | where name startswith 'a'",
            "Resources | where isnotnull(name)",
            "Resources | where type =~ 'x",
            "Resources | project name | where type =~ 'x'",
            "Resources | project nosuchcolumn",
            "Resources | where type =~ 'a' and",
            "Resources | limit",
        ] {
            let err = parse(bad).expect_err(bad);
            assert_eq!(err.status, 400, "{bad}");
            assert_eq!(err.details[0]["code"], "InvalidQuery", "{bad}");
        }
    }
}
