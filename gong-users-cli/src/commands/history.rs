//! `gong-users history ID`: one user's settings history, oldest first.

use std::process::ExitCode;

use crate::cli::HistoryArgs;
use crate::connection::connect_quietly;
use crate::output;
use crate::records::SETTING_CHANGES;
use crate::report::{self, exit};
use crate::terminal::interrupt::unless_interrupted;

pub async fn run(args: HistoryArgs) -> ExitCode {
    let connection = match connect_quietly(&args.connection).await {
        Ok(connection) => connection,
        Err(status) => return status,
    };
    let operation = connection
        .client
        .user_settings_history(args.id.as_str())
        .send_raw();
    let history = match unless_interrupted(&connection.client, operation).await {
        Ok(history) => history,
        Err(status) => return status,
    };
    let history = match history {
        Ok(history) => history,
        // Gong's own 404 names an unknown user; a proxy's page (HTML) is a bad response.
        Err(error)
            if error.is_not_found() && error.api().is_some_and(|api| api.is_gong_error()) =>
        {
            report::not_found(std::slice::from_ref(&args.id));
            return ExitCode::from(exit::NOT_FOUND);
        }
        Err(error) => return report::error(&error),
    };
    match output::write_to_stdout(
        args.format,
        &SETTING_CHANGES,
        args.strict,
        history.changes(),
    ) {
        Ok(written) => {
            report::odd_records(&written.odd);
            ExitCode::from(exit::OK)
        }
        Err(failure) => report::write_error(failure),
    }
}
