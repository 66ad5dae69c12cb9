//! One run at a time per stack: the lock held in Azure (a private DNS TXT record set with
//! If-None-Match / If-Match), tested with racing `azplan` processes against the emulator, and
//! the state-directory lock of `--local`.

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "common/cloud.rs"]
mod cloud;
use cloud::{Cloud, text};

const LOCK: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/azplan-locks/providers/Microsoft.Network/privateDnsZones/azplan-locks.internal/TXT/lifecycle";
const DNS_API: &str = "2024-06-01";

fn spawn(cloud: &Cloud, args: &[&str], expiry: &str) -> Child {
    let endpoint = cloud.endpoint();
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--endpoint",
        &endpoint,
        "--ca-cert",
        cloud.ca.to_str().unwrap(),
    ]);
    Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("AZPLAN_LOCK_EXPIRY_SECONDS", expiry)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> (Option<i32>, String) {
    let out: Output = child.wait_with_output().unwrap();
    (out.status.code(), text(&out))
}

fn wait_until_locked(cloud: &Cloud) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while cloud.get(LOCK, DNS_API).is_none() {
        assert!(Instant::now() < deadline, "the lock was never taken");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn racing_applies_and_destroys_of_one_stack_one_wins_the_other_fails_fast() {
    // At 10% of real durations the apply runs for tens of seconds.
    let cloud = Cloud::start_scaled("race", None, 0.05);
    let stack = "tests/lifecycle/v1.yaml";
    let first = spawn(&cloud, &["apply", stack, "--auto-approve"], "120");
    let second = spawn(&cloud, &["apply", stack, "--auto-approve"], "120");
    let started = Instant::now();
    let (a, b) = (finish(first), finish(second));
    let (winner, loser) = if a.0 == Some(0) { (a, b) } else { (b, a) };
    assert_eq!(
        winner.0,
        Some(0),
        "one apply completes:\n{}\n---\n{}",
        winner.1,
        loser.1
    );
    assert_eq!(loser.0, Some(1), "the other is refused:\n{}", loser.1);
    assert!(
        loser.1.contains("is locked by another run: `apply` by pid"),
        "{}",
        loser.1
    );
    assert!(started.elapsed() < Duration::from_secs(120));
    assert!(
        cloud.get(LOCK, DNS_API).is_none(),
        "released after the apply"
    );

    // A destroy while an apply runs (and the other way round) is refused too.
    let apply = spawn(
        &cloud,
        &["apply", stack, "--auto-approve", "--var", "userCount=2"],
        "120",
    );
    wait_until_locked(&cloud);
    let destroy = spawn(
        &cloud,
        &["destroy", stack, "--auto-approve", "--allow-destroy"],
        "120",
    );
    let (code, out) = finish(destroy);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("is locked by another run: `apply`"), "{out}");
    let (code, out) = finish(apply);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_live_holder_keeps_its_lock_past_the_expiry_by_heartbeats() {
    let cloud = Cloud::start_scaled("heartbeat", None, 0.1);
    let stack = "tests/lifecycle/v1.yaml";
    // Expiry 6 s, a heartbeat every 1.5 s; the apply takes far longer than 6 s.
    let holder = spawn(&cloud, &["apply", stack, "--auto-approve"], "6");
    wait_until_locked(&cloud);
    std::thread::sleep(Duration::from_secs(10));
    let contender = spawn(&cloud, &["apply", stack, "--auto-approve"], "6");
    let (code, out) = finish(contender);
    assert_eq!(code, Some(1), "a heartbeating lock is not expired:\n{out}");
    let (code, out) = finish(holder);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_broken_lock_stops_its_run_and_unlock_names_the_holder() {
    let cloud = Cloud::start_scaled("broken", None, 0.1);
    let stack = "tests/lifecycle/v1.yaml";
    let holder = spawn(&cloud, &["apply", stack, "--auto-approve"], "4");
    wait_until_locked(&cloud);
    let unlock = cloud.azplan(&["unlock", stack]);
    assert_eq!(unlock.status.code(), Some(0), "{}", text(&unlock));
    assert!(
        text(&unlock).contains("Broke the lock of stack `lifecycle`, held by `apply` by pid"),
        "{}",
        text(&unlock)
    );
    let (code, out) = finish(holder);
    assert_eq!(
        code,
        Some(1),
        "a run that lost its lock must not go green:\n{out}"
    );
    assert!(out.contains("taken over by another run"), "{out}");
    let again = cloud.azplan(&["unlock", stack]);
    assert!(text(&again).contains("is not locked"), "{}", text(&again));
}

#[test]
fn the_lock_is_released_on_failures_and_refusals() {
    let faults = "faults:\n  - fault: lroFailed\n    resourceType: Microsoft.ContainerRegistry/registries\n    operation: write\n    count: 1\n";
    let cloud = Cloud::start("release", Some(faults));
    let stack = "tests/lifecycle/v1.yaml";
    // A failed apply.
    let failed = cloud.azplan(&["apply", stack, "--auto-approve"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed));
    assert!(
        cloud.get(LOCK, DNS_API).is_none(),
        "released after a failure"
    );
    // A refusal (deletes without consent) after a successful apply.
    let ok = cloud.azplan(&["apply", "tests/lifecycle/v2.yaml", "--auto-approve"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let refused = cloud.azplan(&["apply", stack, "--auto-approve"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("--allow-destroy"));
    assert!(
        cloud.get(LOCK, DNS_API).is_none(),
        "released after a refusal"
    );
}

#[test]
fn the_lock_is_released_after_an_interrupt() {
    // A registry takes 3 s to create at 10% of real durations.
    let cloud = Cloud::start_scaled("interrupted", None, 0.1);
    let child = spawn(
        &cloud,
        &["apply", "tests/lifecycle/v1.yaml", "--auto-approve"],
        "120",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, requests) = cloud.requests(0);
        if requests
            .iter()
            .any(|(m, p)| m == "PUT" && p.contains("/registries/"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the apply never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let (code, out) = finish(child);
    assert_ne!(code, Some(0), "{out}");
    assert!(
        cloud.get(LOCK, DNS_API).is_none(),
        "released after an interrupt:\n{out}"
    );
}

#[test]
fn two_local_runs_in_one_directory_never_share_the_emulator_state() {
    let dir = std::env::temp_dir().join(format!("azplan-local-race-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let run = |stack: &str| {
        Command::new(env!("CARGO_BIN_EXE_azplan"))
            .args([
                "apply",
                &format!("{root}/{stack}"),
                "--local",
                "--auto-approve",
            ])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = run("tests/lifecycle/v1.yaml");
    std::thread::sleep(Duration::from_millis(300));
    let b = run("tests/lifecycle/groups.yaml");
    let (a, b) = (finish(a), finish(b));
    let outcomes = [a.0, b.0];
    assert!(outcomes.contains(&Some(0)), "{}\n---\n{}", a.1, b.1);
    // The one that could not share the state says so and wrote nothing; whatever succeeded
    // is all there afterwards.
    for (code, out, stack) in [
        (a.0, &a.1, "tests/lifecycle/v1.yaml"),
        (b.0, &b.1, "tests/lifecycle/groups.yaml"),
    ] {
        let plan = Command::new(env!("CARGO_BIN_EXE_azplan"))
            .args([
                "plan",
                &format!("{root}/{stack}"),
                "--local",
                "--detailed-exitcode",
            ])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        if code == Some(0) {
            assert_eq!(
                plan.status.code(),
                Some(0),
                "{stack} lost resources:\n{}",
                text(&plan)
            );
        } else {
            assert!(out.contains("lock") || out.contains("in use"), "{out}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
