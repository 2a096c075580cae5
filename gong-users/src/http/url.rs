//! The base URL rule: HTTPS, or plain HTTP to this machine only.
//!
//! Credentials travel in a header on every request; over plain HTTP anyone on the path reads them.
//! Loopback hosts (127.0.0.0/8, ::1, localhost) are exempt so tests and the sandbox can use a
//! local server without TLS.

use std::net::IpAddr;

use url::{Host, Url};

use crate::ConfigError;

/// Gong's shared API host, for access-key auth.
pub const DEFAULT_BASE_URL: &str = "https://api.gong.io";

/// Parses and checks a base URL; the result has no trailing slash.
pub(crate) fn parse_base_url(text: &str) -> Result<Url, ConfigError> {
    let invalid = |problem: String| ConfigError::InvalidBaseUrl {
        url: text.to_owned(),
        problem,
    };
    let mut url = Url::parse(text.trim()).map_err(|err| invalid(format!("is not a URL: {err}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not carry a user name or password; use Credentials".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment".into()));
    }
    check_secure(&url).map_err(|problem| {
        problem.unwrap_or_else(|| invalid(format!("has scheme {:?}; use https://", url.scheme())))
    })?;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    // Gong's endpoint docs show paths from /v2; the client adds /v2/users itself, so a base URL
    // with a /v2 segment (any case: /v2, /V2, /v2/users) would ask for /v2/v2/users and read
    // Gong's 404 as "no users". The suggestion is the path before that segment.
    let segments: Vec<&str> = trimmed.split('/').collect();
    if let Some(at) = segments
        .iter()
        .position(|segment| segment.eq_ignore_ascii_case("v2"))
    {
        let without_version = segments[..at].join("/");
        let mut suggestion = url.clone();
        suggestion.set_path(&without_version);
        return Err(ConfigError::VersionedBaseUrl {
            url: text.to_owned(),
            suggestion: base_url_string(&suggestion),
        });
    }
    Ok(url)
}

/// The https-or-loopback rule, for every URL credentials are sent to (the API, OAuth's token
/// endpoint, the host a token response names). `Err(None)` carries the scheme problem to word.
pub(crate) fn check_secure(url: &Url) -> Result<(), Option<ConfigError>> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(Some(ConfigError::InsecureBaseUrl {
            host: url.host_str().unwrap_or_default().to_owned(),
        })),
        _ => Err(None),
    }
}

/// Parses a URL credentials are sent to that is not the API's base (OAuth's token endpoint):
/// the same rule as [`parse_base_url`], its path kept as given.
pub(crate) fn parse_secure_url(text: &str) -> Result<Url, ConfigError> {
    let invalid = |problem: String| ConfigError::InvalidBaseUrl {
        url: text.to_owned(),
        problem,
    };
    let url = Url::parse(text.trim()).map_err(|err| invalid(format!("is not a URL: {err}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("must not carry a user name or password".into()));
    }
    check_secure(&url).map_err(|problem| {
        problem.unwrap_or_else(|| invalid(format!("has scheme {:?}; use https://", url.scheme())))
    })?;
    Ok(url)
}

/// The URL as the generated client wants it: no trailing slash, so `{base}/v2/users` is right.
pub(crate) fn base_url_string(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_on_loopback_only() {
        for ok in [
            "https://api.gong.io",
            "https://us-55616.api.gong.io/",
            "http://127.0.0.1:8080",
            "http://127.8.9.10",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:9000",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "http://api.gong.io",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "ftp://api.gong.io",
            "https://key:secret@api.gong.io",
            "https://api.gong.io/?x=1",
            "not a url",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_base_url_ending_in_v2_is_refused_with_the_fix() {
        for (given, fix) in [
            (
                "https://us-55616.api.gong.io/v2",
                "https://us-55616.api.gong.io",
            ),
            ("https://api.gong.io/v2/", "https://api.gong.io"),
            (
                "https://proxy.example.com/gong/v2",
                "https://proxy.example.com/gong",
            ),
            ("https://api.gong.io/V2", "https://api.gong.io"),
            ("https://api.gong.io/v2/users", "https://api.gong.io"),
            (
                "https://proxy.example.com/gong/V2/users/",
                "https://proxy.example.com/gong",
            ),
        ] {
            match parse_base_url(given) {
                Err(ConfigError::VersionedBaseUrl { suggestion, .. }) => {
                    assert_eq!(suggestion, fix)
                }
                other => panic!("{given}: expected VersionedBaseUrl, got {other:?}"),
            }
        }
        assert!(parse_base_url("https://proxy.example.com/v2gong").is_ok());
    }

    #[test]
    fn trailing_slashes_are_dropped() {
        let url = parse_base_url("https://proxy.example.com/gong/").unwrap();
        assert_eq!(base_url_string(&url), "https://proxy.example.com/gong");
        let url = parse_base_url("https://api.gong.io/").unwrap();
        assert_eq!(base_url_string(&url), "https://api.gong.io");
    }
}
