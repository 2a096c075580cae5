//! The baseline the CLI is measured against: what a developer writes by hand in an afternoon.
//! reqwest, plain serde structs for every documented field, one page after another, each user
//! written to stdout as a JSON line.
//!
//! `baseline-loop BASE_URL > /dev/null`

use std::io::{BufWriter, Write as _};

use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Page {
    #[serde(rename = "requestId")]
    _request_id: Option<String>,
    records: Option<Records>,
    #[serde(default)]
    users: Vec<User>,
}

#[derive(Deserialize)]
struct Records {
    cursor: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct User {
    id: Option<String>,
    email_address: Option<String>,
    created: Option<String>,
    active: Option<bool>,
    email_aliases: Option<Vec<String>>,
    trusted_email_address: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    title: Option<String>,
    phone_number: Option<String>,
    extension: Option<String>,
    personal_meeting_urls: Option<Vec<String>>,
    settings: Option<Settings>,
    manager_id: Option<String>,
    meeting_consent_page_url: Option<String>,
    spoken_languages: Option<Vec<Language>>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    web_conferences_recorded: Option<bool>,
    prevent_web_conference_recording: Option<bool>,
    telephony_calls_imported: Option<bool>,
    emails_imported: Option<bool>,
    prevent_email_import: Option<bool>,
    non_recorded_meetings_imported: Option<bool>,
    gong_connect_enabled: Option<bool>,
}

#[derive(Deserialize, Serialize)]
struct Language {
    language: Option<String>,
    primary: Option<bool>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args()
        .nth(1)
        .ok_or("usage: baseline-loop BASE_URL")?;
    // The workspace builds reqwest without a default TLS provider (gong-users brings its own).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut cursor: Option<String> = None;
    loop {
        let mut request = http.get(format!("{base}/v2/users")).bearer_auth("baseline");
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let bytes = request.send().await?.error_for_status()?.bytes().await?;
        let page: Page = serde_json::from_slice(&bytes)?;
        for user in &page.users {
            serde_json::to_writer(&mut out, user)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        cursor = page.records.and_then(|r| r.cursor);
        if cursor.is_none() {
            return Ok(());
        }
    }
}
