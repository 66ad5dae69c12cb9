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
        "examples/monitoring",
        "examples/egress",
        "examples/storage",
        "examples/gitops",
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

    // What others add is never the stack's: a Virtual WAN-style peering on the hub to a VNet the
    // stack does not declare, and an untagged link (as AKS makes for a private cluster) in the
    // zone. The plan leaves them alone.
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000000";
    let network = "2026-03-01";
    let vwan = format!(
        "{sub}/resourceGroups/rg-vwan/providers/Microsoft.Network/virtualNetworks/vwan-hub"
    );
    cloud.put(
        &format!("{sub}/resourceGroups/rg-vwan"),
        "2025-04-01",
        serde_json::json!({"location": "westeurope"}),
    );
    cloud.put(
        &vwan,
        network,
        serde_json::json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}),
    );
    let foreign_peering = format!(
        "{sub}/resourceGroups/rg-peering/providers/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings/RemoteVnetToHubPeering_abc"
    );
    cloud.put(
        &foreign_peering,
        network,
        serde_json::json!({"properties": {"remoteVirtualNetwork": {"id": vwan}, "allowVirtualNetworkAccess": true}}),
    );
    let foreign_link = format!(
        "{sub}/resourceGroups/rg-peering/providers/Microsoft.Network/privateDnsZones/internal.example.com/virtualNetworkLinks/aks-made"
    );
    cloud.put(
        &foreign_link,
        "2024-06-01",
        serde_json::json!({"location": "global", "properties": {"virtualNetwork": {"id": vwan}, "registrationEnabled": false}}),
    );
    assert_clean(&cloud, stack);
    // A destroy would take them (the hub VNet's peering) or be refused by ARM halfway (a zone
    // with a link it does not own): it stops before doing anything, naming them.
    let refused = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains("RemoteVnetToHubPeering_abc") && said.contains("aks-made"),
        "{said}"
    );
    assert!(cloud.get(&foreign_peering, network).is_some());
    assert_clean(&cloud, stack);
    for (id, version) in [(&foreign_peering, network), (&foreign_link, "2024-06-01")] {
        assert!(matches!(
            cloud.send(azure_core::http::Method::Delete, id, version),
            200 | 202 | 204
        ));
    }

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
    // A vault name is global: the soft-deleted vault holds it from any region, and comes back
    // only where it was deleted.
    let elsewhere = cloud.azplan(&["plan", stack, "--var", "where=northeurope"]);
    assert_eq!(elsewhere.status.code(), Some(1), "{}", text(&elsewhere));
    assert!(
        text(&elsewhere).contains("exists soft-deleted"),
        "{}",
        text(&elsewhere)
    );
    let moved = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "where=northeurope",
        "--var",
        "recover=true",
    ]);
    assert_eq!(moved.status.code(), Some(1), "{}", text(&moved));
    assert!(
        text(&moved).contains("a recovery brings it back there"),
        "{}",
        text(&moved)
    );
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

