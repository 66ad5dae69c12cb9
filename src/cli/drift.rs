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
    let mut stacks = Vec::new();
    for path in &args.stacks {
        let checked = crate::check::check(path, &options);
        let failed = |error: String| StackDrift {
            stack: path.display().to_string(),
            subscription: String::new(),
            environment: args.environment.clone(),
            error: Some(error),
            findings: Vec::new(),
        };
        if report(&checked) {
            stacks.push(failed("the spec has errors (listed above)".into()));
            continue;
        }
        let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
            stacks.push(failed("the spec has errors (listed above)".into()));
            continue;
        };
        let read;
        let live = match (&file_live, &connection) {
            (Some(live), _) => live,
            (None, Some(connection)) => match super::read(connection, stack) {
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
            (None, None) => unreachable!("a connection is opened whenever no file is given"),
        };
        let (plan, errors) =
            crate::plan::plan(stack, graph, live, crate::plan::PlanOptions::default());
        stacks.push(drift::classify(stack, &plan, &errors, live));
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
