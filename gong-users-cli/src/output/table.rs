//! A table for people: fixed, aligned columns, so rows can be written as pages arrive without
//! holding the whole listing to measure it. Widths count terminal columns, so names in CJK
//! scripts stay aligned; what does not fit is cut with `…`.

use std::borrow::Cow;
use std::io::{self, Write};
use std::marker::PhantomData;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Record, RecordKind, RecordWriter};

/// A kind of record that can be a table row.
pub trait TableRow: RecordKind {
    /// (heading, width in terminal columns); a width of 0 (the last column) is not padded.
    const COLUMNS: &'static [(&'static str, usize)];

    /// The row's cells, one a column.
    fn cells<'v>(fields: &'v Self::Fields<'_>) -> Vec<Cow<'v, str>>;
}

pub struct Table<W, K> {
    out: W,
    header_written: bool,
    /// The row being written, kept to reuse its allocation.
    line: String,
    rows: PhantomData<fn(&K)>,
}

impl<W: Write, K: TableRow> Table<W, K> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            header_written: false,
            line: String::new(),
            rows: PhantomData,
        }
    }

    fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> io::Result<()> {
        self.line.clear();
        for (index, (cell, (_, width))) in cells.iter().zip(K::COLUMNS).enumerate() {
            if index > 0 {
                self.line.push_str("  ");
            }
            push_fitted(&mut self.line, cell.as_ref(), *width);
        }
        self.out.write_all(self.line.trim_end().as_bytes())?;
        self.out.write_all(b"\n")
    }

    fn write_header_once(&mut self) -> io::Result<()> {
        if !self.header_written {
            let headings: Vec<&str> = K::COLUMNS.iter().map(|(heading, _)| *heading).collect();
            self.write_row(&headings)?;
            self.header_written = true;
        }
        Ok(())
    }
}

/// Appends `text` cut or padded to exactly `width` terminal columns (0: as long as it is).
/// Control characters would break the line; they are shown as spaces.
fn push_fitted(line: &mut String, text: &str, width: usize) {
    if !text.is_ascii() {
        line.push_str(&fit(text, width));
        return;
    }
    // ASCII, the common case: one byte is one column.
    let shown = if width == 0 {
        text.len()
    } else {
        text.len().min(width)
    };
    let cut = shown < text.len();
    let kept = if cut { width - 1 } else { shown };
    line.extend(text[..kept].chars().map(visible));
    if cut {
        line.push('…');
    }
    line.extend(std::iter::repeat_n(' ', width.saturating_sub(shown)));
}

fn visible(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

/// `text` cut or padded to exactly `width` terminal columns (0: as long as it is).
fn fit(text: &str, width: usize) -> String {
    let text: String = text.chars().map(visible).collect();
    if width == 0 {
        return text;
    }
    if text.width() <= width {
        let padding = width - text.width();
        return format!("{text}{}", " ".repeat(padding));
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        cut.push(c);
        used += w;
    }
    cut.push('…');
    used += 1;
    format!("{cut}{}", " ".repeat(width - used))
}

impl<W: Write, K: TableRow> RecordWriter<K> for Table<W, K> {
    fn reads_fields(&self) -> bool {
        true
    }

    fn write(&mut self, record: Record<'_, '_, K>) -> io::Result<()> {
        let cells = K::cells(record.fields()?);
        self.write_header_once()?;
        self.write_row(&cells)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.write_header_once()?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::{fit, push_fitted};
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn fit_pads_and_cuts_by_terminal_columns() {
        assert_eq!(fit("Jon", 6), "Jon   ");
        assert_eq!(fit("Jonathan Snow", 6), "Jonat…");
        assert_eq!(fit("山田太郎さん", 7).width(), 7);
        assert_eq!(fit("山田太郎さん", 7), "山田太…");
        assert_eq!(fit("山田太郎さん", 6), "山田… ");
        assert_eq!(fit("a\tb", 4), "a b ");
        assert_eq!(fit("a\nb", 0), "a b");
    }

    /// The ASCII fast path writes what `fit` writes.
    #[test]
    fn the_ascii_path_agrees_with_fit() {
        for text in [
            "",
            "Jon",
            "Jonathan Snow",
            "a\tb",
            "123456",
            "1234567",
            "x\ny\r",
        ] {
            for width in 0..9 {
                let mut line = String::from("|");
                push_fitted(&mut line, text, width);
                assert_eq!(line[1..], fit(text, width), "{text:?} in {width}");
            }
        }
    }
}
