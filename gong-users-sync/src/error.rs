//! What can go wrong in a sync.

/// Why a sync did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The listing failed: nothing was changed. Said without the cursor the listing could
    /// resume from (a sync lists everyone again), with the error's causes.
    #[error("{}", listing_failure(.0))]
    Listing(gong_users::Error),
    /// The listing ended with fewer users than Gong announced: nothing was changed (deleting
    /// the users missing from it would be wrong).
    #[error(
        "the listing ended with {received} users, but Gong announced {expected}; nothing was changed"
    )]
    ShortListing {
        /// `totalRecords` of the first page.
        expected: u64,
        /// Users received.
        received: u64,
    },
    /// The SQLite database failed.
    #[error("the database failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The Postgres database failed (its messages name no password).
    #[error("the database failed: {}", with_causes(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// The database was made by a newer version of gong-users: it is left untouched.
    #[error(
        "the database is at schema version {found}, newer than this gong-users knows ({known}); \
         it was left untouched: upgrade gong-users"
    )]
    NewerSchema {
        /// The database's version.
        found: i64,
        /// The newest this version knows.
        known: i64,
    },
    /// The database URL or another setting cannot work.
    #[error("{0}")]
    Config(String),
}

impl From<gong_users::Error> for SyncError {
    fn from(error: gong_users::Error) -> Self {
        SyncError::Listing(error)
    }
}

/// What went wrong in a listing, how many attempts were made, and why.
fn listing_failure(error: &gong_users::Error) -> String {
    let mut text = error.kind().to_string();
    if error.attempts() > 1 {
        text.push_str(&format!(" (after {} attempts)", error.attempts()));
    }
    if let Some(cause) = std::error::Error::source(error) {
        text.push_str(": ");
        text.push_str(&with_causes(cause));
    }
    text
}

/// An error and each of its causes, as one line a cause: tokio-postgres says only "db error" or
/// "error performing TLS handshake" and keeps the why (the server's message, the certificate's
/// fault) in its source.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        text.push_str(": ");
        text.push_str(&error.to_string());
        cause = error.source();
    }
    text
}
