//! Benchmark: plan estates of 1,000 resources over 20 groups, 3,000 over 60 and 10,000 over 200
//! live against the emulator answering with 50 ms latency and ARM's throttling on (reads: 250
//! burst, then 25 per second; Resource Graph: 15 queries per 5 s), reading with `--read list`
//! and `--read graph`, each next to a Terraform-style refresh measured in the same run (one GET
//! per resource, 10 in flight, on the same paced client): ARM requests, 429s, wall time, ratio.
//! Each estate is applied first (unpaced, no latency), then the emulator restarts on the same
//! state with latency and throttling. `cargo bench --bench estate`; under `cargo test` it runs
//! one estate of 3 groups.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use azplan::apply::progress::{Mode, Progress};
use azplan::apply::{ApplyOptions, apply};
use azplan::arm::client::ArmClient;
use azplan::arm::read::{Going, ReadMode, Reader, read_live_with};
use azplan::check::check_str;
use azplan::kinds::{self, Context};
use azplan::live::LiveState;
use azplan::load::LoadOptions;
use azplan::model::Stack;
use azplan::plan::{PlanOptions, plan};

#[path = "stack_gen.rs"]
mod stack_gen;
#[path = "support.rs"]
mod support;

struct Measured {
    requests: u64,
    throttled: u64,
    seconds: f64,
}

fn measure<T>(client: &ArmClient, run: impl FnOnce() -> T) -> (T, Measured) {
    let requests = client.counters.requests.load(Ordering::Relaxed);
    let throttled = client.counters.throttled.load(Ordering::Relaxed);
    let started = Instant::now();
    let out = run();
    let measured = Measured {
        requests: client.counters.requests.load(Ordering::Relaxed) - requests,
        throttled: client.counters.throttled.load(Ordering::Relaxed) - throttled,
        seconds: started.elapsed().as_secs_f64(),
    };
    (out, measured)
}

/// Terraform's refresh: one GET per resource of the state, `-parallelism=10`.
async fn refresh_one_by_one(client: Arc<ArmClient>, stack: &Stack) -> usize {
    let live = LiveState::default();
    let ctx = Context { stack, live: &live };
    let gets: Vec<(String, String)> = stack
        .resources
        .values()
        .map(|r| {
            (
                ctx.id(&r.address),
                kinds::arm_kind(r).api_version.to_string(),
            )
        })
        .collect();
    let permits = Arc::new(tokio::sync::Semaphore::new(10));
    let mut tasks = tokio::task::JoinSet::new();
    for (id, api_version) in gets {
        let client = client.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            client.get(&id, &api_version).await.ok().flatten().is_some()
        });
    }
    let mut found = 0;
    while let Some(done) = tasks.join_next().await {
        found += usize::from(done.unwrap_or(false));
    }
    found
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    // `AZPLAN_ESTATES=200` (groups, comma-separated) measures chosen estates only.
    let chosen: Vec<usize> = std::env::var("AZPLAN_ESTATES")
        .ok()
        .map(|v| v.split(',').filter_map(|g| g.trim().parse().ok()).collect())
        .unwrap_or_default();
    let estates: &[usize] = if !chosen.is_empty() {
        &chosen
    } else if benchmarking {
        &[20, 60, 200]
    } else {
        &[3]
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for &groups in estates {
        let text = stack_gen::generate_estate(groups);
        let checked = check_str("estate.yaml", &text, &LoadOptions::default());
        let (stack, graph) = (
            checked.stack.expect("the estate is valid"),
            checked.graph.expect("the estate is valid"),
        );
        let dir = support::temp_dir(&format!("estate-{groups}"));
        let state = dir.join("state.json");

        // Seed: apply everything quickly.
        let emulator = support::start(&runtime, &state, Duration::ZERO, 0.0001, false);
        let client = Arc::new(support::client(&emulator).unpaced());
        let (seed_plan, errors) = plan(
            &stack,
            &graph,
            &LiveState::default(),
            PlanOptions::default(),
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (_stop_tx, stop) = tokio::sync::watch::channel(false);
        let options = ApplyOptions {
            parallelism: 64,
            ..ApplyOptions::default()
        };
        let mut quiet = Progress::new(Mode::Quiet, Box::new(std::io::sink()));
        let seeding = Instant::now();
        let seeded = runtime.block_on(apply(client, &seed_plan, &options, &mut quiet, stop));
        assert!(!seeded.failed(), "seeding failed");
        eprintln!(
            "seeded {} resources in {:.0} s",
            stack.resources.len(),
            seeding.elapsed().as_secs_f64()
        );
        runtime.block_on(emulator.shutdown()).unwrap();

        // Measure, each on a freshly started emulator (full budgets): 50 ms per request,
        // throttling on, client pacing on.
        // The baseline, once per estate.
        let emulator = support::start(&runtime, &state, Duration::from_millis(50), 0.0001, true);
        let client = Arc::new(support::client(&emulator));
        let (found, baseline) = measure(&client, || {
            runtime.block_on(refresh_one_by_one(client.clone(), &stack))
        });
        assert_eq!(
            found,
            stack.resources.len(),
            "the baseline finds everything"
        );
        runtime.block_on(emulator.shutdown()).unwrap();
        let mut lines = vec![format!(
            "estate {} resources / {groups} groups, one GET per resource (10 in flight): {} requests, {} throttled, {:.2} s",
            stack.resources.len(),
            baseline.requests,
            baseline.throttled,
            baseline.seconds,
        )];
        for mode in [ReadMode::List, ReadMode::Graph] {
            let emulator =
                support::start(&runtime, &state, Duration::from_millis(50), 0.0001, true);
            let client = Arc::new(support::client(&emulator));
            let reader = Reader::new(client.clone(), mode);
            let (planned, ours) = measure(&client, || {
                let live = runtime
                    .block_on(read_live_with(&reader, &stack, Going::Undeclared))
                    .expect("reads succeed");
                let (planned, errors) = plan(&stack, &graph, &live, PlanOptions::default());
                assert!(errors.is_empty(), "{errors:?}");
                planned
            });
            assert!(
                !planned.summary.has_changes(),
                "the seeded estate must plan clean ({mode:?})"
            );
            runtime.block_on(emulator.shutdown()).unwrap();
            lines.push(format!(
                "estate {} resources / {groups} groups, --read {}: {} requests, {} throttled, {:.2} s: {:.1}x faster, {:.1}x fewer requests than one GET per resource",
                stack.resources.len(),
                format!("{mode:?}").to_lowercase(),
                ours.requests,
                ours.throttled,
                ours.seconds,
                baseline.seconds / ours.seconds.max(1e-9),
                baseline.requests as f64 / ours.requests.max(1) as f64,
            ));
        }
        for line in lines {
            println!("{line}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
    if !benchmarking {
        println!("1 passed, 0 failed");
    }
}
