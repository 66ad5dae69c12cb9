//! Benchmark: load, validate and build the graph of generated stacks of 10,000 and 100,000
//! resources; validation must stay linear in size (100,000 resources under 2 s).
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
    if !benchmarking {
        measure(50, 1);
        println!("1 passed, 0 failed");
        return;
    }
    let small = measure(10_000usize.div_ceil(RESOURCES_PER_UNIT), 7);
    let large = measure(100_000usize.div_ceil(RESOURCES_PER_UNIT), 3);
    println!(
        "scaling: 10x the resources took {:.1}x the time (linear is 10x)",
        large.as_secs_f64() / small.as_secs_f64()
    );
    let small = measure_reported(1_000usize.div_ceil(RESOURCES_PER_UNIT));
    let large = measure_reported(10_000usize.div_ceil(RESOURCES_PER_UNIT));
    println!(
        "scaling of reports: 10x the warnings took {:.1}x the time (linear is 10x)",
        large.as_secs_f64() / small.as_secs_f64()
    );
}

/// Validates a stack whose every cluster has a warning (a public API server), and renders all
/// of them as the CLI does: finding each warning's line must not rescan the file.
fn measure_reported(units: usize) -> Duration {
    let text = generate(units).replace(
        "    apiServer: {authorizedIpRanges: [203.0.113.0/24]}\n",
        "",
    );
    let start = Instant::now();
    let checked = check_str("bench.yaml", &text, &LoadOptions::default());
    let rendered = azplan::render::human(&checked.diagnostics, false, 100);
    let took = start.elapsed();
    let warnings = checked.diagnostics.warning_count();
    assert_eq!(warnings, units, "one warning per cluster");
    println!(
        "validate+render: {warnings} warnings in {} KiB of YAML ({} KiB rendered): {:.1} ms",
        text.len() / 1024,
        rendered.len() / 1024,
        took.as_secs_f64() * 1000.0
    );
    took
}

/// Validates a generated stack of `units` units `runs` times; prints and returns the median.
fn measure(units: usize, runs: usize) -> Duration {
    let text = generate(units);
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
    median
}
