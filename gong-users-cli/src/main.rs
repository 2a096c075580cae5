//! `gong-users`: list, look up and follow the users of a Gong company from the command line.

mod cli; //         what the user can type
mod commands; //    list, get, history: one file a command
mod connection; //  the client from flags and environment: sandbox, token file
mod generated; //   code generated from the spec (the records' schemas)
mod output; //      the formats (table, csv, ndjson, json), apart from record kinds
mod records; //     the record kinds the row formats write, their columns from the spec
mod report; //      errors and warnings on stderr, exit statuses
mod terminal; //    progress, signals, text made safe for a terminal

use std::future::Future;
use std::io::{self, Write as _};
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::List(args) => {
            init_logging(&args.connection);
            run(commands::list::run(args))
        }
        cli::Command::Get(args) => {
            init_logging(&args.connection);
            run(commands::get::run(args))
        }
        cli::Command::Sync(args) => {
            init_logging(&args.connection);
            run(commands::sync::run(args))
        }
        cli::Command::Quota(args) => {
            init_logging(&args.connection);
            run(commands::quota::run(args))
        }
        cli::Command::History(args) => {
            init_logging(&args.connection);
            run(commands::history::run(args))
        }
        cli::Command::Schema => print(|out| {
            let schema = schemars::schema_for!(gong_users::User);
            serde_json::to_writer_pretty(&mut *out, &schema).map_err(io::Error::from)?;
            writeln!(out)
        }),
        cli::Command::Completions { shell } => print(|out| {
            clap_complete::generate(shell, &mut cli::Cli::command(), "gong-users", out);
            Ok(())
        }),
        cli::Command::Man => print(|out| clap_mangen::Man::new(cli::Cli::command()).render(out)),
    }
}

/// Runs a command that talks to Gong on a Tokio runtime.
fn run(command: impl Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(command),
        Err(err) => {
            eprintln!("error: could not start the async runtime: {err}");
            ExitCode::from(report::exit::OTHER)
        }
    }
}

/// Writes what `write` prints to stdout; a closed stdout (`| head`) is a normal end.
fn print(write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> ExitCode {
    let mut stdout = io::stdout().lock();
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::from(report::exit::OK),
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(report::exit::OK),
        Err(err) => {
            eprintln!("error: writing to stdout failed: {err}");
            ExitCode::from(report::exit::OTHER)
        }
    }
}

/// Logs go to stderr, never stdout. `RUST_LOG` (`target=level,…` or a level) overrides the
/// flags. (`Targets`, not `EnvFilter`: the same syntax without span-field filters, and without
/// the regular-expression engine those need.)
fn init_logging(connection: &cli::ConnectionArgs) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::prelude::*;

    let (verbose, quiet) = (connection.verbose, connection.quiet);
    let default = match (quiet, verbose) {
        (true, _) | (false, 0) => "off",
        (false, 1) => "gong_users=info",
        (false, _) => "gong_users=debug,gong_users_cli=debug",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.parse::<Targets>().ok())
        .unwrap_or_else(|| default.parse().unwrap_or_default());
    let span_events = if verbose >= 2 {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_span_events(span_events)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(filter);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}
