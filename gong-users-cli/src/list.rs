//! `gong-users list`: stream pages from Gong to stdout.

use std::io::{self, BufWriter, IsTerminal as _, Write as _};
use std::process::ExitCode;

use futures::StreamExt as _;
use gong_users::{ClientBuilder, ENV_BASE_URL, Error, RateLimit, RetryPolicy};

use crate::cli::{Format, ListArgs};
use crate::exit;
use crate::output;

/// How the run ended, for the exit status and message.
enum Outcome {
    Done,
    Failed(Error),
    Io(io::Error),
}

pub async fn run(args: ListArgs) -> ExitCode {
    let client = match build_client(&args) {
        Ok(client) => client,
        Err(error) => return report(&error, 0),
    };
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Ndjson
    });
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = output::writer(format, stdout);

    let mut request = client.list_users();
    if args.include_avatars {
        request = request.include_avatars(true);
    }
    if let Some(cursor) = &args.cursor {
        request = request.cursor(cursor.clone());
    }
    let mut pages = request.pages();
    let mut written: u64 = 0;
    let limit = args.limit.unwrap_or(u64::MAX);
    let outcome = 'listing: loop {
        if written >= limit {
            break Outcome::Done;
        }
        let page = match pages.next().await {
            None => break Outcome::Done,
            Some(Err(error)) => break Outcome::Failed(error),
            Some(Ok(page)) => page,
        };
        for user in page
            .users()
            .iter()
            .take(usize::try_from(limit - written).unwrap_or(usize::MAX))
        {
            if let Err(err) = writer.write_user(user) {
                break 'listing Outcome::Io(err);
            }
            written += 1;
        }
        if let Err(err) = writer.flush() {
            break Outcome::Io(err);
        }
        tracing::debug!(written, "page written");
    };
    drop(pages); // stops any page still being fetched ahead
    let outcome = match outcome {
        Outcome::Done => match writer.finish() {
            Ok(()) => Outcome::Done,
            Err(err) => Outcome::Io(err),
        },
        Outcome::Failed(error) => {
            // Close what was written (a JSON array's `]`) so the partial output stays valid.
            let _ = writer.finish();
            Outcome::Failed(error)
        }
        other => other,
    };
    match outcome {
        Outcome::Done => ExitCode::from(exit::OK),
        // The reader closed stdout (`| head`): a normal end, quietly.
        Outcome::Io(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        Outcome::Io(err) => {
            eprintln!("error: writing to stdout failed: {err}");
            ExitCode::from(exit::OTHER)
        }
        Outcome::Failed(error) => report(&error, written),
    }
}

fn build_client(args: &ListArgs) -> Result<gong_users::Client, Error> {
    // --base-url (or GONG_BASE_URL, read by clap) wins; credentials come from the environment.
    let base_url = args.base_url.clone();
    ClientBuilder::from_lookup(|name| {
        if name == ENV_BASE_URL {
            base_url.clone()
        } else {
            std::env::var(name).ok()
        }
    })?
    .rate_limit(RateLimit::per_second(args.rate_limit))
    .retry_policy(RetryPolicy::default().with_max_retries(args.max_retries))
    .build()
}

/// Prints the error and what to do about it; returns the exit status.
fn report(error: &Error, written: u64) -> ExitCode {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    if error.is_auth() {
        let _ = writeln!(
            stderr,
            "hint: check GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET (or GONG_BEARER_TOKEN), that they \
             carry the scope api:users:read, and that GONG_BASE_URL is your company's host"
        );
    }
    if let Some(wait) = error.retry_after().filter(|_| error.is_rate_limited()) {
        let _ = writeln!(
            stderr,
            "hint: Gong asked to wait {}s before the next call; a wait of hours means the daily quota is spent",
            wait.as_secs()
        );
    }
    if let Some(cursor) = error.resume_cursor() {
        let _ = writeln!(
            stderr,
            "hint: {written} user{} written; continue with: gong-users list --cursor '{cursor}'",
            if written == 1 { " was" } else { "s were" }
        );
    }
    exit::for_error(error)
}
