//! Reaching Postgres: the URL's `sslmode` and `sslrootcert` read as libpq reads them, TLS by
//! rustls with the ring provider (as the rest of the workspace).
//!
//! - `disable`: no TLS.
//! - `prefer` (the default; `allow` is read as it): TLS when the server offers it, plain when
//!   not. `require`: TLS or no connection. Neither checks the server's certificate, as libpq:
//!   encryption against eavesdropping, not against a server that pretends (managed databases
//!   sign theirs with their own CAs, local ones with a self-signed certificate).
//! - `verify-full` (and `verify-ca`, checked as strictly), or `require` with `sslrootcert`: TLS,
//!   the certificate checked against `sslrootcert` (a PEM file of CAs, such as a cloud
//!   provider's bundle) or, without it, the system's roots, and the host name or address.

use std::path::Path;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use rustls_platform_verifier::BuilderVerifierExt as _;
use tokio_postgres::config::SslMode;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls, Socket};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::SyncError;

/// Connects to the database `url` names; the connection runs on a task of its own.
pub(crate) async fn connect(url: &str) -> Result<Client, SyncError> {
    let (config, tls) = settings(url)?;
    match tls {
        None => spawned(&config, NoTls).await,
        Some(tls) => spawned(&config, MakeRustlsConnect::new(tls)).await,
    }
}

async fn spawned<T>(config: &Config, tls: T) -> Result<Client, SyncError>
where
    T: MakeTlsConnect<Socket> + 'static,
    T::Stream: Send + 'static,
{
    let (client, connection) = config.connect(tls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "the Postgres connection ended");
        }
    });
    Ok(client)
}

/// What the URL asks for: the connection's settings, and the TLS configuration (`None`: plain).
fn settings(url: &str) -> Result<(Config, Option<ClientConfig>), SyncError> {
    let (url, sslmode, root) = take_tls_parameters(url)?;
    let mut config: Config = url.parse()?;
    let verified = |root: Option<&Path>| match root {
        Some(root) => with_roots(root),
        None => with_system_roots(),
    };
    let tls = match (sslmode.as_deref(), root.as_deref()) {
        (Some("disable"), _) => {
            config.ssl_mode(SslMode::Disable);
            None
        }
        (None | Some("allow" | "prefer"), _) => {
            config.ssl_mode(SslMode::Prefer);
            Some(encrypt_only()?)
        }
        (Some("require"), None) => {
            config.ssl_mode(SslMode::Require);
            Some(encrypt_only()?)
        }
        (Some("require" | "verify-ca" | "verify-full"), root) => {
            config.ssl_mode(SslMode::Require);
            Some(verified(root.map(Path::new))?)
        }
        (Some(other), _) => {
            return Err(SyncError::Config(format!(
                "sslmode={other:?} is not one of disable, allow, prefer, require, verify-ca, \
                 verify-full"
            )));
        }
    };
    Ok((config, tls))
}

/// The URL without `sslmode` and `sslrootcert` (tokio-postgres knows neither as libpq does),
/// and their values, decoded.
fn take_tls_parameters(url: &str) -> Result<(String, Option<String>, Option<String>), SyncError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None, None));
    };
    let (mut sslmode, mut root, mut kept) = (None, None, Vec::new());
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || {
            percent_decode_str(value)
                .decode_utf8()
                .map(|value| value.into_owned())
                .map_err(|_| SyncError::Config(format!("{name} in the database URL is not UTF-8")))
        };
        match name {
            "sslmode" => sslmode = Some(decoded()?),
            "sslrootcert" => root = Some(decoded()?),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, sslmode, root))
}

fn tls_error(error: impl std::fmt::Display) -> SyncError {
    SyncError::Config(format!("TLS for Postgres: {error}"))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Certificates checked against the CAs of the PEM file `root`.
fn with_roots(root: &Path) -> Result<ClientConfig, SyncError> {
    let unreadable = |error: rustls::pki_types::pem::Error| {
        SyncError::Config(format!("sslrootcert {}: {error}", root.display()))
    };
    let mut roots = RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(root).map_err(unreadable)? {
        roots
            .add(certificate.map_err(unreadable)?)
            .map_err(tls_error)?;
    }
    if roots.is_empty() {
        return Err(SyncError::Config(format!(
            "sslrootcert {} holds no certificate",
            root.display()
        )));
    }
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Certificates checked against the system's roots.
fn with_system_roots() -> Result<ClientConfig, SyncError> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(tls_error)?
        .with_no_client_auth())
}

/// TLS whose certificate is not checked (libpq's `prefer` and `require`).
fn encrypt_only() -> Result<ClientConfig, SyncError> {
    let provider = provider();
    Ok(ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
        .with_no_client_auth())
}

/// Takes any certificate, but checks the handshake is signed by its key.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, certificate, signature, algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, certificate, signature, algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_and_sslrootcert_are_taken_out_decoded_and_the_rest_kept() {
        let (url, mode, root) = take_tls_parameters(
            "postgres://me:p%40ss@db:5432/gong?connect_timeout=5&sslmode=verify-full\
             &sslrootcert=%2Fetc%2Fmy%20ca.pem&application_name=sync",
        )
        .unwrap();
        assert_eq!(
            url,
            "postgres://me:p%40ss@db:5432/gong?connect_timeout=5&application_name=sync"
        );
        assert_eq!(mode.as_deref(), Some("verify-full"));
        assert_eq!(root.as_deref(), Some("/etc/my ca.pem"));
        let (url, mode, root) = take_tls_parameters("postgres://db/gong?sslmode=disable").unwrap();
        assert_eq!(
            (url.as_str(), mode.as_deref(), root),
            ("postgres://db/gong", Some("disable"), None)
        );
    }

    #[test]
    fn each_sslmode_picks_its_tls() {
        let tls =
            |url: &str| settings(url).map(|(config, tls)| (config.get_ssl_mode(), tls.is_some()));
        assert_eq!(tls("postgres://db/g").unwrap(), (SslMode::Prefer, true));
        assert_eq!(
            tls("postgres://db/g?sslmode=disable").unwrap(),
            (SslMode::Disable, false)
        );
        assert_eq!(
            tls("postgres://db/g?sslmode=require").unwrap(),
            (SslMode::Require, true)
        );
        assert_eq!(
            tls("postgres://db/g?sslmode=verify-full").unwrap(),
            (SslMode::Require, true)
        );
        let error = tls("postgres://db/g?sslmode=sometimes").unwrap_err();
        assert!(error.to_string().contains("verify-full"), "{error}");
        let error = tls("postgres://db/g?sslmode=verify-ca&sslrootcert=/no/such.pem").unwrap_err();
        assert!(error.to_string().contains("/no/such.pem"), "{error}");
    }
}
