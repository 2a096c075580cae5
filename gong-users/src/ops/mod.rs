//! Gong's users operations, one file each: a request builder ending in `.send()` (and, for
//! listings, streams of pages and users), and the `impl Client` method that starts it. The
//! listing's page request (`list_page.rs`) is apart from the streams over it (`pagination.rs`).

pub(crate) mod get_user;
pub(crate) mod get_users;
pub(crate) mod list_page;
pub(crate) mod list_users;
pub(crate) mod pagination;
pub(crate) mod settings_history;
pub(crate) mod user_id;
