//! `gong-users list`: stream pages from Gong to stdout.

use std::io::{self, BufWriter, IsTerminal as _, Write as _};
use std::process::ExitCode;

use futures::StreamExt as _;
use gong_users::{
    Client, ClientBuilder, ENV_ACCESS_KEY, ENV_ACCESS_KEY_SECRET, ENV_BASE_URL, ENV_BEARER_TOKEN,
    Error, RateLimit, RetryPolicy,
};

use crate::cli::{Format, ListArgs};
use crate::exit;
use crate::interrupt::{Interrupts, Signal};
use crate::output::{self, UserWriter, WriteError};
use crate::progress::Progress;
use crate::sandbox;

/// How the listing ended.
enum Outcome {
    Done,
    Failed(Error),
    Interrupted(Signal),
    Io(io::Error),
}

/// Where the listing got to: how many users were written, and the cursor of the first page not
/// written in full (`None`: from the beginning).
struct Written {
    users: u64,
    resume: Option<String>,
}

pub async fn run(args: ListArgs) -> ExitCode {
    let progress = Progress::new(io::stderr().is_terminal() && !args.quiet && args.verbose == 0);
    // The sandbox, when asked for, lives until the listing ends.
    let (client, _sandbox) = match build_client(&args, &progress).await {
        Ok(built) => built,
        Err(failure) => {
            progress.abandon();
            return failure.report(&args);
        }
    };
    let interrupts = match Interrupts::install() {
        Ok(interrupts) => interrupts,
        Err(err) => {
            eprintln!("error: could not install the SIGINT/SIGTERM handlers: {err}");
            return ExitCode::from(exit::OTHER);
        }
    };
    let format = args.format.unwrap_or(if io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Ndjson
    });
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = output::writer(format, stdout);
    let (outcome, written) =
        list_into(&client, &args, writer.as_mut(), &progress, interrupts).await;
    let outcome = match outcome {
        // Close what was written (a JSON array's `]`) so even a partial output stays valid.
        Outcome::Io(err) => Outcome::Io(err),
        outcome => match (progress.suspend(|| writer.finish()), outcome) {
            (Err(err), Outcome::Done) => Outcome::Io(err),
            (_, outcome) => outcome,
        },
    };
    match outcome {
        Outcome::Done => {
            progress.finish(written.users);
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
        Outcome::Interrupted(signal) => {
            progress.abandon();
            eprintln!(
                "interrupted by {}: {} written; {}",
                signal.name(),
                users(written.users),
                resume_hint(&args, written.resume.as_deref())
            );
            ExitCode::from(signal.exit_status())
        }
        Outcome::Failed(error) => {
            progress.abandon();
            report(&error, &args, &written)
        }
    }
}

/// Writes the listing page by page, until it ends, fails, or a signal stops it between pages.
async fn list_into(
    client: &Client,
    args: &ListArgs,
    writer: &mut dyn UserWriter,
    progress: &Progress,
    mut interrupts: Interrupts,
) -> (Outcome, Written) {
    let mut request = client.list_users();
    if args.include_avatars {
        request = request.include_avatars(true);
    }
    if let Some(cursor) = &args.cursor {
        request = request.cursor(cursor.clone());
    }
    let mut pages = request.raw_pages();
    let mut written = Written {
        users: 0,
        resume: args.cursor.clone(),
    };
    let limit = args.limit.unwrap_or(u64::MAX);
    while written.users < limit {
        // A signal wins over a page that is ready: stop now, the output ends on a whole page.
        let next = tokio::select! {
            biased;
            signal = interrupts.recv() => {
                interrupts.exit_on_next();
                return (Outcome::Interrupted(signal), written);
            }
            next = pages.next() => next,
        };
        let page = match next {
            None => break,
            Some(Err(error)) => return (Outcome::Failed(error), written),
            Some(Ok(page)) => page,
        };
        let wanted = usize::try_from(limit - written.users).unwrap_or(usize::MAX);
        match progress.suspend(|| output::write_page(writer, &page, wanted)) {
            Ok(count) => written.users += count as u64,
            Err(WriteError::Io(err)) => return (Outcome::Io(err), written),
            Err(WriteError::Decode(error)) => return (Outcome::Failed(error), written),
        }
        written.resume = page.next_cursor().map(str::to_owned);
        progress.page(&page, written.users);
        tracing::debug!(written = written.users, "page written");
    }
    // Dropping `pages` stops any page still being fetched ahead.
    (Outcome::Done, written)
}

/// Why the client could not be set up.
enum SetupFailure {
    Client(Error),
    Sandbox(io::Error),
}

impl SetupFailure {
    fn report(self, args: &ListArgs) -> ExitCode {
        match self {
            SetupFailure::Client(error) => report(
                &error,
                args,
                &Written {
                    users: 0,
                    resume: None,
                },
            ),
            SetupFailure::Sandbox(err) => {
                eprintln!("error: the sandbox could not start: {err}");
                ExitCode::from(exit::OTHER)
            }
        }
    }
}

impl From<Error> for SetupFailure {
    fn from(error: Error) -> Self {
        SetupFailure::Client(error)
    }
}

/// The client, from the environment and flags, or aimed at a sandbox started here.
async fn build_client(
    args: &ListArgs,
    progress: &Progress,
) -> Result<(Client, Option<gong_users_mock::FakeGong>), SetupFailure> {
    let (builder, sandbox) = if args.sandbox {
        let fake = sandbox::start(args).await.map_err(SetupFailure::Sandbox)?;
        (fake.client_builder(), Some(fake))
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

/// "1 user" or "N users".
fn users(count: u64) -> String {
    format!("{count} user{}", if count == 1 { "" } else { "s" })
}

/// The command that continues the listing from `cursor` (`None`: from the beginning). The
/// cursor is bound to the listing's parameters, so they are repeated.
fn resume_hint(args: &ListArgs, cursor: Option<&str>) -> String {
    let avatars = if args.include_avatars {
        " --include-avatars"
    } else {
        ""
    };
    match cursor {
        Some(cursor) => format!("continue with: gong-users list{avatars} --cursor '{cursor}'"),
        None => "nothing was written; run the same command again to start over".to_owned(),
    }
}

/// Prints the error, its causes, and what to do about it; returns the exit status.
fn report(error: &Error, args: &ListArgs, written: &Written) -> ExitCode {
    let mut stderr = io::stderr().lock();
    let mut line = format!("error: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    let _ = writeln!(stderr, "{line}");
    if error.is_auth() {
        let _ = writeln!(
            stderr,
            "hint: check {ENV_ACCESS_KEY} and {ENV_ACCESS_KEY_SECRET} (or {ENV_BEARER_TOKEN}), that \
             they carry the scope api:users:read, and that {ENV_BASE_URL} is your company's host"
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
            "hint: {} written; {}",
            users(written.users),
            resume_hint(args, Some(cursor))
        );
    }
    exit::for_error(error)
}
