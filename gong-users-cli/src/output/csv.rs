//! CSV (RFC 4180): a header and one row a user. Settings become one column each, lists are joined
//! with `;`, and fields Gong sends that the spec does not know go into an `extra` column as JSON,
//! so no field is lost.

use std::io::{self, Write};

use gong_users::{SpokenLanguage, User, UserSettings};

use super::{Record, UserWriter};

/// One CSV column: its heading and how a user's cell is written.
struct Column {
    heading: &'static str,
    cell: fn(&User) -> String,
}

/// The columns, in order: the header and every row come from this one table.
const COLUMNS: &[Column] = &[
    column("id", |u| text(u.id.as_deref())),
    column("emailAddress", |u| text(u.email_address.as_deref())),
    column("created", |u| text(u.created.as_ref().map(|c| c.as_str()))),
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
    column("spokenLanguages", |u| {
        languages(u)
            .iter()
            .filter_map(|l| l.language.as_deref())
            .collect::<Vec<_>>()
            .join(";")
    }),
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

const fn column(heading: &'static str, cell: fn(&User) -> String) -> Column {
    Column { heading, cell }
}

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
            self.out.write_record(COLUMNS.iter().map(|c| c.heading))?;
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

fn setting(user: &User, get: fn(&UserSettings) -> Option<bool>) -> String {
    flag(user.settings.as_ref().and_then(get))
}

fn languages(user: &User) -> &[SpokenLanguage] {
    user.spoken_languages.as_deref().unwrap_or_default()
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

impl<W: Write> UserWriter for Csv<W> {
    fn reads_fields(&self) -> bool {
        true
    }

    fn write_user(&mut self, record: Record<'_>) -> io::Result<()> {
        let user = record.fields()?;
        self.write_header_once()?;
        self.out
            .write_record(COLUMNS.iter().map(|column| (column.cell)(user)))?;
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
