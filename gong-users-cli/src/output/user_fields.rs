//! A user's fields as the table and CSV formats read them, decoded without serde's `flatten`.
//!
//! The generated `User` keeps unknown fields with `#[serde(flatten)]`, which makes serde buffer
//! every field of every user before decoding it: in a profile of `list --format csv` that
//! buffering and its allocations were most of the decode, and the decode most of the run. This
//! decoder reads the same fields in one pass and keeps the fields the spec does not know as the
//! JSON text Gong sent, in Gong's order. Its types are the generated `User`'s, field for field, so
//! the two accept the same records; a record this one refuses is decoded again with the
//! generated type, for an error that names the path of the bad value.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Fields the spec does not know: each key and its value as Gong's JSON text, in order.
pub type Unknown = Vec<(String, Box<RawValue>)>;

/// A user, as the table and CSV formats read it.
#[derive(Debug, Default)]
pub struct UserFields {
    pub id: Option<String>,
    pub email_address: Option<String>,
    pub created: Option<String>,
    pub active: Option<bool>,
    pub email_aliases: Option<Vec<String>>,
    pub trusted_email_address: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub phone_number: Option<String>,
    pub extension: Option<String>,
    pub personal_meeting_urls: Option<Vec<String>>,
    pub settings: Option<SettingsFields>,
    pub manager_id: Option<String>,
    pub meeting_consent_page_url: Option<String>,
    pub spoken_languages: Option<Vec<LanguageFields>>,
    pub unknown: Unknown,
}

/// A user's settings.
#[derive(Debug, Default)]
pub struct SettingsFields {
    pub web_conferences_recorded: Option<bool>,
    pub prevent_web_conference_recording: Option<bool>,
    pub telephony_calls_imported: Option<bool>,
    pub emails_imported: Option<bool>,
    pub prevent_email_import: Option<bool>,
    pub non_recorded_meetings_imported: Option<bool>,
    pub gong_connect_enabled: Option<bool>,
    pub unknown: Unknown,
}

/// One spoken language.
#[derive(Debug, Default)]
pub struct LanguageFields {
    pub language: Option<String>,
    pub primary: Option<bool>,
    pub unknown: Unknown,
}

/// Reads a JSON object into `T` field by field: `field` takes each key it knows and reads its
/// value, and answers `false` for a key it does not know, which is kept in `unknown`.
struct ObjectVisitor<T> {
    read: fn(&mut T, &str, &mut dyn FieldReader) -> Result<bool, String>,
    unknown: fn(&mut T) -> &mut Unknown,
    expecting: &'static str,
}

/// Reads the value of the current key as one of the field types.
trait FieldReader {
    fn text(&mut self) -> Result<Option<String>, String>;
    fn flag(&mut self) -> Result<Option<bool>, String>;
    fn texts(&mut self) -> Result<Option<Vec<String>>, String>;
    fn settings(&mut self) -> Result<Option<SettingsFields>, String>;
    fn languages(&mut self) -> Result<Option<Vec<LanguageFields>>, String>;
}

struct Reader<'m, M>(&'m mut M);

impl<'de, M: MapAccess<'de>> FieldReader for Reader<'_, M> {
    fn text(&mut self) -> Result<Option<String>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
    fn flag(&mut self) -> Result<Option<bool>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
    fn texts(&mut self) -> Result<Option<Vec<String>>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
    fn settings(&mut self) -> Result<Option<SettingsFields>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
    fn languages(&mut self) -> Result<Option<Vec<LanguageFields>>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
}

impl<'de, T: Default> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut value = T::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let known =
                (self.read)(&mut value, &key, &mut Reader(&mut map)).map_err(de::Error::custom)?;
            if !known {
                let raw: Box<RawValue> = map.next_value()?;
                (self.unknown)(&mut value).push((key.into_owned(), raw));
            }
        }
        Ok(value)
    }
}

