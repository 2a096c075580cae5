//! The client-side rate limiter: stay under Gong's quota instead of hitting 429s.
//!
//! Gong allows 3 calls a second per company. One limiter (GCRA with a burst of one) is shared by
//! every clone of a `Client` and every listing running on it, so requests go out evenly spaced
//! and a server counting in any window sees at most the configured rate.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// The shared limiter behind a [`RateLimit::PerSecond`]: a schedule of evenly spaced slots,
/// one request each (GCRA with a burst of one). Each caller reserves the next free slot and
/// sleeps until it, so clones and concurrent listings together keep to the rate.
///
/// Written here rather than taken from governor: this is all of it the client needs, and
/// governor (with its clock, hash map and lock crates) was a tenth of the library's dependency
/// tree. (The mock's server-side bucket is a GCRA of its own too.)
///
/// Lateness is not credited: when a request leaves later than its slot (the scheduler woke it
/// late), the next one leaves an interval after it actually left, even one that had reserved an
/// earlier slot; so two requests never leave closer than an interval, and a server counting
/// evenly spaced arrivals never sees one early.
pub(crate) struct Limiter {
    interval: Duration,
    /// Held only to reserve or take a slot, never across an await.
    slots: Mutex<Slots>,
}

struct Slots {
    /// The earliest moment the next reservation may go.
    next: Instant,
    /// When the last request actually left.
    last_left: Option<Instant>,
}

impl Limiter {
    /// A limiter for `limit`, or `None` when it is off.
    pub(crate) fn new(limit: RateLimit) -> Option<Self> {
        match limit {
            RateLimit::Off => None,
            RateLimit::PerSecond(per_second) => Some(Self {
                interval: Duration::from_secs(1) / per_second.get(),
                slots: Mutex::new(Slots {
                    next: Instant::now(),
                    last_left: None,
                }),
            }),
        }
    }

    /// Reserves the next slot and waits for it, reporting the wait.
    pub(crate) async fn acquire(&self, attempt: u32, events: Option<&EventHandler>) {
        let now = Instant::now();
        let slot = {
            let mut slots = self.lock();
            let slot = slots.next.max(now);
            slots.next = slot + self.interval;
            slot
        };
        let wait = slot - now;
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
        let mut at = slot;
        loop {
            tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
            let mut slots = self.lock();
            let now = Instant::now();
            // Another request that left late, just before this one: keep an interval after it.
            if let Some(earliest) = slots.last_left.map(|left| left + self.interval)
                && now < earliest
            {
                at = earliest;
                continue;
            }
            slots.last_left = Some(now);
            slots.next = slots.next.max(now + self.interval);
            return;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn slots_are_evenly_spaced_and_the_first_is_now() {
        let limiter = Limiter::new(RateLimit::per_second(20)).unwrap();
        let started = Instant::now();
        let mut at = Vec::new();
        for _ in 0..5 {
            limiter.acquire(1, None).await;
            at.push(started.elapsed());
        }
        assert!(at[0] < Duration::from_millis(10), "{at:?}");
        for pair in at.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(49), "{at:?}");
        }
    }
}
