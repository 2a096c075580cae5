//! Property tests of page decoding (proptest): whatever JSON arrives, decoding never panics and
//! either succeeds or names what failed; valid pages with fields dropped, nulled or added decode
//! and round-trip.

use gong_users::{Error, Page};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const USER_STRINGS: [&str; 11] = [
    "id",
    "emailAddress",
    "created",
    "trustedEmailAddress",
    "firstName",
    "lastName",
    "title",
    "phoneNumber",
    "extension",
    "managerId",
    "meetingConsentPageUrl",
];
const SETTINGS: [&str; 7] = [
    "webConferencesRecorded",
    "preventWebConferenceRecording",
    "telephonyCallsImported",
    "emailsImported",
    "preventEmailImport",
    "nonRecordedMeetingsImported",
    "gongConnectEnabled",
];

/// What one known field of a user does in a generated record.
#[derive(Clone, Debug)]
enum Field {
    Present,
    Null,
    Missing,
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![6 => Just(Field::Present), 2 => Just(Field::Null), 2 => Just(Field::Missing)]
}

fn set(object: &mut Map<String, Value>, key: &str, how: &Field, value: Value) {
    match how {
        Field::Present => drop(object.insert(key.to_owned(), value)),
        Field::Null => drop(object.insert(key.to_owned(), Value::Null)),
        Field::Missing => {}
    }
}

/// A valid user: each known field present (with a value of its type), `null` or missing, plus
/// unknown fields with any JSON.
fn valid_user() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(field(), 16),
        prop::collection::vec((".{0,16}", any::<bool>()), 11),
        prop::collection::vec(any::<Option<bool>>(), 7),
        prop::collection::btree_map("x[A-Z][a-z]{1,6}", any_json(), 0..3),
        prop::collection::vec(".{0,10}", 0..3),
    )
        .prop_map(|(fields, strings, settings, unknown, list)| {
            let mut user = Map::new();
            for (i, key) in USER_STRINGS.iter().enumerate() {
                set(&mut user, key, &fields[i], json!(strings[i].0));
            }
            set(&mut user, "active", &fields[11], json!(strings[0].1));
            set(&mut user, "emailAliases", &fields[12], json!(list));
            set(&mut user, "personalMeetingUrls", &fields[13], json!(list));
            let mut settings_object = Map::new();
            for (key, value) in SETTINGS.iter().zip(&settings) {
                if let Some(value) = value {
                    settings_object.insert((*key).to_owned(), json!(value));
                }
            }
            set(
                &mut user,
                "settings",
                &fields[14],
                Value::Object(settings_object),
            );
            set(
                &mut user,
                "spokenLanguages",
                &fields[15],
                json!([{"language": strings[1].0, "primary": strings[1].1}]),
            );
            user.extend(unknown);
            Value::Object(user)
        })
}

/// What a valid page looks like after decode and re-serialization: `null`s of known fields
/// are left out; unknown fields stay as they were, `null`s included.
fn expected_after_round_trip(page: &Value) -> Value {
    let mut page = page.clone();
    let users = page["users"].as_array_mut().unwrap();
    for user in users {
        let object = user.as_object_mut().unwrap();
        object.retain(|key, value| !value.is_null() || key.starts_with('x'));
    }
    page
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_json_never_panics_and_failures_name_a_path(value in any_json()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        match Page::from_slice(&bytes) {
            Ok(page) => prop_assert!(value.is_object(), "only an object can be a page: {page:?}"),
            Err(Error::Decode(decode)) => {
                prop_assert!(!decode.path.is_empty());
                prop_assert!(!decode.truncated, "a complete body is not cut short");
            }
            Err(other) => prop_assert!(false, "unexpected error kind {other:?}"),
        }
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = Page::from_slice(&bytes);
    }

    #[test]
    fn valid_pages_decode_and_round_trip(
        users in prop::collection::vec(valid_user(), 0..5),
        cursor in proptest::option::of("[A-Za-z0-9._-]{1,40}"),
        extra in prop::collection::btree_map("x[A-Z][a-z]{1,6}", any_json(), 0..3),
    ) {
        let mut page = json!({
            "requestId": "prop",
            "records": {"totalRecords": users.len(), "currentPageSize": users.len(), "currentPageNumber": 0},
            "users": users,
        });
        if let Some(cursor) = &cursor {
            page["records"]["cursor"] = json!(cursor);
        }
        page.as_object_mut().unwrap().extend(extra);
        let decoded = Page::from_slice(page.to_string().as_bytes()).expect("a valid page decodes");
        prop_assert_eq!(decoded.next_cursor(), cursor.as_deref());
        let again = serde_json::to_value(decoded.metadata()).unwrap();
        prop_assert_eq!(again, expected_after_round_trip(&page));
    }

    #[test]
    fn a_page_cut_anywhere_is_a_truncated_decode_error(
        users in prop::collection::vec(valid_user(), 1..3),
        cut in 1usize..1000,
    ) {
        let body = json!({"requestId": "cut", "users": users}).to_string();
        let cut = cut % body.len();
        match Page::from_slice(&body.as_bytes()[..cut]) {
            Err(Error::Decode(decode)) => prop_assert!(decode.truncated, "cut at {cut}: {decode}"),
            other => prop_assert!(false, "cut at {cut}: {other:?}"),
        }
    }
}
