//! The client-side rate limiter: stay under Gong's quota instead of hitting 429s.
//!
//! Gong allows 3 calls a second per company. One limiter (governor's GCRA) is shared by every
//! clone of a `Client` and every listing running on it, with a burst of one, so requests go out
//! evenly spaced and a server counting in any window sees at most the configured rate.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota};

use crate::events::{Event, EventHandler, WaitReason};

/// How fast the client may send requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateLimit {
    /// No client-side limit: rely on retries when the server answers 429.
    Off,
    /// At most this many requests a second, evenly spaced.
    PerSecond(NonZeroU32),
}

impl RateLimit {
    /// Gong's default quota: 3 requests a second.
    pub const GONG_DEFAULT: RateLimit = RateLimit::PerSecond(NonZeroU32::new(3).unwrap());

    /// `n` requests a second; 0 turns the limiter off.
    pub fn per_second(n: u32) -> Self {
        NonZeroU32::new(n).map_or(RateLimit::Off, RateLimit::PerSecond)
    }
}

impl RateLimit {
    /// Requests a second at most; 0 when [`RateLimit::Off`] (the inverse of
    /// [`RateLimit::per_second`]).
    pub fn requests_per_second(self) -> u32 {
        match self {
            RateLimit::Off => 0,
            RateLimit::PerSecond(n) => n.get(),
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::GONG_DEFAULT
    }
}

/// The shared limiter behind a [`RateLimit::PerSecond`].
pub(crate) struct Limiter {
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl Limiter {
    /// A limiter for `limit`, or `None` when it is off.
    pub(crate) fn new(limit: RateLimit) -> Option<Self> {
        match limit {
            RateLimit::Off => None,
            RateLimit::PerSecond(per_second) => Some(Self {
                limiter: DefaultDirectRateLimiter::direct(
                    Quota::per_second(per_second).allow_burst(NonZeroU32::MIN),
                ),
                clock: DefaultClock::default(),
            }),
        }
    }

    /// Waits for a permit, reporting each wait.
    pub(crate) async fn acquire(&self, attempt: u32, events: Option<&EventHandler>) {
        loop {
            let wait = match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => not_until.wait_time_from(self.clock.now()),
            };
            if wait > Duration::from_millis(1) {
                tracing::info!(
                    wait_ms = wait.as_millis() as u64,
                    "waiting for the rate limiter"
                );
                if let Some(events) = events {
                    events(&Event::Waiting {
                        reason: WaitReason::RateLimit,
                        wait,
                        attempt,
                    });
                }
            }
            tokio::time::sleep(wait).await;
        }
    }
}
