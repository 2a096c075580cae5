//! The progress display on stderr: pages, users, rate, and what the client is waiting for.
//!
//! Shown only when stderr is a terminal and neither --quiet nor -v is given (with -v the log
//! lines are the progress). It never writes to stdout, and when stdout is the same terminal,
//! rows are written with the bar hidden so the two never mix.

use std::io;
use std::time::Duration;

use crate::terminal::escape::escape_for_terminal;
use gong_users::{ENV_BASE_URL, Event, Page, RawUser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

/// The progress bar, or nothing when it is off.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress display on stderr, when `enabled`.
    pub fn new(enabled: bool) -> Self {
        if !enabled {
            return Self { bar: None };
        }
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(NarrowStderr::new()), 10);
        let bar = ProgressBar::with_draw_target(None, target);
        let style = ProgressStyle::with_template(
            "{spinner} {human_pos}/{human_len} users  {rate:.dim}  {elapsed}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0} users/s", state.per_sec());
            },
        );
        bar.set_style(style);
        bar.set_message("connecting");
        bar.enable_steady_tick(Duration::from_millis(100));
        Self { bar: Some(bar) }
    }

    /// A callback for the client's events: shows each wait and its reason, and prints the
    /// warnings a listing can end with (shown even with --quiet: they are about missing data).
    pub fn on_event(&self) -> impl Fn(&Event) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |event| {
            if let Some(warning) = warning(event) {
                match &bar {
                    Some(bar) => bar.suspend(|| eprintln!("{warning}")),
                    None => eprintln!("{warning}"),
                }
                return;
            }
            let Some(bar) = &bar else { return };
            match event {
                Event::Waiting { reason, wait, .. } => {
                    bar.set_message(format!("waiting {:.1}s ({reason})", wait.as_secs_f64()));
                }
                Event::Retrying { attempt, error } => {
                    let first_line = error.lines().next().unwrap_or_default();
                    let short: String = first_line.chars().take(60).collect();
                    bar.set_message(format!("attempt {attempt} failed: {short}"));
                }
                Event::Response { .. } => bar.set_message("receiving"),
                _ => {}
            }
        }
    }

    /// Records a page, `written` users into the listing.
    pub fn page(&self, page: &Page<RawUser>, written: u64) {
        if let Some(bar) = &self.bar {
            if let Some(total) = page.total_records().and_then(|t| u64::try_from(t).ok()) {
                bar.set_length(total.max(written));
            }
            bar.set_position(written);
            let number = page
                .page_number()
                .map_or(String::new(), |n| format!("page {}", n + 1));
            bar.set_message(number);
        }
    }

    /// Runs `write` with the bar hidden, so rows on the same terminal are not torn.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Removes the bar, leaving one summary line.
    pub fn finish(&self, written: u64) {
        if let Some(bar) = &self.bar {
            let elapsed = bar.elapsed();
            bar.finish_and_clear();
            eprintln!("listed {written} users in {:.1}s", elapsed.as_secs_f64());
        }
    }

    /// Removes the bar without a summary (before an error message).
    pub fn abandon(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Stderr as a terminal two columns narrower than it is. indicatif pads its line to the full
/// width, so the `^C` a terminal echoes on Ctrl-C would wrap onto a second line, and clearing
/// the bar would leave the first behind: the interrupted run's last words would follow a stale
/// progress line.
#[derive(Debug)]
struct NarrowStderr(console::Term);

impl NarrowStderr {
    fn new() -> Self {
        Self(console::Term::stderr())
    }
}

impl TermLike for NarrowStderr {
    fn width(&self) -> u16 {
        self.0.size().1.saturating_sub(2).max(1)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The one line said on stderr for an event that means the output may not be what was expected.
fn warning(event: &Event) -> Option<String> {
    match event {
        Event::NoUsers {
            url,
            messages,
            filtered: false,
            ..
        } => Some(format!(
            "note: Gong answered 404 for {} ({}): the listing is empty; a company always has \
             users, so check {ENV_BASE_URL} if this is unexpected",
            escape_for_terminal(url),
            if messages.is_empty() {
                "no message".to_owned()
            } else {
                escape_for_terminal(&messages.join("; "))
            }
        )),
        Event::TokenNotSaved { error } => Some(format!(
            "warning: the rotated OAuth refresh token could not be saved ({}); this run goes on \
             with it, but the next run will not find it and may need the app re-authorized",
            escape_for_terminal(error)
        )),
        Event::TokenStoreUnavailable { error } => Some(format!(
            "warning: {}; going on with the tokens in memory",
            escape_for_terminal(error)
        )),
        Event::CustomerHostMismatch {
            base_url,
            api_base_url_for_customer,
        } => Some(format!(
            "warning: the base URL {} is not the customer's host that Gong's token names ({}); \
             requests go to the base URL as set (unset {ENV_BASE_URL} and --base-url to use the \
             customer's host)",
            escape_for_terminal(base_url),
            escape_for_terminal(api_base_url_for_customer)
        )),
        Event::ListingRestarted { restart, delivered } => Some(format!(
            "warning: Gong says the listing's cursor has expired; starting again from the first \
             page ({restart} of at most 3), leaving out the {delivered} users already written"
        )),
        Event::ListingShort { expected, received } => Some(format!(
            "warning: the listing ended with {received} users, but Gong's first page announced \
             {expected}; users may have been removed meanwhile, or Gong ended the listing early"
        )),
        _ => None,
    }
}
