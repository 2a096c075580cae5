//! The client every command uses: from the environment and flags, or aimed at a sandbox
//! started in this process.

pub mod sandbox;
pub mod token_file;

use std::io;
use std::process::ExitCode;

use std::path::PathBuf;

use gong_users::{
    Client, ClientBuilder, Credentials, ENV_OAUTH_CLIENT_ID, ENV_OAUTH_REFRESH_TOKEN,
    ENV_REDIS_URL, Error, Event, RateLimit, RetryPolicy,
};
use gong_users_mock::FakeGong;

use crate::cli::ConnectionArgs;
use crate::connection::token_file::{ENV_TOKEN_FILE, TokenFile};
use crate::report::{self, exit};
use crate::terminal::progress::Progress;

/// A client, and the sandbox it talks to when there is one (it stops when dropped).
pub struct Connection {
    pub client: Client,
    _sandbox: Option<FakeGong>,
}

/// Why the client could not be set up.
pub enum SetupFailure {
    Client(Error),
    Sandbox(io::Error),
    TokenFile(io::Error),
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
            SetupFailure::TokenFile(err) => {
                eprintln!("error: the token file could not be read: {err}");
                ExitCode::from(exit::CONFIG)
            }
        }
    }
}

impl From<Error> for SetupFailure {
    fn from(error: Error) -> Self {
        SetupFailure::Client(error)
    }
}

/// A builder from the environment: credentials from their variables (OAuth's refresh token
/// through the token file), and --base-url (or its variable, read by clap).
fn from_environment(args: &ConnectionArgs) -> Result<ClientBuilder, SetupFailure> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // With shared state, the OAuth tokens live in Redis (the fleet shares no disk).
    let shared = env(ENV_REDIS_URL).is_some();
    let token_file = match (env(ENV_OAUTH_CLIENT_ID), env(ENV_OAUTH_REFRESH_TOKEN)) {
        (Some(client_id), Some(refresh_token)) if !shared => Some(
            TokenFile::new(
                env(ENV_TOKEN_FILE).map(PathBuf::from),
                &client_id,
                &refresh_token,
            )
            .map_err(SetupFailure::TokenFile)?,
        ),
        _ => None,
    };
    // The file's tokens, when newer, are read (under its lock) at the first request.
    let credentials = Credentials::from_lookup(env)?;
    let credentials = match (credentials, token_file) {
        (Credentials::OAuth(app), Some(file)) => {
            tracing::info!(path = %file.path().display(), "the token file keeps the OAuth tokens");
            Credentials::oauth(app.token_store(file))
        }
        (credentials, _) => credentials,
    };
    // GONG_BASE_URL, GONG_DAILY_QUOTA, GONG_REDIS_URL and GONG_REDIS_PREFIX; --base-url wins.
    let mut builder = ClientBuilder::default()
        .credentials(credentials)
        .settings_from_env()?;
    if let Some(base_url) = &args.base_url {
        builder = builder.base_url(base_url)?;
    }
    Ok(builder)
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
        (from_environment(args)?, None)
    };
    let client = builder
        .rate_limit(RateLimit::per_second(args.rate_limit))
        .retry_policy(RetryPolicy::default().with_max_retries(args.max_retries))
        .on_event(on_event)
        .build()?;
    // A wrong GONG_REDIS_URL fails now (exit 2), naming the server, never the password.
    client.check_shared_state().await?;
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
