//! What a request waits for before it may go: the company's pace (the rate limit) and its
//! daily budget. In one process both live here; with shared state (the `redis` feature) every
//! process of the company waits its turn in Redis and counts against one budget there.

use crate::Error;
use crate::error::ErrorKind;
use crate::events::EventHandler;
use crate::http::budget::LocalBudget;
use crate::http::rate_limit::Limiter;

/// The pace and the budget a client's requests pass.
pub(crate) enum Gate {
    /// This process's own.
    Local {
        limiter: Option<Limiter>,
        budget: LocalBudget,
    },
    /// The company's, in Redis.
    #[cfg(feature = "redis")]
    Shared(std::sync::Arc<crate::http::shared::SharedState>),
}

impl Gate {
    /// Counts the request against the budget and waits for its turn. Fails at once when the
    /// budget is spent ([`ErrorKind::QuotaExhausted`]), or when the shared state fails.
    pub(crate) async fn admit(
        &self,
        attempt: u32,
        events: Option<&EventHandler>,
    ) -> Result<(), Error> {
        match self {
            Gate::Local { limiter, budget } => {
                budget
                    .take()
                    .map_err(|frees_in| ErrorKind::QuotaExhausted {
                        budget: budget.budget(),
                        frees_in,
                    })?;
                if let Some(limiter) = limiter {
                    limiter.acquire(attempt, events).await;
                }
                Ok(())
            }
            #[cfg(feature = "redis")]
            Gate::Shared(shared) => shared.admit(attempt, events).await,
        }
    }
}
