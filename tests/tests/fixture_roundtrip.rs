//! Decodes a corpus of fixture pages and error bodies with the generated types and re-serializes
//! them: the snapshots show exactly what survives a round trip (unknown fields included, nested
//! too; ids past 2^53 and u64 untouched; `created` kept as sent).

use gong_users_sys::types::{ErrorResponse, UserResponse, UserSettingsHistory, UsersMetadata};
use serde_json::Value;

#[test]
fn pages_decode_and_reserialize() {
    insta::glob!(
        env!("CARGO_MANIFEST_DIR"),
        "fixtures/pages/*.json",
        |path| {
            let text = std::fs::read_to_string(path).expect("fixture is readable");
            let page: UsersMetadata = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{} must decode: {err}", path.display()));
            insta::assert_json_snapshot!(page);
        }
    );
}

#[test]
fn error_bodies_decode_and_reserialize() {
    insta::glob!(
        env!("CARGO_MANIFEST_DIR"),
        "fixtures/errors/*.json",
        |path| {
            let text = std::fs::read_to_string(path).expect("fixture is readable");
            let body: ErrorResponse = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{} must decode: {err}", path.display()));
            insta::assert_json_snapshot!(body);
        }
    );
}

#[test]
fn single_users_decode_and_reserialize() {
    insta::glob!(env!("CARGO_MANIFEST_DIR"), "fixtures/user/*.json", |path| {
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let body: UserResponse = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{} must decode: {err}", path.display()));
        insta::assert_json_snapshot!(body);
    });
}

#[test]
fn settings_histories_decode_and_reserialize() {
    insta::glob!(
        env!("CARGO_MANIFEST_DIR"),
        "fixtures/history/*.json",
        |path| {
            let text = std::fs::read_to_string(path).expect("fixture is readable");
            let body: UserSettingsHistory = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{} must decode: {err}", path.display()));
            insta::assert_json_snapshot!(body);
        }
    );
}

/// An unknown `setting` and unknown keys survive the decode and the round trip.
#[test]
fn an_unknown_setting_survives_the_round_trip() {
    let text = std::fs::read_to_string(format!(
        "{}/fixtures/history/unknown_setting_and_keys.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture is readable");
    let history: UserSettingsHistory = serde_json::from_str(&text).expect("fixture decodes");
    let changes = history.user_settings_history.as_deref().unwrap();
    assert_eq!(changes[0].setting.as_deref(), Some("aiSummariesEnabled"));
    assert_eq!(changes[0].extra["changedBy"], "712341234123412341");
    let again = serde_json::to_value(&history).unwrap();
    assert_eq!(
        again["userSettingsHistory"][0]["setting"],
        "aiSummariesEnabled"
    );
    assert_eq!(again["userSettingsHistory"][1]["reason"]["code"], 7);
    assert!(
        again.get("historyCursor").is_some(),
        "an unknown top-level null stays"
    );
}

/// Pages without `null`s must come back exactly as they went in: no field lost, none added,
/// no value reformatted.
#[test]
fn pages_without_nulls_round_trip_exactly() {
    for name in [
        "full_record",
        "unknown_fields",
        "big_ids",
        "created_shapes",
        "missing_fields",
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/fixtures/pages/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture is readable");
        let original: Value = serde_json::from_str(&text).expect("fixture is JSON");
        let page: UsersMetadata = serde_json::from_str(&text).expect("fixture decodes");
        let again = serde_json::to_value(&page).expect("page serializes");
        assert_eq!(again, original, "{name} changed in a round trip");
    }
}

#[test]
fn ids_past_u64_keep_every_digit() {
    let text = include_str!("../fixtures/pages/big_ids.json");
    let page: UsersMetadata = serde_json::from_str(text).expect("fixture decodes");
    let users = page.users.expect("users present");
    assert_eq!(users[2].id.as_deref(), Some("98765432109876543210"));
    assert_eq!(users[2].manager_id.as_deref(), Some("18446744073709551616"));
}

#[test]
fn created_parses_with_offset_and_fraction() {
    let text = include_str!("../fixtures/pages/created_shapes.json");
    let page: UsersMetadata = serde_json::from_str(text).expect("fixture decodes");
    let parsed: Vec<(i32, u32)> = page
        .users
        .expect("users present")
        .iter()
        .map(|user| {
            let created = user.created.as_ref().expect("created present");
            let at = created.to_datetime().expect("created is RFC 3339");
            (at.offset().local_minus_utc(), at.timestamp_subsec_nanos())
        })
        .collect();
    assert_eq!(
        parsed,
        vec![
            (0, 0),
            (-7 * 3600, 0),
            (5 * 3600 + 1800, 0),
            (-7 * 3600, 507_000_000),
            (0, 500_000_000),
            (0, 123_456_789),
        ]
    );
}
