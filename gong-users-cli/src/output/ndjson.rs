//! NDJSON: one user a line, in Gong's own camelCase JSON, unknown fields included.

use std::io::{self, Write};

use gong_users::User;

use super::UserWriter;

pub struct Ndjson<W> {
    out: W,
}

impl<W: Write> Ndjson<W> {
    pub fn new(out: W) -> Self {
        Self { out }
    }
}

impl<W: Write> UserWriter for Ndjson<W> {
    fn write_user(&mut self, user: &User) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, user)?;
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
