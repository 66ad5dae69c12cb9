//! Sign-in end to end: azure_identity 1.0's real credentials (ClientSecretCredential,
//! ClientAssertionCredential / WorkloadIdentityCredential, ManagedIdentityCredential) fetch tokens
//! from the emulator's Entra endpoints through their authority-host setting, and ARM in strict
//! mode checks them (issuer, audience, expiry) with ARM's 401s.

mod emulator_support;

use std::sync::Arc;

use azplan::emulator::{EmulatorConfig, RunningEmulator};
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientMethodOptions, ClientOptions, Transport};
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use emulator_support::{Client, fast_config, group, res, rg, start, url};
use serde_json::json;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;

const ARM_SCOPE: &str = "https://management.azure.com/.default";

fn strict() -> EmulatorConfig {
    EmulatorConfig {
        strict_auth: true,
        ..fast_config()
    }
}

/// Client options that reach the emulator: its CA trusted, its Entra endpoint as the authority.
fn client_options(emu: &RunningEmulator) -> ClientOptions {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(emu.ca_cert_pem().as_bytes()) {
        roots.add(cert.expect("PEM")).expect("CA");
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .expect("HTTP client");
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = emu.authority_host().to_string();
    ClientOptions {
        transport: Some(Transport::new(Arc::new(http))),
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        ..ClientOptions::default()
    }
}

#[tokio::test]
async fn a_client_secret_signs_in_and_strict_arm_checks_the_token() {
    let (emu, anonymous) = start(strict()).await;
    let credential = ClientSecretCredential::new(
        emu.tenant_id(),
        "11111111-2222-3333-4444-555555555555".to_string(),
        Secret::new("a-secret"),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&emu),
        }),
    )
    .expect("credential");
    let token = credential
        .get_token(&[ARM_SCOPE], None)
        .await
        .expect("token from the emulator's Entra endpoint");
    let c = anonymous.with_token(token.token.secret());
    assert_eq!(
        c.put(
            &url(&rg("signed-in"), "2025-04-01"),
            &json!({"location": "westeurope"})
        )
        .await
        .status,
        201,
        "a token issued for ARM is accepted"
    );

    // What strict ARM refuses, in its words.
    let r = anonymous
        .with_token("not-a-token")
        .get(&url(&rg("signed-in"), "2025-04-01"))
        .await;
    assert_eq!((r.status, r.code()), (401, "InvalidAuthenticationToken"));
    assert!(r.header("www-authenticate").is_some());
    let storage = credential
        .get_token(&["https://storage.azure.com/.default"], None)
        .await
        .expect("token for another resource");
    let r = anonymous
        .with_token(storage.token.secret())
        .get(&url(&rg("signed-in"), "2025-04-01"))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (401, "InvalidAuthenticationTokenAudience")
    );
    assert!(
        r.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("'https://storage.azure.com'"))
    );

    // Entra's own refusals reach the credential as errors.
    let other_tenant = ClientSecretCredential::new(
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "11111111-2222-3333-4444-555555555555".to_string(),
        Secret::new("a-secret"),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&emu),
        }),
    )
    .expect("credential");
    let err = other_tenant
        .get_token(&[ARM_SCOPE], None)
        .await
        .expect_err("unknown tenant");
    assert!(err.to_string().contains("AADSTS90002"), "{err}");
    let err = credential
        .get_token(&["https://management.azure.com/user_impersonation"], None)
        .await
        .expect_err("client credentials need /.default");
    assert!(err.to_string().contains("AADSTS1002012"), "{err}");
}

