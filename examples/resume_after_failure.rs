//! Resume a listing where it failed, instead of starting over: every error of a listing carries
//! the cursor of the page that failed.
//!
//! Here the client gives up quickly (one retry) so that, against a flaky server, a failure is
//! likely; the loop then resumes from the error's cursor until the listing completes.
//!
//! ```sh
//! cargo run -p gong-users-examples --example resume_after_failure
//! ```

use std::time::Duration;

use futures::TryStreamExt as _;
use gong_users::{ClientBuilder, RetryPolicy};

#[tokio::main]
async fn main() -> Result<(), gong_users::Error> {
    let client = ClientBuilder::from_env()?
        .retry_policy(
            RetryPolicy::default()
                .with_max_retries(1)
                .with_initial_backoff(Duration::from_millis(50)),
        )
        .build()?;
    let mut users = Vec::new();
    let mut cursor: Option<String> = None;
    let mut resumptions = 0;
    loop {
        let mut request = client.list_users();
        if let Some(cursor) = &cursor {
            request = request.cursor(cursor.clone());
        }
        let mut pages = request.pages();
        let failure = loop {
            match pages.try_next().await {
                Ok(Some(page)) => users.extend(page.into_users()),
                Ok(None) => break None,
                Err(error) => break Some(error),
            }
        };
        match failure {
            None => break,
            Some(error) if error.is_retryable() && resumptions < 20 => {
                eprintln!("failed after {} users ({error}); resuming", users.len());
                // None means the first page failed: start again from the beginning.
                cursor = error.resume_cursor().map(str::to_owned);
                resumptions += 1;
            }
            Some(error) => return Err(error),
        }
    }
    println!("{} users, {resumptions} resumptions", users.len());
    Ok(())
}
