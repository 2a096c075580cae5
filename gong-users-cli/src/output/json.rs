//! JSON: one array of user records, written as they arrive (one record a line), each exactly
//! as Gong sent it.

use std::io::{self, Write};

use super::passthrough::PassthroughWriter;

pub struct JsonArray<W> {
    out: W,
    written: u64,
}

impl<W: Write> JsonArray<W> {
    pub fn new(out: W) -> Self {
        Self { out, written: 0 }
    }
}

impl<W: Write> PassthroughWriter for JsonArray<W> {
    fn write(&mut self, json: &[u8]) -> io::Result<()> {
        self.out.write_all(if self.written == 0 {
            b"[\n  "
        } else {
            b",\n  "
        })?;
        self.out.write_all(json)?;
        self.written += 1;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}
