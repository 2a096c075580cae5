//! The command that continues a listing that stopped: every flag that shapes the output
//! repeated, the cursor of the first page not written, and for CSV `--no-header` so that its
//! output appended to the first file (`>>`) gives one valid CSV. Quoted for POSIX shells, so
//! pasting it runs exactly it, whatever the cursor holds.

use crate::cli::{Format, ListArgs};
use crate::terminal::escape::needs_escape;

/// Where a listing stopped, as the resume command needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position {
    /// Nothing was written yet: the same command starts over.
    Start,
    /// Users were written up to the page at this cursor (the first page not written).
    At(String),
    /// Every user was written: nothing to continue.
    Complete,
}

/// What to say about continuing: the command, or why none is needed.
pub fn hint(args: &ListArgs, format: Format, position: &Position, written: u64) -> String {
    match position {
        Position::Complete => "every user was written; nothing to continue".to_owned(),
        Position::Start if written == 0 => {
            "nothing was written; run the same command again to start over".to_owned()
        }
        // Written users, but the listing had not moved past its starting cursor.
        Position::Start => continue_with(args, format, args.cursor.as_deref(), written),
        Position::At(cursor) => continue_with(args, format, Some(cursor), written),
    }
}

fn continue_with(args: &ListArgs, format: Format, cursor: Option<&str>, written: u64) -> String {
    let mut line = format!("continue with: {}", command(args, format, cursor, written));
    match format {
        Format::Csv => line.push_str("  (append its output with >>: it writes no second header)"),
        Format::Json => line.push_str("  (it writes a second JSON array)"),
        Format::Table => line.push_str("  (it writes no second header)"),
        Format::Ndjson => {}
    }
    line
}

/// `gong-users list …` continuing from `cursor` (`None`: from the start), `written` users in.
pub fn command(args: &ListArgs, format: Format, cursor: Option<&str>, written: u64) -> String {
    let mut words: Vec<String> = vec!["gong-users".into(), "list".into()];
    let mut flag = |name: &str, value: Option<&str>| {
        words.push(name.to_owned());
        if let Some(value) = value {
            words.push(value.to_owned());
        }
    };
    flag("--format", Some(format.name()));
    if matches!(format, Format::Csv | Format::Table) {
        flag("--no-header", None);
        if args.strict {
            flag("--strict", None);
        }
    }
    if args.include_avatars {
        flag("--include-avatars", None);
    }
    if let Some(from) = &args.created_from {
        flag("--created-from", Some(from));
    }
    if let Some(to) = &args.created_to {
        flag("--created-to", Some(to));
    }
    if let Some(limit) = args.limit {
        flag("--limit", Some(&limit.saturating_sub(written).to_string()));
    }
    let connection = &args.connection;
    if connection.sandbox {
        flag("--sandbox", None);
        flag(
            "--sandbox-users",
            Some(&connection.sandbox_users.to_string()),
        );
        if connection.sandbox_oauth {
            flag("--sandbox-oauth", None);
        }
    } else if let Some(base_url) = connection
        .base_url
        .as_deref()
        .filter(|url| std::env::var(gong_users::ENV_BASE_URL).ok().as_deref() != Some(url))
    {
        flag("--base-url", Some(base_url));
    }
    if let Some(cursor) = cursor {
        flag("--cursor", Some(cursor));
    }
    words
        .iter()
        .map(|word| shell_quote(word))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` as one POSIX shell word that stands for exactly it. Plain words stay as they are;
/// others go in single quotes (a `'` inside as `'\''`). Characters that must not reach a
/// terminal as they are (control characters, bidirectional overrides) go in pieces of
/// `"$(printf '\NNN')"`, octal escapes the shell turns back into them; the pieces join into one
/// word. (A newline stays literal inside the quotes: `$(…)` would drop a trailing one.)
pub fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_owned();
    }
    let hidden = |c: char| c != '\n' && needs_escape(c);
    let mut quoted = String::new();
    let mut rest = word;
    while !rest.is_empty() {
        let split = rest
            .char_indices()
            .find(|&(_, c)| hidden(c) != rest.starts_with(hidden))
            .map_or(rest.len(), |(index, _)| index);
        let (run, tail) = rest.split_at(split);
        if run.starts_with(hidden) {
            let octal: String = run.bytes().map(|byte| format!("\\{byte:03o}")).collect();
            quoted.push_str(&format!("\"$(printf '{octal}')\""));
        } else {
            quoted.push_str(&format!("'{}'", run.replace('\'', r"'\''")));
        }
        rest = tail;
    }
    if quoted.is_empty() {
        quoted.push_str("''");
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// What `sh` makes of `quoted`: the words it passes to a program.
    fn sh_words(quoted: &str) -> String {
        let output = Command::new("sh")
            .arg("-c")
            .arg(format!("printf '%s' {quoted}"))
            .output()
            .expect("sh runs");
        assert!(output.status.success(), "{quoted}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    #[test]
    fn any_word_survives_the_shell_exactly() {
        for word in [
            "eyJhbGciOiJIUzI1NiJ9.eyJwIjoxfQ.sig",
            "it's a cursor",
            "'$(touch /tmp/pwned-by-cursor)'",
            "`id` $HOME \\ \" ; | & * ?",
            "tab\there",
            "new\nline\n",
            "esc\u{1b}[31mred",
            "bidi\u{202E}evil",
            "100% \\n",
            "",
        ] {
            let quoted = shell_quote(word);
            assert!(
                !quoted.chars().any(|c| c != '\n' && needs_escape(c)),
                "no raw control character reaches the terminal: {quoted:?}"
            );
            assert_eq!(sh_words(&quoted), word, "{quoted}");
        }
        assert!(!std::path::Path::new("/tmp/pwned-by-cursor").exists());
    }
}
