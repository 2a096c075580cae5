//! The retry policy: which failures are worth another attempt, and how long to wait first.
//!
//! Exponential backoff with full jitter (a random wait between zero and the exponential cap)
//! spreads retries from many clients apart. A `Retry-After` from the server overrides it and is
//! honoured exactly; one longer than [`RetryPolicy::max_retry_after`] (the daily quota is spent,
//! say) ends the retries at once, so the caller sees the wait instead of a process that sleeps for
//! hours.

use std::time::Duration;

use crate::Error;
use crate::events::WaitReason;

/// How many times, and after how long, a failed request is sent again. On by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 5 retries, backoff from 500 ms doubling up to 30 s, `Retry-After` honoured up to 15 min.
    fn default() -> Self {
        Self {
            max_retries: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(15 * 60),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Return the error.
    GiveUp,
    /// Wait this long, then send the request again.
    Retry { wait: Duration, reason: WaitReason },
}

impl RetryPolicy {
    /// The default policy; see [`RetryPolicy::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// No retries at all: every failure is returned at once.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request is sent again after the first attempt.
    pub fn with_max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The backoff cap of the first retry; it doubles for each further one.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// The largest backoff cap, however many retries came before.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// The longest `Retry-After` the client waits for; a longer one is returned as an error
    /// carrying the wait ([`Error::retry_after`]).
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// How many times a request is sent again after the first attempt.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The longest `Retry-After` the client waits for.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Decides after the attempt that failed with `error`, `retries_done` retries in.
    pub(crate) fn decide(&self, error: &Error, retries_done: u32) -> Decision {
        if !error.is_retryable() || retries_done >= self.max_retries {
            return Decision::GiveUp;
        }
        match error.retry_after() {
            Some(wait) if wait > self.max_retry_after => Decision::GiveUp,
            Some(wait) => Decision::Retry {
                wait,
                reason: WaitReason::RetryAfter,
            },
            None => Decision::Retry {
                wait: self.backoff(retries_done),
                reason: WaitReason::Backoff,
            },
        }
    }

    /// Full jitter: uniform in `[0, min(max_backoff, initial_backoff * 2^retries_done)]`.
    fn backoff(&self, retries_done: u32) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retries_done.min(31)))
            .min(self.max_backoff);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Parses `Retry-After`: whole seconds, or an HTTP date (a date in the past means no wait).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use reqwest::StatusCode;

    fn api_error(status: u16, retry_after: Option<u64>) -> Error {
        Error::from(ApiError {
            status: StatusCode::from_u16(status).unwrap(),
            url: "http://127.0.0.1/v2/users".into(),
            request_id: None,
            messages: vec![],
            retry_after: retry_after.map(Duration::from_secs),
            headers: Default::default(),
            body_snippet: None,
        })
    }

    #[test]
    fn retries_only_what_may_succeed_again() {
        let policy = RetryPolicy::default();
        for status in [429, 500, 502, 503, 504] {
            assert!(matches!(
                policy.decide(&api_error(status, None), 0),
                Decision::Retry { .. }
            ));
        }
        for status in [400, 401, 403, 404, 501] {
            assert_eq!(policy.decide(&api_error(status, None), 0), Decision::GiveUp);
        }
    }

    #[test]
    fn retry_after_is_honoured_exactly_up_to_the_ceiling() {
        let policy = RetryPolicy::default().with_max_retry_after(Duration::from_secs(60));
        assert_eq!(
            policy.decide(&api_error(429, Some(7)), 0),
            Decision::Retry {
                wait: Duration::from_secs(7),
                reason: WaitReason::RetryAfter
            }
        );
        assert_eq!(
            policy.decide(&api_error(429, Some(3600)), 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn gives_up_after_max_retries() {
        let policy = RetryPolicy::default().with_max_retries(2);
        assert!(matches!(
            policy.decide(&api_error(500, None), 1),
            Decision::Retry { .. }
        ));
        assert_eq!(policy.decide(&api_error(500, None), 2), Decision::GiveUp);
        assert_eq!(
            RetryPolicy::none().decide(&api_error(500, None), 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn backoff_is_jittered_under_an_exponential_cap() {
        let policy = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(1));
        for retries_done in 0..40 {
            let cap = Duration::from_millis(100 * 2u64.pow(retries_done.min(20)))
                .min(Duration::from_secs(1));
            for _ in 0..50 {
                assert!(policy.backoff(retries_done) <= cap);
            }
        }
        let waits: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.backoff(3)).collect();
        assert!(waits.len() > 1, "backoff must be random, got {waits:?}");
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let future =
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(120));
        let wait = parse_retry_after(&future).unwrap();
        assert!(
            wait > Duration::from_secs(110) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }
}
