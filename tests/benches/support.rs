//! Shared set-up for the benchmarks that talk to the emulator: start it, connect a client.

use std::sync::Arc;
use std::time::Duration;

use azplan::arm::client::{ArmClient, Endpoint};
use azplan::arm::credential::StaticToken;
use azplan::emulator::{Emulator, EmulatorConfig, RunningEmulator, ThrottleConfig};

#[allow(dead_code)] // not every benchmark starts the emulator
pub fn start(
    runtime: &tokio::runtime::Runtime,
    state: &std::path::Path,
    latency: Duration,
    time_scale: f64,
    throttle: bool,
) -> RunningEmulator {
    let config = EmulatorConfig {
        state_file: Some(state.to_path_buf()),
        ca_cert_file: Some(state.with_extension("ca.pem")),
        latency,
        time_scale,
        throttle: ThrottleConfig {
            enabled: throttle,
            ..ThrottleConfig::default()
        },
        // Seeding writes thousands of resources; the state is saved when the emulator stops.
        persist_each_write: false,
        ..EmulatorConfig::default()
    };
    runtime
        .block_on(Emulator::start(config))
        .expect("the emulator starts")
}

#[allow(dead_code)]
pub fn client(emulator: &RunningEmulator) -> ArmClient {
    let endpoint = Endpoint {
        url: azure_core::http::Url::parse(emulator.endpoint()).unwrap(),
        ca_cert_pem: Some(emulator.ca_cert_pem().to_string()),
    };
    ArmClient::new(endpoint, Arc::new(StaticToken("bench".into()))).expect("a client")
}

#[allow(dead_code)]
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("azplan-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Peak resident memory of this process (Linux).
#[allow(dead_code)] // not every benchmark reports memory
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
