//! `azplan apply` and `azplan destroy`: show the plan, get consent, run the executor, report.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use clap::Args;

use super::{
    EXIT_ERRORS, EXIT_OK, StackArgs, TargetArgs, color_on_stdout, print, print_error, report,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

use crate::apply::progress::{Mode, Progress};
use crate::apply::{self, ApplyOptions};
use crate::arm::lock::{self, Lock, LockPlace};
use crate::check;
use crate::connect::Connection;
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

/// What the signal handler needs to know about the run: its lock, and whether writes started.
struct Run {
    lock: std::sync::Mutex<Option<Lock>>,
    /// The lock is being taken (a signal then waits for it, to release it).
    acquiring: AtomicBool,
    executing: AtomicBool,
}

impl Run {
    fn take_lock(&self) -> Option<Lock> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// Ctrl-C and SIGTERM (what CI sends on cancel). Before anything is written, the run ends at
/// once and releases its lock. While applying, nothing new starts and what runs in Azure is
/// reported (the lock is released when the executor returns). A second signal exits at once.
/// Ctrl-C and SIGTERM (what CI sends on cancel), registered at once when created, so a signal
/// that comes while the lock is being taken is never the default kill.
struct Interrupts {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Interrupts {
    /// Must run inside the runtime (`runtime.enter()`).
    fn install() -> Interrupts {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                _ => None,
            };
            Interrupts { streams }
        }
        #[cfg(not(unix))]
        {
            Interrupts {}
        }
    }

    /// The next signal; `false` when none can come.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        if let Some((int, term)) = self.streams.as_mut() {
            return tokio::select! {
                got = int.recv() => got.is_some(),
                got = term.recv() => got.is_some(),
            };
        }
        tokio::signal::ctrl_c().await.is_ok()
    }
}

async fn stop_on_signals(mut signals: Interrupts, stop: Arc<watch::Sender<bool>>, run: Arc<Run>) {
    let mut received = 0;
    while signals.next().await {
        received += 1;
        if received > 1 {
            eprintln!(
                "\nSecond interrupt: exiting now. Operations already sent go on in Azure; run `azplan plan` to see where things are."
            );
            std::process::exit(130);
        }
        let _ = stop.send(true);
        if run.acquiring.load(Ordering::SeqCst) {
            // The lock is being taken: the run releases it as soon as it holds it.
            eprintln!("\nInterrupted while taking the lock; releasing it once taken.");
            continue;
        }
        if !run.executing.load(Ordering::SeqCst) {
            // No lock left to take means the run is releasing it right now: let it finish.
            if let Some(lock) = run.take_lock() {
                let _ = lock.release().await;
                eprintln!("\nInterrupted before anything was written; the lock is released.");
                std::process::exit(130);
            }
        }
    }
}

