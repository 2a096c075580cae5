//! Text from the server (cursors, Gong's messages, table cells) on its way to a terminal: control
//! characters and bidirectional overrides would move the cursor, recolour the screen or reorder
//! what the reader sees, so they are escaped or blanked first.

/// Control characters and the bidirectional formatting characters that reorder what a terminal
/// shows (Trojan Source).
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` with control characters and bidirectional overrides escaped (`\u{1b}`), for a line on
/// a terminal; anything else is left as it is.
pub fn escape_for_terminal(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    text.chars()
        .map(|c| {
            if needs_escape(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_has_its_control_characters_escaped() {
        assert_eq!(escape_for_terminal("plain"), "plain");
        assert_eq!(
            escape_for_terminal("a\u{1b}[2Jb\u{202E}c"),
            "a\\u{1b}[2Jb\\u{202e}c"
        );
    }
}
