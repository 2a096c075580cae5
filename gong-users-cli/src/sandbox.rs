//! `--sandbox`: a FakeGong in this process, so a newcomer sees the whole thing work before they
//! have credentials. The listing still goes through the real client, retries and rate limiter
//! included.

use gong_users_mock::{FakeGong, Faults};

use crate::cli::ConnectionArgs;

/// Starts the fake; it stops when dropped.
pub async fn start(args: &ConnectionArgs) -> std::io::Result<FakeGong> {
    FakeGong::builder()
        .users(args.sandbox_users)
        .avatars(3)
        .rate_limit(args.sandbox_rate_limit)
        .faults(Faults::mixed(args.sandbox_faults))
        .start()
        .await
}
