//! A certificate generated at start: a throwaway CA plus a CA:FALSE leaf for 127.0.0.1/localhost.
//! The Azure SDKs' bearer-token policies refuse plain HTTP, so the emulator must speak TLS and
//! clients trust the CA PEM it writes out. With a state file the certificates are kept next to it
//! (`<state>.tls.json`, owner-only) and reused, so a restarted emulator presents the same CA and a
//! client in the middle of an apply keeps trusting it.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::emulator::error::EmulatorError;

pub(crate) struct Certificates {
    pub(crate) ca_pem: String,
    pub(crate) server: Arc<ServerConfig>,
    /// Signs the access tokens of the Entra endpoint (`jwt`), kept with the certificates.
    pub(crate) token_key: Vec<u8>,
}

fn cert_err(source: rcgen::Error) -> EmulatorError {
    EmulatorError::Certificate { source }
}

/// The PEM texts a server needs, as kept on disk.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    ca_cert: String,
    leaf_cert: String,
    leaf_key: String,
    /// Hex; absent in files written before tokens were issued (a fresh key is used then).
    #[serde(default)]
    token_key: String,
}

/// `state.json` → `state.json.tls.json`.
pub(crate) fn tls_path(state: &Path) -> PathBuf {
    let mut name = state
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "state".into());
    name.push(".tls.json");
    state.with_file_name(name)
}

/// The certificates kept at `path`, or new ones written there.
pub(crate) fn load_or_generate(path: &Path) -> Result<Certificates, EmulatorError> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let stored: Stored =
                serde_json::from_slice(&bytes).map_err(|source| EmulatorError::StateFormat {
                    path: path.to_path_buf(),
                    source,
                })?;
            build(stored)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let stored = fresh()?;
            let text = serde_json::to_vec_pretty(&stored).unwrap_or_default();
            write_private(path, &text).map_err(|source| EmulatorError::Write {
                path: path.to_path_buf(),
                source,
            })?;
            build(stored)
        }
        Err(source) => Err(EmulatorError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes a file only its owner can read (it holds a private key).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

pub(crate) fn generate() -> Result<Certificates, EmulatorError> {
    build(fresh()?)
}

fn fresh() -> Result<Stored, EmulatorError> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "azplan ARM emulator CA");
    let ca_key = KeyPair::generate().map_err(cert_err)?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(cert_err)?;

    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).map_err(cert_err)?;
    leaf.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // Strict verifiers (Python 3.13's default) require the authority key identifier.
    leaf.use_authority_key_identifier_extension = true;
    let leaf_key = KeyPair::generate().map_err(cert_err)?;
    let leaf_cert = leaf.signed_by(&leaf_key, &ca).map_err(cert_err)?;
    let token_key: String = (0..2)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();
    Ok(Stored {
        ca_cert: ca.pem(),
        leaf_cert: leaf_cert.pem(),
        leaf_key: leaf_key.serialize_pem(),
        token_key,
    })
}

fn build(stored: Stored) -> Result<Certificates, EmulatorError> {
    let tls_err = |message: &str| EmulatorError::Tls {
        source: tokio_rustls::rustls::Error::General(message.to_string()),
    };
    let leaf = CertificateDer::from_pem_slice(stored.leaf_cert.as_bytes())
        .map_err(|_| tls_err("the stored server certificate is not PEM"))?;
    let ca = CertificateDer::from_pem_slice(stored.ca_cert.as_bytes())
        .map_err(|_| tls_err("the stored CA certificate is not PEM"))?;
    let key = PrivateKeyDer::from_pem_slice(stored.leaf_key.as_bytes())
        .map_err(|_| tls_err("the stored server key is not PEM"))?;
    let mut server = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|source| EmulatorError::Tls { source })?
        .with_no_client_auth()
        .with_single_cert(vec![leaf, ca], key)
        .map_err(|source| EmulatorError::Tls { source })?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    let token_key = if stored.token_key.is_empty() {
        uuid::Uuid::new_v4().as_bytes().to_vec()
    } else {
        stored.token_key.into_bytes()
    };
    Ok(Certificates {
        ca_pem: stored.ca_cert,
        server: Arc::new(server),
        token_key,
    })
}
