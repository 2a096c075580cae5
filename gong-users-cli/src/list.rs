//! `gong-users list`: stream pages from Gong to stdout.

use std::io::{self, IsTerminal as _};
use std::process::ExitCode;

use futures_util::StreamExt as _;
use gong_users::{Client, Error, Timestamp};

use crate::cli::{Format, ListArgs};
use crate::connect::connect;
use crate::exit;
use crate::interrupt::{Interrupts, Signal};
use crate::output::{self, Users, WriteError, Writer};
use crate::progress::Progress;
use crate::report::{self, users};

/// How the listing ended.
enum Outcome {
    Done,
    Failed(Error),
    Interrupted(Signal),
    /// Writing failed (stdout, or reading a user's fields): reported as `get` and `history` do.
    Write(WriteError),
}

/// Where the listing got to: how many users were written, and the cursor of the first page not
/// written in full (`None`: from the beginning).
struct Written {
    users: u64,
    resume: Option<String>,
}

pub async fn run(args: ListArgs) -> ExitCode {
    let connection = &args.connection;
    let progress =
        Progress::new(io::stderr().is_terminal() && !connection.quiet && connection.verbose == 0);
    // The sandbox, when asked for, lives until the listing ends.
    let connection = match connect(connection, progress.on_event()).await {
        Ok(connection) => connection,
        Err(failure) => {
            progress.abandon();
            return failure.report();
        }
    };
    let client = &connection.client;
    let interrupts = match Interrupts::install() {
        Ok(interrupts) => interrupts,
        Err(err) => {
            eprintln!("error: could not install the SIGINT/SIGTERM handlers: {err}");
            return ExitCode::from(exit::OTHER);
        }
    };
    let format = args.format.unwrap_or_else(Format::for_stdout);
    let mut writer = output::writer::<Users>(format, io::stdout().lock());
    let (outcome, written) = list_into(client, &args, &mut writer, &progress, interrupts).await;
    let outcome = match outcome {
        // Close what was written (a JSON array's `]`) so even a partial output stays valid.
        Outcome::Write(WriteError::Io(err)) => Outcome::Write(WriteError::Io(err)),
        outcome => match (progress.suspend(|| writer.finish()), outcome) {
            (Err(err), Outcome::Done) => Outcome::Write(WriteError::Io(err)),
            (_, outcome) => outcome,
        },
    };
    match outcome {
        Outcome::Done => {
            progress.finish(written.users);
            ExitCode::from(exit::OK)
        }
        Outcome::Write(failure) => {
            progress.abandon();
            report::write_error(failure)
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
            let status = report::error(&error);
            if let Some(cursor) = error.resume_cursor() {
                eprintln!(
                    "hint: {} written; {}",
                    users(written.users),
                    resume_hint(&args, Some(cursor))
                );
            }
            status
        }
    }
}

/// Writes the listing page by page, until it ends, fails, or a signal stops it between pages.
async fn list_into(
    client: &Client,
    args: &ListArgs,
    writer: &mut Writer<Users>,
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
    if let Some(from) = &args.created_from {
        request = request.created_from(Timestamp::new(from.as_str()));
    }
    if let Some(to) = &args.created_to {
        request = request.created_to(Timestamp::new(to.as_str()));
    }
    let limit = args.limit.unwrap_or(u64::MAX);
    let mut pages = request.raw_pages();
    let mut written = Written {
        users: 0,
        resume: args.cursor.clone(),
    };
    while written.users < limit {
        // A signal wins over a page that is ready: stop now, the output ends on a whole page.
        let next = tokio::select! {
            biased;
            signal = interrupts.recv() => {
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
            // A decode error is a bad response: reported with where the listing can resume.
            Err(WriteError::Decode(error)) => return (Outcome::Failed(error), written),
            Err(failure) => return (Outcome::Write(failure), written),
        }
        written.resume = page.next_cursor().map(str::to_owned);
        progress.page(&page, written.users);
        tracing::debug!(written = written.users, "page written");
    }
    // Dropping `pages` stops any page still being fetched ahead.
    (Outcome::Done, written)
}

/// The command that continues the listing from `cursor` (`None`: from the beginning). The
/// cursor is bound to the listing's parameters, so they are repeated.
fn resume_hint(args: &ListArgs, cursor: Option<&str>) -> String {
    let Some(cursor) = cursor else {
        return "nothing was written; run the same command again to start over".to_owned();
    };
    let mut command = "gong-users list".to_owned();
    if args.include_avatars {
        command.push_str(" --include-avatars");
    }
    if let Some(from) = &args.created_from {
        command.push_str(&format!(" --created-from '{from}'"));
    }
    if let Some(to) = &args.created_to {
        command.push_str(&format!(" --created-to '{to}'"));
    }
    format!("continue with: {command} --cursor '{cursor}'")
}
