//! Picking a credential the Azure way, explicitly from the environment (azure_identity 1.0 has
//! no DefaultAzureCredential), and saying which one was picked.

use std::sync::Arc;

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

use super::error::ArmError;

/// A credential and the name azplan reports for it.
pub struct Chosen {
    pub credential: Arc<dyn TokenCredential>,
    pub description: String,
}

/// Looks up variables, so tests can pass their own environment.
pub trait Environment {
    fn var(&self, name: &str) -> Option<String>;
    fn has_program(&self, name: &str) -> bool;
}

/// The process environment.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    fn has_program(&self, name: &str) -> bool {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    }
}

/// Which credential the environment asks for, in the order Azure's tools use:
/// workload identity, client secret, managed identity, Azure CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    WorkloadIdentity {
        tenant: String,
        client: String,
        token_file: String,
    },
    ClientSecret {
        tenant: String,
        client: String,
    },
    ManagedIdentity {
        client: Option<String>,
    },
    AzureCli,
}

pub fn detect(env: &dyn Environment) -> Result<Kind, ArmError> {
    let tenant = env.var("AZURE_TENANT_ID");
    let client = env.var("AZURE_CLIENT_ID");
    if let (Some(tenant), Some(client), Some(token_file)) =
        (&tenant, &client, env.var("AZURE_FEDERATED_TOKEN_FILE"))
    {
        return Ok(Kind::WorkloadIdentity {
            tenant: tenant.clone(),
            client: client.clone(),
            token_file,
        });
    }
    if let (Some(tenant), Some(client), Some(_)) =
        (&tenant, &client, env.var("AZURE_CLIENT_SECRET"))
    {
        return Ok(Kind::ClientSecret {
            tenant: tenant.clone(),
            client: client.clone(),
        });
    }
    if env.var("IDENTITY_ENDPOINT").is_some()
        || env.var("MSI_ENDPOINT").is_some()
        || env.var("AZPLAN_MANAGED_IDENTITY").is_some()
    {
        return Ok(Kind::ManagedIdentity { client });
    }
    if env.has_program("az") {
        return Ok(Kind::AzureCli);
    }
    Err(ArmError::NoCredential {
        tried: "workload identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE), client secret (AZURE_CLIENT_SECRET), managed identity (IDENTITY_ENDPOINT or AZPLAN_MANAGED_IDENTITY=1), Azure CLI (`az` on PATH)".into(),
    })
}

/// Builds the credential the environment asks for. Token requests go to Entra, or to
/// `AZURE_AUTHORITY_HOST` (sovereign clouds, or the emulator's token endpoint), over a client
/// that also trusts `ca_cert_pem` when given.
pub fn choose(env: &dyn Environment, ca_cert_pem: Option<&str>) -> Result<Chosen, ArmError> {
    let kind = detect(env)?;
    let client_options = || -> Result<ClientOptions, ArmError> {
        Ok(match ca_cert_pem {
            Some(pem) => ClientOptions {
                transport: Some(Transport::new(Arc::new(super::client::http_client(Some(
                    pem,
                ))?))),
                ..ClientOptions::default()
            },
            None => ClientOptions::default(),
        })
    };
    let failed = |credential: &'static str| {
        move |e: azure_core::Error| ArmError::Credential {
            credential,
            message: e.to_string(),
        }
    };
    Ok(match kind {
        Kind::WorkloadIdentity {
            tenant,
            client,
            token_file,
        } => Chosen {
            credential: WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: client_options()?,
                },
                ..WorkloadIdentityCredentialOptions::default()
            }))
            .map_err(failed("workload identity"))?,
            description: format!(
                "workload identity (client {client}, tenant {tenant}, token file {token_file})"
            ),
        },
        Kind::ClientSecret { tenant, client } => {
            let secret = env.var("AZURE_CLIENT_SECRET").unwrap_or_default();
            Chosen {
                credential: ClientSecretCredential::new(
                    &tenant,
                    client.clone(),
                    Secret::new(secret),
                    Some(ClientSecretCredentialOptions {
                        client_options: client_options()?,
                    }),
                )
                .map_err(failed("client secret"))?,
                description: format!("client secret (client {client}, tenant {tenant})"),
            }
        }
        Kind::ManagedIdentity { client } => {
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: client.clone().map(UserAssignedId::ClientId),
                client_options: client_options()?,
            };
            Chosen {
                credential: ManagedIdentityCredential::new(Some(options))
                    .map_err(failed("managed identity"))?,
                description: match client {
                    Some(c) => format!("managed identity (user-assigned, client {c})"),
                    None => "managed identity (system-assigned)".into(),
                },
            }
        }
        Kind::AzureCli => Chosen {
            credential: AzureCliCredential::new(None).map_err(failed("Azure CLI"))?,
            description: "Azure CLI login (`az account get-access-token`)".into(),
        },
    })
}

/// A fixed token, for the built-in emulator (which only checks that one is present).
#[derive(Debug)]
pub struct StaticToken(pub String);

#[async_trait::async_trait]
impl TokenCredential for StaticToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let expires =
            azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1);
        Ok(AccessToken::new(Secret::new(self.0.clone()), expires))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    struct Fake(BTreeMap<&'static str, &'static str>, bool);

    impl Environment for Fake {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).map(|v| v.to_string())
        }
        fn has_program(&self, _name: &str) -> bool {
            self.1
        }
    }

    #[test]
    fn secret_and_workload_credentials_build_without_network() {
        crate::arm::client::install_crypto_provider();
        let secret = Fake(
            BTreeMap::from([
                ("AZURE_TENANT_ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
                ("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001"),
                ("AZURE_CLIENT_SECRET", "s"),
            ]),
            false,
        );
        let chosen = choose(&secret, None)
            .map_err(|e| e.to_string())
            .expect("a client-secret credential");
        assert!(chosen.description.starts_with("client secret"));
    }

    #[test]
    fn credentials_are_picked_in_azure_order() {
        let wi = Fake(
            BTreeMap::from([
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
                ("AZURE_CLIENT_SECRET", "s"),
            ]),
            true,
        );
        assert!(matches!(detect(&wi), Ok(Kind::WorkloadIdentity { .. })));
        let secret = Fake(
            BTreeMap::from([
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_CLIENT_SECRET", "s"),
            ]),
            true,
        );
        assert!(matches!(detect(&secret), Ok(Kind::ClientSecret { .. })));
        let mi = Fake(BTreeMap::from([("IDENTITY_ENDPOINT", "http://x")]), true);
        assert_eq!(detect(&mi).unwrap(), Kind::ManagedIdentity { client: None });
        assert_eq!(
            detect(&Fake(BTreeMap::new(), true)).unwrap(),
            Kind::AzureCli
        );
        let none = detect(&Fake(BTreeMap::new(), false)).unwrap_err();
        assert!(none.to_string().contains("no Azure credential found"));
    }
}
