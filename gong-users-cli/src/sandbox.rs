//! `--sandbox`: a FakeGong in this process, so a newcomer sees the whole thing work before they
//! have credentials. The listing still goes through the real client, retries and rate limiter
//! included.

use gong_users::{ClientBuilder, Credentials, Error};
use gong_users_mock::{FakeGong, Faults};

use crate::cli::ListArgs;

/// Starts the fake and returns it (it stops when dropped) with a builder aimed at it.
pub async fn start(args: &ListArgs) -> Result<(FakeGong, ClientBuilder), Error> {
    if !(0.0..=1.0).contains(&args.sandbox_faults) {
        return Err(Error::Config(format!(
            "--sandbox-faults must be between 0 and 1, not {}",
            args.sandbox_faults
        )));
    }
    let fake = FakeGong::builder()
        .users(args.sandbox_users)
        .avatars(3)
        .rate_limit(args.sandbox_rate_limit)
        .faults(Faults::mixed(args.sandbox_faults))
        .start()
        .await
        .map_err(|err| Error::Config(format!("the sandbox could not start: {err}")))?;
    let credentials = Credentials::basic(fake.access_key(), fake.access_key_secret());
    let builder = ClientBuilder::default()
        .base_url(fake.base_url())?
        .credentials(credentials);
    Ok((fake, builder))
}