/// How long a holder may miss heartbeats before its lock counts as abandoned
/// (`AZPLAN_LOCK_EXPIRY_SECONDS`, default 120; at least 4 s).
fn lock_expiry() -> Duration {
    std::env::var("AZPLAN_LOCK_EXPIRY_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.max(4)))
        .unwrap_or(lock::DEFAULT_EXPIRY)
}

/// Runs the plan and maps the outcome to an exit code.
fn execute(
    connection: &Connection,
    plan: &Plan,
    safety: &Safety,
    verb: &'static str,
    stop: watch::Receiver<bool>,
) -> u8 {
    let options = ApplyOptions {
        parallelism: safety.parallelism.max(1),
        poll_interval: Duration::from_secs_f64(safety.poll_interval.clamp(0.01, 600.0)),
        ..ApplyOptions::default()
    };
    let mut progress = Progress::new(progress_mode(), Box::new(std::io::stdout())).with_verb(verb);
    let client = connection.client.clone();
    let report =
        connection
            .runtime
            .block_on(apply::apply(client, plan, &options, &mut progress, stop));
    if report.failed() {
        EXIT_ERRORS
    } else {
        EXIT_OK
    }
}

/// A plan file, if `path` is one (JSON with the plan's format version); `None` for a stack.
fn load_saved(path: &std::path::Path) -> Option<Result<Plan, String>> {
    if !path.is_file() {
        return None;
    }
    let text = crate::source::read_text(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value.get("format_version")?;
    Some(
        serde_json::from_value::<Plan>(value)
            .map_err(|e| format!("`{}` is not an azplan plan: {e}", path.display()))
            .and_then(|plan| {
                if plan.format_version == plan::FORMAT_VERSION {
                    Ok(plan)
                } else {
                    Err(format!(
                        "`{}` is a plan of format {}, this azplan reads format {}",
                        path.display(),
                        plan.format_version,
                        plan::FORMAT_VERSION
                    ))
                }
            }),
    )
}

pub(crate) fn apply_command(args: &ApplyArgs) -> u8 {
    match load_saved(&args.stack.stack) {
        Some(Ok(saved)) => return apply_saved(args, &saved),
        Some(Err(message)) => {
            eprintln!("error: {message}");
            return EXIT_ERRORS;
        }
        None => {}
    }
    let options = PlanOptions {
        adopt: args.adopt,
        ..Default::default()
    };
    plan_and_run(
        &args.stack,
        &args.target,
        &args.safety,
        "apply",
        |stack, graph, live| plan::plan(stack, graph, live, options),
    )
}

/// Checks the stack, then plans and runs it (`run_planned`).
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
    run_planned(stack, graph, target, safety, verb, |s, g, l| {
        Ok(make(s, g, l))
    })
}

/// A plan, or why the plan may not run at all.
type Planned = Result<(Plan, Vec<plan::PlanError>), String>;

/// Reads live state, makes a plan with `make`, shows it, gets consent and runs it.
fn run_planned(
    stack: &crate::model::Stack,
    graph: &crate::graph::Graph,
    target: &TargetArgs,
    safety: &Safety,
    verb: &'static str,
    make: impl FnOnce(&crate::model::Stack, &crate::graph::Graph, &crate::live::LiveState) -> Planned,
) -> u8 {
    let connection = match super::open(target) {
        Ok(c) => c,
        Err(e) => {
            print_error(&e);
            return EXIT_ERRORS;
        }
    };
    // One run at a time: the lock is taken before live state is read, so the plan and what
    // it writes are one unit.
    let place = LockPlace {
        subscription: stack.subscription.clone(),
        location: stack.location.clone(),
        stack: stack.name.clone(),
    };
    let (stop_tx, stop) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let run = Arc::new(Run {
        lock: std::sync::Mutex::new(None),
        acquiring: AtomicBool::new(true),
        executing: AtomicBool::new(false),
    });
    let signals = {
        let _inside = connection.runtime.enter();
        Interrupts::install()
    };
    connection
        .runtime
        .spawn(stop_on_signals(signals, stop_tx.clone(), run.clone()));
    let locked = connection.runtime.block_on(lock::acquire(
        connection.client.clone(),
        &place,
        verb,
        lock_expiry(),
    ));
    let held = match locked {
        Ok(held) => held,
        Err(e) => {
            print_error(&e);
            connection.close();
            return EXIT_ERRORS;
        }
    };
    if let Some(previous) = &held.took_over {
        eprintln!(
            "Took over the expired lock of stack `{}` (held by {}).",
            stack.name,
            previous.describe()
        );
    }
    let mut lost = held.lost.clone();
    *run.lock.lock().unwrap_or_else(|e| e.into_inner()) = Some(held);
    run.acquiring.store(false, Ordering::SeqCst);
    if *stop.borrow() {
        // Interrupted while the lock was being taken: give it back, write nothing.
        if let Some(held) = run.take_lock() {
            let _ = connection.runtime.block_on(held.release());
        }
        eprintln!("Interrupted before anything was written; the lock is released.");
        connection.close();
        return 130;
    }
    let on_loss = stop_tx.clone();
    connection.runtime.spawn(async move {
        if lost.wait_for(|l| *l).await.is_ok() {
            eprintln!("\nThe run lock was taken over by another run: starting nothing new.");
            let _ = on_loss.send(true);
        }
    });
    let mut code = (|| {
        let going = if verb == "destroy" {
            crate::arm::read::Going::Everything
        } else {
            crate::arm::read::Going::Undeclared
        };
        let live = match super::read_for(&connection, stack, going, Some(graph)) {
            Ok(live) => live,
            Err(errors) => {
                errors.iter().for_each(|e| print_error(e));
                return EXIT_ERRORS;
            }
        };
        let (plan, errors) = match make(stack, graph, &live) {
            Ok(planned) => planned,
            Err(message) => {
                eprintln!("error: {message}");
                return EXIT_ERRORS;
            }
        };
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
        let missing = apply::missing_secrets(&plan);
        if !missing.is_empty() {
            eprintln!(
                "error: secrets needed before anything is written:\n  {}\n  help: export the variables (azplan reads them at apply time and never stores them)",
                missing.join("\n  ")
            );
            return EXIT_ERRORS;
        }
        if let Err(message) = consent(&plan, safety, verb) {
            eprintln!("error: {message}");
            return EXIT_ERRORS;
        }
        run.executing.store(true, Ordering::SeqCst);
        if *stop.borrow() {
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
            stop.clone(),
        )
    })();
    if let Some(held) = run.take_lock() {
        match connection.runtime.block_on(held.release()) {
            Ok(()) => {}
            Err(e) => {
                print_error(&e);
                code = EXIT_ERRORS;
            }
        }
    }
    connection.close();
    code
}

/// Applies a saved plan, after planning its own stack again against fresh reads: the file is
/// applied only if that plan is exactly the file's (same actions, bodies and, for everything
/// written, the same live state). Nothing in the file is trusted on its own.
fn apply_saved(args: &ApplyArgs, file: &Plan) -> u8 {
    let Some(saved) = &file.saved else {
        eprintln!(
            "error: this plan file does not carry the stack it was planned from, so it cannot be checked\n  help: make it again with `azplan plan STACK --out FILE`"
        );
        return EXIT_ERRORS;
    };
    if args.stack.environment.is_some()
        || !args.stack.values.is_empty()
        || !args.stack.vars.is_empty()
        || args.adopt
    {
        eprintln!(
            "error: --env, --values, --var and --adopt cannot be used with a saved plan: it carries the ones it was planned with"
        );
        return EXIT_ERRORS;
    }
    let checked = check::check_inputs(&saved.inputs);
    if report(&checked) {
        eprintln!("error: the stack saved in the plan file is not valid");
        return EXIT_ERRORS;
    }
    let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
        return EXIT_ERRORS;
    };
    let options = PlanOptions {
        adopt: saved.adopt,
        ..Default::default()
    };
    let made_from_file = |stack: &crate::model::Stack,
                          graph: &crate::graph::Graph,
                          live: &crate::live::LiveState| {
        let (mut fresh, errors) = plan::plan(stack, graph, live, options);
        if errors.is_empty() {
            let moved = plan::saved::differences(file, &fresh);
            if !moved.is_empty() {
                return Err(format!(
                    "the saved plan is stale: it is not what azplan plans now for the stack it carries (Azure changed since it was made, or the file was edited): {}\n  help: run `azplan plan --out` again and review the new plan",
                    moved.join(", ")
                ));
            }
        }
        fresh.saved = None;
        Ok((fresh, errors))
    };
    run_planned(
        stack,
        graph,
        &args.target,
        &args.safety,
        "apply",
        made_from_file,
    )
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

#[derive(Debug, Args)]
pub(crate) struct UnlockArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Breaks a stack's run lock, naming who held it.
pub(crate) fn unlock_command(args: &UnlockArgs) -> u8 {
    let checked = check::check(&args.stack.stack, &args.stack.options());
    if report(&checked) {
        return EXIT_ERRORS;
    }
    let Some(stack) = &checked.stack else {
        return EXIT_ERRORS;
    };
    let connection = match super::open(&args.target) {
        Ok(c) => c,
        Err(e) => {
            print_error(&e);
            return EXIT_ERRORS;
        }
    };
    let place = LockPlace {
        subscription: stack.subscription.clone(),
        location: stack.location.clone(),
        stack: stack.name.clone(),
    };
    let broken = connection
        .runtime
        .block_on(lock::break_lock(&connection.client, &place));
    connection.close();
    match broken {
        Ok(Some(holder)) => {
            eprintln!(
                "Broke the lock of stack `{}`, held by {holder}.",
                stack.name
            );
            EXIT_OK
        }
        Ok(None) => {
            eprintln!("Stack `{}` is not locked.", stack.name);
            EXIT_OK
        }
        Err(e) => {
            print_error(&e);
            EXIT_ERRORS
        }
    }
}
