//! The HTTPS front door: TLS accept loop, then per request the order ARM applies — authentication,
//! routing, injected faults, throttling, api-version — before the handlers run under the state lock.
//! State snapshots are written after the lock is released; the request log sees every answer.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderMap;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use crate::emulator::activity::{self, Caller, RequestInfo};
use crate::emulator::clock;
use crate::emulator::common::{Ctx, Settings};
use crate::emulator::entra;
use crate::emulator::error::ArmError;
use crate::emulator::faults::{Effect, Faults};
use crate::emulator::handlers::{self, Reply};
use crate::emulator::kind::Kind;
use crate::emulator::reqlog::{Entry, RequestLog};
use crate::emulator::resource_graph;
use crate::emulator::route::{self, Query, Route};
use crate::emulator::state::{Failure, Persister, State};
use crate::emulator::throttle::{OpClass, Throttle};

const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) latency: Duration,
    pub(crate) state: Mutex<State>,
    pub(crate) persister: Option<Arc<Persister>>,
    /// Hands snapshots to the one writer task (`spawn_writer`); `None` without a state file.
    pub(crate) writer: Option<Writer>,
    pub(crate) throttle: Mutex<Throttle>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) log: Option<RequestLog>,
}

impl Shared {
    /// Writes the current state if it changed; used at shutdown, off the async threads.
    pub(crate) async fn flush(&self) -> Result<(), crate::emulator::EmulatorError> {
        let snapshot = lock(&self.state).snapshot();
        match (&self.persister, snapshot) {
            (Some(p), Some((generation, bytes))) => {
                let p = p.clone();
                tokio::task::spawn_blocking(move || p.write(generation, &bytes))
                    .await
                    .unwrap_or(Ok(()))
            }
            _ => Ok(()),
        }
    }
}

/// The request side of the single state writer: the newest snapshot waiting to be written, and
/// the outcome of the newest write (generation written or attempted, error text if it failed).
pub(crate) struct Writer {
    pending: watch::Sender<Option<(u64, Arc<Vec<u8>>)>>,
    done: watch::Receiver<(u64, Option<String>)>,
}

impl Writer {
    /// Queues a snapshot (newer ones supersede older ones not yet written) and waits until a
    /// snapshot at least this new is on disk, so an answer never promises state a crash could lose.
    async fn persist(&self, generation: u64, bytes: Vec<u8>) -> Result<(), String> {
        let bytes = Arc::new(bytes);
        self.pending.send_if_modified(|current| {
            if current.as_ref().is_some_and(|(g, _)| *g >= generation) {
                return false;
            }
            *current = Some((generation, bytes));
            true
        });
        let mut done = self.done.clone();
        let outcome = done
            .wait_for(|(written, _)| *written >= generation)
            .await
            .map_err(|_| "the state writer has stopped".to_string())?;
        match &outcome.1 {
            Some(err) => Err(err.clone()),
            None => Ok(()),
        }
    }
}

/// Starts the one task that writes state snapshots (atomically, newest wins, via `Persister`),
/// so request handlers never do blocking file I/O. It ends when the `Writer` is dropped.
pub(crate) fn spawn_writer(persister: Arc<Persister>) -> Writer {
    let (pending, mut next) = watch::channel::<Option<(u64, Arc<Vec<u8>>)>>(None);
    let (report, done) = watch::channel((0u64, None));
    tokio::spawn(async move {
        while next.changed().await.is_ok() {
            let Some((generation, bytes)) = next.borrow_and_update().clone() else {
                continue;
            };
            let p = persister.clone();
            let outcome = tokio::task::spawn_blocking(move || p.write(generation, &bytes)).await;
            let error = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(e) => Some(e.to_string()),
            };
            report.send_replace((generation, error));
        }
    });
    Writer { pending, done }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere must not wedge the emulator: the data is still consistent per request.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
pub(crate) struct Dropped;

