//! The two error boundaries: `EmulatorError` for starting and running the server, `ArmError` for a
//! request that ARM would refuse (it becomes an ARM error body, never a panic).

use std::path::PathBuf;

use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot generate the TLS certificate: {source}")]
    Certificate { source: rcgen::Error },
    #[error("cannot configure TLS: {source}")]
    Tls { source: tokio_rustls::rustls::Error },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path} is not valid emulator state: {source}")]
    StateFormat {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "state file {path} is in use by another azplan emulator ({holder}); stop that one or use another state file"
    )]
    StateInUse { path: PathBuf, holder: String },
    #[error("faults file {path} is invalid: {message}")]
    FaultsFormat { path: PathBuf, message: String },
    #[error("cannot start the async runtime: {source}")]
    Runtime { source: std::io::Error },
}

/// A refusal in ARM's shape: HTTP status plus `{"error": {"code", "message", "target"?}}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub(crate) struct ArmError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) target: Option<String>,
    /// Seconds for a Retry-After header (429 answers).
    pub(crate) retry_after: Option<u64>,
    /// Rendered as `{"code", "message"}` without the `error` wrapper, as some resource providers
    /// answer on the wire (Private DNS, see `records`).
    pub(crate) flat: bool,
    /// `error.details` (Resource Graph's query errors carry them).
    pub(crate) details: Vec<Value>,
}

impl ArmError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code: code.to_string(),
            message: message.into(),
            target: None,
            retry_after: None,
            flat: false,
            details: Vec::new(),
        }
    }

    pub(crate) fn with_details(mut self, details: Vec<Value>) -> ArmError {
        self.details = details;
        self
    }

    /// The same error without ARM's `error` wrapper.
    pub(crate) fn flat(mut self) -> ArmError {
        self.flat = true;
        self
    }

    pub(crate) fn with_target(mut self, target: &str) -> ArmError {
        self.target = Some(target.to_string());
        self
    }

    pub(crate) fn bad_request(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(400, code, message)
    }

    pub(crate) fn conflict(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(409, code, message)
    }

    pub(crate) fn body(&self) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(target) = &self.target {
            error["target"] = json!(target);
        }
        if !self.details.is_empty() {
            error["details"] = Value::Array(self.details.clone());
        }
        if self.flat {
            return error;
        }
        json!({ "error": error })
    }

    pub(crate) fn resource_group_not_found(rg: &str) -> ArmError {
        ArmError::new(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        )
    }

    pub(crate) fn resource_not_found(arm_type: &str, name: &str, rg: &str) -> ArmError {
        ArmError::new(
            404,
            "ResourceNotFound",
            format!(
                "The Resource '{arm_type}/{name}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }

    pub(crate) fn invalid_body(detail: &str) -> ArmError {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{detail}'."),
        )
    }

    pub(crate) fn missing_property(path: &str) -> ArmError {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid: required property '{path}' is missing."),
        )
        .with_target(path)
    }
}
