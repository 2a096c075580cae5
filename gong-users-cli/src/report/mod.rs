//! Saying what went wrong on stderr, and the exit status that goes with it.

pub mod exit;

use std::io::{self, Write as _};
use std::process::ExitCode;

use gong_users::{
    ENV_ACCESS_KEY, ENV_ACCESS_KEY_SECRET, ENV_BASE_URL, ENV_BEARER_TOKEN, ENV_DAILY_QUOTA,
    ENV_OAUTH_REFRESH_TOKEN, Error, ErrorKind,
};

use crate::output::{OddRecord, WriteError};
use crate::terminal::escape::escape_for_terminal;

/// Prints the error, its causes, and what to do about it; returns the exit status. Text from
/// the server (Gong's messages, a proxy's page, a cursor) has its control characters escaped.
pub fn error(error: &Error) -> ExitCode {
    let mut line = format!("error: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        line.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    error_said_as(error, &line)
}

/// [`error`], the error said in `line` (a command that has its own words for it).
pub fn error_said_as(error: &Error, line: &str) -> ExitCode {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{}", escape_for_terminal(line));
    if matches!(error.kind(), ErrorKind::RefreshAnswerLost { .. }) {
        let _ = writeln!(
            stderr,
            "hint: the token request was retried after a failure on the way, and Gong had already \
             rotated the refresh token: its answer was lost. Re-authorize the app for this \
             customer, then set {ENV_OAUTH_REFRESH_TOKEN} to the new refresh token"
        );
    } else if matches!(error.kind(), ErrorKind::ReauthorizationRequired { .. }) {
        let _ = writeln!(
            stderr,
            "hint: re-authorize the app for this customer, then set {ENV_OAUTH_REFRESH_TOKEN} to the \
             new refresh token (the token file is then started afresh)"
        );
    } else if error.is_auth() {
        let _ = writeln!(
            stderr,
            "hint: check {ENV_ACCESS_KEY} and {ENV_ACCESS_KEY_SECRET} (or {ENV_BEARER_TOKEN}), that \
             they carry the scope api:users:read, and that {ENV_BASE_URL} is your company's host"
        );
    }
    if let Some(frees_in) = error.retry_after().filter(|_| error.is_quota_exhausted()) {
        let at: chrono::DateTime<chrono::Utc> = (std::time::SystemTime::now() + frees_in).into();
        let _ = writeln!(
            stderr,
            "hint: no request was sent; the budget frees at {} (raise it with {ENV_DAILY_QUOTA} if \
             Gong raised your quota)",
            at.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
    if let Some(wait) = error.retry_after().filter(|_| error.is_rate_limited()) {
        let _ = writeln!(
            stderr,
            "hint: Gong asked to wait {}s before the next call; a wait of hours means the daily quota is spent",
            wait.as_secs()
        );
    }
    exit::for_error(error)
}

/// Gong refused the cursor as expired: exit 5, and how to go on. No cursor is printed, nor a
/// URL that holds one: it cannot be continued from.
pub fn cursor_expired(error: &Error, written: u64) -> ExitCode {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(
        stderr,
        "error: Gong says the listing's cursor has expired{} (Gong's cursors are signed tokens \
         that live a limited time){}",
        error
            .request_id()
            .map(|id| format!(" (requestId {})", escape_for_terminal(id)))
            .unwrap_or_default(),
        if written > 0 {
            format!("; {} written before it", users(written))
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        stderr,
        "hint: an expired cursor cannot be continued from: list again from the start, without \
         --cursor"
    );
    ExitCode::from(exit::BAD_RESPONSE)
}

/// One warning line a record written with values of another type than the spec says (shown
/// even with `-q`: the output is not what the spec promises).
pub fn odd_records(records: &[OddRecord]) {
    let mut stderr = io::stderr().lock();
    for record in records {
        let _ = writeln!(
            stderr,
            "warning: {} has values of another type than the spec says, written as Gong sent \
             them: {}",
            describe(record),
            escape_for_terminal(&record.fields.join(", "))
        );
    }
}

/// "user 234599484848423" (or "a user without an id").
fn describe(record: &OddRecord) -> String {
    match &record.id {
        Some(id) => format!("{} {}", record.noun, escape_for_terminal(id)),
        None => format!("a {} without an id", record.noun),
    }
}

/// "1 user" or "N users".
pub fn users(count: u64) -> String {
    format!("{count} user{}", if count == 1 { "" } else { "s" })
}

/// Names each id Gong has no user for, one line each.
pub fn not_found(ids: &[String]) {
    let mut stderr = io::stderr().lock();
    for id in ids {
        let _ = writeln!(stderr, "not found: no user with id {id}");
    }
}

/// Says why writing failed; returns the exit status. A reader that left (`| head`) is a normal
/// end, quietly.
pub fn write_error(failure: WriteError) -> ExitCode {
    match failure {
        WriteError::Io(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        WriteError::Io(err) => {
            eprintln!("error: writing to stdout failed: {err}");
            ExitCode::from(exit::OTHER)
        }
        WriteError::Fields(error) => {
            eprintln!("error: a record could not be read for this format: {error}");
            ExitCode::from(exit::BAD_RESPONSE)
        }
        WriteError::Odd(record) => {
            eprintln!(
                "error: {} has a value of another type than the spec says in {} (--strict); \
                 without --strict it is written as Gong sent it, with a warning",
                describe(&record),
                escape_for_terminal(&record.fields.join(", "))
            );
            ExitCode::from(exit::BAD_RESPONSE)
        }
    }
}
