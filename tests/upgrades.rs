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
