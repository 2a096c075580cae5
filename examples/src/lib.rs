//! Runnable examples of gong-users (see the `*.rs` files beside this crate's manifest).
//!
//! This library holds only the README's Rust blocks, compiled as doctests so they cannot rot.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
