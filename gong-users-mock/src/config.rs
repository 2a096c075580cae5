//! How a FakeGong is configured: users, auth, rate limit, cursors, faults. Pure settings:
//! [`FakeGongBuilder::start`] (in `server.rs`) turns them into a running server.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::Faults;
use crate::oauth::OAuthConfig;

/// Gong's page size, fixed by Gong.
pub const PAGE_SIZE: usize = 100;

/// Configures a [`FakeGong`](crate::FakeGong); [`FakeGong::builder`](crate::FakeGong::builder) makes one.
#[derive(Clone, Debug)]
pub struct FakeGongBuilder {
    pub(crate) users: usize,
    pub(crate) avatars: usize,
    pub(crate) seed: u64,
    pub(crate) page_size: usize,
    pub(crate) access_key: String,
    pub(crate) access_key_secret: String,
    pub(crate) bearer_token: String,
    pub(crate) rate_limit: Option<NonZeroU32>,
    pub(crate) rate_limit_burst: Option<NonZeroU32>,
    pub(crate) retry_after_http_date: bool,
    pub(crate) endless_page: Option<usize>,
    pub(crate) oauth: Option<OAuthConfig>,
    pub(crate) faults: Faults,
    pub(crate) repeat_cursor: bool,
    pub(crate) ignore_cursor: bool,
    pub(crate) cursor_ttl: Duration,
    /// How many changes to make to the users, and from which seed (see [`FakeGongBuilder::churn`]).
    pub(crate) churn: Option<(usize, u64)>,
}

impl Default for FakeGongBuilder {
    fn default() -> Self {
        Self {
            users: 250,
            avatars: 3,
            seed: 1,
            page_size: PAGE_SIZE,
            access_key: "fake-access-key".into(),
            access_key_secret: "fake-access-key-secret".into(),
            bearer_token: "fake-bearer-token".into(),
            rate_limit: None,
            rate_limit_burst: None,
            retry_after_http_date: false,
            endless_page: None,
            oauth: None,
            faults: Faults::none(),
            repeat_cursor: false,
            ignore_cursor: false,
            cursor_ttl: Duration::from_secs(600),
            churn: None,
        }
    }
}

impl FakeGongBuilder {
    /// How many regular users the company has (default 250).
    pub fn users(mut self, users: usize) -> Self {
        self.users = users;
        self
    }

    /// How many avatars, listed only with `includeAvatars=true` (default 3).
    pub fn avatars(mut self, avatars: usize) -> Self {
        self.avatars = avatars;
        self
    }

    /// The seed of the synthetic users and of the fault draws (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Users a page (default 100, Gong's; smaller pages make many-page tests cheap).
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// The access key and secret accepted with Basic auth.
    pub fn basic_credentials(mut self, access_key: &str, secret: &str) -> Self {
        self.access_key = access_key.into();
        self.access_key_secret = secret.into();
        self
    }

    /// The token accepted with Bearer auth.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.bearer_token = token.into();
        self
    }

    /// Answer 429 with `Retry-After` past `per_second` requests a second (a token bucket that
    /// holds `per_second` tokens). `0` means no limit, the default.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = NonZeroU32::new(per_second);
        self
    }

    /// How many requests the rate limit's bucket holds (default: as many as a second's worth).
    /// With `1`, requests must come evenly spaced, as Gong's quota and a client's limiter
    /// intend: a request more than [`JITTER`](crate::JITTER) (3 ms) early gets a 429, so a
    /// limiter 10% fast meets one within a few requests.
    pub fn rate_limit_burst(mut self, burst: u32) -> Self {
        self.rate_limit_burst = NonZeroU32::new(burst);
        self
    }

    /// Send `Retry-After` (on 429 and 503) as an HTTP date instead of seconds; both are valid
    /// HTTP, and clients must read both.
    pub fn retry_after_http_date(mut self, as_date: bool) -> Self {
        self.retry_after_http_date = as_date;
        self
    }

    /// Answer page `number` (from 0) with a body that never ends: chunked, streaming users for
    /// as long as the client reads (at most 4 GiB or 60 s), as a broken proxy can.
    pub fn endless_page(mut self, number: Option<usize>) -> Self {
        self.endless_page = number;
        self
    }

    /// Serve OAuth for one app too: the token endpoint (`POST /oauth2/generate-customer-token`)
    /// accepts `refresh_token` once, answers with a new access token and a new refresh token
    /// (each single-use), and `invalid_grant` for a refresh token used twice; the API then
    /// accepts the access tokens it issued, until they expire. Access keys keep working.
    pub fn oauth(mut self, client_id: &str, client_secret: &str, refresh_token: &str) -> Self {
        let lifetime = self
            .oauth
            .as_ref()
            .map_or(Duration::from_secs(3600), |o| o.access_token_lifetime);
        self.oauth = Some(OAuthConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            access_token_lifetime: lifetime,
        });
        self
    }

    /// How long the access tokens issued live (default an hour; down to a second), when
    /// [`FakeGongBuilder::oauth`] is on.
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        let config = self.oauth.get_or_insert_with(|| OAuthConfig {
            client_id: "fake-oauth-client".into(),
            client_secret: "fake-oauth-client-secret".into(),
            refresh_token: "fake-refresh-0".into(),
            access_token_lifetime: lifetime,
        });
        config.access_token_lifetime = lifetime.max(Duration::from_secs(1));
        self
    }

    /// The faults to inject.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Return the same cursor on every page after the first, as a buggy server would.
    pub fn repeat_cursor(mut self, repeat: bool) -> Self {
        self.repeat_cursor = repeat;
        self
    }

    /// Ignore the cursor and serve the first page again, with a fresh cursor string each time:
    /// the bug other Gong clients met when they sent the cursor where Gong does not read it.
    pub fn ignore_cursor(mut self, ignore: bool) -> Self {
        self.ignore_cursor = ignore;
        self
    }

    /// Changes the company before serving it, as a company changes between two syncs: `changes`
    /// changes drawn from `seed`, in turn a title updated, a user deactivated, a user removed, a
    /// user added (a new id). A fake started with another seed has other changes: successive
    /// syncs build a history.
    pub fn churn(mut self, changes: usize, seed: u64) -> Self {
        self.churn = (changes > 0).then_some((changes, seed));
        self
    }

    /// How long a cursor stays valid (default 10 minutes).
    pub fn cursor_ttl(mut self, ttl: Duration) -> Self {
        self.cursor_ttl = ttl;
        self
    }
}
