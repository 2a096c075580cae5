//! Writing users to stdout in the chosen format, one page at a time, so memory stays flat
//! however many users the company has.
//!
//! `ndjson` and `json` pass each user's JSON through exactly as Gong sent it (no decode, no
//! re-encode); `table` and `csv` read the users' fields, so their pages are decoded first.

mod csv;
mod json;
mod ndjson;
mod table;

use std::io::{self, Write};

use gong_users::{Page, RawUser, User};

use crate::cli::Format;

/// Why writing a page failed.
pub enum WriteError {
    /// stdout failed (or its reader left).
    Io(io::Error),
    /// The page's users could not be decoded for a format that reads their fields.
    Decode(gong_users::Error),
}

impl From<io::Error> for WriteError {
    fn from(err: io::Error) -> Self {
        WriteError::Io(err)
    }
}

/// One user as a format gets it: Gong's bytes, and the decoded fields when the format reads
/// them ([`UserWriter::reads_fields`]).
pub struct Record<'a> {
    pub raw: &'a RawUser,
    pub fields: Option<&'a User>,
}

impl Record<'_> {
    /// The decoded fields; a format that reads fields always gets them.
    fn fields(&self) -> io::Result<&User> {
        self.fields
            .ok_or_else(|| io::Error::other("a format that reads fields got an undecoded user"))
    }
}

/// Writes users in one format.
pub trait UserWriter {
    /// Whether this format reads the users' fields, so pages must be decoded for it.
    fn reads_fields(&self) -> bool {
        false
    }
    /// Writes one user.
    fn write_user(&mut self, user: Record<'_>) -> io::Result<()>;
    /// Flushes at the end of a page, so output streams page by page.
    fn flush(&mut self) -> io::Result<()>;
    /// Writes whatever closes the output (a JSON array's `]`, a table's header when no row came)
    /// and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// Writes the first `limit` users of `page`, then flushes; returns how many were written.
pub fn write_page(
    writer: &mut dyn UserWriter,
    page: &Page<RawUser>,
    limit: usize,
) -> Result<usize, WriteError> {
    let decoded = if writer.reads_fields() {
        Some(page.decode().map_err(WriteError::Decode)?)
    } else {
        None
    };
    let fields = decoded.as_ref().map(Page::users);
    let mut written = 0;
    for (index, raw) in page.users().iter().take(limit).enumerate() {
        let fields = fields.and_then(|users| users.get(index));
        writer.write_user(Record { raw, fields })?;
        written += 1;
    }
    writer.flush()?;
    Ok(written)
}

/// The writer for `format` over `out`.
pub fn writer(format: Format, out: impl Write + 'static) -> Box<dyn UserWriter> {
    match format {
        Format::Table => Box::new(table::Table::new(out)),
        Format::Csv => Box::new(csv::Csv::new(out)),
        Format::Json => Box::new(json::JsonArray::new(out)),
        Format::Ndjson => Box::new(ndjson::Ndjson::new(out)),
    }
}
