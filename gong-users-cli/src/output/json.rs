//! JSON: one array of user records, written as they arrive (one record a line).

use std::io::{self, Write};

use gong_users::User;

use super::UserWriter;

pub struct JsonArray<W> {
    out: W,
    written: u64,
}

impl<W: Write> JsonArray<W> {
    pub fn new(out: W) -> Self {
        Self { out, written: 0 }
    }
}

impl<W: Write> UserWriter for JsonArray<W> {
    fn write_user(&mut self, user: &User) -> io::Result<()> {
        self.out.write_all(if self.written == 0 {
            b"[\n  "
        } else {
            b",\n  "
        })?;
        serde_json::to_writer(&mut self.out, user)?;
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
