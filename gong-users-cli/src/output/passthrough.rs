//! The formats that pass each record's JSON through as Gong sent it (ndjson, json).

use std::io;

/// A format that writes each record's JSON as Gong sent it.
pub trait PassthroughWriter {
    /// Writes one record.
    fn write(&mut self, json: &[u8]) -> io::Result<()>;
    /// Flushes at the end of a page, so output streams page by page.
    fn flush(&mut self) -> io::Result<()>;
    /// Writes whatever closes the output (a JSON array's `]`) and flushes.
    fn finish(&mut self) -> io::Result<()>;
}
