//! `gong-users`: list every user of a Gong company from the command line.

mod cli;
mod exit;
mod interrupt;
mod list;
mod output;
mod progress;
mod sandbox;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::List(args) => {
            init_logging(args.verbose, args.quiet);
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(err) => {
                    eprintln!("error: could not start the async runtime: {err}");
                    return ExitCode::from(exit::OTHER);
                }
            };
            runtime.block_on(list::run(args))
        }
        cli::Command::Schema => print_schema(),
    }
}

/// `gong-users schema`: the JSON Schema of one user record.
fn print_schema() -> ExitCode {
    let schema = schemars::schema_for!(gong_users::User);
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut stdout, &schema)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(stdout));
    match written {
        Ok(()) => ExitCode::from(exit::OK),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::OK),
        Err(err) => {
            eprintln!("error: writing to stdout failed: {err}");
            ExitCode::from(exit::OTHER)
        }
    }
}

/// Logs go to stderr, never stdout. `RUST_LOG` overrides the flags.
fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::fmt::format::FmtSpan;

    let default = match (quiet, verbose) {
        (true, _) | (false, 0) => "off",
        (false, 1) => "gong_users=info",
        (false, _) => "gong_users=debug,gong_users_cli=debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let span_events = if verbose >= 2 {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_span_events(span_events)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
