//! Locks the JSON Schema (schemars) of every response and request type: any change to the spec
//! that changes what users of the crate decode or send shows up as a snapshot diff in review.

use gong_users_sys::types::{
    ErrorResponse, User, UserResponse, UserSettingChange, UserSettingsHistory, UsersFilter,
    UsersMetadata, UsersRequest,
};

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

#[test]
fn user_response_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(UserResponse));
}

#[test]
fn users_request_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(UsersRequest));
}

#[test]
fn users_filter_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(UsersFilter));
}

#[test]
fn settings_history_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(UserSettingsHistory));
}

#[test]
fn setting_change_schema() {
    insta::assert_json_snapshot!(schemars::schema_for!(UserSettingChange));
}
