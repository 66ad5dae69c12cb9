//! The emulator's test controls over HTTPS: ARM throttling, injected faults, persistence across
//! restarts, the request log, and the `azplan emulator` command's ready line.

#[path = "emulator_support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use azplan::emulator::{Bucket, EmulatorConfig, FaultPlan, ThrottleConfig};
use serde_json::{Value, json};
use support::{Client, SUB, fast_config, rg, start, url};

const RG_API: &str = "2025-04-01";
const ACR_API: &str = "2025-11-01";
const MSI_API: &str = "2024-11-30";
const RA_API: &str = "2022-04-01";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azplan-emu-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts an emulator on a state file another emulator of this process has just released. Tests in
/// this binary spawn `azplan emulator` processes concurrently, and a child forked while the lock
/// file was open holds a copy of its descriptor (and so the flock) until it execs — microseconds —
/// so the start is retried briefly on `StateInUse` only.
async fn start_again(config: EmulatorConfig) -> azplan::emulator::RunningEmulator {
    for _ in 0..100 {
        match azplan::emulator::Emulator::start(config.clone()).await {
            Ok(emu) => return emu,
            Err(azplan::emulator::EmulatorError::StateInUse { .. }) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("restart: {e}"),
        }
    }
    panic!("the state file stayed locked");
}

fn faults(text: &str) -> EmulatorConfig {
    EmulatorConfig {
        faults: FaultPlan::parse(text).expect("valid faults"),
        ..fast_config()
    }
}

