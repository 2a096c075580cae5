//! How a user is written as a table row and as a CSV row.
//!
//! The table shows what people read (name, email, title, active, manager, created); CSV keeps
//! every field: settings one column each, lists joined with `;`, and fields Gong sends that the
//! spec does not know in an `extra` column as JSON, so no field is lost.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::RecordKind;
use super::csv::{Column, CsvRow, flag, text};
use super::table::TableRow;
use super::user_fields::{LanguageFields, SettingsFields, Text, UserFields as User};

/// Users, as `list` and `get` write them: decoded into [`User`], borrowing from the page.
pub enum Users {}

impl RecordKind for Users {
    type Fields<'json> = User<'json>;
}

impl TableRow for Users {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("NAME", 24),
        ("EMAIL", 32),
        ("TITLE", 24),
        ("ACTIVE", 6),
        ("MANAGER", 20),
        ("CREATED", 0),
    ];

    fn cells<'v>(user: &'v User<'_>) -> Vec<Cow<'v, str>> {
        let name = match (user.first_name.as_deref(), user.last_name.as_deref()) {
            (Some(first), Some(last)) => Cow::Owned(format!("{first} {last}")),
            (Some(one), None) | (None, Some(one)) => Cow::Borrowed(one),
            (None, None) => Cow::Borrowed(""),
        };
        let active = match user.active {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        vec![
            name,
            text(user.email_address.as_deref()),
            text(user.title.as_deref()),
            Cow::Borrowed(active),
            text(user.manager_id.as_deref()),
            text(user.created.as_deref()),
        ]
    }
}

impl CsvRow for Users {
    /// The columns, in order: the header and every row come from this one table.
    const COLUMNS: &'static [Column<Self>] = &[
        column("id", |u| text(u.id.as_deref())),
        column("emailAddress", |u| text(u.email_address.as_deref())),
        column("created", |u| text(u.created.as_deref())),
        column("active", |u| flag(u.active)),
        column("emailAliases", |u| joined(u.email_aliases.as_ref())),
        column("trustedEmailAddress", |u| {
            text(u.trusted_email_address.as_deref())
        }),
        column("firstName", |u| text(u.first_name.as_deref())),
        column("lastName", |u| text(u.last_name.as_deref())),
        column("title", |u| text(u.title.as_deref())),
        column("phoneNumber", |u| text(u.phone_number.as_deref())),
        column("extension", |u| text(u.extension.as_deref())),
        column("personalMeetingUrls", |u| {
            joined(u.personal_meeting_urls.as_ref())
        }),
        column("settings.webConferencesRecorded", |u| {
            setting(u, |s| s.web_conferences_recorded)
        }),
        column("settings.preventWebConferenceRecording", |u| {
            setting(u, |s| s.prevent_web_conference_recording)
        }),
        column("settings.telephonyCallsImported", |u| {
            setting(u, |s| s.telephony_calls_imported)
        }),
        column("settings.emailsImported", |u| {
            setting(u, |s| s.emails_imported)
        }),
        column("settings.preventEmailImport", |u| {
            setting(u, |s| s.prevent_email_import)
        }),
        column("settings.nonRecordedMeetingsImported", |u| {
            setting(u, |s| s.non_recorded_meetings_imported)
        }),
        column("settings.gongConnectEnabled", |u| {
            setting(u, |s| s.gong_connect_enabled)
        }),
        column("managerId", |u| text(u.manager_id.as_deref())),
        column("meetingConsentPageUrl", |u| {
            text(u.meeting_consent_page_url.as_deref())
        }),
        column("spokenLanguages", spoken_languages),
        column("primaryLanguage", |u| {
            text(
                languages(u)
                    .iter()
                    .find(|l| l.primary == Some(true))
                    .and_then(|l| l.language.as_deref()),
            )
        }),
        column("extra", extra),
    ];
}

const fn column(
    heading: &'static str,
    cell: for<'v, 'json> fn(&'v User<'json>) -> Cow<'v, str>,
) -> Column<Users> {
    Column { heading, cell }
}

fn joined<'v>(values: Option<&'v Vec<Text<'_>>>) -> Cow<'v, str> {
    match values.map(Vec::as_slice) {
        None | Some([]) => Cow::Borrowed(""),
        Some([one]) => Cow::Borrowed(one),
        Some(many) => Cow::Owned(many.join(";")),
    }
}

