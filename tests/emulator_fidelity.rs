//! Fidelity against the official x-ms-examples vendored in tests/fixtures/arm-examples: each
//! example's request is replayed against the emulator, and the answer must have the example's
//! status code, its polling headers, and every property path of the official response (values may
//! differ where the service generates them). Every vendored example must have a replay here.

#[path = "emulator_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};
use support::{Client, Resp, fast_config, start, url};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/arm-examples")
}

fn load(name: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Property paths with array elements collapsed to `[]`: `properties.subnets[].name`.
fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                paths(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The answer must carry the official status, polling headers and property paths.
fn check(example: &Value, name: &str, status: u16, got: &Resp) {
    let official = &example["responses"][status.to_string()];
    assert!(
        official.is_object(),
        "{name}: the example has no {status} response"
    );
    assert_eq!(got.status, status, "{name}: status; body {}", got.body);
    if let Some(headers) = official["headers"].as_object() {
        for header in headers.keys() {
            assert!(
                got.header(header).is_some(),
                "{name} {status}: header {header} missing"
            );
        }
    }
    let mut want = BTreeSet::new();
    paths(&official["body"], "", &mut want);
    let mut have = BTreeSet::new();
    paths(&got.body, "", &mut have);
    let missing: Vec<&String> = want.difference(&have).collect();
    assert!(
        missing.is_empty(),
        "{name} {status}: missing property paths {missing:?}\nours: {}",
        got.body
    );
    let mut official_types = BTreeMap::new();
    leaf_types(&official["body"], "", &mut official_types);
    let mut our_types = BTreeMap::new();
    leaf_types(&got.body, "", &mut our_types);
    for (path, kind) in official_types {
        assert_eq!(
            our_types.get(&path),
            Some(&kind),
            "{name} {status}: {path} has another JSON type than the official response"
        );
    }
}

/// JSON type of every non-null scalar leaf, by collapsed path.
fn leaf_types(v: &Value, prefix: &str, out: &mut BTreeMap<String, &'static str>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaf_types(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                leaf_types(item, &format!("{prefix}[]"), out);
            }
        }
        Value::Null => {}
        Value::Bool(_) => {
            out.insert(prefix.to_string(), "bool");
        }
        Value::Number(_) => {
            out.insert(prefix.to_string(), "number");
        }
        Value::String(_) => {
            out.insert(prefix.to_string(), "string");
        }
    }
}

/// Writable values the client sent come back unchanged (ARM may normalise a few, listed here).
fn check_echo(name: &str, request: &Value, response: &Value, at: &str) {
    const SERVER_OWNED: [&str; 5] = [
        "location",
        "kubernetesVersion",
        "orchestratorVersion",
        "secret",
        "adminPassword",
    ];
    match request {
        Value::Object(m) => {
            for (k, v) in m {
                if SERVER_OWNED.contains(&k.as_str()) {
                    continue;
                }
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                check_echo(name, v, &response[k.as_str()], &p);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_echo(name, item, &response[i], &format!("{at}[{i}]"));
            }
        }
        // AKS answers the old SKU name "Basic" with today's "Base".
        Value::String(sku) if at == "sku.name" && sku == "Basic" => {
            assert_eq!(response, "Base", "{name}: {at}");
        }
        scalar => assert_eq!(response, scalar, "{name}: the request's {at} is not echoed"),
    }
}

fn p<'v>(example: &'v Value, key: &str) -> &'v str {
    example["parameters"][key]
        .as_str()
        .unwrap_or_else(|| panic!("parameter {key}"))
}

fn group_path(example: &Value) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}",
        p(example, "subscriptionId"),
        p(example, "resourceGroupName")
    )
}

async fn make_group(c: &Client, path: &str) {
    let r = c
        .put(&url(path, "2025-04-01"), &json!({"location": "westeurope"}))
        .await;
    assert!(matches!(r.status, 200 | 201), "{}", r.body);
}

