//! Benchmark: requests per second the emulator sustains here (keep-alive GETs over 8
//! connections; sequential PUTs; PUTs while persisting a large state). `cargo bench --bench
//! emulator` prints the figures; under `cargo test` it does not run (it needs a release build to
//! mean anything and takes seconds).

#[path = "../emulator_support/mod.rs"]
mod support;

const RG_API: &str = "2025-04-01";
const MSI_API: &str = "2024-11-30";

use azplan::emulator::{EmulatorConfig, ThrottleConfig};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use support::{fast_config, rg, start, url};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azplan-emu-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("emulator benchmark: skipped outside `cargo bench`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let config = EmulatorConfig {
        throttle: ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::default()
        },
        ..fast_config()
    };
    let (emu, c) = start(config).await;
    let g = rg("bench");
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    for i in 0..50 {
        c.put(
            &url(
                &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id{i}"),
                MSI_API,
            ),
            &json!({"location": "westeurope"}),
        )
        .await;
    }
    let (connections, per_connection) = (8, 1000);
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|t| {
            let c = c.clone();
            let g = g.clone();
            tokio::spawn(async move {
                let mut session = c.session().await;
                for i in 0..per_connection {
                    let path = url(
                        &format!(
                            "{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id{}",
                            (i + t) % 50
                        ),
                        MSI_API,
                    );
                    assert_eq!(session.get_status(&path).await, 200);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = connections * per_connection;
    println!(
        "{total} GETs over {connections} keep-alive connections in {elapsed:.2}s: {:.0} requests/s",
        total as f64 / elapsed
    );
    let started = Instant::now();
    for i in 0..200 {
        let r = c
            .put(
                &url(
                    &format!(
                        "{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/writer{i}"
                    ),
                    MSI_API,
                ),
                &json!({"location": "westeurope"}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    println!(
        "200 sequential PUTs, new TLS connection each: {:.0} requests/s",
        200.0 / started.elapsed().as_secs_f64()
    );
    emu.shutdown().await.expect("shutdown");

    // Persistence cost: every write rewrites the whole state file.
    let dir = temp_dir("bench");
    let config = EmulatorConfig {
        state_file: Some(dir.join("state.json")),
        throttle: ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::default()
        },
        ..fast_config()
    };
    let (emu, c) = start(config).await;
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    for batch in 0..20 {
        let puts: Vec<_> = (0..100)
            .map(|i| {
                let c = c.clone();
                let path = url(&format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/seed{batch}x{i}"), MSI_API);
                async move { c.put(&path, &json!({"location": "westeurope"})).await.status }
            })
            .collect();
        futures_join_all(puts).await;
    }
    let started = Instant::now();
    for i in 0..100 {
        let r = c
            .put(
                &url(
                    &format!(
                        "{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/late{i}"
                    ),
                    MSI_API,
                ),
                &json!({"location": "westeurope"}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let bytes = std::fs::metadata(dir.join("state.json"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "100 sequential PUTs with a persisted state of 2,100 resources ({} KiB): {:.0} requests/s",
        bytes / 1024,
        100.0 / started.elapsed().as_secs_f64()
    );
    emu.shutdown().await.expect("shutdown");
}

async fn futures_join_all(
    tasks: Vec<impl std::future::Future<Output = u16> + Send + 'static>,
) -> Vec<u16> {
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}
