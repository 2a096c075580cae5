//! `--sandbox`: a FakeGong in this process, so a newcomer sees the whole thing work before they
//! have credentials. The listing still goes through the real client, retries and rate limiter
//! included. With --sandbox-oauth it authenticates as a Gong app does: OAuth tokens that expire
//! and refresh tokens that rotate.

use std::time::Duration;

use gong_users_mock::{FakeGong, Faults};

use crate::cli::ConnectionArgs;

/// Starts the fake; it stops when dropped.
pub async fn start(args: &ConnectionArgs) -> std::io::Result<FakeGong> {
    let mut builder = FakeGong::builder()
        .users(args.sandbox_users)
        .avatars(3)
        .rate_limit(args.sandbox_rate_limit)
        .faults(Faults::mixed(args.sandbox_faults));
    if args.sandbox_oauth {
        builder = builder
            .oauth(
                "sandbox-oauth-client",
                "sandbox-oauth-client-secret",
                "sandbox-refresh-token",
            )
            .access_token_lifetime(Duration::from_secs(args.sandbox_token_lifetime));
    }
    if args.sandbox_churn > 0 {
        // Another draw at each start.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64);
        builder = builder.churn(args.sandbox_churn, seed);
    }
    builder.start().await
}
