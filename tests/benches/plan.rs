//! Benchmark: an offline plan (parse, validate, graph, diff, render) of a generated
//! 10,000-resource stack against live state in which half the resources exist (echoed from
//! their desired bodies, a tenth of those drifted). `cargo bench --bench plan` prints time and
//! peak memory; under `cargo test` it runs once on a small stack.

use std::time::{Duration, Instant};

use azplan::check::check_str;
use azplan::live::LiveState;
use azplan::load::LoadOptions;
use azplan::plan::{PlanOptions, plan, render};

#[path = "stack_gen.rs"]
mod stack_gen;
use stack_gen::{RESOURCES_PER_UNIT, generate};
#[path = "support.rs"]
#[allow(dead_code)] // only peak_rss_mb is used here
mod support;
use support::peak_rss_mb;

/// Live state from an empty-subscription plan: every other resource exists; every tenth of
/// those has a drifted tag.
fn half_live(text: &str) -> LiveState {
    let checked = check_str("bench.yaml", text, &LoadOptions::default());
    let (stack, graph) = (checked.stack.expect("valid"), checked.graph.expect("valid"));
    let (empty_plan, _) = plan(
        &stack,
        &graph,
        &LiveState::default(),
        PlanOptions::default(),
    );
    let mut live = LiveState::default();
    for (i, change) in empty_plan
        .changes
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
    {
        let Some(mut body) = change.desired.clone() else {
            continue;
        };
        body["id"] = change.id.clone().into();
        body["type"] = change.arm_type.clone().into();
        if i % 20 == 0 && body.get("tags").is_some() {
            body["tags"]["drift"] = "yes".into();
        }
        live.insert(body);
    }
    live
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let units = if benchmarking {
        10_000usize.div_ceil(RESOURCES_PER_UNIT)
    } else {
        30
    };
    let text = generate(units);
    let live = half_live(&text);
    // `AZPLAN_BENCH_WRITE=DIR` also writes the stack and its live state, so the whole process
    // (`azplan plan DIR/stack.yaml --live DIR/live.json`) can be timed from the shell.
    if let Some(dir) = std::env::var_os("AZPLAN_BENCH_WRITE") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("the directory can be made");
        std::fs::write(dir.join("stack.yaml"), &text).expect("the stack is written");
        let bodies: Vec<&serde_json::Value> = live.iter().map(|(_, body)| body).collect();
        std::fs::write(
            dir.join("live.json"),
            serde_json::to_vec(&bodies).expect("bodies serialise"),
        )
        .expect("the live state is written");
    }
    let runs = if benchmarking { 7 } else { 1 };
    let mut times: Vec<Duration> = Vec::new();
    let mut summary = String::new();
    let mut resources = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let checked = check_str("bench.yaml", &text, &LoadOptions::default());
        let (stack, graph) = (checked.stack.expect("valid"), checked.graph.expect("valid"));
        let (planned, errors) = plan(&stack, &graph, &live, PlanOptions::default());
        let rendered = render::human(&planned, render::Style { color: false });
        times.push(start.elapsed());
        assert!(errors.is_empty(), "{errors:?}");
        assert!(rendered.len() > 1000);
        resources = planned.changes.len();
        summary = render::summary_line(&planned);
    }
    times.sort();
    println!(
        "offline plan: {resources} resources ({} live): median {:.1} ms, best {:.1} ms over {runs} runs; peak RSS {:.0} MB; {summary}",
        live.len(),
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        peak_rss_mb().unwrap_or(f64::NAN),
    );
    if !benchmarking {
        println!("1 passed, 0 failed");
    }
}
