//! Reading estates with the real binary against the emulator: `--read list`, `--read graph` and
//! `--read auto` see the same live state (the same plan, clean after apply, the same changes
//! after edits behind azplan's back), children come inside their parents, Resource Graph is
//! asked once for several stacks, `auto` falls back to LISTs when Resource Graph refuses, and
//! `--no-pacing` is refused against Azure.

use serde_json::Value;

#[path = "common/cloud.rs"]
mod cloud;
use cloud::{Cloud, text};

const TEAM_A: &str = "tests/lifecycle/estate/team-a.yaml";
const TEAM_B: &str = "tests/lifecycle/estate/team-b.yaml";
const SUB: &str = "/subscriptions/11111111-1111-1111-1111-111111111111";
const GRAPH_PATH: &str = "/providers/Microsoft.ResourceGraph/resources";

fn apply(cloud: &Cloud, stack: &str) {
    let out = cloud.azplan(&[
        "apply",
        stack,
        "--auto-approve",
        "--poll-interval",
        "0.1",
        "--no-pacing",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// The plan of `stack` read with `mode`, as JSON (changes only, without read-cost noise), and
/// the requests the read made.
fn plan(cloud: &Cloud, stack: &str, mode: &str) -> (Option<i32>, Value, Vec<(String, String)>) {
    let (from, _) = cloud.requests(0);
    let out = cloud.azplan(&[
        "plan",
        stack,
        "--read",
        mode,
        "--format",
        "json",
        "--detailed-exitcode",
    ]);
    let (_, requests) = cloud.requests(from);
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("plan JSON ({mode}): {e}\n{}", text(&out)));
    // What a resource left alone was observed as (an etag from a LIST, a hash of a Resource
    // Graph row, which has none) is not part of the plan; a saved plan ignores it too.
    let mut changes = json["changes"].clone();
    for change in changes.as_array_mut().into_iter().flatten() {
        if change["action"] == "no-op" {
            change.as_object_mut().unwrap().remove("observed");
        }
    }
    (out.status.code(), changes, requests)
}

fn count(requests: &[(String, String)], method: &str, path_part: &str) -> usize {
    requests
        .iter()
        .filter(|(m, p)| {
            m == method
                && p.to_ascii_lowercase()
                    .contains(&path_part.to_ascii_lowercase())
        })
        .count()
}

#[test]
fn every_read_mode_sees_the_same_estate_and_reads_children_inside_their_parents() {
    let cloud = Cloud::start("estate-reads", None);
    apply(&cloud, TEAM_A);
    let mut plans = Vec::new();
    for mode in ["list", "graph", "auto"] {
        let (code, changes, requests) = plan(&cloud, TEAM_A, mode);
        assert_eq!(
            code,
            Some(0),
            "{mode}: a fresh apply plans clean: {changes:#}"
        );
        // Subnets and pools come inside their VNet and cluster: never LISTed.
        assert_eq!(
            count(&requests, "GET", "/subnets"),
            0,
            "{mode}: {requests:?}"
        );
        assert_eq!(
            count(&requests, "GET", "/agentPools"),
            0,
            "{mode}: {requests:?}"
        );
        // Credentials are LISTed for the identity that has them in the spec and for the other
        // identity the stack made (it may hold credentials to delete): two LISTs.
        assert_eq!(
            count(&requests, "GET", "/federatedIdentityCredentials"),
            2,
            "{mode}: {requests:?}"
        );
        let graph_queries = count(&requests, "POST", GRAPH_PATH);
        match mode {
            "list" => assert_eq!(graph_queries, 0),
            // Three groups: `auto` asks Resource Graph, once.
            _ => assert_eq!(graph_queries, 1, "{mode}: {requests:?}"),
        }
        if mode != "list" {
            // Resource Graph answers for every type it holds whole: no typed LISTs.
            for arm_type in [
                "managedClusters",
                "registries",
                "virtualNetworks",
                "workspaces",
            ] {
                assert_eq!(
                    count(
                        &requests,
                        "GET",
                        &format!("/providers/Microsoft.{}", arm_type)
                    ),
                    0,
                    "{mode}: {arm_type} read by LIST: {requests:?}"
                );
            }
        }
        plans.push(changes);
    }

    // Behind azplan's back: a pool scaled, a registry's tag changed, a subnet deleted.
    let pool = format!(
        "{SUB}/resourceGroups/rg-estate-apps/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/user"
    );
    let mut body = cloud.get(&pool, "2026-08-01").expect("the pool exists");
    body["properties"]["count"] = 3.into();
    cloud.put(&pool, "2026-08-01", body);
    let subnet = format!(
        "{SUB}/resourceGroups/rg-estate-apps/providers/Microsoft.Network/virtualNetworks/net/subnets/spare"
    );
    assert!(matches!(
        cloud.send(azure_core::http::Method::Delete, &subnet, "2026-03-01"),
        200 | 202 | 204
    ));
    let mut seen = Vec::new();
    for mode in ["list", "graph", "auto"] {
        let (code, changes, _) = plan(&cloud, TEAM_A, mode);
        assert_eq!(code, Some(2), "{mode}: the edits are changes: {changes:#}");
        seen.push(changes);
    }
    assert_eq!(seen[0], seen[1], "list and graph plan the same changes");
    assert_eq!(seen[0], seen[2], "list and auto plan the same changes");
    let addresses: Vec<&str> = seen[0]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "no-op")
        .filter_map(|c| c["address"].as_str())
        .collect();
    assert!(addresses.contains(&"cluster/aks/user"), "{addresses:?}");
    assert!(addresses.contains(&"vnet/net/spare"), "{addresses:?}");
}

#[test]
fn drift_over_several_stacks_asks_resource_graph_once() {
    let cloud = Cloud::start("estate-drift", None);
    apply(&cloud, TEAM_A);
    apply(&cloud, TEAM_B);
    let (from, _) = cloud.requests(0);
    let out = cloud.azplan(&[
        "drift", TEAM_A, TEAM_B, "--read", "graph", "--format", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let (_, requests) = cloud.requests(from);
    assert_eq!(count(&requests, "POST", GRAPH_PATH), 1, "{requests:?}");
    // The subscription's groups and role assignments are LISTed once for both stacks.
    let exactly = |suffix: &str| {
        requests
            .iter()
            .filter(|(m, p)| m == "GET" && p.to_ascii_lowercase().ends_with(suffix))
            .count()
    };
    assert_eq!(exactly("/resourcegroups"), 1, "{requests:?}");
    assert_eq!(
        exactly("/providers/microsoft.authorization/roleassignments"),
        1,
        "{requests:?}"
    );
}

#[test]
fn auto_falls_back_to_lists_when_resource_graph_refuses_and_graph_says_why() {
    let faults = "faults:\n  - fault: error\n    status: 403\n    code: AuthorizationFailed\n    pathContains: /providers/Microsoft.ResourceGraph/\n";
    let cloud = Cloud::start("estate-refused", Some(faults));
    apply(&cloud, TEAM_A);
    let (code, _, requests) = plan(&cloud, TEAM_A, "auto");
    assert_eq!(code, Some(0), "auto reads with LISTs instead");
    assert!(
        count(
            &requests,
            "GET",
            "/providers/Microsoft.ContainerService/managedClusters"
        ) > 0
    );
    let out = cloud.azplan(&["plan", TEAM_A, "--read", "graph"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("Azure Resource Graph"), "{said}");
    assert!(said.contains("403"), "{said}");
}

/// Reader on the stack's groups only (the subscription's role and policy assignment LISTs answer
/// 403): each group's own LISTs are read instead, and the plan is clean, not an error.
#[test]
fn without_reader_on_the_subscription_assignments_are_listed_per_group() {
    let faults = "faults:\n  - fault: error\n    status: 403\n    code: AuthorizationFailed\n    pathContains: /subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.Authorization/\n";
    let cloud = Cloud::start("estate-group-reader", Some(faults));
    apply(&cloud, TEAM_A);
    let (code, _, requests) = plan(&cloud, TEAM_A, "list");
    assert_eq!(code, Some(0), "{requests:?}");
    for kind in ["policyassignments", "roleassignments"] {
        assert!(
            requests.iter().any(|(m, p)| m == "GET"
                && p.to_ascii_lowercase().contains("/resourcegroups/")
                && p.to_ascii_lowercase()
                    .contains(&format!("/providers/microsoft.authorization/{kind}"))),
            "no group LIST of {kind}: {requests:?}"
        );
    }
}

#[test]
fn no_pacing_is_refused_against_azure_before_any_credential_is_looked_for() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(["plan", TEAM_A, "--no-pacing"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("--no-pacing is for emulators only"),
        "{}",
        text(&out)
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args([
            "plan",
            TEAM_A,
            "--no-pacing",
            "--endpoint",
            "https://management.usgovcloudapi.net",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        text(&out).contains("--no-pacing is for emulators only"),
        "{}",
        text(&out)
    );
}

#[test]
fn plan_over_several_stacks_reads_them_with_one_query_and_prints_one_plan_each() {
    let cloud = Cloud::start("estate-plan-many", None);
    apply(&cloud, TEAM_A);
    apply(&cloud, TEAM_B);
    let (from, _) = cloud.requests(0);
    let out = cloud.azplan(&[
        "plan",
        TEAM_A,
        TEAM_B,
        "--read",
        "graph",
        "--format",
        "json",
        "--detailed-exitcode",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let (_, requests) = cloud.requests(from);
    assert_eq!(count(&requests, "POST", GRAPH_PATH), 1, "{requests:?}");
    let plans: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stacks: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stack"].as_str().unwrap())
        .collect();
    assert_eq!(stacks, ["team-a", "team-b"]);

    // A change in one stack: exit 2, and the human output names each stack.
    let registry = format!(
        "{SUB}/resourceGroups/rg-estate-b1/providers/Microsoft.ContainerRegistry/registries/acrestateb01"
    );
    let mut body = cloud.get(&registry, "2025-11-01").unwrap();
    body["sku"]["name"] = "Standard".into();
    cloud.put(&registry, "2025-11-01", body);
    let out = cloud.azplan(&["plan", TEAM_A, TEAM_B, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains(&format!("=== {TEAM_A} ===")), "{said}");
    assert!(said.contains(&format!("=== {TEAM_B} ===")), "{said}");

    let out = cloud.azplan(&["plan", TEAM_A, TEAM_B, "--out", "x.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("--out saves the plan of one stack"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_lagging_resource_graph_neither_invents_changes_nor_hides_them() {
    // Resource Graph answers from a copy of the state up to ten minutes old: the first query,
    // made before anything exists, is what it keeps answering for the whole test.
    let cloud = Cloud::start_config("estate-lag", None, 0.002, |config| {
        config.graph_lag = std::time::Duration::from_secs(600);
    });
    let (code, _, _) = plan(&cloud, TEAM_A, "graph");
    assert_eq!(code, Some(2), "nothing exists yet");
    apply(&cloud, TEAM_A);

    // Every resource is missing from Resource Graph's answer; each would-be create is read again
    // from ARM first, so the plan right after the apply is clean.
    let (code, changes, requests) = plan(&cloud, TEAM_A, "graph");
    assert_eq!(
        code,
        Some(0),
        "stale rows are confirmed with ARM: {changes:#}"
    );
    assert!(
        count(&requests, "GET", "/managedClusters/aks/agentPools/user") > 0,
        "the pool was read from ARM: {requests:?}"
    );

    // A change behind azplan's back that Resource Graph has not seen is still planned.
    let pool = format!(
        "{SUB}/resourceGroups/rg-estate-apps/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/user"
    );
    let mut body = cloud.get(&pool, "2026-08-01").expect("the pool exists");
    body["properties"]["count"] = 3.into();
    cloud.put(&pool, "2026-08-01", body);
    let (code, changes, _) = plan(&cloud, TEAM_A, "graph");
    assert_eq!(code, Some(2), "{changes:#}");
    let updated: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] != "no-op")
        .filter_map(|c| c["address"].as_str())
        .collect();
    assert_eq!(updated, ["cluster/aks/user"]);

    // Apply never decides from Resource Graph under `auto`: it reads ARM's LISTs, and repairs
    // the pool.
    let (from, _) = cloud.requests(0);
    apply(&cloud, TEAM_A);
    let (_, requests) = cloud.requests(from);
    assert_eq!(count(&requests, "POST", GRAPH_PATH), 0, "{requests:?}");
    let body = cloud.get(&pool, "2026-08-01").unwrap();
    assert_eq!(body["properties"]["count"], 1);
}
