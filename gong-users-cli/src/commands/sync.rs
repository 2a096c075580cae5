//! `gong-users sync`: the company's users into a database, with their whole history. All of a
//! run's changes commit at once, or none: a listing that fails or ends short, or a signal,
//! changes nothing and is recorded as a `failed` or `interrupted` run.

use std::process::ExitCode;

use gong_users_sync::{DatabaseUrl, Options, Outcome, SyncError, sync_with};

use crate::cli::SyncArgs;
use crate::connection::connect_quietly;
use crate::report::{self, exit, users};
use crate::terminal::interrupt;

pub async fn run(args: SyncArgs) -> ExitCode {
    let database = match DatabaseUrl::parse(&args.database) {
        Ok(database) => database,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(exit::CONFIG);
        }
    };
    let connection = match connect_quietly(&args.connection).await {
        Ok(connection) => connection,
        Err(status) => return status,
    };
    let mut interrupts = match interrupt::install_or_report() {
        Ok(interrupts) => interrupts,
        Err(status) => return status,
    };
    let client = &connection.client;
    let options = Options::default().with_history(args.with_history);
    let outcome = sync_with(client, &database, options, async {
        interrupts.recv().await;
    })
    .await;
    // An OAuth refresh already sent completes, and its rotated token is stored, before exit.
    client.close().await;
    match outcome {
        Ok(Outcome::Done(summary)) => {
            let c = &summary.counts;
            eprintln!(
                "sync: {} seen; {} created, {} updated, {} deactivated, {} reactivated, {} deleted, \
                 {} unchanged in {:.1}s ({database})",
                users(c.users_seen),
                c.created,
                c.updated,
                c.deactivated,
                c.reactivated,
                c.deleted,
                c.unchanged,
                summary.elapsed.as_secs_f64()
            );
            ExitCode::from(exit::OK)
        }
        Ok(Outcome::Interrupted { users_seen }) => {
            let signal = interrupts
                .received()
                .unwrap_or(interrupt::Signal::Interrupt);
            eprintln!(
                "interrupted by {} after {} listed: nothing was changed; the run is recorded as \
                 interrupted",
                signal.name(),
                users(users_seen)
            );
            ExitCode::from(signal.exit_status())
        }
        Err(ref sync_error @ SyncError::Listing(ref error)) => {
            // Said as the sync says it: without a cursor to resume from (it lists everyone
            // again); the hints and the exit status as `list`.
            let status = report::error_said_as(error, &format!("error: {sync_error}"));
            eprintln!("hint: nothing was changed; the run is recorded as failed");
            status
        }
        Err(error @ SyncError::ShortListing { .. }) => {
            eprintln!("error: {error}; the run is recorded as failed");
            ExitCode::from(exit::BAD_RESPONSE)
        }
        Err(error @ (SyncError::NewerSchema { .. } | SyncError::Config(_))) => {
            eprintln!("error: {error}");
            ExitCode::from(exit::CONFIG)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(exit::OTHER)
        }
    }
}
