//! Benchmark: plan a generated 1,000-resource stack against the emulator answering with 50 ms
//! latency and ARM's throttling on: ARM requests made, 429s, wall time. The stack is applied
//! first (unpaced, latency off), then the emulator restarts on the same state with latency.
//! `cargo bench --bench live_plan`; under `cargo test` it runs on a small stack.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use azplan::apply::progress::{Mode, Progress};
use azplan::apply::{ApplyOptions, apply};
use azplan::arm::read::read_live;
use azplan::check::check_str;
use azplan::live::LiveState;
use azplan::load::LoadOptions;
use azplan::plan::{PlanOptions, plan};

#[path = "stack_gen.rs"]
mod stack_gen;
#[path = "support.rs"]
mod support;

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let units = if benchmarking {
        1_000usize.div_ceil(stack_gen::RESOURCES_PER_UNIT)
    } else {
        3
    };
    let text = stack_gen::generate(units);
    let checked = check_str("bench.yaml", &text, &LoadOptions::default());
    let (stack, graph) = (checked.stack.expect("valid"), checked.graph.expect("valid"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = support::temp_dir("live-plan");
    let state = dir.join("state.json");

    // Seed: apply everything quickly.
    let emulator = support::start(&runtime, &state, Duration::ZERO, 0.0005, false);
    let client = Arc::new(support::client(&emulator).unpaced());
    let (seed_plan, errors) = plan(
        &stack,
        &graph,
        &LiveState::default(),
        PlanOptions::default(),
    );
    assert!(errors.is_empty());
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    let options = ApplyOptions {
        parallelism: 32,
        ..ApplyOptions::default()
    };
    let mut quiet = Progress::new(Mode::Quiet, Box::new(std::io::sink()));
    let seeded = runtime.block_on(apply(client, &seed_plan, &options, &mut quiet, stop));
    assert!(
        !seeded.failed(),
        "seeding failed: {:?}",
        seeded
            .outcomes
            .values()
            .find(|(_, o)| *o != azplan::apply::Outcome::Done)
    );
    runtime.block_on(emulator.shutdown()).unwrap();

    // Measure: 50 ms per request, throttling on, client pacing on.
    let emulator = support::start(&runtime, &state, Duration::from_millis(50), 0.0005, true);
    let client = Arc::new(support::client(&emulator));
    let started = Instant::now();
    let live = runtime
        .block_on(read_live(client.clone(), &stack))
        .expect("reads succeed");
    let (planned, errors) = plan(&stack, &graph, &live, PlanOptions::default());
    let wall = started.elapsed();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        !planned.summary.has_changes(),
        "the seeded stack must plan clean"
    );
    let requests = client.counters.requests.load(Ordering::Relaxed);
    let throttled = client.counters.throttled.load(Ordering::Relaxed);
    println!(
        "plan against the emulator (50 ms latency, throttling on): {} resources, {} live, {requests} ARM requests, {throttled} throttled, wall {:.2} s",
        planned.changes.len(),
        live.len(),
        wall.as_secs_f64()
    );
    runtime.block_on(emulator.shutdown()).unwrap();
    let _ = std::fs::remove_dir_all(dir);
    if !benchmarking {
        println!("1 passed, 0 failed");
    }
}
