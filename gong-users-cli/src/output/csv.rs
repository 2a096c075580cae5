//! CSV (RFC 4180): a header and one row a record, from one table of columns a record type
//! (`user_rows.rs`, `history_rows.rs`), so the header and the rows cannot drift apart.

use std::io::{self, Write};

use std::borrow::Cow;
use std::marker::PhantomData;

use super::{Record, RecordKind, RecordWriter};

/// One CSV column: its heading and how a record's cell is written.
pub struct Column<K: RecordKind> {
    pub heading: &'static str,
    pub cell: for<'v, 'json> fn(&'v K::Fields<'json>) -> Cow<'v, str>,
}

/// A kind of record that can be a CSV row.
pub trait CsvRow: RecordKind + Sized {
    /// The columns, in order.
    const COLUMNS: &'static [Column<Self>];
}

pub struct Csv<W: Write, K> {
    out: csv::Writer<W>,
    header_written: bool,
    rows: PhantomData<fn(&K)>,
}

impl<W: Write, K: CsvRow> Csv<W, K> {
    pub fn new(out: W) -> Self {
        Self {
            out: csv::Writer::from_writer(out),
            header_written: false,
            rows: PhantomData,
        }
    }

    fn write_header_once(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.out
                .write_record(K::COLUMNS.iter().map(|column| column.heading))?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl<W: Write, K: CsvRow> RecordWriter<K> for Csv<W, K> {
    fn reads_fields(&self) -> bool {
        true
    }

    fn write(&mut self, record: Record<'_, '_, K>) -> io::Result<()> {
        let fields = record.fields()?;
        self.write_header_once()?;
        for column in K::COLUMNS {
            self.out.write_field((column.cell)(fields).as_bytes())?;
        }
        self.out.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.write_header_once()?;
        self.out.flush()
    }
}

/// Text, or an empty cell.
pub fn text(value: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(value.unwrap_or_default())
}

/// `true`/`false`, or an empty cell.
pub fn flag(value: Option<bool>) -> Cow<'static, str> {
    Cow::Borrowed(match value {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    })
}

/// Unknown fields as one JSON object; empty when there are none.
pub fn json_object(extra: &serde_json::Map<String, serde_json::Value>) -> Cow<'static, str> {
    if extra.is_empty() {
        Cow::Borrowed("")
    } else {
        Cow::Owned(serde_json::Value::Object(extra.clone()).to_string())
    }
}
