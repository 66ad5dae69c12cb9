//! Plan tests, driving the real binary: cases as data in `tests/plans/<case>/` (a spec, live
//! state built from the official ARM examples, and the runs to make), plus every example planned
//! against an empty subscription and checked against the published plan schema.

use std::path::PathBuf;
use std::process::Command;

mod common;
use common::{azplan, check, root, text};

fn dirs(under: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join(under))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        // examples/ci holds CI workflows, not stacks.
        .filter(|p| !p.ends_with("examples/ci"))
        .collect();
    dirs.sort();
    dirs
}

fn plan_schema() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/plan.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&schema).expect("the plan schema compiles")
}

#[test]
fn plan_cases_give_exactly_the_expected_changes() {
    let schema = plan_schema();
    let cases = dirs("tests/plans");
    assert!(
        cases.len() >= 9,
        "the plan cases moved? found {}",
        cases.len()
    );
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let stack = format!("tests/plans/{name}/stack.yaml");
        let live = format!("tests/plans/{name}/live.yaml");
        let runs = std::fs::read_to_string(case.join("runs.txt")).unwrap();
        for line in runs
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut words = line.split_whitespace();
            let run = words.next().unwrap();
            let expected: i32 = words.next().unwrap().parse().unwrap();
            // How many resources the run changes; `-` where the plan is refused.
            let changed_expected: Option<usize> = match words.next().unwrap() {
                "-" => None,
                n => Some(n.parse().unwrap()),
            };
            let extra: Vec<&str> = words.collect();
            let mut args = vec!["plan", &stack, "--live", &live, "--detailed-exitcode"];
            args.extend(&extra);
            let human = azplan(&args);
            let output = format!("{}{}", text(&human.stdout), text(&human.stderr));
            assert_eq!(
                human.status.code(),
                Some(expected),
                "{name}/{run}:\n{output}"
            );
            check(&format!("plan-{name}-{run}"), &output);
            if expected == 1 {
                continue;
            }
            args.extend(["--format", "json"]);
            let json = azplan(&args);
            let plan: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
            assert!(
                schema.is_valid(&plan),
                "{name}/{run}: plan JSON does not match schemas/plan.schema.json"
            );
            let changed: Vec<&serde_json::Value> = plan["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["action"] != "no-op" && c["action"] != "read")
                .collect();
            assert_eq!(
                Some(changed.len()),
                changed_expected,
                "{name}/{run}: resources changed (runs.txt says how many)"
            );
        }
    }
}

#[test]
fn every_example_plans_its_creates_against_an_empty_subscription() {
    let schema = plan_schema();
    let examples = dirs("examples");
    assert!(examples.len() >= 4, "the examples moved?");
    // Examples that read resources they do not own cannot plan against nothing.
    let expectations = std::fs::read_to_string(root().join("tests/examples.txt")).unwrap();
    let reads_outside: Vec<&str> = expectations
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_suffix(" reads-existing"))
        .collect();
    for example in examples {
        let path = example.strip_prefix(root()).unwrap().display().to_string();
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        let out = azplan(&[
            "plan",
            &path,
            "--live",
            "tests/fixtures/live-empty.json",
            "--format",
            "json",
            "--detailed-exitcode",
        ]);
        if reads_outside.contains(&name.as_str()) {
            // It reads a hub VNet and DNS zone it does not own: they must exist.
            assert_eq!(out.status.code(), Some(1));
            assert!(
                text(&out.stderr).contains("which does not exist"),
                "{}",
                text(&out.stderr)
            );
            continue;
        }
        assert_eq!(out.status.code(), Some(2), "{path}: {}", text(&out.stderr));
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            schema.is_valid(&plan),
            "{path}: plan JSON does not match its schema"
        );
        let changes = plan["changes"].as_array().unwrap();
        assert!(
            changes.iter().all(|c| c["action"] == "create"),
            "{path}: an empty subscription needs only creates"
        );
        assert_eq!(
            plan["summary"]["create"].as_u64().unwrap() as usize,
            changes.len()
        );
    }
    let human = azplan(&[
        "plan",
        "examples/platform",
        "--live",
        "tests/fixtures/live-empty.json",
    ]);
    check("plan-platform-empty", &text(&human.stdout));
    let markdown = azplan(&[
        "plan",
        "examples/minimal",
        "--live",
        "tests/fixtures/live-empty.json",
        "--format",
        "markdown",
    ]);
    check("plan-minimal-empty-markdown", &text(&markdown.stdout));
    let json = azplan(&[
        "plan",
        "examples/minimal",
        "--live",
        "tests/fixtures/live-empty.json",
        "--format",
        "json",
    ]);
    check("plan-minimal-empty-json", &text(&json.stdout));
}

