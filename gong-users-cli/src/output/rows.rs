//! The formats that write a row a record from its fields (table, csv). A page's rows are
//! rendered into one buffer, reused page after page, and written with one call; rendering is
//! apart from writing so each format only says how a row looks.

use std::io::{self, Write};

use super::RecordKind;

/// How a format renders records of kind `K` as rows.
pub trait RowFormat<K: RecordKind> {
    /// The header row.
    fn header(&self, out: &mut Vec<u8>);
    /// One row a record, in order.
    fn rows(&self, records: &[K::Fields<'_>], out: &mut Vec<u8>);
}

/// Writes records as rows, after the header.
pub struct RowWriter<K: RecordKind> {
    out: Box<dyn Write>,
    format: Box<dyn RowFormat<K>>,
    header_written: bool,
    /// The rows being written, kept to reuse its allocation.
    buffer: Vec<u8>,
}

impl<K: RecordKind> RowWriter<K> {
    /// Rows of `format` written to `out`, which needs no buffer of its own: each page's rows are
    /// written with one call.
    pub fn new(out: Box<dyn Write>, format: Box<dyn RowFormat<K>>) -> Self {
        Self {
            out,
            format,
            header_written: false,
            buffer: Vec::new(),
        }
    }

    /// Writes a row a record (the header first, once) and flushes, so output streams page by
    /// page.
    pub fn write(&mut self, records: &[K::Fields<'_>]) -> io::Result<()> {
        self.buffer.clear();
        if !self.header_written {
            self.format.header(&mut self.buffer);
        }
        self.format.rows(records, &mut self.buffer);
        self.out.write_all(&self.buffer)?;
        self.header_written = true;
        self.out.flush()
    }

    /// Writes no header: the rows continue an earlier output.
    pub fn without_header(mut self) -> Self {
        self.header_written = true;
        self
    }

    /// Writes the header if no row came, and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        self.write(&[])
    }
}
