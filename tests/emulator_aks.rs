//! Managed clusters and agent pools against the emulator over HTTPS: a full cluster (AAD, Azure
//! CNI, virtual nodes, autoscaling, Container Insights) with LRO polling, server-generated values,
//! and every AKS rule ARM enforces (immutables, pools, one operation at a time).

#[path = "emulator_support/mod.rs"]
mod support;

use azplan::emulator::EmulatorConfig;
use serde_json::{Value, json};
use support::{Client, SUB, fast_config, rg, start, url};

const RG_API: &str = "2025-04-01";
const LA_API: &str = "2025-07-01";
const NET_API: &str = "2026-03-01";
const AKS_API: &str = "2026-08-01";

async fn prerequisites(c: &Client) -> (String, String, String) {
    let g = rg("rg");
    c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
        .await;
    let vnet = format!("{g}/providers/Microsoft.Network/virtualNetworks/vnet1");
    c.create(
        &url(&vnet, NET_API),
        &json!({"location": "westeurope", "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [
            {"name": "nodes", "properties": {"addressPrefix": "10.0.0.0/22"}},
            {"name": "aci", "properties": {"addressPrefix": "10.0.8.0/24"}}
        ]}}),
    )
    .await;
    let workspace = format!("{g}/providers/Microsoft.OperationalInsights/workspaces/logs1");
    c.create(&url(&workspace, LA_API), &json!({"location": "westeurope"}))
        .await;
    (g, vnet, workspace)
}

fn cluster_body(subnet: &str, workspace: &str) -> Value {
    json!({
        "location": "westeurope",
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "dnsPrefix": "aks1",
            "kubernetesVersion": "1.33",
            "aadProfile": {"managed": true, "enableAzureRBAC": true},
            "oidcIssuerProfile": {"enabled": true},
            "securityProfile": {"workloadIdentity": {"enabled": true}},
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure"},
            "addonProfiles": {
                "aciConnectorLinux": {"enabled": true, "config": {"SubnetName": "aci"}},
                "omsagent": {"enabled": true, "config": {"logAnalyticsWorkspaceResourceID": workspace, "useAADAuth": "true"}}
            },
            "windowsProfile": {"adminUsername": "azureuser", "adminPassword": "P@ssw0rd-secret"},
            "agentPoolProfiles": [{
                "name": "system", "mode": "System", "count": 2, "vmSize": "Standard_D4s_v5",
                "vnetSubnetID": subnet, "enableAutoScaling": true, "minCount": 1, "maxCount": 3
            }]
        }
    })
}

fn pool_body() -> Value {
    json!({"properties": {"mode": "User", "count": 1, "vmSize": "Standard_D8s_v5", "enableAutoScaling": true, "minCount": 0, "maxCount": 5,
        "nodeLabels": {"workload": "batch"}, "orchestratorVersion": ""}})
}

