//! azplan: a declarative planner and applier for Azure Kubernetes platforms.
//!
//! One module per pipeline stage (rustfmt sorts the declarations; ARCHITECTURE.md gives them in
//! reading order): spec → model → graph → live → plan → apply. Everything up to the plan is pure;
//! only `arm` and `apply` do network I/O, and `emulator` is a separate ARM stand-in.

pub mod acknowledge;
pub mod apply;
pub mod arm;
pub mod build;
pub mod check;
pub mod cli;
pub mod connect;
pub mod de;
pub mod diag;
pub mod drift;
pub mod emulator;
pub mod graph;
pub mod id;
pub mod import;
pub mod kind;
pub mod kinds;
pub mod live;
pub mod load;
pub mod model;
pub mod names;
pub mod net;
pub mod outputs;
pub mod par;
pub mod plan;
pub mod policies;
pub mod reference;
pub mod render;
pub mod rendered;
pub mod roles;
pub mod salvage;
pub mod schema;
pub mod source;
pub mod spec;
pub mod vars;
pub mod yaml;
