//! A user's fields as the table and CSV formats read them, decoded in one pass and borrowed
//! from the page's bytes.
//!
//! The generated `User` keeps unknown fields with `#[serde(flatten)]`, which makes serde buffer
//! every field of every user before decoding it, and it owns every string. In a profile of
//! `list --format csv`, that buffering and the allocations (of values, and of keys) were most of
//! the decode, and the decode most of the run. This decoder reads the same fields in one pass,
//! borrows every string Gong sent without an escape (so a typical user costs no allocation but
//! its lists), and keeps the fields the spec does not know as the JSON text Gong sent, in Gong's
//! order. Its types are the generated `User`'s, field for field, so the two accept the same
//! records; a record this one refuses is decoded again with the generated type, for an error
//! that names the path of the bad value.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Text borrowed from the record's JSON, or owned when Gong escaped something in it.
pub type Text<'a> = Cow<'a, str>;

/// Fields the spec does not know: each key and its value as Gong's JSON text, in order.
pub type Unknown<'a> = Vec<(Text<'a>, &'a RawValue)>;

/// A user, as the table and CSV formats read it.
#[derive(Debug, Default)]
pub struct UserFields<'a> {
    pub id: Option<Text<'a>>,
    pub email_address: Option<Text<'a>>,
    pub created: Option<Text<'a>>,
    pub active: Option<bool>,
    pub email_aliases: Option<Vec<Text<'a>>>,
    pub trusted_email_address: Option<Text<'a>>,
    pub first_name: Option<Text<'a>>,
    pub last_name: Option<Text<'a>>,
    pub title: Option<Text<'a>>,
    pub phone_number: Option<Text<'a>>,
    pub extension: Option<Text<'a>>,
    pub personal_meeting_urls: Option<Vec<Text<'a>>>,
    pub settings: Option<SettingsFields<'a>>,
    pub manager_id: Option<Text<'a>>,
    pub meeting_consent_page_url: Option<Text<'a>>,
    pub spoken_languages: Option<Vec<LanguageFields<'a>>>,
    pub unknown: Unknown<'a>,
}

/// A user's settings.
#[derive(Debug, Default)]
pub struct SettingsFields<'a> {
    pub web_conferences_recorded: Option<bool>,
    pub prevent_web_conference_recording: Option<bool>,
    pub telephony_calls_imported: Option<bool>,
    pub emails_imported: Option<bool>,
    pub prevent_email_import: Option<bool>,
    pub non_recorded_meetings_imported: Option<bool>,
    pub gong_connect_enabled: Option<bool>,
    pub unknown: Unknown<'a>,
}

/// One spoken language.
#[derive(Debug, Default)]
pub struct LanguageFields<'a> {
    pub language: Option<Text<'a>>,
    pub primary: Option<bool>,
    pub unknown: Unknown<'a>,
}

/// A JSON string, borrowed when it holds no escape. (serde's own `Cow<str>` always copies.)
struct Borrowed<'a>(Text<'a>);

impl<'de> Deserialize<'de> for Borrowed<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Borrowed<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Borrowed(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Borrowed(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(Borrowed(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// Reads a JSON object into `T` field by field: `read` takes each key it knows and reads its
/// value, and answers `false` for a key it does not know, which is kept in `unknown`.
struct ObjectVisitor<'de, T> {
    read: fn(&mut T, &str, &mut dyn FieldReader<'de>) -> Result<bool, String>,
    unknown: fn(&mut T) -> &mut Unknown<'de>,
    expecting: &'static str,
}

/// Reads the value of the current key as one of the field types.
trait FieldReader<'de> {
    fn text(&mut self) -> Result<Option<Text<'de>>, String>;
    fn flag(&mut self) -> Result<Option<bool>, String>;
    fn texts(&mut self) -> Result<Option<Vec<Text<'de>>>, String>;
    fn settings(&mut self) -> Result<Option<SettingsFields<'de>>, String>;
    fn languages(&mut self) -> Result<Option<Vec<LanguageFields<'de>>>, String>;
}

struct Reader<'m, M>(&'m mut M);

impl<'de, M: MapAccess<'de>> FieldReader<'de> for Reader<'_, M> {
    fn text(&mut self) -> Result<Option<Text<'de>>, String> {
        let text: Option<Borrowed<'de>> = self.0.next_value().map_err(|e| e.to_string())?;
        Ok(text.map(|text| text.0))
    }
    fn flag(&mut self) -> Result<Option<bool>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
    fn texts(&mut self) -> Result<Option<Vec<Text<'de>>>, String> {
        let texts: Option<Vec<Borrowed<'de>>> = self.0.next_value().map_err(|e| e.to_string())?;
        Ok(texts.map(|texts| texts.into_iter().map(|text| text.0).collect()))
    }
    fn settings(&mut self) -> Result<Option<SettingsFields<'de>>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
    fn languages(&mut self) -> Result<Option<Vec<LanguageFields<'de>>>, String> {
        self.0.next_value().map_err(|e| e.to_string())
    }
}

impl<'de, T: Default> Visitor<'de> for ObjectVisitor<'de, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut value = T::default();
        while let Some(Borrowed(key)) = map.next_key::<Borrowed<'de>>()? {
            let known =
                (self.read)(&mut value, &key, &mut Reader(&mut map)).map_err(de::Error::custom)?;
            if !known {
                let raw: &'de RawValue = map.next_value()?;
                (self.unknown)(&mut value).push((key, raw));
            }
        }
        Ok(value)
    }
}

impl<'de> Deserialize<'de> for UserFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor {
            read: |user: &mut UserFields<'de>, key, value| {
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

impl<'de> Deserialize<'de> for SettingsFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor {
            read: |s: &mut SettingsFields<'de>, key, value| {
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

impl<'de> Deserialize<'de> for LanguageFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor {
            read: |l: &mut LanguageFields<'de>, key, value| {
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
                assert_eq!(fields.id.as_deref(), typed.id.as_deref());
                assert_eq!(
                    fields.email_address.as_deref(),
                    typed.email_address.as_deref()
                );
                assert_eq!(
                    fields.created.as_deref(),
                    typed.created.as_ref().map(|c| c.as_str())
                );
                assert_eq!(fields.active, typed.active);
                assert_eq!(fields.manager_id.as_deref(), typed.manager_id.as_deref());
                let unknown: Vec<&str> = fields.unknown.iter().map(|(k, _)| k.as_ref()).collect();
                let mut typed_unknown: Vec<&str> = typed.extra.keys().map(String::as_str).collect();
                let mut sorted = unknown.clone();
                sorted.sort_unstable();
                typed_unknown.sort_unstable();
                assert_eq!(sorted, typed_unknown);
            }
        }
    }

    /// Plain text is borrowed from the JSON; text Gong escaped is decoded into an owned string.
    #[test]
    fn text_is_borrowed_unless_escaped() {
        let json = r#"{"id":"7","firstName":"Jos\u00e9","title":"a \"b\"","x\u0079":[1]}"#;
        let user: UserFields<'_> = serde_json::from_str(json).unwrap();
        assert!(matches!(user.id, Some(Cow::Borrowed("7"))));
        assert!(matches!(user.first_name.as_deref(), Some("José")));
        assert!(matches!(user.first_name, Some(Cow::Owned(_))));
        assert_eq!(user.title.as_deref(), Some("a \"b\""));
        assert_eq!(user.unknown.len(), 1);
        assert_eq!(user.unknown[0].0, "xy");
        assert_eq!(user.unknown[0].1.get(), "[1]");
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