pub(crate) async fn serve(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let Ok(stream) = acceptor.accept(tcp).await else {
                return;
            };
            let service = service_fn(move |req| handle(shared.clone(), req));
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

enum Outcome {
    Reply(Reply),
    Drop,
}

fn error_reply(err: &ArmError) -> Reply {
    let mut reply = Reply::json(err.status, err.body());
    if let Some(secs) = err.retry_after {
        reply.headers.push(("Retry-After".into(), secs.to_string()));
    }
    reply
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = Query::parse(req.uri().query());
    let headers = req.headers().clone();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let outcome = process(&shared, &method, &path, &query, &headers, &body).await;
    let api_version = query.get("api-version");
    let log = |status: Option<u16>, response_body: Option<&Value>| {
        if let Some(log) = &shared.log {
            log.write(&Entry {
                method: &method,
                path: &path,
                api_version,
                status,
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                request_body: &body,
                response_body,
            });
        }
    };
    let reply = match outcome {
        Outcome::Drop => {
            log(None, None);
            return Err(Dropped);
        }
        Outcome::Reply(reply) => reply,
    };
    log(Some(reply.status), reply.body.as_ref());
    Ok(to_response(reply, &headers))
}

/// The request's `x-ms-correlation-request-id`, or a new one (ARM answers with one either way).
fn correlation_of(request_headers: &HeaderMap) -> String {
    request_headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn to_response(reply: Reply, request_headers: &HeaderMap) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(reply.status)
        .header("x-ms-request-id", uuid::Uuid::new_v4().to_string());
    // A handled request already carries the correlation id its Activity Log events name.
    if !reply
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-ms-correlation-request-id"))
    {
        builder = builder.header(
            "x-ms-correlation-request-id",
            correlation_of(request_headers),
        );
    }
    builder = builder
        .header("Cache-Control", "no-cache")
        // ARM's clock: clients (the planner's run lock) compare expiry times against it.
        .header("Date", clock::http_date(clock::now_ms()));
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let bytes = match &reply.body {
        Some(body) => {
            builder = builder.header("Content-Type", "application/json; charset=utf-8");
            Bytes::from(serde_json::to_vec(body).unwrap_or_default())
        }
        None => Bytes::new(),
    };
    builder.body(Full::new(bytes)).unwrap_or_else(|_| {
        let mut fallback = Response::new(Full::new(Bytes::from_static(b"{\"error\":{\"code\":\"InternalServerError\",\"message\":\"invalid response header\"}}")));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

fn authenticate(headers: &HeaderMap, settings: &Settings) -> Result<(), Reply> {
    let tenant = &settings.tenant_id;
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // HTTP stacks trim trailing spaces, so `Bearer ` with an empty token may arrive as `Bearer`.
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("Bearer") => Some(rest.trim()),
        None if value.eq_ignore_ascii_case("Bearer") => Some(""),
        _ => None,
    };
    let (code, message) = match token {
        Some(t) if !t.is_empty() && !settings.strict_auth => return Ok(()),
        Some(t) if !t.is_empty() => match entra::check_arm_token(settings, t) {
            Ok(()) => return Ok(()),
            Err(e) => {
                let mut reply = error_reply(&e);
                reply.headers.push((
                    "WWW-Authenticate".into(),
                    format!("Bearer authorization_uri=\"{}/{tenant}\", error=\"invalid_token\", error_description=\"{}\"", settings.base_url, e.code),
                ));
                return Err(reply);
            }
        },
        Some(_) => ("InvalidAuthenticationToken", "The access token is invalid."),
        None if value.is_empty() => (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ),
        None => (
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        ),
    };
    let mut reply = error_reply(&ArmError::new(401, code, message));
    reply.headers.push((
        "WWW-Authenticate".into(),
        format!("Bearer authorization_uri=\"https://login.microsoftonline.com/{tenant}\", error=\"invalid_token\", error_description=\"{message}\""),
    ));
    Err(reply)
}

/// ARM's refusal of an api-version the type does not publish: `InvalidApiVersionParameter` for
/// Microsoft.Resources itself, `NoRegisteredProviderFound` for resource-provider types ("No
/// registered resource provider found for location '…' and API version '…' for type '…'. The
/// supported api-versions are '…'. The supported locations are '…'." — the ARM answer quoted in
/// Azure/azure-cli and azure-powershell issues for unpublished versions).
fn unsupported_api_version(kind: Kind, api_version: &str, body: &[u8]) -> ArmError {
    let supported = kind.api_versions();
    if kind == Kind::ResourceGroup {
        return ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{api_version}' is invalid. The supported versions are '{}'.",
                supported.join(",")
            ),
        );
    }
    let location = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|b| {
            b.get("location")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "global".to_string());
    let type_name = kind
        .arm_type()
        .split_once('/')
        .map(|(_, t)| t.to_string())
        .unwrap_or_default();
    ArmError::bad_request(
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for location '{location}' and API version '{api_version}' for type '{type_name}'. The supported api-versions are '{}'. The supported locations are '{}'.",
            supported.join(", "),
            SUPPORTED_LOCATIONS
        ),
    )
}

