//! Writing records to stdout in the chosen format, one page at a time, so memory stays flat
//! however many there are. The records are users (`list`, `get`) or settings changes
//! (`history`); each format is written once for both.
//!
//! `ndjson` and `json` pass each record's JSON through exactly as Gong sent it (no decode, no
//! re-encode); `table` and `csv` read the records' fields, so they are decoded first.

mod csv;
mod history_rows;
mod json;
mod ndjson;
mod table;
mod user_rows;

use std::io::{self, Write};

use gong_users::{Page, Raw, RawUser, User};
use serde::de::DeserializeOwned;

use crate::cli::Format;
pub use csv::CsvRow;
pub use table::TableRow;

/// Why writing failed.
pub enum WriteError {
    /// stdout failed (or its reader left).
    Io(io::Error),
    /// The records could not be decoded for a format that reads their fields.
    Decode(gong_users::Error),
}

impl From<io::Error> for WriteError {
    fn from(err: io::Error) -> Self {
        WriteError::Io(err)
    }
}

/// One record as a format gets it: Gong's bytes, and the decoded fields when the format reads
/// them ([`RecordWriter::reads_fields`]).
pub struct Record<'a, T> {
    pub raw: &'a [u8],
    pub fields: Option<&'a T>,
}

impl<T> Record<'_, T> {
    /// The decoded fields; a format that reads fields always gets them.
    fn fields(&self) -> io::Result<&T> {
        self.fields
            .ok_or_else(|| io::Error::other("a format that reads fields got an undecoded record"))
    }
}

/// Writes records of type `T` in one format.
pub trait RecordWriter<T> {
    /// Whether this format reads the records' fields, so they must be decoded for it.
    fn reads_fields(&self) -> bool {
        false
    }
    /// Writes one record.
    fn write(&mut self, record: Record<'_, T>) -> io::Result<()>;
    /// Flushes at the end of a page, so output streams page by page.
    fn flush(&mut self) -> io::Result<()>;
    /// Writes whatever closes the output (a JSON array's `]`, a table's header when no row came)
    /// and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// Writes the first `limit` users of `page`, then flushes; returns how many were written.
/// Formats that read fields get `decoded`, the page decoded whole (ahead of time, see
/// `list.rs`), so a bad value is named by its place on the page (`users[3].active`).
pub fn write_page(
    writer: &mut dyn RecordWriter<User>,
    page: &Page<RawUser>,
    decoded: Option<Result<Page<User>, gong_users::Error>>,
    limit: usize,
) -> Result<usize, WriteError> {
    let decoded = match decoded {
        Some(decoded) => Some(decoded.map_err(WriteError::Decode)?),
        None if writer.reads_fields() => Some(page.decode().map_err(WriteError::Decode)?),
        None => None,
    };
    let users = &page.users()[..limit.min(page.users().len())];
    write_records(writer, users, decoded.as_ref().map(Page::users))
}

/// Writes `records`, decoding each for formats that read fields, then flushes.
pub fn write_all<T: DeserializeOwned>(
    writer: &mut dyn RecordWriter<T>,
    records: &[Raw<T>],
) -> Result<usize, WriteError> {
    let decoded = if writer.reads_fields() {
        let decoded = records
            .iter()
            .map(Raw::decode)
            .collect::<Result<Vec<_>, _>>();
        Some(decoded.map_err(WriteError::Decode)?)
    } else {
        None
    };
    write_records(writer, records, decoded.as_deref())
}

fn write_records<T>(
    writer: &mut dyn RecordWriter<T>,
    records: &[Raw<T>],
    decoded: Option<&[T]>,
) -> Result<usize, WriteError> {
    for (index, raw) in records.iter().enumerate() {
        let fields = decoded.and_then(|records| records.get(index));
        writer.write(Record {
            raw: raw.as_bytes(),
            fields,
        })?;
    }
    writer.flush()?;
    Ok(records.len())
}

/// Writes `records` to stdout in `format` (default [`Format::for_stdout`]) and closes the output.
pub fn write_to_stdout<T: TableRow + CsvRow + DeserializeOwned + 'static>(
    format: Option<Format>,
    records: &[Raw<T>],
) -> Result<usize, WriteError> {
    let stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = self::writer::<T>(format.unwrap_or_else(Format::for_stdout), stdout);
    let written = write_all(writer.as_mut(), records)?;
    writer.finish()?;
    Ok(written)
}

/// The writer for `format` over `out`.
pub fn writer<T: TableRow + CsvRow + 'static>(
    format: Format,
    out: impl Write + 'static,
) -> Box<dyn RecordWriter<T>> {
    match format {
        Format::Table => Box::new(table::Table::new(out)),
        Format::Csv => Box::new(csv::Csv::new(out)),
        Format::Json => Box::new(json::JsonArray::new(out)),
        Format::Ndjson => Box::new(ndjson::Ndjson::new(out)),
    }
}
