//! The request log: one JSON object per line with time, method, path, api-version, status and both
//! bodies, so a test or a user can see exactly what a client sent and what "ARM" answered.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::emulator::clock;
use crate::emulator::error::EmulatorError;

#[derive(Debug)]
pub(crate) struct RequestLog {
    out: Mutex<BufWriter<File>>,
}

pub(crate) struct Entry<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) api_version: Option<&'a str>,
    pub(crate) status: Option<u16>,
    pub(crate) duration_ms: u64,
    pub(crate) request_body: &'a [u8],
    pub(crate) response_body: Option<&'a Value>,
}

fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

impl RequestLog {
    pub(crate) fn open(path: &Path) -> Result<RequestLog, EmulatorError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| EmulatorError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(RequestLog {
            out: Mutex::new(BufWriter::new(file)),
        })
    }

    /// Best effort: a full disk must not turn into failed ARM requests.
    pub(crate) fn write(&self, entry: &Entry) {
        let line = json!({
            "time": clock::rfc3339(clock::now_ms()),
            "method": entry.method,
            "path": entry.path,
            "apiVersion": entry.api_version,
            "status": entry.status,
            "durationMs": entry.duration_ms,
            "requestBody": body_value(entry.request_body),
            "responseBody": entry.response_body,
        });
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
