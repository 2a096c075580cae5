//! A table for people: fixed, aligned columns, so rows can be written as pages arrive without
//! holding the whole listing to measure it. Widths count terminal columns, so names in CJK
//! scripts stay aligned; what does not fit is cut with `…`.

use std::borrow::Cow;
use std::io::{self, Write};
use std::marker::PhantomData;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Record, RecordWriter};

/// A record that can be a table row.
pub trait TableRow {
    /// (heading, width in terminal columns); a width of 0 (the last column) is not padded.
    const COLUMNS: &'static [(&'static str, usize)];

    /// The row's cells, one a column.
    fn cells(&self) -> Vec<Cow<'_, str>>;
}

pub struct Table<W, T> {
    out: W,
    header_written: bool,
    rows: PhantomData<fn(&T)>,
}

impl<W: Write, T: TableRow> Table<W, T> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            header_written: false,
            rows: PhantomData,
        }
    }

    fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> io::Result<()> {
        let mut line = String::new();
        for (index, (cell, (_, width))) in cells.iter().zip(T::COLUMNS).enumerate() {
            if index > 0 {
                line.push_str("  ");
            }
            if *width == 0 {
                line.push_str(cell.as_ref());
            } else {
                line.push_str(&fit(cell.as_ref(), *width));
            }
        }
        writeln!(self.out, "{}", line.trim_end())
    }

    fn write_header_once(&mut self) -> io::Result<()> {
        if !self.header_written {
            let headings: Vec<&str> = T::COLUMNS.iter().map(|(heading, _)| *heading).collect();
            self.write_row(&headings)?;
            self.header_written = true;
        }
        Ok(())
    }
}

/// `text` cut or padded to exactly `width` terminal columns.
fn fit(text: &str, width: usize) -> String {
    // Control characters would break the line; show them as spaces.
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
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

impl<W: Write, T: TableRow> RecordWriter<T> for Table<W, T> {
    fn reads_fields(&self) -> bool {
        true
    }

    fn write(&mut self, record: Record<'_, T>) -> io::Result<()> {
        let cells = record.fields()?.cells();
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
    use super::fit;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn fit_pads_and_cuts_by_terminal_columns() {
        assert_eq!(fit("Jon", 6), "Jon   ");
        assert_eq!(fit("Jonathan Snow", 6), "Jonat…");
        assert_eq!(fit("山田太郎さん", 7).width(), 7);
        assert_eq!(fit("山田太郎さん", 7), "山田太…");
        assert_eq!(fit("山田太郎さん", 6), "山田… ");
        assert_eq!(fit("a\tb", 4), "a b ");
    }
}
