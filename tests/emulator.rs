//! Integration tests for the ARM emulator over real HTTPS: CRUD with LRO polling for every type,
//! the validation errors ARM gives, throttling, faults, persistence and the request log.

#[path = "emulator_support/mod.rs"]
mod support;

use azplan::emulator::EmulatorConfig;
use serde_json::{Value, json};
use support::{Client, SUB, fast_config, group, res, rg, start, url};

const RG_API: &str = "2025-04-01";
const ACR_API: &str = "2025-11-01";
const LA_API: &str = "2025-07-01";
const NET_API: &str = "2026-03-01";
const DNS_API: &str = "2018-05-01";
const PDNS_API: &str = "2024-06-01";
const MSI_API: &str = "2024-11-30";
const RA_API: &str = "2022-04-01";

async fn vnet_with_subnets(c: &Client, group: &str) -> String {
    let vnet = res(group, "Microsoft.Network/virtualNetworks/vnet1");
    c.create(
        &url(&vnet, NET_API),
        &json!({"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [
                {"name": "nodes", "properties": {"addressPrefix": "10.0.0.0/22"}},
                {"name": "aci", "properties": {"addressPrefix": "10.0.8.0/24",
                    "delegations": [{"name": "aci", "properties": {"serviceName": "Microsoft.ContainerInstance/containerGroups"}}]}}
            ]}}),
    )
    .await;
    vnet
}

