//! Decoding a successful response: one decoder with JSON paths in its errors, records kept as
//! Gong's bytes, and the one page type every listing returns.

pub(crate) mod decode;
pub(crate) mod page;
pub(crate) mod page_item;
pub(crate) mod raw;
