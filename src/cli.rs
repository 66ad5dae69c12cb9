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
    /// Serve a local ARM emulator over HTTPS (see `azplan emulator --help`).
    Emulator(crate::emulator::EmulatorArgs),
    /// Print the JSON Schema of stack files (for editors and CI).
    #[command(
        after_help = "Examples:\n  azplan schema > schemas/azplan.schema.json\n  azplan schema --plan > schemas/plan.schema.json\n\nReference it from a spec file with:\n  # yaml-language-server: $schema=../schemas/azplan.schema.json"
    )]
    Schema {
        /// Print the schema of `azplan plan --format json` instead.
        #[arg(long)]
        plan: bool,
    },
}

#[derive(Debug, Args)]
struct StackArgs {
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

/// Which ARM to talk to.
#[derive(Debug, Args)]
struct TargetArgs {
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
        Command::Emulator(args) => return crate::emulator::main(args),
        Command::Schema { plan } => {
            print(&if plan {
                crate::plan::json_schema()
            } else {
                schema::generate()
            });
            EXIT_OK
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
fn report(checked: &Checked) -> bool {
    if !checked.diagnostics.is_empty() {
        let text = render::human(&checked.diagnostics, color_on_stderr(), terminal_width());
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    checked.diagnostics.has_errors()
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`azplan graph | head`) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
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
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            ));
        }
        OutputFormat::Human => {
            report(&checked);
            let summary = render::summary_line(&checked.diagnostics);
            match &checked.stack {
                Some(stack) if !failed => print(&format!(
                    "{} is valid: {} resources ({summary})\n",
                    args.stack.display(),
                    stack.resources.len()
                )),
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
        (Some(stack), Some(graph)) if !failed => {
            print(&graph.render(stack, format));
            EXIT_OK
        }
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

fn color_on_stdout() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn plan(plan_args: &PlanArgs) -> u8 {
    let args = &plan_args.stack;
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
    let live = match &plan_args.live {
        Some(file) => match crate::live::LiveState::from_file(file) {
            Ok(live) => live,
            Err(e) => {
                print_error(&e);
                return EXIT_ERRORS;
            }
        },
        None => match read_from_arm(stack, &plan_args.target) {
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
    };
    let (plan, errors) = crate::plan::plan(stack, graph, &live, options);
    if !errors.is_empty() {
        for e in &errors {
            print_error(e);
        }
        return EXIT_ERRORS;
    }
    let text = match plan_args.format {
        PlanFormat::Human => crate::plan::render::human(
            &plan,
            crate::plan::render::Style {
                color: color_on_stdout(),
            },
        ),
        PlanFormat::Json => crate::plan::render::json(&plan),
        PlanFormat::Markdown => crate::plan::render::markdown(&plan),
    };
    print(&text);
    if let Some(path) = &plan_args.out {
        if let Err(e) = write_atomically(path, crate::plan::render::json(&plan).as_bytes()) {
            eprintln!("error: cannot save the plan to `{}`: {e}", path.display());
            return EXIT_ERRORS;
        }
        eprintln!(
            "Saved the plan to {}; apply exactly this plan with `azplan apply {}`.",
            path.display(),
            path.display()
        );
    }
    if plan_args.detailed_exitcode && plan.summary.has_changes() {
        EXIT_CHANGES
    } else {
        EXIT_OK
    }
}

/// Writes a file so readers see the old or the new content, never a torn one.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("plan");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// Renders one error like the spec diagnostics: code, message, help, terminal width.
fn print_error(error: &dyn miette::Diagnostic) {
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

/// Reads live state from ARM: the endpoint and credential come from the flags and environment.
fn read_from_arm(
    stack: &crate::model::Stack,
    target: &TargetArgs,
) -> Result<crate::live::LiveState, Vec<crate::arm::error::ArmError>> {
    use crate::arm::client::{ArmClient, Endpoint};
    use crate::arm::credential;
    use crate::arm::error::ArmError;

    if target.verbose {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("azplan=debug"))
            .with_writer(std::io::stderr)
            .try_init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| vec![ArmError::Setup(format!("cannot start the async runtime: {e}"))])?;
    let mut endpoint = Endpoint::azure_public();
    let mut emulator = None;
    let test_token = || credential::Chosen {
        credential: std::sync::Arc::new(credential::StaticToken("azplan-test-endpoint".into())),
        description: "a fixed test token".into(),
    };
    let credential = if target.local {
        let config = std::env::current_dir()
            .map_err(|e| e.to_string())
            .and_then(|dir| crate::emulator::EmulatorConfig::local(&dir).map_err(|e| e.to_string()))
            .map_err(|e| vec![ArmError::Setup(format!("cannot prepare the local emulator: {e}"))])?;
        let running = runtime
            .block_on(crate::emulator::Emulator::start(config))
            .map_err(|e| vec![ArmError::Setup(format!("cannot start the local emulator: {e}"))])?;
        endpoint.url = azure_core::http::Url::parse(running.endpoint()).map_err(|e| vec![ArmError::Setup(e.to_string())])?;
        endpoint.ca_cert_pem = Some(running.ca_cert_pem().to_string());
        emulator = Some(running);
        test_token()
    } else {
        if let Some(url) = &target.endpoint {
            endpoint.url = azure_core::http::Url::parse(url).map_err(|e| vec![ArmError::Setup(format!("--endpoint `{url}` is not a URL: {e}"))])?;
        }
        match &target.ca_cert {
            Some(path) => {
                endpoint.ca_cert_pem = Some(std::fs::read_to_string(path).map_err(|e| vec![ArmError::Setup(format!("cannot read --ca-cert `{}`: {e}", path.display()))])?);
                test_token()
            }
            None => credential::choose(&credential::ProcessEnvironment).map_err(|e| vec![e])?,
        }
    };
    let place = if emulator.is_some() { "the built-in emulator (.azplan/local/)".to_string() } else { endpoint.url.to_string() };
    eprintln!("Reading live state from {place} with {}.", credential.description);
    let client = std::sync::Arc::new(ArmClient::new(endpoint, credential.credential).map_err(|e| vec![e])?);
    let started = std::time::Instant::now();
    let live = runtime.block_on(crate::arm::read::read_live(client.clone(), stack));
    if let Some(running) = emulator {
        let _ = runtime.block_on(running.shutdown());
    }
    let live = live?;
    let requests = client
        .counters
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    let throttled = client
        .counters
        .throttled
        .load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "Read {} live resources with {requests} ARM requests ({throttled} throttled) in {:.2}s.",
        live.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(live)
}
