//! `azplan drift`: one report over many stacks, read with one connection (one ARM read
//! budget), exit 2 when anything drifted.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{EXIT_CHANGES, EXIT_ERRORS, EXIT_OK, TargetArgs, print, report};
use crate::drift::{self, Report, Show, StackDrift};
use crate::load::LoadOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DriftFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct DriftArgs {
    /// Stack directories or files: one report for all of them.
    #[arg(required = true, value_name = "STACK")]
    stacks: Vec<PathBuf>,
    /// Environment declared under `environments:` (every stack).
    #[arg(long = "env", value_name = "NAME")]
    environment: Option<String>,
    /// YAML file of variable values (repeatable; every stack).
    #[arg(long = "values", value_name = "FILE")]
    values: Vec<PathBuf>,
    /// Set one variable (repeatable; every stack).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// JSON or YAML file of live ARM resources to compare with (offline).
    #[arg(long, value_name = "FILE", conflicts_with = "endpoint")]
    live: Option<PathBuf>,
    #[command(flatten)]
    target: TargetArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DriftFormat::Human)]
    format: DriftFormat,
    /// Leave Azure's housekeeping (autoscaled counts, patch versions AKS chose) out of the report.
    #[arg(long)]
    hide_housekeeping: bool,
}

pub(crate) fn drift_command(args: &DriftArgs) -> u8 {
    let options = LoadOptions {
        environment: args.environment.clone(),
        values_files: args.values.clone(),
        vars: args.vars.clone(),
    };
    let file_live = match &args.live {
        Some(file) => match crate::live::LiveState::from_file(file) {
            Ok(live) => Some(live),
            Err(e) => {
                super::print_error(&e);
                return EXIT_ERRORS;
            }
        },
        None => None,
    };
    // One connection for every stack: they share its read budget.
    let connection = match &file_live {
        Some(_) => None,
        None => match super::open(&args.target) {
            Ok(c) => Some(c),
            Err(e) => {
                super::print_error(&e);
                return EXIT_ERRORS;
            }
        },
    };
    // Every spec first, so that one Resource Graph query (or one set of subscription LISTs)
    // answers for all the stacks that read that way.
    let checked: Vec<(&PathBuf, crate::check::Checked)> = args
        .stacks
        .iter()
        .map(|path| (path, crate::check::check(path, &options)))
        .collect();
    let reader = connection.as_ref().map(|c| c.reader());
    if let (Some(connection), Some(reader)) = (&connection, &reader) {
        let valid: Vec<&crate::model::Stack> = checked
            .iter()
            .filter_map(|(_, c)| c.stack.as_ref().filter(|_| c.graph.is_some()))
            .collect();
        connection.prefetch(reader, &valid);
    }
    let mut stacks = Vec::new();
    for (path, checked) in &checked {
        let failed = |error: String| StackDrift {
            stack: path.display().to_string(),
            subscription: String::new(),
            environment: args.environment.clone(),
            error: Some(error),
            findings: Vec::new(),
        };
        if report(checked) {
            stacks.push(failed("the spec has errors (listed above)".into()));
            continue;
        }
        let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
            stacks.push(failed("the spec has errors (listed above)".into()));
            continue;
        };
        let read;
        let live = match (&file_live, &connection, &reader) {
            (Some(live), _, _) => live,
            (None, Some(connection), Some(reader)) => match super::read_with(
                connection,
                reader,
                stack,
                crate::arm::read::Going::Undeclared,
                Some(graph),
            ) {
                Ok(l) => {
                    read = l;
                    &read
                }
                Err(errors) => {
                    errors.iter().for_each(|e| super::print_error(e));
                    stacks.push(failed("Azure could not be read (errors above)".into()));
                    continue;
                }
            },
            _ => unreachable!("a connection is opened whenever no file is given"),
        };
        let (plan, errors) =
            crate::plan::plan(stack, graph, live, crate::plan::PlanOptions::default());
        let mut found = drift::classify(stack, &plan, &errors, live);
        if let Some(connection) = &connection {
            who_changed(connection, &mut found);
        }
        stacks.push(found);
    }
    if let Some(connection) = connection {
        connection.close();
    }
    let report = Report {
        format_version: drift::FORMAT_VERSION,
        stacks,
    };
    let show = Show {
        hide_housekeeping: args.hide_housekeeping,
    };
    let text = match args.format {
        DriftFormat::Human => drift::human(&report, show),
        DriftFormat::Json => drift::json(&report),
        DriftFormat::Markdown => drift::markdown(&report, show),
    };
    if print(&text).is_err() {
        return EXIT_ERRORS;
    }
    if report.failed() {
        EXIT_ERRORS
    } else if report.drifted() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    }
}