#[tokio::test]
async fn full_cluster_lifecycle() {
    let (emu, c) = start(fast_config()).await;
    let (g, vnet, workspace) = prerequisites(&c).await;
    let subnet = format!("{vnet}/subnets/nodes");
    let cluster = format!("{g}/providers/Microsoft.ContainerService/managedClusters/aks1");
    let body = cluster_body(&subnet, &workspace);
    let r = c.put(&url(&cluster, AKS_API), &body).await;
    assert_eq!((r.status, r.state()), (201, "Creating"), "{}", r.body);
    assert!(r.header("azure-asyncoperation").is_some() && r.header("retry-after").is_some());
    assert_eq!(
        r.body["properties"]["agentPoolProfiles"][0]["provisioningState"],
        "Creating"
    );
    let status = c.wait(&r).await;
    assert_eq!(status.body["status"], "Succeeded");
    let got = c.get(&url(&cluster, AKS_API)).await;
    let p = &got.body["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(
        p["kubernetesVersion"], "1.33.5",
        "1.33 resolves to a patch version"
    );
    assert!(
        p["fqdn"]
            .as_str()
            .is_some_and(|f| f.starts_with("aks1-") && f.ends_with(".hcp.westeurope.azmk8s.io"))
    );
    assert_eq!(p["nodeResourceGroup"], "MC_rg_aks1_westeurope");
    for field in ["resourceId", "clientId", "objectId"] {
        assert!(
            p["identityProfile"]["kubeletidentity"][field].is_string(),
            "kubelet {field}"
        );
    }
    assert!(
        p["oidcIssuerProfile"]["issuerURL"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://westeurope.oic.prod-aks.azure.com/"))
    );
    assert_eq!(p["networkProfile"]["serviceCidr"], "10.0.0.0/16");
    assert_eq!(p["networkProfile"]["dnsServiceIP"], "10.0.0.10");
    assert_eq!(p["networkProfile"]["loadBalancerSku"], "standard");
    assert_eq!(
        p["networkProfile"]["loadBalancerProfile"]["managedOutboundIPs"]["count"],
        1
    );
    assert!(
        p["networkProfile"].get("podCidr").is_none(),
        "Azure CNI (not overlay) has no pod CIDR"
    );
    assert_eq!(p["autoScalerProfile"]["scan-interval"], "10s");
    assert_eq!(p["aadProfile"]["tenantID"].as_str().map(str::len), Some(36));
    assert!(p["addonProfiles"]["omsagent"]["identity"]["objectId"].is_string());
    assert!(p["addonProfiles"]["aciConnectorLinux"]["identity"]["clientId"].is_string());
    assert_eq!(
        p["addonProfiles"]["aciConnectorLinux"]["config"]["SubnetName"], "aci",
        "config key casing is preserved"
    );
    assert!(
        p["windowsProfile"].get("adminPassword").is_none(),
        "secrets are never echoed"
    );
    assert_eq!(got.body["identity"]["type"], "SystemAssigned");
    assert!(got.body["identity"]["principalId"].is_string());
    let pool0 = &p["agentPoolProfiles"][0];
    assert_eq!(pool0["maxPods"], 30);
    assert_eq!(pool0["osType"], "Linux");
    assert_eq!(pool0["orchestratorVersion"], "1.33.5");
    assert_eq!(pool0["provisioningState"], "Succeeded");

    // The node resource group exists, is managed by the cluster, and holds the kubelet identity.
    let node_rg = url(&rg("MC_rg_aks1_westeurope"), RG_API);
    let mc = c.get(&node_rg).await;
    assert_eq!(
        (mc.status, mc.body["managedBy"].as_str()),
        (200, Some(cluster.as_str()))
    );
    let kubelet = &p["identityProfile"]["kubeletidentity"];
    let kubelet_uai = c
        .get(&url(
            kubelet["resourceId"].as_str().expect("resourceId"),
            "2024-11-30",
        ))
        .await;
    assert_eq!(kubelet_uai.status, 200);
    assert_eq!(
        kubelet_uai.body["properties"]["principalId"],
        kubelet["objectId"]
    );

    // Agent pools through their own API.
    let pool = format!("{cluster}/agentPools/batch");
    let r = c.put(&url(&pool, AKS_API), &pool_body()).await;
    assert_eq!((r.status, r.state()), (201, "Creating"));
    c.wait(&r).await;
    let pools = c.get(&url(&format!("{cluster}/agentPools"), AKS_API)).await;
    assert_eq!(pools.body["value"].as_array().map(Vec::len), Some(2));

    // A cluster PUT without the new pool keeps it; adding a pool on update is refused.
    let r = c.put(&url(&cluster, AKS_API), &body).await;
    assert_eq!((r.status, r.state()), (200, "Updating"));
    c.wait(&r).await;
    assert_eq!(
        c.get(&url(&cluster, AKS_API)).await.body["properties"]["agentPoolProfiles"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let mut adding = body.clone();
    adding["properties"]["agentPoolProfiles"]
        .as_array_mut()
        .expect("array")
        .push(json!({"name": "extra", "mode": "User", "count": 1}));
    let r = c.put(&url(&cluster, AKS_API), &adding).await;
    assert_eq!(r.status, 400);

    // The last System pool stays; User pools can go.
    let r = c
        .delete(&url(&format!("{cluster}/agentPools/system"), AKS_API))
        .await;
    assert_eq!((r.status, r.code()), (409, "OperationNotAllowed"));
    let r = c.delete(&url(&pool, AKS_API)).await;
    assert_eq!(r.status, 202);
    assert!(r.header("azure-asyncoperation").is_some() && r.header("location").is_some());
    assert_eq!(c.wait(&r).await.body["status"], "Succeeded");
    assert_eq!(c.get(&url(&pool, AKS_API)).await.status, 404);

    // The subnet is used by the pool and by virtual nodes.
    let r = c.delete(&url(&subnet, NET_API)).await;
    assert_eq!((r.status, r.code()), (400, "InUseSubnetCannotBeDeleted"));
    let r = c
        .delete(&url(&format!("{vnet}/subnets/aci"), NET_API))
        .await;
    assert_eq!((r.status, r.code()), (400, "InUseSubnetCannotBeDeleted"));
    let partial = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "aci", "properties": {"addressPrefix": "10.0.8.0/24"}}]}});
    let r = c.put(&url(&vnet, NET_API), &partial).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "InUseSubnetCannotBeDeleted"),
        "a partial list would delete an in-use subnet"
    );

    let by_sub = c
        .get(&url(
            &format!("/subscriptions/{SUB}/providers/Microsoft.ContainerService/managedClusters"),
            AKS_API,
        ))
        .await;
    assert_eq!(by_sub.body["value"].as_array().map(Vec::len), Some(1));
    let r = c
        .patch(&url(&cluster, AKS_API), &json!({"tags": {"owner": "me"}}))
        .await;
    assert_eq!(r.status, 202);
    c.wait(&r).await;
    assert_eq!(
        c.get(&url(&cluster, AKS_API)).await.body["tags"]["owner"],
        "me"
    );

    let r = c.delete(&url(&cluster, AKS_API)).await;
    assert_eq!(r.status, 202);
    assert!(
        r.header("azure-asyncoperation").is_some()
            && r.header("location").is_some()
            && r.header("retry-after").is_some()
    );
    c.wait(&r).await;
    assert_eq!(c.get(&url(&cluster, AKS_API)).await.status, 404);
    assert_eq!(
        c.get(&node_rg).await.status,
        404,
        "the node resource group goes with the cluster"
    );
    assert_eq!(c.delete(&url(&cluster, AKS_API)).await.status, 204);
    assert_eq!(
        c.delete(&url(&subnet, NET_API)).await.status,
        202,
        "the subnet is free again"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn cluster_validation_errors() {
    let (emu, c) = start(fast_config()).await;
    let (g, vnet, workspace) = prerequisites(&c).await;
    let subnet = format!("{vnet}/subnets/nodes");
    let cluster = url(
        &format!("{g}/providers/Microsoft.ContainerService/managedClusters/aks1"),
        AKS_API,
    );
    let body = cluster_body(&subnet, &workspace);
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = body.clone();
        f(&mut b);
        b
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "virtual nodes need Azure CNI",
            with(&|b| b["properties"]["networkProfile"] = json!({"networkPlugin": "kubenet"})),
            400,
            "ACIConnectorRequiresAzureNetworking",
        ),
        (
            "node resource group names follow resource group rules",
            with(&|b| b["properties"]["nodeResourceGroup"] = json!("nodes/with/slashes.")),
            400,
            "InvalidParameter",
        ),
        (
            "no system pool",
            with(&|b| b["properties"]["agentPoolProfiles"][0]["mode"] = json!("User")),
            400,
            "MustDefineAtLeastOneSystemPool",
        ),
        (
            "a drain timeout above AKS's 1440 minutes",
            with(&|b| {
                b["properties"]["agentPoolProfiles"][0]["upgradeSettings"] =
                    json!({"drainTimeoutInMinutes": 1441})
            }),
            400,
            "InvalidParameter",
        ),
        (
            "a surge that is neither a count nor a percentage",
            with(&|b| {
                b["properties"]["agentPoolProfiles"][0]["upgradeSettings"] =
                    json!({"maxSurge": "lots"})
            }),
            400,
            "InvalidParameter",
        ),
        (
            "no pools at create",
            with(&|b| b["properties"]["agentPoolProfiles"] = json!([])),
            400,
            "InvalidParameter",
        ),
        (
            "bad pool name",
            with(&|b| b["properties"]["agentPoolProfiles"][0]["name"] = json!("System_Pool")),
            400,
            "InvalidParameter",
        ),
        (
            "autoscale bounds",
            with(&|b| b["properties"]["agentPoolProfiles"][0]["maxCount"] = json!(1)),
            400,
            "InvalidParameter",
        ),
        (
            "unknown version",
            with(&|b| b["properties"]["kubernetesVersion"] = json!("1.19.0")),
            400,
            "AgentPoolK8sVersionNotSupported",
        ),
        (
            "missing workspace",
            with(&|b| {
                b["properties"]["addonProfiles"]["omsagent"]["config"]["logAnalyticsWorkspaceResourceID"] = json!(
                    format!("{g}/providers/Microsoft.OperationalInsights/workspaces/none")
                )
            }),
            400,
            "InvalidParameter",
        ),
        (
            "workload identity without OIDC",
            with(&|b| b["properties"]["oidcIssuerProfile"]["enabled"] = json!(false)),
            400,
            "BadRequest",
        ),
        (
            "pool subnet must exist",
            with(&|b| {
                b["properties"]["agentPoolProfiles"][0]["vnetSubnetID"] =
                    json!(format!("{vnet}/subnets/missing"))
            }),
            400,
            "InvalidParameter",
        ),
        (
            "user-assigned identity must exist",
            with(&|b| {
                b["identity"] = json!({"type": "UserAssigned", "userAssignedIdentities": {
                    format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/missing"): {}
                }})
            }),
            400,
            "InvalidParameter",
        ),
        (
            "no location",
            with(&|b| {
                b.as_object_mut().map(|m| m.remove("location"));
            }),
            400,
            "LocationRequired",
        ),
    ];
    for (what, b, status, code) in cases {
        let r = c.put(&cluster, &b).await;
        assert_eq!((r.status, r.code()), (status, code), "{what}: {}", r.body);
    }
    c.create(&cluster, &body).await;
    let updates: Vec<(&str, Value, &str)> = vec![
        (
            "dnsPrefix is immutable",
            with(&|b| b["properties"]["dnsPrefix"] = json!("other")),
            "PropertyChangeNotAllowed",
        ),
        (
            "network plugin is immutable",
            with(&|b| b["properties"]["networkProfile"]["networkPlugin"] = json!("kubenet")),
            "PropertyChangeNotAllowed",
        ),
        (
            "service CIDR is immutable",
            with(&|b| b["properties"]["networkProfile"]["serviceCidr"] = json!("10.1.0.0/16")),
            "PropertyChangeNotAllowed",
        ),
        (
            "node resource group is immutable",
            with(&|b| b["properties"]["nodeResourceGroup"] = json!("other-rg")),
            "PropertyChangeNotAllowed",
        ),
        (
            "pool vmSize is immutable",
            with(&|b| b["properties"]["agentPoolProfiles"][0]["vmSize"] = json!("Standard_D8s_v5")),
            "PropertyChangeNotAllowed",
        ),
        (
            "managed AAD cannot be disabled",
            with(&|b| b["properties"]["aadProfile"] = json!({"managed": false})),
            "BadRequest",
        ),
        (
            "OIDC cannot be disabled",
            with(&|b| {
                b["properties"]["oidcIssuerProfile"]["enabled"] = json!(false);
                b["properties"]["securityProfile"]["workloadIdentity"]["enabled"] = json!(false);
            }),
            "BadRequest",
        ),
        (
            "no downgrade",
            with(&|b| b["properties"]["kubernetesVersion"] = json!("1.32")),
            "NotAllowedK8sVersionDowngrading",
        ),
    ];
    for (what, b, code) in updates {
        let r = c.put(&cluster, &b).await;
        assert_eq!((r.status, r.code()), (400, code), "{what}: {}", r.body);
    }
    let r = c
        .put(
            &cluster,
            &with(&|b| b["properties"]["agentPoolProfiles"][0]["count"] = json!(3)),
        )
        .await;
    assert_eq!(r.status, 200, "count is mutable: {}", r.body);
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn cluster_operations_are_serialised() {
    // Realistic durations: the create takes minutes, so every write in between conflicts.
    let (emu, c) = start(EmulatorConfig::default()).await;
    let (g, vnet, workspace) = {
        let g = rg("rg");
        c.put(&url(&g, RG_API), &json!({"location": "westeurope"}))
            .await;
        (g, String::new(), String::new())
    };
    let _ = (vnet, workspace);
    let cluster = format!("{g}/providers/Microsoft.ContainerService/managedClusters/aks1");
    let body = json!({"location": "westeurope", "properties": {"dnsPrefix": "aks1",
        "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1}]}});
    let r = c.put(&url(&cluster, AKS_API), &body).await;
    assert_eq!((r.status, r.header("retry-after")), (201, Some("10")));
    let op = c
        .get(r.header("azure-asyncoperation").expect("header"))
        .await;
    assert_eq!(op.body["status"], "InProgress");
    for (method, path, b) in [
        ("PUT", url(&cluster, AKS_API), Some(body.clone())),
        (
            "PUT",
            url(&format!("{cluster}/agentPools/user1"), AKS_API),
            Some(pool_body()),
        ),
        ("DELETE", url(&cluster, AKS_API), None),
        ("PATCH", url(&cluster, AKS_API), Some(json!({"tags": {}}))),
    ] {
        let r = c.call(method, &path, b.as_ref()).await;
        assert_eq!(
            (r.status, r.code()),
            (409, "OperationNotAllowed"),
            "{method} {path}"
        );
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("aks1 - Creating")
        );
    }
    emu.shutdown().await.expect("shutdown");
}

/// AKS honours If-Match on PUT, PATCH (updateTags) and DELETE of clusters and on PUT/DELETE of
/// pools, with the status codes of Learn's "eTags in AKS" table; types whose specs declare no
/// conditional headers ignore them.
#[tokio::test]
async fn etags_guard_cluster_and_pool_writes() {
    let (_emu, c) = start(fast_config()).await;
    let (g, vnet, workspace) = prerequisites(&c).await;
    let subnet = format!("{vnet}/subnets/nodes");
    let cluster = format!("{g}/providers/Microsoft.ContainerService/managedClusters/aks1");
    let cu = url(&cluster, AKS_API);
    let body = cluster_body(&subnet, &workspace);
    let r = c
        .call_with("PUT", &cu, Some(&body), &[("If-Match", "*")])
        .await;
    assert_eq!(
        (r.status, r.code()),
        (412, "PreconditionFailed"),
        "If-Match on nothing"
    );
    let r = c
        .call_with("PUT", &cu, Some(&body), &[("If-None-Match", "*")])
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    c.wait(&r).await;
    let got = c.get(&cu).await;
    let etag = got.body["eTag"].as_str().expect("eTag").to_string();
    let pool_etag = got.body["properties"]["agentPoolProfiles"][0]["eTag"]
        .as_str()
        .expect("pool eTag")
        .to_string();
    let stale = "5e5ffdce-356b-431b-b050-81b45eef2a12";

    let r = c
        .call_with("PUT", &cu, Some(&body), &[("If-None-Match", "*")])
        .await;
    assert_eq!((r.status, r.code()), (412, "PreconditionFailed"));
    let r = c
        .call_with("PUT", &cu, Some(&body), &[("If-Match", stale)])
        .await;
    assert_eq!((r.status, r.code()), (412, "PreconditionFailed"));
    let r = c
        .call_with(
            "PATCH",
            &cu,
            Some(&json!({"tags": {"a": "b"}})),
            &[("If-Match", stale)],
        )
        .await;
    assert_eq!((r.status, r.code()), (412, "PreconditionFailed"));
    let r = c
        .call_with("DELETE", &cu, None, &[("If-Match", stale)])
        .await;
    assert_eq!(
        (r.status, r.code()),
        (412, "PreconditionFailed"),
        "was a 202"
    );
    assert_eq!(
        c.get(&cu).await.body["eTag"],
        etag.as_str(),
        "nothing changed"
    );

    // Pools: a stale eTag on DELETE no longer removes the pool.
    let pool = url(&format!("{cluster}/agentPools/user1"), AKS_API);
    let r = c
        .call_with("PUT", &pool, Some(&pool_body()), &[("If-None-Match", "*")])
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    c.wait(&r).await;
    let user_etag = c.get(&pool).await.body["properties"]["eTag"]
        .as_str()
        .expect("pool eTag")
        .to_string();
    let r = c
        .call_with("DELETE", &pool, None, &[("If-Match", stale)])
        .await;
    assert_eq!((r.status, r.code()), (412, "PreconditionFailed"));
    assert_eq!(c.get(&pool).await.status, 200, "the pool is still there");
    let r = c
        .call_with("PUT", &pool, Some(&pool_body()), &[("If-Match", stale)])
        .await;
    assert_eq!(r.status, 412);

    // A cluster-level write renews the cluster's and every pool's eTag.
    let r = c
        .call_with(
            "PATCH",
            &cu,
            Some(&json!({"tags": {"a": "b"}})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    c.wait(&r).await;
    let after = c.get(&cu).await;
    assert_ne!(after.body["eTag"], etag.as_str());
    assert_ne!(
        after.body["properties"]["agentPoolProfiles"][0]["eTag"],
        pool_etag.as_str()
    );
    let r = c
        .call_with("DELETE", &pool, None, &[("If-Match", &user_etag)])
        .await;
    assert_eq!(r.status, 412, "the pool eTag moved with the cluster write");
    let fresh = c.get(&pool).await.body["properties"]["eTag"]
        .as_str()
        .expect("eTag")
        .to_string();
    let r = c
        .call_with("DELETE", &pool, None, &[("If-Match", &fresh)])
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    c.wait(&r).await;

    // Nothing there: PATCH is 404 and DELETE 204 whatever the condition says.
    let missing = url(
        &format!("{g}/providers/Microsoft.ContainerService/managedClusters/nope"),
        AKS_API,
    );
    let r = c
        .call_with(
            "PATCH",
            &missing,
            Some(&json!({"tags": {}})),
            &[("If-Match", stale)],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        c.call_with("DELETE", &missing, None, &[("If-Match", stale)])
            .await
            .status,
        204
    );

    // Resource groups declare no conditional headers: ARM ignores them.
    let r = c
        .call_with(
            "PUT",
            &url(&g, RG_API),
            Some(&json!({"location": "westeurope"})),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let etag = c.get(&cu).await.body["eTag"]
        .as_str()
        .expect("eTag")
        .to_string();
    let r = c
        .call_with("DELETE", &cu, None, &[("If-Match", &etag)])
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
}

/// As strict as Azure: a service principal without its secret, references to nothing wherever
/// they appear in the body (also fields the emulator has no rule for), both outbound IP forms at
/// once; and the outbound profiles AKS answers with.
#[tokio::test]
async fn references_and_outbound_profiles_are_checked() {
    let (_emu, c) = start(fast_config()).await;
    let (g, vnet, _workspace) = prerequisites(&c).await;
    let subnet = format!("{vnet}/subnets/nodes");
    let cluster = |name: &str| {
        url(
            &format!("{g}/providers/Microsoft.ContainerService/managedClusters/{name}"),
            AKS_API,
        )
    };
    let base = || {
        json!({"location": "westeurope", "identity": {"type": "SystemAssigned"},
            "properties": {"dnsPrefix": "strict", "agentPoolProfiles": [{"name": "system", "mode": "System",
                "count": 1, "vmSize": "Standard_D4s_v5", "vnetSubnetID": subnet}]}})
    };
    let with = |path: &[&str], value: Value| {
        let mut body = base();
        let mut cur = &mut body;
        for p in &path[..path.len() - 1] {
            cur = cur
                .as_object_mut()
                .expect("object")
                .entry(p.to_string())
                .or_insert(json!({}));
        }
        cur[path[path.len() - 1]] = value;
        body
    };

    // Service principal: clientId without secret is refused at create; "msi" is not a principal.
    let r = c
        .put(
            &cluster("sp1"),
            &with(
                &["properties", "servicePrincipalProfile"],
                json!({"clientId": "11111111-2222-3333-4444-555555555555"}),
            ),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "ServicePrincipalValidationClientError"),
        "{}",
        r.body
    );
    assert_eq!(
        c.get(&cluster("sp1")).await.status,
        404,
        "nothing was created"
    );
    let r = c
        .put(
            &cluster("sp2"),
            &with(
                &["properties", "servicePrincipalProfile"],
                json!({"clientId": "msi"}),
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // References to nothing, wherever they are.
    let missing_subnet = format!("{vnet}/subnets/nope");
    let missing_zone =
        format!("{g}/providers/Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io");
    let missing_ip = format!("{g}/providers/Microsoft.Network/publicIPAddresses/nope");
    let missing_identity =
        format!("{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nope");
    for (path, value, field) in [
        (
            vec!["properties", "apiServerAccessProfile"],
            json!({"enableVnetIntegration": true, "subnetId": missing_subnet}),
            "properties.apiServerAccessProfile.subnetId",
        ),
        (
            vec!["properties", "apiServerAccessProfile"],
            json!({"enablePrivateCluster": true, "privateDNSZone": missing_zone}),
            "properties.apiServerAccessProfile.privateDNSZone",
        ),
        (
            vec!["properties", "networkProfile"],
            json!({"networkPlugin": "azure", "loadBalancerProfile": {"outboundIPs": {"publicIPs": [{"id": missing_ip}]}}}),
            "properties.networkProfile.loadBalancerProfile.outboundIPs.publicIPs[0].id",
        ),
        (
            vec!["properties", "aFieldTheEmulatorHasNoRuleFor"],
            json!({"resourceId": missing_subnet}),
            "properties.aFieldTheEmulatorHasNoRuleFor.resourceId",
        ),
        (
            vec!["identity"],
            json!({"type": "UserAssigned", "userAssignedIdentities": {missing_identity.clone(): {}}}),
            "identity.userAssignedIdentities",
        ),
    ] {
        let r = c.put(&cluster("refs1"), &with(&path, value)).await;
        assert_eq!(
            (r.status, r.code()),
            (400, "InvalidParameter"),
            "{field}: {}",
            r.body
        );
        assert_eq!(r.body["error"]["target"], field, "{}", r.body);
    }
    // The same check on other types, in their providers' words.
    let registry = url(
        &format!("{g}/providers/Microsoft.ContainerRegistry/registries/strictacr1"),
        "2025-11-01",
    );
    let r = c
        .put(
            &registry,
            &json!({"location": "westeurope", "sku": {"name": "Basic"},
                "identity": {"type": "UserAssigned", "userAssignedIdentities": {missing_identity: {}}}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "FailedIdentityOperation"),
        "{}",
        r.body
    );
    let r = c
        .put(
            &url(&format!("{vnet}/subnets/extra"), NET_API),
            &json!({"properties": {"addressPrefix": "10.0.16.0/24", "natGateway": {"id": format!("{g}/providers/Microsoft.Network/publicIPPrefixes/nope")}}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "InvalidResourceReference"),
        "{}",
        r.body
    );

    // Both outbound IP forms at once.
    let ip = format!("{g}/providers/Microsoft.Network/publicIPAddresses/egress1");
    c.create(
        &url(&ip, NET_API),
        &json!({"location": "westeurope", "sku": {"name": "Standard"}}),
    )
    .await;
    let both = with(
        &["properties", "networkProfile"],
        json!({"networkPlugin": "azure", "loadBalancerProfile": {
            "managedOutboundIPs": {"count": 2}, "outboundIPs": {"publicIPs": [{"id": ip}]}}}),
    );
    let r = c.put(&cluster("both1"), &both).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "InvalidParameter"),
        "{}",
        r.body
    );
    assert!(r.body["error"]["message"].as_str().is_some_and(|m| {
        m.contains("at most one of ManagedOutboundIPs, OutboundIPPrefixes and OutboundIPs")
    }));

    // Customer IPs become the effective ones; a managed count gives that many.
    let own = with(
        &["properties", "networkProfile"],
        json!({"networkPlugin": "azure", "loadBalancerProfile": {"outboundIPs": {"publicIPs": [{"id": ip}]}}}),
    );
    let r = c.create(&cluster("own1"), &own).await;
    let lb = &r.body["properties"]["networkProfile"]["loadBalancerProfile"];
    assert_eq!(lb["effectiveOutboundIPs"], json!([{"id": ip}]));
    assert!(lb.get("managedOutboundIPs").is_none(), "{lb}");
    let managed = with(
        &["properties", "networkProfile"],
        json!({"networkPlugin": "azure", "loadBalancerProfile": {"managedOutboundIPs": {"count": 3}}}),
    );
    let r = c.create(&cluster("three1"), &managed).await;
    let effective =
        &r.body["properties"]["networkProfile"]["loadBalancerProfile"]["effectiveOutboundIPs"];
    assert_eq!(effective.as_array().map(Vec::len), Some(3), "{effective}");

    // NAT gateway outbound: natGatewayProfile, no load balancer profile
    // (ManagedClustersCreate_ManagedNATGateway.json).
    let nat = with(
        &["properties", "networkProfile"],
        json!({"networkPlugin": "azure", "outboundType": "managedNATGateway",
            "natGatewayProfile": {"managedOutboundIPProfile": {"count": 2}}}),
    );
    let r = c.create(&cluster("nat1"), &nat).await;
    let network = &r.body["properties"]["networkProfile"];
    assert!(network.get("loadBalancerProfile").is_none(), "{network}");
    assert_eq!(network["natGatewayProfile"]["idleTimeoutInMinutes"], 4);
    assert_eq!(
        network["natGatewayProfile"]["effectiveOutboundIPs"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

fn decode_base64(text: &str) -> String {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            _ => 63,
        }
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| **c != b'=')
            .fold(0u32, |acc, (i, c)| acc | (value(*c) << (18 - 6 * i)));
        let bytes = chunk.iter().filter(|c| **c != b'=').count() - 1;
        for i in 0..bytes {
            out.push(((n >> (16 - 8 * i)) & 0xff) as u8);
        }
    }
    String::from_utf8(out).expect("UTF-8 kubeconfig")
}

/// Credentials, upgrade profiles, version upgrades, start/stop and abort, in the shapes of the
/// AKS examples (stable/2026-08-01).
#[tokio::test]
async fn cluster_operations_beyond_crud() {
    let (_emu, c) = start(EmulatorConfig {
        faults: azplan::emulator::FaultPlan::parse(
            "faults:\n  - fault: slowOperation\n    ms: 60000\n    resourceType: Microsoft.ContainerService/managedClusters\n    pathContains: /slow1\n    operation: PUT\n    count: 1\n",
        )
        .expect("faults"),
        ..fast_config()
    })
    .await;
    let (g, vnet, _) = prerequisites(&c).await;
    let subnet = format!("{vnet}/subnets/nodes");
    let cluster = format!("{g}/providers/Microsoft.ContainerService/managedClusters/ops1");
    let body = json!({"location": "westeurope", "identity": {"type": "SystemAssigned"},
        "properties": {"dnsPrefix": "ops1", "kubernetesVersion": "1.32",
            "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1,
                "vmSize": "Standard_D4s_v5", "vnetSubnetID": subnet}]}});
    let created = c.create(&url(&cluster, AKS_API), &body).await;
    let fqdn = created.body["properties"]["fqdn"]
        .as_str()
        .expect("fqdn")
        .to_string();

    // Credentials (ManagedClustersListClusterAdminCredentials.json shape).
    let admin = c
        .call(
            "POST",
            &url(&format!("{cluster}/listClusterAdminCredential"), AKS_API),
            None,
        )
        .await;
    assert_eq!(admin.status, 200, "{}", admin.body);
    assert_eq!(admin.body["kubeconfigs"][0]["name"], "clusterAdmin");
    let config = decode_base64(
        admin.body["kubeconfigs"][0]["value"]
            .as_str()
            .expect("value"),
    );
    assert!(
        config.contains(&format!("server: https://{fqdn}:443")),
        "{config}"
    );
    assert!(
        config.contains("client-certificate-data:") && config.contains("current-context: ops1")
    );
    let user = c
        .call(
            "POST",
            &url(&format!("{cluster}/listClusterUserCredential"), AKS_API),
            None,
        )
        .await;
    assert_eq!(user.body["kubeconfigs"][0]["name"], "clusterUser");
    assert_eq!(
        c.call(
            "GET",
            &url(&format!("{cluster}/listClusterUserCredential"), AKS_API),
            None
        )
        .await
        .status,
        405,
        "credentials are a POST"
    );

    // Upgrade profile: the next minor only for the control plane.
    let profile = c
        .get(&url(&format!("{cluster}/upgradeProfiles/default"), AKS_API))
        .await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    assert_eq!(profile.body["name"], "default");
    assert_eq!(
        profile.body["type"],
        "Microsoft.ContainerService/managedClusters/upgradeprofiles"
    );
    let cp = &profile.body["properties"]["controlPlaneProfile"];
    assert_eq!(cp["kubernetesVersion"], "1.32.9");
    assert_eq!(cp["upgrades"], json!([{"kubernetesVersion": "1.33.5"}]));
    assert_eq!(
        profile.body["properties"]["agentPoolProfiles"][0]["name"],
        "system"
    );

    // Upgrades: no skipping minor versions; the next one works and pools follow.
    let mut skip = body.clone();
    skip["properties"]["kubernetesVersion"] = json!("1.34");
    let r = c.put(&url(&cluster, AKS_API), &skip).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "OperationNotAllowed"),
        "{}",
        r.body
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Available upgrades: [1.33.5]"))
    );
    let mut next = body.clone();
    next["properties"]["kubernetesVersion"] = json!("1.33");
    let r = c.create(&url(&cluster, AKS_API), &next).await;
    assert_eq!(r.body["properties"]["currentKubernetesVersion"], "1.33.5");
    let pool_profile = c
        .get(&url(
            &format!("{cluster}/agentPools/system/upgradeProfiles/default"),
            AKS_API,
        ))
        .await;
    assert_eq!(pool_profile.status, 200, "{}", pool_profile.body);
    assert_eq!(
        pool_profile.body["properties"]["kubernetesVersion"], "1.32.9",
        "a pool keeps its version until it is upgraded itself"
    );
    assert_eq!(
        pool_profile.body["properties"]["upgrades"],
        json!([{"kubernetesVersion": "1.33.5"}]),
        "pools may go up to the control plane"
    );
    let pool_body = json!({"properties": {"mode": "System", "count": 1, "vmSize": "Standard_D4s_v5",
        "vnetSubnetID": format!("{vnet}/subnets/nodes"), "orchestratorVersion": "1.33"}});
    c.create(
        &url(&format!("{cluster}/agentPools/system"), AKS_API),
        &pool_body,
    )
    .await;
    let pool_profile = c
        .get(&url(
            &format!("{cluster}/agentPools/system/upgradeProfiles/default"),
            AKS_API,
        ))
        .await;
    assert_eq!(pool_profile.body["properties"]["upgrades"], json!([]));
    let r = c
        .put(
            &url(&format!("{cluster}/agentPools/user1"), AKS_API),
            &json!({"properties": {"mode": "User", "count": 1, "vmSize": "Standard_D4s_v5", "orchestratorVersion": "1.34"}}),
        )
        .await;
    assert_eq!(
        r.status, 400,
        "a pool is never newer than the control plane: {}",
        r.body
    );

    // Stop and start: transitional states, then the power state.
    let r = c
        .call("POST", &url(&format!("{cluster}/stop"), AKS_API), None)
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(r.header("location").is_some());
    let done = c.wait(&r).await;
    assert!(matches!(done.status, 200 | 204), "{}", done.status);
    let stopped = c.get(&url(&cluster, AKS_API)).await;
    assert_eq!(stopped.body["properties"]["powerState"]["code"], "Stopped");
    assert_eq!(stopped.state(), "Succeeded");
    assert_eq!(
        stopped.body["properties"]["agentPoolProfiles"][0]["powerState"]["code"],
        "Stopped"
    );
    let r = c
        .call("POST", &url(&format!("{cluster}/start"), AKS_API), None)
        .await;
    c.wait(&r).await;
    assert_eq!(
        c.get(&url(&cluster, AKS_API)).await.body["properties"]["powerState"]["code"],
        "Running"
    );

    // Abort: nothing running is 204; a running create ends Canceled.
    assert_eq!(
        c.call("POST", &url(&format!("{cluster}/abort"), AKS_API), None)
            .await
            .status,
        204
    );
    let slow = format!("{g}/providers/Microsoft.ContainerService/managedClusters/slow1");
    let mut slow_body = body.clone();
    slow_body["properties"]["dnsPrefix"] = json!("slow1");
    let started = c.put(&url(&slow, AKS_API), &slow_body).await;
    assert_eq!(started.status, 201);
    assert_eq!(c.get(&url(&slow, AKS_API)).await.state(), "Creating");
    let r = c
        .call("POST", &url(&format!("{slow}/abort"), AKS_API), None)
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert!(r.header("azure-asyncoperation").is_some() && r.header("location").is_some());
    assert_eq!(
        c.wait(&r).await.body["status"],
        "Succeeded",
        "the abort itself succeeds"
    );
    let original = c
        .get(started.header("azure-asyncoperation").expect("LRO"))
        .await;
    assert_eq!(original.body["status"], "Canceled");
    assert!(original.body["error"]["code"].is_string());
    let canceled = c.get(&url(&slow, AKS_API)).await;
    assert_eq!(canceled.state(), "Canceled");
    let r = c.put(&url(&slow, AKS_API), &slow_body).await;
    assert_eq!(
        r.status, 200,
        "a canceled cluster takes a new PUT: {}",
        r.body
    );
}

/// Clusters with local accounts disabled hand out no static credentials; Entra ID users get the
/// kubelogin exec plugin.
#[tokio::test]
async fn disabled_local_accounts_refuse_static_credentials() {
    let (_emu, c) = start(fast_config()).await;
    let (g, vnet, _) = prerequisites(&c).await;
    let cluster = format!("{g}/providers/Microsoft.ContainerService/managedClusters/aad1");
    c.create(
        &url(&cluster, AKS_API),
        &json!({"location": "westeurope", "identity": {"type": "SystemAssigned"},
            "properties": {"dnsPrefix": "aad1", "disableLocalAccounts": true,
                "aadProfile": {"managed": true, "enableAzureRBAC": true},
                "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1,
                    "vmSize": "Standard_D4s_v5", "vnetSubnetID": format!("{vnet}/subnets/nodes")}]}}),
    )
    .await;
    let admin = c
        .call(
            "POST",
            &url(&format!("{cluster}/listClusterAdminCredential"), AKS_API),
            None,
        )
        .await;
    assert_eq!((admin.status, admin.code()), (400, "BadRequest"));
    assert_eq!(
        admin.body["error"]["message"],
        "Getting static credential is not allowed because this cluster is set to disable local accounts."
    );
    let user = c
        .call(
            "POST",
            &url(&format!("{cluster}/listClusterUserCredential"), AKS_API),
            None,
        )
        .await;
    assert_eq!(user.status, 200, "{}", user.body);
    let config = decode_base64(
        user.body["kubeconfigs"][0]["value"]
            .as_str()
            .expect("value"),
    );
    assert!(config.contains("command: kubelogin"), "{config}");
    assert!(!config.contains("client-certificate-data"));
}

