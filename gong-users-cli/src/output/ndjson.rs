//! NDJSON: one user a line, each exactly as Gong sent it (its JSON holds no raw newline: JSON
//! escapes them inside strings, and whitespace between tokens is normalised away below).

use std::io::{self, Write};

use super::passthrough::PassthroughWriter;

pub struct Ndjson<W> {
    out: W,
}

impl<W: Write> Ndjson<W> {
    pub fn new(out: W) -> Self {
        Self { out }
    }
}

impl<W: Write> PassthroughWriter for Ndjson<W> {
    fn write(&mut self, json: &[u8]) -> io::Result<()> {
        // One SIMD pass for either byte (two `contains` read every record twice).
        if memchr::memchr2(b'\n', b'\r', json).is_some() {
            // Pretty-printed by the server: one line is the contract, so compact it.
            self.out.write_all(&compact(json))?;
        } else {
            self.out.write_all(json)?;
        }
        self.out.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `json` (already validated) without the whitespace between tokens; strings are untouched, and
/// cannot hold a raw line break (JSON escapes them), so the result is one line.
fn compact(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &byte in json {
        if in_string {
            out.push(byte);
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if !matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
            in_string = byte == b'"';
            out.push(byte);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn compacting_keeps_strings_and_numbers_as_sent() {
        let pretty = b"{\n  \"a b\": \"x \\\" y\",\r\n\t\"n\": 1.50 }";
        assert_eq!(compact(pretty), b"{\"a b\":\"x \\\" y\",\"n\":1.50}");
    }
}