#[tokio::test]
async fn throttling_uses_per_subscription_token_buckets() {
    let tiny = Bucket {
        capacity: 3.0,
        refill_per_second: 0.001,
    };
    let config = EmulatorConfig {
        throttle: ThrottleConfig {
            enabled: true,
            reads: tiny,
            ..ThrottleConfig::default()
        },
        ..fast_config()
    };
    let (emu, c) = start(config).await;
    let path = url(&rg("rg"), RG_API);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = c.get(&path).await;
        remaining.push(
            r.header("x-ms-ratelimit-remaining-subscription-reads")
                .map(str::to_string),
        );
    }
    assert_eq!(
        remaining,
        vec![
            Some("2".to_string()),
            Some("1".to_string()),
            Some("0".to_string())
        ]
    );
    let r = c.get(&path).await;
    assert_eq!((r.status, r.code()), (429, "SubscriptionRequestsThrottled"));
    assert!(
        r.header("retry-after")
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|s| s >= 1)
    );
    let w = c.put(&path, &json!({"location": "westeurope"})).await;
    assert_eq!(
        (
            w.status,
            w.header("x-ms-ratelimit-remaining-subscription-writes")
        ),
        (201, Some("199")),
        "writes have their own bucket"
    );
    let d = c.delete(&url(&rg("other"), RG_API)).await;
    assert_eq!(
        d.header("x-ms-ratelimit-remaining-subscription-deletes"),
        Some("199")
    );
    let other_sub = url(
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg",
        RG_API,
    );
    assert_eq!(
        c.get(&other_sub).await.status,
        404,
        "another subscription has its own buckets"
    );
    emu.shutdown().await.expect("shutdown");

    let tiny = Bucket {
        capacity: 1.0,
        refill_per_second: 0.0,
    };
    let off = EmulatorConfig {
        throttle: ThrottleConfig {
            enabled: false,
            reads: tiny,
            writes: tiny,
            deletes: tiny,
            ..ThrottleConfig::default()
        },
        ..fast_config()
    };
    let (emu, c) = start(off).await;
    for _ in 0..5 {
        let r = c.get(&path).await;
        assert_eq!(r.status, 404);
        assert!(
            r.header("x-ms-ratelimit-remaining-subscription-reads")
                .is_none()
        );
    }
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn default_limits_match_arm() {
    let (emu, c) = start(fast_config()).await;
    let r = c.get(&url(&rg("rg"), RG_API)).await;
    assert_eq!(
        r.header("x-ms-ratelimit-remaining-subscription-reads"),
        Some("249")
    );
    let r = c
        .put(&url(&rg("rg"), RG_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(
        r.header("x-ms-ratelimit-remaining-subscription-writes"),
        Some("199")
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn injected_status_faults() {
    let plan = r#"
faults:
  - fault: throttle
    operation: read
    pathContains: storm
    count: 2
    retryAfter: 3
  - fault: error
    status: 503
    resourceType: Microsoft.Resources/resourceGroups
    operation: write
    count: 1
  - fault: error
    status: 500
    pathContains: coin
    probability: 0.5
"#;
    let (emu, c) = start(faults(plan)).await;
    let storm = url(&rg("storm"), RG_API);
    for _ in 0..2 {
        let r = c.get(&storm).await;
        assert_eq!((r.status, r.header("retry-after")), (429, Some("3")));
    }
    assert_eq!(c.get(&storm).await.status, 404, "the storm is over");
    let r = c
        .put(&url(&rg("a"), RG_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!((r.status, r.code()), (503, "ServiceUnavailable"));
    assert_eq!(
        c.put(&url(&rg("a"), RG_API), &json!({"location": "westeurope"}))
            .await
            .status,
        201
    );
    let mut failures = 0;
    for _ in 0..40 {
        if c.get(&url(&rg("coin"), RG_API)).await.status == 500 {
            failures += 1;
        }
    }
    assert!(
        (8..=32).contains(&failures),
        "{failures} of 40 failed at p=0.5"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn latency_is_added_to_every_request() {
    let config = EmulatorConfig {
        latency: Duration::from_millis(150),
        ..fast_config()
    };
    let (emu, c) = start(config).await;
    for _ in 0..2 {
        let started = Instant::now();
        assert_eq!(c.get(&url(&rg("rg"), RG_API)).await.status, 404);
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn dropped_connections_and_slow_responses() {
    let plan = r#"{"faults": [
        {"fault": "drop", "pathContains": "dropme", "count": 1},
        {"fault": "delay", "ms": 300, "pathContains": "slow"}
    ]}"#;
    let (emu, c) = start(faults(plan)).await;
    let r = c.try_call("GET", &url(&rg("dropme"), RG_API), None).await;
    assert!(
        r.is_err(),
        "the connection is closed without an answer: {r:?}"
    );
    assert_eq!(c.get(&url(&rg("dropme"), RG_API)).await.status, 404);
    let started = Instant::now();
    assert_eq!(c.get(&url(&rg("slow"), RG_API)).await.status, 404);
    assert!(started.elapsed() >= Duration::from_millis(300));
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn operations_can_be_made_to_fail() {
    let plan = r#"{"faults": [
        {"fault": "lroFailed", "resourceType": "Microsoft.ContainerRegistry/registries", "operation": "PUT", "count": 1, "code": "RegistryProvisioningFailed", "message": "boom"},
        {"fault": "lroFailed", "resourceType": "Microsoft.Resources/resourceGroups", "operation": "delete", "count": 1}
    ]}"#;
    let (emu, c) = start(faults(plan)).await;
    let g = rg("rg");
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    let acr = url(
        &format!("{g}/providers/Microsoft.ContainerRegistry/registries/acr12345"),
        ACR_API,
    );
    let r = c
        .put(
            &acr,
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let status = c.wait(&r).await;
    assert_eq!(status.body["status"], "Failed");
    assert_eq!(
        status.body["error"],
        json!({"code": "RegistryProvisioningFailed", "message": "boom"})
    );
    assert_eq!(c.get(&acr).await.state(), "Failed");
    let retry = c
        .put(
            &acr,
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    assert_eq!(
        c.wait(&retry).await.body["status"],
        "Succeeded",
        "the fault fired once"
    );

    let del = c.delete(&url(&g, RG_API)).await;
    let done = c.wait(&del).await;
    assert_eq!(
        (done.status, done.code()),
        (500, "InternalOperationError"),
        "a failed delete reports its error on the Location URL"
    );
    assert_eq!(c.get(&url(&g, RG_API)).await.state(), "Failed");
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn principal_not_found_window_can_be_injected() {
    let plan = r#"{"faults": [{"fault": "principalNotFound", "windowSeconds": 3600, "resourceType": "Microsoft.Authorization/roleAssignments"}]}"#;
    let (emu, c) = start(EmulatorConfig {
        time_scale: 1.0,
        ..faults(plan)
    })
    .await;
    let g = rg("rg");
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    let id = c
        .put(
            &url(
                &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"),
                MSI_API,
            ),
            &json!({"location": "westeurope"}),
        )
        .await;
    let principal = id.body["properties"]["principalId"].clone();
    let ra = url(
        &format!(
            "{g}/providers/Microsoft.Authorization/roleAssignments/6b8d3c5e-0000-4000-8000-000000000006"
        ),
        RA_API,
    );
    let body = json!({"properties": {"principalId": principal, "principalType": "ServicePrincipal",
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d")}});
    let r = c.put(&ra, &body).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "PrincipalNotFound"),
        "the fault ignores principalType"
    );
    let mut external = body.clone();
    external["properties"]["principalId"] = json!("ce2ce14e-85d7-4629-bdbc-454d0519d987");
    assert_eq!(
        c.put(&ra, &external).await.status,
        201,
        "principals the emulator did not create are not delayed"
    );
    emu.shutdown().await.expect("shutdown");
}

#[test]
fn faults_file_accepts_yaml_and_json_and_rejects_nonsense() {
    let dir = temp_dir("faults");
    let yaml = dir.join("faults.yaml");
    std::fs::write(&yaml, "seed: 1\nfaults:\n  - fault: delay\n    ms: 5\n").expect("write");
    assert_eq!(FaultPlan::from_file(&yaml).expect("yaml").faults.len(), 1);
    let json_file = dir.join("faults.json");
    std::fs::write(
        &json_file,
        r#"{"faults": [{"fault": "error", "status": 500}]}"#,
    )
    .expect("write");
    assert_eq!(
        FaultPlan::from_file(&json_file).expect("json").faults.len(),
        1
    );
    std::fs::write(&json_file, r#"{"faults": [{"fault": "error"}]}"#).expect("write");
    assert!(
        FaultPlan::from_file(&json_file).is_err(),
        "status is required for error faults"
    );
    assert!(FaultPlan::from_file(&dir.join("missing.yaml")).is_err());
}

#[tokio::test]
async fn state_survives_restarts() {
    let dir = temp_dir("persist");
    let state = dir.join("state.json");
    // Realistic durations: the registry create is still running when the emulator stops.
    let config = EmulatorConfig {
        state_file: Some(state.clone()),
        time_scale: 1.0,
        ..EmulatorConfig::default()
    };
    let (emu, c) = start(config.clone()).await;
    let g = rg("Persist");
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    let puts = (0..12).map(|i| {
        let c = c.clone();
        let path = url(
            &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id{i}"),
            MSI_API,
        );
        async move {
            c.put(&path, &json!({"location": "westeurope"}))
                .await
                .status
        }
    });
    let statuses = futures_join_all(puts.collect()).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let acr = url(
        &format!("{g}/providers/Microsoft.ContainerRegistry/registries/acr12345"),
        ACR_API,
    );
    let created = c
        .put(
            &acr,
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    let op_path = created
        .header("azure-asyncoperation")
        .expect("header")
        .split_once("/subscriptions/")
        .map(|(_, p)| format!("/subscriptions/{p}"))
        .expect("path");
    let principal = c
        .get(&url(
            &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id3"),
            MSI_API,
        ))
        .await
        .body["properties"]["principalId"]
        .clone();
    emu.shutdown().await.expect("shutdown");

    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state file")).expect("state is JSON");
    assert!(
        saved["resources"]
            .as_object()
            .is_some_and(|m| m.len() == 14),
        "RG + 12 identities + registry"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "atomic writes leave no temp files");

    let emu = start_again(config).await;
    let c = Client::new(&emu, Some("test-token"));
    let got = c.get(&url(&g, RG_API)).await;
    assert_eq!(
        (got.status, got.body["name"].as_str()),
        (200, Some("Persist"))
    );
    let id3 = c
        .get(&url(
            &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id3"),
            MSI_API,
        ))
        .await;
    assert_eq!(id3.body["properties"]["principalId"], principal);
    assert_eq!(
        c.get(&acr).await.state(),
        "Creating",
        "the operation resumes where it was"
    );
    let op = c.get(&op_path).await;
    assert_eq!(
        (op.status, op.body["status"].as_str()),
        (200, Some("InProgress"))
    );
    emu.shutdown().await.expect("shutdown");
}

async fn futures_join_all(
    tasks: Vec<impl std::future::Future<Output = u16> + Send + 'static>,
) -> Vec<u16> {
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn local_mode_keeps_everything_under_dot_azplan() {
    let dir = temp_dir("local");
    let config = EmulatorConfig::local(&dir).expect("local config");
    assert_eq!(config.time_scale, azplan::emulator::LOCAL_TIME_SCALE);
    let (emu, c) = start(config.clone()).await;
    assert!(emu.endpoint().starts_with("https://127.0.0.1:"));
    c.put(
        &url(&rg("local"), RG_API),
        &json!({"location": "westeurope"}),
    )
    .await;
    emu.shutdown().await.expect("shutdown");
    for file in ["state.json", "requests.jsonl", "ca.pem"] {
        assert!(dir.join(".azplan/local").join(file).is_file(), "{file}");
    }
    let emu = start_again(config).await;
    let c = Client::new(&emu, Some("test-token"));
    assert_eq!(
        c.get(&url(&rg("local"), RG_API)).await.status,
        200,
        "the next command sees the same cloud"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn request_log_records_every_exchange() {
    let dir = temp_dir("log");
    let log = dir.join("requests.jsonl");
    let (emu, c) = start(EmulatorConfig {
        request_log: Some(log.clone()),
        ..fast_config()
    })
    .await;
    c.put(&url(&rg("rg"), RG_API), &json!({"location": "westeurope"}))
        .await;
    c.get(&url(&rg("missing"), RG_API)).await;
    emu.shutdown().await.expect("shutdown");
    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["method"], "PUT");
    assert_eq!(lines[0]["path"], rg("rg"));
    assert_eq!(lines[0]["apiVersion"], RG_API);
    assert_eq!(lines[0]["status"], 201);
    assert_eq!(lines[0]["requestBody"], json!({"location": "westeurope"}));
    assert_eq!(lines[0]["responseBody"]["name"], "rg");
    assert!(lines[0]["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(lines[1]["status"], 404);
    assert_eq!(
        lines[1]["responseBody"]["error"]["code"],
        "ResourceGroupNotFound"
    );
}

#[tokio::test]
async fn the_command_prints_one_ready_line() {
    let dir = temp_dir("cli");
    let state = dir.join("state.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args([
            "emulator",
            "--listen",
            "127.0.0.1:0",
            "--time-scale",
            "0.001",
            "--state",
        ])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn azplan emulator");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("ready line");
    assert!(
        line.starts_with(r#"{"endpoint":"https://127.0.0.1:"#),
        "{line}"
    );
    let ready: Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(ready.as_object().map(|m| m.len()), Some(2));
    let ca = std::fs::read_to_string(ready["caCert"].as_str().expect("caCert")).expect("CA file");
    assert!(ca.contains("BEGIN CERTIFICATE"));
    let c = Client::connect(
        ready["endpoint"].as_str().expect("endpoint"),
        &ca,
        Some("t"),
    );
    assert_eq!(
        c.put(&url(&rg("cli"), RG_API), &json!({"location": "westeurope"}))
            .await
            .status,
        201
    );
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().expect("exit");
    assert!(
        status.success(),
        "SIGTERM stops the emulator cleanly: {status:?}"
    );
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(saved["resources"].as_object().map(|m| m.len()), Some(1));
}

#[tokio::test]
async fn lists_are_paged_with_next_links() {
    let (emu, c) = start(EmulatorConfig {
        list_page_size: 2,
        ..fast_config()
    })
    .await;
    let g = rg("rg");
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    for i in 0..5 {
        let id = url(
            &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id{i}"),
            MSI_API,
        );
        c.put(&id, &json!({"location": "westeurope"})).await;
    }
    let mut next = Some(url(
        &format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"),
        MSI_API,
    ));
    let (mut names, mut pages) = (Vec::new(), 0);
    while let Some(link) = next {
        let page = c.get(&link).await;
        assert_eq!(page.status, 200, "{}", page.body);
        pages += 1;
        for item in page.body["value"].as_array().cloned().unwrap_or_default() {
            names.push(item["name"].as_str().unwrap_or("").to_string());
        }
        next = page.body["nextLink"].as_str().map(str::to_string);
        assert!(
            next.as_deref()
                .is_none_or(|n| n.contains("api-version=") && n.starts_with("https://"))
        );
    }
    assert_eq!(
        (pages, names),
        (
            3,
            vec![
                "id0".to_string(),
                "id1".into(),
                "id2".into(),
                "id3".into(),
                "id4".into()
            ]
        )
    );
    // Filters survive into the nextLink.
    let principal = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
    for i in 0..3 {
        let ra = url(
            &format!(
                "{g}/providers/Microsoft.Authorization/roleAssignments/7b8d3c5e-0000-4000-8000-00000000000{i}"
            ),
            RA_API,
        );
        let role = format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538{i}"
        );
        assert_eq!(
            c.put(
                &ra,
                &json!({"properties": {"roleDefinitionId": role, "principalId": principal}})
            )
            .await
            .status,
            201
        );
    }
    let first = c
        .get(&format!(
            "{}&$filter=principalId%20eq%20'{principal}'",
            url(
                &format!("{g}/providers/Microsoft.Authorization/roleAssignments"),
                RA_API
            )
        ))
        .await;
    let link = first.body["nextLink"]
        .as_str()
        .expect("nextLink")
        .to_string();
    assert!(link.contains("%24filter=principalId%20eq%20%27"), "{link}");
    assert_eq!(
        c.get(&link).await.body["value"].as_array().map(Vec::len),
        Some(1)
    );
    emu.shutdown().await.expect("shutdown");
}

/// One emulator per state file: a second one — in this process, or another process — fails fast
/// naming the holder; the lock goes away with its holder, also when the holder is killed.
#[tokio::test]
async fn a_state_file_has_one_emulator_at_a_time() {
    use azplan::emulator::{Emulator, EmulatorError};

    // Two in-process emulators, as two `--local` runs in one working directory would be.
    let dir = temp_dir("lock-local");
    let config = EmulatorConfig::local(&dir).expect("local config");
    let first = Emulator::start(config.clone()).await.expect("first starts");
    let ca_before = std::fs::read_to_string(first.ca_cert_path()).expect("CA");
    let second = Emulator::start(config.clone()).await;
    let Err(err @ EmulatorError::StateInUse { .. }) = second else {
        panic!("the second emulator must be refused");
    };
    let text = err.to_string();
    assert!(
        text.contains(&format!("pid {}", std::process::id()))
            && text.contains("since ")
            && text.contains("state.json"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(first.ca_cert_path()).expect("CA"),
        ca_before,
        "the refused emulator touched nothing of the first one's"
    );
    first.shutdown().await.expect("shutdown");
    let again = start_again(config).await;
    drop(again);

    // Another process holds the state; it is refused here, and its crash frees the state.
    let dir = temp_dir("lock-process");
    let state = dir.join("state.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn azplan emulator");
    let stdout = child.stdout.take().expect("stdout");
    tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("ready line");
    let config = EmulatorConfig {
        state_file: Some(state.clone()),
        ..fast_config()
    };
    let refused = Emulator::start(config.clone()).await;
    let Err(err) = refused else {
        panic!("the state is held by pid {}", child.id())
    };
    assert!(
        err.to_string().contains(&format!("pid {}", child.id())),
        "{err}"
    );
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let emu = start_again(config).await;
    let c = Client::new(&emu, Some("test-token"));
    assert_eq!(
        c.put(
            &url(&rg("after"), RG_API),
            &json!({"location": "westeurope"})
        )
        .await
        .status,
        201,
        "a killed holder's lock is gone"
    );

    // And the other way round: this process holds it, a new `azplan emulator` exits at once.
    let output = Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .output()
        .expect("run azplan emulator");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is in use by another azplan emulator")
            && stderr.contains(&format!("pid {}", std::process::id())),
        "{stderr}"
    );
    emu.shutdown().await.expect("shutdown");
}

/// A restart on the same state keeps its CA (and server certificate): a client that trusted the
/// first run goes on talking to the second, as one in the middle of an apply would.
#[tokio::test]
async fn a_restart_keeps_the_certificate_authority() {
    use azplan::emulator::Emulator;

    let dir = temp_dir("tls");
    let state = dir.join("state.json");
    let config = EmulatorConfig {
        state_file: Some(state.clone()),
        ..fast_config()
    };
    let first = Emulator::start(config.clone()).await.expect("starts");
    let ca = first.ca_cert_pem().to_string();
    let endpoint = first.endpoint().to_string();
    let client = Client::connect(&endpoint, &ca, Some("t"));
    assert_eq!(
        client
            .put(
                &url(&rg("kept"), RG_API),
                &json!({"location": "westeurope"})
            )
            .await
            .status,
        201
    );
    first.shutdown().await.expect("shutdown");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("state.json.tls.json"))
            .expect("certificates kept with the state")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the private key is the owner's only: {mode:o}"
        );
    }

    let listen: std::net::SocketAddr = endpoint
        .trim_start_matches("https://")
        .parse()
        .expect("socket address");
    let second = start_again(EmulatorConfig { listen, ..config }).await;
    assert_eq!(second.ca_cert_pem(), ca, "same CA");
    let got = client.get(&url(&rg("kept"), RG_API)).await;
    assert_eq!(got.status, 200, "the old client still trusts the emulator");
    second.shutdown().await.expect("shutdown");
}
