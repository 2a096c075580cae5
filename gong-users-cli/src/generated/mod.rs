//! Code generated from the spec by `cargo xtask codegen`; never edited by hand.

#[rustfmt::skip]
pub mod schemas;
