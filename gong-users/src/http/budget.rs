//! The daily budget: Gong allows a company 10,000 requests in 24 hours (its support can raise
//! that); past it, Gong answers 429 with a `Retry-After` of hours, and every refused request
//! spends nothing but time. The client counts its requests in a rolling 24 hours and sends none
//! past the budget: it fails at once, saying when the budget frees. In one process the count
//! lives here; a fleet shares it through Redis (`http/shared.rs`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Gong's default daily quota per company.
pub const DEFAULT_DAILY_QUOTA: u32 = 10_000;

/// The rolling window the budget counts in.
pub(crate) const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The requests of the last 24 hours, in one process.
pub(crate) struct LocalBudget {
    budget: u32,
    sent: Mutex<VecDeque<Instant>>,
}

impl LocalBudget {
    pub(crate) fn new(budget: u32) -> Self {
        Self {
            budget,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Counts one request, or says how long until the oldest of the window leaves it.
    pub(crate) fn take(&self) -> Result<(), Duration> {
        let now = Instant::now();
        let mut sent = self
            .sent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while sent
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= WINDOW)
        {
            sent.pop_front();
        }
        if sent.len() >= self.budget as usize {
            let oldest = sent.front().copied().unwrap_or(now);
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(oldest)));
        }
        sent.push_back(now);
        Ok(())
    }

    pub(crate) fn budget(&self) -> u32 {
        self.budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_refuses_past_its_count_and_says_when_it_frees() {
        let budget = LocalBudget::new(2);
        assert!(budget.take().is_ok());
        assert!(budget.take().is_ok());
        let frees_in = budget.take().expect_err("the third of a budget of two");
        assert!(frees_in > WINDOW - Duration::from_secs(5) && frees_in <= WINDOW);
        assert!(LocalBudget::new(0).take().is_err());
    }
}
