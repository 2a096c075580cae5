//! CSV (RFC 4180): a header and one row a record, from one table of columns a record type
//! (`user_rows.rs`, `history_rows.rs`), so the header and the rows cannot drift apart.

use std::borrow::Cow;
use std::marker::PhantomData;

use super::RecordKind;
use super::rows::RowFormat;

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

/// Rows of a kind of record that is a [`CsvRow`].
pub struct CsvRows<K>(PhantomData<fn() -> K>);

impl<K> CsvRows<K> {
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<K: CsvRow> RowFormat<K> for CsvRows<K> {
    fn header(&self, out: &mut Vec<u8>) {
        write_row(out, K::COLUMNS.iter().map(|column| column.heading));
    }

    fn rows(&self, records: &[K::Fields<'_>], out: &mut Vec<u8>) {
        for fields in records {
            write_row(out, K::COLUMNS.iter().map(|column| (column.cell)(fields)));
        }
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