/// Planned maintenance configurations: synchronous PUT (200/201 with the body), GET, LIST under
/// the cluster and DELETE (200, then 204), with the MaintenanceWindow bounds of AKS 2026-08-01
/// and only the three names AKS accepts. The window is written in the shape of the official
/// MaintenanceConfigurationsCreate_Update_MaintenanceWindow example (not replayed verbatim).
#[tokio::test]
async fn maintenance_configurations_are_served() {
    let (_emu, c) = start(fast_config()).await;
    let (g, vnet, workspace) = prerequisites(&c).await;
    let cluster = format!("{g}/providers/Microsoft.ContainerService/managedClusters/aks1");
    let r = c
        .put(
            &url(&cluster, AKS_API),
            &cluster_body(&format!("{vnet}/subnets/nodes"), &workspace),
        )
        .await;
    c.wait(&r).await;
    let config = format!("{cluster}/maintenanceConfigurations/aksManagedAutoUpgradeSchedule");
    let window = json!({"properties": {"maintenanceWindow": {
        "schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Monday"}},
        "durationHours": 8, "utcOffset": "+05:30", "startDate": "2023-01-01", "startTime": "08:30",
        "notAllowedDates": [{"start": "2023-02-18", "end": "2023-02-25"}, {"start": "2023-12-23", "end": "2024-01-05"}]
    }}});
    let r = c.put(&url(&config, AKS_API), &window).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["type"],
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations"
    );
    assert!(r.header("azure-asyncoperation").is_none());
    let got = c.get(&url(&config, AKS_API)).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.body["properties"]["maintenanceWindow"],
        window["properties"]["maintenanceWindow"]
    );
    let again = c.put(&url(&config, AKS_API), &window).await;
    assert_eq!(again.status, 200, "{}", again.body);
    let list = c
        .get(&url(
            &format!("{cluster}/maintenanceConfigurations"),
            AKS_API,
        ))
        .await;
    assert_eq!(
        list.body["value"].as_array().map(Vec::len),
        Some(1),
        "{}",
        list.body
    );
    let bad = |f: &dyn Fn(&mut Value)| {
        let mut b = window.clone();
        f(&mut b["properties"]["maintenanceWindow"]);
        b
    };
    for (why, body) in [
        (
            "a window under 4 hours",
            bad(&|w| w["durationHours"] = json!(3)),
        ),
        (
            "a start time past 23:59",
            bad(&|w| w["startTime"] = json!("24:00")),
        ),
        (
            "an offset without a sign",
            bad(&|w| w["utcOffset"] = json!("05:30")),
        ),
        (
            "two schedules",
            bad(&|w| w["schedule"]["daily"] = json!({"intervalDays": 1})),
        ),
        (
            "a weekly interval above 4",
            bad(&|w| w["schedule"]["weekly"]["intervalWeeks"] = json!(5)),
        ),
    ] {
        let r = c.put(&url(&config, AKS_API), &body).await;
        assert_eq!(r.status, 400, "{why}: {}", r.body);
    }
    let unnamed = c
        .put(
            &url(
                &format!("{cluster}/maintenanceConfigurations/nightly"),
                AKS_API,
            ),
            &window,
        )
        .await;
    assert_eq!(unnamed.status, 400, "{}", unnamed.body);
    let r = c.delete(&url(&config, AKS_API)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = c.delete(&url(&config, AKS_API)).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(c.get(&url(&config, AKS_API)).await.status, 404);
}
