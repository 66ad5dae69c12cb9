//! Benchmark: apply the full platform example against the emulator with realistic, time-scaled
//! operation durations, and compare the wall time with the critical path of the operations' own
//! durations (dataflow scheduling should add almost nothing). `cargo bench --bench apply`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use azplan::apply::progress::{Mode, Progress};
use azplan::apply::{ApplyOptions, apply};
use azplan::check::check;
use azplan::live::LiveState;
use azplan::load::LoadOptions;
use azplan::plan::{PlanOptions, plan};

#[path = "support.rs"]
mod support;

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    // 0.05: an AKS create takes ~18 s instead of ~6 min; a registry ~1.5 s.
    let time_scale = if benchmarking { 0.05 } else { 0.002 };
    let checked = check(
        std::path::Path::new("examples/platform"),
        &LoadOptions::default(),
    );
    let (stack, graph) = (checked.stack.expect("valid"), checked.graph.expect("valid"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = support::temp_dir("apply");
    let emulator = support::start(
        &runtime,
        &dir.join("state.json"),
        Duration::ZERO,
        time_scale,
        true,
    );
    let client = Arc::new(support::client(&emulator));
    let (planned, errors) = plan(
        &stack,
        &graph,
        &LiveState::default(),
        PlanOptions::default(),
    );
    assert!(errors.is_empty());
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let mut quiet = Progress::new(Mode::Quiet, Box::new(std::io::sink()));
    let report = runtime.block_on(apply(
        client.clone(),
        &planned,
        &ApplyOptions::default(),
        &mut quiet,
        stop,
    ));
    assert!(!report.failed(), "{:?}", report.outcomes);

    // Longest path through the operations, each weighted by its own measured duration.
    let mut finish: BTreeMap<&str, Duration> = BTreeMap::new();
    for change in planned.changes.iter().filter(|c| c.is_operation()) {
        let start = change
            .depends_on
            .iter()
            .filter_map(|d| finish.get(d.as_str()))
            .max()
            .copied()
            .unwrap_or_default();
        let own = report
            .durations
            .get(&change.address)
            .copied()
            .unwrap_or_default();
        finish.insert(&change.address, start + own);
    }
    let critical = finish.values().max().copied().unwrap_or_default();
    let wall = report.elapsed;
    let overhead = (wall.as_secs_f64() / critical.as_secs_f64() - 1.0) * 100.0;
    println!(
        "apply examples/platform (time scale {time_scale}): {} operations, {} ARM requests; wall {:.2} s, critical path {:.2} s, overhead {overhead:+.1}%",
        finish.len(),
        client
            .counters
            .requests
            .load(std::sync::atomic::Ordering::Relaxed),
        wall.as_secs_f64(),
        critical.as_secs_f64(),
    );
    runtime.block_on(emulator.shutdown()).unwrap();
    let _ = std::fs::remove_dir_all(dir);
    if !benchmarking {
        println!("1 passed, 0 failed");
    }
}