#[tokio::test]
async fn requests_need_a_bearer_token() {
    let (emu, c) = start(fast_config()).await;
    let path = url(&rg("a"), RG_API);
    let r = c.without_token().get(&path).await;
    assert_eq!((r.status, r.code()), (401, "AuthenticationFailed"));
    assert!(r.header("www-authenticate").is_some());
    let r = c.with_token("").get(&path).await;
    assert_eq!(
        (r.status, r.code()),
        (401, "InvalidAuthenticationToken"),
        "{}",
        r.body
    );
    assert_eq!(c.get(&path).await.status, 404);
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn api_versions_are_checked_per_type() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let r = c.get(&rg("rg")).await;
    assert_eq!((r.status, r.code()), (400, "MissingApiVersionParameter"));
    let r = c.get(&url(&rg("rg"), "2019-05-01")).await;
    assert_eq!((r.status, r.code()), (400, "InvalidApiVersionParameter"));
    for (path, bad, type_name) in [
        (
            res(&g, "Microsoft.ContainerService/managedClusters/x"),
            "2024-01-01",
            "managedClusters",
        ),
        (
            res(&g, "Microsoft.Network/dnsZones/example.com"),
            "2023-07-01-preview",
            "dnsZones",
        ),
    ] {
        let r = c.get(&url(&path, bad)).await;
        assert_eq!(
            (r.status, r.code()),
            (400, "NoRegisteredProviderFound"),
            "{path}"
        );
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(
            message.contains(&format!("API version '{bad}' for type '{type_name}'"))
                && message.contains("The supported api-versions are '"),
            "{message}"
        );
    }
    // Older published versions are served, in their own shape where it differs.
    for version in ["2024-10-01", "2025-01-01", "2026-05-01"] {
        let r = c
            .get(&url(
                &res(&g, "Microsoft.ContainerService/managedClusters/x"),
                version,
            ))
            .await;
        assert_eq!((r.status, r.code()), (404, "ResourceNotFound"), "{version}");
    }
    let vnet = vnet_with_subnets(&c, &g).await;
    let zone = res(&g, "Microsoft.Network/privateDnsZones/shape.internal");
    c.create(&url(&zone, PDNS_API), &json!({"location": "global"}))
        .await;
    let link = format!("{zone}/virtualNetworkLinks/l1");
    c.create(
        &url(&link, PDNS_API),
        &json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}}}),
    )
    .await;
    let new = c.get(&url(&link, PDNS_API)).await;
    assert_eq!(new.body["properties"]["resolutionPolicy"], "Default");
    let old = c.get(&url(&link, "2020-06-01")).await;
    assert_eq!(old.status, 200);
    assert!(
        old.body["properties"].get("resolutionPolicy").is_none(),
        "{}",
        old.body
    );
    let r = c
        .get(&url(&res(&g, "Microsoft.Bogus/things/x"), "2020-01-01"))
        .await;
    assert_eq!((r.status, r.code()), (501, "ResourceTypeNotEmulated"));
    let r = c
        .put(
            &url(&res(&g, "Microsoft.Web/sites/app1"), "2024-01-01"),
            &json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (501, "ResourceTypeNotEmulated"));
    let message = r.body["error"]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("'Microsoft.Web/sites' is not emulated")
            && message.contains("Microsoft.ContainerService/managedClusters"),
        "names the type and what is served: {message}"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn resource_group_lifecycle_and_cascade() {
    // The group delete must still be running when the next requests arrive: 20 s × 0.02 = 400 ms.
    let config = EmulatorConfig {
        time_scale: 0.02,
        retry_after: Some(0),
        ..EmulatorConfig::default()
    };
    let (emu, c) = start(config).await;
    let path = url(&rg("MyGroup"), RG_API);
    let r = c
        .put(
            &path,
            &json!({"location": "West Europe", "tags": {"a": "1"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["location"], "westeurope");
    assert_eq!(r.state(), "Succeeded");
    assert!(
        r.header("azure-asyncoperation").is_none(),
        "RG PUT is synchronous"
    );
    // Case-insensitive names, casing of the latest PUT preserved.
    let r = c
        .put(
            &url(&rg("MYGROUP"), RG_API),
            &json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = c
        .get(&url(
            &format!("/subscriptions/{SUB}/resourcegroups/mygroup"),
            RG_API,
        ))
        .await;
    assert_eq!((r.status, r.body["name"].as_str()), (200, Some("MYGROUP")));
    let r = c.put(&path, &json!({"location": "eastus"})).await;
    assert_eq!((r.status, r.code()), (409, "InvalidResourceGroupLocation"));
    let r = c
        .put(
            &url(&rg("bad/name."), RG_API),
            &json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(r.status, 404, "a slash changes the route");
    let r = c
        .put(&url(&rg("bad."), RG_API), &json!({"location": "eastus"}))
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidResourceGroup"));
    let r = c.patch(&path, &json!({"tags": {"b": "2"}})).await;
    assert_eq!((r.status, r.body["tags"].clone()), (200, json!({"b": "2"})));
    assert_eq!(c.call("HEAD", &path, None).await.status, 204);
    assert_eq!(
        c.call("HEAD", &url(&rg("nope"), RG_API), None).await.status,
        404
    );
    let list = c
        .get(&url(
            &format!("/subscriptions/{SUB}/resourcegroups"),
            RG_API,
        ))
        .await;
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1));

    let identity = res(
        &rg("MyGroup"),
        "Microsoft.ManagedIdentity/userAssignedIdentities/id1",
    );
    assert_eq!(
        c.put(&url(&identity, MSI_API), &json!({"location": "westeurope"}))
            .await
            .status,
        201
    );
    let listed = c
        .get(&url(&format!("{}/resources", rg("mygroup")), RG_API))
        .await;
    assert_eq!(
        listed.body["value"][0]["type"],
        "Microsoft.ManagedIdentity/userAssignedIdentities"
    );

    let del = c.delete(&path).await;
    assert_eq!(del.status, 202);
    let location = del.header("location").expect("Location header").to_string();
    assert!(location.starts_with("https://127.0.0.1:") && location.contains("/operationresults/"));
    assert_eq!(c.get(&path).await.state(), "Deleting");
    let r = c
        .put(&url(&identity, MSI_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!((r.status, r.code()), (409, "ResourceGroupBeingDeleted"));
    let done = c.wait(&del).await;
    assert_eq!(done.status, 200);
    let r = c.get(&path).await;
    assert_eq!((r.status, r.code()), (404, "ResourceGroupNotFound"));
    assert_eq!(c.delete(&path).await.status, 404);
    let r = c.get(&url(&identity, MSI_API)).await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ResourceGroupNotFound"),
        "cascade removed the identity"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn registry_lifecycle_with_lro() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let path = url(
        &res(&g, "Microsoft.ContainerRegistry/registries/MyRegistry"),
        ACR_API,
    );
    let r = c.put(&path, &json!({"location": "westeurope", "sku": {"name": "Standard"}, "properties": {"adminUserEnabled": true}})).await;
    assert_eq!((r.status, r.state()), (201, "Creating"));
    assert!(r.header("azure-asyncoperation").is_some() && r.header("retry-after").is_some());
    let status = c.wait(&r).await;
    assert_eq!(status.body["status"], "Succeeded");
    assert!(status.body["startTime"].is_string() && status.body["endTime"].is_string());
    let got = c.get(&path).await;
    assert_eq!(got.state(), "Succeeded");
    assert_eq!(
        got.body["properties"]["loginServer"],
        "myregistry.azurecr.io"
    );
    assert_eq!(
        got.body["sku"],
        json!({"name": "Standard", "tier": "Standard"})
    );
    assert_eq!(
        got.body["properties"]["policies"]["retentionPolicy"]["days"],
        7
    );
    assert_eq!(got.body["properties"]["publicNetworkAccess"], "Enabled");
    assert_eq!(got.body["properties"]["adminUserEnabled"], true);
    let r = c
        .put(
            &path,
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    assert_eq!((r.status, r.state()), (200, "Updating"));
    c.wait(&r).await;
    let r = c
        .patch(
            &path,
            &json!({"tags": {"t": "v"}, "sku": {"name": "Premium"}}),
        )
        .await;
    // RegistryUpdate.json: 201 + Azure-AsyncOperation while the update runs.
    assert_eq!((r.status, r.state()), (201, "Updating"));
    c.wait(&r).await;
    assert_eq!(c.get(&path).await.body["sku"]["tier"], "Premium");
    let r = c
        .put(
            &path,
            &json!({"location": "eastus", "sku": {"name": "Basic"}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidResourceLocation"));
    let r = c
        .put(
            &url(
                &res(&g, "Microsoft.ContainerRegistry/registries/ab"),
                ACR_API,
            ),
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidResourceName"));
    let r = c
        .put(
            &url(
                &res(&g, "Microsoft.ContainerRegistry/registries/nosku1"),
                ACR_API,
            ),
            &json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let g2 = group(&c, "rg2").await;
    let r = c
        .put(
            &url(
                &res(&g2, "Microsoft.ContainerRegistry/registries/myregistry"),
                ACR_API,
            ),
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "AlreadyInUse"),
        "registry names are global"
    );
    let by_rg = c
        .get(&url(
            &res(&g, "Microsoft.ContainerRegistry/registries"),
            ACR_API,
        ))
        .await;
    let by_sub = c
        .get(&url(
            &format!("/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/registries"),
            ACR_API,
        ))
        .await;
    assert_eq!(by_rg.body["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(by_sub.body["value"].as_array().map(Vec::len), Some(1));
    let del = c.delete(&path).await;
    assert_eq!(del.status, 202);
    assert!(del.header("location").is_some());
    assert_eq!(c.wait(&del).await.status, 200);
    let r = c.get(&path).await;
    assert_eq!((r.status, r.code()), (404, "ResourceNotFound"));
    assert_eq!(c.delete(&path).await.status, 204);
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn workspace_soft_delete_reserves_the_name() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let g2 = group(&c, "rg2").await;
    let path = url(
        &res(&g, "Microsoft.OperationalInsights/workspaces/Logs1"),
        LA_API,
    );
    let r = c
        .put(
            &path,
            &json!({"location": "westeurope", "properties": {"retentionInDays": 60}}),
        )
        .await;
    assert_eq!((r.status, r.state()), (201, "Creating"));
    assert!(
        r.header("azure-asyncoperation").is_none(),
        "the body's provisioningState is the poll target"
    );
    let got = c
        .create(
            &path,
            &json!({"location": "westeurope", "properties": {"retentionInDays": 60}}),
        )
        .await;
    assert_eq!(
        got.body["id"],
        res(&g, "Microsoft.OperationalInsights/workspaces/Logs1").to_ascii_lowercase()
    );
    assert_eq!(got.body["name"], "Logs1");
    assert_eq!(got.body["properties"]["sku"]["name"], "PerGB2018");
    assert_eq!(
        got.body["properties"]["publicNetworkAccessForIngestion"],
        "Enabled"
    );
    let customer_id = got.body["properties"]["customerId"].clone();
    assert!(customer_id.is_string());
    let del = c.delete(&path).await;
    assert_eq!(del.status, 202);
    assert!(del.header("azure-asyncoperation").is_some() && del.header("location").is_some());
    c.wait(&del).await;
    let other = url(
        &res(&g2, "Microsoft.OperationalInsights/workspaces/logs1"),
        LA_API,
    );
    let r = c.put(&other, &json!({"location": "westeurope"})).await;
    assert_eq!((r.status, r.code()), (409, "Conflict"));
    assert_eq!(r.body["error"]["target"], "name");
    // Same group and region recovers the workspace, customerId included.
    let recovered = c.create(&path, &json!({"location": "westeurope"})).await;
    assert_eq!(recovered.body["properties"]["customerId"], customer_id);
    let del = c.delete(&format!("{path}&force=true")).await;
    c.wait(&del).await;
    assert_eq!(
        c.put(&other, &json!({"location": "westeurope"}))
            .await
            .status,
        201
    );
    // Deleting the group soft-deletes its workspaces too.
    let del = c.delete(&url(&g2, RG_API)).await;
    c.wait(&del).await;
    let r = c.put(&path, &json!({"location": "westeurope"})).await;
    assert_eq!((r.status, r.code()), (409, "Conflict"));
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn virtual_networks_and_subnets() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let vnet = vnet_with_subnets(&c, &g).await;
    let got = c.get(&url(&vnet, NET_API)).await;
    let props = &got.body["properties"];
    assert!(props["resourceGuid"].is_string());
    assert_eq!(props["virtualNetworkPeerings"], json!([]));
    assert_eq!(
        props["subnets"][0]["properties"]["privateEndpointNetworkPolicies"],
        "Disabled"
    );
    assert_eq!(
        props["subnets"][0]["properties"]["privateLinkServiceNetworkPolicies"],
        "Enabled"
    );
    assert_eq!(
        props["subnets"][1]["properties"]["delegations"][0]["type"],
        "Microsoft.Network/virtualNetworks/subnets/delegations"
    );
    assert_eq!(
        props["subnets"][0]["properties"]["provisioningState"],
        "Succeeded"
    );

    let child = format!("{vnet}/subnets/extra");
    let r = c
        .put(
            &url(&child, NET_API),
            &json!({"properties": {"addressPrefix": "10.0.16.0/24"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(r.header("azure-asyncoperation").is_some());
    c.wait(&r).await;
    let r = c
        .put(
            &url(&format!("{vnet}/subnets/outside"), NET_API),
            &json!({"properties": {"addressPrefix": "10.1.0.0/24"}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "NetcfgSubnetRangeOutsideVnet"));
    let r = c
        .put(
            &url(&format!("{vnet}/subnets/overlap"), NET_API),
            &json!({"properties": {"addressPrefix": "10.0.1.0/24"}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "NetcfgSubnetRangesOverlap"));
    let r = c
        .put(
            &url(&format!("{vnet}/subnets/hostbits"), NET_API),
            &json!({"properties": {"addressPrefix": "10.0.20.1/24"}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidAddressPrefixFormat"));
    let listed = c.get(&url(&format!("{vnet}/subnets"), NET_API)).await;
    assert_eq!(listed.body["value"].as_array().map(Vec::len), Some(3));

    // A VNet PUT without `subnets` keeps them all.
    let space = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
    c.create(&url(&vnet, NET_API), &space).await;
    assert_eq!(
        c.get(&url(&vnet, NET_API)).await.body["properties"]["subnets"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    // A partial list deletes the missing ones.
    let partial = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.0.0.0/22"}}]}});
    c.create(&url(&vnet, NET_API), &partial).await;
    let names: Vec<Value> = c.get(&url(&vnet, NET_API)).await.body["properties"]["subnets"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|s| s["name"].clone())
        .collect();
    assert_eq!(names, vec![json!("nodes")]);
    assert_eq!(c.get(&url(&child, NET_API)).await.status, 404);
    let r = c
        .patch(&url(&vnet, NET_API), &json!({"tags": {"x": "y"}}))
        .await;
    assert_eq!((r.status, r.body["tags"]["x"].as_str()), (200, Some("y")));

    let by_sub = c
        .get(&url(
            &format!("/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks"),
            NET_API,
        ))
        .await;
    assert_eq!(by_sub.body["value"].as_array().map(Vec::len), Some(1));
    let del = c
        .delete(&url(&format!("{vnet}/subnets/nodes"), NET_API))
        .await;
    assert_eq!(del.status, 202);
    c.wait(&del).await;
    let del = c.delete(&url(&vnet, NET_API)).await;
    assert_eq!(del.status, 202);
    c.wait(&del).await;
    assert_eq!(c.get(&url(&vnet, NET_API)).await.status, 404);
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn writes_conflict_while_an_operation_runs() {
    // Realistic durations: the VNet create is still running when the subnet PUT arrives.
    let (emu, c) = start(EmulatorConfig::default()).await;
    let g = group(&c, "rg").await;
    let vnet = res(&g, "Microsoft.Network/virtualNetworks/vnet");
    let r = c.put(&url(&vnet, NET_API), &json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})).await;
    assert_eq!((r.status, r.header("retry-after")), (201, Some("10")));
    let r = c
        .put(
            &url(&format!("{vnet}/subnets/s"), NET_API),
            &json!({"properties": {"addressPrefix": "10.0.0.0/24"}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (429, "RetryableErrorDueToAnotherOperation")
    );
    assert!(r.header("retry-after").is_some());

    // A resource being deleted takes no writes; a repeated delete joins the running one.
    let zone = url(&res(&g, "Microsoft.Network/dnsZones/example.org"), DNS_API);
    assert_eq!(
        c.put(&zone, &json!({"location": "global"})).await.status,
        201
    );
    let del = c.delete(&zone).await;
    assert_eq!(del.status, 202);
    let r = c.put(&zone, &json!({"location": "global"})).await;
    assert_eq!((r.status, r.code()), (409, "AnotherOperationInProgress"));
    let again = c.delete(&zone).await;
    assert_eq!(
        (again.status, again.header("location")),
        (202, del.header("location"))
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn dns_zones_public_and_private() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let zone = url(&res(&g, "Microsoft.Network/dnsZones/example.com"), DNS_API);
    let r = c
        .put(&zone, &json!({"location": "Global", "tags": {"a": "b"}}))
        .await;
    assert_eq!(r.status, 201);
    assert!(
        r.header("azure-asyncoperation").is_none() && r.header("location").is_none(),
        "DNS zone PUT is synchronous"
    );
    assert_eq!(r.body["location"], "global");
    assert_eq!(
        r.body["properties"]["nameServers"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(r.body["properties"]["zoneType"], "Public");
    let etag = r.body["etag"].as_str().expect("etag").to_string();
    assert_eq!(c.get(&zone).await.header("etag"), Some(etag.as_str()));
    assert_eq!(
        c.put(&zone, &json!({"location": "global"})).await.status,
        200
    );
    let r = c
        .put(
            &url(&res(&g, "Microsoft.Network/dnsZones/bad..name"), DNS_API),
            &json!({"location": "global"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c
        .call_with(
            "PUT",
            &zone,
            Some(&json!({"location": "global"})),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (412, "PreconditionFailed"),
        "If-None-Match: * only creates"
    );
    let r = c
        .call_with(
            "PUT",
            &zone,
            Some(&json!({"location": "global"})),
            &[("If-Match", "stale")],
        )
        .await;
    assert_eq!(r.status, 412);
    let current = c.get(&zone).await.body["etag"]
        .as_str()
        .expect("etag")
        .to_string();
    let r = c
        .call_with(
            "PUT",
            &zone,
            Some(&json!({"location": "global"})),
            &[("If-Match", current.as_str())],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_ne!(
        r.body["etag"].as_str(),
        Some(current.as_str()),
        "every write changes the etag"
    );
    let before = c.get(&zone).await.body["etag"].clone();
    let r = c.patch(&zone, &json!({"tags": {"c": "d"}})).await;
    assert_ne!(r.body["etag"], before, "PATCH changes the etag");
    assert_eq!(r.body["tags"], json!({"c": "d"}));
    let del = c.delete(&zone).await;
    assert_eq!(del.status, 202);
    c.wait(&del).await;
    assert_eq!(c.get(&zone).await.status, 404);

    let private = url(
        &res(
            &g,
            "Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io",
        ),
        PDNS_API,
    );
    let r = c.put(&private, &json!({"location": "global"})).await;
    assert_eq!((r.status, r.state()), (201, "Creating"));
    assert!(r.header("location").is_some());
    let done = c.wait(&r).await;
    assert_eq!((done.status, done.state()), (200, "Succeeded"));

    // Virtual network links: a zone with links cannot be deleted.
    let vnet = vnet_with_subnets(&c, &g).await;
    let zone_path = res(
        &g,
        "Microsoft.Network/privateDnsZones/privatelink.westeurope.azmk8s.io",
    );
    let link = url(&format!("{zone_path}/virtualNetworkLinks/link1"), PDNS_API);
    let body = json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}});
    let r = c.put(&link, &body).await;
    assert_eq!((r.status, r.state()), (201, "Creating"));
    assert!(r.header("location").is_some());
    assert_eq!(c.wait(&r).await.state(), "Succeeded");
    assert_eq!(
        c.get(&private).await.body["properties"]["numberOfVirtualNetworkLinks"],
        1
    );
    let r = c
        .put(
            &url(&format!("{zone_path}/virtualNetworkLinks/link2"), PDNS_API),
            &body,
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "Conflict"),
        "one link per VNet and zone"
    );
    let r = c.delete(&private).await;
    assert_eq!((r.status, r.code()), (409, "CannotDeleteResource"));
    let r = c.delete(&link).await;
    assert_eq!(r.status, 202);
    c.wait(&r).await;
    let r = c.delete(&private).await;
    assert_eq!(r.status, 202);
    c.wait(&r).await;
    assert_eq!(c.get(&private).await.status, 404);
    emu.shutdown().await.expect("shutdown");
}

/// Nothing a client sends may crash a handler: malformed bodies get ARM error bodies (4xx).
#[tokio::test]
async fn malformed_requests_get_arm_errors() {
    let mut config = fast_config();
    config.throttle.enabled = false;
    let (emu, c) = start(config).await;
    let g = group(&c, "rg").await;
    let cluster = res(&g, "Microsoft.ContainerService/managedClusters/aks1");
    c.create(
        &url(&cluster, "2026-08-01"),
        &json!({"location": "westeurope", "properties": {"dnsPrefix": "a", "agentPoolProfiles": [{"name": "sys", "mode": "System"}]}}),
    )
    .await;
    let vnet = vnet_with_subnets(&c, &g).await;
    let identity = res(&g, "Microsoft.ManagedIdentity/userAssignedIdentities/app");
    c.put(&url(&identity, MSI_API), &json!({"location": "westeurope"}))
        .await;
    let targets = [
        url(&rg("rg"), RG_API),
        url(
            &res(&g, "Microsoft.ContainerRegistry/registries/acr12345"),
            ACR_API,
        ),
        url(
            &res(&g, "Microsoft.OperationalInsights/workspaces/logs1"),
            LA_API,
        ),
        url(&vnet, NET_API),
        url(&format!("{vnet}/subnets/s1"), NET_API),
        url(&res(&g, "Microsoft.Network/dnsZones/example.com"), DNS_API),
        url(
            &res(&g, "Microsoft.Network/privateDnsZones/example.com"),
            PDNS_API,
        ),
        url(
            &res(
                &g,
                "Microsoft.Network/privateDnsZones/example.com/virtualNetworkLinks/l1",
            ),
            PDNS_API,
        ),
        url(&identity, MSI_API),
        url(
            &format!("{identity}/federatedIdentityCredentials/fic1"),
            MSI_API,
        ),
        url(
            &res(
                &g,
                "Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff",
            ),
            RA_API,
        ),
        url(&cluster, "2026-08-01"),
        url(&format!("{cluster}/agentPools/pool1"), "2026-08-01"),
    ];
    let bodies = [
        json!([]),
        json!("text"),
        json!(17),
        json!({"location": 5}),
        json!({"location": "westeurope", "properties": 5, "tags": []}),
        json!({"location": "westeurope", "tags": {"a": 1}}),
        json!({"location": "westeurope", "sku": "Basic", "identity": {"type": "UserAssigned", "userAssignedIdentities": []}}),
        json!({"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": [5, "x/99"]}, "subnets": [5, {"name": 7}],
            "agentPoolProfiles": [5, {"name": "p", "count": "many", "enableAutoScaling": true}],
            "networkProfile": {"networkPlugin": 5}, "addonProfiles": {"aciConnectorLinux": {"enabled": true, "config": 5}},
            "roleDefinitionId": 5, "principalId": [], "issuer": 5, "audiences": "x", "addressPrefix": {"a": 1},
            "kubernetesVersion": 1.33, "aadProfile": null, "oidcIssuerProfile": {"enabled": "yes"}
        }}),
    ];
    for target in &targets {
        for body in &bodies {
            for method in ["PUT", "PATCH"] {
                let r = c.try_call(method, target, Some(body)).await;
                let r = r.unwrap_or_else(|e| {
                    panic!("{method} {target} {body}: connection failed ({e}), a handler panicked?")
                });
                assert!(
                    (400..500).contains(&r.status) || r.status < 300,
                    "{method} {target} {body}: {} {}",
                    r.status,
                    r.body
                );
                assert!(
                    r.status < 300 || r.body["error"]["code"].is_string(),
                    "{method} {target}: ARM error body: {}",
                    r.body
                );
            }
        }
        let raw = c
            .try_call_with("PUT", target, None, &[("content-type", "application/json")])
            .await;
        assert!(
            raw.is_ok_and(|r| r.status == 400),
            "{target}: a PUT without a body is a 400"
        );
    }
    emu.shutdown().await.expect("shutdown");
}

/// Every answer carries one RFC 1123 `Date` header from the emulator's clock, as ARM's do: the
/// planner's run lock measures expiry against it.
#[tokio::test]
async fn every_response_carries_a_date_header() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "dated").await;
    let registry = url(
        &res(&g, "Microsoft.ContainerRegistry/registries/dated1"),
        ACR_API,
    );
    let created = c
        .put(
            &registry,
            &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
        )
        .await;
    let status_url = created
        .header("azure-asyncoperation")
        .expect("LRO")
        .to_string();
    let mut answers = vec![
        created,
        c.get(&url(&g, RG_API)).await,
        c.get(&status_url).await,
        c.get(&url(&rg("missing"), RG_API)).await,
        c.without_token().get(&url(&g, RG_API)).await,
        c.get(&g).await,
        c.delete(&url(
            &res(&g, "Microsoft.ContainerRegistry/registries/none1"),
            ACR_API,
        ))
        .await,
    ];
    answers.push(c.delete(&registry).await);
    let before = std::time::SystemTime::now();
    for r in &answers {
        assert_eq!(
            r.headers.get_all("date").iter().count(),
            1,
            "{}: {:?}",
            r.status,
            r.headers
        );
        let date = r.header("date").expect("Date");
        // IMF-fixdate: `Tue, 12 Sep 2023 09:20:56 GMT`.
        let parts: Vec<&str> = date.split(' ').collect();
        assert_eq!(parts.len(), 6, "{date}");
        assert!(parts[0].ends_with(',') && parts[5] == "GMT", "{date}");
        assert!(["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"].contains(&parts[0]));
        let year: u64 = parts[3].parse().expect("year");
        let now_year = 1970
            + before
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_secs()
                / 31_556_952;
        assert!(year.abs_diff(now_year) <= 1, "{date}");
    }
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [201, 200, 200, 404, 401, 400, 204, 202]);
    emu.shutdown().await.expect("shutdown");
}

/// `Resources_ListByResourceGroup` / `Resources_List`: every tracked resource (private DNS links
/// included, proxy children such as subnets and record sets not), the documented `$filter` forms,
/// `$top`, paging, and ARM's own error for a filter it does not understand.
#[tokio::test]
async fn generic_resource_list_filters() {
    let (emu, c) = start(EmulatorConfig {
        list_page_size: 2,
        ..fast_config()
    })
    .await;
    let g = group(&c, "estate").await;
    group(&c, "other").await;
    let vnet = vnet_with_subnets(&c, &g).await;
    c.create(
        &url(
            &res(&g, "Microsoft.ContainerRegistry/registries/demoacr1"),
            ACR_API,
        ),
        &json!({"location": "westeurope", "sku": {"name": "Basic"}, "tags": {"Dept": "Finance"}}),
    )
    .await;
    c.create(
        &url(
            &res(
                &g,
                "Microsoft.ManagedIdentity/userAssignedIdentities/demo-id",
            ),
            MSI_API,
        ),
        &json!({"location": "westeurope", "tags": {"dept": "IT"}}),
    )
    .await;
    let zone = res(&g, "Microsoft.Network/privateDnsZones/example.internal");
    c.create(&url(&zone, PDNS_API), &json!({"location": "global"}))
        .await;
    c.create(
        &url(&format!("{zone}/virtualNetworkLinks/l1"), PDNS_API),
        &json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": false}}),
    )
    .await;
    c.put(
        &url(&format!("{zone}/TXT/lock"), PDNS_API),
        &json!({"properties": {"ttl": 60}}),
    )
    .await;
    c.create(
        &url(
            &res(
                &rg("other"),
                "Microsoft.ManagedIdentity/userAssignedIdentities/demo-two",
            ),
            MSI_API,
        ),
        &json!({"location": "northeurope"}),
    )
    .await;

    // Follows nextLink like the SDKs do; returns (type, name) pairs and the raw items.
    let all = |path: String| {
        let c = c.clone();
        async move {
            let mut items = Vec::new();
            let mut next = Some(path);
            while let Some(link) = next {
                let r = c.get(&link).await;
                assert_eq!(r.status, 200, "{link}: {}", r.body);
                items.extend(r.body["value"].as_array().cloned().unwrap_or_default());
                next = r.body["nextLink"].as_str().map(str::to_string);
            }
            items
        }
    };
    let names = |items: &[Value]| -> Vec<String> {
        let mut n: Vec<String> = items
            .iter()
            .map(|v| {
                format!(
                    "{}/{}",
                    v["type"].as_str().unwrap_or(""),
                    v["name"].as_str().unwrap_or("")
                )
            })
            .collect();
        n.sort();
        n
    };
    let list = |filter: &str| url(&format!("{g}/resources?$filter={filter}"), RG_API);
    let everything = all(url(&format!("{g}/resources"), RG_API)).await;
    assert_eq!(
        names(&everything),
        [
            "Microsoft.ContainerRegistry/registries/demoacr1",
            "Microsoft.ManagedIdentity/userAssignedIdentities/demo-id",
            "Microsoft.Network/privateDnsZones/example.internal",
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks/l1",
            "Microsoft.Network/virtualNetworks/vnet1",
        ]
    );
    let acr = everything
        .iter()
        .find(|v| v["name"] == "demoacr1")
        .expect("registry listed");
    assert_eq!(
        acr.as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec![
            "id".into(),
            "location".into(),
            "name".into(),
            "sku".into(),
            "tags".into(),
            "type".into()
        ]),
        "GenericResource shape, no properties"
    );

    let by_type = all(list(
        "resourceType%20eq%20%27Microsoft.Network%2FprivateDnsZones%27",
    ))
    .await;
    assert_eq!(
        names(&by_type),
        ["Microsoft.Network/privateDnsZones/example.internal"]
    );
    let by_tag = all(list(
        "tagName%20eq%20%27dept%27%20and%20tagValue%20eq%20%27Finance%27",
    ))
    .await;
    assert_eq!(
        names(&by_tag),
        ["Microsoft.ContainerRegistry/registries/demoacr1"]
    );
    assert!(by_tag[0].get("tags").is_none(), "tag filters drop the tags");
    let tag_name = all(list("tagName%20eq%20%27Dept%27")).await;
    assert_eq!(tag_name.len(), 2, "tag names are case-insensitive");
    assert!(tag_name.iter().all(|v| v.get("tags").is_some()));
    let substring = all(list("substringof(%27demo%27%2C%20name)")).await;
    assert_eq!(substring.len(), 2);
    let top = c.get(&url(&format!("{g}/resources?$top=1"), RG_API)).await;
    assert_eq!(top.body["value"].as_array().map(Vec::len), Some(1));
    assert!(top.body.get("nextLink").is_none(), "$top cuts the result");
    let expanded = c
        .get(&url(&format!("{g}/resources?$filter=name%20eq%20%27vnet1%27&$expand=createdTime,provisioningState"), RG_API))
        .await;
    assert_eq!(expanded.body["value"][0]["provisioningState"], "Succeeded");
    assert!(expanded.body["value"][0]["createdTime"].is_string());

    // Subscription scope.
    let sub_wide = all(url(
        &format!("/subscriptions/{SUB}/resources?$filter=resourceGroup%20eq%20%27OTHER%27"),
        RG_API,
    ))
    .await;
    assert_eq!(
        names(&sub_wide),
        ["Microsoft.ManagedIdentity/userAssignedIdentities/demo-two"]
    );
    let sub_type = all(url(
        &format!("/subscriptions/{SUB}/resources?$filter=resourceType%20eq%20%27Microsoft.ManagedIdentity%2FuserAssignedIdentities%27%20and%20location%20eq%20%27northeurope%27"),
        RG_API,
    ))
    .await;
    assert_eq!(sub_type.len(), 1);

    // What ARM does not understand it refuses, in its words.
    for (raw, text) in [
        ("kind%20eq%20%27x%27", "kind eq 'x'"),
        (
            "tagName%20eq%20%27a%27%20and%20resourceType%20eq%20%27b%27",
            "tagName eq 'a' and resourceType eq 'b'",
        ),
        (
            "startswith(resourceType%2C%20%27Microsoft.Storage%27)",
            "startswith(resourceType, 'Microsoft.Storage')",
        ),
    ] {
        let r = c.get(&list(raw)).await;
        assert_eq!(r.status, 400, "{text}");
        assert_eq!(
            r.body,
            json!({"error": {"code": "InvalidFilterInQueryString",
                "message": format!("Invalid $filter '{text}' specified in the query string.")}})
        );
    }
    // Resource groups filter by tags only.
    let groups = c
        .get(&url(
            &format!("/subscriptions/{SUB}/resourcegroups?$filter=tagName%20eq%20%27none%27"),
            RG_API,
        ))
        .await;
    assert_eq!(groups.body["value"], json!([]));
    emu.shutdown().await.expect("shutdown");
}

/// Subnet delegations answer with the actions the Network RP grants and an empty `purpose`
/// (SubnetCreateWithDelegation.json, network stable/2025-07-01).
#[tokio::test]
async fn delegated_subnets_answer_actions_and_purpose() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "deleg").await;
    let vnet = vnet_with_subnets(&c, &g).await;
    let aci = c.get(&url(&format!("{vnet}/subnets/aci"), NET_API)).await;
    let delegation = &aci.body["properties"]["delegations"][0];
    assert_eq!(
        delegation["properties"]["actions"],
        json!(["Microsoft.Network/virtualNetworks/subnets/action"])
    );
    assert_eq!(aci.body["properties"]["purpose"], "");
    let r = c
        .put(
            &url(&format!("{vnet}/subnets/other"), NET_API),
            &json!({"properties": {"addressPrefix": "10.0.32.0/24", "delegations": [
                {"name": "myDelegation", "properties": {"serviceName": "Microsoft.Provider/resourceType"}}]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["properties"]["delegations"][0]["properties"]["actions"],
        json!([])
    );
    let plain = c.get(&url(&format!("{vnet}/subnets/nodes"), NET_API)).await;
    assert!(plain.body["properties"].get("purpose").is_none());
}

/// Resource group names may hold any Unicode letter (Learn naming rules for
/// Microsoft.Resources/resourcegroups); clients percent-encode them in the path.
#[tokio::test]
async fn percent_encoded_names_are_decoded() {
    let (_emu, c) = start(EmulatorConfig {
        list_page_size: 1,
        ..fast_config()
    })
    .await;
    let encoded = format!("/subscriptions/{SUB}/resourceGroups/%C3%BCml%C3%A4ut-gr%C3%BCppe");
    let r = c
        .put(&url(&encoded, RG_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["name"], "ümläut-grüppe");
    assert_eq!(
        r.body["id"],
        format!("/subscriptions/{SUB}/resourceGroups/ümläut-grüppe")
    );
    assert_eq!(c.get(&url(&encoded, RG_API)).await.status, 200);
    let uai =
        format!("{encoded}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id%C3%A9");
    let r = c
        .put(&url(&uai, MSI_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(r.status, 400, "identity names are ASCII only: {}", r.body);
    let uai = format!("{encoded}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app");
    let r = c
        .put(&url(&uai, MSI_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    group(&c, "plain").await;
    // Paging through the groups: the nextLink stays a valid (encoded) URL.
    let mut names = Vec::new();
    let mut next = Some(url(&format!("/subscriptions/{SUB}/resourcegroups"), RG_API));
    while let Some(link) = next {
        let page = c.get(&link).await;
        assert_eq!(page.status, 200, "{link}");
        for g in page.body["value"].as_array().into_iter().flatten() {
            names.push(g["name"].as_str().unwrap_or("").to_string());
        }
        next = page.body["nextLink"].as_str().map(str::to_string);
    }
    names.sort();
    assert_eq!(names, ["plain", "ümläut-grüppe"]);
    let listed = c.get(&url(&format!("{encoded}/resources"), RG_API)).await;
    assert_eq!(listed.body["value"][0]["name"], "app");
}

/// Route tables and NSGs: what the Network RP refuses (a VirtualAppliance route without its
/// address, NSG rules sharing a priority and direction, priorities outside 100-4096), the
/// subnets listed on their GET, the delete refused while a subnet uses them, and a PUT that
/// replaces the inline set.
#[tokio::test]
async fn route_tables_and_network_security_groups() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let vnet = vnet_with_subnets(&c, &g).await;
    let rt = res(&g, "Microsoft.Network/routeTables/rt1");
    let nsg = res(&g, "Microsoft.Network/networkSecurityGroups/nsg1");

    let r = c
        .put(
            &url(&rt, NET_API),
            &json!({"location": "westeurope", "properties": {"routes": [
                {"name": "r", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}}
            ]}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "InvalidNextHopIpAddress"));
    let got = c
        .create(
            &url(&rt, NET_API),
            &json!({"location": "westeurope", "properties": {"routes": [
                {"name": "r", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "virtualappliance", "nextHopIpAddress": "10.0.2.4"}}
            ]}}),
        )
        .await;
    let route = &got.body["properties"]["routes"][0];
    assert_eq!(route["properties"]["nextHopType"], "VirtualAppliance");
    assert_eq!(route["type"], "Microsoft.Network/routeTables/routes");
    assert_eq!(got.body["properties"]["disableBgpRoutePropagation"], false);

    let rule = |name: &str, priority: u32, direction: &str| {
        json!({"name": name, "properties": {"priority": priority, "direction": direction,
            "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
            "destinationAddressPrefix": "*", "destinationPortRange": "443"}})
    };
    let r = c
        .put(
            &url(&nsg, NET_API),
            &json!({"location": "westeurope", "properties": {"securityRules": [
                rule("a", 100, "Inbound"), rule("b", 100, "Inbound")
            ]}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "SecurityRuleConflict"));
    let r = c
        .put(
            &url(&nsg, NET_API),
            &json!({"location": "westeurope", "properties": {"securityRules": [rule("a", 99, "Inbound")]}}),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "SecurityRuleInvalidPriority"));
    let got = c
        .create(
            &url(&nsg, NET_API),
            &json!({"location": "westeurope", "properties": {"securityRules": [
                rule("a", 100, "Inbound"), rule("b", 100, "Outbound")
            ]}}),
        )
        .await;
    assert_eq!(
        got.body["properties"]["defaultSecurityRules"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );

    let subnet = format!("{vnet}/subnets/nodes");
    c.create(
        &url(&subnet, NET_API),
        &json!({"properties": {"addressPrefix": "10.0.0.0/22",
            "routeTable": {"id": rt}, "networkSecurityGroup": {"id": nsg}}}),
    )
    .await;
    let got = c.get(&url(&rt, NET_API)).await;
    assert!(
        got.body["properties"]["subnets"][0]["id"]
            .as_str()
            .is_some_and(|id| id.eq_ignore_ascii_case(&subnet)),
        "{}",
        got.body
    );
    let r = c.delete(&url(&rt, NET_API)).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "InUseRouteTableCannotBeDeleted")
    );
    let r = c.delete(&url(&nsg, NET_API)).await;
    assert_eq!(
        (r.status, r.code()),
        (400, "InUseNetworkSecurityGroupCannotBeDeleted")
    );

    // Taken off the subnet (a PUT without them), both can go.
    c.create(
        &url(&subnet, NET_API),
        &json!({"properties": {"addressPrefix": "10.0.0.0/22", "routeTable": null}}),
    )
    .await;
    // A PUT without `routes` empties the table.
    let got = c
        .create(&url(&rt, NET_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(got.body["properties"]["routes"], json!([]));
    assert!(got.body["properties"].get("subnets").is_none());
    for id in [&rt, &nsg] {
        let r = c.delete(&url(id, NET_API)).await;
        assert!(matches!(r.status, 200 | 202 | 204), "{}", r.body);
    }
}

/// Azure Monitor workspaces (Microsoft.Monitor 2023-04-03): the path's name pattern, the
/// PublicNetworkAccess enum and ARM's location rule are refused; the service's read-only values
/// are kept across updates and what a client sends for them is ignored; PATCH takes tags.
#[tokio::test]
async fn azure_monitor_workspaces() {
    const API: &str = "2023-04-03";
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let amw = res(&g, "Microsoft.Monitor/accounts/amw1");

    // `^(?!-)[a-zA-Z0-9-]+[^-]$` (monitoringAccounts_API.json).
    for bad in ["-amw", "amw-", "a"] {
        let r = c
            .put(
                &url(&res(&g, &format!("Microsoft.Monitor/accounts/{bad}")), API),
                &json!({"location": "westeurope"}),
            )
            .await;
        assert_eq!((r.status, r.code()), (400, "InvalidResourceName"), "{bad}");
    }
    let r = c
        .put(
            &url(&amw, API),
            &json!({"location": "westeurope", "properties": {"publicNetworkAccess": "Sometimes"}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // Not a long-running operation: 201 with the final body, no polling header.
    let created = c
        .put(
            &url(&amw, API),
            &json!({"location": "westeurope", "properties": {"accountId": "mine", "metrics": {"internalId": "x"}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_none());
    assert!(created.header("location").is_none());
    let props = &created.body["properties"];
    assert_eq!(props["provisioningState"], "Succeeded");
    assert_eq!(props["publicNetworkAccess"], "Enabled");
    let account = props["accountId"].as_str().unwrap().to_string();
    assert_ne!(account, "mine");
    assert_eq!(props["metrics"]["internalId"], format!("mac_{account}"));
    assert!(
        props["defaultIngestionSettings"]["dataCollectionRuleResourceId"]
            .as_str()
            .unwrap()
            .contains("/resourceGroups/MA_amw1_westeurope_managed/providers/Microsoft.Insights/dataCollectionRules/amw1")
    );

    let updated = c
        .put(
            &url(&amw, API),
            &json!({"location": "westeurope", "properties": {"publicNetworkAccess": "Disabled"}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.body["properties"]["accountId"], account.as_str());
    assert_eq!(
        updated.body["properties"]["publicNetworkAccess"],
        "Disabled"
    );
    assert_ne!(updated.body["etag"], created.body["etag"]);

    let moved = c
        .put(&url(&amw, API), &json!({"location": "northeurope"}))
        .await;
    assert_eq!(
        (moved.status, moved.code()),
        (400, "InvalidResourceLocation")
    );

    let patched = c
        .patch(&url(&amw, API), &json!({"tags": {"team": "platform"}}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["tags"]["team"], "platform");
    assert_eq!(
        patched.body["properties"]["publicNetworkAccess"],
        "Disabled"
    );

    let listed = c
        .get(&url(
            &format!("/subscriptions/{SUB}/providers/Microsoft.Monitor/accounts"),
            API,
        ))
        .await;
    assert_eq!(
        listed.body["value"].as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );

    let del = c.delete(&url(&amw, API)).await;
    assert_eq!(del.status, 202);
    assert!(del.header("location").is_some());
    c.wait(&del).await;
    assert_eq!(c.delete(&url(&amw, API)).await.status, 204);
}

/// Log Analytics solutions (OperationsManagement 2015-11-01-preview): the workspace is
/// required and must exist, a Microsoft gallery solution is named `type(workspace)` with the
/// product `OMSGallery/type`, and every answer has the one status the spec declares (PUT 201
/// for an update too, DELETE 200 for an absent solution too).
#[tokio::test]
async fn log_analytics_solutions() {
    const API: &str = "2015-11-01-preview";
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let ws = res(&g, "Microsoft.OperationalInsights/workspaces/logs");
    c.create(
        &url(&ws, LA_API),
        &json!({"location": "westeurope", "properties": {"sku": {"name": "PerGB2018"}}}),
    )
    .await;
    let sol = res(
        &g,
        "Microsoft.OperationsManagement/solutions/ContainerInsights(logs)",
    );
    let body = |workspace: &str, product: &str| {
        json!({"location": "westeurope",
            "plan": {"name": "ContainerInsights(logs)", "publisher": "Microsoft", "product": product},
            "properties": {"workspaceResourceId": workspace}})
    };

    let r = c
        .put(
            &url(&sol, API),
            &json!({"location": "westeurope", "properties": {}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let missing = res(&g, "Microsoft.OperationalInsights/workspaces/nowhere");
    let r = c
        .put(
            &url(&sol, API),
            &body(&missing, "OMSGallery/ContainerInsights"),
        )
        .await;
    assert_eq!(
        r.status, 400,
        "a solution on a missing workspace: {}",
        r.body
    );
    let r = c
        .put(&url(&sol, API), &body(&ws, "ContainerInsights"))
        .await;
    assert_eq!(r.status, 400, "product without OMSGallery/: {}", r.body);
    let misnamed = res(&g, "Microsoft.OperationsManagement/solutions/ci");
    let r = c
        .put(
            &url(&misnamed, API),
            &body(&ws, "OMSGallery/ContainerInsights"),
        )
        .await;
    assert_eq!(r.status, 400, "not named type(workspace): {}", r.body);

    let created = c
        .put(&url(&sol, API), &body(&ws, "OMSGallery/ContainerInsights"))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_none());
    assert_eq!(created.body["properties"]["provisioningState"], "Succeeded");
    let updated = c
        .put(&url(&sol, API), &body(&ws, "OMSGallery/ContainerInsights"))
        .await;
    assert_eq!(updated.status, 201, "{}", updated.body);
    let patched = c
        .patch(&url(&sol, API), &json!({"tags": {"team": "platform"}}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["tags"]["team"], "platform");
    assert_eq!(
        patched.body["plan"]["product"],
        "OMSGallery/ContainerInsights"
    );

    assert_eq!(c.delete(&url(&sol, API)).await.status, 200);
    assert_eq!(c.get(&url(&sol, API)).await.status, 404);
    assert_eq!(c.delete(&url(&sol, API)).await.status, 200);
}

/// Data collection rules (Microsoft.Insights 2023-03-11): synchronous verbs, a flow must send to
/// a destination the rule declares, a destination must point at something that exists in a
/// group the emulator holds, and the service's IDs (`immutableId`, a Log Analytics
/// destination's `workspaceId`) are filled in and kept.
#[tokio::test]
async fn data_collection_rules() {
    const API: &str = "2023-03-11";
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let ws = res(&g, "Microsoft.OperationalInsights/workspaces/logs");
    let workspace = c
        .create(
            &url(&ws, LA_API),
            &json!({"location": "westeurope", "properties": {"sku": {"name": "PerGB2018"}}}),
        )
        .await;
    let dcr = res(&g, "Microsoft.Insights/dataCollectionRules/ci");
    let rule = |workspace: &str, flow_to: &str| {
        json!({"location": "westeurope", "kind": "Linux", "properties": {
            "dataSources": {"extensions": [{"name": "ContainerInsightsExtension",
                "streams": ["Microsoft-ContainerInsights-Group-Default"], "extensionName": "ContainerInsights"}]},
            "destinations": {"logAnalytics": [{"workspaceResourceId": workspace, "name": "ciworkspace"}]},
            "dataFlows": [{"streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": [flow_to]}]}})
    };
    let r = c.put(&url(&dcr, API), &rule(&ws, "elsewhere")).await;
    assert_eq!((r.status, r.code()), (400, "InvalidPayload"), "{}", r.body);
    let missing = res(&g, "Microsoft.OperationalInsights/workspaces/nowhere");
    let r = c.put(&url(&dcr, API), &rule(&missing, "ciworkspace")).await;
    assert_eq!(
        r.status, 400,
        "a destination that does not exist: {}",
        r.body
    );

    let created = c.put(&url(&dcr, API), &rule(&ws, "ciworkspace")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert!(created.header("azure-asyncoperation").is_none());
    assert_eq!(created.body["kind"], "Linux");
    let props = &created.body["properties"];
    assert_eq!(props["provisioningState"], "Succeeded");
    assert_eq!(
        props["destinations"]["logAnalytics"][0]["workspaceId"],
        workspace.body["properties"]["customerId"]
    );
    let immutable = props["immutableId"].as_str().unwrap().to_string();
    assert!(
        immutable.starts_with("dcr-") && immutable.len() == 36,
        "{immutable}"
    );
    let updated = c.put(&url(&dcr, API), &rule(&ws, "ciworkspace")).await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.body["properties"]["immutableId"],
        immutable.as_str()
    );
    let patched = c
        .patch(&url(&dcr, API), &json!({"tags": {"team": "platform"}}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["tags"]["team"], "platform");
    assert_eq!(c.delete(&url(&dcr, API)).await.status, 200);
    assert_eq!(c.delete(&url(&dcr, API)).await.status, 204);
}

const DIAG_API: &str = "2021-05-01-preview";

/// Diagnostic settings under any served resource (diagnosticsSettings_API.json 2021-05-01-preview):
/// a synchronous 200 PUT, an unpaged LIST per resource, 200/204 DELETE; refusals for a resource or
/// workspace that does not exist, a workspace given as a bare GUID, no destination, a sixth setting;
/// the settings go with their resource.
#[tokio::test]
async fn diagnostic_settings_under_any_resource() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "diag").await;
    let ws = res(&g, "Microsoft.OperationalInsights/workspaces/logs");
    c.create(&url(&ws, LA_API), &json!({"location": "westeurope"}))
        .await;
    let vault_like = res(&g, "Microsoft.ContainerRegistry/registries/acrdiag");
    c.create(
        &url(&vault_like, ACR_API),
        &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    )
    .await;
    let setting = |target: &str, name: &str| {
        format!("{target}/providers/Microsoft.Insights/diagnosticSettings/{name}")
    };
    let body = |workspace: &str| {
        json!({"properties": {
            "workspaceId": workspace,
            "logs": [{"categoryGroup": "allLogs", "enabled": true}],
            "metrics": [{"category": "AllMetrics", "enabled": true}]}})
    };

    // Create answers 200 (the only success status declared), with no location or tags.
    let r = c
        .put(&url(&setting(&vault_like, "to-logs"), DIAG_API), &body(&ws))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "Microsoft.Insights/diagnosticSettings");
    assert_eq!(r.body["properties"]["workspaceId"], json!(ws));
    assert!(r.body.get("location").is_none() && r.body.get("tags").is_none());
    let got = c
        .get(&url(&setting(&vault_like, "to-logs"), DIAG_API))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.body["properties"]["logs"][0]["categoryGroup"],
        "allLogs"
    );

    // LIST per resource: this resource's settings only, one page.
    let list = c
        .get(&url(
            &format!("{vault_like}/providers/Microsoft.Insights/diagnosticSettings"),
            DIAG_API,
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1));
    assert!(list.body.get("nextLink").is_none());
    let ws_list = c
        .get(&url(
            &format!("{ws}/providers/Microsoft.Insights/diagnosticSettings"),
            DIAG_API,
        ))
        .await;
    assert_eq!(ws_list.body["value"], json!([]));

    // Not in the group's generic LIST (no location: not a tracked resource).
    let contents = c.get(&url(&format!("{g}/resources"), RG_API)).await;
    assert!(
        !contents.body.to_string().contains("diagnosticSettings"),
        "{}",
        contents.body
    );

    // A resource of a served type that does not exist.
    let missing = res(&g, "Microsoft.ContainerRegistry/registries/nothere");
    let r = c
        .put(&url(&setting(&missing, "x"), DIAG_API), &body(&ws))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ResourceNotFound"),
        "{}",
        r.body
    );
    let r = c
        .get(&url(
            &format!("{missing}/providers/Microsoft.Insights/diagnosticSettings"),
            DIAG_API,
        ))
        .await;
    assert_eq!(r.status, 404, "{}", r.body);

    // A workspace that does not exist, a workspace GUID, no destination at all.
    let gone = res(&g, "Microsoft.OperationalInsights/workspaces/gone");
    let r = c
        .put(&url(&setting(&vault_like, "x"), DIAG_API), &body(&gone))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ResourceNotFound"),
        "{}",
        r.body
    );
    let r = c
        .put(
            &url(&setting(&vault_like, "x"), DIAG_API),
            &body("1c11b111-111e-1f11-b111-beef1111c1e1"),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "LinkedInvalidPropertyId"),
        "{}",
        r.body
    );
    let r = c
        .put(&url(&setting(&vault_like, "x"), DIAG_API), &body(""))
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    // `enabled` is required on every log and metric entry.
    let r = c
        .put(
            &url(&setting(&vault_like, "x"), DIAG_API),
            &json!({"properties": {"workspaceId": ws, "logs": [{"category": "ContainerRegistryLoginEvents"}]}}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);

    // Five settings per resource at most.
    for i in 1..5 {
        let r = c
            .put(
                &url(&setting(&vault_like, &format!("s{i}")), DIAG_API),
                &body(&ws),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let r = c
        .put(&url(&setting(&vault_like, "s5"), DIAG_API), &body(&ws))
        .await;
    assert_eq!(r.status, 400, "a sixth setting: {}", r.body);
    // An update of an existing one is not a sixth.
    let r = c
        .put(&url(&setting(&vault_like, "s1"), DIAG_API), &body(&ws))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // DELETE: 200, then 204; no PATCH.
    let r = c
        .patch(&url(&setting(&vault_like, "s4"), DIAG_API), &json!({}))
        .await;
    assert_eq!(r.status, 405);
    let r = c.delete(&url(&setting(&vault_like, "s4"), DIAG_API)).await;
    assert_eq!(r.status, 200);
    let r = c.delete(&url(&setting(&vault_like, "s4"), DIAG_API)).await;
    assert_eq!(r.status, 204);
    let r = c.get(&url(&setting(&vault_like, "s4"), DIAG_API)).await;
    assert_eq!(r.status, 404);

    // Deleting the resource takes its settings.
    let del = c.delete(&url(&vault_like, ACR_API)).await;
    c.wait(&del).await;
    c.create(
        &url(&vault_like, ACR_API),
        &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    )
    .await;
    let list = c
        .get(&url(
            &format!("{vault_like}/providers/Microsoft.Insights/diagnosticSettings"),
            DIAG_API,
        ))
        .await;
    assert_eq!(
        list.body["value"],
        json!([]),
        "settings outlived their resource"
    );
    emu.shutdown().await.expect("shutdown");
}

const DCRA_API: &str = "2023-03-11";

/// Data collection rule associations under any served resource
/// (dataCollectionRuleAssociations_API.json 2023-03-11): 201 then 200 PUTs, LISTs per resource and
/// per rule (the rule's wherever their resources are), 200/204 DELETE; refusals for a resource or
/// rule that does not exist; associations go with their resource.
#[tokio::test]
async fn rule_associations_under_any_resource() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "dcra").await;
    let rule = res(&g, "Microsoft.Insights/dataCollectionRules/ci");
    c.create(
        &url(&rule, DCRA_API),
        &json!({"location": "westeurope", "properties": {}}),
    )
    .await;
    let acr = res(&g, "Microsoft.ContainerRegistry/registries/acrdcra");
    c.create(
        &url(&acr, ACR_API),
        &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    )
    .await;
    let other = res(&g, "Microsoft.ContainerRegistry/registries/acrother");
    c.create(
        &url(&other, ACR_API),
        &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    )
    .await;
    let association = |target: &str, name: &str| {
        format!("{target}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}")
    };
    let body = |rule: &str| json!({"properties": {"dataCollectionRuleId": rule}});

    // 201 on create, 200 on update, Succeeded, no location or tags.
    let r = c
        .put(&url(&association(&acr, "ci"), DCRA_API), &body(&rule))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["type"],
        "Microsoft.Insights/dataCollectionRuleAssociations"
    );
    assert_eq!(r.body["properties"]["provisioningState"], "Succeeded");
    assert!(r.body.get("location").is_none() && r.body.get("tags").is_none());
    let r = c
        .put(
            &url(&association(&acr, "ci"), DCRA_API),
            &json!({"properties": {"dataCollectionRuleId": rule, "description": "CI"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["description"], "CI");
    let r = c
        .put(&url(&association(&other, "ci"), DCRA_API), &body(&rule))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);

    // LIST per resource: its own only; LIST per rule: both.
    let list = c
        .get(&url(
            &format!("{acr}/providers/Microsoft.Insights/dataCollectionRuleAssociations"),
            DCRA_API,
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["value"].as_array().map(Vec::len), Some(1));
    let by_rule = c.get(&url(&format!("{rule}/associations"), DCRA_API)).await;
    assert_eq!(by_rule.status, 200, "{}", by_rule.body);
    assert_eq!(by_rule.body["value"].as_array().map(Vec::len), Some(2));

    // Not in the group's generic LIST (no location).
    let contents = c.get(&url(&format!("{g}/resources"), RG_API)).await;
    assert!(
        !contents
            .body
            .to_string()
            .contains("dataCollectionRuleAssociations"),
        "{}",
        contents.body
    );

    // A missing resource of a served type, a missing rule.
    let missing = res(&g, "Microsoft.ContainerRegistry/registries/nothere");
    let r = c
        .put(&url(&association(&missing, "ci"), DCRA_API), &body(&rule))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ResourceNotFound"),
        "{}",
        r.body
    );
    let gone = res(&g, "Microsoft.Insights/dataCollectionRules/gone");
    let r = c
        .put(&url(&association(&acr, "gone"), DCRA_API), &body(&gone))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (404, "ResourceNotFound"),
        "{}",
        r.body
    );
    let r = c.get(&url(&format!("{gone}/associations"), DCRA_API)).await;
    assert_eq!(r.status, 404, "{}", r.body);

    // DELETE: 200, then 204 ("Association did not exist"); no PATCH.
    let r = c
        .patch(&url(&association(&other, "ci"), DCRA_API), &json!({}))
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(
        c.delete(&url(&association(&other, "ci"), DCRA_API))
            .await
            .status,
        200
    );
    assert_eq!(
        c.delete(&url(&association(&other, "ci"), DCRA_API))
            .await
            .status,
        204
    );

    // Deleting the resource takes its associations.
    let del = c.delete(&url(&acr, ACR_API)).await;
    c.wait(&del).await;
    let by_rule = c.get(&url(&format!("{rule}/associations"), DCRA_API)).await;
    assert_eq!(by_rule.body["value"], json!([]), "{}", by_rule.body);
    emu.shutdown().await.expect("shutdown");
}
