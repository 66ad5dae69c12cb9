//! Warnings acknowledged per resource, with a reason, so CI output shows only what is new:
//! `acknowledge: [{warning: public-api-server, reason: "behind the corporate proxy"}]` on a
//! resource keeps that warning of that resource out of the printed diagnostics (it is counted,
//! and listed in JSON with its reason). An acknowledgement without a reason, or of a warning
//! that does not occur there, is itself a warning: a stale acknowledgement must not hide the
//! next real one silently.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;
use crate::diag::{Code, Diagnostics, SpecDiagnostic, did_you_mean};
use crate::source::Span;

/// One acknowledgement as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAcknowledgement {
    /// The warning's code, e.g. `azplan::warn::public-api-server`, or its last part,
    /// `public-api-server`.
    pub warning: Spanned<String>,
    /// Why the warning is accepted here. Required: an acknowledgement without one is reported.
    pub reason: Option<Spanned<String>>,
}

/// An acknowledgement with the resource it belongs to.
#[derive(Debug, Clone)]
pub struct Acknowledgement {
    /// The resource's entry, key to last setting: its warnings point inside.
    pub region: Span,
    /// Where the acknowledgement is written.
    pub at: Span,
    pub raw: RawAcknowledgement,
}

/// A warning that was acknowledged, and why.
#[derive(Debug, Clone)]
pub struct Acknowledged {
    pub warning: SpecDiagnostic,
    pub reason: String,
}

/// Takes the acknowledged warnings out of `diagnostics`, and reports acknowledgements that
/// have no reason or match nothing.
pub fn apply(diagnostics: &mut Diagnostics, acknowledgements: &[Acknowledgement]) {
    let mut used = vec![false; acknowledgements.len()];
    let mut taken = Vec::new();
    diagnostics.retain(|d| {
        if d.is_error() {
            return true;
        }
        let Some((span, _)) = &d.primary else {
            return true;
        };
        let found = acknowledgements
            .iter()
            .position(|a| names(&a.raw.warning.value, d.code) && inside(*span, a.region));
        match found {
            Some(i) => {
                used[i] = true;
                let reason = acknowledgements[i]
                    .raw
                    .reason
                    .as_ref()
                    .map(|r| r.value.trim().to_string())
                    .unwrap_or_default();
                taken.push(Acknowledged {
                    warning: d.clone(),
                    reason,
                });
                false
            }
            None => true,
        }
    });
    for acknowledged in taken {
        diagnostics.acknowledged(acknowledged);
    }
    for (a, used) in acknowledgements.iter().zip(used) {
        let warning = &a.raw.warning;
        let reason = a.raw.reason.as_ref().filter(|r| !r.value.trim().is_empty());
        if reason.is_none() {
            let span = a.raw.reason.as_ref().map_or(a.at, |r| r.span);
            diagnostics.push(SpecDiagnostic::error_at(
                Code::AcknowledgementWithoutReason,
                format!("`{}` is acknowledged without a reason", warning.value),
                span,
                "no reason",
                "say why the warning is accepted here, e.g. `reason: \"the API server is reached through the corporate proxy\"`",
            ));
        }
        if !used {
            diagnostics.push(unused(warning));
        }
    }
}

/// Whether an acknowledgement's `warning:` names this code.
fn names(written: &str, code: Code) -> bool {
    let written = written.trim();
    let full = code.as_str();
    written == full || full.rsplit("::").next() == Some(written)
}

fn inside(span: Span, region: Span) -> bool {
    span.file == region.file && span.start >= region.start && span.start < region.end
}

fn unused(warning: &Spanned<String>) -> SpecDiagnostic {
    let known = Code::ALL
        .iter()
        .filter(|c| !c.is_error())
        .map(|c| c.as_str());
    let short = Code::ALL
        .iter()
        .filter(|c| !c.is_error())
        .filter_map(|c| c.as_str().rsplit("::").next());
    let is_warning = known
        .clone()
        .chain(short.clone())
        .any(|c| c == warning.value.trim());
    let help = if is_warning {
        "this resource no longer draws it: remove the acknowledgement".to_string()
    } else {
        match did_you_mean(&warning.value, known.chain(short)) {
            Some(best) => format!("not a warning's code; did you mean `{best}`?"),
            None => "not a warning's code: acknowledge a warning by the code it is printed with, e.g. `azplan::warn::public-api-server`".to_string(),
        }
    };
    SpecDiagnostic::error_at(
        Code::UnusedAcknowledgement,
        format!(
            "`{}` is acknowledged, but no such warning occurs here",
            warning.value
        ),
        warning.span,
        "acknowledged here",
        help,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn span(start: usize, end: usize) -> Span {
        Span::new(FileId(0), start, end)
    }

    fn acknowledgement(warning: &str, reason: Option<&str>, region: Span) -> Acknowledgement {
        Acknowledgement {
            region,
            at: span(region.start as usize, region.start as usize + 1),
            raw: RawAcknowledgement {
                warning: Spanned::new(
                    span(region.start as usize, region.start as usize + 1),
                    warning.into(),
                ),
                reason: reason.map(|r| Spanned::new(span(0, 1), r.to_string())),
            },
        }
    }

    fn warning(code: Code, at: usize) -> SpecDiagnostic {
        SpecDiagnostic::error_at(code, "w", span(at, at + 1), "here", "help")
    }

    #[test]
    fn a_warning_inside_the_resource_is_taken_out_with_its_reason() {
        let mut d = Diagnostics::default();
        d.push(warning(Code::PublicApiServer, 15));
        d.push(warning(Code::PublicApiServer, 55)); // another resource's
        d.push(warning(Code::Kubenet, 16));
        let acks = [
            acknowledgement("public-api-server", Some("behind a proxy"), span(10, 50)),
            acknowledgement(
                "azplan::warn::kubenet",
                Some("legacy cluster"),
                span(10, 50),
            ),
        ];
        apply(&mut d, &acks);
        let left: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.primary.as_ref().unwrap().0.start))
            .collect();
        assert_eq!(left, [(Code::PublicApiServer, 55)]);
        let reasons: Vec<_> = d.acknowledged_iter().map(|a| a.reason.as_str()).collect();
        assert_eq!(reasons, ["behind a proxy", "legacy cluster"]);
        assert_eq!(d.warning_count(), 1);
    }

    #[test]
    fn acknowledgements_without_a_reason_or_a_warning_are_reported() {
        let mut d = Diagnostics::default();
        d.push(warning(Code::PublicApiServer, 15));
        let acks = [
            acknowledgement("public-api-server", None, span(10, 50)),
            acknowledgement("kubenet", Some("old"), span(10, 50)),
            acknowledgement("public-api-sever", Some("typo"), span(10, 50)),
        ];
        apply(&mut d, &acks);
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::AcknowledgementWithoutReason,
                Code::UnusedAcknowledgement,
                Code::UnusedAcknowledgement
            ]
        );
        let helps: Vec<_> = d.iter().filter_map(|d| d.help.clone()).collect();
        assert!(
            helps[2].contains("did you mean `public-api-server`?"),
            "{helps:?}"
        );
        assert!(!d.has_errors(), "all of them are warnings");
    }
}
