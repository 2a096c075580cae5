//! `gong-users get ID...`: users by id, in the order given, written as `list` writes them.

use std::process::ExitCode;

use crate::cli::GetArgs;
use crate::connection::connect_quietly;
use crate::output;
use crate::records::USERS;
use crate::report::{self, exit};
use crate::terminal::interrupt::unless_interrupted;

pub async fn run(args: GetArgs) -> ExitCode {
    let connection = match connect_quietly(&args.connection).await {
        Ok(connection) => connection,
        Err(status) => return status,
    };
    let operation = connection
        .client
        .get_users(args.ids)
        .include_avatars(args.include_avatars)
        .send_raw();
    let found = match unless_interrupted(&connection.client, operation).await {
        Ok(found) => found,
        Err(status) => return status,
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
