//! `gong-users get ID...`: users by id, in the order given, written as `list` writes them.

use std::process::ExitCode;

use crate::cli::GetArgs;
use crate::connection::connect_quietly;
use crate::output;
use crate::records::USERS;
use crate::report::{self, exit};
use crate::terminal::interrupt::{Interrupts, unless_interrupted};

pub async fn run(args: GetArgs) -> ExitCode {
    let connection = match connect_quietly(&args.connection).await {
        Ok(connection) => connection,
        Err(status) => return status,
    };
    let mut interrupts = match Interrupts::install() {
        Ok(interrupts) => interrupts,
        Err(err) => {
            eprintln!("error: could not install the SIGINT/SIGTERM handlers: {err}");
            return ExitCode::from(exit::OTHER);
        }
    };
    let operation = connection
        .client
        .get_users(args.ids)
        .include_avatars(args.include_avatars)
        .send_raw();
    let found = unless_interrupted(&mut interrupts, operation).await;
    // An OAuth refresh already sent completes, and its rotated token is stored, before exit.
    connection.client.close().await;
    let found = match found {
        Ok(found) => found,
        Err(signal) => {
            eprintln!("interrupted by {}: nothing was written", signal.name());
            return ExitCode::from(signal.exit_status());
        }
    };
    let (users, not_found) = match found {
        Ok(found) => found.into_parts(),
        Err(error) => return report::error(&error),
    };
    match output::write_to_stdout(args.format, &USERS, args.strict, &users) {
        Ok(written) => report::odd_records(&written.odd),
        Err(failure) => return report::write_error(failure),
    }
    report::not_found(&not_found);
    ExitCode::from(if not_found.is_empty() {
        exit::OK
    } else {
        exit::NOT_FOUND
    })
}
