//! Provisioning states a client can observe, arranged through the fault controls documented in
//! `src/emulator/faults.rs`: a failed create leaves `Failed` (pools of a failed cluster included)
//! and a reconciling PUT of the same body recovers it; a slow operation keeps `Creating` /
//! `Updating` / `Deleting` visible; writes to a resource being deleted are refused.

mod emulator_support;

use azplan::emulator::{EmulatorConfig, FaultPlan};
use emulator_support::{fast_config, group, res, start, url};
use serde_json::{Value, json};

const AKS_API: &str = "2026-08-01";
const ACR_API: &str = "2025-11-01";

fn with_faults(yaml: &str) -> EmulatorConfig {
    EmulatorConfig {
        faults: FaultPlan::parse(yaml).expect("faults parse"),
        ..fast_config()
    }
}

fn cluster() -> Value {
    json!({"location": "westeurope", "identity": {"type": "SystemAssigned"},
        "properties": {"dnsPrefix": "st1", "agentPoolProfiles": [
            {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4s_v5"}]}})
}

#[tokio::test]
async fn a_failed_cluster_create_is_failed_until_a_reconciling_put() {
    let (_emu, c) = start(with_faults(
        "faults:\n  - fault: lroFailed\n    resourceType: Microsoft.ContainerService/managedClusters\n    operation: PUT\n    code: VMExtensionProvisioningError\n    count: 1\n",
    ))
    .await;
    let g = group(&c, "failed").await;
    let id = url(
        &res(&g, "Microsoft.ContainerService/managedClusters/st1"),
        AKS_API,
    );
    let r = c.put(&id, &cluster()).await;
    assert_eq!((r.status, r.state()), (201, "Creating"));
    let done = c.wait(&r).await;
    assert_eq!(done.body["status"], "Failed");
    assert_eq!(done.body["error"]["code"], "VMExtensionProvisioningError");
    let got = c.get(&id).await;
    assert_eq!(got.state(), "Failed");
    assert_eq!(
        got.body["properties"]["agentPoolProfiles"][0]["provisioningState"], "Failed",
        "the pools of a failed cluster create are Failed too"
    );
    let pool = c
        .get(&url(
            &res(
                &g,
                "Microsoft.ContainerService/managedClusters/st1/agentPools/system",
            ),
            AKS_API,
        ))
        .await;
    assert_eq!(pool.state(), "Failed");

    // The documented recovery: the same PUT again reconciles.
    let r = c.put(&id, &cluster()).await;
    assert_eq!((r.status, r.state()), (200, "Updating"), "{}", r.body);
    assert_eq!(c.wait(&r).await.body["status"], "Succeeded");
    let got = c.get(&id).await;
    assert_eq!(got.state(), "Succeeded");
    assert_eq!(
        got.body["properties"]["agentPoolProfiles"][0]["provisioningState"],
        "Succeeded"
    );
}

#[tokio::test]
async fn failed_registry_recovers_and_location_polling_reports_the_failure() {
    let (_emu, c) = start(with_faults(
        "faults:\n  - fault: lroFailed\n    resourceType: Microsoft.ContainerRegistry/registries\n    count: 1\n",
    ))
    .await;
    let g = group(&c, "acr").await;
    let id = url(
        &res(&g, "Microsoft.ContainerRegistry/registries/failedacr1"),
        ACR_API,
    );
    let body = json!({"location": "westeurope", "sku": {"name": "Basic"}});
    let r = c.put(&id, &body).await;
    assert_eq!(c.wait(&r).await.body["status"], "Failed");
    assert_eq!(c.get(&id).await.state(), "Failed");
    let r = c.put(&id, &body).await;
    assert_eq!(r.status, 200);
    assert_eq!(c.wait(&r).await.body["status"], "Succeeded");
    assert_eq!(c.get(&id).await.state(), "Succeeded");
}

#[tokio::test]
async fn a_slow_operation_keeps_its_transitional_state_visible() {
    let (_emu, c) = start(with_faults(
        "faults:\n  - fault: slowOperation\n    ms: 60000\n    resourceType: Microsoft.ContainerService/managedClusters\n    operation: PUT\n    count: 1\n  - fault: slowOperation\n    ms: 60000\n    resourceType: Microsoft.ContainerRegistry/registries\n    operation: DELETE\n    count: 1\n",
    ))
    .await;
    let g = group(&c, "busy").await;
    let id = url(
        &res(&g, "Microsoft.ContainerService/managedClusters/st1"),
        AKS_API,
    );
    let r = c.put(&id, &cluster()).await;
    assert_eq!(r.status, 201);
    for _ in 0..3 {
        let got = c.get(&id).await;
        assert_eq!(got.state(), "Creating");
        assert_eq!(
            got.body["properties"]["agentPoolProfiles"][0]["provisioningState"],
            "Creating"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let status = c.get(r.header("azure-asyncoperation").expect("LRO")).await;
    assert_eq!(status.body["status"], "InProgress");
    let again = c.put(&id, &cluster()).await;
    assert_eq!((again.status, again.code()), (409, "OperationNotAllowed"));
    assert!(
        again.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Creating") && m.contains("aka.ms/aks-pending-operation")),
        "{}",
        again.body
    );

    // Deleting: visible, and writes to the resource meanwhile are refused.
    let acr = url(
        &res(&g, "Microsoft.ContainerRegistry/registries/busyacr1"),
        ACR_API,
    );
    let body = json!({"location": "westeurope", "sku": {"name": "Basic"}});
    c.create(&acr, &body).await;
    let r = c.delete(&acr).await;
    assert_eq!(r.status, 202);
    assert_eq!(c.get(&acr).await.state(), "Deleting");
    let write = c.put(&acr, &body).await;
    assert_eq!(
        (write.status, write.code()),
        (409, "AnotherOperationInProgress")
    );
    let patch = c.patch(&acr, &json!({"tags": {"a": "b"}})).await;
    assert_eq!(patch.status, 409);
}
