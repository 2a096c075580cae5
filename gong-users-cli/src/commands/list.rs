//! `gong-users list`: stream pages from Gong to stdout.

use std::io::{self, IsTerminal as _};
use std::process::ExitCode;

use futures_util::StreamExt as _;
use gong_users::{Client, Error, Timestamp};

use crate::cli::{Format, ListArgs};
use crate::commands::resume::{self, Position};
use crate::connection::connect;
use crate::output::{self, WriteError, Writer};
use crate::records::USERS;
use crate::report::exit;
use crate::report::{self, users};
use crate::terminal::interrupt::{self, Interrupts, Signal};
use crate::terminal::progress::Progress;

/// How the listing ended.
enum Outcome {
    Done,
    Failed(Error),
    Interrupted(Signal),
    /// Writing failed (stdout, or reading a user's fields): reported as `get` and `history` do.
    Write(WriteError),
}

/// Where the listing got to: how many users were written, and where to continue.
struct Written {
    users: u64,
    position: Position,
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
    let mut interrupts = match interrupt::install_or_report() {
        Ok(interrupts) => interrupts,
        Err(status) => return status,
    };
    let format = args.format.unwrap_or_else(Format::for_stdout);
    let mut writer = output::writer(format, &USERS, args.strict, io::stdout().lock());
    if args.no_header {
        writer = writer.without_header();
    }
    let (outcome, written) =
        list_into(client, &args, &mut writer, &progress, &mut interrupts).await;
    // An OAuth refresh already sent completes, and its rotated token is stored, before exit.
    client.close().await;
    let outcome = match outcome {
        // Close what was written (a JSON array's `]`) so even a partial output stays valid.
        Outcome::Write(WriteError::Io(err)) => Outcome::Write(WriteError::Io(err)),
        outcome => match (progress.suspend(|| writer.finish()), outcome) {
            (Err(err), Outcome::Done) => Outcome::Write(WriteError::Io(err)),
            // A signal that came while the last users were written: said, with nothing missing.
            (Ok(()), Outcome::Done) => match interrupts.received() {
                Some(signal) => Outcome::Interrupted(signal),
                None => Outcome::Done,
            },
            (_, outcome) => outcome,
        },
    };
    let hint = |written: &Written| resume::hint(&args, format, &written.position, written.users);
    match outcome {
        Outcome::Done => {
            progress.finish(written.users);
            ExitCode::from(exit::OK)
        }
        Outcome::Write(failure) => {
            progress.abandon();
            let quiet_end = failure.is_broken_pipe();
            let status = report::write_error(failure);
            if !quiet_end && written.users > 0 {
                eprintln!("hint: {} written; {}", users(written.users), hint(&written));
            }
            status
        }
        Outcome::Interrupted(signal) => {
            progress.abandon();
            eprintln!(
                "interrupted by {}: {} written; {}",
                signal.name(),
                users(written.users),
                hint(&written)
            );
            ExitCode::from(signal.exit_status())
        }
        Outcome::Failed(error) if error.is_cursor_expired() => {
            progress.abandon();
            report::cursor_expired(&error, written.users)
        }
        Outcome::Failed(error) => {
            progress.abandon();
            let status = report::error(&error);
            if written.users > 0 || error.is_quota_exhausted() {
                eprintln!("hint: {} written; {}", users(written.users), hint(&written));
            }
            status
        }
    }
}

/// Writes the listing page by page, until it ends, fails, or a signal stops it between pages.
async fn list_into(
    client: &Client,
    args: &ListArgs,
    writer: &mut Writer,
    progress: &Progress,
    interrupts: &mut Interrupts,
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
        position: match &args.cursor {
            Some(cursor) => Position::At(cursor.clone()),
            None => Position::Start,
        },
    };
    while written.users < limit && written.position != Position::Complete {
        // A signal wins over a page that is ready: stop now, the output ends on a whole page.
        let next = tokio::select! {
            biased;
            signal = interrupts.recv() => {
                return (Outcome::Interrupted(signal), written);
            }
            next = pages.next() => next,
        };
        let page = match next {
            None => {
                written.position = Position::Complete;
                break;
            }
            Some(Err(error)) => return (Outcome::Failed(error), written),
            Some(Ok(page)) => page,
        };
        let wanted = usize::try_from(limit - written.users).unwrap_or(usize::MAX);
        let count = match progress.suspend(|| output::write_page(writer, &page, wanted)) {
            Ok(page_written) => {
                progress.suspend(|| report::odd_records(&page_written.odd));
                page_written.count
            }
            Err(failure) => return (Outcome::Write(failure), written),
        };
        written.users += count as u64;
        written.position = match page.next_cursor() {
            // Stopped by --limit inside this page: its cursor would skip the rest of it.
            _ if count < page.users().len() => written.position,
            Some(next) => Position::At(next.to_owned()),
            // The last page: nothing more to fetch, nor to continue.
            None => Position::Complete,
        };
        progress.page(&page, written.users);
        tracing::debug!(written = written.users, "page written");
    }
    // Dropping `pages` stops any page still being fetched ahead.
    (Outcome::Done, written)
}
