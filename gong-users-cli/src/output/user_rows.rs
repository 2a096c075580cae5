//! How a user is written as a table row and as a CSV row.
//!
//! The table shows what people read (name, email, title, active, manager, created); CSV keeps
//! every field: settings one column each, lists joined with `;`, and fields Gong sends that the
//! spec does not know in an `extra` column as JSON, so no field is lost.

use super::user_fields::{LanguageFields, SettingsFields, Unknown, UserFields as User};

use std::borrow::Cow;

use super::csv::{Column, CsvRow, flag, text};
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

    fn cells(&self) -> Vec<Cow<'_, str>> {
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
            Cow::Owned(name),
            text(self.email_address.as_deref()),
            text(self.title.as_deref()),
            Cow::Borrowed(active),
            text(self.manager_id.as_deref()),
            text(self.created.as_deref()),
        ]
    }
}

impl CsvRow for User {
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

const fn column(heading: &'static str, cell: fn(&User) -> Cow<'_, str>) -> Column<User> {
    Column { heading, cell }
}

fn joined(values: Option<&Vec<String>>) -> Cow<'_, str> {
    match values.map(Vec::as_slice) {
        None | Some([]) => Cow::Borrowed(""),
        Some([one]) => Cow::Borrowed(one),
        Some(many) => Cow::Owned(many.join(";")),
    }
}

/// The languages joined with `;` (borrowed when there is one).
fn spoken_languages(user: &User) -> Cow<'_, str> {
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

fn setting(user: &User, get: fn(&SettingsFields) -> Option<bool>) -> Cow<'static, str> {
    flag(user.settings.as_ref().and_then(get))
}

fn languages(user: &User) -> &[LanguageFields] {
    user.spoken_languages.as_deref().unwrap_or_default()
}

/// The fields of the user and of its nested records that the spec does not know, as one JSON
/// object with their values as Gong sent them; empty when there are none.
fn extra(user: &User) -> Cow<'static, str> {
    let mut members = Vec::new();
    for (key, value) in &user.unknown {
        members.push(member(key, value.get()));
    }
    if let Some(settings) = user.settings.as_ref().filter(|s| !s.unknown.is_empty()) {
        members.push(member("settings", &object(&settings.unknown)));
    }
    let languages = languages(user);
    if languages.iter().any(|l| !l.unknown.is_empty()) {
        let list: Vec<String> = languages.iter().map(|l| object(&l.unknown)).collect();
        members.push(member("spokenLanguages", &format!("[{}]", list.join(","))));
    }
    if members.is_empty() {
        Cow::Borrowed("")
    } else {
        Cow::Owned(format!("{{{}}}", members.join(",")))
    }
}

fn object(unknown: &Unknown) -> String {
    let members: Vec<String> = unknown.iter().map(|(k, v)| member(k, v.get())).collect();
    format!("{{{}}}", members.join(","))
}

fn member(key: &str, json: &str) -> String {
    format!("{}:{json}", serde_json::Value::from(key))
}