/// The languages joined with `;` (borrowed when there is one).
fn spoken_languages<'v>(user: &'v User<'_>) -> Cow<'v, str> {
    let mut names = languages(user).iter().filter_map(|l| l.language.as_deref());
    match (names.next(), names.next()) {
        (None, _) => Cow::Borrowed(""),
        (Some(one), None) => Cow::Borrowed(one),
        (Some(first), Some(second)) => {
            let mut joined = format!("{first};{second}");
            for name in names {
                joined.push(';');
                joined.push_str(name);
            }
            Cow::Owned(joined)
        }
    }
}

fn setting(user: &User<'_>, get: fn(&SettingsFields<'_>) -> Option<bool>) -> Cow<'static, str> {
    flag(user.settings.as_ref().and_then(get))
}

fn languages<'v, 'json>(user: &'v User<'json>) -> &'v [LanguageFields<'json>] {
    user.spoken_languages.as_deref().unwrap_or_default()
}

/// The fields of the user and of its nested records that the spec does not know, as one JSON
/// object with their values as Gong sent them; empty when there are none. Written into one
/// string: nearly every user of a real company has such a field, so this runs once a row.
fn extra(user: &User<'_>) -> Cow<'static, str> {
    let settings = user.settings.as_ref().map_or(&[][..], |s| &s.unknown[..]);
    let languages = languages(user);
    let languages_extra = languages.iter().any(|l| !l.unknown.is_empty());
    if user.unknown.is_empty() && settings.is_empty() && !languages_extra {
        return Cow::Borrowed("");
    }
    let mut json = String::with_capacity(64);
    json.push('{');
    for (key, value) in &user.unknown {
        write_key(&mut json, key);
        json.push_str(value.get());
    }
    if !settings.is_empty() {
        write_key(&mut json, "settings");
        write_object(&mut json, settings);
    }
    if languages_extra {
        write_key(&mut json, "spokenLanguages");
        json.push('[');
        for language in languages {
            separate(&mut json);
            write_object(&mut json, &language.unknown);
        }
        json.push(']');
    }
    json.push('}');
    Cow::Owned(json)
}

fn write_object(json: &mut String, unknown: &[(Text<'_>, &RawValue)]) {
    json.push('{');
    for (key, value) in unknown {
        write_key(json, key);
        json.push_str(value.get());
    }
    json.push('}');
}

/// `"key":`, after a comma unless it is the object's first member; the key escaped as JSON
/// needs (it was unescaped when decoded).
fn write_key(json: &mut String, key: &str) {
    separate(json);
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        json.push('"');
        json.push_str(key);
        json.push('"');
    } else {
        json.push_str(&serde_json::Value::from(key).to_string());
    }
    json.push(':');
}

/// A comma before a member or element, unless it is the first of its object or array: values
/// are whole JSON texts, so only an opening bracket ends the text before a first one.
fn separate(json: &mut String) {
    if !json.ends_with(['{', '[']) {
        json.push(',');
    }
}

#[cfg(test)]
mod tests {
    use super::{User, extra};

    fn extra_of(json: &str) -> String {
        let user: User<'_> = serde_json::from_str(json).unwrap();
        extra(&user).into_owned()
    }

    /// Unknown fields come out as one JSON object, as Gong sent their values, nested records'
    /// ones under their field's name.
    #[test]
    fn extra_holds_every_unknown_field_as_json() {
        assert_eq!(
            extra_of(r#"{"id":"1","settings":{},"spokenLanguages":[]}"#),
            ""
        );
        assert_eq!(
            extra_of(
                r#"{"a":1.50,"id":"1","b":[1, 2],"settings":{"emailsImported":true,"s":null}}"#
            ),
            r#"{"a":1.50,"b":[1, 2],"settings":{"s":null}}"#
        );
        assert_eq!(
            extra_of(r#"{"spokenLanguages":[{"language":"en"},{"c":0.9,"d":"x"}]}"#),
            r#"{"spokenLanguages":[{},{"c":0.9,"d":"x"}]}"#
        );
        assert_eq!(
            extra_of(r#"{"q\"k\\":true,"settings":{"t\u0009":1}}"#),
            r#"{"q\"k\\":true,"settings":{"t\t":1}}"#
        );
        let json = extra_of(r#"{"q\"k\\":true,"settings":{"t\u0009":1}}"#);
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["settings"]["t\t"], 1);
    }
}
