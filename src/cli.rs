//! Command-line surface: parses arguments and dispatches to the pipeline stages.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "azplan",
    version,
    about = "Plan and apply Azure Kubernetes platforms from YAML"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a local ARM emulator over HTTPS (see `azplan emulator --help`).
    Emulator(crate::emulator::EmulatorArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Emulator(args) => crate::emulator::main(args),
    }
}
