//! The command line: what the user can type, with the help text they read.

use clap::{Args, Parser, Subcommand, ValueEnum};
use gong_users::{
    DEFAULT_BASE_URL, ENV_ACCESS_KEY, ENV_ACCESS_KEY_SECRET, ENV_BASE_URL, ENV_BEARER_TOKEN,
    RateLimit, RetryPolicy,
};

/// The main help's epilogue; variable names and defaults come from the library.
fn after_help() -> String {
    format!(
        "\
Examples:
  gong-users list --sandbox                  try it now: a local fake Gong, no credentials needed
  gong-users list --format csv > users.csv   every user of your company, one CSV row each
  gong-users schema > user.schema.json       the JSON Schema of one user record

Credentials come from the environment only, never from flags (flags end up in shell history):
  {ENV_ACCESS_KEY} + {ENV_ACCESS_KEY_SECRET}   an access key and its secret (Basic auth)
  {ENV_BEARER_TOKEN}                          an OAuth access token with scope api:users:read
  {ENV_BASE_URL}                              your company's API host (default {DEFAULT_BASE_URL})

Exit status: 0 success; 2 usage or configuration; 3 authentication or permission (401/403);
4 rate limit not cleared within the retry budget; 5 bad response from Gong; 1 anything else;
130/143 interrupted by SIGINT/SIGTERM (the resume cursor is printed)."
    )
}

/// List the users of a Gong company, through Gong's `GET /v2/users`.
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
    /// List every user, page by page, as a table, JSON, NDJSON or CSV.
    #[command(after_help = list_examples())]
    List(ListArgs),
    /// Print the JSON Schema of one user record (as `list --format ndjson` writes it), for
    /// warehouse loaders.
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema,
}

const SCHEMA_EXAMPLES: &str = "\
Examples:
  gong-users schema > user.schema.json
  gong-users schema | jq '.properties | keys'";

/// `list --help`'s epilogue.
fn list_examples() -> String {
    format!(
        "\
Examples:
  gong-users list                                  table on a terminal, NDJSON when piped
  gong-users list --format csv > users.csv         every user, one CSV row each
  gong-users list --include-avatars --format json  Gong's staff avatars included, one JSON array
  gong-users list --limit 10                       the first ten users
  gong-users list --cursor 'eyJhbGciOi...'         resume a listing that failed or was interrupted
  gong-users list --sandbox --sandbox-faults 0.2 -v  a fake Gong that fails a fifth of the time

Credentials: {ENV_ACCESS_KEY} + {ENV_ACCESS_KEY_SECRET}, or {ENV_BEARER_TOKEN}; host: {ENV_BASE_URL}.
Ctrl-C stops between pages and prints the --cursor that continues exactly where it stopped."
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

    /// Start from this cursor, to resume a listing that failed.
    #[arg(long, value_name = "CURSOR")]
    pub cursor: Option<String>,

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

    /// List from a fake Gong started in this process (about 250 synthetic users and a few
    /// avatars) instead of the real one: no credentials needed; --base-url is ignored.
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
}

/// How users are written to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people: name, email, title, active, manager, created.
    Table,
    /// One JSON array of Gong's user records.
    Json,
    /// One Gong user record (camelCase JSON) a line.
    Ndjson,
    /// A header, then one row a user: settings flattened, lists joined with ';'.
    Csv,
}

/// A probability, from 0 to 1.
fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a probability from 0 to 1")),
    }
}
