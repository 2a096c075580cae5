//! `gong-users get ID...`: users by id, in the order given, written as `list` writes them.

use std::io::{self, BufWriter};
use std::process::ExitCode;

use gong_users::User;

use crate::cli::{Format, GetArgs};
use crate::connect::connect;
use crate::output::{self, WriteError};
use crate::progress::Progress;
use crate::{exit, report};

pub async fn run(args: GetArgs) -> ExitCode {
    let progress = Progress::new(false);
    let connection = match connect(&args.connection, progress.on_event()).await {
        Ok(connection) => connection,
        Err(failure) => return failure.report(),
    };
    let found = match connection
        .client
        .get_users(args.ids)
        .include_avatars(args.include_avatars)
        .send_raw()
        .await
    {
        Ok(found) => found,
        Err(error) => return report::error(&error),
    };
    let (users, not_found) = found.into_parts();
    let format = args.format.unwrap_or_else(Format::for_stdout);
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = output::writer::<User>(format, stdout);
    let written = output::write_all(writer.as_mut(), &users)
        .and_then(|_| writer.finish().map_err(WriteError::Io));
    if let Some(status) = report::write_failure(written) {
        return status;
    }
    report::not_found(&not_found);
    ExitCode::from(if not_found.is_empty() {
        exit::OK
    } else {
        exit::NOT_FOUND
    })
}