/// How far back the Activity Log is searched: its retention (Learn "Azure Monitor activity log":
/// "Activity log events are retained in Azure for 90 days").
const ACTIVITY_LOG_DAYS: u64 = 90;
/// At most this many findings per stack are looked up (one Activity Log read each).
const ACTIVITY_LOG_LOOKUPS: usize = 25;

/// Adds who last wrote or deleted each drifted, missing, extra or failed resource and when, from
/// the Activity Log (`Microsoft.Insights/eventtypes/management/values`, 2015-04-01). A log that
/// cannot be read (permissions, a cloud without it) leaves the findings as they are.
fn who_changed(connection: &crate::connect::Connection, stack: &mut StackDrift) {
    use crate::drift::{ChangedBy, Class};
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .saturating_sub(ACTIVITY_LOG_DAYS * 24 * 3600);
    let since = iso8601(since);
    let subscription = format!("/subscriptions/{}", stack.subscription);
    let log = crate::kind::activity_log_type();
    let findings = stack
        .findings
        .iter_mut()
        .filter(|f| {
            matches!(
                f.class,
                Class::Drift | Class::Missing | Class::Extra | Class::Failed
            ) && f.id.starts_with("/subscriptions/")
        })
        .take(ACTIVITY_LOG_LOOKUPS);
    for finding in findings {
        let path = format!(
            "{subscription}/providers/{}?$filter=eventTimestamp ge '{since}' and resourceUri eq '{}'&$select=caller,eventTimestamp,operationName,status",
            log.path, finding.id
        );
        let events = match connection
            .runtime
            .block_on(connection.client.list(&path, log.api_version))
        {
            Ok(events) => events,
            Err(e) => {
                tracing::debug!(error = %e, "the Activity Log could not be read");
                return;
            }
        };
        let text = |v: &serde_json::Value, key: &str| {
            v.get(key)
                .and_then(|x| x.get("value").or(Some(x)))
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        // The last write or delete that went through, newest by its own timestamp.
        let last = events
            .iter()
            .filter(|e| {
                text(e, "status").is_some_and(|s| matches!(s.as_str(), "Succeeded" | "Accepted"))
                    && text(e, "operationName").is_some_and(|o| {
                        let o = o.to_ascii_lowercase();
                        o.ends_with("/write") || o.ends_with("/delete")
                    })
            })
            .max_by_key(|e| text(e, "eventTimestamp").unwrap_or_default());
        if let Some(event) = last {
            finding.changed_by = Some(ChangedBy {
                caller: text(event, "caller").unwrap_or_else(|| "(unknown)".into()),
                when: text(event, "eventTimestamp").unwrap_or_default(),
                operation: text(event, "operationName").unwrap_or_default(),
            });
        }
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (the civil-from-days algorithm of H. Hinnant).
fn iso8601(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_iso_8601() {
        assert_eq!(super::iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso8601(1_798_675_200), "2026-12-31T00:00:00Z");
        assert_eq!(super::iso8601(951_782_400 + 3_661), "2000-02-29T01:01:01Z");
    }
}
