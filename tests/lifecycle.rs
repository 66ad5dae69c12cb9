//! Lifecycle tests: the real `azplan` binary applies, re-plans and destroys stacks against the
//! emulator, started in this process and reached over HTTPS through the same pipeline as Azure.

use std::process::{Command, Output};

#[path = "common/cloud.rs"]
mod cloud;
use cloud::{Cloud, text};

fn assert_clean(cloud: &Cloud, stack: &str) {
    let plan = cloud.azplan(&["plan", stack, "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "a plan right after apply must be empty:\n{}",
        text(&plan)
    );
}

fn apply(cloud: &Cloud, stack: &str, extra: &[&str]) -> Output {
    let mut args = vec!["apply", stack, "--auto-approve"];
    args.extend(extra);
    cloud.azplan(&args)
}

#[test]
fn every_example_applies_from_empty_and_then_plans_clean() {
    for example in [
        "examples/minimal",
        "examples/platform",
        "examples/dev-prod",
        "examples/hub-spoke",
        "examples/key-vault",
    ] {
        let cloud = Cloud::start(&example.replace('/', "-"), None);
        let out = apply(&cloud, example, &[]);
        assert_eq!(out.status.code(), Some(0), "{example}:\n{}", text(&out));
        assert!(text(&out).contains("Apply complete!"), "{}", text(&out));
        assert_clean(&cloud, example);
    }
}

/// examples/shared-network reads a hub it does not own; another stack creates that hub first.
#[test]
fn the_shared_network_example_applies_once_its_hub_exists() {
    let cloud = Cloud::start("shared-network", None);
    let hub = apply(&cloud, "tests/lifecycle/hub.yaml", &[]);
    assert_eq!(hub.status.code(), Some(0), "{}", text(&hub));
    let team = apply(&cloud, "examples/shared-network", &[]);
    assert_eq!(team.status.code(), Some(0), "{}", text(&team));
    assert_clean(&cloud, "examples/shared-network");
    assert_clean(&cloud, "tests/lifecycle/hub.yaml");
    // Destroying the team's stack leaves the hub it only read.
    let destroyed = cloud.azplan(&[
        "destroy",
        "examples/shared-network",
        "--auto-approve",
        "--allow-destroy",
    ]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert_clean(&cloud, "tests/lifecycle/hub.yaml");
}

#[test]
fn no_op_apply_sends_no_writes_and_destroy_removes_everything_owned() {
    let cloud = Cloud::start("noop", None);
    let stack = "tests/lifecycle/v1.yaml";
    assert_eq!(apply(&cloud, stack, &[]).status.code(), Some(0));
    let (mark, _) = cloud.requests(0);
    let again = apply(&cloud, stack, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let (_, requests) = cloud.requests(mark);
    let writes: Vec<_> = requests
        .iter()
        .filter(|(m, p)| m != "GET" && !cloud::is_lock(p))
        .collect();
    assert!(writes.is_empty(), "a no-op apply wrote: {writes:?}");

    let destroyed = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    let plan = cloud.azplan(&["plan", stack, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["action"] == "create"),
        "something owned survived destroy"
    );
}

#[test]
fn spec_changes_apply_and_converge() {
    let cloud = Cloud::start("changes", None);
    assert_eq!(
        apply(&cloud, "tests/lifecycle/v1.yaml", &[]).status.code(),
        Some(0)
    );
    let scaled = apply(&cloud, "tests/lifecycle/v1.yaml", &["--var", "userCount=2"]);
    assert_eq!(scaled.status.code(), Some(0), "{}", text(&scaled));
    assert!(text(&scaled).contains("1 changed"), "{}", text(&scaled));
    let out = apply(&cloud, "tests/lifecycle/v2.yaml", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("Resources: 2 added, 1 changed, 0 destroyed"),
        "{}",
        text(&out)
    );
    assert_clean(&cloud, "tests/lifecycle/v2.yaml");
    // Back to v1: the extra subnet and role assignment are owned and gone from the spec.
    let back = apply(&cloud, "tests/lifecycle/v1.yaml", &["--allow-destroy"]);
    assert_eq!(back.status.code(), Some(0), "{}", text(&back));
    assert!(text(&back).contains("2 destroyed"), "{}", text(&back));
    assert_clean(&cloud, "tests/lifecycle/v1.yaml");
}

/// VNet peerings and private DNS zone links end to end: both peering sides connect, each
/// setting updates in place, a peering left out of a VNet that lists its peerings is deleted
/// (its remote side goes `Disconnected`), one of a VNet without `peerings:` is left alone, and
/// destroy takes the rest.
#[test]
fn peerings_and_zone_links_apply_change_and_go() {
    let cloud = Cloud::start("peering", None);
    let stack = "tests/lifecycle/peering.yaml";
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("8 added"), "{}", text(&out));
    assert_clean(&cloud, stack);
    let outputs = text(&cloud.azplan(&["output", stack]));
    assert!(
        outputs.contains("vnet/hub/to-spoke.peeringState = Connected")
            && outputs.contains("vnet/spoke/to-hub.peeringState = Connected"),
        "{outputs}"
    );
    // Without the key, the spoke's peering is not the stack's: nothing to do.
    assert_clean(&cloud, "tests/lifecycle/peering-unmanaged.yaml");

    let changed = apply(
        &cloud,
        stack,
        &["--var", "forwarded=false", "--var", "registration=false"],
    );
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 2 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let again = cloud.azplan(&[
        "plan",
        stack,
        "--detailed-exitcode",
        "--var",
        "forwarded=false",
        "--var",
        "registration=false",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    let dropped = "tests/lifecycle/peering-dropped.yaml";
    let refused = apply(&cloud, dropped, &[]);
    assert_ne!(refused.status.code(), Some(0), "deletes need consent");
    let out = apply(&cloud, dropped, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("2 destroyed"), "{}", text(&out));
    assert_clean(&cloud, dropped);
    let outputs = text(&cloud.azplan(&["output", dropped]));
    assert!(
        outputs.contains("vnet/hub/to-spoke.peeringState = Disconnected"),
        "{outputs}"
    );

    let destroyed = cloud.azplan(&["destroy", dropped, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    let plan = cloud.azplan(&["plan", stack, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["action"] == "create"),
        "something owned survived destroy"
    );
}

/// A setting Azure fixes at creation replaces the cluster: one replacement with its pools
/// (never the "last System pool" refusal), consent needed, and the new cluster converges.
#[test]
fn a_cluster_replacement_recreates_it_with_its_pools() {
    let cloud = Cloud::start("replace-cluster", None);
    let stack = "tests/lifecycle/v1.yaml";
    assert_eq!(apply(&cloud, stack, &[]).status.code(), Some(0));
    let moved = [
        "--var",
        "serviceCidr=172.18.0.0/16",
        "--var",
        "dnsServiceIp=172.18.0.10",
    ];
    let plan = cloud.azplan(&["plan", stack, moved[0], moved[1], moved[2], moved[3]]);
    let shown = text(&plan);
    assert!(
        shown.contains("-/+ cluster/aks must be replaced"),
        "{shown}"
    );
    assert!(
        shown.contains("`properties.networkProfile.serviceCidr` changes"),
        "{shown}"
    );
    assert!(
        shown.contains("-/+ cluster/aks/user must be replaced"),
        "{shown}"
    );
    let refused = apply(&cloud, stack, &moved);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let mut args = moved.to_vec();
    args.push("--allow-destroy");
    let replaced = apply(&cloud, stack, &args);
    assert_eq!(replaced.status.code(), Some(0), "{}", text(&replaced));
    let again = cloud.azplan(&[
        "plan",
        stack,
        "--detailed-exitcode",
        moved[0],
        moved[1],
        moved[2],
        moved[3],
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn deletes_need_consent_outside_a_terminal() {
    let cloud = Cloud::start("consent", None);
    assert_eq!(
        apply(&cloud, "tests/lifecycle/v2.yaml", &[]).status.code(),
        Some(0)
    );
    let refused = apply(&cloud, "tests/lifecycle/v1.yaml", &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused).contains("--allow-destroy"),
        "{}",
        text(&refused)
    );
}

#[test]
fn a_stale_saved_plan_is_refused() {
    let cloud = Cloud::start("stale", None);
    let file = cloud.dir.join("plan.json");
    let planned = cloud.azplan(&[
        "plan",
        "tests/lifecycle/v1.yaml",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(planned.status.code(), Some(0), "{}", text(&planned));
    assert_eq!(
        apply(&cloud, "tests/lifecycle/v1.yaml", &[]).status.code(),
        Some(0)
    );
    let refused = apply(&cloud, file.to_str().unwrap(), &[]);
    assert_eq!(refused.status.code(), Some(1));
    let out = text(&refused);
    assert!(
        out.contains("stale") && out.contains("rg/rg (now exists)"),
        "{out}"
    );
}

#[test]
fn a_saved_plan_applies_exactly() {
    let cloud = Cloud::start("saved", None);
    let file = cloud.dir.join("plan.json");
    assert_eq!(
        cloud
            .azplan(&[
                "plan",
                "tests/lifecycle/v1.yaml",
                "--out",
                file.to_str().unwrap()
            ])
            .status
            .code(),
        Some(0)
    );
    let applied = apply(&cloud, file.to_str().unwrap(), &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    assert_clean(&cloud, "tests/lifecycle/v1.yaml");
}

const FAULTS: &str = r#"
seed: 11
faults:
  - fault: throttle
    operation: write
    count: 6
  - fault: error
    status: 503
    operation: read
    count: 4
  - fault: drop
    operation: write
    count: 2
  - fault: error
    status: 500
    resourceType: Microsoft.ContainerRegistry/registries
    count: 1
  - fault: lroFailed
    resourceType: Microsoft.ContainerService/managedClusters/agentPools
    count: 1
  - fault: principalNotFound
    windowSeconds: 2
"#;

#[test]
fn faults_converge_in_a_rerun_without_duplicates_or_foreign_writes() {
    let cloud = Cloud::start("faults", Some(FAULTS));
    let first = apply(&cloud, "tests/lifecycle/v2.yaml", &[]);
    let output = text(&first);
    if first.status.code() != Some(0) {
        // Only the injected LRO failure may stop the first run, and its dependents are skipped.
        assert!(
            output.contains("Creating failed") || output.contains("failed"),
            "{output}"
        );
        let second = apply(&cloud, "tests/lifecycle/v2.yaml", &[]);
        assert_eq!(
            second.status.code(),
            Some(0),
            "the rerun must converge:\n{}",
            text(&second)
        );
    }
    assert_clean(&cloud, "tests/lifecycle/v2.yaml");
    let log = std::fs::read_to_string(cloud.dir.join("requests.jsonl")).unwrap();
    for status in ["\"status\":429", "\"status\":503", "\"status\":500"] {
        assert!(log.contains(status), "the fault plan never fired {status}");
    }
    let (_, requests) = cloud.requests(0);
    let role_puts: Vec<&(String, String)> = requests
        .iter()
        .filter(|(m, p)| m == "PUT" && p.contains("roleAssignments"))
        .collect();
    let mut names: Vec<&str> = role_puts
        .iter()
        .map(|(_, p)| p.rsplit('/').next().unwrap())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        3,
        "role assignments keep their deterministic names: {names:?}"
    );
    assert!(
        requests.iter().all(|(m, p)| m == "GET"
            || cloud::is_lock(p)
            || p.to_ascii_lowercase()
                .contains("/resourcegroups/rg-lifecycle")),
        "a write left the stack's group"
    );
}

#[test]
fn ctrl_c_starts_nothing_new_and_reports_what_still_runs() {
    use std::io::{BufRead, BufReader};
    // Realistic-ish durations: the cluster takes tens of seconds, so it is mid-flight when
    // the interrupt comes.
    let cloud = Cloud::start_scaled("interrupt", None, 0.1);
    let endpoint = cloud.endpoint();
    let mut child = Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args([
            "apply",
            "tests/lifecycle/v1.yaml",
            "--auto-approve",
            "--endpoint",
            &endpoint,
            "--ca-cert",
            cloud.ca.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        seen.push_str(&line);
        if line.starts_with("cluster/aks: Creating") {
            break;
        }
        line.clear();
    }
    assert!(
        seen.contains("cluster/aks: Creating"),
        "the cluster never started:\n{seen}"
    );
    // Interrupt once Azure has the cluster's PUT (the line above is printed as the operation
    // starts, a moment before its request is sent).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !cloud
        .requests(0)
        .1
        .iter()
        .any(|(m, p)| m == "PUT" && p.ends_with("/managedClusters/aks"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the cluster PUT never came"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{seen}{rest}");
    assert!(rest.contains("Apply interrupted"), "{rest}");
    assert!(
        rest.contains("Still running in Azure") && rest.contains("cluster/aks"),
        "{rest}"
    );
    assert!(
        !rest.contains("cluster/aks/user: Creating"),
        "nothing new may start after the interrupt:\n{rest}"
    );
}

/// The real sign-in paths azplan uses in CI, end to end: azure_identity's client-secret and
/// managed-identity credentials fetch a token from the emulator's Entra endpoint
/// (`AZURE_AUTHORITY_HOST`, `IDENTITY_ENDPOINT`), and ARM (strict) checks it.
#[test]
fn azplan_signs_in_through_entra_and_arm_checks_the_token() {
    let cloud = Cloud::start_config("entra", None, 0.002, |c| c.strict_auth = true);
    let emulator = cloud.emulator.as_ref().unwrap();
    let endpoint = emulator.endpoint().to_string();
    let tenant = emulator.tenant_id().to_string();
    let identity_endpoint = emulator.identity_endpoint();
    let identity_header = emulator.identity_header().to_string();
    let run = |env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_azplan"));
        command
            .args([
                "plan",
                "examples/minimal",
                "--endpoint",
                &endpoint,
                "--ca-cert",
                cloud.ca.to_str().unwrap(),
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1");
        for name in [
            "AZURE_AUTHORITY_HOST",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_FEDERATED_TOKEN_FILE",
            "IDENTITY_ENDPOINT",
            "IDENTITY_HEADER",
            "MSI_ENDPOINT",
        ] {
            command.env_remove(name);
        }
        command.envs(env.iter().copied());
        command.output().unwrap()
    };
    // The fixed test token is not a token: strict ARM refuses it.
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(text(&refused).contains("401"), "{}", text(&refused));
    // A client secret, signed in at the emulator's Entra endpoint.
    let secret = run(&[
        ("AZURE_AUTHORITY_HOST", &endpoint),
        ("AZURE_TENANT_ID", &tenant),
        ("AZURE_CLIENT_ID", "0f0e0d0c-0b0a-4908-8706-050403020100"),
        ("AZURE_CLIENT_SECRET", "not-a-real-secret"),
    ]);
    assert_eq!(secret.status.code(), Some(0), "{}", text(&secret));
    assert!(
        text(&secret).contains("with client secret"),
        "{}",
        text(&secret)
    );
    // A managed identity, through the identity endpoint App Service and Azure Arc expose.
    let managed = run(&[
        ("AZURE_AUTHORITY_HOST", &endpoint),
        ("IDENTITY_ENDPOINT", &identity_endpoint),
        ("IDENTITY_HEADER", &identity_header),
    ]);
    assert_eq!(managed.status.code(), Some(0), "{}", text(&managed));
    assert!(
        text(&managed).contains("with managed identity"),
        "{}",
        text(&managed)
    );
}

/// A key vault applies and re-plans clean (in both read modes), takes a network-rule change in
/// place, and is soft-deleted by destroy: the destroy plan says its name stays taken, the next
/// plan stops on the soft-deleted vault, and `recover: true` brings it back.
#[test]
fn a_key_vault_is_soft_deleted_by_destroy_and_recovered_on_request() {
    let cloud = Cloud::start("keyvault", None);
    let stack = "tests/lifecycle/keyvault.yaml";
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }

    let changed = apply(&cloud, stack, &["--var", "ip=198.51.100.0/24"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let plan = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "ip=198.51.100.0/24",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    let destroyed = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(
        text(&destroyed).contains("stays taken"),
        "the destroy plan says the vault's name stays taken:\n{}",
        text(&destroyed)
    );

    let blocked = cloud.azplan(&["plan", stack]);
    assert_eq!(blocked.status.code(), Some(1), "{}", text(&blocked));
    for said in ["exists soft-deleted", "recover: true", "az keyvault purge"] {
        assert!(text(&blocked).contains(said), "{said}:\n{}", text(&blocked));
    }
    let recovered = apply(&cloud, stack, &["--var", "recover=true"]);
    assert_eq!(recovered.status.code(), Some(0), "{}", text(&recovered));
    assert!(
        text(&recovered).contains("recovers the soft-deleted vault"),
        "{}",
        text(&recovered)
    );
    let plan = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "recover=true",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
}

/// Pool upgrade settings (`upgrade:`) are sent on create (inline with the cluster for the
/// System pool, through agentPools for the others), read back clean, and a changed surge is an
/// in-place update of that one pool.
#[test]
fn pool_upgrade_settings_apply_and_change_in_place() {
    let cloud = Cloud::start("pool-upgrade", None);
    let stack = "tests/lifecycle/pool-upgrade.yaml";
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, stack);
    let plan = cloud.azplan(&["plan", stack, "--var", "surge=33%"]);
    let shown = text(&plan);
    assert!(shown.contains("upgradeSettings.maxSurge"), "{shown}");
    assert!(shown.contains("1 to change"), "{shown}");
    assert!(!shown.contains("replace"), "{shown}");
    let out = apply(&cloud, stack, &["--var", "surge=33%"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("1 changed"), "{}", text(&out));
    let plan = cloud.azplan(&["plan", stack, "--var", "surge=33%", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
}

/// Planned maintenance windows end to end: created with the cluster, read back clean, a
/// changed window is an in-place update, a dropped one is deleted, and destroy takes the rest.
#[test]
fn maintenance_windows_apply_change_and_go() {
    let cloud = Cloud::start("maintenance", None);
    let v1 = "tests/lifecycle/maintenance-1.yaml";
    let v2 = "tests/lifecycle/maintenance-2.yaml";
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("aksManagedNodeOSUpgradeSchedule"),
        "{}",
        text(&out)
    );
    assert_clean(&cloud, v1);
    let out = apply(&cloud, v2, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 1 destroyed"),
        "{}",
        text(&out)
    );
    assert_clean(&cloud, v2);
    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