impl<'de> Deserialize<'de> for UserFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor {
            read: |user: &mut UserFields, key, value| {
                match key {
                    "id" => user.id = value.text()?,
                    "emailAddress" => user.email_address = value.text()?,
                    "created" => user.created = value.text()?,
                    "active" => user.active = value.flag()?,
                    "emailAliases" => user.email_aliases = value.texts()?,
                    "trustedEmailAddress" => user.trusted_email_address = value.text()?,
                    "firstName" => user.first_name = value.text()?,
                    "lastName" => user.last_name = value.text()?,
                    "title" => user.title = value.text()?,
                    "phoneNumber" => user.phone_number = value.text()?,
                    "extension" => user.extension = value.text()?,
                    "personalMeetingUrls" => user.personal_meeting_urls = value.texts()?,
                    "settings" => user.settings = value.settings()?,
                    "managerId" => user.manager_id = value.text()?,
                    "meetingConsentPageUrl" => user.meeting_consent_page_url = value.text()?,
                    "spokenLanguages" => user.spoken_languages = value.languages()?,
                    _ => return Ok(false),
                }
                Ok(true)
            },
            unknown: |user| &mut user.unknown,
            expecting: "a user object",
        })
    }
}

impl<'de> Deserialize<'de> for SettingsFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor {
            read: |s: &mut SettingsFields, key, value| {
                let slot = match key {
                    "webConferencesRecorded" => &mut s.web_conferences_recorded,
                    "preventWebConferenceRecording" => &mut s.prevent_web_conference_recording,
                    "telephonyCallsImported" => &mut s.telephony_calls_imported,
                    "emailsImported" => &mut s.emails_imported,
                    "preventEmailImport" => &mut s.prevent_email_import,
                    "nonRecordedMeetingsImported" => &mut s.non_recorded_meetings_imported,
                    "gongConnectEnabled" => &mut s.gong_connect_enabled,
                    _ => return Ok(false),
                };
                *slot = value.flag()?;
                Ok(true)
            },
            unknown: |s| &mut s.unknown,
            expecting: "a settings object",
        })
    }
}

impl<'de> Deserialize<'de> for LanguageFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor {
            read: |l: &mut LanguageFields, key, value| {
                match key {
                    "language" => l.language = value.text()?,
                    "primary" => l.primary = value.flag()?,
                    _ => return Ok(false),
                }
                Ok(true)
            },
            unknown: |l| &mut l.unknown,
            expecting: "a spoken language object",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two decoders accept the same records: every fixture page the generated type decodes,
    /// this one decodes too, to the same values.
    #[test]
    fn it_agrees_with_the_generated_user_on_the_fixtures() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/pages");
        for entry in std::fs::read_dir(folder).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let page: serde_json::Value = serde_json::from_str(&text).unwrap();
            for user in page["users"].as_array().unwrap() {
                let json = user.to_string();
                let typed: gong_users::User = serde_json::from_str(&json).unwrap();
                let fields: UserFields = serde_json::from_str(&json).unwrap();
                assert_eq!(fields.id, typed.id);
                assert_eq!(fields.email_address, typed.email_address);
                assert_eq!(
                    fields.created.as_deref(),
                    typed.created.as_ref().map(|c| c.as_str())
                );
                assert_eq!(fields.active, typed.active);
                assert_eq!(fields.manager_id, typed.manager_id);
                let unknown: Vec<&str> = fields.unknown.iter().map(|(k, _)| k.as_str()).collect();
                let mut typed_unknown: Vec<&str> = typed.extra.keys().map(String::as_str).collect();
                let mut sorted = unknown.clone();
                sorted.sort_unstable();
                typed_unknown.sort_unstable();
                assert_eq!(sorted, typed_unknown);
            }
        }
    }

    #[test]
    fn a_wrong_type_is_refused_as_the_generated_type_refuses_it() {
        for bad in [
            r#"{"active":"yes"}"#,
            r#"{"settings":{"emailsImported":1}}"#,
            r#"[1]"#,
        ] {
            assert!(serde_json::from_str::<UserFields>(bad).is_err(), "{bad}");
            assert!(
                serde_json::from_str::<gong_users::User>(bad).is_err(),
                "{bad}"
            );
        }
    }
}
