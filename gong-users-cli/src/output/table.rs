//! A table for people: fixed, aligned columns, so rows can be written as pages arrive without
//! holding the whole listing to measure it. Widths count terminal columns, so names in CJK
//! scripts stay aligned; what does not fit is cut with `…`.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Record, UserWriter};

/// (heading, width in terminal columns); the last column is not padded.
const COLUMNS: [(&str, usize); 6] = [
    ("NAME", 24),
    ("EMAIL", 32),
    ("TITLE", 24),
    ("ACTIVE", 6),
    ("MANAGER", 20),
    ("CREATED", 0),
];

pub struct Table<W> {
    out: W,
    header_written: bool,
}

impl<W: Write> Table<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            header_written: false,
        }
    }

    fn write_row(&mut self, cells: [&str; 6]) -> io::Result<()> {
        let mut line = String::new();
        for (index, (cell, (_, width))) in cells.iter().zip(COLUMNS).enumerate() {
            if index > 0 {
                line.push_str("  ");
            }
            if width == 0 {
                line.push_str(cell);
            } else {
                line.push_str(&fit(cell, width));
            }
        }
        writeln!(self.out, "{}", line.trim_end())
    }

    fn write_header_once(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.write_row(COLUMNS.map(|(heading, _)| heading))?;
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

impl<W: Write> UserWriter for Table<W> {
    fn reads_fields(&self) -> bool {
        true
    }

    fn write_user(&mut self, record: Record<'_>) -> io::Result<()> {
        let user = record.fields()?;
        self.write_header_once()?;
        let name = [user.first_name.as_deref(), user.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let active = match user.active {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        let created = user
            .created
            .as_ref()
            .map(|c| c.as_str())
            .unwrap_or_default();
        self.write_row([
            &name,
            user.email_address.as_deref().unwrap_or_default(),
            user.title.as_deref().unwrap_or_default(),
            active,
            user.manager_id.as_deref().unwrap_or_default(),
            created,
        ])
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
