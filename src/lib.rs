//! azplan: a declarative planner and applier for Azure Kubernetes platforms.
//!
//! The modules are declared in reading order, one per pipeline stage:
//! spec (YAML) → model (validated, typed) → graph (dependency DAG).

pub mod cli;
pub mod emulator;
