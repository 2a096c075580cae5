//! `gong-users list`: stream pages from Gong to stdout.

use std::io::{self, BufWriter, IsTerminal as _, Write as _};
use std::process::ExitCode;

use futures::StreamExt as _;
use gong_users::{Client, ClientBuilder, ENV_BASE_URL, Error, RateLimit, RetryPolicy};

use crate::cli::{Format, ListArgs};
use crate::exit;
use crate::output::{self, UserWriter, WriteError};
use crate::progress::Progress;
use crate::sandbox;

/// How the listing ended.
enum Outcome {
    Done,
    Failed(Error),
    Io(io::Error),
}

pub async fn run(args: ListArgs) -> ExitCode {
    let progress = Progress::new(io::stderr().is_terminal() && !args.quiet && args.verbose == 0);
    // The sandbox, when asked for, lives until the listing ends.
    let (client, _sandbox) = match build_client(&args, &progress).await {
        Ok(built) => built,
        Err(error) => {
            progress.abandon();
            return report(&error, 0);
        }
    };
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Ndjson
    });
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = output::writer(format, stdout);
    let (outcome, written) = list_into(&client, &args, writer.as_mut(), &progress).await;
    let outcome = match outcome {
        // Close what was written (a JSON array's `]`) so even a partial output stays valid.
        Outcome::Done | Outcome::Failed(_) => match (progress.suspend(|| writer.finish()), outcome)
        {
            (Err(err), Outcome::Done) => Outcome::Io(err),
            (_, outcome) => outcome,
        },
        Outcome::Io(err) => Outcome::Io(err),
    };
    match outcome {
        Outcome::Done => {
            progress.finish(written);
            ExitCode::from(exit::OK)
        }
        // The reader closed stdout (`| head`): a normal end, quietly.
        Outcome::Io(err) if err.kind() == io::ErrorKind::BrokenPipe => {
            progress.abandon();
            ExitCode::from(exit::OK)
        }
        Outcome::Io(err) => {
            progress.abandon();
            eprintln!("error: writing to stdout failed: {err}");
            ExitCode::from(exit::OTHER)
        }
        Outcome::Failed(error) => {
            progress.abandon();
            report(&error, written)
        }
    }
}

/// Writes the listing page by page; returns how it ended and how many users were written.
async fn list_into(
    client: &Client,
    args: &ListArgs,
    writer: &mut dyn UserWriter,
    progress: &Progress,
) -> (Outcome, u64) {
    let mut request = client.list_users();
    if args.include_avatars {
        request = request.include_avatars(true);
    }
    if let Some(cursor) = &args.cursor {
        request = request.cursor(cursor.clone());
    }
    let mut pages = request.raw_pages();
    let mut written: u64 = 0;
    let limit = args.limit.unwrap_or(u64::MAX);
    while written < limit {
        let page = match pages.next().await {
            None => break,
            Some(Err(error)) => return (Outcome::Failed(error), written),
            Some(Ok(page)) => page,
        };
        let wanted = usize::try_from(limit - written).unwrap_or(usize::MAX);
        match progress.suspend(|| writer.write_page(&page, wanted)) {
            Ok(count) => written += count as u64,
            Err(WriteError::Io(err)) => return (Outcome::Io(err), written),
            Err(WriteError::Decode(error)) => return (Outcome::Failed(error), written),
        }
        progress.page(&page, written);
        tracing::debug!(written, "page written");
    }
    // Dropping `pages` stops any page still being fetched ahead.
    (Outcome::Done, written)
}

/// The client, from the environment and flags, or aimed at a sandbox started here.
async fn build_client(
    args: &ListArgs,
    progress: &Progress,
) -> Result<(Client, Option<gong_users_mock::FakeGong>), Error> {
    let (builder, sandbox) = if args.sandbox {
        let (fake, builder) = sandbox::start(args).await?;
        (builder, Some(fake))
    } else {
        // --base-url (or GONG_BASE_URL, read by clap) wins; credentials come from the environment.
        let base_url = args.base_url.clone();
        let builder = ClientBuilder::from_lookup(|name| {
            if name == ENV_BASE_URL {
                base_url.clone()
            } else {
                std::env::var(name).ok()
            }
        })?;
        (builder, None)
    };
    let client = builder
        .rate_limit(RateLimit::per_second(args.rate_limit))
        .retry_policy(RetryPolicy::default().with_max_retries(args.max_retries))
        .on_event(progress.on_event())
        .build()?;
    Ok((client, sandbox))
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
    if let Some(cursor) = error.resume_cursor().filter(|_| written > 0) {
        let _ = writeln!(
            stderr,
            "hint: {written} user{} written; continue with: gong-users list --cursor '{cursor}'",
            if written == 1 { " was" } else { "s were" }
        );
    }
    exit::for_error(error)
}
