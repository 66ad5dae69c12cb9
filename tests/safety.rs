//! Safe on production subscriptions: the real binary against the emulator over HTTPS, each test
//! a way a run could lose data or report success where it should not.
//! - a resource group delete never takes what the stack does not own;
//! - provisioning state is part of convergence (`Failed`, busy).

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "common/cloud.rs"]
mod cloud;
use cloud::{Cloud, text};

const SUB: &str = "/subscriptions/11111111-1111-1111-1111-111111111111";
const REGISTRY_API: &str = "2025-11-01";
const IDENTITY_API: &str = "2024-11-30";
const ROLE_API: &str = "2022-04-01";
const GROUP_API: &str = "2025-04-01";
const CLUSTER_API: &str = "2026-08-01";
/// Built-in Reader.
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

fn group(name: &str) -> String {
    format!("{SUB}/resourceGroups/{name}")
}

fn apply(cloud: &Cloud, stack: &str, extra: &[&str]) -> Output {
    let mut args = vec!["apply", stack, "--auto-approve", "--poll-interval", "0.1"];
    args.extend(extra);
    cloud.azplan(&args)
}

/// Puts resources into a group that no stack (or another stack) owns: an untagged registry,
/// another stack's registry, an untagged identity and a role assignment for it scoped to the
/// group without any ownership marker. Returns their IDs.
fn foreign_resources(cloud: &Cloud, group_name: &str) -> Vec<String> {
    let rg = group(group_name);
    let untagged = format!("{rg}/providers/Microsoft.ContainerRegistry/registries/acrforeign01");
    cloud.put(
        &untagged,
        REGISTRY_API,
        json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    );
    let other = format!("{rg}/providers/Microsoft.ContainerRegistry/registries/acrotherstack01");
    cloud.put(
        &other,
        REGISTRY_API,
        json!({"location": "westeurope", "sku": {"name": "Basic"}, "tags": {"azplan-stack": "other"}}),
    );
    let identity =
        format!("{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/outsider");
    let body = cloud.put(&identity, IDENTITY_API, json!({"location": "westeurope"}));
    let principal = body["properties"]["principalId"]
        .as_str()
        .unwrap()
        .to_string();
    let assignment = format!(
        "{rg}/providers/Microsoft.Authorization/roleAssignments/6f1d2b8e-5a4c-4f7e-9d3b-1c2a3b4c5d6e"
    );
    cloud.put(
        &assignment,
        ROLE_API,
        json!({"properties": {
            "roleDefinitionId": format!("{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
            "principalId": principal,
            "principalType": "ServicePrincipal"
        }}),
    );
    vec![untagged, other, identity, assignment]
}

fn api_of(id: &str) -> &'static str {
    if id.contains("registries") {
        REGISTRY_API
    } else if id.contains("roleAssignments") {
        ROLE_API
    } else {
        IDENTITY_API
    }
}

#[test]
fn destroy_keeps_a_group_that_holds_resources_the_stack_does_not_own() {
    let cloud = Cloud::start("keep-group", None);
    let stack = "tests/lifecycle/groups.yaml";
    let applied = apply(&cloud, stack, &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let foreign = foreign_resources(&cloud, "rg-groups");

    let destroyed = cloud.azplan(&["destroy", stack, "--auto-approve", "--allow-destroy"]);
    let out = text(&destroyed);
    assert_eq!(destroyed.status.code(), Some(0), "{out}");
    assert!(out.contains("rg/rg is kept"), "{out}");
    for id in &foreign {
        // ARM's IDs keep the service's own casing (MSI writes `resourcegroups`).
        assert!(
            out.to_ascii_lowercase().contains(&id.to_ascii_lowercase()),
            "the plan names {id}:\n{out}"
        );
        assert!(
            cloud.get(id, api_of(id)).is_some(),
            "{id} was deleted:\n{out}"
        );
    }
    assert!(cloud.get(&group("rg-groups"), GROUP_API).is_some());
    // The stack's own resources went, one by one.
    let cluster = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks",
        group("rg-groups")
    );
    assert!(cloud.get(&cluster, CLUSTER_API).is_none(), "{out}");
    let identity = format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
        group("rg-groups")
    );
    assert!(cloud.get(&identity, IDENTITY_API).is_none(), "{out}");
}

