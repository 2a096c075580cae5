//! FakeGong's OAuth: a token endpoint like Gong's, with single-use refresh tokens that rotate,
//! access tokens that expire, `api_base_url_for_customer` pointing at the fake itself, and
//! `invalid_grant` for a refresh token used twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::Rng as _;
use rand::rngs::StdRng;
use serde_json::json;

/// The path of the token endpoint, as on `app.gong.io`.
pub const TOKEN_PATH: &str = "/oauth2/generate-customer-token";

/// A fault of the token endpoint, queued with
/// [`FakeGong::queue_token_faults`](crate::FakeGong::queue_token_faults): each answers one
/// token request, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFault {
    /// 502 with a proxy's HTML page; the refresh token is not spent.
    BadGatewayBeforeRotation,
    /// The refresh is granted (the refresh token is spent, a new one issued), then the
    /// connection is reset: the answer with the new refresh token never reaches the client.
    AnswerLostAfterRotation,
}

/// An app registered with the fake, and how long its access tokens live.
#[derive(Clone, Debug)]
pub(crate) struct OAuthConfig {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) refresh_token: String,
    pub(crate) access_token_lifetime: Duration,
}

/// The tokens issued so far.
pub(crate) struct OAuthState {
    /// The one refresh token that works now.
    refresh_token: String,
    /// Every access token issued: its generation, and when it expires.
    access_tokens: HashMap<String, (u64, Instant)>,
    generation: u64,
    refreshes: u64,
    refused: u64,
}

/// What a refresh request came to.
pub(crate) enum Refresh {
    /// 200 with this JSON body.
    Issued(String),
    /// 400 `invalid_grant`: a refresh token used already, or never issued.
    InvalidGrant,
    /// 400 for a request without `grant_type=refresh_token` and a `refresh_token`.
    InvalidRequest,
}

impl OAuthState {
    pub(crate) fn new(config: &OAuthConfig) -> Self {
        Self {
            refresh_token: config.refresh_token.clone(),
            access_tokens: HashMap::new(),
            generation: 0,
            refreshes: 0,
            refused: 0,
        }
    }

    /// Answers a refresh with `params`, from the query string: the shape Gong documents.
    pub(crate) fn refresh(
        &mut self,
        params: &[(String, String)],
        config: &OAuthConfig,
        api_base: &str,
        rng: &mut StdRng,
    ) -> Refresh {
        let param = |name: &str| {
            params
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        let (Some("refresh_token"), Some(presented)) =
            (param("grant_type"), param("refresh_token"))
        else {
            return Refresh::InvalidRequest;
        };
        if presented != self.refresh_token {
            self.refused += 1;
            return Refresh::InvalidGrant;
        }
        self.generation += 1;
        self.refreshes += 1;
        let generation = self.generation;
        let mut token =
            |kind: &str| format!("fake-{kind}-{generation}-{:016x}", rng.random::<u64>());
        let access = token("access");
        self.refresh_token = token("refresh");
        self.access_tokens.insert(
            access.clone(),
            (generation, Instant::now() + config.access_token_lifetime),
        );
        Refresh::Issued(
            json!({
                "access_token": access,
                "refresh_token": self.refresh_token,
                "scope": "api:users:read",
                "token_type": "bearer",
                "expires_in": config.access_token_lifetime.as_secs().max(1),
                "api_base_url_for_customer": api_base,
            })
            .to_string(),
        )
    }

    /// The generation of a valid access token; `Err(true)` for one that has expired.
    pub(crate) fn check_access(&self, token: &str) -> Result<u64, bool> {
        match self.access_tokens.get(token) {
            Some(&(generation, expires)) if Instant::now() < expires => Ok(generation),
            Some(_) => Err(true),
            None => Err(false),
        }
    }

    pub(crate) fn refreshes(&self) -> u64 {
        self.refreshes
    }

    pub(crate) fn refused(&self) -> u64 {
        self.refused
    }

    pub(crate) fn current_refresh_token(&self) -> &str {
        &self.refresh_token
    }
}
