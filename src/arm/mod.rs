//! Talking to Azure Resource Manager: the HTTP client, credentials, and reading a stack's live
//! state. The only module (with apply, later) that does network I/O.

pub mod client;
pub mod credential;
pub mod error;
pub mod graph;
pub mod lock;
pub mod pacer;
pub mod read;
