//! Command-line surface: parses arguments, runs a pipeline stage, prints, and maps the outcome
//! to an exit code. All printing happens here; the stages return values.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::check::{self, Checked};
use crate::graph;
use crate::load::LoadOptions;
use crate::render;
use crate::schema;

mod apply;
mod drift;
mod import;
mod plan_many;
mod render_cmd;

/// Exit codes, as documented in README.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_CHANGES: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "azplan",
    version,
    about = "Plan and apply Azure Kubernetes platforms from YAML",
    after_help = "Examples:\n  azplan validate examples/platform\n  azplan graph examples/platform --format mermaid\n  azplan validate examples/dev-prod --env prod"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a stack: syntax, references, Azure naming and platform rules.
    #[command(
        after_help = "Examples:\n  azplan validate examples/platform\n  azplan validate stacks/aks --env prod --var nodeCount=5\n  azplan validate stacks/aks --format json\n\nExit status: 0 valid (warnings allowed), 1 errors, 2 bad usage."
    )]
    Validate {
        #[command(flatten)]
        stack: StackArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
        format: OutputFormat,
    },
    /// Print the dependency graph of a stack.
    #[command(
        after_help = "Examples:\n  azplan graph examples/platform\n  azplan graph examples/platform --format dot | dot -Tsvg > graph.svg\n  azplan graph examples/platform --format mermaid"
    )]
    Graph {
        #[command(flatten)]
        stack: StackArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = graph::Format::Text)]
        format: graph::Format,
    },
    /// Show what would change in Azure to make it match the stack.
    #[command(
        after_help = "Examples:\n  azplan plan examples/platform --local\n  azplan plan examples/platform --live live.json\n  azplan plan examples/platform --live live.json --format markdown > plan.md\n  azplan plan examples/platform --live live.json --detailed-exitcode --out plan.json\n\nExit status: 0 success (with --detailed-exitcode: no changes), 1 errors, 2 changes present\n(with --detailed-exitcode only).\n\nLive state comes from --live FILE (an array of ARM GET bodies, or {\"value\": [...]}).\nWithout it, live state is read from ARM: management.azure.com (or --endpoint) with the\ncredential the environment provides, or the built-in emulator with --local."
    )]
    Plan(PlanArgs),
    /// Make Azure match the stack (or apply exactly a plan saved with `plan --out`).
    #[command(
        after_help = "Examples:\n  azplan apply examples/platform --local\n  azplan apply examples/platform --auto-approve            # CI: no prompt\n  azplan plan examples/platform --out plan.json && azplan apply plan.json --auto-approve\n\nDeletes and replacements need --allow-destroy (or a 'yes' on a terminal). A saved plan is\nrefused when Azure changed since it was made. Exit status: 0 done, 1 anything failed."
    )]
    Apply(apply::ApplyArgs),
    /// Delete everything the stack owns in Azure, dependents first.
    #[command(
        after_help = "Examples:\n  azplan destroy examples/platform --local\n  azplan destroy stacks/dev --auto-approve --allow-destroy\n\nResources without the stack's ownership tag are never touched; `protect: true` refuses."
    )]
    Destroy(apply::DestroyArgs),
    /// Break a stack's run lock (left by a run that died), naming who held it.
    #[command(
        after_help = "Examples:\n  azplan unlock examples/platform\n\n`apply` and `destroy` hold a lock per stack in Azure (a TXT record in the private DNS zone\nazplan-locks.internal, resource group azplan-locks) while they run; a second run fails fast\nnaming the holder. A holder that dies stops renewing its lock, which then expires after\nAZPLAN_LOCK_EXPIRY_SECONDS (120 by default); `unlock` breaks it at once."
    )]
    Unlock(apply::UnlockArgs),
    /// Report what changed in Azure behind azplan's back, over one or more stacks.
    #[command(
        after_help = "Examples:\n  azplan drift examples/platform --local\n  azplan drift stacks/* --format markdown > drift.md\n  azplan drift stacks/* --format json --hide-housekeeping\n\nClasses: drift (a property the spec sets differs), missing, extra (owned, no longer in the\nspec), failed, busy, conflict (the plan is refused) count; unmanaged resources in the stack's\ngroups and Azure's housekeeping are listed only. Drift uses the plan's own diff: a stack has\ndrift exactly when `plan` has changes.\n\nExit status: 0 no drift, 2 drift found, 1 errors."
    )]
    Drift(drift::DriftArgs),
    /// Write the requests azplan would send (one JSON file per resource), or check a committed
    /// render against the spec.
    #[command(
        after_help = "Examples:\n  azplan render examples/platform                       # to stdout\n  azplan render examples/platform --out rendered/\n  azplan render examples/platform --check rendered/     # CI: exit 1 and a diff when it changed\n  azplan render examples/platform --update rendered/\n\nNo Azure is read: values that only exist once a dependency does read \"(known after apply)\"."
    )]
    Render(render_cmd::RenderArgs),
    /// Print values from live state: login servers, cluster credentials command, OIDC issuer,
    /// identity client IDs, DNS name servers, external-dns azure.json.
    #[command(
        after_help = "Examples:\n  azplan output examples/platform --local\n  azplan output examples/platform --local 'cluster/platform.getCredentials'\n  azplan output examples/platform --local 'identity/external-dns.externalDns.azure.json' > azure.json\n  azplan output examples/platform --format json"
    )]
    Output(OutputArgs),
    /// Write a spec from what exists: resource groups, resources by ID, or everything with a tag.
    #[command(
        after_help = "Examples:\n  azplan import --resource-group rg-platform-weu --local --out stacks/platform\n  azplan import --id /subscriptions/SUB/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr\n  azplan import --tag team=platform --subscription SUB --stack platform\n  azplan import --live bodies.json > stack.yaml\n\nThe spec is checked by planning it against what was read: a value the spec's fields cannot\nwrite goes into `raw:` with a comment; types azplan does not model are listed at the end.\nThen `azplan plan STACK --adopt` takes over what no stack owns."
    )]
    Import(import::ImportArgs),
    /// Serve a local ARM emulator over HTTPS (see `azplan emulator --help`).
    Emulator(crate::emulator::EmulatorArgs),
    /// Print the JSON Schema of stack files (for editors and CI).
    #[command(
        after_help = "Examples:\n  azplan schema > schemas/azplan.schema.json\n  azplan schema --plan > schemas/plan.schema.json\n\nReference it from a spec file with:\n  # yaml-language-server: $schema=../schemas/azplan.schema.json"
    )]
    Schema {
        /// Print the schema of `azplan plan --format json` instead.
        #[arg(long, conflicts_with = "drift")]
        plan: bool,
        /// Print the schema of `azplan drift --format json` instead.
        #[arg(long)]
        drift: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct StackArgs {
    /// Stack directory (all *.yaml files in it, except *.values.yaml) or a single YAML file.
    stack: PathBuf,
    /// Environment declared under `environments:` in the stack.
    #[arg(long = "env", value_name = "NAME")]
    environment: Option<String>,
    /// YAML file of variable values (repeatable; later files win).
    #[arg(long = "values", value_name = "FILE")]
    values: Vec<PathBuf>,
    /// Set one variable, e.g. `--var nodeCount=3` (repeatable; wins over everything else).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
}

impl StackArgs {
    fn options(&self) -> LoadOptions {
        LoadOptions {
            environment: self.environment.clone(),
            values_files: self.values.clone(),
            vars: self.vars.clone(),
        }
    }
}

#[derive(Debug, Args)]
struct PlanArgs {
    #[command(flatten)]
    stack: StackArgs,
    /// More stacks: one plan each, all read through one reader (one Resource Graph query, one
    /// set of subscription LISTs, one read budget).
    #[arg(value_name = "STACK")]
    more: Vec<PathBuf>,
    /// JSON or YAML file of live ARM resources to plan against (offline).
    #[arg(long, value_name = "FILE", conflicts_with = "endpoint")]
    live: Option<PathBuf>,
    #[command(flatten)]
    target: TargetArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    format: PlanFormat,
    /// Exit 2 when the plan has changes, 0 when it has none.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Save the plan (JSON) for `azplan apply FILE`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Take over existing resources that carry no ownership tag.
    #[arg(long)]
    adopt: bool,
}

#[derive(Debug, Args)]
struct OutputArgs {
    #[command(flatten)]
    stack: StackArgs,
    /// One output to print alone (raw text for strings, JSON otherwise).
    name: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
    /// Output format for the full list.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

/// Which ARM to talk to.
#[derive(Debug, Args)]
pub(crate) struct TargetArgs {
    /// ARM endpoint (default https://management.azure.com; e.g. https://management.usgovcloudapi.net).
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// Extra CA certificate (PEM) to trust, e.g. the one `azplan emulator` prints. With it, azplan
    /// sends a fixed test token instead of looking for Azure credentials.
    #[arg(long, value_name = "FILE", requires = "endpoint")]
    ca_cert: Option<PathBuf>,
    /// Use the built-in ARM emulator, started in-process, with its state kept under
    /// `.azplan/local/` so consecutive commands see the same cloud.
    #[arg(long, conflicts_with_all = ["endpoint", "ca_cert"])]
    local: bool,
    /// Log each ARM request (never tokens) to stderr.
    #[arg(short, long)]
    verbose: bool,
    /// How live state is read: `graph` asks Azure Resource Graph (one query for all groups; it
    /// lags ARM by seconds), `list` uses ARM LISTs, `auto` asks Resource Graph for stacks over
    /// three groups or more and falls back to LISTs when it cannot answer.
    #[arg(long, value_enum, default_value_t = ReadArg::Auto)]
    read: ReadArg,
    /// Send requests as fast as the endpoint answers, without pacing to ARM's budgets: for
    /// seeding emulators, refused against Azure.
    #[arg(long)]
    no_pacing: bool,
}

/// `--read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReadArg {
    Auto,
    Graph,
    List,
}

impl TargetArgs {
    fn to_target(&self) -> crate::connect::Target {
        crate::connect::Target {
            endpoint: self.endpoint.clone(),
            ca_cert: self.ca_cert.clone(),
            local: self.local,
            verbose: self.verbose,
            read: match self.read {
                ReadArg::Auto => crate::arm::read::ReadMode::Auto,
                ReadArg::Graph => crate::arm::read::ReadMode::Graph,
                ReadArg::List => crate::arm::read::ReadMode::List,
            },
            no_pacing: self.no_pacing,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PlanFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { stack, format } => validate(&stack, format),
        Command::Graph { stack, format } => graph(&stack, format),
        Command::Plan(args) => plan(&args),
        Command::Apply(args) => apply::apply_command(&args),
        Command::Output(args) => output(&args),
        Command::Drift(args) => drift::drift_command(&args),
        Command::Render(args) => render_cmd::render_command(&args),
        Command::Destroy(args) => apply::destroy_command(&args),
        Command::Unlock(args) => apply::unlock_command(&args),
        Command::Import(args) => import::import_command(&args),
        Command::Emulator(args) => return crate::emulator::main(args),
        Command::Schema { plan, drift } => {
            let text = if plan {
                crate::plan::json_schema()
            } else if drift {
                crate::drift::json_schema()
            } else {
                schema::generate()
            };
            match print(&text) {
                Ok(()) => EXIT_OK,
                Err(()) => EXIT_ERRORS,
            }
        }
    };
    ExitCode::from(code)
}

fn color_on_stderr() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Prints diagnostics to stderr; returns whether there were errors.
pub(crate) fn report(checked: &Checked) -> bool {
    if !checked.diagnostics.is_empty() {
        let text = render::human(&checked.diagnostics, color_on_stderr(), terminal_width());
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    checked.diagnostics.has_errors()
}

/// Writes to stdout. A failure (closed pipe, full disk) is reported on stderr and returned, so
/// the command exits non-zero instead of claiming output it did not write.
#[must_use = "a failed write must change the exit code"]
pub(crate) fn print(text: &str) -> Result<(), ()> {
    print_parts(&[text])
}

/// Writes pieces of text to stdout one after another, as one text.
pub(crate) fn print_parts(parts: &[impl AsRef<str>]) -> Result<(), ()> {
    let mut stdout = std::io::stdout().lock();
    parts
        .iter()
        .try_for_each(|part| stdout.write_all(part.as_ref().as_bytes()))
        .and_then(|()| stdout.flush())
        .map_err(|e| eprintln!("error: cannot write the output: {e}"))
}

fn validate(args: &StackArgs, format: OutputFormat) -> u8 {
    let checked = check::check(&args.stack, &args.options());
    let failed = checked.diagnostics.has_errors();
    match format {
        OutputFormat::Json => {
            let mut value = render::json(&checked.diagnostics, &checked.sources);
            value["valid"] = serde_json::Value::Bool(!failed);
            value["resources"] = serde_json::json!(
                checked
                    .graph
                    .as_ref()
                    .map(|g| g.order.iter().map(|a| a.to_string()).collect::<Vec<_>>())
                    .unwrap_or_default()
            );
            let text = format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
            if print(&text).is_err() {
                return EXIT_ERRORS;
            }
        }
        OutputFormat::Human => {
            report(&checked);
            let summary = render::summary_line(&checked.diagnostics);
            match &checked.stack {
                Some(stack) if !failed => {
                    let line = format!(
                        "{} is valid: {} resources ({summary})\n",
                        args.stack.display(),
                        stack.resources.len()
                    );
                    if print(&line).is_err() {
                        return EXIT_ERRORS;
                    }
                }
                _ => eprintln!("{} is not valid: {summary}", args.stack.display()),
            }
        }
    }
    if failed { EXIT_ERRORS } else { EXIT_OK }
}

fn graph(args: &StackArgs, format: graph::Format) -> u8 {
    let checked = check::check(&args.stack, &args.options());
    let failed = report(&checked);
    match (&checked.stack, &checked.graph) {
        (Some(stack), Some(graph)) if !failed => match print(&graph.render(stack, format)) {
            Ok(()) => EXIT_OK,
            Err(()) => EXIT_ERRORS,
        },
        _ => {
            eprintln!(
                "{} is not valid: {}",
                args.stack.display(),
                render::summary_line(&checked.diagnostics)
            );
            EXIT_ERRORS
        }
    }
}

pub(crate) fn color_on_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn plan(plan_args: &PlanArgs) -> u8 {
    if !plan_args.more.is_empty() {
        return plan_many::plan_many(plan_args);
    }
    let args = &plan_args.stack;
    // A live file is read on a second thread while the spec is checked: neither needs the other.
    let live_file = plan_args
        .live
        .clone()
        .map(|file| std::thread::spawn(move || crate::live::LiveState::from_file(&file)));
    let checked = check::check(&args.stack, &args.options());
    if report(&checked) {
        eprintln!(
            "{} is not valid: {}",
            args.stack.display(),
            render::summary_line(&checked.diagnostics)
        );
        return EXIT_ERRORS;
    }
    let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
        return EXIT_ERRORS;
    };
    let live = match live_file {
        Some(reading) => match reading.join() {
            Ok(Ok(live)) => live,
            Ok(Err(e)) => {
                print_error(&e);
                return EXIT_ERRORS;
            }
            Err(_) => {
                eprintln!("error: reading the live file failed");
                return EXIT_ERRORS;
            }
        },
        None => match read_from_arm(stack, Some(graph), &plan_args.target) {
            Ok(live) => live,
            Err(errors) => {
                for e in &errors {
                    print_error(e);
                }
                return EXIT_ERRORS;
            }
        },
    };
    let options = crate::plan::PlanOptions {
        adopt: plan_args.adopt,
        // Text shows a created resource's properties from its change; JSON and a saved plan
        // carry the body itself.
        without_created_bodies: plan_args.out.is_none()
            && matches!(plan_args.format, PlanFormat::Human | PlanFormat::Markdown),
    };
    let (plan, errors) = crate::plan::plan(stack, graph, &live, options);
    if !errors.is_empty() {
        for e in &errors {
            print_error(e);
        }
        return EXIT_ERRORS;
    }
    // Live state is not needed past the plan: freed, some of its memory serves the rendering
    // (measured: a peak 1 MB lower, no slower than leaving it to the exit).
    drop(live);
    let parts = match plan_args.format {
        PlanFormat::Human => crate::plan::render::human_parts(
            &plan,
            crate::plan::render::Style {
                color: color_on_stdout(),
            },
        ),
        PlanFormat::Json => vec![crate::plan::render::json(&plan)],
        PlanFormat::Markdown => vec![crate::plan::render::markdown(&plan)],
    };
    if print_parts(&parts).is_err() {
        return EXIT_ERRORS;
    }
    std::mem::forget(parts);
    if let Some(path) = &plan_args.out {
        // The saved file also carries what the plan was made from: apply plans it again.
        let mut saved = plan.clone();
        saved.saved = Some(crate::plan::saved::Saved {
            inputs: checked.inputs.clone(),
            adopt: plan_args.adopt,
        });
        if let Err(e) = write_atomically(path, crate::plan::render::json(&saved).as_bytes()) {
            eprintln!("error: cannot save the plan to `{}`: {e}", path.display());
            return EXIT_ERRORS;
        }
        eprintln!(
            "Saved the plan to {}; apply exactly this plan with `azplan apply {}`.",
            path.display(),
            path.display()
        );
    }
    let code = if plan_args.detailed_exitcode && plan.summary.has_changes() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    };
    // The process ends next: freeing a large stack's trees one node at a time would only delay
    // the exit (a tenth of a 10,000-resource plan); the OS takes the memory back whole.
    std::mem::forget(plan);
    std::mem::forget(checked);
    code
}

/// Writes a file so readers see the old or the new content, never a torn one.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("plan");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    // Whatever failed (a full disk, a size limit), no half-written temp file stays behind.
    written
        .and_then(|()| std::fs::rename(&temp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
}

/// Renders one error like the spec diagnostics: code, message, help, terminal width.
pub(crate) fn print_error(error: &dyn miette::Diagnostic) {
    let theme = if color_on_stderr() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_width(terminal_width());
    if handler.render_report(&mut out, error).is_err() {
        out = error.to_string();
    }
    eprintln!("{out}");
}

/// Connects to ARM as `target` says, and says where and as whom.
pub(crate) fn open(
    target: &TargetArgs,
) -> Result<crate::connect::Connection, crate::arm::error::ArmError> {
    if target.verbose {
        // `-v`: each ARM request on stderr (never tokens).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("azplan=debug"))
            .with_ansi(color_on_stderr())
            .with_writer(std::io::stderr)
            .try_init();
    }
    let connection = crate::connect::Connection::open(&target.to_target())?;
    eprintln!(
        "Connecting to {} with {}.",
        connection.place, connection.credential
    );
    Ok(connection)
}

/// Reads the stack's live state and says what it cost.
pub(crate) fn read(
    connection: &crate::connect::Connection,
    stack: &crate::model::Stack,
    graph: Option<&crate::graph::Graph>,
) -> Result<crate::live::LiveState, Vec<crate::arm::error::ArmError>> {
    read_with(
        connection,
        &connection.reader(),
        stack,
        crate::arm::read::Going::Undeclared,
        graph,
    )
}

/// Reads the stack's live state for a run that writes (`apply`, `destroy`: ARM's own LISTs unless
/// `--read graph`), for a plan of `going` deletes, and says what it cost.
pub(crate) fn read_for(
    connection: &crate::connect::Connection,
    stack: &crate::model::Stack,
    going: crate::arm::read::Going,
    graph: Option<&crate::graph::Graph>,
) -> Result<crate::live::LiveState, Vec<crate::arm::error::ArmError>> {
    read_with(
        connection,
        &connection.reader_for_writes(),
        stack,
        going,
        graph,
    )
}

/// Reads the stack's live state through `reader` and says what it cost. Given the stack's
/// graph, what a read from Resource Graph would change is confirmed with ARM first.
pub(crate) fn read_with(
    connection: &crate::connect::Connection,
    reader: &crate::arm::read::Reader,
    stack: &crate::model::Stack,
    going: crate::arm::read::Going,
    graph: Option<&crate::graph::Graph>,
) -> Result<crate::live::LiveState, Vec<crate::arm::error::ArmError>> {
    let (mut live, mut cost) = connection.read_with(reader, stack, going)?;
    if let (Some(graph), Some(crate::arm::read::Strategy::Graph)) = (graph, cost.strategy) {
        let before = connection
            .client
            .counters
            .requests
            .load(std::sync::atomic::Ordering::Relaxed);
        let started = std::time::Instant::now();
        confirm_graph_changes(connection, stack, graph, &mut live)?;
        cost.requests += connection
            .client
            .counters
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
            - before;
        cost.seconds += started.elapsed().as_secs_f64();
    }
    let how = match cost.strategy {
        Some(crate::arm::read::Strategy::Graph) => " (Resource Graph)",
        Some(crate::arm::read::Strategy::SubscriptionLists) => " (subscription LISTs)",
        Some(crate::arm::read::Strategy::GroupLists) | None => "",
    };
    eprintln!(
        "Read {} live resources with {} ARM requests{how} ({} throttled) in {:.2}s.",
        cost.resources, cost.requests, cost.throttled, cost.seconds
    );
    Ok(live)
}

/// Resource Graph lags behind ARM by seconds: what a plan read from it would change is read
/// again from ARM (one GET each) before the plan is shown, so a plan right after an apply never
/// shows the apply's own writes as still to do, and a change made a moment ago is not missed.
/// Creates in groups that do not exist need no GET (the group LIST was ARM's own). At most
/// `CONFIRM_LIMIT` GETs: past it, the plan stands as read (apply reads every resource it writes
/// again anyway).
pub(crate) fn confirm_graph_changes(
    connection: &crate::connect::Connection,
    stack: &crate::model::Stack,
    graph: &crate::graph::Graph,
    live: &mut crate::live::LiveState,
) -> Result<(), Vec<crate::arm::error::ArmError>> {
    const CONFIRM_LIMIT: usize = 500;
    let (plan, _) = crate::plan::plan(stack, graph, live, crate::plan::PlanOptions::default());
    use crate::plan::Action;
    let group_exists = |id: &str| {
        crate::id::ResourceId::parse(id)
            .and_then(|id| {
                id.resource_group()
                    .map(|g| format!("/subscriptions/{}/resourceGroups/{g}", id.subscription()))
            })
            .is_none_or(|group| live.get(&group).is_some())
    };
    let gets: Vec<(String, String)> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::NoOp | Action::Read))
        .filter(|c| c.action != Action::Create || group_exists(&c.id))
        .filter(|c| {
            !c.arm_type
                .eq_ignore_ascii_case(crate::kinds::resource_group_type().path)
        })
        .map(|c| (c.id.clone(), c.api_version.clone()))
        .collect();
    if gets.len() > CONFIRM_LIMIT {
        eprintln!(
            "warning: {} changes read from Azure Resource Graph are shown unconfirmed (it lags ARM by seconds; `--read list` reads ARM itself)",
            gets.len()
        );
        return Ok(());
    }
    if gets.is_empty() {
        return Ok(());
    }
    let fresh = connection
        .runtime
        .block_on(crate::arm::read::get_each(connection.client.clone(), gets));
    let mut errors = Vec::new();
    for (id, got) in fresh {
        match got {
            Ok(Some(body)) => {
                live.insert(body);
            }
            Ok(None) => {
                live.remove(&id);
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Reads live state from ARM for a plan.
fn read_from_arm(
    stack: &crate::model::Stack,
    graph: Option<&crate::graph::Graph>,
    target: &TargetArgs,
) -> Result<crate::live::LiveState, Vec<crate::arm::error::ArmError>> {
    let connection = open(target).map_err(|e| vec![e])?;
    let live = read(&connection, stack, graph);
    connection.close();
    live
}

fn output(args: &OutputArgs) -> u8 {
    let checked = check::check(&args.stack.stack, &args.stack.options());
    if report(&checked) {
        return EXIT_ERRORS;
    }
    let Some(stack) = &checked.stack else {
        return EXIT_ERRORS;
    };
    let live = match read_from_arm(stack, checked.graph.as_ref(), &args.target) {
        Ok(live) => live,
        Err(errors) => {
            errors.iter().for_each(|e| print_error(e));
            return EXIT_ERRORS;
        }
    };
    let outputs = crate::outputs::outputs(stack, &live);
    if let Some(name) = &args.name {
        let written = match outputs.get(name) {
            Some(serde_json::Value::String(text)) => print(&format!("{text}\n")),
            Some(value) => print(&format!(
                "{}\n",
                serde_json::to_string_pretty(value).unwrap_or_default()
            )),
            None => {
                let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
                eprintln!(
                    "error: no output `{name}` (has the stack been applied?)\n  help: {}",
                    crate::diag::suggest(name, names.iter().copied())
                );
                return EXIT_ERRORS;
            }
        };
        return match written {
            Ok(()) => EXIT_OK,
            Err(()) => EXIT_ERRORS,
        };
    }
    let text = match args.format {
        OutputFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&outputs).unwrap_or_default()
        ),
        OutputFormat::Human => outputs
            .iter()
            .map(|(name, value)| {
                let shown = match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("{name} = {shown}\n")
            })
            .collect(),
    };
    match print(&text) {
        Ok(()) => EXIT_OK,
        Err(()) => EXIT_ERRORS,
    }
}
