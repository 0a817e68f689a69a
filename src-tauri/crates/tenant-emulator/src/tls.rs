//! HTTPS for the emulator: a throw-away certificate authority and a server
//! certificate for `127.0.0.1`, `::1` and `localhost`, generated at start
//! (rcgen, ring provider) and served with rustls.
//!
//! Invariant: nothing here touches the system trust store. Only a client
//! that is given [`ServerIdentity::ca_pem`] trusts the emulator.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use crate::EmulatorError;

/// The CA and server certificate generated for one run.
pub(crate) struct ServerIdentity {
    ca_pem: String,
    config: Arc<rustls::ServerConfig>,
}

fn tls_error(e: impl std::fmt::Display) -> EmulatorError {
    EmulatorError::Tls(e.to_string())
}

impl ServerIdentity {
    /// Generates a CA and a server certificate signed by it.
    pub(crate) fn generate() -> Result<ServerIdentity, EmulatorError> {
        let now = OffsetDateTime::now_utc();

        let ca_key = KeyPair::generate().map_err(tls_error)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
        let mut ca_name = DistinguishedName::new();
        ca_name.push(
            DnType::CommonName,
            "MFA Assistant demo tenant CA (emulated, not Microsoft)",
        );
        ca_name.push(DnType::OrganizationName, "Tenant emulator");
        ca_params.distinguished_name = ca_name;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = now - Duration::days(1);
        ca_params.not_after = now + Duration::days(365);
        let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_error)?;

        let server_key = KeyPair::generate().map_err(tls_error)?;
        let mut server_params = CertificateParams::new(vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ])
        .map_err(tls_error)?;
        let mut server_name = DistinguishedName::new();
        server_name.push(DnType::CommonName, "localhost");
        server_params.distinguished_name = server_name;
        server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params.use_authority_key_identifier_extension = true;
        server_params.not_before = now - Duration::days(1);
        server_params.not_after = now + Duration::days(365);
        let server_cert = server_params
            .signed_by(&server_key, &ca_cert, &ca_key)
            .map_err(tls_error)?;

        let chain: Vec<CertificateDer<'static>> =
            vec![server_cert.der().clone(), ca_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(tls_error)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(tls_error)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(ServerIdentity {
            ca_pem: ca_cert.pem(),
            config: Arc::new(config),
        })
    }

    /// The CA certificate, PEM-encoded.
    pub(crate) fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A TLS acceptor for the server certificate.
    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_pem_encoded() -> Result<(), EmulatorError> {
        let identity = ServerIdentity::generate()?;
        assert!(identity.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        Ok(())
    }
}
