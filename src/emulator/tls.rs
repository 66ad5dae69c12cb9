//! A certificate generated at start: a throwaway CA plus a CA:FALSE leaf for 127.0.0.1/localhost.
//! The Azure SDKs' bearer-token policies refuse plain HTTP, so the emulator must speak TLS and
//! clients trust the CA PEM it writes out.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::emulator::error::EmulatorError;

pub(crate) struct Certificates {
    pub(crate) ca_pem: String,
    pub(crate) server: Arc<ServerConfig>,
}

fn cert_err(source: rcgen::Error) -> EmulatorError {
    EmulatorError::Certificate { source }
}

pub(crate) fn generate() -> Result<Certificates, EmulatorError> {
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

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut server = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|source| EmulatorError::Tls { source })?
        .with_no_client_auth()
        .with_single_cert(vec![leaf_cert.der().clone(), ca.der().clone()], key)
        .map_err(|source| EmulatorError::Tls { source })?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Certificates {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    })
}
