//! `azplan apply` and `azplan destroy`: show the plan, get consent, run the executor, report.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use clap::Args;

use super::{
    EXIT_ERRORS, EXIT_OK, StackArgs, TargetArgs, color_on_stdout, print, print_error, report,
};
use crate::apply::progress::{Mode, Progress};
use crate::apply::{self, ApplyOptions};
use crate::check;
use crate::connect::Connection;
use crate::live::fingerprint;
use crate::plan::{self, Action, Plan, PlanOptions, render};

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// A stack (directory or file) to plan and apply, or a plan saved with `plan --out`.
    #[command(flatten)]
    pub stack: StackArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub safety: Safety,
    /// Take over existing resources that carry no ownership tag.
    #[arg(long)]
    pub adopt: bool,
}

#[derive(Debug, Args)]
pub(crate) struct Safety {
    /// Apply without asking (for CI).
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow deletes and replacements without asking.
    #[arg(long)]
    pub allow_destroy: bool,
    /// Operations in flight at once (ARM's write budget refills at 10 per second).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub parallelism: usize,
    /// Seconds between reads of a resource that is busy with an operation azplan did not start.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub poll_interval: f64,
}

fn destructive(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .map(|c| format!("{} {}", c.action.glyph(), c.address))
        .collect()
}

/// Asks on a terminal; refuses without one unless the flags consent.
fn consent(plan: &Plan, safety: &Safety, verb: &str) -> Result<(), String> {
    let dangerous = destructive(plan);
    let interactive = std::io::stdin().is_terminal();
    if !dangerous.is_empty() && !safety.allow_destroy && !interactive {
        return Err(format!(
            "the plan deletes or replaces {} resource(s): {}\n  help: review the plan, then pass --allow-destroy (or run on a terminal to confirm)",
            dangerous.len(),
            dangerous.join(", ")
        ));
    }
    if safety.auto_approve && (dangerous.is_empty() || safety.allow_destroy) {
        return Ok(());
    }
    if !interactive {
        return Err(format!(
            "refusing to {verb} without confirmation\n  help: pass --auto-approve in CI, or run on a terminal"
        ));
    }
    if !dangerous.is_empty() {
        eprintln!("\nThis will DELETE or REPLACE: {}", dangerous.join(", "));
    }
    eprint!("\nDo you want to {verb} these changes? Only 'yes' will be accepted: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(format!("{verb} cancelled"))
    }
}

fn progress_mode() -> Mode {
    if std::io::stderr().is_terminal() {
        Mode::Bars
    } else {
        Mode::Lines {
            every: Duration::from_secs(10),
        }
    }
}

