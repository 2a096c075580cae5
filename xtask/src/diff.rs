//! The short diff a `--check` prints when a committed file has drifted.

/// How many diff lines a check prints before it cuts the diff short.
const MAX_DIFF_LINES: usize = 60;

/// A unified diff of `path` from `committed` to `fresh` (which came from `source`), at most
/// `MAX_DIFF_LINES` lines.
pub fn short_diff(path: &str, source: &str, committed: &str, fresh: &str) -> String {
    let diff = similar::TextDiff::from_lines(committed, fresh)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("a/{path} (committed)"),
            &format!("b/{path} ({source})"),
        )
        .to_string();
    let total = diff.lines().count();
    let mut shown: Vec<&str> = diff.lines().take(MAX_DIFF_LINES).collect();
    let cut_note;
    if total > MAX_DIFF_LINES {
        cut_note = format!("... ({} more diff lines)", total - MAX_DIFF_LINES);
        shown.push(&cut_note);
    }
    shown.join("\n")
}
