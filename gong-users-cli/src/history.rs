//! `gong-users history ID`: one user's settings history, oldest first.

use std::process::ExitCode;

use crate::cli::HistoryArgs;
use crate::connect::connect_quietly;
use crate::output::SettingChanges;
use crate::{exit, output, report};

pub async fn run(args: HistoryArgs) -> ExitCode {
    let connection = match connect_quietly(&args.connection).await {
        Ok(connection) => connection,
        Err(status) => return status,
    };
    let history = connection
        .client
        .user_settings_history(args.id.as_str())
        .send_raw()
        .await;
    let history = match history {
        Ok(history) => history,
        Err(error) if error.is_not_found() => {
            report::not_found(std::slice::from_ref(&args.id));
            return ExitCode::from(exit::NOT_FOUND);
        }
        Err(error) => return report::error(&error),
    };
    let written = output::write_to_stdout::<_, SettingChanges>(args.format, history.changes());
    report::write_failure(written).unwrap_or(ExitCode::from(exit::OK))
}
