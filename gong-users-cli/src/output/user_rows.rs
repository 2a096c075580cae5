//! How a user is written as a table row and as a CSV row.
//!
//! The table shows what people read (name, email, title, active, manager, created); CSV keeps
//! every field: settings one column each, lists joined with `;`, and fields Gong sends that the
//! spec does not know in an `extra` column as JSON, so no field is lost.

use gong_users::{SpokenLanguage, User, UserSettings};

use super::csv::{Column, CsvRow, flag, json_object, text};
use super::table::TableRow;

impl TableRow for User {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("NAME", 24),
        ("EMAIL", 32),
        ("TITLE", 24),
        ("ACTIVE", 6),
        ("MANAGER", 20),
        ("CREATED", 0),
    ];

    fn cells(&self) -> Vec<String> {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let active = match self.active {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        vec![
            name,
            text(self.email_address.as_deref()),
            text(self.title.as_deref()),
            active.to_owned(),
            text(self.manager_id.as_deref()),
            text(self.created.as_ref().map(|c| c.as_str())),
        ]
    }
}

impl CsvRow for User {
    /// The columns, in order: the header and every row come from this one table.
    const COLUMNS: &'static [Column<Self>] = &[
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
}

const fn column(heading: &'static str, cell: fn(&User) -> String) -> Column<User> {
    Column { heading, cell }
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
    json_object(extra)
}
