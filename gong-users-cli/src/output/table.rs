//! A table for people: fixed, aligned columns, so rows can be written as pages arrive without
//! holding the whole listing to measure it. Widths count terminal columns, so names in CJK
//! scripts stay aligned; what does not fit is cut with `…`.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::rows::RowFormat;
use crate::records::read::Cell;
use crate::records::{RecordKind, TableCell, TableColumn};
use crate::terminal::escape::needs_escape;

/// The record kind's table columns, each resolved to the record's columns it shows.
pub struct TableRows {
    columns: Vec<(&'static TableColumn, Vec<usize>)>,
    /// The line being written, kept to reuse its allocation.
    line: String,
}

impl TableRows {
    pub fn new(kind: &'static RecordKind) -> Self {
        let names = kind.schema.columns();
        let index = |name: &str| names.iter().position(|n| n == name);
        let columns = kind
            .table
            .iter()
            .map(|column| {
                let shown: &[&str] = match &column.cell {
                    TableCell::Column(name) | TableCell::YesNo(name) => std::slice::from_ref(name),
                    TableCell::Words(names) => names,
                };
                (
                    column,
                    shown.iter().filter_map(|name| index(name)).collect(),
                )
            })
            .collect();
        Self {
            columns,
            line: String::new(),
        }
    }
}

/// What a table cell shows of a record's `cells`.
fn cell<'v>(column: &TableColumn, shown: &[usize], cells: &'v [Cell<'_>]) -> Cow<'v, str> {
    let value = |index: usize| cells.get(index).map_or("", |cell| cell.as_ref());
    match (&column.cell, shown) {
        (TableCell::YesNo(_), [index]) => Cow::Borrowed(match value(*index) {
            "true" => "yes",
            "false" => "no",
            other => other,
        }),
        (TableCell::Words(_), indices) => {
            let mut words = indices
                .iter()
                .map(|&index| value(index))
                .filter(|word| !word.is_empty());
            match (words.next(), words.next()) {
                (None, _) => Cow::Borrowed(""),
                (Some(one), None) => Cow::Borrowed(one),
                (Some(first), Some(second)) => {
                    let mut joined = format!("{first} {second}");
                    for word in words {
                        joined.push(' ');
                        joined.push_str(word);
                    }
                    Cow::Owned(joined)
                }
            }
        }
        (_, [index]) => Cow::Borrowed(value(*index)),
        _ => Cow::Borrowed(""),
    }
}

impl RowFormat for TableRows {
    fn header(&mut self, out: &mut Vec<u8>) {
        self.line.clear();
        for (index, (column, _)) in self.columns.iter().enumerate() {
            if index > 0 {
                self.line.push_str("  ");
            }
            push_fitted(&mut self.line, column.heading, column.width);
        }
        end_line(&self.line, out);
    }

    fn row(&mut self, cells: &[Cell<'_>], out: &mut Vec<u8>) {
        self.line.clear();
        for (index, (column, shown)) in self.columns.iter().enumerate() {
            if index > 0 {
                self.line.push_str("  ");
            }
            push_fitted(&mut self.line, &cell(column, shown, cells), column.width);
        }
        end_line(&self.line, out);
    }
}

/// The line without its padding at the end, then a line feed.
fn end_line(line: &str, out: &mut Vec<u8>) {
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
