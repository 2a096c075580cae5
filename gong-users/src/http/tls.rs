//! TLS: rustls with the ring crypto provider, certificates checked against the platform's roots.
//!
//! reqwest's default provider, aws-lc-rs, builds a C library with its own build system: most of
//! a clean build of this crate. ring verifies the same certificates with a fraction of the build.
//! The configuration is handed to reqwest whole, so nothing process-wide is installed.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt as _;

use crate::ConfigError;

/// The TLS configuration every client uses: TLS 1.2 and 1.3, HTTP/1.1.
pub(crate) fn client_config() -> Result<rustls::ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|err| ConfigError::Tls(err.to_string()))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
