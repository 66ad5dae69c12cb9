//! Benchmark: an offline plan (parse, validate, graph, diff, render) of a generated
//! 10,000-resource stack against live state in which half the resources exist (echoed from
//! their desired bodies, a tenth of those drifted). `cargo bench --bench plan` prints time and
//! peak memory, in-process and as a whole process of the built binary; under `cargo test` it
//! runs once on a small stack.

use std::time::{Duration, Instant};

use azplan::check::check_str;
use azplan::live::LiveState;
use azplan::load::LoadOptions;
use azplan::plan::{PlanOptions, plan, render};

// The allocator the binary uses (`src/main.rs`); the in-process run keeps every body and joins
// the rendered text, so only the whole-process figure is the `plan` command's own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    if benchmarking {
        whole_process(&text, &live);
    } else {
        println!("1 passed, 0 failed");
    }
}

/// The bar is for the whole process: the built binary plans the same stack from files, its
/// output thrown away, timed from start to exit; its peak memory as `/usr/bin/time` reports it
/// (left out where that is missing).
fn whole_process(text: &str, live: &LiveState) {
    let dir = std::env::temp_dir().join(format!("azplan-bench-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the directory can be made");
    let (stack, live_file) = (dir.join("stack.yaml"), dir.join("live.json"));
    std::fs::write(&stack, text).expect("the stack is written");
    let bodies: Vec<&serde_json::Value> = live.iter().map(|(_, body)| body).collect();
    std::fs::write(
        &live_file,
        serde_json::to_vec(&bodies).expect("bodies serialise"),
    )
    .expect("the live state is written");
    let binary = env!("CARGO_BIN_EXE_azplan");
    let time = std::path::Path::new("/usr/bin/time");
    let mut walls = Vec::new();
    let mut peaks_kib: Vec<u64> = Vec::new();
    for run in 0..22 {
        let mut command = if time.exists() {
            let mut c = std::process::Command::new(time);
            c.args(["-f", "%M", binary]);
            c
        } else {
            std::process::Command::new(binary)
        };
        command
            .arg("plan")
            .arg(&stack)
            .arg("--live")
            .arg(&live_file)
            .stdout(std::process::Stdio::null());
        let start = Instant::now();
        let output = command.output().expect("the binary runs");
        let wall = start.elapsed();
        assert!(output.status.success(), "{output:?}");
        if run == 0 {
            continue; // warm-up: the files come into the page cache
        }
        walls.push(wall);
        let stderr = String::from_utf8_lossy(&output.stderr);
        peaks_kib.extend(
            stderr
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok()),
        );
    }
    walls.sort();
    peaks_kib.sort();
    let peak = peaks_kib
        .get(peaks_kib.len() / 2)
        .map(|kib| format!("; peak RSS median {:.1} MiB", *kib as f64 / 1024.0))
        .unwrap_or_default();
    println!(
        "whole process: azplan plan stack.yaml --live live.json: median {:.1} ms, best {:.1} ms over {} runs{peak}",
        walls[walls.len() / 2].as_secs_f64() * 1000.0,
        walls[0].as_secs_f64() * 1000.0,
        walls.len(),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
