//! Bad input never hurts the machine or the data: the real binary on alias bombs, deep nesting,
//! symlink loops, FIFOs, self-referring variables, numbers JSON cannot hold, broken `--live`
//! files and outputs that cannot be written. Each case must end with a clear error, quickly and
//! in bounded memory.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{azplan, text};

const HEADER: &str = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroups:\n  main: {}\n";

/// A fresh directory under the temp dir for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azplan-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("azplan runs")
}

fn all(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// A "billion laughs": nine levels of ten aliases, about a billion nodes from 600 bytes.
fn alias_bomb() -> String {
    let mut lines = vec!["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]".to_string()];
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        lines.push(format!("l{level}: &l{level} [{refs}]"));
    }
    lines.join("\n") + "\n"
}

/// Runs the binary in `dir` with its address space capped at 1 GiB: input that makes it
/// allocate without bound aborts the process instead of passing.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "ulimit -v 1048576; exec '{}' {}",
        env!("CARGO_BIN_EXE_azplan"),
        quoted.join(" ")
    );
    Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("azplan runs")
}

#[test]
fn alias_bombs_in_specs_and_values_files_are_refused_quickly() {
    let dir = scratch("bomb");
    std::fs::write(dir.join("stack.yaml"), format!("{HEADER}{}", alias_bomb())).unwrap();
    std::fs::write(dir.join("bomb.values.yaml"), alias_bomb()).unwrap();
    std::fs::write(dir.join("bomb.json"), alias_bomb()).unwrap();
    let started = Instant::now();
    let out = run_bounded(&dir, &["validate", "stack.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        all(&out).contains("YAML aliases expand to more than"),
        "{}",
        all(&out)
    );
    assert!(
        !all(&out).contains("has no `stack`"),
        "no echo errors: {}",
        all(&out)
    );

    std::fs::write(dir.join("stack.yaml"), HEADER).unwrap();
    let out = run_bounded(
        &dir,
        &["validate", "stack.yaml", "--values", "bomb.values.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(all(&out).contains("bomb.values.yaml:"), "{}", all(&out));

    let out = run_bounded(&dir, &["plan", "stack.yaml", "--live", "bomb.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(all(&out).contains("repetition limit"), "{}", all(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn deep_nesting_is_refused() {
    let dir = scratch("deep");
    let deep = format!("{HEADER}x: {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    std::fs::write(dir.join("stack.yaml"), &deep).unwrap();
    let out = run_bounded(&dir, &["validate", "stack.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(all(&out).contains("azplan::yaml"), "{}", all(&out));
    std::fs::write(dir.join("deep.json"), &deep[HEADER.len() + 3..]).unwrap();
    let out = run_bounded(&dir, &["plan", "stack.yaml", "--live", "deep.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(all(&out).contains("recursion limit"), "{}", all(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_values_file_with_an_undeclared_variable_is_a_diagnostic_at_its_line() {
    let dir = scratch("values");
    std::fs::write(dir.join("stack.yaml"), HEADER).unwrap();
    std::fs::write(dir.join("extra.values.yaml"), "# comment\nundeclared: 3\n").unwrap();
    let out = run_in(
        &dir,
        &["validate", "stack.yaml", "--values", "extra.values.yaml"],
    );
    assert_eq!(out.status.code(), Some(1), "no panic:\n{}", all(&out));
    assert!(
        all(&out).contains("[extra.values.yaml:2:1]"),
        "{}",
        all(&out)
    );
    assert!(all(&out).contains("unknown variable `undeclared`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_variable_that_refers_to_itself_is_an_error() {
    let dir = scratch("selfref");
    let spec = format!(
        "{HEADER}variables:\n  x: {{default: '${{var.y}}'}}\n  y: {{default: 'a-${{var.x}}'}}\nregistries:\n  acrone01: {{resourceGroup: main, sku: Basic, tags: {{t: '${{var.x}}'}}}}\n"
    );
    std::fs::write(dir.join("stack.yaml"), spec).unwrap();
    let out = run_in(&dir, &["validate", "stack.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(all(&out).contains("refers to itself"), "{}", all(&out));
    assert!(!all(&out).contains("is valid"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn numbers_json_cannot_hold_are_errors_under_raw() {
    let dir = scratch("numbers");
    let spec = format!(
        "{HEADER}registries:\n  acrone01:\n    resourceGroup: main\n    sku: Basic\n    raw:\n      a: .nan\n      b: -.inf\n      c: 1e999\n      d: 123456789012345678901234567890\n      e: 1.5\n"
    );
    std::fs::write(dir.join("stack.yaml"), spec).unwrap();
    let out = run_in(&dir, &["validate", "stack.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    let shown = all(&out);
    for bad in [".nan", "-.inf", "1e999", "123456789012345678901234567890"] {
        assert!(
            shown.contains(&format!("`{bad}` is not a number ARM can take")),
            "{bad} in:\n{shown}"
        );
    }
    assert!(!shown.contains("`1.5`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn empty_or_duplicate_key_live_files_are_errors() {
    let dir = scratch("live");
    std::fs::write(dir.join("stack.yaml"), HEADER).unwrap();
    std::fs::write(dir.join("empty.json"), "").unwrap();
    std::fs::write(
        dir.join("dup.json"),
        r#"[{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/main", "id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/other"}]"#,
    )
    .unwrap();
    for (file, expected) in [("empty.json", "empty"), ("dup.json", "duplicate key `id`")] {
        let out = run_in(&dir, &["plan", "stack.yaml", "--live", file]);
        assert_eq!(out.status.code(), Some(1), "{file}: {}", all(&out));
        assert!(all(&out).contains(expected), "{file}: {}", all(&out));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn stack_directories_never_loop_follow_links_out_or_read_fifos() {
    use std::os::unix::fs::symlink;
    let dir = scratch("links");
    let stack = dir.join("stack");
    std::fs::create_dir_all(stack.join("sub")).unwrap();
    std::fs::write(stack.join("stack.yaml"), HEADER).unwrap();
    // A loop back into the stack, a link out to the root, a FIFO and a link to a FIFO.
    symlink(&stack, stack.join("sub").join("loop")).unwrap();
    symlink("/", stack.join("root")).unwrap();
    let fifo = stack.join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    symlink(&fifo, stack.join("linked-pipe.yaml")).unwrap();
    // A link to a regular file inside the stack is still read.
    std::fs::write(
        stack.join("sub").join("registry.txt"),
        "registries:\n  acrone01: {resourceGroup: main, sku: Basic}\n",
    )
    .unwrap();
    symlink(
        stack.join("sub").join("registry.txt"),
        stack.join("shared.yaml"),
    )
    .unwrap();

    let started = Instant::now();
    let out = run_in(&dir, &["validate", "stack"]);
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert!(
        all(&out).contains("is valid: 2 resources"),
        "each file once, the linked one included: {}",
        all(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A link out of the stack (to `/proc/self/environ`, a key file…) is refused before it is
/// read: a syntax error would print the file, and a pull request adding one link would put
/// the CI runner's secrets in its log.
#[cfg(unix)]
#[test]
fn a_link_out_of_the_stack_is_refused_and_never_printed() {
    use std::os::unix::fs::symlink;
    let dir = scratch("link-out");
    let stack = dir.join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    std::fs::write(stack.join("stack.yaml"), HEADER).unwrap();
    std::fs::write(
        dir.join("secrets"),
        "AZURE_CLIENT_SECRET=SuperSecret123 : : [\n",
    )
    .unwrap();
    symlink(dir.join("secrets"), stack.join("env.yaml")).unwrap();
    let out = run_in(&dir, &["validate", "stack"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        all(&out).contains("links outside the stack directory"),
        "{}",
        all(&out)
    );
    assert!(!all(&out).contains("SuperSecret123"), "{}", all(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plan_that_cannot_be_written_fails_and_leaves_no_temp_file() {
    // stdout is a full device.
    let full = std::fs::File::create("/dev/full");
    if let Ok(full) = full {
        let out = Command::new(env!("CARGO_BIN_EXE_azplan"))
            .args([
                "plan",
                "examples/minimal",
                "--live",
                "tests/fixtures/live-empty.json",
            ])
            .current_dir(common::root())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("cannot write the output"));
    }
    // A file-size limit stands in for a full disk: the saved plan cannot be written.
    let dir = scratch("fullout");
    let bin = env!("CARGO_BIN_EXE_azplan");
    let root = common::root().display().to_string();
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec '{bin}' plan '{root}/examples/platform' --live '{root}/tests/fixtures/live-empty.json' --out plan.json > /dev/null"
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        text(&out.stderr).contains("cannot save the plan"),
        "{}",
        all(&out)
    );
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_huge_spec_file_is_refused_without_reading_it_whole() {
    let out = azplan(&["validate", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(
        text(&out.stderr).contains("larger than 64 MiB"),
        "{}",
        all(&out)
    );
}

#[test]
fn variables_that_double_at_every_level_are_an_error_not_an_allocation() {
    // 34 levels of `v(i) = v(i+1) twice`: 2^34 characters (or list items) from a page of YAML.
    for (name, value) in [
        ("text", "'${var.v{next}}${var.v{next}}'"),
        ("lists", "['${var.v{next}}', '${var.v{next}}']"),
    ] {
        let dir = scratch(&format!("doubling-{name}"));
        let mut spec = String::from(
            "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: main\nvariables:\n",
        );
        for i in 0..34 {
            let v = value.replace("{next}", &(i + 1).to_string());
            spec.push_str(&format!("  v{i}: {{default: {v}}}\n"));
        }
        spec.push_str(
            "  v34: {default: ab}\nresourceGroups:\n  main:\n    tags: {t: '${var.v0}'}\n",
        );
        std::fs::write(dir.join("stack.yaml"), spec).unwrap();
        let started = Instant::now();
        let out = run_bounded(&dir, &["validate", "stack.yaml"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", all(&out));
        assert!(
            all(&out).contains("variables expand to more than"),
            "{name}: {}",
            all(&out)
        );
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name}: too slow"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