/// Route tables and NSGs associated with a subnet: applied and clean, a rule changed in place,
/// a route table without `routes:` keeps a route added outside the stack through an update of
/// its own, the associations taken off with `none`, and destroy deleting the subnet before what
/// it used (Azure refuses to delete a route table or NSG a subnet still uses).
#[test]
fn route_tables_and_nsgs_associate_change_dissociate_and_go() {
    const API: &str = "2026-03-01";
    let cloud = Cloud::start("routes", None);
    let stack = "tests/lifecycle/routes.yaml";
    let group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-routes";
    let subnet = format!("{group}/providers/Microsoft.Network/virtualNetworks/main/subnets/nodes");
    let spare = format!("{group}/providers/Microsoft.Network/routeTables/spare");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("7 added"), "{}", text(&out));
    assert_clean(&cloud, stack);
    // Read both ways: per-group LISTs, and one Resource Graph query (both kinds are in its
    // `Resources` table).
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    // The service may list the routes in another order than the spec's: still clean.
    let egress = format!("{group}/providers/Microsoft.Network/routeTables/egress");
    let mut body = cloud.get(&egress, API).expect("the egress table exists");
    let mut routes = body["properties"]["routes"].as_array().unwrap().clone();
    routes.reverse();
    assert_eq!(routes[0]["name"], "onprem");
    body["properties"]["routes"] = serde_json::Value::Array(routes);
    cloud.put(&egress, API, body);
    assert_clean(&cloud, stack);
    let live = cloud.get(&subnet, API).expect("the subnet exists");
    assert!(
        live["properties"]["routeTable"]["id"]
            .as_str()
            .is_some_and(|id| id.ends_with("/routeTables/egress")),
        "{live}"
    );
    assert!(
        live["properties"]["networkSecurityGroup"]["id"]
            .as_str()
            .is_some_and(|id| id.ends_with("/networkSecurityGroups/nodes")),
        "{live}"
    );

    let changed = apply(&cloud, stack, &["--var", "port=8443"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );

    // Someone adds a route to the table whose routes the stack does not own.
    let mut body = cloud.get(&spare, API).expect("the spare table exists");
    body["properties"]["routes"] = serde_json::json!([
        {"name": "theirs", "properties": {"addressPrefix": "172.16.0.0/12", "nextHopType": "None"}}
    ]);
    cloud.put(&spare, API, body);
    let plan = cloud.azplan(&["plan", stack, "--var", "port=8443", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let retagged = apply(
        &cloud,
        stack,
        &["--var", "port=8443", "--var", "spareTag=two"],
    );
    assert_eq!(retagged.status.code(), Some(0), "{}", text(&retagged));
    let kept = cloud.get(&spare, API).unwrap();
    assert_eq!(kept["tags"]["which"], "two", "{kept}");
    assert_eq!(
        kept["properties"]["routes"][0]["name"], "theirs",
        "the update kept the route added outside: {kept}"
    );

    // Someone associates the spare table with the subnet whose spec says nothing about it: the
    // plan leaves it, and an update of that subnet for another reason keeps it.
    let other = format!("{group}/providers/Microsoft.Network/virtualNetworks/main/subnets/other");
    let mut body = cloud.get(&other, API).expect("the other subnet exists");
    body["properties"]["routeTable"] = serde_json::json!({"id": spare});
    cloud.put(&other, API, body);
    let plan = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "port=8443",
        "--var",
        "spareTag=two",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let endpoints = [
        "--var",
        "port=8443",
        "--var",
        "spareTag=two",
        "--var",
        "endpoints=[Microsoft.Storage]",
    ];
    let updated = apply(&cloud, stack, &endpoints);
    assert_eq!(updated.status.code(), Some(0), "{}", text(&updated));
    assert!(
        text(&updated).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&updated)
    );
    let live = cloud.get(&other, API).unwrap();
    assert!(
        live["properties"]["routeTable"]["id"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(&spare)),
        "the subnet's update kept the association: {live}"
    );
    // Taken off again, so the spare table can go with the stack.
    let mut body = live;
    body["properties"]
        .as_object_mut()
        .unwrap()
        .remove("routeTable");
    cloud.put(&other, API, body);

    let none = [
        "--var",
        "port=8443",
        "--var",
        "spareTag=two",
        "--var",
        "rt=none",
        "--var",
        "nsg=none",
        "--var",
        "endpoints=[Microsoft.Storage]",
    ];
    let dissociated = apply(&cloud, stack, &none);
    assert_eq!(dissociated.status.code(), Some(0), "{}", text(&dissociated));
    assert!(
        text(&dissociated).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&dissociated)
    );
    let live = cloud.get(&subnet, API).unwrap();
    assert!(
        live["properties"].get("routeTable").is_none()
            && live["properties"].get("networkSecurityGroup").is_none(),
        "{live}"
    );
    let mut plan_args = vec!["plan", stack, "--detailed-exitcode"];
    plan_args.extend(none);
    let plan = cloud.azplan(&plan_args);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    // Associated again, then the table and the NSG leave the spec while the subnet lets go of
    // them in the same apply: the subnet's update runs before the deletes, which Azure refuses
    // while the subnet still uses them.
    let again = apply(&cloud, stack, &["--var", "spareTag=two"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let dropped = "tests/lifecycle/routes-dropped.yaml";
    let out = apply(
        &cloud,
        dropped,
        &["--var", "spareTag=two", "--allow-destroy"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 2 destroyed"),
        "{}",
        text(&out)
    );
    let plan = cloud.azplan(&[
        "plan",
        dropped,
        "--var",
        "spareTag=two",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    // Associated again, then destroyed: the subnet goes before the table and group it uses.
    let again = apply(&cloud, stack, &["--var", "spareTag=two"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let destroyed = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(cloud.get(&spare, API).is_none());
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

/// The Flux cluster extension end to end: installed after its cluster, read back clean (LIST
/// and Resource Graph reads: extensions are LISTed per cluster either way), a changed setting is
/// an update, an extension someone else installed is the stack's only while the cluster's spec
/// has `extensions:`, and destroying the cluster lists the extensions that go with it.
#[test]
fn flux_extension_applies_changes_and_goes_with_its_cluster() {
    const API: &str = "2025-03-01";
    let cloud = Cloud::start("flux", None);
    let v1 = "tests/lifecycle/flux-1.yaml";
    let v2 = "tests/lifecycle/flux-2.yaml";
    let v3 = "tests/lifecycle/flux-3.yaml";
    let cluster = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-flux/providers/Microsoft.ContainerService/managedClusters/aks";
    let flux = format!("{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/flux");
    let other = format!("{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/backup");
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("cluster/aks/flux"), "{}", text(&out));
    assert_clean(&cloud, v1);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", v1, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let live = cloud.get(&flux, API).expect("the extension exists");
    assert_eq!(
        live["properties"]["provisioningState"], "Succeeded",
        "{live}"
    );
    assert_eq!(
        live["properties"]["extensionType"], "microsoft.flux",
        "{live}"
    );
    assert!(
        live.get("tags").is_none() && live.get("location").is_none(),
        "{live}"
    );

    // A setting changed in the spec is an update in place.
    let out = apply(&cloud, v2, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&out)
    );
    assert_clean(&cloud, v2);
    let live = cloud.get(&flux, API).expect("the extension exists");
    assert_eq!(
        live["properties"]["configurationSettings"]["image-automation-controller.enabled"], "true",
        "{live}"
    );

    // Another team installs Azure Backup's extension: it carries no owner mark, so it is not
    // the stack's although the spec has `extensions:`. Plans and applies leave it alone and say
    // so; so does a spec that stops declaring extensions.
    cloud.put(
        &other,
        API,
        serde_json::json!({"properties": {"extensionType": "microsoft.dataprotection.kubernetes"}}),
    );
    let plan = cloud.azplan(&["plan", v2, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(
        !text(&plan).contains("will be destroyed"),
        "{}",
        text(&plan)
    );
    assert!(
        text(&plan).contains("left alone") && text(&plan).contains("extensions/backup"),
        "the plan says it leaves the extension: {}",
        text(&plan)
    );
    let plan = cloud.azplan(&["plan", v2, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("a JSON plan");
    assert_eq!(
        json["left_alone"][0]["id"]
            .as_str()
            .map(str::to_ascii_lowercase),
        Some(other.to_ascii_lowercase()),
        "{json}"
    );
    let out = apply(&cloud, v2, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(cloud.get(&other, API).is_some(), "{}", text(&out));
    // Removing `flux` from the spec (flux-3.yaml drops `extensions:`) deletes nothing either.
    let plan = cloud.azplan(&["plan", v3, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let out = apply(&cloud, v3, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(cloud.get(&other, API).is_some(), "{}", text(&out));
    assert!(cloud.get(&flux, API).is_some(), "{}", text(&out));

    // The cluster's delete takes both (ARM uninstalls them with it); the plan lists them.
    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("extensions/backup"), "{}", text(&out));
    assert!(cloud.get(&flux, API).is_none());
    assert!(cloud.get(&other, API).is_none());
}

/// A Flux configuration end to end: created after the cluster's Flux extension, read back clean
/// in LIST and Resource Graph reads, a changed branch and kustomization is one update in place,
/// and destroying the cluster lists it with the extension.
#[test]
fn flux_configuration_waits_for_its_extension_changes_in_place_and_goes_with_its_cluster() {
    const API: &str = "2025-04-01";
    let cloud = Cloud::start("fluxconfig", None);
    let v1 = "tests/lifecycle/flux-config-1.yaml";
    let v2 = "tests/lifecycle/flux-config-2.yaml";
    let cluster = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-fluxconfig/providers/Microsoft.ContainerService/managedClusters/aks";
    let config = format!(
        "{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config"
    );
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = text(&out);
    let extension_done = log
        .find("cluster/aks/flux: Creation complete")
        .expect("extension");
    let config_started = log
        .find("cluster/aks/cluster-config: Creating")
        .expect("config");
    assert!(
        extension_done < config_started,
        "the configuration waits for Flux:\n{log}"
    );
    assert_clean(&cloud, v1);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", v1, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let live = cloud.get(&config, API).expect("the configuration exists");
    assert_eq!(
        live["properties"]["provisioningState"], "Succeeded",
        "{live}"
    );
    assert_eq!(
        live["properties"]["kustomizations"]["apps"]["name"], "apps",
        "{live}"
    );

    let out = apply(&cloud, v2, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&out)
    );
    assert_clean(&cloud, v2);
    let live = cloud.get(&config, API).expect("the configuration exists");
    assert_eq!(
        live["properties"]["gitRepository"]["repositoryRef"]["branch"],
        "release"
    );
    assert_eq!(live["properties"]["kustomizations"]["apps"]["prune"], true);

    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(cloud.get(&config, API).is_none());
}

/// A subscription that never registered Microsoft.KubernetesConfiguration answers its LISTs with
/// MissingSubscriptionRegistration: a cluster that declares no extensions is planned, applied
/// and destroyed without them (its delete takes none), and the LIST is never asked while the
/// cluster stays.
#[test]
fn an_unregistered_kubernetes_configuration_provider_holds_no_extensions() {
    let faults = "faults:\n  - fault: error\n    status: 409\n    code: MissingSubscriptionRegistration\n    message: The subscription is not registered to use namespace 'Microsoft.KubernetesConfiguration'.\n    pathContains: /providers/Microsoft.KubernetesConfiguration/\n";
    let cloud = Cloud::start("unregistered", Some(faults));
    let stack = "tests/lifecycle/flux-3.yaml";
    let (mark, _) = cloud.requests(0);
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, stack);
    let (_, requests) = cloud.requests(mark);
    assert!(
        !requests
            .iter()
            .any(|(_, p)| p.contains("KubernetesConfiguration")),
        "a cluster without extensions: costs no extension read: {requests:?}"
    );
    let (mark, _) = cloud.requests(0);
    let out = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // The cluster's delete asked (and was refused), and went on.
    let (_, requests) = cloud.requests(mark);
    assert!(
        requests.iter().any(|(m, p)| m == "GET"
            && p.contains("/providers/Microsoft.KubernetesConfiguration/extensions")),
        "{requests:?}"
    );
}

#[test]
fn private_endpoints_and_zone_groups_apply_keep_foreign_groups_and_go() {
    const API: &str = "2026-03-01";
    let cloud = Cloud::start("endpoints", None);
    let v1 = "tests/lifecycle/private-endpoints.yaml";
    let v2 = "tests/lifecycle/private-endpoints-2.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-pe";
    let subnet =
        format!("{group}/providers/Microsoft.Network/virtualNetworks/net/subnets/endpoints");
    let vault_pe = format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-kv-lifecycle");
    let acr_pe = format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-acr-lifecycle");
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("13 added"), "{}", text(&out));
    assert_clean(&cloud, v1);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", v1, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    // The service's read-only parts: the connection approved, the NIC, the vault's address, the
    // A record the zone group lists, and the subnet's policies as sent.
    let pe = cloud
        .get(&vault_pe, API)
        .expect("the vault's endpoint exists");
    assert_eq!(pe["properties"]["provisioningState"], "Succeeded", "{pe}");
    assert_eq!(
        pe["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]
            ["status"],
        "Approved",
        "{pe}"
    );
    assert!(
        pe["properties"]["networkInterfaces"][0]["id"]
            .as_str()
            .is_some_and(|id| id.contains("/networkInterfaces/pe-kv-lifecycle.nic.")),
        "{pe}"
    );
    assert_eq!(
        pe["properties"]["customDnsConfigs"][0]["fqdn"],
        "kv-lifecycle-pe.vault.azure.net"
    );
    let zone_group = cloud
        .get(&format!("{vault_pe}/privateDnsZoneGroups/default"), API)
        .expect("the vault's zone group exists");
    assert_eq!(
        zone_group["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"][0]["fqdn"],
        "kv-lifecycle-pe.privatelink.vaultcore.azure.net",
        "{zone_group}"
    );
    let live = cloud.get(&subnet, API).expect("the subnet exists");
    assert_eq!(
        live["properties"]["privateEndpointNetworkPolicies"],
        "NetworkSecurityGroupEnabled"
    );
    // A subnet with an endpoint's NIC cannot be deleted.
    let refused = cloud.try_send(azure_core::http::Method::Delete, &subnet, API);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("InUseSubnetCannotBeDeleted")),
        "{refused:?}"
    );

    // Azure Policy adds a zone group to each endpoint (DeployIfNotExists). The vault's endpoint
    // stops declaring DNS (v2): its zone groups are no longer the stack's, so both stay; the
    // registry's endpoint has `dnsZones: []`: its zone groups are the stack's and both go.
    for pe in [&vault_pe, &acr_pe] {
        cloud.put(
            &format!("{pe}/privateDnsZoneGroups/policy"),
            API,
            serde_json::json!({"properties": {"privateDnsZoneConfigs": []}}),
        );
    }
    let plan = cloud.azplan(&["plan", v1, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    // While both endpoints declare `dnsZones:`, their undeclared zone groups are the stack's.
    assert!(
        text(&plan).contains("pe-kv-lifecycle/privateDnsZoneGroups/policy will be destroyed"),
        "{}",
        text(&plan)
    );
    let out = apply(&cloud, v2, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 0 changed, 2 destroyed"),
        "{}",
        text(&out)
    );
    assert_clean(&cloud, v2);
    for name in ["default", "policy"] {
        assert!(
            cloud
                .get(&format!("{vault_pe}/privateDnsZoneGroups/{name}"), API)
                .is_some(),
            "the vault endpoint's {name} zone group is kept"
        );
        assert!(
            cloud
                .get(&format!("{acr_pe}/privateDnsZoneGroups/{name}"), API)
                .is_none(),
            "the registry endpoint's {name} zone group is deleted"
        );
    }

    // The vault's endpoint keeps zone groups the stack does not own while it stays; deleting
    // the endpoint (its own, by its tag) takes them, as they hold only its records.
    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for name in ["default", "policy"] {
        assert!(
            text(&out).contains(&format!(
                "pe-kv-lifecycle/privateDnsZoneGroups/{name} will be destroyed"
            )),
            "{}",
            text(&out)
        );
    }
    assert!(cloud.get(&vault_pe, API).is_none());
    assert!(
        cloud.get(group, "2025-04-01").is_none(),
        "the group is gone"
    );
}

/// An endpoint dropped from the spec goes with its zone group (which holds only its records,
/// so the stack's tag on the endpoint decides); an endpoint whose connection the target's owner
/// rejects is not converged: the plan says so and exits 2, and apply does not report success
/// while the connection stays rejected.
#[test]
fn dropped_endpoints_take_their_zone_groups_and_rejected_connections_are_not_converged() {
    const API: &str = "2026-03-01";
    let mut cloud = Cloud::start("endpoints-drop", None);
    let v1 = "tests/lifecycle/private-endpoints.yaml";
    let v3 = "tests/lifecycle/private-endpoints-3.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-pe";
    let vault_pe = format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-kv-lifecycle");
    let acr_pe = format!("{group}/providers/Microsoft.Network/privateEndpoints/pe-acr-lifecycle");
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, v1);

    let plan = cloud.azplan(&["plan", v3, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    assert!(
        text(&plan).contains("pe-kv-lifecycle/privateDnsZoneGroups/default will be destroyed"),
        "{}",
        text(&plan)
    );
    let out = apply(&cloud, v3, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 0 changed, 2 destroyed"),
        "{}",
        text(&out)
    );
    assert!(cloud.get(&vault_pe, API).is_none());
    assert!(
        cloud
            .get(&format!("{vault_pe}/privateDnsZoneGroups/default"), API)
            .is_none()
    );
    assert!(cloud.get(&acr_pe, API).is_some());
    assert_clean(&cloud, v3);

    // The registry's owner rejects the connection: the endpoint still succeeded, but carries
    // no traffic.
    let key = acr_pe.to_ascii_lowercase();
    cloud.edit_state(|state| {
        let connections =
            state["resources"][&key]["body"]["properties"]["privateLinkServiceConnections"]
                .as_array_mut()
                .expect("the endpoint's connections are saved");
        for c in connections {
            c["properties"]["privateLinkServiceConnectionState"]["status"] = "Rejected".into();
        }
    });
    let plan = cloud.azplan(&["plan", v3, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    assert!(
        text(&plan).contains("is Rejected, not Approved"),
        "{}",
        text(&plan)
    );
    let out = apply(&cloud, v3, &[]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("succeeded, but connection `pe-acr-lifecycle` is Rejected"),
        "{}",
        text(&out)
    );
    // Approved again by its owner, the endpoint plans clean.
    cloud.edit_state(|state| {
        for c in state["resources"][&key]["body"]["properties"]["privateLinkServiceConnections"]
            .as_array_mut()
            .unwrap()
        {
            c["properties"]["privateLinkServiceConnectionState"]["status"] = "Approved".into();
        }
    });
    assert_clean(&cloud, v3);
    let out = cloud.azplan(&["destroy", v3, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        cloud.get(group, "2025-04-01").is_none(),
        "the group is gone"
    );
}

/// The Key Vault secrets provider and Application Gateway ingress add-ons end to end: their
/// identities are role-assignment principals (each assignment holds the object ID AKS gave the
/// add-on), rotation changes in place, a version written under `raw:` plans clean, another
/// stack grants a role to the kubelet of the cluster it reads as `existing:`, and destroy takes
/// each stack's own assignments.
#[test]
fn addon_and_existing_kubelet_identities_are_principals() {
    const AKS: &str = "2026-08-01";
    const AUTHORIZATION: &str = "2022-04-01";
    let cloud = Cloud::start("addons", None);
    let stack = "tests/lifecycle/addons.yaml";
    let team = "tests/lifecycle/addons-existing.yaml";
    let sub = "/subscriptions/11111111-1111-1111-1111-111111111111";
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, stack);

    let cluster_id = format!(
        "{sub}/resourceGroups/rg-addons/providers/Microsoft.ContainerService/managedClusters/aks-addons"
    );
    let cluster = cloud.get(&cluster_id, AKS).expect("the cluster exists");
    let addon_principal = |name: &str| {
        cluster["properties"]["addonProfiles"][name]["identity"]["objectId"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has an identity: {cluster}"))
            .to_string()
    };
    let principals_at = |scope: &str| -> Vec<String> {
        let list = cloud
            .get(
                &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
                AUTHORIZATION,
            )
            .expect("a list");
        list["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["properties"]["principalId"].as_str().map(str::to_string))
            .collect()
    };
    let gateway = cluster["properties"]["addonProfiles"]["ingressApplicationGateway"]["config"]
        ["effectiveApplicationGatewayId"]
        .as_str()
        .unwrap_or_default();
    assert!(
        gateway.ends_with("/providers/Microsoft.Network/applicationGateways/agw-addons"),
        "AKS names the gateway it creates: {gateway}"
    );
    let vault = format!(
        "{sub}/resourceGroups/rg-addons/providers/Microsoft.KeyVault/vaults/kv-addons-lifecycle"
    );
    assert!(
        principals_at(&vault).contains(&addon_principal("azureKeyvaultSecretsProvider")),
        "the vault's assignment is the secrets provider's"
    );
    assert!(
        principals_at(&format!("{sub}/resourceGroups/rg-addons"))
            .contains(&addon_principal("ingressApplicationGateway")),
        "the group's assignment is the ingress controller's"
    );

    // Rotation is updated in place on the cluster.
    let plan = cloud.azplan(&["plan", stack, "--var", "rotation=true"]);
    let shown = text(&plan);
    assert!(shown.contains("enableSecretRotation"), "{shown}");
    assert!(
        shown.contains("1 to change") && !shown.contains("replace"),
        "{shown}"
    );
    let out = apply(&cloud, stack, &["--var", "rotation=true"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "rotation=true",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    // Another stack: AcrPull for the kubelet of the cluster it reads.
    let out = apply(&cloud, team, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, team);
    let kubelet = cluster["properties"]["identityProfile"]["kubeletidentity"]["objectId"]
        .as_str()
        .expect("a kubelet identity")
        .to_string();
    let registry = format!(
        "{sub}/resourceGroups/rg-addons-team/providers/Microsoft.ContainerRegistry/registries/acraddonsteam"
    );
    assert_eq!(principals_at(&registry), vec![kubelet]);

    // Each stack's destroy takes its own assignments and leaves the other's cluster alone.
    let out = cloud.azplan(&["destroy", team, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        cloud.get(&cluster_id, AKS).is_some(),
        "the team never deletes the cluster"
    );
    let out = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(cloud.get(&cluster_id, AKS).is_none());
}

/// Policy assignments at the subscription, a group and a cluster: one someone else made under a
/// declared name is refused, not overwritten; the stack's apply, re-plan clean both ways, change
/// in place and are deleted when dropped; a destroy leaves an assignment the stack does not own
/// (and so its group) in place.
#[test]
fn policy_assignments_apply_change_and_go_but_never_someone_elses() {
    const API: &str = "2025-03-01";
    let cloud = Cloud::start("policy", None);
    let v1 = "tests/lifecycle/policy-1.yaml";
    let v2 = "tests/lifecycle/policy-2.yaml";
    let subscription = "/subscriptions/11111111-1111-1111-1111-111111111111";
    let group = format!("{subscription}/resourceGroups/rg-policy");
    let assignment = |scope: &str, name: &str| {
        format!("{scope}/providers/Microsoft.Authorization/policyAssignments/{name}")
    };
    let locations = assignment(subscription, "allowed-locations");
    let foreign_body = serde_json::json!({"properties": {
        "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c",
        "parameters": {"listOfAllowedLocations": {"value": ["northeurope"]}},
    }});
    // Someone else's assignment under a name the spec declares: the plan refuses it.
    cloud.put(&locations, API, foreign_body.clone());
    let plan = cloud.azplan(&["plan", v1]);
    assert_ne!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(text(&plan).contains("allowed-locations"), "{}", text(&plan));
    let foreign = cloud.get(&locations, API).expect("still there");
    assert_eq!(
        foreign["properties"]["parameters"]["listOfAllowedLocations"]["value"][0],
        "northeurope"
    );
    assert_eq!(
        cloud.send(azure_core::http::Method::Delete, &locations, API),
        200
    );

    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("7 added"), "{}", text(&out));
    assert_clean(&cloud, v1);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", v1, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let https = cloud
        .get(&assignment(&group, "https"), API)
        .expect("the group's assignment exists");
    assert_eq!(https["identity"]["type"], "SystemAssigned", "{https}");
    assert_eq!(https["location"], "westeurope", "{https}");
    assert_eq!(https["properties"]["metadata"]["azplan-stack"], "policy");
    // Its remediation identity holds the role the spec grants it.
    let grants = cloud
        .get(
            &format!("{group}/providers/Microsoft.Authorization/roleAssignments"),
            "2022-04-01",
        )
        .expect("the group's role assignments");
    assert!(
        grants["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["properties"]["principalId"] == https["identity"]["principalId"]),
        "{grants}"
    );

    // Someone else's assignment in the stack's group: never the stack's to delete.
    let theirs = assignment(&group, "audit-by-security-team");
    cloud.put(&theirs, API, foreign_body);

    // What v2 no longer gives goes with the PUT, so the plan shows it going.
    let plan = cloud.azplan(&["plan", v2]);
    for removed in [
        "properties.parameters.excludedNamespaces",
        "properties.displayName",
        "properties.nonComplianceMessages",
    ] {
        assert!(text(&plan).contains(removed), "{removed}:\n{}", text(&plan));
    }
    let out = apply(&cloud, v2, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 2 changed, 2 destroyed"),
        "{}",
        text(&out)
    );
    assert!(cloud.get(&locations, API).is_none());
    let https = cloud.get(&assignment(&group, "https"), API).unwrap();
    assert!(https.get("identity").is_none(), "{https}");
    assert!(https["properties"].get("displayName").is_none(), "{https}");
    assert!(
        https["properties"].get("nonComplianceMessages").is_none(),
        "{https}"
    );
    assert_clean(&cloud, v2);

    // A parameter set outside azplan is a change the plan shows (the next PUT removes it).
    let baseline = assignment(
        &format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks"),
        "pod-baseline",
    );
    let mut body = cloud.get(&baseline, API).expect("the baseline exists");
    assert!(
        body["properties"]["parameters"]
            .get("excludedNamespaces")
            .is_none(),
        "{body}"
    );
    body["properties"]["parameters"]["excludedNamespaces"] =
        serde_json::json!({"value": ["kube-system"]});
    cloud.put(&baseline, API, body);
    let plan = cloud.azplan(&["plan", v2, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    assert!(
        text(&plan).contains("properties.parameters.excludedNamespaces"),
        "{}",
        text(&plan)
    );
    let out = apply(&cloud, v2, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, v2);

    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(cloud.get(&theirs, API).is_some(), "{}", text(&out));
    assert!(cloud.get(&assignment(&group, "https"), API).is_none());
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");
    assert!(
        cloud
            .get(&assignment(&cluster, "pod-baseline"), API)
            .is_none()
    );
    assert!(
        cloud.get(&group, "2025-04-01").is_some(),
        "the group holds theirs"
    );
}

/// An Azure Monitor workspace end to end: applied with a role assignment on it and clean in
/// both read modes, public access turned off in place, and destroy deleting it while a
/// workspace of another team in the same group is left alone (it carries no ownership tag).
#[test]
fn an_azure_monitor_workspace_applies_changes_in_place_and_goes() {
    const API: &str = "2023-04-03";
    let cloud = Cloud::start("monitor", None);
    let stack = "tests/lifecycle/monitor.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-monitor";
    let ours = format!("{group}/providers/Microsoft.Monitor/accounts/amw-lifecycle");
    let theirs = format!("{group}/providers/Microsoft.Monitor/accounts/amw-other-team");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("4 added"), "{}", text(&out));
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let live = cloud.get(&ours, API).expect("the workspace exists");
    assert_eq!(
        live["properties"]["publicNetworkAccess"], "Enabled",
        "{live}"
    );
    let outputs = cloud.azplan(&["output", stack]);
    assert!(
        text(&outputs).contains(
            "monitorWorkspace/prometheus.prometheusQueryEndpoint = https://amw-lifecycle-"
        ),
        "{}",
        text(&outputs)
    );

    let changed = apply(&cloud, stack, &["--var", "public=false"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&ours, API).expect("the workspace exists");
    assert_eq!(
        live["properties"]["publicNetworkAccess"], "Disabled",
        "{live}"
    );
    let plan = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "public=false",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    cloud.put(&theirs, API, serde_json::json!({"location": "westeurope"}));
    let destroyed = cloud.azplan(&[
        "destroy",
        stack,
        "--var",
        "public=false",
        "--auto-approve",
        "--allow-destroy",
    ]);
    assert!(cloud.get(&ours, API).is_none(), "{}", text(&destroyed));
    assert!(
        cloud.get(&theirs, API).is_some(),
        "destroy deleted a workspace the stack does not own:\n{}",
        text(&destroyed)
    );
}

/// A Log Analytics solution (ContainerInsights) end to end: named `ContainerInsights(WORKSPACE)`
/// on its workspace, clean in both read modes, its tags changed in place (the service answers
/// 201 to that update too), and destroy deleting it before its workspace while another team's
/// solution in the group (no ownership tag) is left alone.
#[test]
fn a_container_insights_solution_applies_changes_and_goes() {
    const API: &str = "2015-11-01-preview";
    let cloud = Cloud::start("solution", None);
    let stack = "tests/lifecycle/solution.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-solution";
    let workspace =
        format!("{group}/providers/Microsoft.OperationalInsights/workspaces/log-lifecycle");
    let ours = format!(
        "{group}/providers/Microsoft.OperationsManagement/solutions/ContainerInsights(log-lifecycle)"
    );
    let theirs = format!(
        "{group}/providers/Microsoft.OperationsManagement/solutions/SecurityCenterFree(log-lifecycle)"
    );
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("3 added"), "{}", text(&out));
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let live = cloud.get(&ours, API).expect("the solution exists");
    assert_eq!(
        live["plan"]["product"], "OMSGallery/ContainerInsights",
        "{live}"
    );
    assert_eq!(live["plan"]["publisher"], "Microsoft", "{live}");
    assert!(
        live["properties"]["workspaceResourceId"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(&workspace)),
        "{live}"
    );

    let changed = apply(&cloud, stack, &["--var", "team=observability"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&ours, API).expect("the solution exists");
    assert_eq!(live["tags"]["team"], "observability", "{live}");
    let plan = cloud.azplan(&[
        "plan",
        stack,
        "--var",
        "team=observability",
        "--detailed-exitcode",
    ]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    cloud.put(
        &theirs,
        API,
        serde_json::json!({"location": "westeurope",
            "plan": {"name": "SecurityCenterFree(log-lifecycle)", "publisher": "Microsoft",
                "product": "OMSGallery/SecurityCenterFree"},
            "properties": {"workspaceResourceId": workspace}}),
    );
    let destroyed = cloud.azplan(&[
        "destroy",
        stack,
        "--var",
        "team=observability",
        "--auto-approve",
        "--allow-destroy",
    ]);
    assert!(cloud.get(&ours, API).is_none(), "{}", text(&destroyed));
    assert!(
        cloud.get(&theirs, API).is_some(),
        "destroy deleted a solution the stack does not own:\n{}",
        text(&destroyed)
    );
}

/// The two data collection rules AKS monitoring uses, end to end: clean in both read modes,
/// each destination answered with the ID of what it names (the workspace's customer ID, the
/// Azure Monitor workspace's account ID), a changed stream updated in place, and destroy
/// deleting both rules before their workspaces while another team's rule in the group (no
/// ownership tag) is left alone.
#[test]
fn data_collection_rules_apply_change_and_go() {
    const API: &str = "2023-03-11";
    let cloud = Cloud::start("dcr", None);
    let stack = "tests/lifecycle/dcr.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-dcr";
    let ci = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionRules/MSCI-westeurope-lifecycle"
    );
    let prom = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionRules/MSProm-westeurope-lifecycle"
    );
    let theirs = format!("{group}/providers/Microsoft.Insights/dataCollectionRules/other-team");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("5 added"), "{}", text(&out));
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let workspace = cloud
        .get(
            &format!(
                "{group}/providers/Microsoft.OperationalInsights/workspaces/log-lifecycle-dcr"
            ),
            "2025-07-01",
        )
        .expect("the workspace exists");
    let live = cloud
        .get(&ci, API)
        .expect("the Container Insights rule exists");
    assert_eq!(
        live["properties"]["destinations"]["logAnalytics"][0]["workspaceId"],
        workspace["properties"]["customerId"],
        "{live}"
    );
    assert!(
        live["properties"]["immutableId"]
            .as_str()
            .is_some_and(|id| id.starts_with("dcr-")),
        "{live}"
    );
    let amw = cloud
        .get(
            &format!("{group}/providers/Microsoft.Monitor/accounts/amw-lifecycle-dcr"),
            "2023-04-03",
        )
        .expect("the Azure Monitor workspace exists");
    let live = cloud.get(&prom, API).expect("the Prometheus rule exists");
    assert_eq!(
        live["properties"]["destinations"]["monitoringAccounts"][0]["accountId"],
        amw["properties"]["accountId"],
        "{live}"
    );

    let stream = ["--var", "stream=Microsoft-ContainerLogV2"];
    let changed = apply(&cloud, stack, &stream);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&ci, API).expect("the rule exists");
    assert_eq!(
        live["properties"]["dataFlows"][0]["streams"][0], "Microsoft-ContainerLogV2",
        "{live}"
    );
    let plan = cloud.azplan(&["plan", stack, stream[0], stream[1], "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    cloud.put(
        &theirs,
        API,
        serde_json::json!({"location": "westeurope", "properties": {}}),
    );
    let destroyed = cloud.azplan(&[
        "destroy",
        stack,
        stream[0],
        stream[1],
        "--auto-approve",
        "--allow-destroy",
    ]);
    assert!(cloud.get(&ci, API).is_none(), "{}", text(&destroyed));
    assert!(cloud.get(&prom, API).is_none(), "{}", text(&destroyed));
    assert!(
        cloud.get(&theirs, API).is_some(),
        "destroy deleted a rule the stack does not own:\n{}",
        text(&destroyed)
    );
}

/// Public IPs, a prefix and clusters whose load balancers use them: the cluster bodies carry
/// the user's own addresses and no managed count, so the second plan is clean (before, azplan
/// always sent `managedOutboundIPs.count`); the cluster identity has Network Contributor on
/// each (a user-assigned one before its cluster exists); an update of the address changes it
/// alone; destroy removes all of it, clusters before the addresses they use and addresses
/// before their prefix.
#[test]
fn own_outbound_ips_apply_plan_clean_and_go() {
    const NETWORK: &str = "2026-03-01";
    const AKS: &str = "2026-08-01";
    let cloud = Cloud::start("egress", None);
    let stack = "tests/lifecycle/egress.yaml";
    let group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-egress";
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("12 added"), "{}", text(&out));
    assert_clean(&cloud, stack);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }

    let ip1 = format!("{group}/providers/Microsoft.Network/publicIPAddresses/egress-1");
    let prefix = format!("{group}/providers/Microsoft.Network/publicIPPrefixes/egress");
    let live = cloud.get(&ip1, NETWORK).expect("the address exists");
    assert!(
        live["properties"]["publicIPPrefix"]["id"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(&prefix)),
        "{live}"
    );
    assert_eq!(live["sku"]["name"], "Standard", "{live}");
    let cluster = cloud
        .get(
            &format!("{group}/providers/Microsoft.ContainerService/managedClusters/own-ips"),
            AKS,
        )
        .expect("the cluster exists");
    let lb = &cluster["properties"]["networkProfile"]["loadBalancerProfile"];
    assert!(lb.get("managedOutboundIPs").is_none(), "{lb}");
    assert_eq!(
        lb["outboundIPs"]["publicIPs"].as_array().map(Vec::len),
        Some(2),
        "{lb}"
    );
    let cluster = cloud
        .get(
            &format!("{group}/providers/Microsoft.ContainerService/managedClusters/own-prefix"),
            AKS,
        )
        .expect("the cluster exists");
    let lb = &cluster["properties"]["networkProfile"]["loadBalancerProfile"];
    assert!(lb.get("managedOutboundIPs").is_none(), "{lb}");
    assert!(
        lb["outboundIPPrefixes"]["publicIPPrefixes"][0]["id"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(&prefix)),
        "{lb}"
    );

    // AKS may answer the IDs in another casing: still clean.
    let id = format!("{group}/providers/Microsoft.ContainerService/managedClusters/own-ips");
    let mut body = cloud.get(&id, AKS).unwrap();
    let lower = ip1.to_ascii_lowercase();
    body["properties"]["networkProfile"]["loadBalancerProfile"]["outboundIPs"]["publicIPs"][0]["id"] =
        serde_json::json!(lower);
    if let Some(p) = body["properties"].as_object_mut() {
        p.remove("provisioningState");
    }
    cloud.put(&id, AKS, body);
    assert_clean(&cloud, stack);

    let changed = apply(&cloud, stack, &["--var", "idle=10"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud
        .get(
            &format!("{group}/providers/Microsoft.Network/publicIPAddresses/egress-2"),
            NETWORK,
        )
        .unwrap();
    assert_eq!(live["properties"]["idleTimeoutInMinutes"], 10, "{live}");

    // Back to managed outbound IPs, and egress-2 leaves the spec: the cluster's update sends no
    // `outboundIPs` (no property change names the address), yet the address's delete waits for
    // it, since Azure refuses to delete an address a load balancer still uses.
    let managed = "tests/lifecycle/egress-managed.yaml";
    let plan = cloud.azplan(&["plan", managed, "--var", "idle=10", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let ip2 = format!("{group}/providers/Microsoft.Network/publicIPAddresses/egress-2");
    let delete = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["action"] == "delete"
                && c["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(&ip2))
        })
        .unwrap_or_else(|| panic!("egress-2 is deleted: {plan}"));
    let cluster_change = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "cluster/own-ips")
        .cloned();
    assert!(
        delete["depends_on"]
            .as_array()
            .is_some_and(|d| d.iter().any(|a| a == "cluster/own-ips")),
        "{delete}\n{cluster_change:?}"
    );
    let out = apply(&cloud, managed, &["--var", "idle=10", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(cloud.get(&ip2, NETWORK).is_none());
    let plan = cloud.azplan(&["plan", managed, "--var", "idle=10", "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    let destroyed = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(cloud.get(&ip1, NETWORK).is_none());
    assert!(cloud.get(&prefix, NETWORK).is_none());
    assert!(cloud.get(group, "2025-04-01").is_none());
}

/// A NAT gateway on a public IP and a prefix, associated with subnets, and a cluster whose
/// outbound type is userAssignedNatGateway on one of them: apply, a clean second plan, an
/// update of the gateway alone, `none` taking one association off, and destroy (subnets before the gateway, the gateway before
/// its addresses).
#[test]
fn nat_gateways_associate_change_dissociate_and_go() {
    const NETWORK: &str = "2026-03-01";
    let cloud = Cloud::start("nat", None);
    let stack = "tests/lifecycle/nat.yaml";
    let group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-nat";
    let nat = format!("{group}/providers/Microsoft.Network/natGateways/egress");
    let other = format!("{group}/providers/Microsoft.Network/virtualNetworks/main/subnets/other");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("9 added"), "{}", text(&out));
    assert_clean(&cloud, stack);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let live = cloud.get(&nat, NETWORK).expect("the gateway exists");
    assert_eq!(
        live["properties"]["subnets"].as_array().map(Vec::len),
        Some(2),
        "{live}"
    );
    assert_eq!(
        live["properties"]["publicIpPrefixes"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    let changed = apply(&cloud, stack, &["--var", "idle=10"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let none = ["--var", "idle=10", "--var", "other=none"];
    let dissociated = apply(&cloud, stack, &none);
    assert_eq!(dissociated.status.code(), Some(0), "{}", text(&dissociated));
    let live = cloud.get(&other, NETWORK).unwrap();
    assert!(live["properties"].get("natGateway").is_none(), "{live}");
    let mut plan_args = vec!["plan", stack, "--detailed-exitcode"];
    plan_args.extend(none);
    let plan = cloud.azplan(&plan_args);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    let destroyed = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(cloud.get(&nat, NETWORK).is_none());
    assert!(cloud.get(group, "2025-04-01").is_none());
}

/// A role assignment whose principal is replaced (an identity moved to another region gets a new
/// object ID) is replaced with it and holds the new ID after apply; before, the plan kept the
/// grant for the old ID and apply exited 0 over a role given to a principal that was gone.
#[test]
fn a_grant_follows_its_principal_when_the_principal_is_replaced() {
    const IDENTITY_API: &str = "2024-11-30";
    let cloud = Cloud::start("renewed", None);
    let (v1, v2) = (
        "tests/lifecycle/renewed-1.yaml",
        "tests/lifecycle/renewed-2.yaml",
    );
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let plan = cloud.azplan(&["plan", v2, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("plan JSON");
    let action_of = |address: &str| {
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["address"] == address)
            .map(|c| c["action"].as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    assert_eq!(action_of("identity/app"), "replace", "{plan}");
    assert_eq!(
        action_of("roleAssignment/app-reads-group"),
        "replace",
        "{plan}"
    );
    let out = apply(&cloud, v2, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, v2);
    let identity = cloud
        .get(
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-renewed/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
            IDENTITY_API,
        )
        .expect("the identity exists");
    let principal = identity["properties"]["principalId"].clone();
    let listed = cloud
        .get(
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-renewed/providers/Microsoft.Authorization/roleAssignments",
            "2022-04-01",
        )
        .expect("the group's role assignments");
    let assignments = listed["value"].as_array().cloned().unwrap_or_default();
    assert!(
        assignments
            .iter()
            .any(|a| a["properties"]["principalId"] == principal),
        "no assignment holds the new principal {principal}: {assignments:?}"
    );
    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Settings azplan does not model survive its updates: a DNS label (as AKS's cloud provider
/// writes on a Service's static address) on a public IP and `ipTags` on a prefix are sent back
/// as they are live, and the plan does not show them. Then the NAT gateway leaves the spec while
/// its subnet's association is unset: a plan error (Azure refuses the delete with
/// InUseNatGatewayCannotBeDeleted), and with `natGateway: none` it plans and applies.
#[test]
fn unmanaged_public_ip_settings_survive_and_in_use_nat_delete_is_refused() {
    const NETWORK: &str = "2026-03-01";
    let cloud = Cloud::start("unmanaged-egress", None);
    let stack = "tests/lifecycle/unmanaged-egress.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-unmanaged-egress";
    let ip = format!("{group}/providers/Microsoft.Network/publicIPAddresses/ingress");
    let prefix = format!("{group}/providers/Microsoft.Network/publicIPPrefixes/out");
    let nat = format!("{group}/providers/Microsoft.Network/natGateways/egress");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_clean(&cloud, stack);

    // What the AKS cloud provider and another tool write beside azplan.
    let mut body = cloud.get(&ip, NETWORK).expect("the address exists");
    body["properties"]["dnsSettings"] = serde_json::json!({ "domainNameLabel": "shop-ingress" });
    cloud.put(&ip, NETWORK, body);
    let mut body = cloud.get(&prefix, NETWORK).expect("the prefix exists");
    let tags = serde_json::json!([{ "ipTagType": "RoutingPreference", "tag": "Internet" }]);
    body["properties"]["ipTags"] = tags.clone();
    cloud.put(&prefix, NETWORK, body);
    assert_clean(&cloud, stack);

    let plan = cloud.azplan(&["plan", stack, "--var", "idle=10"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(!text(&plan).contains("dnsSettings"), "{}", text(&plan));
    let changed = apply(&cloud, stack, &["--var", "idle=10"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 2 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&ip, NETWORK).unwrap();
    assert_eq!(live["properties"]["idleTimeoutInMinutes"], 10, "{live}");
    assert_eq!(
        live["properties"]["dnsSettings"]["domainNameLabel"], "shop-ingress",
        "the label survives azplan's update: {live}"
    );
    let live = cloud.get(&prefix, NETWORK).unwrap();
    assert_eq!(live["properties"]["ipTags"], tags, "{live}");
    let again = cloud.azplan(&["plan", stack, "--var", "idle=10", "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    // The gateway leaves the spec; the subnet that uses it says nothing about it.
    let gone = "tests/lifecycle/unmanaged-egress-gone.yaml";
    let plan = cloud.azplan(&["plan", gone]);
    assert_ne!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(text(&plan).contains("natGateway: none"), "{}", text(&plan));
    let refused = cloud.azplan(&["apply", gone, "--auto-approve", "--allow-destroy"]);
    assert_ne!(refused.status.code(), Some(0), "{}", text(&refused));
    assert!(cloud.get(&nat, NETWORK).is_some());

    let none = "tests/lifecycle/unmanaged-egress-none.yaml";
    let applied = cloud.azplan(&["apply", none, "--auto-approve", "--allow-destroy"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    assert!(cloud.get(&nat, NETWORK).is_none());
    assert_clean(&cloud, none);

    let destroyed = cloud.azplan(&["destroy", none, "--auto-approve", "--allow-destroy"]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(cloud.get(group, "2025-04-01").is_none());
}

/// Storage accounts end to end: created through StorageAccounts_Create's 202 + Location, clean
/// in both read modes with their endpoints as outputs; TLS and Shared Key changed in place; a
/// hierarchical namespace replaces its account only with consent; a move to a premium SKU is a
/// plan error; destroy spares another team's account in the group (no ownership tag); a name
/// another subscription holds fails the apply with the service's StorageAccountAlreadyTaken.
#[test]
fn storage_accounts_apply_change_replace_and_go_but_never_someone_elses() {
    const API: &str = "2026-09-01";
    let cloud = Cloud::start("storage", None);
    let stack = "tests/lifecycle/storage.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-storage";
    let tfstate = format!("{group}/providers/Microsoft.Storage/storageAccounts/stlifecycletfstate");
    let backups = format!("{group}/providers/Microsoft.Storage/storageAccounts/stlifecyclebackups");
    let theirs = format!("{group}/providers/Microsoft.Storage/storageAccounts/stlifecycleforeign");
    let from = cloud.requests(0).0;
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("7 added"), "{}", text(&out));
    // Each account was created by one PUT (answered 202) and polled, not PUT again.
    let (_, requests) = cloud.requests(from);
    let puts = requests
        .iter()
        .filter(|(m, p)| {
            m == "PUT" && (p.ends_with("/stlifecycletfstate") || p.ends_with("/stlifecyclebackups"))
        })
        .count();
    assert_eq!(puts, 2, "{requests:?}");
    assert_clean(&cloud, stack);
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let live = cloud.get(&tfstate, API).expect("the account exists");
    assert_eq!(live["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        live["sku"],
        serde_json::json!({"name": "Standard_ZRS", "tier": "Standard"})
    );
    assert_eq!(live["properties"]["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(
        live["properties"]["networkAcls"]["virtualNetworkRules"][0]["state"],
        "Succeeded"
    );
    let backups_live = cloud.get(&backups, API).expect("the account exists");
    assert_eq!(backups_live["properties"]["accessTier"], "Cool");
    assert!(backups_live["properties"]["secondaryLocation"].is_string());
    let outputs = cloud.azplan(&["output", stack]);
    assert!(
        text(&outputs).contains(
            "storageAccount/tfstate.primaryBlobEndpoint = https://stlifecycletfstate.blob.core.windows.net/"
        ),
        "{}",
        text(&outputs)
    );

    // Another tool lets a Synapse workspace through the firewall by resource instance
    // (`networkAcls.resourceAccessRules`, which azplan does not model; the rule of the official
    // StorageAccountGetProperties example, 2026-09-01). The plan stays clean.
    let synapse = serde_json::json!([{
        "resourceId": "/subscriptions/a7e99807-abbf-4642-bdec-2c809a96a8bc/resourceGroups/res9407/providers/Microsoft.Synapse/workspaces/testworkspace",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"
    }]);
    let mut seeded = cloud.get(&tfstate, API).unwrap();
    seeded["properties"]["networkAcls"]["resourceAccessRules"] = synapse.clone();
    cloud.put(&tfstate, API, seeded);
    let acls =
        |cloud: &Cloud| cloud.get(&tfstate, API).unwrap()["properties"]["networkAcls"].clone();
    assert_eq!(acls(&cloud)["resourceAccessRules"], synapse);
    let plan = cloud.azplan(&["plan", stack, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    // In place: the minimum TLS version and Shared Key access. The PUT replaces `networkAcls`
    // whole: the resource access rule survives only because azplan sends it back as it is live.
    let vars = ["--var", "tls=TLS1_1", "--var", "shared=false"];
    let changed = apply(&cloud, stack, &vars);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&tfstate, API).unwrap();
    assert_eq!(live["properties"]["minimumTlsVersion"], "TLS1_1");
    assert_eq!(live["properties"]["allowSharedKeyAccess"], false);
    assert_eq!(
        live["properties"]["networkAcls"]["resourceAccessRules"],
        synapse,
        "an unrelated update dropped the account's resource access rules:\n{}",
        text(&changed)
    );
    assert_eq!(acls(&cloud)["defaultAction"], "Deny");
    assert_eq!(
        live["properties"]["creationTime"],
        cloud.get(&tfstate, API).unwrap()["properties"]["creationTime"]
    );

    // Standard to premium: no conversion exists, and a new account would be empty.
    let premium = cloud.azplan(&["plan", stack, "--var", "sku=Premium_LRS"]);
    assert_ne!(premium.status.code(), Some(0), "{}", text(&premium));
    assert!(
        text(&premium).contains("impossible_change") && text(&premium).contains("`sku.name`"),
        "{}",
        text(&premium)
    );

    // The hierarchical namespace is fixed at creation: a replacement, only with consent.
    let hns = [
        "--var",
        "tls=TLS1_1",
        "--var",
        "shared=false",
        "--var",
        "hns=true",
    ];
    let refused = apply(&cloud, stack, &hns);
    assert_ne!(refused.status.code(), Some(0), "{}", text(&refused));
    assert!(
        text(&refused).contains("--allow-destroy"),
        "{}",
        text(&refused)
    );
    let mut consent = hns.to_vec();
    consent.push("--allow-destroy");
    let replaced = apply(&cloud, stack, &consent);
    assert_eq!(replaced.status.code(), Some(0), "{}", text(&replaced));
    assert!(
        text(&replaced).contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        text(&replaced)
    );
    assert_eq!(
        cloud.get(&backups, API).unwrap()["properties"]["isHnsEnabled"],
        true
    );
    let mut plan_args = vec!["plan", stack, "--detailed-exitcode"];
    plan_args.extend(hns);
    let plan = cloud.azplan(&plan_args);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    // Another team's grant on the state account would go with it: destroy refuses until it
    // is gone, and then deletes the stack's own grant before the account.
    let identity = cloud
        .get(
            &format!(
                "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/terraform"
            ),
            "2024-11-30",
        )
        .expect("the identity exists");
    let foreign_grant = format!(
        "{tfstate}/providers/Microsoft.Authorization/roleAssignments/5c1e9a4b-7d2f-4e8a-9b3c-2f4e6a8c0d1e"
    );
    cloud.put(
        &foreign_grant,
        "2022-04-01",
        serde_json::json!({"properties": {
            "roleDefinitionId": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            "principalId": identity["properties"]["principalId"],
            "principalType": "ServicePrincipal"
        }}),
    );
    let mut destroy = vec!["destroy", stack, "--auto-approve", "--allow-destroy"];
    destroy.extend(hns);
    let refused = cloud.azplan(&destroy);
    assert_ne!(refused.status.code(), Some(0), "{}", text(&refused));
    assert!(
        text(&refused).contains("takes_unowned"),
        "{}",
        text(&refused)
    );
    assert!(cloud.get(&tfstate, API).is_some(), "{}", text(&refused));
    assert!(cloud.get(&foreign_grant, "2022-04-01").is_some());
    assert_eq!(
        cloud.send(
            azure_core::http::Method::Delete,
            &foreign_grant,
            "2022-04-01"
        ),
        200
    );

    // Another team's account in the group, without the ownership tag, outlives destroy.
    cloud.put(
        &theirs,
        API,
        serde_json::json!({"location": "westeurope", "kind": "StorageV2",
            "sku": {"name": "Standard_LRS"}}),
    );
    let destroyed = cloud.azplan(&destroy);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(cloud.get(&tfstate, API).is_none(), "{}", text(&destroyed));
    assert!(cloud.get(&backups, API).is_none(), "{}", text(&destroyed));
    assert!(
        cloud.get(&theirs, API).is_some(),
        "destroy deleted an account the stack does not own:\n{}",
        text(&destroyed)
    );

    // A name held in another subscription: the create fails with the service's error.
    let elsewhere =
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-elsewhere";
    cloud.put(
        elsewhere,
        "2025-04-01",
        serde_json::json!({"location": "westeurope"}),
    );
    cloud.put(
        &format!("{elsewhere}/providers/Microsoft.Storage/storageAccounts/stlifecycletfstate"),
        API,
        serde_json::json!({"location": "westeurope", "kind": "StorageV2",
            "sku": {"name": "Standard_LRS"}}),
    );
    let taken = apply(&cloud, stack, &[]);
    assert_ne!(taken.status.code(), Some(0), "{}", text(&taken));
    assert!(
        text(&taken).contains("StorageAccountAlreadyTaken"),
        "{}",
        text(&taken)
    );
    assert!(cloud.get(&tfstate, API).is_none());
}

/// Managed Prometheus through a declared data collection endpoint, end to end: the rule names
/// the endpoint the stack created (`dataCollectionEndpoint/NAME` becomes its ID), the endpoint
/// answers with its immutable ID and URLs, both read modes plan clean, a changed public network
/// access updates the endpoint alone, and destroy deletes the rule and the endpoint while
/// another team's endpoint in the group (no ownership tag, a look-alike name) is left alone.
#[test]
fn data_collection_endpoints_apply_change_and_go() {
    const API: &str = "2023-03-11";
    let cloud = Cloud::start("dce", None);
    let stack = "tests/lifecycle/dce.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-dce";
    let dce = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionEndpoints/MSProm-westeurope-lifecycle"
    );
    let dcr = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionRules/MSProm-westeurope-lifecycle"
    );
    let theirs = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionEndpoints/MSProm-westeurope-lifecycle-2"
    );
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("4 added"), "{}", text(&out));
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", stack, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    let endpoint = cloud.get(&dce, API).expect("the endpoint exists");
    let props = &endpoint["properties"];
    assert!(
        props["immutableId"]
            .as_str()
            .is_some_and(|id| id.starts_with("dce-")),
        "{endpoint}"
    );
    for url in ["configurationAccess", "logsIngestion", "metricsIngestion"] {
        assert!(
            props[url]["endpoint"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://msprom-westeurope-lifecycle-")),
            "{url}: {endpoint}"
        );
    }
    assert_eq!(props["networkAcls"]["publicNetworkAccess"], "Enabled");
    assert_eq!(endpoint["kind"], "Linux");
    let rule = cloud.get(&dcr, API).expect("the rule exists");
    assert_eq!(
        rule["properties"]["dataCollectionEndpointId"]
            .as_str()
            .map(str::to_ascii_lowercase),
        Some(dce.to_ascii_lowercase()),
        "{rule}"
    );

    let access = ["--var", "access=Disabled"];
    let changed = apply(&cloud, stack, &access);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&dce, API).expect("the endpoint exists");
    assert_eq!(
        live["properties"]["networkAcls"]["publicNetworkAccess"], "Disabled",
        "{live}"
    );
    assert_eq!(
        live["properties"]["immutableId"], props["immutableId"],
        "the immutable ID survives an update"
    );
    let plan = cloud.azplan(&["plan", stack, access[0], access[1], "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    cloud.put(
        &theirs,
        API,
        serde_json::json!({"location": "westeurope", "properties": {}}),
    );
    let destroyed = cloud.azplan(&[
        "destroy",
        stack,
        access[0],
        access[1],
        "--auto-approve",
        "--allow-destroy",
    ]);
    assert!(cloud.get(&dcr, API).is_none(), "{}", text(&destroyed));
    assert!(cloud.get(&dce, API).is_none(), "{}", text(&destroyed));
    assert!(
        cloud.get(&theirs, API).is_some(),
        "destroy deleted an endpoint the stack does not own:\n{}",
        text(&destroyed)
    );
}

/// Managed Prometheus on a cluster, end to end: `azureMonitor:` sends the metrics profile with
/// both allowlists (AKS answers an unset one as ""), a `raw:` profile keeps working beside it,
/// both read modes plan clean, a changed allowlist updates the cluster alone, and destroy
/// takes both clusters.
#[test]
fn cluster_azure_monitor_metrics_apply_change_and_go() {
    const AKS: &str = "2026-08-01";
    let cloud = Cloud::start("prometheus", None);
    let stack = "tests/lifecycle/prometheus.yaml";
    let group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-prometheus";
    let aks = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");
    let legacy = format!("{group}/providers/Microsoft.ContainerService/managedClusters/legacy");
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
    let live = cloud.get(&aks, AKS).expect("the cluster exists");
    assert_eq!(
        live["properties"]["azureMonitorProfile"],
        serde_json::json!({"metrics": {"enabled": true, "kubeStateMetrics": {
            "metricLabelsAllowlist": "namespaces=[team]",
            "metricAnnotationsAllowList": ""
        }}}),
        "{live}"
    );
    let live = cloud.get(&legacy, AKS).expect("the raw cluster exists");
    assert_eq!(
        live["properties"]["azureMonitorProfile"]["metrics"]["enabled"], true,
        "{live}"
    );

    let labels = ["--var", "labels=pods=[app]"];
    let changed = apply(&cloud, stack, &labels);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    assert!(
        text(&changed).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&changed)
    );
    let live = cloud.get(&aks, AKS).expect("the cluster exists");
    assert_eq!(
        live["properties"]["azureMonitorProfile"]["metrics"]["kubeStateMetrics"]["metricLabelsAllowlist"],
        "pods=[app]",
        "{live}"
    );
    let plan = cloud.azplan(&["plan", stack, labels[0], labels[1], "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));

    let destroyed = cloud.azplan(&[
        "destroy",
        stack,
        labels[0],
        labels[1],
        "--auto-approve",
        "--allow-destroy",
    ]);
    assert_eq!(destroyed.status.code(), Some(0), "{}", text(&destroyed));
    assert!(cloud.get(&aks, AKS).is_none(), "{}", text(&destroyed));
    assert!(cloud.get(&legacy, AKS).is_none(), "{}", text(&destroyed));
}

/// An endpoint dropped from the stack together with the rule's `endpoint:`: the plan shows the
/// rule losing `dataCollectionEndpointId` (the PUT removes it), the rule is updated before the
/// endpoint is deleted, and a second plan is clean.
#[test]
fn a_dropped_data_collection_endpoint_goes_after_its_rule_lets_go() {
    const API: &str = "2023-03-11";
    let cloud = Cloud::start("dce-drop", None);
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-dce";
    let dce = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionEndpoints/MSProm-westeurope-lifecycle"
    );
    let dcr = format!(
        "{group}/providers/Microsoft.Insights/dataCollectionRules/MSProm-westeurope-lifecycle"
    );
    let out = apply(&cloud, "tests/lifecycle/dce.yaml", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v2 = "tests/lifecycle/dce-2.yaml";
    let plan = cloud.azplan(&["plan", v2]);
    assert!(
        text(&plan).contains("properties.dataCollectionEndpointId"),
        "the plan shows the rule losing its endpoint:\n{}",
        text(&plan)
    );
    let (from, _) = cloud.requests(0);
    let out = apply(&cloud, v2, &["--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 1 destroyed"),
        "{}",
        text(&out)
    );
    let (_, sent) = cloud.requests(from);
    let at = |method: &str, id: &str| {
        sent.iter()
            .position(|(m, p)| m == method && p.eq_ignore_ascii_case(id))
            .unwrap_or_else(|| panic!("no {method} {id} in {sent:?}"))
    };
    assert!(
        at("PUT", &dcr) < at("DELETE", &dce),
        "the rule lets go of the endpoint before it is deleted: {sent:?}"
    );
    let rule = cloud.get(&dcr, API).expect("the rule stays");
    assert!(
        rule["properties"].get("dataCollectionEndpointId").is_none(),
        "{rule}"
    );
    assert!(cloud.get(&dce, API).is_none(), "{}", text(&out));
    assert_clean(&cloud, v2);
}

/// Diagnostic settings end to end: a setting of the declared name on a resource outside the
/// stack that sends elsewhere is refused (nothing marks it as the stack's); applied, the
/// settings re-plan clean in both read modes while another team's setting sits on the same
/// cluster; a change of categories and table is an update in place; destroy deletes the
/// stack's settings and lists the other team's setting on the cluster as going with it, while
/// the other team's setting on the registry the stack only reads is left alone.
#[test]
fn diagnostic_settings_apply_change_and_go_but_never_someone_elses() {
    const API: &str = "2021-05-01-preview";
    let cloud = Cloud::start("diagnostics", None);
    let v1 = "tests/lifecycle/diagnostics-1.yaml";
    let v2 = "tests/lifecycle/diagnostics-2.yaml";
    let subscription = "/subscriptions/11111111-1111-1111-1111-111111111111";
    let shared = format!("{subscription}/resourceGroups/rg-shared");
    let group = format!("{subscription}/resourceGroups/rg-diagnostics");
    let acr = format!("{shared}/providers/Microsoft.ContainerRegistry/registries/acrshared");
    let other_logs =
        format!("{shared}/providers/Microsoft.OperationalInsights/workspaces/log-security");
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");
    let setting = |target: &str, name: &str| {
        format!("{target}/providers/Microsoft.Insights/diagnosticSettings/{name}")
    };
    cloud.put(
        &shared,
        "2025-04-01",
        serde_json::json!({"location": "westeurope"}),
    );
    cloud.put(
        &acr,
        "2025-11-01",
        serde_json::json!({"location": "westeurope", "sku": {"name": "Standard"}}),
    );
    cloud.put(
        &other_logs,
        "2025-07-01",
        serde_json::json!({"location": "westeurope"}),
    );
    let security = || {
        serde_json::json!({"properties": {
            "workspaceId": other_logs,
            "logs": [{"categoryGroup": "audit", "enabled": true}],
        }})
    };
    // Someone else's setting under the name the spec declares, on the registry outside the
    // stack, sending to their workspace: the plan refuses to take it over.
    let acr_setting = setting(&acr, "to-platform-logs");
    cloud.put(&acr_setting, API, security());
    let plan = cloud.azplan(&["plan", v1]);
    assert_ne!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(text(&plan).contains("to-platform-logs"), "{}", text(&plan));
    assert_eq!(
        cloud.get(&acr_setting, API).unwrap()["properties"]["workspaceId"],
        other_logs.as_str()
    );
    assert_eq!(
        cloud.send(azure_core::http::Method::Delete, &acr_setting, API),
        200
    );
    // Their look-alike on the registry, under another name, stays whatever the stack does.
    let acr_theirs = setting(&acr, "security-team");
    cloud.put(&acr_theirs, API, security());

    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("6 added"), "{}", text(&out));
    assert_clean(&cloud, v1);
    let aks = cloud
        .get(&setting(&cluster, "aks-logs"), API)
        .expect("the cluster's setting exists");
    assert_eq!(
        aks["properties"]["logAnalyticsDestinationType"], "Dedicated",
        "{aks}"
    );
    assert_eq!(
        aks["properties"]["logs"],
        serde_json::json!([
            {"category": "kube-audit-admin", "enabled": true},
            {"category": "guard", "enabled": true},
        ]),
        "{aks}"
    );
    let ours_on_acr = cloud
        .get(&acr_setting, API)
        .expect("the registry's setting");
    assert!(
        ours_on_acr["properties"]["workspaceId"]
            .as_str()
            .unwrap()
            .ends_with("/workspaces/log-diagnostics"),
        "{ours_on_acr}"
    );

    // Another team's setting on the stack's cluster: not declared, so never the stack's.
    let aks_theirs = setting(&cluster, "security-team");
    cloud.put(&aks_theirs, API, security());
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", v1, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }
    // Azure may list a resource's other categories switched off: not a change.
    let mut listed = cloud.get(&setting(&cluster, "aks-logs"), API).unwrap();
    listed["properties"]["logs"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"category": "kube-scheduler", "enabled": false}));
    cloud.put(&setting(&cluster, "aks-logs"), API, listed);
    assert_clean(&cloud, v1);

    let plan = cloud.azplan(&["plan", v2]);
    assert!(text(&plan).contains("properties.logs"), "{}", text(&plan));
    assert!(
        text(&plan).contains("properties.logAnalyticsDestinationType"),
        "{}",
        text(&plan)
    );
    let out = apply(&cloud, v2, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&out)
    );
    let aks = cloud.get(&setting(&cluster, "aks-logs"), API).unwrap();
    assert!(
        aks["properties"]
            .get("logAnalyticsDestinationType")
            .is_none(),
        "{aks}"
    );
    let logs = aks["properties"]["logs"].to_string();
    assert!(
        logs.contains("kube-audit\"") && !logs.contains("guard"),
        "{aks}"
    );
    assert_clean(&cloud, v2);

    // Destroy: its plan names the other team's setting the cluster's delete takes.
    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("security-team"), "{}", text(&out));
    assert!(
        cloud.get(&cluster, "2026-08-01").is_none(),
        "{}",
        text(&out)
    );
    assert!(cloud.get(&aks_theirs, API).is_none());
    assert!(cloud.get(&acr_setting, API).is_none(), "{}", text(&out));
    assert!(
        cloud.get(&acr_theirs, API).is_some(),
        "destroy deleted a setting the stack does not own:\n{}",
        text(&out)
    );
    assert!(cloud.get(&acr, "2025-11-01").is_some());
}

/// Data collection rule associations end to end: an association of the declared name on a
/// resource outside the stack attaching someone else's rule is refused; applied, the stack's
/// associations re-plan clean in both read modes while another team's association sits on the
/// same cluster; a description is added in place; destroy deletes the stack's associations and
/// lists the other team's on the cluster as going with it, while the other team's association on
/// the registry the stack only reads is left alone.
#[test]
fn rule_associations_apply_change_and_go_but_never_someone_elses() {
    const API: &str = "2023-03-11";
    let cloud = Cloud::start("associations", None);
    let v1 = "tests/lifecycle/associations-1.yaml";
    let v2 = "tests/lifecycle/associations-2.yaml";
    let subscription = "/subscriptions/11111111-1111-1111-1111-111111111111";
    let shared = format!("{subscription}/resourceGroups/rg-shared-dcra");
    let group = format!("{subscription}/resourceGroups/rg-associations");
    let acr = format!("{shared}/providers/Microsoft.ContainerRegistry/registries/acrshareddcra");
    let their_rule = format!("{shared}/providers/Microsoft.Insights/dataCollectionRules/security");
    let cluster = format!("{group}/providers/Microsoft.ContainerService/managedClusters/aks");
    let association = |target: &str, name: &str| {
        format!("{target}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}")
    };
    cloud.put(
        &shared,
        "2025-04-01",
        serde_json::json!({"location": "westeurope"}),
    );
    cloud.put(
        &acr,
        "2025-11-01",
        serde_json::json!({"location": "westeurope", "sku": {"name": "Standard"}}),
    );
    cloud.put(
        &their_rule,
        API,
        serde_json::json!({"location": "westeurope", "properties": {}}),
    );
    let theirs = || serde_json::json!({"properties": {"dataCollectionRuleId": their_rule}});
    // Someone else's association under the declared name on the registry outside the stack,
    // attaching their rule: the plan refuses to take it over.
    let acr_ours = association(&acr, "platform-ci");
    cloud.put(&acr_ours, API, theirs());
    let plan = cloud.azplan(&["plan", v1]);
    assert_ne!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(text(&plan).contains("platform-ci"), "{}", text(&plan));
    assert_eq!(
        cloud.send(azure_core::http::Method::Delete, &acr_ours, API),
        200
    );
    let acr_theirs = association(&acr, "security");
    cloud.put(&acr_theirs, API, theirs());

    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("7 added"), "{}", text(&out));
    assert_clean(&cloud, v1);
    let aks = cloud
        .get(&association(&cluster, "ContainerInsightsExtension"), API)
        .expect("the cluster's association exists");
    assert!(
        aks["properties"]["dataCollectionRuleId"]
            .as_str()
            .unwrap()
            .ends_with("/dataCollectionRules/MSCI-westeurope-associations"),
        "{aks}"
    );
    assert!(cloud.get(&acr_ours, API).is_some());

    // Another team's association on the stack's cluster: never the stack's.
    let aks_theirs = association(&cluster, "security");
    cloud.put(&aks_theirs, API, theirs());
    for mode in ["list", "graph"] {
        let plan = cloud.azplan(&["plan", v1, "--read", mode, "--detailed-exitcode"]);
        assert_eq!(
            plan.status.code(),
            Some(0),
            "--read {mode}:\n{}",
            text(&plan)
        );
    }

    let out = apply(&cloud, v2, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        text(&out)
    );
    let aks = cloud
        .get(&association(&cluster, "ContainerInsightsExtension"), API)
        .unwrap();
    assert_eq!(
        aks["properties"]["description"],
        "Container Insights for aks"
    );
    assert_clean(&cloud, v2);
    // Dropping the description again shows it going.
    let plan = cloud.azplan(&["plan", v1]);
    assert!(
        text(&plan).contains("properties.description"),
        "{}",
        text(&plan)
    );

    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("security"), "{}", text(&out));
    assert!(
        cloud.get(&cluster, "2026-08-01").is_none(),
        "{}",
        text(&out)
    );
    assert!(cloud.get(&aks_theirs, API).is_none());
    assert!(cloud.get(&acr_ours, API).is_none(), "{}", text(&out));
    assert!(
        cloud.get(&acr_theirs, API).is_some(),
        "destroy deleted an association the stack does not own:\n{}",
        text(&out)
    );
}

/// What sits on a replaced resource without being declared (another team's diagnostic setting,
/// on the account itself or on its blob service, where storage resource logs are set) goes for
/// good with the replacement. The plan reads what sits only on resources it may delete, so
/// apply looks right before the delete and refuses while anything the plan does not name is
/// there; the other team's setting and the account survive. Once the setting is gone, the
/// replacement goes ahead.
#[test]
fn a_replacement_never_takes_another_teams_diagnostic_settings_unseen() {
    const API: &str = "2021-05-01-preview";
    let cloud = Cloud::start("replace-settings", None);
    let stack = "tests/lifecycle/storage.yaml";
    let group =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-lifecycle-storage";
    let backups = format!("{group}/providers/Microsoft.Storage/storageAccounts/stlifecyclebackups");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let logs = format!("{group}/providers/Microsoft.OperationalInsights/workspaces/log-security");
    cloud.put(
        &logs,
        "2025-07-01",
        serde_json::json!({"location": "westeurope"}),
    );
    let theirs = format!("{backups}/providers/Microsoft.Insights/diagnosticSettings/security-team");
    cloud.put(
        &theirs,
        API,
        serde_json::json!({"properties": {
            "workspaceId": logs,
            "metrics": [{"category": "Transaction", "enabled": true}],
        }}),
    );
    let replace = ["--var", "hns=true", "--allow-destroy"];
    let out = apply(&cloud, stack, &replace);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("security-team"), "{}", text(&out));
    assert!(
        cloud.get(&theirs, API).is_some(),
        "the replacement took another team's setting:\n{}",
        text(&out)
    );
    assert!(
        cloud.get(&backups, "2026-09-01").is_some(),
        "{}",
        text(&out)
    );

    assert_eq!(
        cloud.send(azure_core::http::Method::Delete, &theirs, API),
        200
    );
    let out = apply(&cloud, stack, &replace);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let account = cloud.get(&backups, "2026-09-01").expect("the new account");
    assert_eq!(account["properties"]["isHnsEnabled"], true, "{account}");
}

/// A cluster's replacement takes every extension installed in it. The plan reads them only for
/// clusters whose spec has `extensions:` or that it may delete, so apply lists them right
/// before the replacement's delete and refuses while another team's is there (Azure Backup's
/// here); the cluster and the extension survive. Once the extension is gone, the replacement
/// goes ahead.
#[test]
fn a_cluster_replacement_never_takes_another_teams_extension_unseen() {
    const API: &str = "2025-03-01";
    const AKS: &str = "2026-08-01";
    let cloud = Cloud::start("replace-extension", None);
    let stack = "tests/lifecycle/replace-extension.yaml";
    let cluster = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-replace-extension/providers/Microsoft.ContainerService/managedClusters/aks";
    let backup = format!("{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/backup");
    let out = apply(&cloud, stack, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    cloud.put(
        &backup,
        API,
        serde_json::json!({"properties": {"extensionType": "microsoft.dataprotection.kubernetes"}}),
    );
    let replace = ["--var", "prefix=aks-two", "--allow-destroy"];
    let plan = cloud.azplan(&["plan", stack, "--var", "prefix=aks-two"]);
    assert!(text(&plan).contains("replaced"), "{}", text(&plan));
    let out = apply(&cloud, stack, &replace);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("extensions/backup"), "{}", text(&out));
    assert!(
        cloud.get(&backup, API).is_some(),
        "the replacement took another team's extension:\n{}",
        text(&out)
    );
    assert_eq!(
        cloud.get(cluster, AKS).expect("the cluster stays")["properties"]["dnsPrefix"],
        "aks-one"
    );

    // With the extensions declared, the plan reads them and stops on another team's at once,
    // before anything is written.
    let declared = "tests/lifecycle/replace-extension-2.yaml";
    let plan = cloud.azplan(&["plan", declared, "--var", "prefix=aks-two"]);
    assert_ne!(plan.status.code(), Some(0), "{}", text(&plan));
    assert!(
        text(&plan).contains("takes_unowned") && text(&plan).contains("extensions/backup"),
        "{}",
        text(&plan)
    );

    assert_eq!(
        cloud.send(azure_core::http::Method::Delete, &backup, API) / 100,
        2
    );
    let out = apply(&cloud, stack, &replace);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        cloud.get(cluster, AKS).expect("the new cluster")["properties"]["dnsPrefix"],
        "aks-two"
    );
}
