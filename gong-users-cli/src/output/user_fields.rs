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
use std::marker::PhantomData;

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

/// A JSON object read field by field: each key the type knows is read into its field, and any
/// other is kept in `unknown` with its value as Gong sent it.
trait Object<'de>: Default {
    const EXPECTING: &'static str;
    /// Reads the value of `key` into its field; `false` when the type does not know the key.
    fn read<M: MapAccess<'de>>(&mut self, key: &str, value: Value<'_, M>)
    -> Result<bool, M::Error>;
    fn unknown(&mut self) -> &mut Unknown<'de>;
}

/// The value of the current key, read as one of the field types.
struct Value<'m, M>(&'m mut M);

impl<'de, M: MapAccess<'de>> Value<'_, M> {
    fn text(self) -> Result<Option<Text<'de>>, M::Error> {
        let text: Option<Borrowed<'de>> = self.0.next_value()?;
        Ok(text.map(|text| text.0))
    }
    fn texts(self) -> Result<Option<Vec<Text<'de>>>, M::Error> {
        let texts: Option<Vec<Borrowed<'de>>> = self.0.next_value()?;
        Ok(texts.map(|texts| texts.into_iter().map(|text| text.0).collect()))
    }
    /// Any other field type (flags, nested objects).
    fn read<T: Deserialize<'de>>(self) -> Result<T, M::Error> {
        self.0.next_value()
    }
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut object = T::default();
        while let Some(Borrowed(key)) = map.next_key::<Borrowed<'de>>()? {
            if !object.read(&key, Value(&mut map))? {
                let raw: &'de RawValue = map.next_value()?;
                object.unknown().push((key, raw));
            }
        }
        Ok(object)
    }
}

/// `Deserialize` for an [`Object`], through [`ObjectVisitor`].
macro_rules! deserialize_object {
    ($($object:ident),+) => {$(
        impl<'de> Deserialize<'de> for $object<'de> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map(ObjectVisitor(PhantomData))
            }
        }
    )+};
}

deserialize_object!(UserFields, SettingsFields, LanguageFields);

impl<'de> Object<'de> for UserFields<'de> {
    const EXPECTING: &'static str = "a user object";

    fn read<M: MapAccess<'de>>(
        &mut self,
        key: &str,
        value: Value<'_, M>,
    ) -> Result<bool, M::Error> {
        match key {
            "id" => self.id = value.text()?,
            "emailAddress" => self.email_address = value.text()?,
            "created" => self.created = value.text()?,
            "active" => self.active = value.read()?,
            "emailAliases" => self.email_aliases = value.texts()?,
            "trustedEmailAddress" => self.trusted_email_address = value.text()?,
            "firstName" => self.first_name = value.text()?,
            "lastName" => self.last_name = value.text()?,
            "title" => self.title = value.text()?,
            "phoneNumber" => self.phone_number = value.text()?,
            "extension" => self.extension = value.text()?,
            "personalMeetingUrls" => self.personal_meeting_urls = value.texts()?,
            "settings" => self.settings = value.read()?,
            "managerId" => self.manager_id = value.text()?,
            "meetingConsentPageUrl" => self.meeting_consent_page_url = value.text()?,
            "spokenLanguages" => self.spoken_languages = value.read()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn unknown(&mut self) -> &mut Unknown<'de> {
        &mut self.unknown
    }
}

impl<'de> Object<'de> for SettingsFields<'de> {
    const EXPECTING: &'static str = "a settings object";

    fn read<M: MapAccess<'de>>(
        &mut self,
        key: &str,
        value: Value<'_, M>,
    ) -> Result<bool, M::Error> {
        let flag = match key {
            "webConferencesRecorded" => &mut self.web_conferences_recorded,
            "preventWebConferenceRecording" => &mut self.prevent_web_conference_recording,
            "telephonyCallsImported" => &mut self.telephony_calls_imported,
            "emailsImported" => &mut self.emails_imported,
            "preventEmailImport" => &mut self.prevent_email_import,
            "nonRecordedMeetingsImported" => &mut self.non_recorded_meetings_imported,
            "gongConnectEnabled" => &mut self.gong_connect_enabled,
            _ => return Ok(false),
        };
        *flag = value.read()?;
        Ok(true)
    }

    fn unknown(&mut self) -> &mut Unknown<'de> {
        &mut self.unknown
    }
}

impl<'de> Object<'de> for LanguageFields<'de> {
    const EXPECTING: &'static str = "a spoken language object";

    fn read<M: MapAccess<'de>>(
        &mut self,
        key: &str,
        value: Value<'_, M>,
    ) -> Result<bool, M::Error> {
        match key {
            "language" => self.language = value.text()?,
            "primary" => self.primary = value.read()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn unknown(&mut self) -> &mut Unknown<'de> {
        &mut self.unknown
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
