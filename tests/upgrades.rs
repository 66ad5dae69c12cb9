//! Kubernetes upgrades against the emulator with the real binary: the plan shows an allowed
//! version change as an upgrade (control plane before pools) and refuses what AKS refuses —
//! downgrades, skipped minor versions, versions the region does not offer, pools newer than
//! their control plane.

#[path = "common/cloud.rs"]
mod cloud;
use cloud::{Cloud, text};

const STACK: &str = "tests/lifecycle/upgrade.yaml";

fn plan(cloud: &Cloud, cp: &str, pool: &str) -> (Option<i32>, String) {
    let cp = format!("cp={cp}");
    let pool = format!("pool={pool}");
    let out = cloud.azplan(&[
        "plan",
        STACK,
        "--detailed-exitcode",
        "--var",
        &cp,
        "--var",
        &pool,
    ]);
    // miette wraps long messages: compare with the line breaks and gutters taken out.
    let shown = text(&out);
    let flat: Vec<&str> = shown.split_whitespace().filter(|w| *w != "│").collect();
    (out.status.code(), flat.join(" "))
}

#[test]
fn version_changes_are_upgrades_aks_allows_or_refusals_that_say_why() {
    let cloud = Cloud::start("upgrades", None);
    let applied = cloud.azplan(&["apply", STACK, "--auto-approve", "--poll-interval", "0.1"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));

    let (code, out) = plan(&cloud, "1.31", "1.31");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("AKS never downgrades Kubernetes"), "{out}");

    let (code, out) = plan(&cloud, "1.34", "1.32");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("one minor version at a time"), "{out}");
    assert!(out.contains("goes to 1.33 first"), "{out}");

    let (code, out) = plan(&cloud, "1.33", "1.34");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("cannot run a newer Kubernetes (1.34) than its control plane"),
        "{out}"
    );

    // 1.33.4 is a version the emulator never offers (it has 1.33.5).
    let (code, out) = plan(&cloud, "1.33.4", "1.32");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not an upgrade AKS offers"), "{out}");
    assert!(out.contains("1.33.5"), "the offer is listed: {out}");

    let (code, out) = plan(&cloud, "1.33", "1.33");
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("Kubernetes upgrade 1.32.9 → 1.33: the control plane first"),
        "{out}"
    );
    assert!(
        out.contains("Kubernetes upgrade of the pool 1.32.9 → 1.33"),
        "{out}"
    );

    let upgraded = cloud.azplan(&[
        "apply",
        STACK,
        "--auto-approve",
        "--poll-interval",
        "0.1",
        "--var",
        "cp=1.33",
        "--var",
        "pool=1.33",
    ]);
    assert_eq!(upgraded.status.code(), Some(0), "{}", text(&upgraded));
    let (code, out) = plan(&cloud, "1.33", "1.33");
    assert_eq!(code, Some(0), "upgraded and converged: {out}");
}

/// A live file of one cluster (control plane `cp`) with one pool (`pool`), as ARM answers.
fn live_file(name: &str, cp: &str, pool: &str) -> std::path::PathBuf {
    let sub = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-upgrade";
    let cluster = format!("{sub}/providers/Microsoft.ContainerService/managedClusters/aks");
    let live = serde_json::json!([
        {"id": sub, "type": "Microsoft.Resources/resourceGroups", "location": "westeurope",
         "tags": {"azplan-stack": "upgrade"}},
        {"id": cluster, "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope",
         "tags": {"azplan-stack": "upgrade"},
         "properties": {"kubernetesVersion": cp, "currentKubernetesVersion": cp, "provisioningState": "Succeeded"}},
        {"id": format!("{cluster}/agentPools/system"), "type": "Microsoft.ContainerService/managedClusters/agentPools",
         "properties": {"mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5",
                        "orchestratorVersion": pool, "currentOrchestratorVersion": pool, "provisioningState": "Succeeded"}}
    ]);
    let path =
        std::env::temp_dir().join(format!("azplan-upgrade-{name}-{}.json", std::process::id()));
    std::fs::write(&path, live.to_string()).unwrap();
    path
}

fn plan_offline(live: &std::path::Path, cp: &str, pool: &str) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args([
            "plan",
            STACK,
            "--live",
            live.to_str().unwrap(),
            "--detailed-exitcode",
            "--var",
            &format!("cp={cp}"),
            "--var",
            &format!("pool={pool}"),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let flat: Vec<&str> = shown.split_whitespace().filter(|w| *w != "│").collect();
    (out.status.code(), flat.join(" "))
}

#[test]
fn a_pool_patch_newer_than_what_its_control_plane_runs_is_refused() {
    // The spec names 1.33 for the control plane, which runs 1.33.2: a pool asking for 1.33.5 would
    // be newer than it.
    let live = live_file("patch", "1.33.2", "1.33.2");
    let (code, out) = plan_offline(&live, "1.33", "1.33.5");
    std::fs::remove_file(&live).ok();
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("cannot run a newer Kubernetes (1.33.5) than its control plane (1.33.2)"),
        "{out}"
    );
}

#[test]
fn a_control_plane_upgrade_that_leaves_a_pool_beyond_the_skew_is_refused() {
    let live = live_file("skew", "1.33.5", "1.30.14");
    let (code, out) = plan_offline(&live, "1.34", "1.30.14");
    std::fs::remove_file(&live).ok();
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("more than three minor versions behind 1.34"),
        "{out}"
    );
}
