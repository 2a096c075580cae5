//! The subcommands that talk to Gong, one file each; `resume.rs` is the command a stopped
//! listing prints to continue.

pub mod get;
pub mod history;
pub mod list;
pub mod quota;
pub mod resume;
pub mod sync;
