//! Writing users to stdout in the chosen format, one page at a time, so memory stays flat
//! however many users the company has.
//!
//! `ndjson` and `json` pass each user's JSON through exactly as Gong sent it (no decode, no
//! re-encode); `table` and `csv` decode the page to read its fields.

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

/// Writes users in one format. `finish` writes whatever closes the output (a JSON array's `]`)
/// and flushes.
pub trait UserWriter {
    /// Writes the first `limit` users of `page`, then flushes; returns how many were written.
    fn write_page(&mut self, page: &Page<RawUser>, limit: usize) -> Result<usize, WriteError>;
    /// Closes the output and flushes it.
    fn finish(&mut self) -> io::Result<()>;
}

/// Writes users one at a time from their decoded fields (table, CSV).
trait TypedWriter {
    fn write_user(&mut self, user: &User) -> io::Result<()>;
    fn flush(&mut self) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}

/// Writes users one at a time as Gong's JSON bytes (NDJSON, JSON).
trait JsonWriter {
    fn write_json(&mut self, json: &[u8]) -> io::Result<()>;
    fn flush(&mut self) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}

struct Typed<W>(W);
struct Passthrough<W>(W);

impl<W: TypedWriter> UserWriter for Typed<W> {
    fn write_page(&mut self, page: &Page<RawUser>, limit: usize) -> Result<usize, WriteError> {
        let page = page.decode().map_err(WriteError::Decode)?;
        let mut written = 0;
        for user in page.users().iter().take(limit) {
            self.0.write_user(user)?;
            written += 1;
        }
        self.0.flush()?;
        Ok(written)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.0.finish()
    }
}

impl<W: JsonWriter> UserWriter for Passthrough<W> {
    fn write_page(&mut self, page: &Page<RawUser>, limit: usize) -> Result<usize, WriteError> {
        let mut written = 0;
        for user in page.users().iter().take(limit) {
            self.0.write_json(user.as_bytes())?;
            written += 1;
        }
        self.0.flush()?;
        Ok(written)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.0.finish()
    }
}

/// The writer for `format` over `out`.
pub fn writer(format: Format, out: impl Write + 'static) -> Box<dyn UserWriter> {
    match format {
        Format::Table => Box::new(Typed(table::Table::new(out))),
        Format::Csv => Box::new(Typed(csv::Csv::new(out))),
        Format::Json => Box::new(Passthrough(json::JsonArray::new(out))),
        Format::Ndjson => Box::new(Passthrough(ndjson::Ndjson::new(out))),
    }
}