#[test]
fn renaming_a_group_lists_everything_its_delete_takes() {
    let cloud = Cloud::start("rename-group", None);
    let stack = "tests/lifecycle/groups.yaml";
    let applied = apply(&cloud, stack, &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));

    let moved = ["--var", "group=rg-groups-2"];
    let plan = cloud.azplan(&["plan", stack, "--format", "json", moved[0], moved[1]]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let old = group("rg-groups").to_ascii_lowercase();
    let gone_with: Vec<String> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["goes_with"].is_string())
        .map(|c| c["id"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    for what in [
        "/providers/microsoft.containerservice/managedclusters/aks",
        "/providers/microsoft.network/virtualnetworks/net",
        "/providers/microsoft.managedidentity/userassignedidentities/app",
        "/providers/microsoft.authorization/roleassignments/",
    ] {
        assert!(
            gone_with
                .iter()
                .any(|id| id.starts_with(&format!("{old}{what}"))),
            "{what} is listed as going with the old group: {gone_with:?}"
        );
    }
    for format in ["human", "markdown"] {
        let shown = cloud.azplan(&["plan", stack, "--format", format, moved[0], moved[1]]);
        assert!(
            text(&shown).contains("will be destroyed with (not in spec) rg-groups"),
            "{format}:\n{}",
            text(&shown)
        );
    }
    let applied = apply(&cloud, stack, &["--allow-destroy", moved[0], moved[1]]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    assert!(cloud.get(&group("rg-groups"), GROUP_API).is_none());
    let again = cloud.azplan(&["plan", stack, "--detailed-exitcode", moved[0], moved[1]]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn renaming_a_group_that_holds_foreign_resources_keeps_it_and_them() {
    let cloud = Cloud::start("rename-keep", None);
    let stack = "tests/lifecycle/groups.yaml";
    assert_eq!(apply(&cloud, stack, &[]).status.code(), Some(0));
    let foreign = foreign_resources(&cloud, "rg-groups");
    let moved = ["--var", "group=rg-groups-2"];
    let applied = apply(&cloud, stack, &["--allow-destroy", moved[0], moved[1]]);
    let out = text(&applied);
    assert_eq!(applied.status.code(), Some(0), "{out}");
    assert!(out.contains("is kept"), "{out}");
    for id in &foreign {
        assert!(
            cloud.get(id, api_of(id)).is_some(),
            "{id} was deleted:\n{out}"
        );
    }
    let cluster = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks",
        group("rg-groups")
    );
    assert!(
        cloud.get(&cluster, CLUSTER_API).is_none(),
        "the old cluster is deleted on its own:\n{out}"
    );
    // The kept group is reported on every plan, and is no change.
    let again = cloud.azplan(&["plan", stack, "--detailed-exitcode", moved[0], moved[1]]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("is kept"), "{}", text(&again));
}

#[test]
fn a_declared_group_that_nothing_uses_still_gives_up_what_the_stack_left_in_it() {
    let cloud = Cloud::start("emptied-group", None);
    assert_eq!(
        apply(&cloud, "tests/lifecycle/groups.yaml", &[])
            .status
            .code(),
        Some(0)
    );
    let emptied = "tests/lifecycle/groups-emptied.yaml";
    let plan = cloud.azplan(&["plan", emptied, "--detailed-exitcode", "--format", "json"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let deleted: Vec<String> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "delete")
        .map(|c| c["id"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    for what in [
        "/managedclusters/aks",
        "/virtualnetworks/net",
        "/userassignedidentities/app",
    ] {
        assert!(
            deleted.iter().any(|id| id.ends_with(what)),
            "{what}: {deleted:?}"
        );
    }
    // What goes with a delete is listed too: the cluster's pool, the VNet's subnet.
    for child in ["/agentpools/system", "/subnets/nodes"] {
        assert!(
            deleted.iter().any(|id| id.ends_with(child)),
            "{child}: {deleted:?}"
        );
    }
    let applied = apply(&cloud, emptied, &["--allow-destroy"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let again = cloud.azplan(&["plan", emptied, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn a_delete_is_refused_when_the_resource_changed_hands_during_the_run() {
    // The cluster's delete runs 4 s; the identity's waits for it. Meanwhile another stack takes
    // the identity over: its delete must be refused, not sent.
    let faults = "faults:\n  - fault: slowOperation\n    ms: 4000\n    resourceType: Microsoft.ContainerService/managedClusters\n    operation: DELETE\n    count: 1\n";
    let cloud = Cloud::start("changed-hands", Some(faults));
    assert_eq!(
        apply(&cloud, "tests/lifecycle/groups.yaml", &[])
            .status
            .code(),
        Some(0)
    );
    // Something foreign keeps the group, so the stack's resources are deleted one by one.
    foreign_resources(&cloud, "rg-groups");
    let child = spawn_apply(
        &cloud,
        "tests/lifecycle/groups-emptied.yaml",
        &["--allow-destroy", "--poll-interval", "0.1"],
    );
    wait_for_request(&cloud, "the cluster delete", |m, p| {
        m == "DELETE" && p.to_ascii_lowercase().contains("/managedclusters/aks")
    });
    let identity = format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
        group("rg-groups")
    );
    cloud.put(
        &identity,
        IDENTITY_API,
        json!({"location": "westeurope", "tags": {"azplan-stack": "other"}}),
    );
    let out = child.wait_with_output().unwrap();
    let shown = text(&out);
    assert_ne!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("became owned by stack `other`"), "{shown}");
    assert!(cloud.get(&identity, IDENTITY_API).is_some(), "{shown}");
}

fn state(body: &serde_json::Value) -> &str {
    body["properties"]["provisioningState"]
        .as_str()
        .unwrap_or("Succeeded")
}

fn cluster_id(group_name: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/{name}",
        group(group_name)
    )
}

fn plan_exit(cloud: &Cloud, stack: &str) -> (Option<i32>, String) {
    let plan = cloud.azplan(&["plan", stack, "--detailed-exitcode"]);
    (plan.status.code(), text(&plan))
}

#[test]
fn a_failed_cluster_is_not_converged_until_a_rerun_repairs_it() {
    let faults = "faults:\n  - fault: lroFailed\n    resourceType: Microsoft.ContainerService/managedClusters\n    operation: write\n    count: 1\n";
    let cloud = Cloud::start("failed-cluster", Some(faults));
    let stack = "tests/lifecycle/groups.yaml";
    let first = apply(&cloud, stack, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let cluster = cloud
        .get(&cluster_id("rg-groups", "aks"), CLUSTER_API)
        .unwrap();
    assert_eq!(state(&cluster), "Failed");

    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(code, Some(2), "a Failed cluster is a change:\n{out}");
    assert!(out.contains("provisioning state is `Failed`"), "{out}");

    let second = apply(&cloud, stack, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let cluster = cloud
        .get(&cluster_id("rg-groups", "aks"), CLUSTER_API)
        .unwrap();
    assert_eq!(state(&cluster), "Succeeded");
    let pool = cloud
        .get(
            &format!("{}/agentPools/system", cluster_id("rg-groups", "aks")),
            CLUSTER_API,
        )
        .unwrap();
    assert_eq!(state(&pool), "Succeeded");
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_failed_pool_makes_plan_exit_2_and_apply_repairs_it() {
    let faults = "faults:\n  - fault: lroFailed\n    resourceType: Microsoft.ContainerService/managedClusters/agentPools\n    operation: write\n    count: 1\n";
    let cloud = Cloud::start("failed-pool", Some(faults));
    let stack = "tests/lifecycle/v1.yaml";
    let first = apply(&cloud, stack, &[]);
    assert_eq!(first.status.code(), Some(1), "{}", text(&first));
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("cluster/aks/user will be updated in place") && out.contains("`Failed`"),
        "{out}"
    );
    let second = apply(&cloud, stack, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(code, Some(0), "{out}");
}

/// Starts `azplan apply` and kills it (SIGKILL: no cleanup at all) once the request that
/// matches `request` has reached the emulator.
fn apply_and_kill_after(cloud: &Cloud, stack: &str, request: &str) {
    let endpoint = cloud.endpoint();
    let mut child = Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args([
            "apply",
            stack,
            "--auto-approve",
            "--endpoint",
            &endpoint,
            "--ca-cert",
            cloud.ca.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("AZPLAN_LOCK_EXPIRY_SECONDS", "4")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut line = String::new();
    loop {
        let (_, requests) = cloud.requests(0);
        if requests
            .iter()
            .any(|(m, p)| m == "PUT" && p.contains(request))
        {
            break;
        }
        assert!(Instant::now() < deadline, "{request} was never sent");
        // Keep the pipe drained; the child prints progress.
        line.clear();
        let _ = reader.read_line(&mut line);
    }
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn a_pool_still_creating_after_a_crash_is_waited_for_once_the_dead_runs_lock_expires() {
    // At 2% of real durations a pool takes about 3.6 s to create.
    let cloud = Cloud::start_scaled("killed", None, 0.02);
    let stack = "tests/lifecycle/v1.yaml";
    apply_and_kill_after(&cloud, stack, "/agentPools/user");
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(
        code,
        Some(2),
        "a pool still creating is not converged:\n{out}"
    );
    assert!(
        out.contains("cluster/aks/user is busy") && out.contains("`Creating`"),
        "{out}"
    );
    // The killed run still holds the stack's lock: a new run is refused, naming it…
    let refused = apply(&cloud, stack, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("is locked by another run: `apply` by pid"),
        "{}",
        text(&refused)
    );
    // …until the lock expires (the dead run promised a heartbeat every 1 s, expiry 4 s).
    std::thread::sleep(Duration::from_secs(5));
    let rerun = apply(&cloud, stack, &[]);
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun));
    assert!(
        text(&rerun).contains("Took over the expired lock"),
        "{}",
        text(&rerun)
    );
    let pool = cloud
        .get(
            &format!("{}/agentPools/user", cluster_id("rg-lifecycle", "aks")),
            CLUSTER_API,
        )
        .unwrap();
    assert_eq!(state(&pool), "Succeeded");
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_cluster_being_deleted_is_waited_for_then_created_again() {
    let cloud = Cloud::start_scaled("deleting", None, 0.02);
    let stack = "tests/lifecycle/v1.yaml";
    let applied = apply(&cloud, stack, &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let cluster = cluster_id("rg-lifecycle", "aks");
    let status = cloud.send(azure_core::http::Method::Delete, &cluster, CLUSTER_API);
    assert_eq!(status, 202);
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(
        code,
        Some(2),
        "a cluster being deleted is not unchanged:\n{out}"
    );
    assert!(out.contains("`Deleting`"), "{out}");
    let rerun = apply(&cloud, stack, &[]);
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun));
    let now = cloud.get(&cluster, CLUSTER_API).expect("created again");
    assert_eq!(state(&now), "Succeeded");
    assert!(
        cloud
            .get(&format!("{cluster}/agentPools/user"), CLUSTER_API)
            .is_some(),
        "its pools are back too:\n{}",
        text(&rerun)
    );
    let (code, out) = plan_exit(&cloud, stack);
    assert_eq!(code, Some(0), "{out}");
}

/// Saved plans are never trusted: each forged file below has its fingerprints recomputed from
/// live state, as a hostile editor would, and must still be refused with nothing touched.
#[test]
fn an_edited_saved_plan_is_refused_whatever_it_claims() {
    let cloud = Cloud::start("forged", None);
    let stack = "tests/lifecycle/v1.yaml";
    assert_eq!(apply(&cloud, stack, &[]).status.code(), Some(0));
    cloud.put(
        &group("rg-elsewhere"),
        GROUP_API,
        json!({"location": "westeurope"}),
    );
    let registry = |rg: &str, name: &str| {
        format!(
            "{}/providers/Microsoft.ContainerRegistry/registries/{name}",
            group(rg)
        )
    };
    let elsewhere = registry("rg-elsewhere", "acruntagged01");
    let inside = registry("rg-lifecycle", "acruntagged02");
    let other = registry("rg-lifecycle", "acrotherstack02");
    for (id, tags) in [
        (&elsewhere, json!({})),
        (&inside, json!({})),
        (&other, json!({"azplan-stack": "other"})),
    ] {
        cloud.put(
            id,
            REGISTRY_API,
            json!({"location": "westeurope", "sku": {"name": "Basic"}, "tags": tags}),
        );
    }
    let file = cloud.dir.join("plan.json");
    let saved = cloud.azplan(&["plan", stack, "--out", file.to_str().unwrap()]);
    assert_eq!(saved.status.code(), Some(0), "{}", text(&saved));
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();

    let fingerprint =
        |id: &str| azplan::live::fingerprint(&cloud.get(id, REGISTRY_API).expect("exists"));
    let delete = |id: &str| {
        json!({"address": "registry/forged", "arm_type": "Microsoft.ContainerRegistry/registries",
               "id": id, "api_version": REGISTRY_API, "action": "delete",
               "reasons": ["owned by stack `lifecycle`"], "observed": fingerprint(id)})
    };
    let mut forgeries: Vec<(&str, serde_json::Value)> = Vec::new();
    for (name, id) in [
        ("deletes an untagged registry in another group", &elsewhere),
        ("deletes an untagged registry in its own group", &inside),
        ("deletes another stack's registry", &other),
    ] {
        let mut plan = original.clone();
        plan["changes"].as_array_mut().unwrap().push(delete(id));
        plan["summary"]["delete"] = json!(1);
        forgeries.push((name, plan));
    }
    let mut retag = original.clone();
    retag["changes"].as_array_mut().unwrap().push(json!({
        "address": "registry/forged", "arm_type": "Microsoft.ContainerRegistry/registries",
        "id": other, "api_version": REGISTRY_API, "action": "update",
        "desired": {"location": "westeurope", "sku": {"name": "Basic"}, "tags": {"azplan-stack": "lifecycle"}},
        "observed": fingerprint(&other)
    }));
    retag["summary"]["update"] = json!(1);
    forgeries.push(("re-tags another stack's registry as its own", retag));
    // Editing the stack the file carries does not help either: it is planned like any spec,
    // and a spec that takes another stack's resource is refused.
    let mut spec_edit = original.clone();
    let text_of_spec = spec_edit["saved"]["inputs"]["files"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    spec_edit["saved"]["inputs"]["files"][0]["text"] = json!(text_of_spec.replace(
        "registries:\n",
        "registries:\n  theirs: {name: acrotherstack02, sku: Basic}\n"
    ));
    spec_edit["saved"]["adopt"] = json!(true);
    forgeries.push((
        "carries a spec that takes another stack's registry",
        spec_edit,
    ));
    let mut unsaved = original.clone();
    unsaved.as_object_mut().unwrap().remove("saved");
    forgeries.push(("carries no stack to check against", unsaved));

    for (name, forged) in forgeries {
        std::fs::write(&file, serde_json::to_vec_pretty(&forged).unwrap()).unwrap();
        let (mark, _) = cloud.requests(0);
        let out = cloud.azplan(&[
            "apply",
            file.to_str().unwrap(),
            "--auto-approve",
            "--allow-destroy",
        ]);
        assert_eq!(out.status.code(), Some(1), "{name}:\n{}", text(&out));
        let (_, requests) = cloud.requests(mark);
        let writes: Vec<_> = requests
            .iter()
            .filter(|(m, p)| m != "GET" && !cloud::is_lock(p))
            .collect();
        assert!(
            writes.is_empty(),
            "{name}: wrote {writes:?}\n{}",
            text(&out)
        );
    }
    for id in [&elsewhere, &inside, &other] {
        let body = cloud.get(id, REGISTRY_API).expect("still there");
        assert_ne!(
            body["tags"]["azplan-stack"], "lifecycle",
            "{id} was taken over"
        );
    }
    // The untouched file still applies (it has nothing to do).
    std::fs::write(&file, serde_json::to_vec_pretty(&original).unwrap()).unwrap();
    let out = cloud.azplan(&["apply", file.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// Starts `azplan apply` with its output piped; returns the child and a reader of its stdout.
fn spawn_apply(cloud: &Cloud, stack: &str, extra: &[&str]) -> std::process::Child {
    let endpoint = cloud.endpoint();
    Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(["apply", stack, "--auto-approve"])
        .args(extra)
        .args([
            "--endpoint",
            &endpoint,
            "--ca-cert",
            cloud.ca.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a write whose path contains `fragment` has reached the emulator; returns the
/// request log's length at that moment.
fn wait_for_write(cloud: &Cloud, fragment: &str) -> usize {
    wait_for_request(cloud, fragment, |m, p| m == "PUT" && p.contains(fragment))
}

/// Waits until a request that `matches` (method, path) has been answered by the emulator;
/// returns the request log's length at that moment.
fn wait_for_request(cloud: &Cloud, what: &str, matches: impl Fn(&str, &str) -> bool) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (len, requests) = cloud.requests(0);
        if requests.iter().any(|(m, p)| matches(m, p)) {
            return len;
        }
        assert!(Instant::now() < deadline, "{what} was never sent");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &std::process::Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// Ctrl-C (SIGINT) and SIGTERM (what CI sends on cancel) stop an apply the same way: nothing
/// new starts, not even a subnet that was waiting for its VNet to be free.
fn an_interrupt_starts_nothing_new(signal_name: &str) {
    // Subnets take 5 s each at full scale; at 40% the first is in flight for 2 s while the
    // other three wait for the VNet.
    let cloud = Cloud::start_scaled(&format!("interrupt-{signal_name}"), None, 0.4);
    let stack = "tests/lifecycle/subnets.yaml";
    let child = spawn_apply(&cloud, stack, &[]);
    let mark = wait_for_write(&cloud, "/subnets/");
    signal(&child, signal_name);
    let out = child.wait_with_output().unwrap();
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("Apply interrupted"), "{shown}");
    let (_, after) = cloud.requests(mark);
    let writes: Vec<_> = after
        .iter()
        .filter(|(m, p)| m != "GET" && !cloud::is_lock(p))
        .collect();
    assert!(
        writes.is_empty(),
        "no write may start after the signal, even one that waited for the VNet: {writes:?}\n{shown}"
    );
}

#[test]
fn sigterm_stops_like_ctrl_c_and_nothing_waiting_for_a_vnet_starts() {
    an_interrupt_starts_nothing_new("TERM");
}

#[test]
fn ctrl_c_starts_nothing_new_even_what_waited_for_a_vnet() {
    an_interrupt_starts_nothing_new("INT");
}

#[test]
fn a_second_signal_exits_at_once() {
    // A registry takes 30 s to create at full scale, 15 s here.
    let cloud = Cloud::start_scaled("twice", None, 0.5);
    let child = spawn_apply(&cloud, "tests/lifecycle/v1.yaml", &[]);
    wait_for_write(&cloud, "/registries/");
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the second signal must not wait for the registry"
    );
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Second interrupt"));
}

#[test]
fn a_service_principal_secret_is_read_at_apply_sent_on_create_and_never_shown() {
    let cloud = Cloud::start("sp", None);
    let stack = "tests/lifecycle/sp.yaml";
    let secret = "s3cr3t-value-that-must-never-appear";
    let run = |args: &[&str], with_secret: bool| {
        let verbose = [args, &["-v"]].concat();
        cloud.azplan_env(
            &verbose,
            "AKS_TEST_SP_SECRET",
            with_secret.then_some(secret),
        )
    };
    // Missing: a clear error before any write.
    let (mark, _) = cloud.requests(0);
    let out = run(&["apply", stack, "--auto-approve"], false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("AKS_TEST_SP_SECRET, which is not set"),
        "{}",
        text(&out)
    );
    let (_, requests) = cloud.requests(mark);
    assert!(
        requests
            .iter()
            .all(|(m, p)| m == "GET" || cloud::is_lock(p)),
        "wrote: {requests:?}"
    );

    // Present: sent on create, and in no output, plan or saved plan.
    let file = cloud.dir.join("plan.json");
    let planned = run(
        &[
            "plan",
            stack,
            "--out",
            file.to_str().unwrap(),
            "--format",
            "json",
        ],
        true,
    );
    assert_eq!(planned.status.code(), Some(0), "{}", text(&planned));
    let applied = run(&["apply", file.to_str().unwrap(), "--auto-approve"], true);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains("AKS_TEST_SP_SECRET"),
        "the plan names the variable"
    );
    for (what, shown) in [
        ("plan output", text(&planned)),
        ("saved plan", saved),
        ("apply output and -v log", text(&applied)),
    ] {
        assert!(!shown.contains(secret), "the secret appears in the {what}");
    }
    // The emulator's request log shows what was sent: the secret went with the create only.
    let log = std::fs::read_to_string(cloud.dir.join("requests.jsonl")).unwrap();
    let carrying: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["requestBody"].to_string().contains(secret))
        .collect();
    assert_eq!(carrying.len(), 1, "sent once");
    assert_eq!(carrying[0]["method"], "PUT");
    assert!(
        carrying[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("/managedClusters/aks")
    );
    assert!(
        !log.lines().any(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            e["responseBody"].to_string().contains(secret)
        }),
        "ARM never answers with the secret"
    );
    let cluster = cloud.get(&cluster_id("rg-sp", "aks"), CLUSTER_API).unwrap();
    assert_eq!(
        cluster["properties"]["servicePrincipalProfile"]["clientId"],
        "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    );
    assert!(
        !cluster.to_string().contains(secret),
        "ARM never returns the secret"
    );
    // Converged without the secret: nothing to create, so it is not needed.
    let again = run(&["plan", stack, "--detailed-exitcode"], false);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

/// An extension's protected setting (configurationProtectedSettings, x-ms-secret) is read from
/// the environment at apply time, sent with the extension's create (the only write here; an
/// update sends it again, see the test below), shown nowhere, and never answered by ARM; a
/// converged extension needs no secret to plan clean.
#[test]
fn an_extension_protected_setting_is_read_at_apply_sent_on_create_and_never_shown() {
    let cloud = Cloud::start("flux-secret", None);
    let stack = "tests/lifecycle/flux-secret.yaml";
    let secret = "flux-token-that-must-never-appear";
    let run = |args: &[&str], with_secret: bool| {
        let verbose = [args, &["-v"]].concat();
        cloud.azplan_env(&verbose, "FLUX_TEST_TOKEN", with_secret.then_some(secret))
    };
    let out = run(&["apply", stack, "--auto-approve"], false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("FLUX_TEST_TOKEN, which is not set"),
        "{}",
        text(&out)
    );
    let applied = run(&["apply", stack, "--auto-approve"], true);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    assert!(
        !text(&applied).contains(secret),
        "the secret appears in the output"
    );
    let log = std::fs::read_to_string(cloud.dir.join("requests.jsonl")).unwrap();
    let carrying: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["requestBody"].to_string().contains(secret))
        .collect();
    assert_eq!(carrying.len(), 1, "sent once");
    assert_eq!(carrying[0]["method"], "PUT");
    assert!(
        carrying[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("/providers/Microsoft.KubernetesConfiguration/extensions/flux")
    );
    assert!(
        !log.lines().any(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            e["responseBody"].to_string().contains(secret)
        }),
        "ARM never answers with the secret"
    );
    let again = run(&["plan", stack, "--detailed-exitcode"], false);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn sigterm_while_the_lock_is_being_taken_releases_it_and_writes_nothing() {
    // Every write of the lock's record set takes 5 s (the first, refused until the zone exists,
    // too): a stop in that time must not kill the run and leave the lock until it expires.
    let faults = "faults:\n  - fault: delay\n    ms: 5000\n    pathContains: /TXT/\n    operation: PUT\n    count: 2\n";
    let cloud = Cloud::start("term-at-lock", Some(faults));
    let child = spawn_apply(&cloud, "tests/lifecycle/subnets.yaml", &[]);
    // The first record PUT fails (no zone yet); the zone is created; the second record PUT,
    // delayed again, is in flight when the signal comes.
    wait_for_request(&cloud, "the lock zone's create", |m, p| {
        m == "PUT"
            && p.to_ascii_lowercase()
                .contains("privatednszones/azplan-locks.internal")
            && !p.contains("/TXT/")
    });
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(130), "{shown}");
    let (_, requests) = cloud.requests(0);
    assert!(
        requests
            .iter()
            .all(|(m, p)| m == "GET" || cloud::is_lock(p)),
        "nothing but the lock was written: {requests:?}"
    );
    let record = format!(
        "{SUB}/resourceGroups/azplan-locks/providers/Microsoft.Network/privateDnsZones/azplan-locks.internal/TXT/subnets"
    );
    assert!(
        cloud.get(&record, "2024-06-01").is_none(),
        "the lock is released:\n{shown}"
    );
}

#[test]
fn what_changed_hands_while_apply_waited_is_neither_taken_over_nor_replaced() {
    // The cluster takes 4 s; the two registries wait for it. Meanwhile another stack creates
    // the new registry's name, and a person takes the stack's mark off the one to be replaced.
    let faults = "faults:\n  - fault: slowOperation\n    ms: 4000\n    resourceType: Microsoft.ContainerService/managedClusters\n    operation: PUT\n    count: 1\n";
    let cloud = Cloud::start("changed-hands-create", Some(faults));
    let first = apply(&cloud, "tests/lifecycle/race-1.yaml", &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let child = spawn_apply(
        &cloud,
        "tests/lifecycle/race-2.yaml",
        &["--allow-destroy", "--poll-interval", "0.1"],
    );
    wait_for_request(&cloud, "the cluster create", |m, p| {
        m == "PUT" && p.to_ascii_lowercase().ends_with("/managedclusters/c")
    });
    let registries = format!(
        "{}/providers/Microsoft.ContainerRegistry/registries",
        group("rg-race")
    );
    let fresh = format!("{registries}/acrfresh01");
    cloud.put(
        &fresh,
        REGISTRY_API,
        json!({"location": "westeurope", "sku": {"name": "Basic"}, "tags": {"azplan-stack": "other"}}),
    );
    let flip = format!("{registries}/acrflip01");
    cloud.put(
        &flip,
        REGISTRY_API,
        json!({"location": "westeurope", "sku": {"name": "Basic"}, "tags": {"note": "handed to the data team"}}),
    );
    let out = child.wait_with_output().unwrap();
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("did not exist when planned, but does now"),
        "{shown}"
    );
    assert!(
        shown.contains("lost this stack's ownership mark"),
        "{shown}"
    );
    let fresh = cloud.get(&fresh, REGISTRY_API).unwrap();
    assert_eq!(
        fresh["tags"]["azplan-stack"], "other",
        "not taken over: {fresh}"
    );
    let flip = cloud.get(&flip, REGISTRY_API).unwrap();
    assert_eq!(flip["location"], "westeurope", "not replaced: {flip}");
}

#[test]
fn a_cluster_delete_lists_its_node_resource_group_and_stops_for_what_a_person_put_there() {
    let cloud = Cloud::start("node-group", None);
    let applied = apply(&cloud, "tests/lifecycle/race-2.yaml", &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let cluster = cloud
        .get(
            &format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/c",
                group("rg-race")
            ),
            CLUSTER_API,
        )
        .unwrap();
    let node_group = group(cluster["properties"]["nodeResourceGroup"].as_str().unwrap());
    // A static ingress IP someone made in the node resource group (as AKS docs once advised).
    let ip =
        format!("{node_group}/providers/Microsoft.Network/publicIPAddresses/ingress-static-ip");
    cloud.put(
        &ip,
        "2025-09-01",
        json!({"location": "westeurope", "sku": {"name": "Standard"},
               "properties": {"publicIPAllocationMethod": "Static"}, "tags": {"team": "web"}}),
    );
    // race-1.yaml is the same stack without the cluster: its plan deletes it.
    let refused = cloud.azplan(&["plan", "tests/lifecycle/race-1.yaml"]);
    let out = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{out}");
    assert!(out.contains("azplan::plan::takes_unowned"), "{out}");
    assert!(out.contains("ingress-static-ip"), "{out}");

    assert!(cloud.send(azure_core::http::Method::Delete, &ip, "2025-09-01") < 300);
    let plan = cloud.azplan(&["plan", "tests/lifecycle/race-1.yaml", "--format", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let with_cluster: Vec<String> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["goes_with"]
                .as_str()
                .is_some_and(|g| g.ends_with("managedClusters/c"))
        })
        .map(|c| c["id"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        with_cluster.contains(&node_group.to_ascii_lowercase()),
        "the node resource group is listed: {with_cluster:?}"
    );
    assert!(
        with_cluster
            .iter()
            .any(|id| id.contains("/userassignedidentities/")),
        "its kubelet identity too: {with_cluster:?}"
    );
    let applied = apply(&cloud, "tests/lifecycle/race-1.yaml", &["--allow-destroy"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
}

#[test]
fn what_the_stack_owns_outside_its_groups_is_still_found_and_revoked() {
    let cloud = Cloud::start("outside", None);
    cloud.put(
        &group("rg-shared"),
        GROUP_API,
        json!({"location": "westeurope"}),
    );
    let applied = apply(&cloud, "tests/lifecycle/outside-1.yaml", &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let plan = cloud.azplan(&["plan", "tests/lifecycle/outside-2.yaml", "--format", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let deleted: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "delete")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        deleted
            .iter()
            .any(|id| id.to_ascii_lowercase().starts_with(&format!(
                "{}/providers/microsoft.authorization/roleassignments/",
                group("rg-shared").to_ascii_lowercase()
            ))),
        "the grant on the other team's group is revoked: {deleted:?}"
    );
    assert!(
        deleted
            .iter()
            .any(|id| id.to_ascii_lowercase().ends_with("/registries/acrext01")),
        "the registry in the existing group is deleted: {deleted:?}"
    );
    let applied = apply(
        &cloud,
        "tests/lifecycle/outside-2.yaml",
        &["--allow-destroy"],
    );
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let again = cloud.azplan(&[
        "plan",
        "tests/lifecycle/outside-2.yaml",
        "--detailed-exitcode",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn a_zone_keeps_the_records_others_wrote_and_is_not_deleted_with_them() {
    let cloud = Cloud::start("zone-records", None);
    let applied = apply(&cloud, "tests/lifecycle/zone-1.yaml", &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let zone = format!(
        "{}/providers/Microsoft.Network/privateDnsZones/corp.internal",
        group("rg-zone")
    );
    let record = format!("{zone}/A/db");
    cloud.put(
        &record,
        "2024-06-01",
        json!({"properties": {"ttl": 3600, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}),
    );
    // Records are someone else's: a plan with the zone is clean, and never deletes them.
    let clean = cloud.azplan(&["plan", "tests/lifecycle/zone-1.yaml", "--detailed-exitcode"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    // Dropping the zone would take the record: refused, naming it.
    let refused = cloud.azplan(&["plan", "tests/lifecycle/zone-2.yaml"]);
    let out = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{out}");
    assert!(
        out.contains("azplan::plan::takes_unowned") && out.contains("A/db"),
        "{out}"
    );
    assert!(cloud.get(&record, "2024-06-01").is_some());
    // Once the record is gone, the zone goes, its SOA listed with it.
    assert!(cloud.send(azure_core::http::Method::Delete, &record, "2024-06-01") < 300);
    let applied = apply(&cloud, "tests/lifecycle/zone-2.yaml", &["--allow-destroy"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    assert!(cloud.get(&zone, "2024-06-01").is_none());
}

#[test]
fn what_lands_in_the_node_resource_group_after_the_plan_still_stops_the_cluster_delete() {
    // Every read of the node resource group's contents takes 3 s: the plan's, then apply's own
    // right before the cluster delete (nothing reads it before). A static IP lands between them.
    let node_name = "MC_rg-race_c_westeurope";
    let faults = format!(
        "faults:\n  - fault: delay\n    ms: 3000\n    pathContains: {node_name}/resources\n    operation: GET\n    count: 2\n"
    );
    let cloud = Cloud::start("node-group-race", Some(&faults));
    let applied = apply(&cloud, "tests/lifecycle/race-2.yaml", &[]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied));
    let cluster = cloud
        .get(
            &format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/c",
                group("rg-race")
            ),
            CLUSTER_API,
        )
        .unwrap();
    assert_eq!(cluster["properties"]["nodeResourceGroup"], node_name);
    let mut child = spawn_apply(
        &cloud,
        "tests/lifecycle/race-1.yaml",
        &["--allow-destroy", "--poll-interval", "0.1"],
    );
    wait_for_request(&cloud, "the node group LIST", |m, p| {
        m == "GET" && p.contains(&format!("{node_name}/resources"))
    });
    let ip = format!(
        "{}/providers/Microsoft.Network/publicIPAddresses/late-ip",
        group(node_name)
    );
    cloud.put(
        &ip,
        "2025-09-01",
        json!({"location": "westeurope", "sku": {"name": "Standard"},
               "properties": {"publicIPAllocationMethod": "Static"}, "tags": {"team": "web"}}),
    );
    let status = child.wait().unwrap();
    let mut shown = String::new();
    use std::io::Read;
    child.stdout.take().unwrap().read_to_string(&mut shown).ok();
    child.stderr.take().unwrap().read_to_string(&mut shown).ok();
    assert_eq!(status.code(), Some(1), "{shown}");
    assert!(shown.contains("late-ip"), "{shown}");
    assert!(cloud.get(&ip, "2025-09-01").is_some(), "{shown}");
}

/// An extension's update is a whole PUT, and whether the service keeps protected settings a PUT
/// leaves out is not documented: every PUT carries them again (the emulator keeps what the last
/// PUT sent, never answering it), and an update without the variable is refused before any
/// write, naming the variable.
#[test]
fn an_extension_update_sends_its_protected_settings_again_and_is_refused_without_them() {
    let mut cloud = Cloud::start("flux-secret-update", None);
    let v1 = "tests/lifecycle/flux-secret.yaml";
    let v2 = "tests/lifecycle/flux-secret-2.yaml";
    let secret = "flux-token-sent-with-every-put";
    let run = |cloud: &Cloud, args: &[&str], with_secret: bool| {
        cloud.azplan_env(args, "FLUX_TEST_TOKEN", with_secret.then_some(secret))
    };
    let out = run(&cloud, &["apply", v1, "--auto-approve"], true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let is_extension_put = |m: &str, p: &str| {
        m == "PUT" && p.ends_with("/providers/Microsoft.KubernetesConfiguration/extensions/flux")
    };

    // The update without the variable: refused, nothing written.
    let (from, _) = cloud.requests(0);
    let out = run(&cloud, &["apply", v2, "--auto-approve"], false);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("FLUX_TEST_TOKEN, which is not set"),
        "{}",
        text(&out)
    );
    let (_, requests) = cloud.requests(from);
    assert!(
        !requests.iter().any(|(m, p)| is_extension_put(m, p)),
        "{requests:?}"
    );

    // With it: the update's PUT carries the protected setting again.
    let plan = run(&cloud, &["plan", v2], false);
    assert!(
        text(&plan).contains("is sent with every write from $FLUX_TEST_TOKEN"),
        "{}",
        text(&plan)
    );
    let out = run(&cloud, &["apply", v2, "--auto-approve"], true);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!text(&out).contains(secret), "{}", text(&out));
    let log = std::fs::read_to_string(cloud.dir.join("requests.jsonl")).unwrap();
    let carrying: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["requestBody"].to_string().contains(secret))
        .collect();
    assert_eq!(carrying.len(), 2, "the create and the update");
    assert!(
        carrying
            .iter()
            .all(|e| is_extension_put(e["method"].as_str().unwrap(), e["path"].as_str().unwrap()))
    );
    assert!(
        !log.lines().any(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            e["responseBody"].to_string().contains(secret)
        }),
        "ARM never answers with the secret"
    );
    let again = run(&cloud, &["plan", v2, "--detailed-exitcode"], false);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    // What the emulator kept from the last PUT: the protected setting, never rendered.
    cloud.edit_state(|state| {
        let kept = state["resources"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| {
                k.ends_with("/providers/microsoft.kubernetesconfiguration/extensions/flux")
            })
            .map(|(_, r)| r["write_only"]["configurationProtectedSettings"]["token"].clone());
        assert_eq!(kept, Some(json!(secret)));
    });
}

/// A system extension (`isSystemExtension`) is never written, even when the spec names it: the
/// plan refuses; the cluster's own delete still takes it.
#[test]
fn an_extension_the_spec_names_is_never_written_when_it_is_a_system_extension() {
    let mut cloud = Cloud::start("flux-system-extension", None);
    let v1 = "tests/lifecycle/flux-1.yaml";
    let v2 = "tests/lifecycle/flux-2.yaml";
    let out = apply(&cloud, v1, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    cloud.edit_state(|state| {
        for (key, record) in state["resources"].as_object_mut().unwrap() {
            if key.ends_with("/providers/microsoft.kubernetesconfiguration/extensions/flux") {
                record["body"]["properties"]["isSystemExtension"] = json!(true);
            }
        }
    });
    let plan = cloud.azplan(&["plan", v2, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(1), "{}", text(&plan));
    assert!(text(&plan).contains("system extension"), "{}", text(&plan));
    let (from, _) = cloud.requests(0);
    let out = apply(&cloud, v2, &[]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let (_, requests) = cloud.requests(from);
    assert!(
        requests
            .iter()
            .all(|(m, p)| m == "GET" || m == "POST" || cloud::is_lock(p)),
        "nothing written: {requests:?}"
    );
    let out = cloud.azplan(&["destroy", v2, "--auto-approve", "--allow-destroy"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("extensions/flux"), "{}", text(&out));
}
