//! The command line: what the user can type, with the help text they read.

use clap::{Args, Parser, Subcommand, ValueEnum};
use gong_users::{
    DEFAULT_BASE_URL, DEFAULT_DAILY_QUOTA, ENV_ACCESS_KEY, ENV_ACCESS_KEY_SECRET, ENV_BASE_URL,
    ENV_BEARER_TOKEN, ENV_DAILY_QUOTA, ENV_OAUTH_CLIENT_ID, ENV_OAUTH_CLIENT_SECRET,
    ENV_OAUTH_REFRESH_TOKEN, ENV_OAUTH_TOKEN_URL, ENV_REDIS_PREFIX, ENV_REDIS_URL, RateLimit,
    RetryPolicy,
};

use crate::connection::token_file::ENV_TOKEN_FILE;
use gong_users_sync::{DEFAULT_DATABASE_URL, ENV_DATABASE_URL};

/// The main help's epilogue; variable names and defaults come from the library.
fn after_help() -> String {
    let default_token_file = "~/.config/gong-users/oauth-token.json";
    format!(
        "\
Examples:
  gong-users list --sandbox                  try it now: a local fake Gong, no credentials needed
  gong-users list --format csv > users.csv   every user of your company, one CSV row each
  gong-users get 234599484848423 563515258458745   users by id, as list writes them
  gong-users history 234599484848423         when that user's settings changed
  gong-users schema > user.schema.json       the JSON Schema of one user record

Credentials come from the environment only, never from flags (flags end up in shell history).
The first of these that is set wins:
  {ENV_OAUTH_CLIENT_ID} + {ENV_OAUTH_CLIENT_SECRET} + {ENV_OAUTH_REFRESH_TOKEN}
      a Gong app's OAuth credentials; access tokens are refreshed as they expire, and each
      rotated refresh token is kept in {ENV_TOKEN_FILE} (default {default_token_file}),
      which later runs start from until {ENV_OAUTH_REFRESH_TOKEN} names a new one;
      {ENV_OAUTH_TOKEN_URL} overrides Gong's token endpoint
  {ENV_ACCESS_KEY} + {ENV_ACCESS_KEY_SECRET}   an access key and its secret (Basic auth)
  {ENV_BEARER_TOKEN}                          a fixed OAuth access token with scope api:users:read
  {ENV_BASE_URL}       the API host (default {DEFAULT_BASE_URL}; with OAuth, the customer's host
                      the token names)
  {ENV_DAILY_QUOTA}    requests in a rolling 24 hours before runs stop at once (default {DEFAULT_DAILY_QUOTA})
  {ENV_REDIS_URL}      redis://… or rediss://…: every process of the company shares one pace, one
                      daily budget and one OAuth token there ({ENV_REDIS_PREFIX} names the keys'
                      namespace); see gong-users quota

{EXIT_STATUS}"
    )
}

/// The exit statuses, as every help text states them.
const EXIT_STATUS: &str = "\
Exit status: 0 success; 2 usage or configuration; 3 authentication or permission (401/403);
4 rate limit not cleared within the retry budget; 5 bad response from Gong; 6 a user id not found
(get, history); 1 anything else; 130/143 interrupted by SIGINT/SIGTERM (the resume cursor is printed).";

/// List the users of a Gong company, look them up by id, and read their settings history,
/// through Gong's users API.
#[derive(Debug, Parser)]
#[command(name = "gong-users", version, about, after_help = after_help())]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every user, page by page, as a table, JSON, NDJSON or CSV; optionally only those
    /// created in a time range.
    #[command(after_help = list_examples())]
    List(ListArgs),
    /// Users by id, in the order given, fetched 100 a request; each id not found is named on
    /// stderr (exit status 6).
    #[command(after_help = get_examples())]
    Get(GetArgs),
    /// One user's settings history: each change, oldest first.
    #[command(after_help = history_examples())]
    History(HistoryArgs),
    /// Keep the company's users in a database (SQLite or Postgres), with their whole history: one version
    /// a change, deactivations and deletions marked; all of a run's changes or none.
    #[command(after_help = sync_examples())]
    Sync(SyncArgs),
    /// The company's shared pace and daily budget, as every process sees them through Redis
    /// (GONG_REDIS_URL): requests in the last 24 hours, what is left, when the next frees.
    #[command(after_help = QUOTA_EXAMPLES)]
    Quota(QuotaArgs),
    /// Print the JSON Schema of one user record (as `list --format ndjson` writes it), for
    /// warehouse loaders.
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from this help.
    #[command(after_help = "Example:\n  gong-users man > gong-users.1 && man ./gong-users.1")]
    Man,
}

const QUOTA_EXAMPLES: &str = "\
Examples:
  GONG_REDIS_URL=redis://localhost:6379 gong-users quota
  gong-users quota --format json | jq .left

The company is named as its processes name it: by the same credentials variables and base URL.";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  gong-users schema > user.schema.json
  gong-users schema | jq '.properties | keys'";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  gong-users completions bash > ~/.local/share/bash-completion/completions/gong-users
  gong-users completions zsh > ~/.zfunc/_gong-users";