/// PUT → 201 (checked), wait for the operation, PUT again → 200 (checked).
async fn replay_put(c: &Client, example: &Value, name: &str, path: &str, body: &Value) {
    let api = p(example, "api-version");
    let first = c.put(&url(path, api), body).await;
    check(example, name, 201, &first);
    check_echo(name, body, &first.body, "");
    settle(c, &first, &url(path, api)).await;
    let second = c.put(&url(path, api), body).await;
    check(example, name, 200, &second);
}

/// Waits until the operation a write started is over and the resource is in a terminal state.
async fn settle(c: &Client, started: &Resp, path: &str) {
    if started.header("azure-asyncoperation").is_some() || started.header("location").is_some() {
        c.wait(started).await;
    }
    for _ in 0..2000 {
        if !matches!(c.get(path).await.state(), "Creating" | "Updating") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("{path} never settled");
}

fn minimal_cluster() -> Value {
    json!({"location": "eastus", "properties": {"dnsPrefix": "dnsprefix1",
        "agentPoolProfiles": [{"name": "nodepool1", "mode": "System", "count": 1, "vmSize": "Standard_DS2_v2"}]}})
}

/// A PUT body rebuilt from a GET example: read-only values removed, versions left to the service.
fn writable_cluster(response: &Value) -> Value {
    let mut body = response.clone();
    let m = body.as_object_mut().expect("object");
    for field in ["id", "name", "type", "eTag", "systemData"] {
        m.remove(field);
    }
    let props = m
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .expect("properties");
    for field in [
        "provisioningState",
        "currentKubernetesVersion",
        "fqdn",
        "azurePortalFQDN",
        "maxAgentPools",
        "powerState",
    ] {
        props.remove(field);
    }
    props.insert("kubernetesVersion".into(), json!(""));
    // A GET never returns the write-only secret, and AKS refuses a service principal without one.
    if let Some(sp) = props
        .get_mut("servicePrincipalProfile")
        .and_then(Value::as_object_mut)
    {
        sp.insert("secret".into(), json!("replaceSecret1234$"));
    }
    if let Some(pools) = props
        .get_mut("agentPoolProfiles")
        .and_then(Value::as_array_mut)
    {
        for pool in pools.iter_mut().filter_map(Value::as_object_mut) {
            for field in ["currentOrchestratorVersion", "eTag", "provisioningState"] {
                pool.remove(field);
            }
            pool.insert("orchestratorVersion".into(), json!(""));
            // The GET example predates mandatory pool modes; a create needs one System pool.
            pool.entry("mode").or_insert(json!("System"));
        }
    }
    body
}

async fn replay(name: &str) {
    let example = load(name);
    let (emu, c) = start(fast_config()).await;
    let api = p(&example, "api-version").to_string();
    match name {
        "resources-2024-11-01-CreateResourceGroup.json" => {
            let path = group_path(&example);
            let body = example["parameters"]["parameters"].clone();
            let first = c.put(&url(&path, &api), &body).await;
            check(&example, name, 201, &first);
            let second = c.put(&url(&path, &api), &body).await;
            check(&example, name, 200, &second);
        }
        "resources-2025-04-01-ForceDeleteVMsInResourceGroup.json" => {
            let path = group_path(&example);
            make_group(&c, &path).await;
            let del = c
                .delete(&format!(
                    "{}&forceDeletionTypes={}",
                    url(&path, &api),
                    p(&example, "forceDeletionTypes")
                ))
                .await;
            check(&example, name, 202, &del);
            check(&example, name, 200, &c.wait(&del).await);
        }
        "acr-2025-11-01-RegistryCreate.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.ContainerRegistry/registries/{}",
                group_path(&example),
                p(&example, "registryName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["registry"],
            )
            .await;
        }
        "acr-2025-11-01-RegistryDelete.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.ContainerRegistry/registries/{}",
                group_path(&example),
                p(&example, "registryName")
            );
            c.create(
                &url(&path, &api),
                &json!({"location": "westus", "sku": {"name": "Basic"}}),
            )
            .await;
            let del = c.delete(&url(&path, &api)).await;
            check(&example, name, 202, &del);
            c.wait(&del).await;
            check(&example, name, 204, &c.delete(&url(&path, &api)).await);
        }
        "aks-2026-07-01-ManagedClustersCreate_Update.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/{}",
                group_path(&example),
                p(&example, "resourceName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        "aks-2026-08-01-ManagedClustersGet.json" => {
            make_group(&c, &group_path(&example)).await;
            // The example's customer outbound IPs exist before the cluster refers to them.
            let body = &example["responses"]["200"]["body"];
            for ip in body["properties"]["networkProfile"]["loadBalancerProfile"]["outboundIPs"]
                ["publicIPs"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let id = ip["id"].as_str().expect("public IP id");
                c.create(
                    &url(id, "2025-07-01"),
                    &json!({"location": "eastus", "sku": {"name": "Standard"}}),
                )
                .await;
            }
            let path = format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/{}",
                group_path(&example),
                p(&example, "resourceName")
            );
            c.create(
                &url(&path, &api),
                &writable_cluster(&example["responses"]["200"]["body"]),
            )
            .await;
            check(&example, name, 200, &c.get(&url(&path, &api)).await);
        }
        "aks-2026-08-01-ManagedClustersDelete.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/{}",
                group_path(&example),
                p(&example, "resourceName")
            );
            c.create(&url(&path, &api), &minimal_cluster()).await;
            let del = c.delete(&url(&path, &api)).await;
            check(&example, name, 202, &del);
            c.wait(&del).await;
            check(&example, name, 204, &c.delete(&url(&path, &api)).await);
        }
        "aks-2026-08-01-AgentPoolsCreate_Update.json" => {
            make_group(&c, &group_path(&example)).await;
            let cluster = format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/{}",
                group_path(&example),
                p(&example, "resourceName")
            );
            c.create(&url(&cluster, &api), &minimal_cluster()).await;
            let path = format!("{cluster}/agentPools/{}", p(&example, "agentPoolName"));
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        "authorization-2022-04-01-RoleAssignments_CreateForResourceGroup.json" => {
            let scope = format!("/{}", p(&example, "scope"));
            make_group(&c, &scope).await;
            let path = format!(
                "{scope}/providers/Microsoft.Authorization/roleAssignments/{}",
                p(&example, "roleAssignmentName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        "dns-2018-05-01-CreateOrUpdateZone.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.Network/dnsZones/{}",
                group_path(&example),
                p(&example, "zoneName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        "loganalytics-2026-03-01-WorkspacesCreate.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.OperationalInsights/workspaces/{}",
                group_path(&example),
                p(&example, "workspaceName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        "msi-2026-05-31-FederatedIdentityCredentialGet.json" => {
            make_group(&c, &group_path(&example)).await;
            let identity = format!(
                "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}",
                group_path(&example),
                p(&example, "resourceName")
            );
            c.put(&url(&identity, &api), &json!({"location": "eastus"}))
                .await;
            let path = format!(
                "{identity}/federatedIdentityCredentials/{}",
                p(&example, "federatedIdentityCredentialResourceName")
            );
            let seed =
                json!({"properties": example["responses"]["200"]["body"]["properties"].clone()});
            assert_eq!(c.put(&url(&path, &api), &seed).await.status, 201);
            check(&example, name, 200, &c.get(&url(&path, &api)).await);
        }
        "msi-2026-05-31-IdentityCreate.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}",
                group_path(&example),
                p(&example, "resourceName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        "network-2025-07-01-VirtualNetworkCreateSubnet.json" => {
            make_group(&c, &group_path(&example)).await;
            let path = format!(
                "{}/providers/Microsoft.Network/virtualNetworks/{}",
                group_path(&example),
                p(&example, "virtualNetworkName")
            );
            replay_put(
                &c,
                &example,
                name,
                &path,
                &example["parameters"]["parameters"],
            )
            .await;
        }
        other => panic!("no replay for vendored example {other}: add one"),
    }
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn every_official_example_replays_faithfully() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 14, "all vendored examples are found");
    for name in names {
        replay(&name).await;
    }
}

#[test]
fn path_extraction_sees_nested_and_array_paths() {
    let mut out = BTreeSet::new();
    paths(&json!({"a": {"b": [{"c": 1}]}, "d": null}), "", &mut out);
    let want: BTreeSet<String> = ["a", "a.b", "a.b[].c", "d"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(out, want);
}
