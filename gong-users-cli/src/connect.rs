//! The client every command uses: from the environment and flags, or aimed at a sandbox
//! started in this process.

use std::io;
use std::process::ExitCode;

use gong_users::{Client, ClientBuilder, ENV_BASE_URL, Error, Event, RateLimit, RetryPolicy};
use gong_users_mock::FakeGong;

use crate::cli::ConnectionArgs;
use crate::progress::Progress;
use crate::{exit, report, sandbox};

/// A client, and the sandbox it talks to when there is one (it stops when dropped).
pub struct Connection {
    pub client: Client,
    _sandbox: Option<FakeGong>,
}

/// Why the client could not be set up.
pub enum SetupFailure {
    Client(Error),
    Sandbox(io::Error),
}

impl SetupFailure {
    /// Prints the failure; returns the exit status.
    pub fn report(self) -> ExitCode {
        match self {
            SetupFailure::Client(error) => report::error(&error),
            SetupFailure::Sandbox(err) => {
                eprintln!("error: the sandbox could not start: {err}");
                ExitCode::from(exit::OTHER)
            }
        }
    }
}

impl From<Error> for SetupFailure {
    fn from(error: Error) -> Self {
        SetupFailure::Client(error)
    }
}

/// Builds the client `args` describe, telling `on_event` what it does.
pub async fn connect(
    args: &ConnectionArgs,
    on_event: impl Fn(&Event) + Send + Sync + 'static,
) -> Result<Connection, SetupFailure> {
    let (builder, sandbox) = if args.sandbox {
        let fake = sandbox::start(args).await.map_err(SetupFailure::Sandbox)?;
        (fake.client_builder(), Some(fake))
    } else {
        // --base-url (or its variable, read by clap) wins; credentials come from the environment.
        let base_url = args.base_url.clone();
        let builder = ClientBuilder::from_lookup(|name| {
            if name == ENV_BASE_URL {
                base_url.clone()
            } else {
                std::env::var(name).ok()
            }
        })?;
        (builder, None)
    };
    let client = builder
        .rate_limit(RateLimit::per_second(args.rate_limit))
        .retry_policy(RetryPolicy::default().with_max_retries(args.max_retries))
        .on_event(on_event)
        .build()?;
    Ok(Connection {
        client,
        _sandbox: sandbox,
    })
}

/// [`connect`] for a command that makes a few requests and shows no progress (`get`,
/// `history`): warnings still reach stderr; a failure is reported, and its exit status returned.
pub async fn connect_quietly(args: &ConnectionArgs) -> Result<Connection, ExitCode> {
    connect(args, Progress::new(false).on_event())
        .await
        .map_err(SetupFailure::report)
}