/// The regions the emulator answers for (any location is accepted on PUT).
const SUPPORTED_LOCATIONS: &str = "eastus, eastus2, westus2, westus3, northeurope, westeurope, swedencentral, uksouth, australiaeast, southeastasia";

async fn process(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &Query,
    headers: &HeaderMap,
    body: &[u8],
) -> Outcome {
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    // The Entra endpoints (token, discovery, managed identity) live next to ARM, unauthenticated.
    if entra::is_identity_path(path) {
        let answer = {
            let state = lock(&shared.state);
            entra::handle(&state, &shared.settings, method, path, query, headers, body)
        };
        if let Some(reply) = answer {
            return Outcome::Reply(reply);
        }
    }
    if let Err(reply) = authenticate(headers, &shared.settings) {
        return Outcome::Reply(reply);
    }
    // Names may hold any Unicode letter (resource groups do), which clients percent-encode.
    let decoded = route::decode_path(path);
    let route = match route::parse(&decoded) {
        Ok(route) => route,
        Err(e) => return Outcome::Reply(error_reply(&e)),
    };

    let effects = lock(&shared.faults).decide(method, route.kind(), &decoded);
    let mut lro_failure = None;
    let mut lro_duration_ms = None;
    let mut principal_window_override_ms = None;
    for effect in effects {
        match effect {
            Effect::Drop => return Outcome::Drop,
            Effect::Delay { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            Effect::Throttle { retry_after } => {
                let mut err = ArmError::new(
                    429,
                    "TooManyRequests",
                    "The request was throttled (injected fault). Please try again later.",
                );
                err.retry_after = Some(retry_after);
                return Outcome::Reply(error_reply(&err));
            }
            Effect::Error {
                status,
                code,
                message,
            } => {
                let code = code.unwrap_or_else(|| {
                    if status == 503 {
                        "ServiceUnavailable".into()
                    } else {
                        "InternalServerError".into()
                    }
                });
                let message = message.unwrap_or_else(|| "The service encountered an internal error (injected fault). Please try again later.".into());
                return Outcome::Reply(error_reply(&ArmError::new(status, &code, message)));
            }
            Effect::LroFailed { code, message } => {
                lro_failure = Some(Failure {
                    code: code.unwrap_or_else(|| "InternalOperationError".into()),
                    message: message
                        .unwrap_or_else(|| "The operation failed (injected fault).".into()),
                });
            }
            Effect::SlowOperation { ms } => lro_duration_ms = Some(ms),
            Effect::PrincipalNotFound { window_seconds } => {
                principal_window_override_ms = Some((window_seconds.max(0.0) * 1000.0) as u64);
            }
        }
    }

    let caller = Caller::from_authorization(
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    let class = OpClass::of_method(method);
    let subscription = path
        .split('/')
        .filter(|s| !s.is_empty())
        .nth(1)
        .unwrap_or("")
        .to_string();
    // Resource Graph is a tenant-level service with its own per-user quota, not ARM's
    // per-subscription buckets; its headers go on every answer, the 429 included.
    let mut quota = None;
    let taken = if route == Route::ResourceGraph {
        quota = lock(&shared.throttle).take_query(&caller.key, clock::now_ms());
        match quota {
            Some(q) if q.throttled => {
                let mut reply =
                    error_reply(&resource_graph::throttled(q.resets_after_ms.div_ceil(1000)));
                reply.headers.extend(q.headers());
                return Outcome::Reply(reply);
            }
            _ => Ok(None),
        }
    } else {
        lock(&shared.throttle).take(&subscription, class, clock::now_ms())
    };
    let remaining = match taken {
        Ok(remaining) => remaining,
        Err(wait) => {
            let mut err = ArmError::new(
                429,
                "SubscriptionRequestsThrottled",
                format!(
                    "Number of '{}' requests for subscription '{subscription}' actor 'azplan-emulator' exceeded. Please try again after '{wait}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling",
                    class.word()
                ),
            );
            err.retry_after = Some(wait);
            let mut reply = error_reply(&err);
            reply.headers.push((class.header().into(), "0".into()));
            return Outcome::Reply(reply);
        }
    };

    let api_version = query.get("api-version").unwrap_or("").to_string();
    if let Some(kind) = route.kind() {
        let supported = kind.api_versions();
        if api_version.is_empty() {
            return Outcome::Reply(error_reply(&ArmError::bad_request(
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )));
        }
        if !supported.contains(&api_version.as_str()) {
            return Outcome::Reply(error_reply(&unsupported_api_version(
                kind,
                &api_version,
                body,
            )));
        }
    }
    let parsed: Option<Value> = if body.is_empty() || !matches!(method, "PUT" | "PATCH" | "POST") {
        None
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => Some(v),
            Err(e) => return Outcome::Reply(error_reply(&ArmError::invalid_body(&e.to_string()))),
        }
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
    };
    let now = clock::now_ms();
    let correlation = correlation_of(headers);
    let activity = activity::subject(method, &route).map(|subject| {
        let request = RequestInfo {
            caller: caller.clone(),
            correlation_id: correlation.clone(),
            client_request_id: header("x-ms-client-request-id")
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            method: method.to_string(),
        };
        (subject, request)
    });
    let ctx = Ctx {
        now,
        path,
        settings: &shared.settings,
        api_version,
        query,
        if_match: header("if-match"),
        if_none_match: header("if-none-match"),
        lro_failure,
        lro_duration_ms,
        principal_window_override_ms,
        activity,
    };
    let (result, snapshot) = {
        let mut state = lock(&shared.state);
        state.settle(now);
        let mut result = handlers::dispatch(&mut state, &ctx, method, &route, parsed.as_ref());
        if let Ok(reply) = result.as_mut() {
            handlers::shape_for_version(route.kind(), &ctx.api_version, reply);
        }
        if let Some((subject, request)) = &ctx.activity {
            let status = match &result {
                Ok(reply) => reply.status,
                Err(e) => e.status,
            };
            activity::record(&mut state, &ctx, subject, request, status);
        }
        // Without a state file (or when it is written only at shutdown) nothing reads snapshots:
        // serialising the whole state after every change would only cost time.
        let snapshot = if shared.writer.is_some() {
            state.snapshot()
        } else {
            None
        };
        (result, snapshot)
    };
    if let (Some(writer), Some((generation, bytes))) = (&shared.writer, snapshot)
        && let Err(e) = writer.persist(generation, bytes).await
    {
        return Outcome::Reply(error_reply(&ArmError::new(
            500,
            "InternalServerError",
            format!("The emulator could not persist its state: {e}"),
        )));
    }
    let mut reply = match result {
        Ok(reply) => reply,
        Err(e) => error_reply(&e),
    };
    if reply.hold_ms > 0 {
        tokio::time::sleep(Duration::from_millis(reply.hold_ms)).await;
    }
    if let Some(remaining) = remaining {
        reply
            .headers
            .push((class.header().into(), remaining.to_string()));
    }
    if let Some(q) = quota {
        reply.headers.extend(q.headers());
    }
    reply
        .headers
        .push(("x-ms-correlation-request-id".into(), correlation));
    Outcome::Reply(reply)
}
