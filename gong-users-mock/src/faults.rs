//! Faults FakeGong injects, each with a probability, drawn from a seeded generator so a failing
//! test fails the same way again.

use std::time::Duration;

use rand::Rng as _;
use rand::rngs::StdRng;

/// How often each fault happens, as probabilities from 0 to 1 (their sum at most 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// 500 with Gong's JSON error body.
    pub internal_error: f64,
    /// 502 with an HTML page, as a proxy sends.
    pub bad_gateway_html: f64,
    /// 503 with `Retry-After: unavailable_retry_after`.
    pub unavailable: f64,
    /// 200 whose body stops halfway (the connection closes before Content-Length is reached).
    pub truncated_body: f64,
    /// The connection is reset without a response.
    pub connection_reset: f64,
    /// The answer comes after `slow_delay`.
    pub slow: f64,
    /// The `Retry-After` seconds of a 503.
    pub unavailable_retry_after: u64,
    /// How late a slow answer is.
    pub slow_delay: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self::none()
    }
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self {
            internal_error: 0.0,
            bad_gateway_html: 0.0,
            unavailable: 0.0,
            truncated_body: 0.0,
            connection_reset: 0.0,
            slow: 0.0,
            unavailable_retry_after: 1,
            slow_delay: Duration::from_secs(2),
        }
    }

    /// `probability` in all, spread evenly over every kind but `slow` (which needs a client
    /// timeout to be a fault); 503s ask for `Retry-After: 0` so tests stay fast.
    pub fn mixed(probability: f64) -> Self {
        let each = probability / 5.0;
        Self {
            internal_error: each,
            bad_gateway_html: each,
            unavailable: each,
            truncated_body: each,
            connection_reset: each,
            unavailable_retry_after: 0,
            ..Self::none()
        }
    }

    /// Draws the fault for one request, if any.
    pub(crate) fn draw(&self, rng: &mut StdRng) -> Option<Fault> {
        let roll: f64 = rng.random();
        let mut threshold = 0.0;
        for (probability, fault) in [
            (self.internal_error, Fault::InternalError),
            (self.bad_gateway_html, Fault::BadGatewayHtml),
            (self.unavailable, Fault::Unavailable),
            (self.truncated_body, Fault::TruncatedBody),
            (self.connection_reset, Fault::ConnectionReset),
            (self.slow, Fault::Slow),
        ] {
            threshold += probability;
            if roll < threshold {
                return Some(fault);
            }
        }
        None
    }
}

/// One injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 500 with Gong's JSON body.
    InternalError,
    /// 502 with HTML.
    BadGatewayHtml,
    /// 503 with `Retry-After`.
    Unavailable,
    /// A body cut short.
    TruncatedBody,
    /// A reset connection.
    ConnectionReset,
    /// A late answer (then a normal page).
    Slow,
}