/// `list --help`'s epilogue.
fn list_examples() -> String {
    format!(
        "\
Examples:
  gong-users list                                  table on a terminal, NDJSON when piped
  gong-users list --format csv > users.csv         every user, one CSV row each
  gong-users list --include-avatars --format json  Gong's staff avatars included, one JSON array
  gong-users list --created-from 2024-01-01T00:00:00Z   users created since (inclusive)
  gong-users list --created-from 2024-01-01T00:00:00+02:00 --created-to 2024-07-01T00:00:00+02:00
  gong-users list --limit 10                       the first ten users
  gong-users list --cursor 'eyJhbGciOi...'         resume a listing that failed or was interrupted
  gong-users list --sandbox --sandbox-faults 0.2 -v  a fake Gong that fails a fifth of the time

Credentials: {ENV_OAUTH_CLIENT_ID} & co. (see gong-users --help), {ENV_ACCESS_KEY} + {ENV_ACCESS_KEY_SECRET},
or {ENV_BEARER_TOKEN}; host: {ENV_BASE_URL}.
Ctrl-C stops between pages and prints the command that continues exactly where it stopped
(for csv, its output appended with >> gives one CSV with one header). A cursor that Gong says has
expired cannot be continued from: list again from the start.

{EXIT_STATUS}"
    )
}

/// `get --help`'s epilogue.
fn get_examples() -> String {
    format!(
        "\
Examples:
  gong-users get 234599484848423                   one user
  gong-users get $(cat manager_ids.txt) --format csv   many users, 100 a request
  gong-users get 234599484848423 --sandbox         from the sandbox (ids: gong-users list --sandbox)

Credentials: {ENV_OAUTH_CLIENT_ID} & co. (see gong-users --help), {ENV_ACCESS_KEY} + {ENV_ACCESS_KEY_SECRET},
or {ENV_BEARER_TOKEN}; host: {ENV_BASE_URL}.

{EXIT_STATUS}"
    )
}

/// `history --help`'s epilogue.
fn history_examples() -> String {
    format!(
        "\
Examples:
  gong-users history 234599484848423               a table: time, setting, value
  gong-users history 234599484848423 --format ndjson | jq 'select(.setting == \"active\")'

Credentials: {ENV_OAUTH_CLIENT_ID} & co. (see gong-users --help), {ENV_ACCESS_KEY} + {ENV_ACCESS_KEY_SECRET},
or {ENV_BEARER_TOKEN}; host: {ENV_BASE_URL}.

{EXIT_STATUS}"
    )
}

