//! Identities, federated credentials and role assignments against the emulator over HTTPS:
//! generated ids, the federated-credential rules (one audience, unique issuer+subject, no
//! concurrent writes), and role assignments at every scope with their ARM conflicts.

#[path = "emulator_support/mod.rs"]
mod support;

use std::time::Duration;

use azplan::emulator::EmulatorConfig;
use serde_json::json;
use support::{SUB, fast_config, group, res, start, url};

const ACR_API: &str = "2025-11-01";
const MSI_API: &str = "2024-11-30";
const RA_API: &str = "2022-04-01";

#[tokio::test]
async fn identities_and_federated_credentials() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "rg").await;
    let id = res(&g, "Microsoft.ManagedIdentity/userAssignedIdentities/app");
    let r = c
        .put(&url(&id, MSI_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(r.status, 201);
    for field in ["principalId", "clientId", "tenantId"] {
        assert!(r.body["properties"][field].is_string(), "{field}");
    }
    assert!(
        r.body["properties"].get("isolationScope").is_none(),
        "2024-11-30 has no isolationScope"
    );
    let newer = c.get(&url(&id, "2026-05-31")).await;
    assert_eq!(newer.status, 200);
    let r = c
        .put(&url(&id, "2026-05-31"), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(
        (r.status, r.body["properties"]["isolationScope"].as_str()),
        (200, Some("None"))
    );
    assert_eq!(
        r.body["properties"]["principalId"], newer.body["properties"]["principalId"],
        "ids are stable"
    );
    let fic = |name: &str| {
        url(
            &format!("{id}/federatedIdentityCredentials/{name}"),
            MSI_API,
        )
    };
    let body = |subject: &str| json!({"properties": {"issuer": "https://oidc.example/abc/", "subject": subject, "audiences": ["api://AzureADTokenExchange"]}});
    let r = c
        .put(&fic("fic1"), &body("system:serviceaccount:ns:a"))
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.body["type"],
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"
    );
    assert_eq!(
        c.put(&fic("fic2"), &body("system:serviceaccount:ns:b"))
            .await
            .status,
        201,
        "sequential writes are fine"
    );
    let r = c
        .put(&fic("fic3"), &body("system:serviceaccount:ns:a"))
        .await;
    assert_eq!(r.status, 400, "issuer+subject must be unique");
    let r = c.put(&fic("fic4"), &json!({"properties": {"issuer": "https://x/", "subject": "s", "audiences": ["a", "b"]}})).await;
    assert_eq!(r.status, 400);
    let r = c
        .put(
            &fic("fic5"),
            &json!({"properties": {"issuer": "https://x/", "audiences": ["a"]}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        c.get(&url(&format!("{id}/federatedIdentityCredentials"), MSI_API))
            .await
            .body["value"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(c.delete(&fic("fic2")).await.status, 200);
    assert_eq!(c.delete(&fic("fic2")).await.status, 204);
    assert_eq!(c.delete(&url(&id, MSI_API)).await.status, 200);
    assert_eq!(
        c.get(&fic("fic1")).await.status,
        404,
        "children go with the identity"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn concurrent_federated_credential_writes_conflict() {
    let config = EmulatorConfig {
        credential_write_window: Duration::from_millis(1000),
        time_scale: 1.0,
        ..EmulatorConfig::default()
    };
    let (emu, c) = start(config).await;
    let g = group(&c, "rg").await;
    let id = res(&g, "Microsoft.ManagedIdentity/userAssignedIdentities/app");
    c.put(&url(&id, MSI_API), &json!({"location": "westeurope"}))
        .await;
    let put = |n: &str| {
        let c = c.clone();
        let path = url(&format!("{id}/federatedIdentityCredentials/{n}"), MSI_API);
        let body = json!({"properties": {"issuer": "https://oidc.example/", "subject": format!("system:serviceaccount:ns:{n}"), "audiences": ["api://AzureADTokenExchange"]}});
        async move { c.put(&path, &body).await }
    };
    let (a, b) = tokio::join!(put("one"), put("two"));
    let mut statuses = vec![a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, vec![201, 409]);
    let conflict = if a.status == 409 { a } else { b };
    assert_eq!(
        conflict.code(),
        "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity"
    );
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn role_assignments_at_any_scope() {
    let config = EmulatorConfig {
        time_scale: 1.0,
        principal_window: Duration::from_secs(30),
        ..EmulatorConfig::default()
    };
    let (emu, c) = start(config).await;
    let g = group(&c, "rg").await;
    let role = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"
    );
    let principal = "ce2ce14e-85d7-4629-bdbc-454d0519d987";
    let ra = |scope: &str, name: &str| {
        url(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            RA_API,
        )
    };
    let body = |p: &str, t: &str| json!({"properties": {"roleDefinitionId": role, "principalId": p, "principalType": t}});
    let first = ra(&g, "05c5a614-a7d6-4502-b150-c2fb455033ff");
    let r = c.put(&first, &body(principal, "ServicePrincipal")).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["properties"]["scope"], g);
    assert_eq!(
        c.put(&first, &body(principal, "ServicePrincipal"))
            .await
            .status,
        200
    );
    let r = c
        .put(
            &ra(&g, "1b8d3c5e-0000-4000-8000-000000000001"),
            &body(principal, "ServicePrincipal"),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "RoleAssignmentExists"));
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("05c5a614a7d64502b150c2fb455033ff")
    );
    let r = c
        .put(
            &first,
            &body("aaaaaaaa-0000-4000-8000-000000000000", "ServicePrincipal"),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (400, "RoleAssignmentUpdateNotPermitted")
    );
    let r = c.put(&ra(&g, "not-a-guid"), &body(principal, "User")).await;
    assert_eq!(r.status, 400);

    // A fresh identity is not yet visible to the directory unless principalType says ServicePrincipal.
    let id = res(&g, "Microsoft.ManagedIdentity/userAssignedIdentities/fresh");
    let created = c
        .put(&url(&id, MSI_API), &json!({"location": "westeurope"}))
        .await;
    let fresh = created.body["properties"]["principalId"]
        .as_str()
        .expect("principalId")
        .to_string();
    let acr = res(&g, "Microsoft.ContainerRegistry/registries/acr12345");
    c.put(
        &url(&acr, ACR_API),
        &json!({"location": "westeurope", "sku": {"name": "Basic"}}),
    )
    .await;
    let r = c
        .put(
            &ra(&acr, "2b8d3c5e-0000-4000-8000-000000000002"),
            &body(&fresh, "User"),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "PrincipalNotFound"));
    let r = c
        .put(
            &ra(&acr, "2b8d3c5e-0000-4000-8000-000000000002"),
            &body(&fresh, "ServicePrincipal"),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let sub_scope = format!("/subscriptions/{SUB}");
    assert_eq!(
        c.put(
            &ra(&sub_scope, "3b8d3c5e-0000-4000-8000-000000000003"),
            &body(principal, "User")
        )
        .await
        .status,
        201
    );
    let missing = res(&g, "Microsoft.ContainerRegistry/registries/missing1");
    assert_eq!(
        c.put(
            &ra(&missing, "4b8d3c5e-0000-4000-8000-000000000004"),
            &body(principal, "User")
        )
        .await
        .status,
        404
    );

    let list = |scope: &str, filter: &str| {
        let c = c.clone();
        let path = format!(
            "{}{}",
            url(
                &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
                RA_API
            ),
            filter
        );
        async move {
            c.get(&path).await.body["value"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0)
        }
    };
    assert_eq!(list(&g, "").await, 3, "at, above and below the group");
    assert_eq!(list(&g, "&$filter=atScope()").await, 2, "at and above");
    assert_eq!(list(&acr, "").await, 3);
    let del = c.delete(&first).await;
    assert_eq!(
        (del.status, del.body["name"].as_str()),
        (200, Some("05c5a614-a7d6-4502-b150-c2fb455033ff"))
    );
    assert_eq!(c.delete(&first).await.status, 204);
    let r = c.get(&first).await;
    assert_eq!((r.status, r.code()), (404, "RoleAssignmentNotFound"));
    emu.shutdown().await.expect("shutdown");
}

/// The managed identity provider writes `resourcegroups` in lower case in the ids it returns
/// (IdentityCreate.json, FederatedIdentityCredentialGet.json); lookups stay case-insensitive.
#[tokio::test]
async fn identity_ids_are_cased_as_the_service_writes_them() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "Casing").await;
    let id = res(&g, "Microsoft.ManagedIdentity/userAssignedIdentities/app");
    let r = c
        .put(&url(&id, MSI_API), &json!({"location": "westeurope"}))
        .await;
    assert_eq!(
        r.body["id"],
        format!(
            "/subscriptions/{SUB}/resourcegroups/Casing/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"
        )
    );
    let fic = c
        .put(
            &url(&format!("{id}/federatedIdentityCredentials/fic1"), MSI_API),
            &json!({"properties": {"issuer": "https://oidc.example/issuer", "subject": "system:serviceaccount:ns:sa",
                "audiences": ["api://AzureADTokenExchange"]}}),
        )
        .await;
    assert_eq!(fic.status, 201, "{}", fic.body);
    assert_eq!(
        fic.body["id"],
        format!(
            "/subscriptions/{SUB}/resourcegroups/Casing/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app/federatedIdentityCredentials/fic1"
        )
    );
    let listed = c
        .get(&url(&format!("{id}/federatedIdentityCredentials"), MSI_API))
        .await;
    assert_eq!(listed.body["value"][0]["id"], fic.body["id"]);
    let fetched = c
        .get(&url(fic.body["id"].as_str().unwrap_or_default(), MSI_API))
        .await;
    assert_eq!(
        fetched.status, 200,
        "the lower-cased id addresses the same credential"
    );
}