#[tokio::test]
async fn permissive_mode_stays_the_default() {
    let (_emu, c) = start(fast_config()).await;
    let r = c
        .with_token("anything")
        .put(
            &url(&rg("loose"), "2025-04-01"),
            &json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(r.status, 201);
}

/// A Kubernetes-style service-account token, as the workload identity webhook projects it.
fn service_account_token(issuer: &str, subject: &str) -> String {
    let b64 = |v: serde_json::Value| {
        let text = v.to_string();
        let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let bytes = text.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(char::from(table[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    };
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
        + 3600;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(json!({"alg": "RS256", "kid": "k1"})),
        b64(
            json!({"iss": issuer, "sub": subject, "aud": ["api://AzureADTokenExchange"], "exp": exp})
        )
    )
}

#[derive(Debug)]
struct Assertion(String);

#[async_trait::async_trait]
impl ClientAssertion for Assertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        Ok(self.0.clone())
    }
}

#[tokio::test]
async fn workload_identity_federation_matches_the_federated_credentials() {
    let (emu, c) = start(strict()).await;
    // Set up with a token of the emulator's own: a service principal with a secret.
    let admin = ClientSecretCredential::new(
        emu.tenant_id(),
        "99999999-2222-3333-4444-555555555555".to_string(),
        Secret::new("admin"),
        Some(ClientSecretCredentialOptions {
            client_options: client_options(&emu),
        }),
    )
    .expect("credential");
    let admin_token = admin.get_token(&[ARM_SCOPE], None).await.expect("token");
    let c = c.with_token(admin_token.token.secret());
    let g = group(&c, "wi").await;
    let identity = res(&g, "Microsoft.ManagedIdentity/userAssignedIdentities/app");
    let uai = c
        .put(
            &url(&identity, "2024-11-30"),
            &json!({"location": "westeurope"}),
        )
        .await;
    let client_id = uai.body["properties"]["clientId"]
        .as_str()
        .expect("clientId")
        .to_string();
    let issuer = "https://oidc.prod-aks.azure.com/tenant/issuer/";
    let subject = "system:serviceaccount:apps:web";
    let fic = c
        .put(
            &url(&format!("{identity}/federatedIdentityCredentials/web"), "2024-11-30"),
            &json!({"properties": {"issuer": issuer, "subject": subject, "audiences": ["api://AzureADTokenExchange"]}}),
        )
        .await;
    assert_eq!(fic.status, 201, "{}", fic.body);

    // ClientAssertionCredential with the matching assertion.
    let credential = ClientAssertionCredential::new(
        emu.tenant_id().to_string(),
        client_id.clone(),
        Assertion(service_account_token(issuer, subject)),
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(&emu),
        }),
    )
    .expect("credential");
    let token = credential
        .get_token(&[ARM_SCOPE], None)
        .await
        .expect("federated token");
    let r = c
        .with_token(token.token.secret())
        .get(&url(&identity, "2024-11-30"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // A subject without a federated credential is refused as Entra refuses it.
    let stranger = ClientAssertionCredential::new(
        emu.tenant_id().to_string(),
        client_id.clone(),
        Assertion(service_account_token(
            issuer,
            "system:serviceaccount:apps:other",
        )),
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(&emu),
        }),
    )
    .expect("credential");
    let err = stranger
        .get_token(&[ARM_SCOPE], None)
        .await
        .expect_err("no FIC");
    assert!(err.to_string().contains("AADSTS70021"), "{err}");

    // WorkloadIdentityCredential reads the projected token file, as in a pod.
    let dir = std::env::temp_dir().join(format!("azplan-wi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let token_file = dir.join("token");
    std::fs::write(&token_file, service_account_token(issuer, subject)).expect("token file");
    let workload = WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
        credential_options: ClientAssertionCredentialOptions {
            client_options: client_options(&emu),
        },
        client_id: Some(client_id),
        tenant_id: Some(emu.tenant_id().to_string()),
        token_file_path: Some(token_file),
    }))
    .expect("credential");
    let token = workload
        .get_token(&[ARM_SCOPE], None)
        .await
        .expect("workload token");
    let r = c
        .with_token(token.token.secret())
        .get(&url(&identity, "2024-11-30"))
        .await;
    assert_eq!(r.status, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

/// ManagedIdentityCredential takes its endpoint from the process environment
/// (IDENTITY_ENDPOINT / IDENTITY_HEADER), so this test re-runs itself in a child process with that
/// environment set (changing this process's environment would be unsafe).
#[tokio::test]
async fn managed_identity_signs_in_through_the_identity_endpoint() {
    if let Ok(endpoint) = std::env::var("AZPLAN_TEST_MI_ARM") {
        return child_signs_in(&endpoint).await;
    }
    let (emu, c) = start(strict()).await;
    let ca = emu.ca_cert_path().to_path_buf();
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"));
    child
        .args([
            "managed_identity_signs_in_through_the_identity_endpoint",
            "--exact",
            "--nocapture",
        ])
        .env("AZPLAN_TEST_MI_ARM", emu.endpoint())
        .env("AZPLAN_TEST_MI_CA", &ca)
        .env("IDENTITY_ENDPOINT", emu.identity_endpoint())
        .env("IDENTITY_HEADER", emu.identity_header());
    // Waited for off this runtime's thread: the emulator serving the child runs on it.
    let output = tokio::task::spawn_blocking(move || child.output())
        .await
        .expect("join")
        .expect("child test runs");
    assert!(
        output.status.success(),
        "the child's sign-in failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The wrong header secret is refused by the endpoint itself.
    let r = c
        .without_token()
        .call_with(
            "GET",
            &format!(
                "{}?api-version=2019-08-01&resource=https://management.azure.com",
                emu.identity_endpoint()
            ),
            None,
            &[("X-IDENTITY-HEADER", "wrong")],
        )
        .await;
    assert_eq!(r.status, 401);
}

async fn child_signs_in(endpoint: &str) {
    let ca =
        std::fs::read_to_string(std::env::var("AZPLAN_TEST_MI_CA").expect("CA path")).expect("CA");
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca.as_bytes()) {
        roots.add(cert.expect("PEM")).expect("CA");
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .expect("HTTP client");
    let credential = azure_identity::ManagedIdentityCredential::new(Some(
        azure_identity::ManagedIdentityCredentialOptions {
            client_options: ClientOptions {
                transport: Some(Transport::new(Arc::new(http))),
                ..ClientOptions::default()
            },
            ..Default::default()
        },
    ))
    .expect("credential");
    let token = credential
        .get_token(&[ARM_SCOPE], None)
        .await
        .expect("managed identity token");
    let c = Client::connect(endpoint, &ca, Some(token.token.secret()));
    let r = c
        .put(
            &url(&rg("from-mi"), "2025-04-01"),
            &json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(
        r.status, 201,
        "strict ARM accepts the managed identity's token: {}",
        r.body
    );
}

/// What a CLI reads before it signs in: ARM's cloud metadata (the emulator is both the resource
/// manager and the login endpoint) and the subscriptions the signed-in principal sees.
#[tokio::test]
async fn cloud_metadata_and_subscriptions_are_served() {
    let (emu, c) = start(fast_config()).await;
    let meta = c
        .without_token()
        .get(&format!(
            "{}/metadata/endpoints?api-version=2022-09-01",
            emu.endpoint()
        ))
        .await;
    assert_eq!(meta.status, 200);
    assert_eq!(meta.body["authentication"]["loginEndpoint"], emu.endpoint());
    assert_eq!(meta.body["resourceManager"], format!("{}/", emu.endpoint()));
    let discovery = c
        .without_token()
        .get(&format!(
            "{}/{}/v2.0/.well-known/openid-configuration",
            emu.endpoint(),
            emu.tenant_id()
        ))
        .await;
    assert_eq!(
        discovery.body["token_endpoint"],
        format!("{}/{}/oauth2/v2.0/token", emu.endpoint(), emu.tenant_id())
    );
    group(&c, "somewhere").await;
    let subs = c.get("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(subs.status, 200);
    let first = &subs.body["value"][0];
    assert_eq!(first["subscriptionId"], emulator_support::SUB);
    assert_eq!(first["tenantId"], emu.tenant_id());
    assert_eq!(first["state"], "Enabled");
    let one = c
        .get(&format!(
            "/subscriptions/{}?api-version=2022-12-01",
            emulator_support::SUB
        ))
        .await;
    assert_eq!(one.status, 200);
    let none = c
        .get("/subscriptions/11111111-0000-0000-0000-000000000000?api-version=2022-12-01")
        .await;
    assert_eq!((none.status, none.code()), (404, "SubscriptionNotFound"));
}
