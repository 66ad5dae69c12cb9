//! The ARM client: azure_core's HTTP pipeline (bearer-token policy, our reqwest transport), JSON
//! bodies, paging, pacing within ARM's budgets and retries that honour Retry-After. A GET 404 is
//! "absent", not an error.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, PipelineSendOptions, RawResponse, Request,
    RetryOptions, Transport, Url,
};
use rustls_pki_types::pem::PemObject;
use serde_json::Value;

use super::error::{ArmError, help_for, parse_error_body};
use super::pacer::{Budget, Pacer};

/// Where ARM is and how to trust it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: Url,
    /// PEM of an extra root to trust (the emulator's certificate).
    pub ca_cert_pem: Option<String>,
}

impl Endpoint {
    pub fn azure_public() -> Endpoint {
        Endpoint {
            url: Url::parse("https://management.azure.com").expect("a valid URL"),
            ca_cert_pem: None,
        }
    }

    /// The token scope for this endpoint: `<endpoint>/.default`.
    fn scope(&self) -> String {
        format!("{}/.default", self.url.as_str().trim_end_matches('/'))
    }
}

/// Counts requests by kind, for `-v` summaries and benchmarks.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: std::sync::atomic::AtomicU64,
    pub throttled: std::sync::atomic::AtomicU64,
    pub retries: std::sync::atomic::AtomicU64,
}

pub struct ArmClient {
    pipeline: Pipeline,
    endpoint: Endpoint,
    pacer: Pacer,
    pub counters: Counters,
    max_attempts: u32,
}

/// A response as azplan needs it: status, headers it reads, JSON body.
#[derive(Debug, Clone)]
pub struct ArmResponse {
    pub status: u16,
    pub body: Option<Value>,
    pub retry_after: Option<Duration>,
    pub azure_async_operation: Option<String>,
    pub location: Option<String>,
    /// ARM's `Date` header: the service's clock, which the run lock measures time by.
    pub date: Option<String>,
}

impl ArmClient {
    pub fn new(
        endpoint: Endpoint,
        credential: Arc<dyn TokenCredential>,
    ) -> Result<ArmClient, ArmError> {
        let http = http_client(endpoint.ca_cert_pem.as_deref())?;
        let options = ClientOptions {
            transport: Some(Transport::new(Arc::new(http))),
            // azplan retries itself: it must see 429s to pace, and decide per operation.
            retry: RetryOptions::none(),
            ..ClientOptions::default()
        };
        let auth = Arc::new(BearerTokenAuthorizationPolicy::new(
            credential,
            [endpoint.scope()],
        ));
        let pipeline = Pipeline::new(
            Some(env!("CARGO_PKG_NAME")),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            vec![auth],
            None,
        );
        Ok(ArmClient {
            pipeline,
            endpoint,
            pacer: Pacer::default(),
            counters: Counters::default(),
            max_attempts: 8,
        })
    }

    /// Drops client-side pacing: for seeding test endpoints, never for Azure.
    pub fn unpaced(mut self) -> ArmClient {
        self.pacer = Pacer::unlimited();
        self
    }

