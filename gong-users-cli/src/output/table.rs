//! A table for people: fixed, aligned columns, so rows can be written as pages arrive without
//! holding the whole listing to measure it. Widths count terminal columns, so names in CJK
//! scripts stay aligned; what does not fit is cut with `…`.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::escape::needs_escape;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::RecordKind;
use super::rows::RowFormat;

/// A kind of record that can be a table row.
pub trait TableRow: RecordKind {
    /// (heading, width in terminal columns); a width of 0 (the last column) is not padded.
    const COLUMNS: &'static [(&'static str, usize)];

    /// The row's cells, one a column.
    fn cells<'v>(fields: &'v Self::Fields<'_>) -> Vec<Cow<'v, str>>;
}

/// Rows of a kind of record that is a [`TableRow`].
pub struct TableRows<K>(PhantomData<fn() -> K>);

impl<K> TableRows<K> {
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<K: TableRow> RowFormat<K> for TableRows<K> {
    fn header(&self, out: &mut Vec<u8>) {
        let headings: Vec<&str> = K::COLUMNS.iter().map(|(heading, _)| *heading).collect();
        write_row::<K, _>(&mut String::new(), &headings, out);
    }

    fn rows(&self, records: &[K::Fields<'_>], out: &mut Vec<u8>) {
        let mut line = String::new();
        for fields in records {
            write_row::<K, _>(&mut line, &K::cells(fields), out);
        }
    }
}

/// Writes one line of `cells` to `out`, each fitted to its column; `line` is scratch space.
fn write_row<K: TableRow, S: AsRef<str>>(line: &mut String, cells: &[S], out: &mut Vec<u8>) {
    line.clear();
    for (index, (cell, (_, width))) in cells.iter().zip(K::COLUMNS).enumerate() {
        if index > 0 {
            line.push_str("  ");
        }
        push_fitted(line, cell.as_ref(), *width);
    }
    out.extend_from_slice(line.trim_end().as_bytes());
    out.push(b'\n');
}

/// Appends `text` cut or padded to exactly `width` terminal columns (0: as long as it is).
/// Control characters would break the line, and bidirectional overrides reorder what the reader
/// sees; they are shown as spaces. Nothing is allocated unless the text holds one.
fn push_fitted(line: &mut String, text: &str, width: usize) {
    if has_control(text) {
        let shown: String = text
            .chars()
            .map(|c| if needs_escape(c) { ' ' } else { c })
            .collect();
        return push_fitted(line, &shown, width);
    }
    let text_width = if text.is_ascii() {
        text.len()
    } else {
        text.width()
    };
    if width == 0 || text_width <= width {
        line.push_str(text);
        pad(line, width.saturating_sub(text_width));
        return;
    }
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        line.push(c);
        used += w;
    }
    line.push('…');
    pad(line, width - used - 1);
}

fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        text.chars().any(needs_escape)
    }
}

fn pad(line: &mut String, columns: usize) {
    line.extend(std::iter::repeat_n(' ', columns));
}

#[cfg(test)]
mod tests {
    use super::push_fitted;
    use unicode_width::UnicodeWidthStr;

    /// `text` fitted to `width`, alone on a line.
    fn fit(text: &str, width: usize) -> String {
        let mut line = String::new();
        push_fitted(&mut line, text, width);
        line
    }

    #[test]
    fn fit_pads_and_cuts_by_terminal_columns() {
        assert_eq!(fit("Jon", 6), "Jon   ");
        assert_eq!(fit("Jonathan Snow", 6), "Jonat…");
        assert_eq!(fit("123456", 6), "123456");
        assert_eq!(fit("1234567", 6), "12345…");
        assert_eq!(fit("ab", 1), "…");
        assert_eq!(fit("山田太郎さん", 7).width(), 7);
        assert_eq!(fit("山田太郎さん", 7), "山田太…");
        assert_eq!(fit("山田太郎さん", 6), "山田… ");
        assert_eq!(fit("Zoë", 4), "Zoë ");
        assert_eq!(fit("a\tb", 4), "a b ");
        assert_eq!(fit("a\u{85}b", 4), "a b ");
        assert_eq!(fit("a\nb", 0), "a b");
        assert_eq!(fit("", 3), "   ");
        assert_eq!(
            fit("\u{1b}[2Jx", 0),
            " [2Jx",
            "no escape sequence reaches the terminal"
        );
        assert_eq!(
            fit("evil\u{202E}txt.exe", 0),
            "evil txt.exe",
            "no bidi override either"
        );
    }
}