/// Live state that echoes what azplan would PUT (plus the server-side values apply fills in)
/// must plan to nothing, and the one-way AKS settings must refuse to turn off.
#[test]
fn echoed_bodies_plan_clean_and_one_way_settings_refuse_to_turn_off() {
    let out = azplan(&[
        "plan",
        "examples/minimal",
        "--live",
        "tests/fixtures/live-empty.json",
        "--format",
        "json",
    ]);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut live = Vec::new();
    for change in plan["changes"].as_array().unwrap() {
        let mut body = change["desired"].clone();
        body["id"] = change["id"].clone();
        body["type"] = change["arm_type"].clone();
        live.push(body);
    }
    let dir = std::env::temp_dir().join(format!("azplan-plan-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let echoed = dir.join("echoed.json");
    std::fs::write(&echoed, serde_json::to_string(&live).unwrap()).unwrap();
    let again = azplan(&[
        "plan",
        "examples/minimal",
        "--live",
        echoed.to_str().unwrap(),
        "--detailed-exitcode",
    ]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        text(&again.stdout),
        text(&again.stderr)
    );

    // The same cluster with managed Entra ID and the OIDC issuer on: the spec has neither.
    for body in &mut live {
        if body["type"] == "Microsoft.ContainerService/managedClusters" {
            body["properties"]["aadProfile"] = serde_json::json!({"managed": true});
            body["properties"]["oidcIssuerProfile"] = serde_json::json!({"enabled": true});
        }
    }
    let enabled = dir.join("aad.json");
    std::fs::write(&enabled, serde_json::to_string(&live).unwrap()).unwrap();
    let refused = azplan(&[
        "plan",
        "examples/minimal",
        "--live",
        enabled.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    // Messages may wrap: compare with the box drawing and line breaks folded away.
    let stderr = text(&refused.stderr)
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        stderr.contains("managed Entra ID cannot be disabled"),
        "{stderr}"
    );
    assert!(
        stderr.contains("OIDC issuer cannot be disabled"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn saved_plans_are_written_whole() {
    let dir = std::env::temp_dir().join(format!("azplan-plan-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("plan.json");
    let out = azplan(&[
        "plan",
        "examples/minimal",
        "--live",
        "tests/fixtures/live-empty.json",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 1);
    assert!(
        saved["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["desired"].is_object())
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file is left behind"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn committed_plan_schema_is_current() {
    let out = azplan(&["schema", "--plan"]);
    let committed = std::fs::read_to_string(root().join("schemas/plan.schema.json")).unwrap();
    assert!(
        text(&out.stdout) == committed,
        "schemas/plan.schema.json is stale: run `cargo run -- schema --plan > schemas/plan.schema.json`"
    );
}

#[test]
fn planning_against_azure_without_credentials_says_how_to_log_in() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_azplan"));
    command
        .args(["plan", "examples/minimal"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("PATH", "/nonexistent");
    for name in [
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "MSI_ENDPOINT",
        "AZPLAN_MANAGED_IDENTITY",
    ] {
        command.env_remove(name);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no Azure credential found"), "{stderr}");
    assert!(
        stderr.contains("az login") && stderr.contains("--local"),
        "{stderr}"
    );
}

#[test]
fn a_long_markdown_plan_fits_a_pull_request_comment() {
    // 3,000 identities to create: far more than a 65,536-character comment holds.
    let dir = std::env::temp_dir().join(format!("azplan-long-md-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut spec = String::from(
        "stack: long\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {name: rg-long}\nidentities:\n",
    );
    for i in 0..3000 {
        spec.push_str(&format!("  workload-identity-number-{i:05}: {{}}\n"));
    }
    std::fs::write(dir.join("stack.yaml"), spec).unwrap();
    let stack = dir.join("stack.yaml");
    let out = azplan(&[
        "plan",
        stack.to_str().unwrap(),
        "--live",
        "tests/fixtures/live-empty.json",
        "--format",
        "markdown",
    ]);
    std::fs::remove_dir_all(&dir).ok();
    let md = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        md.chars().count() <= 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.contains("longer than a comment can hold"),
        "says what is left out"
    );
    assert!(
        md.contains("workload-identity-number-00000"),
        "the first ones are shown"
    );
}
