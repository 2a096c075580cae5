//! CSV (RFC 4180): a header and one row a user. Settings become one column each, lists are joined
//! with `;`, and fields Gong sends that the spec does not know go into an `extra` column as JSON,
//! so no field is lost.

use std::io::{self, Write};

use gong_users::User;

use super::TypedWriter;

const HEADER: [&str; 24] = [
    "id",
    "emailAddress",
    "created",
    "active",
    "emailAliases",
    "trustedEmailAddress",
    "firstName",
    "lastName",
    "title",
    "phoneNumber",
    "extension",
    "personalMeetingUrls",
    "settings.webConferencesRecorded",
    "settings.preventWebConferenceRecording",
    "settings.telephonyCallsImported",
    "settings.emailsImported",
    "settings.preventEmailImport",
    "settings.nonRecordedMeetingsImported",
    "settings.gongConnectEnabled",
    "managerId",
    "meetingConsentPageUrl",
    "spokenLanguages",
    "primaryLanguage",
    "extra",
];

pub struct Csv<W: Write> {
    out: csv::Writer<W>,
    header_written: bool,
}

impl<W: Write> Csv<W> {
    pub fn new(out: W) -> Self {
        Self {
            out: csv::Writer::from_writer(out),
            header_written: false,
        }
    }

    fn write_header_once(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.out.write_record(HEADER)?;
            self.header_written = true;
        }
        Ok(())
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn flag(value: Option<bool>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn joined(values: Option<&Vec<String>>) -> String {
    values.map(|v| v.join(";")).unwrap_or_default()
}

/// The unknown fields of the user and of its nested records, as one JSON object; empty when
/// there are none.
fn extra(user: &User) -> String {
    let mut extra = user.extra.clone();
    if let Some(settings) = user.settings.as_ref().filter(|s| !s.extra.is_empty()) {
        extra.insert(
            "settings".into(),
            serde_json::Value::Object(settings.extra.clone()),
        );
    }
    let languages: Vec<_> = user
        .spoken_languages
        .iter()
        .flatten()
        .map(|l| serde_json::Value::Object(l.extra.clone()))
        .collect();
    if languages
        .iter()
        .any(|l| l.as_object().is_some_and(|o| !o.is_empty()))
    {
        extra.insert(
            "spokenLanguages".into(),
            serde_json::Value::Array(languages),
        );
    }
    if extra.is_empty() {
        String::new()
    } else {
        serde_json::Value::Object(extra).to_string()
    }
}

impl<W: Write> TypedWriter for Csv<W> {
    fn write_user(&mut self, user: &User) -> io::Result<()> {
        self.write_header_once()?;
        let settings = user.settings.as_ref();
        let setting =
            |get: fn(&gong_users::UserSettings) -> Option<bool>| flag(settings.and_then(get));
        let languages = user.spoken_languages.as_deref().unwrap_or_default();
        let row: [String; 24] = [
            text(user.id.as_deref()),
            text(user.email_address.as_deref()),
            user.created
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            flag(user.active),
            joined(user.email_aliases.as_ref()),
            text(user.trusted_email_address.as_deref()),
            text(user.first_name.as_deref()),
            text(user.last_name.as_deref()),
            text(user.title.as_deref()),
            text(user.phone_number.as_deref()),
            text(user.extension.as_deref()),
            joined(user.personal_meeting_urls.as_ref()),
            setting(|s| s.web_conferences_recorded),
            setting(|s| s.prevent_web_conference_recording),
            setting(|s| s.telephony_calls_imported),
            setting(|s| s.emails_imported),
            setting(|s| s.prevent_email_import),
            setting(|s| s.non_recorded_meetings_imported),
            setting(|s| s.gong_connect_enabled),
            text(user.manager_id.as_deref()),
            text(user.meeting_consent_page_url.as_deref()),
            languages
                .iter()
                .filter_map(|l| l.language.as_deref())
                .collect::<Vec<_>>()
                .join(";"),
            text(
                languages
                    .iter()
                    .find(|l| l.primary == Some(true))
                    .and_then(|l| l.language.as_deref()),
            ),
            extra(user),
        ];
        self.out.write_record(&row)?;
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.write_header_once()?;
        self.out.flush()
    }
}
