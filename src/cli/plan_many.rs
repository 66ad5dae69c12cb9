//! `azplan plan STACK STACK...`: one plan per stack, all read through one connection and one
//! reader, so a platform of many stacks spends one read budget, one Resource Graph query and one
//! set of subscription LISTs instead of one of each per stack.

use super::{
    EXIT_CHANGES, EXIT_ERRORS, EXIT_OK, PlanArgs, PlanFormat, color_on_stdout, print, print_error,
    report,
};
use crate::check::{self, Checked};

pub(super) fn plan_many(plan_args: &PlanArgs) -> u8 {
    if plan_args.out.is_some() {
        eprintln!(
            "error: --out saves the plan of one stack; plan the stacks one by one to save them"
        );
        return EXIT_ERRORS;
    }
    let options = plan_args.stack.options();
    let paths: Vec<&std::path::PathBuf> = std::iter::once(&plan_args.stack.stack)
        .chain(&plan_args.more)
        .collect();
    // Every spec first, so that one query answers for all the stacks.
    let checked: Vec<(&std::path::PathBuf, Checked)> = paths
        .iter()
        .map(|path| (*path, check::check(path, &options)))
        .collect();
    let file_live = match &plan_args.live {
        Some(file) => match crate::live::LiveState::from_file(file) {
            Ok(live) => Some(live),
            Err(e) => {
                print_error(&e);
                return EXIT_ERRORS;
            }
        },
        None => None,
    };
    let connection = match &file_live {
        Some(_) => None,
        None => match super::open(&plan_args.target) {
            Ok(c) => Some(c),
            Err(e) => {
                print_error(&e);
                return EXIT_ERRORS;
            }
        },
    };
    let reader = connection.as_ref().map(|c| c.reader());
    if let (Some(connection), Some(reader)) = (&connection, &reader) {
        let valid: Vec<&crate::model::Stack> = checked
            .iter()
            .filter_map(|(_, c)| c.stack.as_ref().filter(|_| c.graph.is_some()))
            .collect();
        connection.prefetch(reader, &valid);
    }
    let mut failed = false;
    let mut changes = false;
    let mut texts = Vec::new();
    for (path, checked) in &checked {
        if report(checked) {
            eprintln!(
                "{} is not valid: {}",
                path.display(),
                crate::render::summary_line(&checked.diagnostics)
            );
            failed = true;
            continue;
        }
        let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
            failed = true;
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
                    errors.iter().for_each(|e| print_error(e));
                    eprintln!("{}: Azure could not be read (errors above)", path.display());
                    failed = true;
                    continue;
                }
            },
            _ => unreachable!("a connection is opened whenever no file is given"),
        };
        let plan_options = crate::plan::PlanOptions {
            adopt: plan_args.adopt,
            ..Default::default()
        };
        let (plan, errors) = crate::plan::plan(stack, graph, live, plan_options);
        if !errors.is_empty() {
            errors.iter().for_each(|e| print_error(e));
            eprintln!("{}: no plan (errors above)", path.display());
            failed = true;
            continue;
        }
        changes |= plan.summary.has_changes();
        texts.push((path.display().to_string(), plan));
    }
    if let Some(connection) = connection {
        connection.close();
    }
    let text = match plan_args.format {
        PlanFormat::Human => texts
            .iter()
            .map(|(path, plan)| {
                format!(
                    "=== {path} ===\n{}",
                    crate::plan::render::human(
                        plan,
                        crate::plan::render::Style {
                            color: color_on_stdout(),
                        },
                    )
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        // An array of plans, each as `azplan schema --plan` describes one.
        PlanFormat::Json => {
            let plans: Vec<serde_json::Value> = texts
                .iter()
                .map(|(_, plan)| {
                    serde_json::from_str(&crate::plan::render::json(plan))
                        .unwrap_or(serde_json::Value::Null)
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&plans).unwrap_or_default()
            )
        }
        PlanFormat::Markdown => texts
            .iter()
            .map(|(_, plan)| crate::plan::render::markdown(plan))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    if print(&text).is_err() || failed {
        return EXIT_ERRORS;
    }
    if plan_args.detailed_exitcode && changes {
        EXIT_CHANGES
    } else {
        EXIT_OK
    }
}
