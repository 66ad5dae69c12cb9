//! One command's connection to ARM: the async runtime, the client for the chosen endpoint and
//! credential, and the in-process emulator behind `--local`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::arm::client::{ArmClient, Endpoint};
use crate::arm::credential;
use crate::arm::error::ArmError;
use crate::live::LiveState;
use crate::model::Stack;

/// Where to connect, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub endpoint: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub local: bool,
    pub verbose: bool,
}

pub struct Connection {
    pub runtime: tokio::runtime::Runtime,
    pub client: Arc<ArmClient>,
    emulator: Option<crate::emulator::RunningEmulator>,
    /// Where azplan is connected, for messages.
    pub place: String,
    /// Which credential it signs in with, for messages.
    pub credential: String,
}

/// What reading live state cost.
#[derive(Debug, Clone, Copy)]
pub struct ReadCost {
    pub resources: usize,
    pub requests: u64,
    pub throttled: u64,
    pub seconds: f64,
}

fn test_token() -> credential::Chosen {
    credential::Chosen {
        credential: Arc::new(credential::StaticToken("azplan-test-endpoint".into())),
        description: "a fixed test token".into(),
    }
}

impl Connection {
    pub fn open(target: &Target) -> Result<Connection, ArmError> {
        crate::arm::client::install_crypto_provider();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| ArmError::Setup(format!("cannot start the async runtime: {e}")))?;
        let mut endpoint = Endpoint::azure_public();
        let mut emulator = None;
        let credential = if target.local {
            let config = std::env::current_dir()
                .map_err(|e| e.to_string())
                .and_then(|dir| {
                    crate::emulator::EmulatorConfig::local(&dir).map_err(|e| e.to_string())
                })
                .map_err(|e| ArmError::Setup(format!("cannot prepare the local emulator: {e}")))?;
            let running = runtime
                .block_on(crate::emulator::Emulator::start(config))
                .map_err(|e| ArmError::Setup(format!("cannot start the local emulator: {e}")))?;
            endpoint.url = azure_core::http::Url::parse(running.endpoint())
                .map_err(|e| ArmError::Setup(e.to_string()))?;
            endpoint.ca_cert_pem = Some(running.ca_cert_pem().to_string());
            emulator = Some(running);
            test_token()
        } else {
            if let Some(url) = &target.endpoint {
                endpoint.url = azure_core::http::Url::parse(url).map_err(|e| {
                    ArmError::Setup(format!("--endpoint `{url}` is not a URL: {e}"))
                })?;
            }
            match &target.ca_cert {
                Some(path) => {
                    let pem = std::fs::read_to_string(path).map_err(|e| {
                        ArmError::Setup(format!("cannot read --ca-cert `{}`: {e}", path.display()))
                    })?;
                    // A custom authority (the emulator's own Entra endpoint, say) means sign in
                    // for real through the same CA; otherwise the fixed test token, which never
                    // sends a real Azure token to a local endpoint.
                    let credential = if std::env::var_os("AZURE_AUTHORITY_HOST").is_some() {
                        credential::choose(&credential::ProcessEnvironment, Some(&pem))?
                    } else {
                        test_token()
                    };
                    endpoint.ca_cert_pem = Some(pem);
                    credential
                }
                None => credential::choose(&credential::ProcessEnvironment, None)?,
            }
        };
        let place = if emulator.is_some() {
            "the built-in emulator (.azplan/local/)".to_string()
        } else {
            endpoint.url.to_string()
        };
        let client = Arc::new(ArmClient::new(endpoint, credential.credential)?);
        Ok(Connection {
            runtime,
            client,
            emulator,
            place,
            credential: credential.description,
        })
    }

    /// Reads the stack's live state, and what it cost.
    pub fn read(&self, stack: &Stack) -> Result<(LiveState, ReadCost), Vec<ArmError>> {
        self.read_for(stack, crate::arm::read::Going::Undeclared)
    }

    /// Reads the stack's live state for a plan of `going` deletes, and what it cost.
    pub fn read_for(
        &self,
        stack: &Stack,
        going: crate::arm::read::Going,
    ) -> Result<(LiveState, ReadCost), Vec<ArmError>> {
        let started = std::time::Instant::now();
        let before = self.client.counters.requests.load(Ordering::Relaxed);
        let live = self.runtime.block_on(crate::arm::read::read_live_for(
            self.client.clone(),
            stack,
            going,
        ))?;
        let cost = ReadCost {
            resources: live.len(),
            requests: self.client.counters.requests.load(Ordering::Relaxed) - before,
            throttled: self.client.counters.throttled.load(Ordering::Relaxed),
            seconds: started.elapsed().as_secs_f64(),
        };
        Ok((live, cost))
    }

    /// Stops the in-process emulator (after its state is saved).
    pub fn close(self) {
        if let Some(running) = self.emulator {
            let _ = self.runtime.block_on(running.shutdown());
        }
    }
}
