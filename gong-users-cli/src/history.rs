//! `gong-users history ID`: one user's settings history, oldest first.

use std::io::{self, BufWriter};
use std::process::ExitCode;

use gong_users::UserSettingChange;

use crate::cli::{Format, HistoryArgs};
use crate::connect::connect;
use crate::output::{self, WriteError};
use crate::progress::Progress;
use crate::report;

pub async fn run(args: HistoryArgs) -> ExitCode {
    let progress = Progress::new(false);
    let connection = match connect(&args.connection, progress.on_event()).await {
        Ok(connection) => connection,
        Err(failure) => return failure.report(),
    };
    let history = match connection
        .client
        .user_settings_history(args.id.as_str())
        .send_raw()
        .await
    {
        Ok(history) => history,
        Err(error) if error.is_not_found() => {
            report::not_found(std::slice::from_ref(&args.id));
            return ExitCode::from(crate::exit::NOT_FOUND);
        }
        Err(error) => return report::error(&error),
    };
    let format = args.format.unwrap_or_else(Format::for_stdout);
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = output::writer::<UserSettingChange>(format, stdout);
    let written = output::write_all(writer.as_mut(), history.changes())
        .and_then(|_| writer.finish().map_err(WriteError::Io));
    report::write_failure(written).unwrap_or(ExitCode::from(crate::exit::OK))
}
