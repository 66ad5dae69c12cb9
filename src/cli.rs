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
    /// Print the JSON Schema of stack files (for editors and CI).
    #[command(
        after_help = "Examples:\n  azplan schema > schemas/azplan.schema.json\n\nReference it from a spec file with:\n  # yaml-language-server: $schema=../schemas/azplan.schema.json"
    )]
    Schema,
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
        Command::Schema => {
            print(&schema::generate());
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
