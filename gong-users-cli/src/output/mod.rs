//! Writing records to stdout in the chosen format, one page at a time, so memory stays flat
//! however many there are. The records are users (`list`, `get`) or settings changes
//! (`history`); each format is written once for both.
//!
//! `ndjson` and `json` pass each record's JSON through exactly as Gong sent it (no decode, no
//! re-encode). `table` and `csv` write a row a record from its fields as the spec describes
//! them (`records/`): a page's records are read first (borrowing from the page), then written
//! as rows (see `rows.rs`).

mod csv;
mod json;
mod ndjson;
mod passthrough;
mod rows;
mod table;
mod written;

use std::io::{self, BufWriter, Write};

use gong_users::{Page, Raw, RawUser};

use crate::cli::Format;
use crate::records::RecordKind;
use passthrough::PassthroughWriter;
pub use written::{OddRecord, WriteError, Written};

/// Writes records in one format.
pub enum Writer {
    /// ndjson and json: each record's JSON exactly as Gong sent it, undecoded.
    Passthrough(Box<dyn PassthroughWriter>),
    /// table and csv: a row a record, from its fields as the spec describes them.
    Rows(rows::RowWriter),
}

impl Writer {
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

    /// Writes `records` (each one's JSON), then flushes.
    fn write<'a>(
        &mut self,
        records: impl ExactSizeIterator<Item = &'a str>,
    ) -> Result<Written, WriteError> {
        match self {
            Writer::Passthrough(writer) => {
                let mut count = 0;
                for json in records {
                    writer.write(json.as_bytes())?;
                    count += 1;
                }
                writer.flush()?;
                Ok(Written {
                    count,
                    odd: Vec::new(),
                })
            }
            Writer::Rows(rows) => {
                let count = records.len();
                let odd = rows.write(records)?;
                Ok(Written { count, odd })
            }
        }
    }
}

/// The writer of records of `kind` for `format` over `out` (unbuffered: each writer buffers as
/// it needs). `strict`: for csv and table, a record with a value of another type than the spec
/// says fails the write instead of being written as Gong sent it.
pub fn writer(
    format: Format,
    kind: &'static RecordKind,
    strict: bool,
    out: impl Write + 'static,
) -> Writer {
    const BUFFER: usize = 64 * 1024;
    match format {
        Format::Table => Writer::Rows(rows::RowWriter::new(
            Box::new(out),
            Box::new(table::TableRows::new(kind)),
            kind,
            strict,
        )),
        Format::Csv => Writer::Rows(rows::RowWriter::new(
            Box::new(out),
            Box::new(csv::CsvRows::new(kind)),
            kind,
            strict,
        )),
        Format::Json => Writer::Passthrough(Box::new(json::JsonArray::new(
            BufWriter::with_capacity(BUFFER, out),
        ))),
        Format::Ndjson => Writer::Passthrough(Box::new(ndjson::Ndjson::new(
            BufWriter::with_capacity(BUFFER, out),
        ))),
    }
}

/// Writes the first `limit` users of `page`, then flushes. For row formats every one of them
/// is read before any is written, so a page refused (`--strict`) leaves none of its users
/// behind (the listing resumes at that page).
pub fn write_page(
    writer: &mut Writer,
    page: &Page<RawUser>,
    limit: usize,
) -> Result<Written, WriteError> {
    let users = &page.users()[..limit.min(page.users().len())];
    writer.write(users.iter().map(Raw::as_str))
}

/// Writes `records` to stdout in `format` (default [`Format::for_stdout`]) and closes the output.
pub fn write_to_stdout<R>(
    format: Option<Format>,
    kind: &'static RecordKind,
    strict: bool,
    records: &[Raw<R>],
) -> Result<Written, WriteError> {
    let mut writer = self::writer(
        format.unwrap_or_else(Format::for_stdout),
        kind,
        strict,
        io::stdout().lock(),
    );
    let written = writer.write(records.iter().map(Raw::as_str))?;
    writer.finish()?;
    Ok(written)
}

/// The csv and table rows of one record's `cells`, for tests that render without a writer.
#[cfg(test)]
pub fn render_for_test(
    kind: &'static RecordKind,
    cells: &[crate::records::read::Cell<'_>],
) -> String {
    use rows::RowFormat as _;
    let mut out = Vec::new();
    csv::CsvRows::new(kind).row(cells, &mut out);
    table::TableRows::new(kind).row(cells, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
