//! What happens on the terminal besides the output: the progress display, the signals that
//! stop a run, and text from the server made safe to show.

pub mod escape;
pub mod interrupt;
pub mod progress;
