//! Writing records to stdout in the chosen format, one page at a time, so memory stays flat
//! however many there are. The records are users (`list`, `get`) or settings changes
//! (`history`); each format is written once for both.
//!
//! `ndjson` and `json` pass each record's JSON through exactly as Gong sent it (no decode, no
//! re-encode). `table` and `csv` write a row a record from its fields: a page's records are
//! decoded first (borrowing from the page), then written as rows (see `rows.rs`).

mod csv;
mod history_rows;
mod json;
mod ndjson;
mod rows;
mod table;
mod user_fields;
mod user_rows;

use std::io::{self, BufWriter, Write};

use gong_users::{Page, Raw, RawUser};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::cli::Format;
pub use csv::CsvRow;
pub use history_rows::SettingChanges;
pub use table::TableRow;
pub use user_fields::UserFields;
pub use user_rows::Users;

/// Why writing failed.
pub enum WriteError {
    /// stdout failed (or its reader left).
    Io(io::Error),
    /// The records could not be decoded for a format that reads their fields.
    Decode(gong_users::Error),
    /// A record the generated types accept that this CLI's field decoder refused (see
    /// `user_fields.rs`; the tests hold the two to the same records).
    Fields(serde_json::Error),
}

impl WriteError {
    /// True when stdout's reader left (`| head`): a normal end, said nothing of.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, WriteError::Io(err) if err.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl From<io::Error> for WriteError {
    fn from(err: io::Error) -> Self {
        WriteError::Io(err)
    }
}

/// A kind of record the CLI writes (users, settings changes), and what its fields decode to for
/// the formats that read them: a type that may borrow from the record's JSON, so decoding a
/// page's users copies no string Gong sent plainly.
pub trait RecordKind: 'static {
    type Fields<'json>: Deserialize<'json>;
}

/// Writes records of kind `K` in one format.
pub enum Writer<K: RecordKind> {
    /// ndjson and json: each record's JSON exactly as Gong sent it, undecoded.
    Passthrough(Box<dyn PassthroughWriter>),
    /// table and csv: a row a record, rendered from its decoded fields.
    Rows(rows::RowWriter<K>),
}

/// A format that writes each record's JSON as Gong sent it.
pub trait PassthroughWriter {
    /// Writes one record.
    fn write(&mut self, json: &[u8]) -> io::Result<()>;
    /// Flushes at the end of a page, so output streams page by page.
    fn flush(&mut self) -> io::Result<()>;
    /// Writes whatever closes the output (a JSON array's `]`) and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

impl<K: RecordKind> Writer<K> {
    /// The same writer without a header row (for csv and table; the others have none).
    pub fn without_header(self) -> Self {
        match self {
            Writer::Rows(rows) => Writer::Rows(rows.without_header()),
            passthrough => passthrough,
        }
    }

    /// Closes the output (a JSON array's `]`, a table's or CSV's header when no row came) and
    /// flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        match self {
            Writer::Passthrough(writer) => writer.finish(),
            Writer::Rows(rows) => rows.finish(),
        }
    }
}

/// The writer for `format` over `out` (unbuffered: each writer buffers as it needs).
pub fn writer<K: TableRow + CsvRow>(format: Format, out: impl Write + 'static) -> Writer<K> {
    const BUFFER: usize = 64 * 1024;
    match format {
        Format::Table => Writer::Rows(rows::RowWriter::new(
            Box::new(out),
            Box::new(table::TableRows::new()),
        )),
        Format::Csv => Writer::Rows(rows::RowWriter::new(
            Box::new(out),
            Box::new(csv::CsvRows::new()),
        )),
        Format::Json => Writer::Passthrough(Box::new(json::JsonArray::new(
            BufWriter::with_capacity(BUFFER, out),
        ))),
        Format::Ndjson => Writer::Passthrough(Box::new(ndjson::Ndjson::new(
            BufWriter::with_capacity(BUFFER, out),
        ))),
    }
}

/// Writes the first `limit` users of `page`, then flushes; returns how many were written. For
/// row formats the whole page is decoded first, so a page that cannot be read leaves none of
/// its users behind (the listing resumes at that page).
pub fn write_page(
    writer: &mut Writer<Users>,
    page: &Page<RawUser>,
    limit: usize,
) -> Result<usize, WriteError> {
    match writer {
        Writer::Passthrough(writer) => write_raw(
            writer.as_mut(),
            &page.users()[..limit.min(page.users().len())],
        ),
        Writer::Rows(rows) => {
            let users = decode_users(page)?;
            let users = &users[..limit.min(users.len())];
            rows.write(users)?;
            Ok(users.len())
        }
    }
}

/// Decodes a page's users for the formats that read fields. When one does not decode, the page
/// is decoded again with the generated type, for an error naming its place (`users[3].active`).
fn decode_users(page: &Page<RawUser>) -> Result<Vec<UserFields<'_>>, WriteError> {
    let users: Result<Vec<UserFields<'_>>, _> = page
        .users()
        .iter()
        .map(|user| serde_json::from_str(user.as_str()))
        .collect();
    users.map_err(|refused| refusal(refused, page.decode()))
}

/// Why the field decoder refused a record, given what the generated type made of the same
/// record (`generated`): its error names the bad value's path; when it accepted the record, the
/// field decoder's own error is all there is.
fn refusal<T>(refused: serde_json::Error, generated: Result<T, gong_users::Error>) -> WriteError {
    match generated {
        Err(error) => WriteError::Decode(error),
        Ok(_) => WriteError::Fields(refused),
    }
}

/// Writes `records` (decoded as `K`'s fields for row formats), then flushes.
pub fn write_all<R: DeserializeOwned, K: RecordKind>(
    writer: &mut Writer<K>,
    records: &[Raw<R>],
) -> Result<usize, WriteError> {
    match writer {
        Writer::Passthrough(writer) => write_raw(writer.as_mut(), records),
        Writer::Rows(rows) => {
            let decoded = records
                .iter()
                .map(|raw| {
                    serde_json::from_str::<K::Fields<'_>>(raw.as_str())
                        .map_err(|refused| refusal(refused, raw.decode()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            rows.write(&decoded)?;
            Ok(decoded.len())
        }
    }
}

fn write_raw<R>(
    writer: &mut dyn PassthroughWriter,
    records: &[Raw<R>],
) -> Result<usize, WriteError> {
    for raw in records {
        writer.write(raw.as_bytes())?;
    }
    writer.flush()?;
    Ok(records.len())
}

/// Writes `records` to stdout in `format` (default [`Format::for_stdout`]) and closes the output.
pub fn write_to_stdout<R: DeserializeOwned, K: TableRow + CsvRow>(
    format: Option<Format>,
    records: &[Raw<R>],
) -> Result<usize, WriteError> {
    let mut writer = self::writer::<K>(
        format.unwrap_or_else(Format::for_stdout),
        io::stdout().lock(),
    );
    let written = write_all::<R, K>(&mut writer, records)?;
    writer.finish()?;
    Ok(written)
}
