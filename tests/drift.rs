//! `azplan drift` against the emulator with the real binary: changes made behind azplan's back
//! are each reported in their class, and drift agrees with `plan --detailed-exitcode` at every
//! step and on every example.

use serde_json::{Value, json};

#[path = "common/cloud.rs"]
mod cloud;
use cloud::{Cloud, text};

const STACK: &str = "tests/lifecycle/drift.yaml";
const SUB: &str = "/subscriptions/11111111-1111-1111-1111-111111111111";
const REGISTRY_API: &str = "2025-11-01";
const IDENTITY_API: &str = "2024-11-30";
const CLUSTER_API: &str = "2026-08-01";

fn group(name: &str) -> String {
    format!("{SUB}/resourceGroups/{name}")
}

/// Runs drift (JSON) and, for one stack, plan --detailed-exitcode, which must agree; returns
/// drift's exit code and the findings of the first stack.
fn drift(cloud: &Cloud, stacks: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut args = vec!["drift"];
    args.extend(stacks);
    args.extend(["--format", "json"]);
    let out = cloud.azplan(&args);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("drift JSON: {e}\n{}", text(&out)));
    if let [stack] = stacks {
        let plan = cloud.azplan(&["plan", stack, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            out.status.code(),
            "drift and plan disagree on {stack}:\n{}\n{}",
            text(&out),
            text(&plan)
        );
    }
    let findings = report["stacks"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (out.status.code(), findings)
}

fn classes_of(findings: &[Value], address_part: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["address"].as_str().unwrap().contains(address_part))
        .map(|f| f["class"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn changes_behind_azplans_back_are_reported_each_in_its_class() {
    let cloud = Cloud::start("drift", None);
    let applied = cloud.azplan(&["apply", STACK, "--auto-approve", "--poll-interval", "0.1"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let (code, findings) = drift(&cloud, &[STACK]);
    assert_eq!(code, Some(0), "{findings:#?}");
    // AKS picked the patch within 1.33: housekeeping, listed, not counted.
    assert_eq!(classes_of(&findings, "cluster/aks"), ["housekeeping"]);

    // The autoscaler scales the user pool: housekeeping.
    let cluster = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks",
        group("rg-drift")
    );
    let mut pool = cloud
        .get(&format!("{cluster}/agentPools/user"), CLUSTER_API)
        .unwrap();
    pool["properties"]["count"] = json!(3);
    cloud.put(
        &format!("{cluster}/agentPools/user"),
        CLUSTER_API,
        json!({"properties": pool["properties"].clone()}),
    );
    let (code, findings) = drift(&cloud, &[STACK]);
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(classes_of(&findings, "cluster/aks/user"), ["housekeeping"]);
    let scaled = findings
        .iter()
        .find(|f| f["address"] == "cluster/aks/user")
        .unwrap();
    assert_eq!(scaled["changes"][0]["before"], 3, "Azure's count: {scaled}");
    assert_eq!(
        scaled["changes"][0]["after"], 1,
        "the spec's count: {scaled}"
    );

    // A foreign resource in the stack's group: unmanaged, listed, not counted.
    let foreign = format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/acrforeign02",
        group("rg-drift")
    );
    cloud.put(
        &foreign,
        REGISTRY_API,
        json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    );
    let (code, findings) = drift(&cloud, &[STACK]);
    assert_eq!(code, Some(0), "{findings:#?}");
    assert_eq!(classes_of(&findings, "acrforeign02"), ["unmanaged"]);

    // A portal-style edit of the registry: drift, with the property.
    let registry = format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/acrdrift01",
        group("rg-drift")
    );
    let mut body = cloud.get(&registry, REGISTRY_API).unwrap();
    body["properties"]["adminUserEnabled"] = json!(true);
    cloud.put(&registry, REGISTRY_API, json!({"location": body["location"], "sku": body["sku"], "tags": body["tags"], "properties": {"adminUserEnabled": true}}));
    let (code, findings) = drift(&cloud, &[STACK]);
    assert_eq!(code, Some(2), "{findings:#?}");
    let edited: Vec<&Value> = findings
        .iter()
        .filter(|f| f["address"] == "registry/acr")
        .collect();
    assert_eq!(edited.len(), 1, "{findings:#?}");
    assert_eq!(edited[0]["class"], "drift");
    assert_eq!(
        edited[0]["changes"][0]["path"],
        "properties.adminUserEnabled"
    );
    // Who changed it and when, from the Activity Log: the edit, not azplan's own create.
    let by = &edited[0]["changed_by"];
    assert!(
        by["operation"]
            .as_str()
            .is_some_and(|o| o.eq_ignore_ascii_case("Microsoft.ContainerRegistry/registries/write")),
        "{by}"
    );
    assert!(by["caller"].as_str().is_some_and(|c| !c.is_empty()), "{by}");
    assert!(
        by["when"].as_str().is_some_and(|w| w.starts_with("20")),
        "{by}"
    );

    // An out-of-band delete: missing.
    let identity = format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
        group("rg-drift")
    );
    assert!(cloud.send(azure_core::http::Method::Delete, &identity, IDENTITY_API) < 300);
    let (code, findings) = drift(&cloud, &[STACK]);
    assert_eq!(code, Some(2));
    assert_eq!(classes_of(&findings, "identity/app"), ["missing"]);
    let gone = findings
        .iter()
        .find(|f| f["address"] == "identity/app")
        .unwrap();
    assert!(
        gone["changed_by"]["operation"]
            .as_str()
            .is_some_and(|o| o.to_ascii_lowercase().ends_with("/delete")),
        "the out-of-band delete is named: {gone}"
    );

    // Someone takes the registry's ownership tag off: the plan is refused (exit 1), and drift
    // reports a conflict, not drift that apply would set back.
    let registry_body = cloud.get(&registry, REGISTRY_API).unwrap();
    cloud.put(
        &registry,
        REGISTRY_API,
        json!({"location": registry_body["location"], "sku": registry_body["sku"], "tags": {}}),
    );
    let plan = cloud.azplan(&["plan", STACK, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(1), "{}", text(&plan));
    let out = cloud.azplan(&["drift", STACK, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let on_registry: Vec<&str> = report["stacks"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["address"] == "registry/acr")
        .map(|f| f["class"].as_str().unwrap())
        .collect();
    assert_eq!(on_registry, ["conflict"]);
    cloud.put(&registry, REGISTRY_API, json!({"location": registry_body["location"], "sku": registry_body["sku"], "tags": registry_body["tags"], "properties": {"adminUserEnabled": true}}));

    // The markdown report is an issue body with one row per finding.
    let md = cloud.azplan(&[
        "drift",
        STACK,
        "--format",
        "markdown",
        "--hide-housekeeping",
    ]);
    let md = String::from_utf8_lossy(&md.stdout).to_string();
    assert!(md.starts_with("## azplan drift"), "{md}");
    assert!(md.contains("| drift | `registry/acr` |"), "{md}");
    assert!(md.contains("| missing | `identity/app` |"), "{md}");
    assert!(!md.contains("housekeeping |"), "hidden: {md}");
}

#[test]
fn a_failed_pool_is_reported_failed() {
    let faults = "faults:\n  - fault: lroFailed\n    resourceType: Microsoft.ContainerService/managedClusters/agentPools\n    pathContains: /agentPools/user\n    operation: PUT\n    count: 1\n";
    let cloud = Cloud::start("drift-failed", Some(faults));
    let applied = cloud.azplan(&["apply", STACK, "--auto-approve", "--poll-interval", "0.1"]);
    assert_eq!(
        applied.status.code(),
        Some(1),
        "the pool failed: {}",
        text(&applied)
    );
    let (code, findings) = drift(&cloud, &[STACK]);
    assert_eq!(code, Some(2), "{findings:#?}");
    assert_eq!(classes_of(&findings, "cluster/aks/user"), ["failed"]);
}

#[test]
fn drift_and_plan_agree_on_every_example() {
    let cloud = Cloud::start("drift-examples", None);
    let hub = cloud.azplan(&[
        "apply",
        "tests/lifecycle/hub.yaml",
        "--auto-approve",
        "--poll-interval",
        "0.1",
    ]);
    assert_eq!(hub.status.code(), Some(0), "{}", text(&hub));
    for example in [
        "examples/minimal",
        "examples/platform",
        "examples/dev-prod",
        "examples/shared-network",
    ] {
        let (code, _) = drift(&cloud, &[example]);
        assert_eq!(
            code,
            Some(2),
            "{example} is not applied yet: everything is missing"
        );
        let applied = cloud.azplan(&["apply", example, "--auto-approve", "--poll-interval", "0.1"]);
        assert_eq!(
            applied.status.code(),
            Some(0),
            "{example}: {}",
            text(&applied)
        );
        let (code, findings) = drift(&cloud, &[example]);
        assert_eq!(code, Some(0), "{example}: {findings:#?}");
    }
    // Many stacks, one report.
    let out = cloud.azplan(&[
        "drift",
        "examples/minimal",
        "examples/platform",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stacks"].as_array().unwrap().len(), 2);
}

#[test]
fn committed_drift_schema_is_current_and_reports_match_it() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(["schema", "--drift"])
        .output()
        .unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(root.join("schemas/drift.schema.json")).unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout) == committed,
        "schemas/drift.schema.json is stale: run `cargo run -- schema --drift > schemas/drift.schema.json`"
    );
    // An offline report (everything missing against an empty subscription) matches it.
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args([
            "drift",
            STACK,
            "--live",
            "tests/fixtures/live-empty.json",
            "--format",
            "json",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(report.status.code(), Some(2));
    let schema: Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let value: Value = serde_json::from_slice(&report.stdout).unwrap();
    assert!(validator.is_valid(&value), "{value:#}");
}
