//! FakeGong's rate limit: a GCRA bucket (the generic cell rate algorithm), as exact as a server
//! on a loopback network can be.
//!
//! Requests are due one emission interval apart (`1 / per_second`); a bucket of `burst` lets
//! `burst - 1` of them come early. A bucket of 1 wants them evenly spaced: a request may come at
//! most [`JITTER`] early, a fixed allowance for the loopback network and the scheduler, not a
//! share of the interval. So a limiter 10% fast meets a 429 within a few requests at any rate
//! from 1 to 100 a second.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How early a request may come at a bucket of 1: what the loopback network and the scheduler
/// can shift one request by, independent of the rate.
pub const JITTER: Duration = Duration::from_millis(3);

/// A GCRA bucket: the theoretical arrival time of the next request, under a lock.
pub(crate) struct Bucket {
    interval: Duration,
    /// How early a request may come: `(burst - 1)` intervals, plus [`JITTER`].
    tolerance: Duration,
    /// When the next request is due, were requests evenly spaced.
    due: Mutex<Instant>,
}

impl Bucket {
    pub(crate) fn new(per_second: NonZeroU32, burst: Option<NonZeroU32>) -> Self {
        let interval = Duration::from_secs(1) / per_second.get();
        let burst = burst.unwrap_or(per_second).get();
        Self {
            interval,
            tolerance: interval * (burst - 1) + JITTER,
            due: Mutex::new(Instant::now()),
        }
    }

    /// Takes in a request arriving now: `Err(wait)` when it came too early, with how long until
    /// it would have been on time.
    pub(crate) fn check(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut due = self
            .due
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let earliest = due.checked_sub(self.tolerance).unwrap_or(now);
        if now < earliest {
            return Err(earliest - now);
        }
        *due = (*due).max(now) + self.interval;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_of_one_takes_requests_an_interval_apart_and_refuses_one_early() {
        let bucket = Bucket::new(NonZeroU32::new(20).unwrap(), NonZeroU32::new(1));
        assert!(bucket.check().is_ok());
        let wait = bucket.check().expect_err("a second request at once");
        assert!(wait > Duration::from_millis(40) && wait <= Duration::from_millis(50));
        std::thread::sleep(Duration::from_millis(50));
        assert!(bucket.check().is_ok(), "on time");
    }

    #[test]
    fn a_bucket_of_n_takes_a_burst_of_n() {
        let bucket = Bucket::new(NonZeroU32::new(10).unwrap(), NonZeroU32::new(3));
        for _ in 0..3 {
            assert!(bucket.check().is_ok());
        }
        assert!(bucket.check().is_err());
    }
}
