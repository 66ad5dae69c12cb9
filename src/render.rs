//! Turning diagnostics into text for people (miette's graphical report) or JSON for tools.

use miette::{GraphicalReportHandler, GraphicalTheme, Severity};
use serde_json::json;

use crate::diag::{Diagnostics, SpecDiagnostic};
use crate::source::SourceMap;

/// Renders every diagnostic. `color` follows the terminal; snapshots pass false and a width.
pub fn human(diagnostics: &Diagnostics, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_context_lines(1)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics.iter() {
        if handler.render_report(&mut out, diagnostic).is_err() {
            out.push_str(&diagnostic.message);
        }
        out.push('\n');
    }
    out
}

/// One line per problem, for logs: `file:line:col: error[code]: message`.
pub fn summary_line(diagnostics: &Diagnostics) -> String {
    let errors = diagnostics.error_count();
    let warnings = diagnostics.warning_count();
    let acknowledged = diagnostics.acknowledged_iter().count();
    let mut line = format!(
        "{errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    );
    // Acknowledged warnings are not printed, but a reader should know they exist.
    if acknowledged > 0 {
        line.push_str(&format!(", {acknowledged} acknowledged"));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn severity(d: &SpecDiagnostic) -> &'static str {
    match d.code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "advice",
    }
}

/// Machine-readable diagnostics (stable field names; `version` bumps on breaking changes).
pub fn json(diagnostics: &Diagnostics, sources: &SourceMap) -> serde_json::Value {
    let item = |d: &SpecDiagnostic| {
        let place = d.primary.as_ref().map(|(span, label)| {
            let file = sources.file(span.file);
            let (line, column) = file.line_col(span.start);
            json!({"file": file.name, "line": line, "column": column, "label": label})
        });
        json!({
            "code": d.code.as_str(),
            "severity": severity(d),
            "message": d.message,
            "location": place,
            "help": d.help,
        })
    };
    let items: Vec<_> = diagnostics.iter().map(item).collect();
    let acknowledged: Vec<_> = diagnostics
        .acknowledged_iter()
        .map(|a| {
            let mut value = item(&a.warning);
            value["reason"] = json!(a.reason);
            value
        })
        .collect();
    json!({
        "version": 1,
        "errors": diagnostics.error_count(),
        "warnings": diagnostics.warning_count(),
        "diagnostics": items,
        "acknowledged": acknowledged,
    })
}
