//! The formats that write a row a record (table, csv). A page's records are read first, every
//! one, into cells borrowed from the page; only then is any row rendered, into one buffer reused
//! page after page and written with one call. So `--strict` refuses a page before any of its
//! rows is written, and a page that fails leaves nothing of itself behind.

use std::io::{self, Write};

use super::written::{OddRecord, WriteError};
use crate::records::RecordKind;
use crate::records::read::{Cell, read};

/// How a format renders rows, from each record's cells (one a column of its schema).
pub trait RowFormat {
    /// The header row.
    fn header(&mut self, out: &mut Vec<u8>);
    /// One row of `cells` (a record's, in the schema's column order).
    fn row(&mut self, cells: &[Cell<'_>], out: &mut Vec<u8>);
}

/// Writes records as rows, after the header.
pub struct RowWriter {
    out: Box<dyn Write>,
    format: Box<dyn RowFormat>,
    kind: &'static RecordKind,
    /// `--strict`: a record with an odd value fails the page instead of a warning.
    strict: bool,
    header_written: bool,
    /// The rows being written, kept to reuse its allocation.
    buffer: Vec<u8>,
}

impl RowWriter {
    pub fn new(
        out: Box<dyn Write>,
        format: Box<dyn RowFormat>,
        kind: &'static RecordKind,
        strict: bool,
    ) -> Self {
        Self {
            out,
            format,
            kind,
            strict,
            header_written: false,
            buffer: Vec::new(),
        }
    }

    /// Writes no header: the rows continue an earlier output.
    pub fn without_header(mut self) -> Self {
        self.header_written = true;
        self
    }

    /// Reads every record (each one's JSON), then writes a row each (the header first, once)
    /// and flushes. Returns the records with odd values, for warnings; with `--strict` the first
    /// of them fails the call before anything is written.
    pub fn write<'a>(
        &mut self,
        records: impl ExactSizeIterator<Item = &'a str>,
    ) -> Result<Vec<OddRecord>, WriteError> {
        let width = self.kind.schema.width() + 1;
        let mut cells: Vec<Cell<'a>> = Vec::with_capacity(records.len() * width);
        let mut odd = Vec::new();
        for json in records {
            let read = read(self.kind.schema, json, &mut cells).map_err(WriteError::Fields)?;
            if !read.odd.is_empty() {
                let record = OddRecord {
                    noun: self.kind.noun,
                    id: read.id.map(Cell::into_owned),
                    fields: read.odd,
                };
                if self.strict {
                    return Err(WriteError::Odd(record));
                }
                odd.push(record);
            }
        }
        self.buffer.clear();
        if !self.header_written {
            self.format.header(&mut self.buffer);
        }
        for row in cells.chunks_exact(width) {
            self.format.row(row, &mut self.buffer);
        }
        self.out.write_all(&self.buffer)?;
        self.header_written = true;
        self.out.flush()?;
        Ok(odd)
    }

    /// Writes the header if no row came, and flushes.
    pub fn finish(&mut self) -> io::Result<()> {
        match self.write(std::iter::empty()) {
            Ok(_) => Ok(()),
            Err(WriteError::Io(err)) => Err(err),
            Err(_) => Ok(()),
        }
    }
}
