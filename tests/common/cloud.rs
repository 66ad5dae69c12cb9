//! The emulator, started in the test process, and the real `azplan` binary pointed at it over
//! HTTPS: shared by the tests that apply and destroy (`#[path]`-included, so each test binary
//! compiles only what it uses).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use azplan::arm::client::{ArmClient, Endpoint};
use azplan::arm::credential::StaticToken;
use azplan::emulator::{Emulator, EmulatorConfig, FaultPlan, RunningEmulator};

/// Whether a request path addresses the run lock (its group, zone or record).
pub fn is_lock(path: &str) -> bool {
    path.to_ascii_lowercase()
        .contains("/resourcegroups/azplan-locks")
}

pub struct Cloud {
    pub runtime: tokio::runtime::Runtime,
    pub emulator: Option<RunningEmulator>,
    pub dir: PathBuf,
    /// What the emulator was started with, to start it again (`edit_state`).
    pub config: EmulatorConfig,
    pub ca: PathBuf,
}

impl Cloud {
    pub fn start(name: &str, faults: Option<&str>) -> Cloud {
        Cloud::start_scaled(name, faults, 0.002)
    }

    pub fn start_scaled(name: &str, faults: Option<&str>, time_scale: f64) -> Cloud {
        Cloud::start_config(name, faults, time_scale, |_| {})
    }

    /// A cloud whose emulator configuration `tune` adjusts (strict sign-in, say).
    pub fn start_config(
        name: &str,
        faults: Option<&str>,
        time_scale: f64,
        tune: impl FnOnce(&mut EmulatorConfig),
    ) -> Cloud {
        let dir =
            std::env::temp_dir().join(format!("azplan-lifecycle-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = EmulatorConfig {
            state_file: Some(dir.join("state.json")),
            request_log: Some(dir.join("requests.jsonl")),
            ca_cert_file: Some(dir.join("ca.pem")),
            time_scale,
            principal_window: Duration::from_secs(30),
            faults: faults
                .map(|f| FaultPlan::parse(f).expect("valid faults"))
                .unwrap_or_default(),
            ..EmulatorConfig::default()
        };
        let mut config = config;
        tune(&mut config);
        let emulator = runtime
            .block_on(Emulator::start(config.clone()))
            .expect("the emulator starts");
        let ca = emulator.ca_cert_path().to_path_buf();
        Cloud {
            runtime,
            emulator: Some(emulator),
            dir,
            config,
            ca,
        }
    }

    /// Changes what Azure holds behind ARM's back (what a target's owner does to a private
    /// endpoint's connection, say): the emulator stops, `edit` changes its saved state, and it
    /// starts again from it.
    pub fn edit_state(&mut self, edit: impl FnOnce(&mut serde_json::Value)) {
        if let Some(e) = self.emulator.take() {
            self.runtime
                .block_on(e.shutdown())
                .expect("the emulator stops");
        }
        let path = self.dir.join("state.json");
        let mut state: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("the state file")).unwrap();
        edit(&mut state);
        std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
        let emulator = self
            .runtime
            .block_on(Emulator::start(self.config.clone()))
            .expect("the emulator starts again");
        self.ca = emulator.ca_cert_path().to_path_buf();
        self.emulator = Some(emulator);
    }

    pub fn endpoint(&self) -> String {
        self.emulator.as_ref().unwrap().endpoint().to_string()
    }

    pub fn azplan(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("azplan runs")
    }

    /// Like `azplan`, with the environment variable `name` set to `value`, or unset for `None`
    /// (a secret the spec reads from the environment).
    pub fn azplan_env(&self, args: &[&str], name: &str, value: Option<&str>) -> Output {
        let mut command = self.command(args);
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
        command.output().expect("azplan runs")
    }

    fn command(&self, args: &[&str]) -> Command {
        let endpoint = self.endpoint();
        let mut all: Vec<&str> = args.to_vec();
        all.extend([
            "--endpoint",
            &endpoint,
            "--ca-cert",
            self.ca.to_str().unwrap(),
        ]);
        let mut command = Command::new(env!("CARGO_BIN_EXE_azplan"));
        command
            .args(&all)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1");
        command
    }

    /// Requests in the emulator's log, by method, from line `from` on.
    pub fn requests(&self, from: usize) -> (usize, Vec<(String, String)>) {
        let text = std::fs::read_to_string(self.dir.join("requests.jsonl")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let entries = lines[from.min(lines.len())..]
            .iter()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["method"].as_str().unwrap_or("").to_string(),
                    v["path"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        (lines.len(), entries)
    }
}

impl Drop for Cloud {
    fn drop(&mut self) {
        if let Some(e) = self.emulator.take() {
            let _ = self.runtime.block_on(e.shutdown());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

impl Cloud {
    /// A client of the emulator (the library's own, through azure_core over HTTPS), for
    /// putting things in place that no stack owns.
    pub fn client(&self) -> ArmClient {
        let emulator = self.emulator.as_ref().unwrap();
        let endpoint = Endpoint {
            url: azure_core::http::Url::parse(emulator.endpoint()).unwrap(),
            ca_cert_pem: Some(emulator.ca_cert_pem().to_string()),
        };
        azplan::arm::client::install_crypto_provider();
        ArmClient::new(endpoint, Arc::new(StaticToken("test".into()))).unwrap()
    }

    /// PUTs a body and waits until the resource's provisioning state is terminal.
    pub fn put(&self, id: &str, api_version: &str, body: serde_json::Value) -> serde_json::Value {
        let client = self.client();
        self.runtime.block_on(async {
            let url = client.url(id, api_version).unwrap();
            let response = client
                .send(
                    azure_core::http::Method::Put,
                    url,
                    Some(&body),
                    "test put",
                    id,
                )
                .await
                .unwrap_or_else(|e| panic!("PUT {id}: {e}"));
            assert!(response.status < 300, "PUT {id}: {}", response.status);
            for _ in 0..600 {
                if let Some(now) = client.get(id, api_version).await.unwrap() {
                    let state = now["properties"]["provisioningState"]
                        .as_str()
                        .unwrap_or("Succeeded");
                    if !matches!(state, "Creating" | "Updating" | "Accepted" | "Provisioning") {
                        return now;
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            panic!("{id} never settled")
        })
    }

    /// Sends a request and returns the status without waiting for any operation.
    pub fn send(&self, method: azure_core::http::Method, id: &str, api_version: &str) -> u16 {
        let client = self.client();
        self.runtime.block_on(async {
            let url = client.url(id, api_version).unwrap();
            client
                .send(method, url, None, "test", id)
                .await
                .map(|r| r.status)
                .unwrap_or_else(|e| panic!("{id}: {e}"))
        })
    }

    /// Like `send`, with ARM's refusal as an error instead of a panic.
    pub fn try_send(
        &self,
        method: azure_core::http::Method,
        id: &str,
        api_version: &str,
    ) -> Result<u16, String> {
        let client = self.client();
        self.runtime.block_on(async {
            let url = client.url(id, api_version).unwrap();
            client
                .send(method, url, None, "test", id)
                .await
                .map(|r| r.status)
                .map_err(|e| e.to_string())
        })
    }

    /// The resource as ARM returns it now (`None` when absent).
    pub fn get(&self, id: &str, api_version: &str) -> Option<serde_json::Value> {
        let client = self.client();
        self.runtime.block_on(client.get(id, api_version)).unwrap()
    }
}
