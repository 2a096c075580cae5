//! What writing records came to: how many, those written with odd values, or why it failed.

use std::io;

/// Why writing failed.
#[derive(Debug)]
pub enum WriteError {
    /// stdout failed (or its reader left).
    Io(io::Error),
    /// A record that is not a JSON object (the client checks they are; this is a guard).
    Fields(serde_json::Error),
    /// `--strict`: a record with a value of another type than the spec says.
    Odd(OddRecord),
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

/// What writing a page or a batch did: how many records, and those with odd values (each
/// worth a warning; never any with `--strict`, which fails instead).
#[derive(Debug, Default)]
pub struct Written {
    pub count: usize,
    pub odd: Vec<OddRecord>,
}

/// A record with values of another type than the spec says: its id, and those fields.
#[derive(Clone, Debug, PartialEq)]
pub struct OddRecord {
    /// What the record is ("user").
    pub noun: &'static str,
    pub id: Option<String>,
    pub fields: Vec<String>,
}
