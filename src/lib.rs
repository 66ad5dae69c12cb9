//! azplan: a declarative planner and applier for Azure Kubernetes platforms.
//!
//! Modules are declared in reading order, one per pipeline stage: the YAML reader and raw spec,
//! loading and variables, the validated model and its builder, the dependency graph, and the
//! commands on top. Everything here is pure: no network, clock or environment.

pub mod apply;
pub mod arm;
pub mod build;
pub mod check;
pub mod cli;
pub mod connect;
pub mod de;
pub mod diag;
pub mod emulator;
pub mod graph;
pub mod kinds;
pub mod live;
pub mod load;
pub mod model;
pub mod names;
pub mod net;
pub mod outputs;
pub mod plan;
pub mod reference;
pub mod render;
pub mod roles;
pub mod schema;
pub mod source;
pub mod spec;
pub mod vars;
pub mod yaml;
