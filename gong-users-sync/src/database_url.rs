//! Where the users are kept: `sqlite://PATH` (`sqlite:///abs/users.db` for an absolute path),
//! or `postgres://…` / `postgresql://…`.

use std::fmt;
use std::path::PathBuf;

use crate::SyncError;

/// The environment variable naming the database when `--database` is not given.
pub const ENV_DATABASE_URL: &str = "GONG_DATABASE_URL";

/// The database used when none is named: `gong-users.db` in the current folder.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://gong-users.db";

/// A database the users can be synced into.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A Postgres database: the URL as given (it may hold a password: never shown).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `postgres://…` or `postgresql://…`; anything else is refused
    /// naming what is accepted.
    pub fn parse(text: &str) -> Result<Self, SyncError> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(SyncError::Config(format!(
                    "{text:?} names no file: use sqlite://PATH, such as {DEFAULT_DATABASE_URL}"
                )));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(text.to_owned()));
        }
        Err(SyncError::Config(format!(
            "the database URL must be sqlite://PATH (such as {DEFAULT_DATABASE_URL}) or \
             postgres://…; got {:?}",
            text.split("://").next().unwrap_or_default()
        )))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(url) => {
                // No password: host, port and database only.
                let shown = url
                    .split_once('@')
                    .map_or(url.as_str(), |(_, rest)| rest)
                    .trim_start_matches("postgres://")
                    .trim_start_matches("postgresql://");
                write!(f, "postgres://{shown}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_relative_and_absolute() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://gong-users.db").unwrap(),
            DatabaseUrl::Sqlite("gong-users.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///abs/users.db").unwrap(),
            DatabaseUrl::Sqlite("/abs/users.db".into())
        );
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("mysql://x").is_err());
        let postgres = DatabaseUrl::parse("postgres://me:pw@db.local:5433/gong").unwrap();
        assert_eq!(postgres.to_string(), "postgres://db.local:5433/gong");
    }
}