/// Options of `gong-users list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include avatars, Gong's synthetic users for its own staff (left out by default).
    #[arg(long)]
    pub include_avatars: bool,

    /// Output format [default: table on a terminal, ndjson otherwise].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,

    /// Stop after this many users.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Start from this cursor, to resume a listing that failed (with the same filter flags).
    #[arg(long, value_name = "CURSOR")]
    pub cursor: Option<String>,

    /// Write no header row (csv, table): for output appended to an earlier run's (`>>`), as the
    /// printed resume command does.
    #[arg(long)]
    pub no_header: bool,

    /// csv, table: fail (exit 5) on a user with a value of another type than the spec says,
    /// instead of writing it as Gong sent it with a warning. Its page is checked before any of
    /// its rows is written.
    #[arg(long)]
    pub strict: bool,

    /// Only users created at or after TIME: ISO-8601 with an offset, such as
    /// 2024-01-01T00:00:00Z or 2024-01-01T00:00:00+02:00.
    #[arg(long, value_name = "TIME", value_parser = iso_time)]
    pub created_from: Option<String>,

    /// Only users created before TIME (exclusive): ISO-8601 with an offset.
    #[arg(long, value_name = "TIME", value_parser = iso_time)]
    pub created_to: Option<String>,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Options of `gong-users get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Gong user ids (1 to 20 digits each).
    #[arg(required = true, value_name = "ID", value_parser = user_id)]
    pub ids: Vec<String>,

    /// Output format [default: table on a terminal, ndjson otherwise].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,

    /// Find avatars too, Gong's synthetic users for its own staff.
    #[arg(long)]
    pub include_avatars: bool,

    /// csv, table: fail (exit 5) on a user with a value of another type than the spec says,
    /// instead of writing it as Gong sent it with a warning.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Options of `gong-users history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A Gong user id (1 to 20 digits).
    #[arg(value_name = "ID", value_parser = user_id)]
    pub id: String,

    /// Output format [default: table on a terminal, ndjson otherwise].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,

    /// csv, table: fail (exit 5) on a change with a value of another type than the spec says,
    /// instead of writing it as Gong sent it with a warning.
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Options of `gong-users sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The database: sqlite://PATH (sqlite:///abs/users.db for an absolute path) or
    /// postgres://USER@HOST:PORT/DATABASE.
    #[arg(long, value_name = "URL", env = ENV_DATABASE_URL, default_value = DEFAULT_DATABASE_URL)]
    pub database: String,

    /// For each user whose active flag changed in this run, read Gong's settings history (one
    /// request each, within the rate limit) and date the change when Gong recorded it.
    #[arg(long)]
    pub with_history: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `sync --help`'s epilogue.
fn sync_examples() -> String {
    format!(
        "\
Examples:
  gong-users sync --sandbox                        a fake company into ./gong-users.db
  gong-users sync --database sqlite:///var/lib/gong/users.db
  gong-users sync --database postgres://me@db.internal/gong --with-history
  fake-gong --churn 10 & ... gong-users sync          successive runs against a changing company
  sqlite3 gong-users.db \"SELECT email_address FROM gong_users WHERE active AND deleted_at IS NULL\"

Tables: gong_users (one row a user), gong_user_versions (one row a version: valid_from,
valid_to, change), gong_sync_runs (one row a run). A run that fails or is interrupted changes
nothing and is recorded as failed or interrupted; two syncs at once run one after the other.

{EXIT_STATUS}"
    )
}

/// Options of `gong-users quota`.
#[derive(Debug, Args)]
pub struct QuotaArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = QuotaFormat::Table)]
    pub format: QuotaFormat,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How `quota` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QuotaFormat {
    /// One line a figure, for people.
    Table,
    /// One JSON object.
    Json,
}

/// Where and how to reach Gong, and what to say on stderr: shared by every command that calls it.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// API host; http:// only for loopback addresses.
    #[arg(long, value_name = "URL", env = ENV_BASE_URL)]
    pub base_url: Option<String>,

    /// Requests a second at most (0 = no client-side limit).
    #[arg(long, value_name = "N", default_value_t = RateLimit::GONG_DEFAULT.requests_per_second())]
    pub rate_limit: u32,

    /// Retries of a failed request (429, 5xx, connection errors) before giving up.
    #[arg(long, value_name = "N", default_value_t = RetryPolicy::default().max_retries())]
    pub max_retries: u32,

    /// More detail on stderr: -v requests and retries, -vv everything.
    #[arg(long, short = 'v', action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// No progress display and no logs: stderr gets only errors, and warnings about missing data.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Use a fake Gong started in this process (about 250 synthetic users and a few avatars)
    /// instead of the real one: no credentials needed; --base-url is ignored.
    #[arg(long)]
    pub sandbox: bool,

    /// How many users the sandbox has.
    #[arg(long, value_name = "N", default_value_t = 250, requires = "sandbox")]
    pub sandbox_users: usize,

    /// The share of sandbox requests that fail (500, HTML 502, 503, cut bodies, resets), from 0
    /// to 1, to watch the retries at work.
    #[arg(long, value_name = "P", default_value_t = 0.0, requires = "sandbox", value_parser = probability)]
    pub sandbox_faults: f64,

    /// Requests a second the sandbox accepts before answering 429 (Gong's quota is 3).
    #[arg(long, value_name = "N", default_value_t = 3, requires = "sandbox")]
    pub sandbox_rate_limit: u32,

    /// Change N of the sandbox's users at each start (a title updated, a user deactivated,
    /// removed, added), differently each time: successive `sync --sandbox` runs build a history.
    #[arg(long, value_name = "N", default_value_t = 0, requires = "sandbox")]
    pub sandbox_churn: usize,

    /// Authenticate to the sandbox with OAuth, as a Gong app does: access tokens that expire,
    /// refresh tokens that rotate.
    #[arg(long, requires = "sandbox")]
    pub sandbox_oauth: bool,

    /// How long the sandbox's OAuth access tokens live, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3600,
        requires = "sandbox_oauth"
    )]
    pub sandbox_token_lifetime: u64,
}

/// How records are written to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people (users: name, email, title, active, manager, created;
    /// history: time, setting, value).
    Table,
    /// One JSON array of Gong's records, each as Gong sent it.
    Json,
    /// One Gong record (camelCase JSON, as Gong sent it) a line.
    Ndjson,
    /// A header, then one row a record: settings flattened, lists joined with ';', unknown
    /// fields as JSON in `extra`.
    Csv,
}

impl Format {
    /// The name the `--format` flag takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
        }
    }

    /// The default: a table on a terminal, NDJSON otherwise.
    pub fn for_stdout() -> Self {
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            Format::Table
        } else {
            Format::Ndjson
        }
    }
}

/// A probability, from 0 to 1.
fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a probability from 0 to 1")),
    }
}

/// A Gong user id: 1 to 20 digits.
fn user_id(text: &str) -> Result<String, String> {
    if gong_users::is_user_id(text) {
        Ok(text.to_owned())
    } else {
        Err("a Gong user id is 1 to 20 digits, such as 234599484848423".to_owned())
    }
}

/// ISO-8601 with an offset, kept as typed.
fn iso_time(text: &str) -> Result<String, String> {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(_) => Ok(text.to_owned()),
        Err(_) => Err(
            "expected ISO-8601 with an offset, such as 2024-01-01T00:00:00Z or \
             2024-01-01T00:00:00+02:00"
                .to_owned(),
        ),
    }
}
