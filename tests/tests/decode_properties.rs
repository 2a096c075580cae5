//! Property tests of page decoding (proptest), for both readers of a page: typed
//! (`Page<User>`) and as Gong's bytes (`Page<RawUser>`, the path the CLI's ndjson and json
//! formats take). Whatever JSON arrives, neither panics and each either succeeds or names what
//! failed; valid pages with fields dropped, nulled or added decode, round-trip, and come through
//! the raw reader byte for byte; the two readers agree on every page.

use gong_users::{Error, ErrorKind, Page, RawUser, User};
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

/// Both readers of `bytes`.
fn read_both(bytes: &[u8]) -> (Result<Page<User>, Error>, Result<Page<RawUser>, Error>) {
    (
        Page::<User>::from_bytes(bytes.to_vec()),
        Page::<RawUser>::from_bytes(bytes.to_vec()),
    )
}

/// The readers agree: what the typed one accepts, the raw one accepts with the same envelope
/// and users that decode to the same values; what the raw one refuses, the typed one refuses.
fn assert_agree(
    typed: &Result<Page<User>, Error>,
    raw: &Result<Page<RawUser>, Error>,
) -> Result<(), TestCaseError> {
    match (typed, raw) {
        (Ok(typed), Ok(raw)) => {
            prop_assert_eq!(raw.request_id(), typed.request_id());
            prop_assert_eq!(raw.records(), typed.records());
            prop_assert_eq!(raw.users().len(), typed.users().len());
            let decoded = raw
                .decode()
                .expect("raw users of a typed-valid page decode");
            prop_assert_eq!(decoded.users(), typed.users());
        }
        (Ok(_), Err(error)) => prop_assert!(false, "typed accepted, raw refused: {error}"),
        (Err(_), Ok(raw)) => {
            // The raw reader checks only the envelope: then some user must fail to decode.
            prop_assert!(
                raw.decode().is_err(),
                "typed refused a page whose users all decode"
            );
        }
        (Err(_), Err(_)) => {}
    }
    Ok(())
}

/// A complete body that fails is a decode error naming a path, not "cut short".
fn assert_named_decode_error(error: &Error) -> Result<(), TestCaseError> {
    match error.kind() {
        ErrorKind::Decode(decode) => {
            prop_assert!(!decode.path.is_empty());
            prop_assert!(!decode.truncated, "a complete body is not cut short");
        }
        _ => prop_assert!(false, "unexpected error kind {error:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_json_never_panics_and_failures_name_a_path(value in any_json()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        let (typed, raw) = read_both(&bytes);
        for error in [typed.as_ref().err(), raw.as_ref().err()].into_iter().flatten() {
            assert_named_decode_error(error)?;
        }
        if typed.is_ok() || raw.is_ok() {
            prop_assert!(value.is_object(), "only an object can be a page");
        }
        assert_agree(&typed, &raw)?;
    }

    #[test]
    fn any_bytes_never_panic_and_the_readers_agree(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let (typed, raw) = read_both(&bytes);
        assert_agree(&typed, &raw)?;
    }

    #[test]
    fn valid_pages_decode_round_trip_and_pass_through_byte_for_byte(
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
        let (typed, raw) = read_both(page.to_string().as_bytes());
        assert_agree(&typed, &raw)?;
        let (typed, raw) = (typed.expect("a valid page decodes"), raw.expect("a valid page reads raw"));
        prop_assert_eq!(typed.next_cursor(), cursor.as_deref());
        prop_assert_eq!(raw.next_cursor(), cursor.as_deref());
        prop_assert_eq!(raw.page_size(), Some(users.len() as i64));
        for (raw_user, user) in raw.users().iter().zip(&users) {
            prop_assert_eq!(raw_user.as_str(), user.to_string(), "raw users are Gong's bytes");
        }
        let again = serde_json::to_value(typed.into_metadata()).unwrap();
        prop_assert_eq!(again, expected_after_round_trip(&page));
    }

    #[test]
    fn a_page_cut_anywhere_is_a_truncated_decode_error_for_both_readers(
        users in prop::collection::vec(valid_user(), 1..3),
        cut in 1usize..1000,
    ) {
        let body = json!({"requestId": "cut", "users": users}).to_string();
        let cut = cut % body.len();
        let (typed, raw) = read_both(&body.as_bytes()[..cut]);
        for result in [typed.err(), raw.err()] {
            match result.as_ref().map(Error::kind) {
                Some(ErrorKind::Decode(decode)) => prop_assert!(decode.truncated, "cut at {cut}: {decode}"),
                other => prop_assert!(false, "cut at {cut}: {other:?}"),
            }
        }
    }
}
