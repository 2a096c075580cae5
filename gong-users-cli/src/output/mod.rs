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
mod user_fields;
mod user_rows;

use std::io::{self, Write};

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

/// One record as a format gets it: Gong's bytes, and the decoded fields when the format reads
/// them ([`RecordWriter::reads_fields`]).
pub struct Record<'v, 'json, K: RecordKind> {
    pub raw: &'json [u8],
    pub fields: Option<&'v K::Fields<'json>>,
}

impl<'v, 'json, K: RecordKind> Record<'v, 'json, K> {
    /// The decoded fields; a format that reads fields always gets them.
    fn fields(&self) -> io::Result<&'v K::Fields<'json>> {
        self.fields
            .ok_or_else(|| io::Error::other("a format that reads fields got an undecoded record"))
    }
}

/// Writes records of kind `K` in one format.
pub trait RecordWriter<K: RecordKind> {
    /// Whether this format reads the records' fields, so they must be decoded for it.
    fn reads_fields(&self) -> bool {
        false
    }
    /// Writes one record.
    fn write(&mut self, record: Record<'_, '_, K>) -> io::Result<()>;
    /// Flushes at the end of a page, so output streams page by page.
    fn flush(&mut self) -> io::Result<()>;
    /// Writes whatever closes the output (a JSON array's `]`, a table's header when no row came)
    /// and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// Writes the first `limit` users of `page`, then flushes; returns how many were written. For
/// formats that read fields, the whole page is decoded before any of it is written, so a page
/// that cannot be read leaves none of its users behind (the listing resumes at that page).
pub fn write_page(
    writer: &mut dyn RecordWriter<Users>,
    page: &Page<RawUser>,
    limit: usize,
) -> Result<usize, WriteError> {
    let decoded = if writer.reads_fields() {
        Some(decode_users(page)?)
    } else {
        None
    };
    let users = &page.users()[..limit.min(page.users().len())];
    write_records(writer, users, decoded.as_deref())
}

/// Decodes a page's users for the formats that read fields. When one does not decode, the page
/// is decoded again with the generated type, for an error naming its place (`users[3].active`).
pub fn decode_users(page: &Page<RawUser>) -> Result<Vec<UserFields<'_>>, WriteError> {
    let users: Result<Vec<UserFields<'_>>, _> = page
        .users()
        .iter()
        .map(|user| serde_json::from_str(user.as_str()))
        .collect();
    users.map_err(|refused| match page.decode() {
        Err(error) => WriteError::Decode(error),
        Ok(_) => WriteError::Fields(refused),
    })
}

/// Writes `records`, decoded as `K`'s fields for formats that read them, then flushes.
pub fn write_all<R: DeserializeOwned, K: RecordKind>(
    writer: &mut dyn RecordWriter<K>,
    records: &[Raw<R>],
) -> Result<usize, WriteError> {
    let decoded = if writer.reads_fields() {
        let decoded = records.iter().map(|raw| {
            serde_json::from_slice::<K::Fields<'_>>(raw.as_bytes()).map_err(|refused| {
                // Decoded again with the generated type, for an error naming the bad path.
                match raw.decode() {
                    Err(error) => WriteError::Decode(error),
                    Ok(_) => WriteError::Fields(refused),
                }
            })
        });
        Some(decoded.collect::<Result<Vec<_>, _>>()?)
    } else {
        None
    };
    write_records(writer, records, decoded.as_deref())
}

fn write_records<'json, R, K: RecordKind>(
    writer: &mut dyn RecordWriter<K>,
    records: &'json [Raw<R>],
    decoded: Option<&[K::Fields<'json>]>,
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
pub fn write_to_stdout<R: DeserializeOwned, K: TableRow + CsvRow>(
    format: Option<Format>,
    records: &[Raw<R>],
) -> Result<usize, WriteError> {
    let stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut writer = self::writer::<K>(format.unwrap_or_else(Format::for_stdout), stdout);
    let written = write_all::<R, K>(writer.as_mut(), records)?;
    writer.finish()?;
    Ok(written)
}

/// The writer for `format` over `out`.
pub fn writer<K: TableRow + CsvRow>(
    format: Format,
    out: impl Write + 'static,
) -> Box<dyn RecordWriter<K>> {
    match format {
        Format::Table => Box::new(table::Table::new(out)),
        Format::Csv => Box::new(csv::Csv::new(out)),
        Format::Json => Box::new(json::JsonArray::new(out)),
        Format::Ndjson => Box::new(ndjson::Ndjson::new(out)),
    }
}
