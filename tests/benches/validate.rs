//! Benchmark: load, validate and build the graph of a generated 10,000-resource stack.
//! `cargo bench --bench validate` prints the figures; under `cargo test` it runs once on a
//! small stack so the generator stays valid.

use std::time::{Duration, Instant};

use azplan::check::check_str;
use azplan::load::LoadOptions;

#[path = "stack_gen.rs"]
mod stack_gen;
use stack_gen::{RESOURCES_PER_UNIT, generate};
#[path = "support.rs"]
#[allow(dead_code)] // only peak_rss_mb is used here
mod support;
use support::peak_rss_mb;

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let units = if benchmarking {
        10_000usize.div_ceil(RESOURCES_PER_UNIT)
    } else {
        50
    };
    let text = generate(units);
    let runs = if benchmarking { 7 } else { 1 };
    let mut times: Vec<Duration> = Vec::new();
    let mut resources = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let checked = check_str("bench.yaml", &text, &LoadOptions::default());
        times.push(start.elapsed());
        assert!(
            !checked.diagnostics.has_errors(),
            "generated stack is invalid:\n{}",
            azplan::render::human(&checked.diagnostics, false, 100)
        );
        let graph = checked.graph.expect("valid stacks have a graph");
        resources = graph.order.len();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "validate+graph: {resources} resources, {} KiB of YAML: median {:.1} ms, best {:.1} ms over {runs} runs; peak RSS {:.0} MB",
        text.len() / 1024,
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        peak_rss_mb().unwrap_or(f64::NAN),
    );
    if !benchmarking {
        println!("1 passed, 0 failed");
    }
}