    pub fn url(&self, path: &str, api_version: &str) -> Result<Url, ArmError> {
        let mut url = self
            .endpoint
            .url
            .join(path.trim_start_matches('/'))
            .map_err(|e| ArmError::Setup(format!("invalid resource path `{path}`: {e}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        Ok(url)
    }

    /// GET a resource; `None` when ARM says it does not exist.
    pub async fn get(&self, id: &str, api_version: &str) -> Result<Option<Value>, ArmError> {
        let url = self.url(id, api_version)?;
        let response = self.send(Method::Get, url, None, "read", id).await?;
        match response.status {
            404 => Ok(None),
            _ => Ok(response.body),
        }
    }

    /// Every item of a LIST, following `nextLink`.
    pub async fn list(&self, path: &str, api_version: &str) -> Result<Vec<Value>, ArmError> {
        let mut url = self.url(path, api_version)?;
        let mut items = Vec::new();
        // A service that answers with its own nextLink again (or pages without end) must not
        // keep a run reading and growing: each link once, and at most this many pages.
        const MAX_PAGES: usize = 10_000;
        let mut seen = std::collections::HashSet::new();
        loop {
            if !seen.insert(url.to_string()) || seen.len() > MAX_PAGES {
                return Err(ArmError::Response {
                    operation: "list".into(),
                    resource: path.into(),
                    message: format!(
                        "paging does not end (a nextLink repeats, or more than {MAX_PAGES} pages)"
                    ),
                });
            }
            let response = self.send(Method::Get, url, None, "list", path).await?;
            if response.status == 404 {
                return Ok(items);
            }
            let body = response.body.unwrap_or(Value::Null);
            if let Some(page) = body.get("value").and_then(Value::as_array) {
                items.extend(page.iter().cloned());
            }
            match body.get("nextLink").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => {
                    url = Url::parse(next).map_err(|e| ArmError::Response {
                        operation: "list".into(),
                        resource: path.into(),
                        message: format!("bad nextLink: {e}"),
                    })?;
                }
                _ => return Ok(items),
            }
        }
    }

    /// Sends one request with pacing and retries. Non-2xx answers other than a GET 404 become
    /// errors naming the resource, the operation and ARM's code and message.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        operation: &str,
        resource: &str,
    ) -> Result<ArmResponse, ArmError> {
        self.send_if(method, url, body, &[], operation, resource)
            .await
    }

    /// Sends a request with conditional headers (`if-match`, `if-none-match`). A failed
    /// precondition is an `ArmError::Service` with status 412.
    pub async fn send_if(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        conditions: &[(&'static str, String)],
        operation: &str,
        resource: &str,
    ) -> Result<ArmResponse, ArmError> {
        let budget = match method {
            Method::Get | Method::Head => Budget::Read,
            Method::Delete => Budget::Delete,
            _ => Budget::Write,
        };
        self.send_paced(method, url, body, conditions, budget, operation, resource)
            .await
    }

    /// Every row a Resource Graph query answers, following `$skipToken` (operation `Resources`
    /// of resourcegraph.json 2024-04-01; examples ResourcesFirstPageQuery and
    /// ResourcesNextPageQuery: a page of at most 1,000 rows, the next asked for with the token).
    /// Paced by the user's Resource Graph quota, not by ARM's read budget.
    pub async fn resource_graph(
        &self,
        subscriptions: &[String],
        query: &str,
    ) -> Result<Vec<Value>, ArmError> {
        let graph = crate::kind::resource_graph_type();
        let path = format!("/providers/{}", graph.path);
        // Rows carry whole `properties`, and Resource Graph refuses answers over 16 MiB
        // (`ResponsePayloadTooLarge`): pages of 500 rows, halved (from the start) when refused.
        let mut top: u32 = 500;
        'pages: loop {
            let mut rows = Vec::new();
            let mut token: Option<String> = None;
            let mut seen = std::collections::HashSet::new();
            const MAX_PAGES: usize = 10_000;
            for _ in 0..MAX_PAGES {
                let mut options = serde_json::json!({ "$top": top, "resultFormat": "objectArray" });
                if let Some(token) = &token {
                    options["$skipToken"] = Value::String(token.clone());
                }
                let request = serde_json::json!({
                    "subscriptions": subscriptions,
                    "query": query,
                    "options": options,
                });
                let url = self.url(&path, graph.api_version)?;
                let answer = match self
                    .send_paced(
                        Method::Post,
                        url,
                        Some(&request),
                        &[],
                        Budget::Graph,
                        "query",
                        "Azure Resource Graph",
                    )
                    .await
                {
                    Err(ArmError::Service {
                        status: 400, code, ..
                    }) if code == "ResponsePayloadTooLarge" && top > 10 => {
                        top /= 2;
                        continue 'pages;
                    }
                    other => other?,
                };
                let body = answer.body.unwrap_or(Value::Null);
                match body.get("data") {
                    Some(Value::Array(page)) => rows.extend(page.iter().cloned()),
                    _ => {
                        return Err(graph_answer(
                            "the answer has no `data` array (objectArray format)",
                        ));
                    }
                }
                // A string in the 2024-04-01 examples; a boolean is read the same.
                let truncated = matches!(body.get("resultTruncated"), Some(Value::Bool(true)))
                    || body.get("resultTruncated").and_then(Value::as_str) == Some("true");
                match body.get("$skipToken").and_then(Value::as_str) {
                    Some(next) if !next.is_empty() => {
                        if !seen.insert(next.to_string()) {
                            return Err(graph_answer("paging does not end (a $skipToken repeats)"));
                        }
                        token = Some(next.to_string());
                    }
                    _ if truncated => {
                        return Err(graph_answer(
                            "the answer was truncated without a $skipToken",
                        ));
                    }
                    _ => return Ok(rows),
                }
            }
            return Err(graph_answer(&format!(
                "paging does not end (more than {MAX_PAGES} pages)"
            )));
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_paced(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        conditions: &[(&'static str, String)],
        budget: Budget,
        operation: &str,
        resource: &str,
    ) -> Result<ArmResponse, ArmError> {
        let payload = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pacer.acquire(budget).await;
            let mut request = Request::new(url.clone(), method);
            request.insert_header("accept", "application/json");
            for (name, value) in conditions {
                request.insert_header(*name, value.clone());
            }
            if let Some(payload) = &payload {
                request.insert_header("content-type", "application/json");
                request.set_body(payload.clone());
            }
            self.counters
                .requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::debug!(method = ?method, url = %url.path(), attempt, "ARM request");
            let options = PipelineSendOptions {
                skip_checks: true,
                ..PipelineSendOptions::default()
            };
            let sent = self
                .pipeline
                .send(&Context::default(), &mut request, Some(options))
                .await;
            let response = match sent {
                Ok(response) => response,
                Err(e) if attempt < self.max_attempts && is_transient(&e) => {
                    self.counters
                        .retries
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::debug!(error = %e, "transient failure; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    continue;
                }
                Err(e) => {
                    return Err(ArmError::Transport {
                        operation: operation.into(),
                        resource: resource.into(),
                        message: e.to_string(),
                    });
                }
            };
            let parsed = self.read(response, budget, operation, resource).await?;
            let status = parsed.status;
            let retryable =
                status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
            if retryable && attempt < self.max_attempts {
                if status == 429 {
                    self.counters
                        .throttled
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                self.counters
                    .retries
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let wait = parsed
                    .retry_after
                    .unwrap_or_else(|| backoff(attempt))
                    .min(Duration::from_secs(120));
                tracing::debug!(status, ?wait, "ARM asked to retry");
                tokio::time::sleep(wait).await;
                continue;
            }
            if (200..300).contains(&status) || (status == 404 && method == Method::Get) {
                return Ok(parsed);
            }
            let raw = parsed
                .body
                .as_ref()
                .map(|b| b.to_string())
                .unwrap_or_default();
            let (code, message) = parse_error_body(raw.as_bytes());
            return Err(ArmError::Service {
                operation: operation.into(),
                resource: resource.into(),
                status,
                help: help_for(&code),
                code,
                message,
            });
        }
    }

    async fn read(
        &self,
        response: RawResponse,
        budget: Budget,
        operation: &str,
        resource: &str,
    ) -> Result<ArmResponse, ArmError> {
        let status = u16::from(response.status());
        let headers = response.headers();
        let header = |name: &'static str| {
            headers
                .get_optional_str(&azure_core::http::headers::HeaderName::from_static(name))
                .map(str::to_string)
        };
        let remaining_name = match budget {
            Budget::Read => Some("x-ms-ratelimit-remaining-subscription-reads"),
            Budget::Write => Some("x-ms-ratelimit-remaining-subscription-writes"),
            Budget::Delete => Some("x-ms-ratelimit-remaining-subscription-deletes"),
            Budget::Graph => None,
        };
        if let Some(remaining) = remaining_name
            .and_then(header)
            .and_then(|r| r.parse::<f64>().ok())
        {
            self.pacer.observe_remaining(budget, remaining).await;
        }
        // Resource Graph reports the user's quota on every answer, a 429 included.
        let graph_reset = header("x-ms-user-quota-resets-after")
            .as_deref()
            .and_then(parse_hms);
        if budget == Budget::Graph
            && let (Some(remaining), Some(reset)) = (
                header("x-ms-user-quota-remaining").and_then(|r| r.trim().parse::<u32>().ok()),
                graph_reset,
            )
        {
            self.pacer.observe_graph_quota(remaining, reset).await;
        }
        let retry_after = header("retry-after")
            .and_then(|r| r.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
            // The reset has a one-second resolution: `00:00:00` still means "not yet".
            .or(graph_reset
                .filter(|_| budget == Budget::Graph)
                .map(|d| d.max(Duration::from_secs(1))));
        let azure_async_operation = header("azure-asyncoperation");
        let location = header("location");
        let date = header("date");
        let bytes = response.into_body();
        let body = if bytes.is_empty() {
            None
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(value) => Some(value),
                Err(e) if (200..300).contains(&status) => {
                    return Err(ArmError::Response {
                        operation: operation.into(),
                        resource: resource.into(),
                        message: e.to_string(),
                    });
                }
                Err(_) => Some(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
            }
        };
        Ok(ArmResponse {
            status,
            body,
            retry_after,
            azure_async_operation,
            location,
            date,
        })
    }
}

fn graph_answer(message: &str) -> ArmError {
    ArmError::Response {
        operation: "query".into(),
        resource: "Azure Resource Graph".into(),
        message: message.into(),
    }
}

/// `hh:mm:ss`, the form of `x-ms-user-quota-resets-after` (Learn, "Guidance for throttled
/// requests in Azure Resource Graph").
fn parse_hms(text: &str) -> Option<Duration> {
    let mut parts = text.trim().split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    parts
        .next()
        .is_none()
        .then(|| Duration::from_secs(h * 3600 + m * 60 + s))
}

/// The HTTP client azplan talks to ARM (and, for a custom authority, to Entra) with: the public
/// roots, plus `ca_cert_pem` when given (the emulator's CA).
pub fn http_client(ca_cert_pem: Option<&str>) -> Result<reqwest::Client, ArmError> {
    install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = ca_cert_pem {
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert =
                cert.map_err(|e| ArmError::Setup(format!("cannot read the CA certificate: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| ArmError::Setup(format!("cannot trust the CA certificate: {e}")))?;
        }
    }
    let tls = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(32)
        .build()
        .map_err(|e| ArmError::Setup(format!("cannot build the HTTP client: {e}")))
}

/// Every HTTP client in the process (ours and the credentials' own) uses ring; it must be
/// installed before any of them is built. Idempotent.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn is_transient(error: &azure_core::Error) -> bool {
    matches!(
        error.kind(),
        azure_core::error::ErrorKind::Io | azure_core::error::ErrorKind::Connection
    )
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << attempt.min(6)))
}
