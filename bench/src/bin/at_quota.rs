//! Target 4: against FakeGong limited to R requests a second, the client, its limiter set to R,
//! sustains at least 95% of R with zero 429s. Prints the figures for each R.
//!
//! `at-quota [R...]` (default: 3 10 30)

use std::time::Instant;

use futures::TryStreamExt as _;
use gong_users::RateLimit;
use gong_users_mock::{FakeGong, Outcome};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rates: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|r| r.parse().ok())
        .collect();
    let rates = if rates.is_empty() {
        vec![3, 10, 30]
    } else {
        rates
    };
    for rate in rates {
        // About five seconds of requests at the rate, pages of 10 users.
        let pages = (rate as usize * 5).max(10);
        let fake = FakeGong::builder()
            .users(pages * 10)
            .page_size(10)
            .rate_limit(rate)
            .start()
            .await?;
        let client = fake
            .client_builder()
            .rate_limit(RateLimit::per_second(rate))
            .build()?;
        // The server's bucket starts full; the client's limiter does not burst, so the measure
        // is the steady rate.
        let started = Instant::now();
        let users: usize = client
            .list_users()
            .pages()
            .try_fold(0, |n, page| async move { Ok(n + page.users().len()) })
            .await?;
        let elapsed = started.elapsed().as_secs_f64();
        let log = fake.requests();
        let limited = log
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::RateLimited { .. }))
            .count();
        // n requests evenly spaced span n - 1 intervals.
        let achieved = (log.len() - 1) as f64
            / (log.last().map_or(0.0, |r| r.at.as_secs_f64()) - log[0].at.as_secs_f64());
        println!(
            "at-quota R={rate}/s: {} requests ({users} users) in {elapsed:.2}s, sustained {achieved:.2}/s = {:.1}% of R, {limited} x 429",
            log.len(),
            achieved / f64::from(rate) * 100.0
        );
    }
    Ok(())
}
