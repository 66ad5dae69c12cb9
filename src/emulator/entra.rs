//! A Microsoft Entra ID stand-in served next to ARM, so real credentials can sign in end to end
//! through their authority-host setting (azure_identity's `ClientOptions::cloud`, MSAL's
//! authority, `AZURE_AUTHORITY_HOST`), and ARM's strict mode that checks what they got:
//!
//! - `POST /{tenant}/oauth2/v2.0/token`, client-credentials grant (Microsoft identity platform,
//!   "OAuth 2.0 client credentials flow"): with `client_secret`, or with `client_assertion` +
//!   `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (workload
//!   identity federation). The scope must be `<resource>/.default`. An assertion presented for a
//!   user-assigned identity this emulator holds must match one of its federated credentials
//!   (issuer, subject, audience `api://AzureADTokenExchange`), else AADSTS70021. Answers
//!   `{token_type, expires_in, ext_expires_in, access_token}`; errors `{error, error_description,
//!   error_codes, timestamp, trace_id, correlation_id}` as Entra sends them.
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration` and `GET /common/discovery/instance`
//!   for clients that discover the authority first (MSAL, the Azure CLI).
//! - `GET /msi/token?api-version=2019-08-01&resource=…[&client_id=…]` with the
//!   `X-IDENTITY-HEADER` secret: the App Service managed-identity protocol that azure_identity's
//!   `ManagedIdentityCredential` speaks when `IDENTITY_ENDPOINT`/`IDENTITY_HEADER` are set.
//!   Answers `{access_token, expires_on, resource, token_type, client_id}`.
//!
//! Tokens are JWTs (see `jwt`) with `iss` `https://sts.windows.net/{tenant}/`, `aud` the resource,
//! `exp` one hour out, `appid`/`oid`/`tid`. ARM accepts any bearer token by default (the planner's
//! tests rely on it); with `strict_auth` it checks signature, issuer, audience and expiry and
//! answers 401 with ARM's own codes (`check_arm_token`).

use serde_json::{Value, json};

use crate::emulator::clock;
use crate::emulator::common::{self, Settings};
use crate::emulator::error::ArmError;
use crate::emulator::handlers::Reply;
use crate::emulator::jwt;
use crate::emulator::kind::Kind;
use crate::emulator::route::Query;
use crate::emulator::state::State;

/// The audiences ARM accepts ("It should exactly match with one of the allowed audiences …").
const ARM_AUDIENCES: [&str; 4] = [
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

const TOKEN_LIFETIME_S: u64 = 3600;

/// Whether a path belongs to the identity endpoints rather than ARM.
pub(crate) fn is_identity_path(path: &str) -> bool {
    !path.starts_with("/subscriptions/") && path != "/subscriptions"
}

fn issuer(settings: &Settings) -> String {
    format!("https://sts.windows.net/{}/", settings.tenant_id)
}

/// An Entra error answer.
fn entra_error(status: u16, error: &str, code: u32, description: &str) -> Reply {
    let now = clock::now_ms();
    Reply::json(
        status,
        json!({
            "error": error,
            "error_description": format!(
                "AADSTS{code}: {description} Trace ID: {} Correlation ID: {} Timestamp: {}",
                common::new_guid(),
                common::new_guid(),
                clock::rfc3339(now)
            ),
            "error_codes": [code],
            "timestamp": clock::rfc3339(now),
            "trace_id": common::new_guid(),
            "correlation_id": common::new_guid(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        }),
    )
}

/// `application/x-www-form-urlencoded` pairs.
fn form(body: &[u8]) -> Query {
    Query::parse(Some(&String::from_utf8_lossy(body)))
}

/// The user-assigned identity (its record body) whose clientId is `client_id`.
fn identity_by_client_id<'s>(
    state: &'s State,
    client_id: &str,
) -> Option<&'s crate::emulator::state::Record> {
    state.resources.values().find(|r| {
        r.kind == Kind::Identity
            && common::str_at(&r.body, &["properties", "clientId"])
                .is_some_and(|c| c.eq_ignore_ascii_case(client_id))
    })
}

fn issue(settings: &Settings, resource: &str, app_id: &str, object_id: &str) -> (String, u64) {
    let now_s = clock::now_ms() / 1000;
    let exp = now_s + TOKEN_LIFETIME_S;
    let claims = json!({
        "aud": resource,
        "iss": issuer(settings),
        "iat": now_s,
        "nbf": now_s,
        "exp": exp,
        "appid": app_id,
        "appidacr": "1",
        "idtyp": "app",
        "oid": object_id,
        "sub": object_id,
        "tid": settings.tenant_id,
        "ver": "1.0",
    });
    (jwt::sign(&settings.token_key, &claims), exp)
}

