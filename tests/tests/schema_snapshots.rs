//! Locks the JSON Schema (schemars) of the page and user types: any change to the spec that
//! changes what users of the crate decode shows up as a snapshot diff in review.

use gong_users_sys::types::{ErrorResponse, User, UsersMetadata};

#[test]
fn page_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(UsersMetadata));
}

#[test]
fn user_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(User));
}

#[test]
fn error_body_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(ErrorResponse));
}
