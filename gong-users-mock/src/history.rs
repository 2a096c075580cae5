//! Synthetic settings histories: a few changes a user, oldest first, the same for the same user
//! and seed. Documented settings, one Gong has not documented yet (`aiSummariesEnabled`), keys
//! the spec does not know (`changedBy`), and for an inactive user the `active: false` that says
//! when it was deactivated.

use std::hash::{Hash as _, Hasher as _};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Value, json};

const SETTINGS: &[&str] = &[
    "webConferencesRecorded",
    "preventWebConferenceRecording",
    "emailsImported",
    "preventEmailImport",
    "nonRecordedMeetingsImported",
    "gongConnectEnabled",
    "callsImported",
    "interviewsRecorded",
    "preventInterviewRecording",
];

/// A setting Gong sends but does not document: a client must keep it, not fail on it.
pub(crate) const UNDOCUMENTED_SETTING: &str = "aiSummariesEnabled";

/// The settings history of `user`, as the JSON array Gong sends.
pub(crate) fn settings_history(user: &Value, seed: u64) -> Value {
    let id = user["id"].as_str().unwrap_or_default();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (id, seed).hash(&mut hasher);
    let mut rng = StdRng::seed_from_u64(hasher.finish());
    let mut changes = Vec::new();
    let year = 2024 + rng.random_range(0..2);
    for month in 1..=rng.random_range(2..6u32) {
        let setting = SETTINGS[rng.random_range(0..SETTINGS.len())];
        changes.push(json!({
            "setting": setting,
            "value": rng.random_bool(0.5),
            "time": format!("{year}-{month:02}-{:02}T{:02}:00:00-07:00", rng.random_range(1..28), rng.random_range(0..24)),
        }));
    }
    changes.push(json!({
        "setting": UNDOCUMENTED_SETTING,
        "value": true,
        "time": format!("{year}-07-01T09:30:00.125Z"),
        "changedBy": "712341234123412341",
    }));
    if user["active"] == json!(false) {
        changes.push(json!({
            "setting": "active",
            "value": false,
            "time": format!("{year}-09-15T17:00:00+02:00"),
        }));
    }
    Value::Array(changes)
}
