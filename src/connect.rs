//! One command's connection to ARM: the async runtime, the client for the chosen endpoint and
//! credential, and the in-process emulator behind `--local`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::arm::client::{ArmClient, Endpoint};
use crate::arm::credential;
use crate::arm::error::ArmError;
use crate::arm::read::{Reader, Strategy};
use crate::live::LiveState;
use crate::model::Stack;

/// Where to connect, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub endpoint: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub local: bool,
    pub verbose: bool,
    /// How live state is read (`--read`).
    pub read: crate::arm::read::ReadMode,
    /// Drop client-side pacing (`--no-pacing`): for emulators only, refused against Azure.
    pub no_pacing: bool,
}

pub struct Connection {
    pub runtime: tokio::runtime::Runtime,
    pub client: Arc<ArmClient>,
    emulator: Option<crate::emulator::RunningEmulator>,
    /// Where azplan is connected, for messages.
    pub place: String,
    /// Which credential it signs in with, for messages.
    pub credential: String,
    pub read_mode: crate::arm::read::ReadMode,
}

/// What reading live state cost.
#[derive(Debug, Clone, Copy)]
pub struct ReadCost {
    pub resources: usize,
    pub requests: u64,
    pub throttled: u64,
    pub seconds: f64,
    pub strategy: Option<Strategy>,
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
        // Before any credential is looked for: pacing is what keeps a run inside ARM's budgets,
        // which Azure enforces for the whole subscription (other runs and people included).
        if target.no_pacing && !target.local {
            let url = match &target.endpoint {
                Some(url) => azure_core::http::Url::parse(url).map_err(|e| {
                    ArmError::Setup(format!("--endpoint `{url}` is not a URL: {e}"))
                })?,
                None => Endpoint::azure_public().url,
            };
            if is_azure(&url) {
                return Err(ArmError::Setup(format!(
                    "--no-pacing is for emulators only: {url} is Azure, where unpaced requests spend the subscription's shared budget and meet 429s"
                )));
            }
        }
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
        let mut client = ArmClient::new(endpoint, credential.credential)?;
        if target.no_pacing {
            client = client.unpaced();
        }
        Ok(Connection {
            runtime,
            client: Arc::new(client),
            emulator,
            place,
            credential: credential.description,
            read_mode: target.read,
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
        self.read_with(&self.reader(), stack, going)
    }

    /// A reader for a run that writes (`apply`, `destroy`): Resource Graph lags ARM by seconds,
    /// and what apply leaves alone is decided by what it reads, so `auto` reads ARM's LISTs;
    /// only an explicit `--read graph` asks Resource Graph.
    pub fn reader_for_writes(&self) -> Reader {
        let mode = match self.read_mode {
            crate::arm::read::ReadMode::Auto => crate::arm::read::ReadMode::List,
            mode => mode,
        };
        Reader::new(self.client.clone(), mode)
    }

    /// A reader for one read phase (the stacks of one command share it; never reuse it after
    /// a write, it remembers what it read).
    pub fn reader(&self) -> Reader {
        Reader::new(self.client.clone(), self.read_mode)
    }

    /// Reads the stack's live state through `reader`, and what it cost.
    pub fn read_with(
        &self,
        reader: &Reader,
        stack: &Stack,
        going: crate::arm::read::Going,
    ) -> Result<(LiveState, ReadCost), Vec<ArmError>> {
        let started = std::time::Instant::now();
        let before = self.client.counters.requests.load(Ordering::Relaxed);
        let throttled_before = self.client.counters.throttled.load(Ordering::Relaxed);
        let live = self
            .runtime
            .block_on(crate::arm::read::read_live_with(reader, stack, going))?;
        let strategy = *reader
            .last_strategy
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let cost = ReadCost {
            resources: live.len(),
            requests: self.client.counters.requests.load(Ordering::Relaxed) - before,
            throttled: self.client.counters.throttled.load(Ordering::Relaxed) - throttled_before,
            seconds: started.elapsed().as_secs_f64(),
            strategy,
        };
        Ok((live, cost))
    }

    /// Reads the live state of several stacks with one reader: one budget, one set of LISTs per
    /// subscription, one Resource Graph query for all of them.
    pub fn prefetch(&self, reader: &Reader, stacks: &[&Stack]) {
        self.runtime.block_on(reader.prefetch(stacks));
    }

    /// Stops the in-process emulator (after its state is saved).
    pub fn close(self) {
        if let Some(running) = self.emulator {
            let _ = self.runtime.block_on(running.shutdown());
        }
    }
}

/// Whether an endpoint is one of Azure's own clouds (public, US Government, China), where
/// client-side pacing must stay on.
fn is_azure(url: &azure_core::http::Url) -> bool {
    // `management.azure.com.` (a fully qualified name) is the same host.
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    [
        "management.azure.com",
        ".azure.com",
        ".azure.us",
        ".usgovcloudapi.net",
        ".chinacloudapi.cn",
        ".azure.cn",
    ]
    .iter()
    .any(|suffix| host == suffix.trim_start_matches('.') || host.ends_with(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_clouds_are_told_from_emulators() {
        for azure in [
            "https://management.azure.com/",
            "https://management.usgovcloudapi.net/",
            "https://management.chinacloudapi.cn/",
            "https://management.azure.com./",
        ] {
            assert!(
                is_azure(&azure_core::http::Url::parse(azure).unwrap()),
                "{azure}"
            );
        }
        for emulator in [
            "https://127.0.0.1:8443/",
            "https://localhost:1/",
            "https://arm.test/",
        ] {
            assert!(
                !is_azure(&azure_core::http::Url::parse(emulator).unwrap()),
                "{emulator}"
            );
        }
    }
}