/// Serves the identity endpoints; `None` when the path is none of them.
pub(crate) fn handle(
    state: &State,
    settings: &Settings,
    method: &str,
    path: &str,
    query: &Query,
    headers: &hyper::HeaderMap,
    body: &[u8],
) -> Option<Reply> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match (method, segs.as_slice()) {
        ("POST", [tenant, "oauth2", "v2.0", "token"]) => {
            Some(token(state, settings, tenant, &form(body)))
        }
        ("GET", [tenant, "v2.0", ".well-known", "openid-configuration"]) => {
            Some(openid_configuration(settings, tenant))
        }
        ("GET", ["common", "discovery", "instance"]) => Some(instance_discovery(settings, query)),
        ("GET", ["msi", "token"]) => Some(managed_identity(state, settings, query, headers)),
        ("GET", ["metadata", "endpoints"]) => Some(cloud_metadata(settings)),
        _ => None,
    }
}

fn token(state: &State, settings: &Settings, tenant: &str, form: &Query) -> Reply {
    if !tenant.eq_ignore_ascii_case(&settings.tenant_id) && tenant != "organizations" {
        return entra_error(
            400,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    if form.get("grant_type") != Some("client_credentials") {
        return entra_error(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type. This emulator serves the client credentials grant.",
        );
    }
    let client_id = form.get("client_id").unwrap_or("");
    if client_id.is_empty() {
        return entra_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    let scope = form.get("scope").unwrap_or("");
    let Some(resource) = scope.strip_suffix("/.default").filter(|r| !r.is_empty()) else {
        return entra_error(
            400,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    };
    let secret = form.get("client_secret").unwrap_or("");
    let assertion = form.get("client_assertion").unwrap_or("");
    let identity = identity_by_client_id(state, client_id);
    if secret.is_empty() && assertion.is_empty() {
        return entra_error(
            401,
            "invalid_client",
            7000216,
            "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
        );
    }
    if secret.is_empty() {
        if form.get("client_assertion_type")
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return entra_error(
                400,
                "invalid_request",
                50027,
                "JWT token is invalid or malformed: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
            );
        }
        let Some(claims) = jwt::claims(assertion) else {
            return entra_error(
                400,
                "invalid_request",
                50027,
                "JWT token is invalid or malformed.",
            );
        };
        let now_s = clock::now_ms() / 1000;
        if claims["exp"].as_u64().is_some_and(|exp| exp < now_s) {
            return entra_error(
                400,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range.",
            );
        }
        if let Some(identity) = identity {
            let iss = claims["iss"].as_str().unwrap_or("");
            let sub = claims["sub"].as_str().unwrap_or("");
            let aud = match &claims["aud"] {
                Value::String(a) => vec![a.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            };
            let matched = state
                .children(&identity.id.to_ascii_lowercase(), Kind::FederatedCredential)
                .iter()
                .any(|fic| {
                    let p = &fic.body["properties"];
                    p["issuer"].as_str() == Some(iss)
                        && p["subject"].as_str() == Some(sub)
                        && p["audiences"].as_array().is_some_and(|a| {
                            a.iter()
                                .any(|x| x.as_str().is_some_and(|x| aud.iter().any(|y| y == x)))
                        })
                });
            if !matched {
                return entra_error(
                    400,
                    "invalid_client",
                    70021,
                    &format!(
                        "No matching federated identity record found for presented assertion. Assertion Issuer: '{iss}'. Assertion Subject: '{sub}'. Assertion Audience: '{}'.",
                        aud.join(",")
                    ),
                );
            }
        }
    }
    let object_id = identity
        .and_then(|i| common::str_at(&i.body, &["properties", "principalId"]))
        .map(str::to_string)
        .unwrap_or_else(|| common::derived_guid(&format!("service-principal/{client_id}")));
    let (access_token, _) = issue(settings, resource, client_id, &object_id);
    Reply::json(
        200,
        json!({
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S - 1,
            "ext_expires_in": TOKEN_LIFETIME_S - 1,
            "access_token": access_token,
        }),
    )
}

fn openid_configuration(settings: &Settings, tenant: &str) -> Reply {
    let base = &settings.base_url;
    let host = base.trim_start_matches("https://");
    Reply::json(
        200,
        json!({
            "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": format!("{base}/{}/v2.0", settings.tenant_id),
            "request_uri_parameter_supported": false,
            "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
            "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "end_session_endpoint": format!("{base}/{tenant}/oauth2/v2.0/logout"),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "tid"],
            "tenant_region_scope": null,
            "cloud_instance_name": host,
            "cloud_graph_host_name": host,
            "msgraph_host": host,
            "rbac_url": base,
        }),
    )
}

/// ARM's cloud metadata (`GET /metadata/endpoints`), which `az cloud register
/// --endpoint-resource-manager` reads: the emulator is both the resource manager and the Entra
/// login endpoint; other endpoints keep the public cloud's values.
fn cloud_metadata(settings: &Settings) -> Reply {
    let base = &settings.base_url;
    Reply::json(
        200,
        json!({
            "name": "AzplanEmulator",
            "portal": base,
            "authentication": {
                "loginEndpoint": base,
                "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "resourceManager": format!("{base}/"),
            "media": "https://rest.media.azure.net",
            "graphAudience": "https://graph.windows.net/",
            "graph": "https://graph.windows.net/",
            "microsoftGraphResourceId": "https://graph.microsoft.com/",
            "batch": "https://batch.core.windows.net/",
            "sqlManagement": "https://management.core.windows.net:8443/",
            "gallery": "https://gallery.azure.com/",
            "activeDirectoryDataLake": "https://datalake.azure.net/",
            "logAnalyticsResourceId": "https://api.loganalytics.io",
            "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/main/arm-compute/quickstart-templates/aliases.json",
            "suffixes": {
                "acrLoginServer": "azurecr.io",
                "keyVaultDns": "vault.azure.net",
                "storage": "core.windows.net",
                "sqlServerHostname": "database.windows.net",
                "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
                "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            },
        }),
    )
}

fn instance_discovery(settings: &Settings, query: &Query) -> Reply {
    let host = settings.base_url.trim_start_matches("https://");
    let tenant = query
        .get("authorization_endpoint")
        .and_then(|a| a.split('/').nth(3))
        .unwrap_or("common")
        .to_string();
    Reply::json(
        200,
        json!({
            "tenant_discovery_endpoint": format!("{}/{tenant}/v2.0/.well-known/openid-configuration", settings.base_url),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }),
    )
}

fn managed_identity(
    state: &State,
    settings: &Settings,
    query: &Query,
    headers: &hyper::HeaderMap,
) -> Reply {
    let header = headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if header != settings.identity_header {
        return Reply::json(
            401,
            json!({"statusCode": 401, "message": "Unauthorized: the X-IDENTITY-HEADER secret is missing or wrong."}),
        );
    }
    let Some(resource) = query.get("resource").filter(|r| !r.is_empty()) else {
        return Reply::json(
            400,
            json!({"error": "invalid_request", "error_description": "Required query variable 'resource' is missing"}),
        );
    };
    let (client_id, object_id) = match query.get("client_id") {
        Some(id) => match identity_by_client_id(state, id) {
            Some(identity) => (
                id.to_string(),
                common::str_at(&identity.body, &["properties", "principalId"])
                    .unwrap_or("")
                    .to_string(),
            ),
            None => {
                return Reply::json(
                    400,
                    json!({"error": "invalid_request", "error_description": format!("Identity not found: no user-assigned identity with client ID '{id}' is assigned to this resource.")}),
                );
            }
        },
        None => (
            common::derived_guid("system-assigned/app"),
            common::derived_guid("system-assigned/object"),
        ),
    };
    let (access_token, exp) = issue(
        settings,
        resource.trim_end_matches("/.default"),
        &client_id,
        &object_id,
    );
    Reply::json(
        200,
        json!({
            "access_token": access_token,
            "expires_on": exp.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "client_id": client_id,
        }),
    )
}

/// "MM/DD/YYYY H:MM:SS AM" as ARM's expiry message prints times.
fn arm_time(secs: u64) -> String {
    let text = clock::rfc3339(secs * 1000);
    let (date, time) = text.split_once('T').unwrap_or((&text, ""));
    let mut d = date.split('-');
    let (y, m, day) = (
        d.next().unwrap_or(""),
        d.next().unwrap_or(""),
        d.next().unwrap_or(""),
    );
    let hms: Vec<u32> = time
        .get(..8)
        .unwrap_or("")
        .split(':')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let (h, mi, s) = (
        hms.first().copied().unwrap_or(0),
        hms.get(1).copied().unwrap_or(0),
        hms.get(2).copied().unwrap_or(0),
    );
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!(
        "{}/{}/{y} {h12}:{mi:02}:{s:02} {ampm}",
        m.trim_start_matches('0'),
        day.trim_start_matches('0')
    )
}

/// Strict mode: the bearer token must be one this emulator issued, for ARM, not expired. The
/// codes and messages are ARM's (401 InvalidAuthenticationToken, InvalidAuthenticationTokenTenant,
/// InvalidAuthenticationTokenAudience, ExpiredAuthenticationToken).
pub(crate) fn check_arm_token(settings: &Settings, token: &str) -> Result<(), ArmError> {
    let invalid = || {
        ArmError::new(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )
    };
    let claims = jwt::verify(&settings.token_key, token).ok_or_else(invalid)?;
    let iss = claims["iss"].as_str().unwrap_or("");
    if iss != issuer(settings) {
        return Err(ArmError::new(
            401,
            "InvalidAuthenticationTokenTenant",
            format!(
                "The access token is from the wrong issuer '{iss}'. It must match the tenant '{}' associated with this subscription. Please use the authority (URL) '{}/{}' to get the token.",
                issuer(settings),
                settings.base_url,
                settings.tenant_id
            ),
        ));
    }
    let aud = claims["aud"].as_str().unwrap_or("");
    // ARM's audience is its own endpoint (public ARM: management.azure.com, or the classic
    // management.core.windows.net); for the emulator that is also its own base URL, which is
    // what a client pointed at it asks Entra for.
    let own = settings.base_url.trim_end_matches('/');
    if !ARM_AUDIENCES.contains(&aud) && aud.trim_end_matches('/') != own {
        return Err(ArmError::new(
            401,
            "InvalidAuthenticationTokenAudience",
            format!(
                "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences {}.",
                ARM_AUDIENCES
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        ));
    }
    let now_s = clock::now_ms() / 1000;
    let exp = claims["exp"].as_u64().ok_or_else(invalid)?;
    if exp <= now_s {
        return Err(ArmError::new(
            401,
            "ExpiredAuthenticationToken",
            format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                arm_time(exp),
                arm_time(now_s)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{arm_time, check_arm_token, issuer};
    use crate::emulator::common::Settings;
    use crate::emulator::jwt;
    use serde_json::json;

    fn settings() -> Settings {
        Settings {
            base_url: "https://127.0.0.1:1".into(),
            time_scale: 1.0,
            tenant_id: "t1".into(),
            principal_window_ms: 0,
            fic_write_ms: 0,
            retry_after_override: None,
            page_size: 1,
            graph_lag_ms: 0,
            strict_auth: true,
            token_key: b"key".to_vec(),
            identity_header: String::new(),
        }
    }

    #[test]
    fn strict_arm_refuses_expired_and_foreign_tokens() {
        let s = settings();
        let claims = |iss: &str, exp: u64| {
            jwt::sign(
                &s.token_key,
                &json!({"iss": iss, "aud": "https://management.azure.com/", "exp": exp}),
            )
        };
        let far = 4_102_444_800; // 2100-01-01
        assert!(check_arm_token(&s, &claims(&issuer(&s), far)).is_ok());
        let expired =
            check_arm_token(&s, &claims(&issuer(&s), 1_694_510_456)).expect_err("expired");
        assert_eq!(
            (expired.status, expired.code.as_str()),
            (401, "ExpiredAuthenticationToken")
        );
        assert!(expired.message.starts_with("The access token expiry UTC time '9/12/2023 9:20:56 AM' is earlier than current UTC time '"));
        let foreign = check_arm_token(&s, &claims("https://sts.windows.net/other/", far))
            .expect_err("issuer");
        assert_eq!(foreign.code, "InvalidAuthenticationTokenTenant");
        let unsigned = check_arm_token(&s, "e30.e30.").expect_err("unsigned");
        assert_eq!(unsigned.code, "InvalidAuthenticationToken");
    }

    #[test]
    fn arm_prints_times_like_dotnet() {
        assert_eq!(arm_time(1_694_510_456), "9/12/2023 9:20:56 AM");
        assert_eq!(arm_time(1_694_553_656), "9/12/2023 9:20:56 PM");
        assert_eq!(arm_time(0), "1/1/1970 12:00:00 AM");
    }
}
