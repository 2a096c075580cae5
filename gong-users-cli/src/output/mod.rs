//! Writing users to stdout in the chosen format, one page at a time, so memory stays flat
//! however many users the company has.

mod csv;
mod json;
mod ndjson;
mod table;

use std::io::{self, Write};

use gong_users::User;

use crate::cli::Format;

/// Writes users in one format. `finish` writes whatever closes the output (a JSON array's `]`)
/// and flushes.
pub trait UserWriter {
    /// Writes one user.
    fn write_user(&mut self, user: &User) -> io::Result<()>;
    /// Pushes what was written so far to the reader (called after each page).
    fn flush(&mut self) -> io::Result<()>;
    /// Closes the output and flushes it.
    fn finish(&mut self) -> io::Result<()>;
}

/// The writer for `format` over `out`.
pub fn writer(format: Format, out: impl Write + 'static) -> Box<dyn UserWriter> {
    match format {
        Format::Table => Box::new(table::Table::new(out)),
        Format::Json => Box::new(json::JsonArray::new(out)),
        Format::Ndjson => Box::new(ndjson::Ndjson::new(out)),
        Format::Csv => Box::new(csv::Csv::new(out)),
    }
}