/// Runs the plan and maps the outcome to an exit code.
fn execute(connection: &Connection, plan: &Plan, safety: &Safety, verb: &'static str) -> u8 {
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let options = ApplyOptions {
        parallelism: safety.parallelism.max(1),
        poll_interval: Duration::from_secs_f64(safety.poll_interval.clamp(0.01, 600.0)),
        ..ApplyOptions::default()
    };
    let mut progress = Progress::new(progress_mode(), Box::new(std::io::stdout())).with_verb(verb);
    let client = connection.client.clone();
    let report = connection.runtime.block_on(async {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = stop_tx.send(true);
            }
        });
        apply::apply(client, plan, &options, &mut progress, stop).await
    });
    if report.failed() {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

fn load_saved(path: &std::path::Path) -> Option<Plan> {
    if !path.is_file() {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let plan: Plan = serde_json::from_str(&text).ok()?;
    (plan.format_version == plan::FORMAT_VERSION).then_some(plan)
}

/// Refuses a saved plan whose resources moved since it was made, naming them.
fn stale(connection: &Connection, plan: &Plan) -> Result<Vec<String>, crate::arm::error::ArmError> {
    connection.runtime.block_on(async {
        let mut moved = Vec::new();
        for change in plan.changes.iter().filter(|c| apply::is_operation(c)) {
            let now = connection
                .client
                .get(&change.id, &change.api_version)
                .await?;
            let now = now.as_ref().map(fingerprint);
            if now != change.observed {
                let what = match (&change.observed, &now) {
                    (None, Some(_)) => "now exists",
                    (Some(_), None) => "no longer exists",
                    _ => "changed",
                };
                moved.push(format!("{} ({what})", change.address));
            }
        }
        Ok(moved)
    })
}

pub(crate) fn apply_command(args: &ApplyArgs) -> u8 {
    if let Some(saved) = load_saved(&args.stack.stack) {
        return apply_saved(args, &saved);
    }
    let options = PlanOptions { adopt: args.adopt };
    plan_and_run(
        &args.stack,
        &args.target,
        &args.safety,
        "apply",
        |stack, graph, live| plan::plan(stack, graph, live, options),
    )
}

/// Checks the stack, reads live state, makes a plan with `make`, shows it, gets consent and runs it.
fn plan_and_run(
    stack_args: &StackArgs,
    target: &TargetArgs,
    safety: &Safety,
    verb: &'static str,
    make: impl FnOnce(
        &crate::model::Stack,
        &crate::graph::Graph,
        &crate::live::LiveState,
    ) -> (Plan, Vec<plan::PlanError>),
) -> u8 {
    let checked = check::check(&stack_args.stack, &stack_args.options());
    if report(&checked) {
        return EXIT_ERRORS;
    }
    let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
        return EXIT_ERRORS;
    };
    let connection = match Connection::open(&target.to_target()) {
        Ok(c) => c,
        Err(e) => {
            print_error(&e);
            return EXIT_ERRORS;
        }
    };
    let code = (|| {
        let live = match connection.read(stack) {
            Ok(live) => live,
            Err(errors) => {
                errors.iter().for_each(|e| print_error(e));
                return EXIT_ERRORS;
            }
        };
        let (plan, errors) = make(stack, graph, &live);
        if !errors.is_empty() {
            errors.iter().for_each(|e| print_error(e));
            return EXIT_ERRORS;
        }
        // A plan that could not be shown is not applied.
        if print(&render::human(
            &plan,
            render::Style {
                color: color_on_stdout(),
            },
        ))
        .is_err()
        {
            return EXIT_ERRORS;
        }
        if !plan.summary.has_changes() {
            return EXIT_OK;
        }
        if let Err(message) = consent(&plan, safety, verb) {
            eprintln!("error: {message}");
            return EXIT_ERRORS;
        }
        execute(
            &connection,
            &plan,
            safety,
            if verb == "destroy" {
                "Destroy"
            } else {
                "Apply"
            },
        )
    })();
    connection.close();
    code
}

fn apply_saved(args: &ApplyArgs, plan: &Plan) -> u8 {
    let connection = match Connection::open(&args.target.to_target()) {
        Ok(c) => c,
        Err(e) => {
            print_error(&e);
            return EXIT_ERRORS;
        }
    };
    let code = (|| {
        match stale(&connection, plan) {
            Ok(moved) if !moved.is_empty() => {
                eprintln!(
                    "error: the saved plan is stale: Azure changed since it was made: {}\n  help: run `azplan plan --out` again and review the new plan",
                    moved.join(", ")
                );
                return EXIT_ERRORS;
            }
            Ok(_) => {}
            Err(e) => {
                print_error(&e);
                return EXIT_ERRORS;
            }
        }
        if print(&render::human(
            plan,
            render::Style {
                color: color_on_stdout(),
            },
        ))
        .is_err()
        {
            return EXIT_ERRORS;
        }
        if !plan.summary.has_changes() {
            return EXIT_OK;
        }
        // The saved plan was reviewed: it is what consent is about.
        if let Err(message) = consent(plan, &args.safety, "apply") {
            eprintln!("error: {message}");
            return EXIT_ERRORS;
        }
        execute(&connection, plan, &args.safety, "Apply")
    })();
    connection.close();
    code
}

#[derive(Debug, Args)]
pub(crate) struct DestroyArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub safety: Safety,
}

pub(crate) fn destroy_command(args: &DestroyArgs) -> u8 {
    plan_and_run(
        &args.stack,
        &args.target,
        &args.safety,
        "destroy",
        plan::destroy,
    )
}
