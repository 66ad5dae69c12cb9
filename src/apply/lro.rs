//! ARM long-running operations: after a PUT or DELETE, follow Azure-AsyncOperation, else
//! Location, else the resource's provisioningState, honouring Retry-After, until a terminal state.

use std::time::Duration;

use azure_core::http::{Method, Url};
use serde_json::Value;

use crate::arm::client::{ArmClient, ArmResponse};
use crate::arm::error::{ArmError, parse_error_body};
use crate::live::Provisioning;

/// What the caller is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// The resource to reach a terminal provisioningState.
    Write,
    /// The resource to be gone (GET 404).
    Delete,
}

/// Longest pause between polls, whatever Retry-After says (ARM's maximum is 10 minutes; a
/// stuck poll of that length would hide progress).
const MAX_POLL_INTERVAL: Duration = Duration::from_secs(60);
/// Used when the service gives no Retry-After.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

fn interval(response: &ArmResponse) -> Duration {
    response
        .retry_after
        .unwrap_or(DEFAULT_POLL_INTERVAL)
        .min(MAX_POLL_INTERVAL)
}

fn failed(operation: &str, resource: &str, body: Option<&Value>) -> ArmError {
    let raw = body.map(|b| b.to_string()).unwrap_or_default();
    let (code, message) = parse_error_body(raw.as_bytes());
    ArmError::Service {
        operation: operation.into(),
        resource: resource.into(),
        status: 200,
        help: Some(
            "the operation was accepted but ended Failed in Azure; fix the cause and apply again"
                .into(),
        ),
        code,
        message,
    }
}

/// How long to follow an operation: until a stop is asked for (checked between polls), or
/// for at most `timeout`.
#[derive(Clone, Copy)]
pub struct Patience<'a> {
    pub stop: &'a tokio::sync::watch::Receiver<bool>,
    pub timeout: Duration,
}

/// Waits for the operation started by `first` to finish. `stop` is checked between polls.
pub async fn wait(
    client: &ArmClient,
    first: &ArmResponse,
    id: &str,
    api_version: &str,
    waiting: Waiting,
    operation: &str,
    patience: Patience<'_>,
) -> Result<Finished, ArmError> {
    let Patience { stop, timeout } = patience;
    let started = tokio::time::Instant::now();
    // An operation that never ends (a stuck poll) must not hang the run: past the bound it is
    // an error naming the resource, and the next plan sees where it stands.
    let overdue = || {
        (started.elapsed() >= timeout).then(|| ArmError::Response {
            operation: operation.into(),
            resource: id.into(),
            message: format!(
                "still running after {}s; azplan stopped waiting (the operation may still finish in Azure; plan again to see)",
                started.elapsed().as_secs()
            ),
        })
    };
    if let Some(url) = &first.azure_async_operation {
        let url = parse(url, operation, id)?;
        let mut last = first.clone();
        loop {
            if *stop.borrow() {
                return Ok(Finished::Abandoned);
            }
            if let Some(e) = overdue() {
                return Err(e);
            }
            tokio::time::sleep(interval(&last)).await;
            let status = client
                .send(Method::Get, url.clone(), None, "poll", id)
                .await?;
            let state = status
                .body
                .as_ref()
                .and_then(|b| b.get("status"))
                .and_then(Value::as_str)
                .unwrap_or("InProgress")
                .to_string();
            // The operation status document uses the provisioning states' names (ARM RPC).
            match Provisioning::from_state(Some(&state)) {
                Provisioning::Succeeded => break,
                Provisioning::Failed(_) => {
                    return Err(failed(operation, id, status.body.as_ref()));
                }
                Provisioning::Busy(_) => last = status,
            }
        }
        return Ok(Finished::Done);
    }
    if first.status == 202
        && let Some(url) = &first.location
    {
        let url = parse(url, operation, id)?;
        let mut last = first.clone();
        loop {
            if *stop.borrow() {
                return Ok(Finished::Abandoned);
            }
            if let Some(e) = overdue() {
                return Err(e);
            }
            tokio::time::sleep(interval(&last)).await;
            let response = client
                .send(Method::Get, url.clone(), None, "poll", id)
                .await?;
            if response.status != 202 {
                return Ok(Finished::Done);
            }
            last = response;
        }
    }
    // No polling header: watch the resource itself.
    let mut last = first.clone();
    let already_terminal = match waiting {
        Waiting::Write => terminal(first.body.as_ref()),
        Waiting::Delete => first.status == 204 || first.status == 200,
    };
    if already_terminal {
        return check_write(first.body.as_ref(), operation, id);
    }
    loop {
        if *stop.borrow() {
            return Ok(Finished::Abandoned);
        }
        if let Some(e) = overdue() {
            return Err(e);
        }
        tokio::time::sleep(interval(&last).min(Duration::from_secs(10))).await;
        let url = client.url(id, api_version)?;
        let response = client.send(Method::Get, url, None, "poll", id).await?;
        match waiting {
            Waiting::Delete if response.status == 404 => return Ok(Finished::Done),
            Waiting::Write if terminal(response.body.as_ref()) => {
                return check_write(response.body.as_ref(), operation, id);
            }
            _ => last = response,
        }
    }
}

/// Whether an operation ran to its end, was left running (Ctrl-C), or never started because a
/// stop came first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    Done,
    Abandoned,
    NotStarted,
}

/// One reading of provisioningState for the whole planner (`live::Provisioning`).
fn terminal(body: Option<&Value>) -> bool {
    !matches!(state_of(body), Provisioning::Busy(_))
}

fn state_of(body: Option<&Value>) -> Provisioning {
    body.map_or(Provisioning::Succeeded, Provisioning::of)
}

fn check_write(body: Option<&Value>, operation: &str, id: &str) -> Result<Finished, ArmError> {
    match state_of(body) {
        Provisioning::Failed(_) => Err(failed(operation, id, body)),
        _ => Ok(Finished::Done),
    }
}

fn parse(url: &str, operation: &str, id: &str) -> Result<Url, ArmError> {
    Url::parse(url).map_err(|e| ArmError::Response {
        operation: operation.into(),
        resource: id.into(),
        message: format!("bad polling URL `{url}`: {e}"),
    })
}
