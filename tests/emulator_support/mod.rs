//! Shared by the emulator test binaries: start an emulator in-process, talk to it over real HTTPS
//! trusting only its generated CA, and follow ARM's LRO headers to the end.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use azplan::emulator::{Emulator, EmulatorConfig, RunningEmulator};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};

pub const SUB: &str = "00000000-0000-0000-0000-000000000000";

/// Fast enough that an AKS create (6 min realistic) takes well under a second.
pub const FAST: f64 = 0.0005;

pub fn fast_config() -> EmulatorConfig {
    EmulatorConfig {
        time_scale: FAST,
        ..EmulatorConfig::default()
    }
}

pub async fn start(config: EmulatorConfig) -> (RunningEmulator, Client) {
    let emu = Emulator::start(config).await.expect("emulator starts");
    let client = Client::new(&emu, Some("test-token"));
    (emu, client)
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn state(&self) -> &str {
        self.body["properties"]["provisioningState"]
            .as_str()
            .unwrap_or("")
    }
}

#[derive(Clone)]
pub struct Client {
    endpoint: String,
    addr: String,
    connector: TlsConnector,
    token: Option<String>,
}

impl Client {
    pub fn new(emu: &RunningEmulator, token: Option<&str>) -> Client {
        Client::connect(emu.endpoint(), emu.ca_cert_pem(), token)
    }

    /// A client for an emulator known only by its ready line (endpoint + CA PEM).
    pub fn connect(endpoint: &str, ca_pem: &str, token: Option<&str>) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots.add(cert.expect("PEM parses")).expect("CA accepted");
        }
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        let endpoint = endpoint.to_string();
        Client {
            addr: endpoint.trim_start_matches("https://").to_string(),
            endpoint,
            connector: TlsConnector::from(Arc::new(config)),
            token: token.map(str::to_string),
        }
    }

    pub fn without_token(&self) -> Client {
        Client {
            token: None,
            ..self.clone()
        }
    }

    pub fn with_token(&self, token: &str) -> Client {
        Client {
            token: Some(token.to_string()),
            ..self.clone()
        }
    }

    /// One request on a fresh TLS connection; `Err` when the connection fails or is dropped.
    pub async fn try_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Resp, String> {
        self.try_call_with(method, path, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        self.try_call_with(method, path, body, headers)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn try_call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Resp, String> {
        let path = path.strip_prefix(&self.endpoint).unwrap_or(path);
        let tcp = tokio::net::TcpStream::connect(&self.addr)
            .await
            .map_err(|e| e.to_string())?;
        let name = ServerName::try_from("127.0.0.1").map_err(|e| e.to_string())?;
        let tls = self
            .connector
            .connect(name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.addr);
        if let Some(token) = &self.token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let bytes = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(b).map_err(|e| e.to_string())?)
            }
            None => Bytes::new(),
        };
        let resp = sender
            .send_request(req.body(Full::new(bytes)).map_err(|e| e.to_string())?)
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let raw = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&raw).map_err(|e| e.to_string())?
        };
        Ok(Resp {
            status,
            headers,
            body,
        })
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.call("PUT", path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.call("PATCH", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None).await
    }

    /// Follows Azure-AsyncOperation (preferred) or Location until the operation ends, as the Azure
    /// SDKs do; returns the terminal status document or final Location response.
    pub async fn wait(&self, resp: &Resp) -> Resp {
        for _ in 0..2000 {
            if let Some(url) = resp.header("azure-asyncoperation") {
                let status = self.get(url).await;
                assert_eq!(
                    status.status, 200,
                    "status URL answers 200: {:?}",
                    status.body
                );
                let word = status.body["status"].as_str().unwrap_or("");
                if matches!(word, "Succeeded" | "Failed" | "Canceled") {
                    return status;
                }
            } else if let Some(url) = resp.header("location") {
                let polled = self.get(url).await;
                if polled.status != 202 {
                    return polled;
                }
            } else {
                panic!("no polling header on {}: {:?}", resp.status, resp.headers);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("operation did not finish");
    }

    /// PUT and, for LRO types, wait for Succeeded; returns the final GET.
    pub async fn create(&self, path: &str, body: &Value) -> Resp {
        let resp = self.put(path, body).await;
        assert!(
            // 202: an accepted create with no body (StorageAccounts_Create).
            matches!(resp.status, 200..=202),
            "PUT {path}: {} {}",
            resp.status,
            resp.body
        );
        if resp.header("azure-asyncoperation").is_some() || resp.header("location").is_some() {
            let done = self.wait(&resp).await;
            assert_ne!(done.body["status"], "Failed", "{path}: {}", done.body);
        }
        for _ in 0..2000 {
            let got = self.get(path).await;
            assert_eq!(got.status, 200, "GET {path}: {}", got.body);
            if !matches!(
                got.state(),
                "Creating" | "Updating" | "Accepted" | "Deleting"
            ) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("{path} never finished provisioning");
    }
}

/// One keep-alive connection, for benchmarks.
pub struct Session {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    host: String,
    token: String,
}

impl Client {
    pub async fn session(&self) -> Session {
        let tcp = tokio::net::TcpStream::connect(&self.addr)
            .await
            .expect("connect");
        let name = ServerName::try_from("127.0.0.1").expect("server name");
        let tls = self.connector.connect(name, tcp).await.expect("TLS");
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        Session {
            sender,
            host: self.addr.clone(),
            token: self.token.clone().unwrap_or_default(),
        }
    }
}

impl Session {
    pub async fn get_status(&mut self, path: &str) -> u16 {
        self.sender.ready().await.expect("connection ready");
        let req = hyper::Request::builder()
            .method("GET")
            .uri(path)
            .header("host", &self.host)
            .header("authorization", format!("Bearer {}", self.token))
            .body(Full::new(Bytes::new()))
            .expect("request");
        let resp = self.sender.send_request(req).await.expect("response");
        let status = resp.status().as_u16();
        resp.into_body().collect().await.expect("body");
        status
    }
}

pub fn rg(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}

pub fn url(path: &str, api: &str) -> String {
    if path.contains('?') {
        format!("{path}&api-version={api}")
    } else {
        format!("{path}?api-version={api}")
    }
}

/// Creates (or updates) a resource group in westeurope and returns its id.
pub async fn group(c: &Client, name: &str) -> String {
    let r = c
        .put(
            &url(&rg(name), "2025-04-01"),
            &json!({"location": "westeurope"}),
        )
        .await;
    assert!(matches!(r.status, 200 | 201), "{}", r.body);
    rg(name)
}

pub fn res(group: &str, provider_path: &str) -> String {
    format!("{group}/providers/{provider_path}")
}
