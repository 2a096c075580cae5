//! Synthetic users, the same for the same seed: realistic enough to find what a client gets
//! wrong. Names in many scripts, `null`s and missing fields as live Gong sends them, fields the
//! spec does not know, ids past 2^53 and past u64, and every shape of `created`.

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use serde_json::{Map, Value, json};

const FIRST_NAMES: &[&str] = &[
    "Jon",
    "Arya",
    "Zoë",
    "José",
    "Øystein",
    "Łucja",
    "Ngozi",
    "Siobhán",
    "Иван",
    "Мария",
    "Γιώργος",
    "Ελένη",
    "محمد",
    "فاطمة",
    "דוד",
    "שרה",
    "太郎",
    "花子",
    "민준",
    "서연",
    "अर्जुन",
    "प्रिया",
    "สมชาย",
    "伟",
    "芳",
    "Nguyễn",
    "Çağla",
    "Þórunn",
    "Ana-María",
    "D'Arcy",
];
const LAST_NAMES: &[&str] = &[
    "Snow",
    "Stark",
    "Müller",
    "García",
    "Ólafsson",
    "Kowalska",
    "Okafor",
    "O'Brien",
    "Петров",
    "Иванова",
    "Παπαδόπουλος",
    "العلي",
    "כהן",
    "山田",
    "佐藤",
    "김",
    "박",
    "शर्मा",
    "ใจดี",
    "王",
    "李",
    "Trần",
    "Yılmaz",
    "Smith, Jr.",
    "van der Berg",
    "de la Cruz",
];
const TITLES: &[&str] = &[
    "Account Executive",
    "Enterprise Account Executive",
    "Sales Development Representative",
    "VP Sales, EMEA",
    "Customer Success Manager",
    "RevOps \"Data\" Lead",
    "営業部長",
    "Directeur commercial",
];
const LANGUAGES: &[&str] = &[
    "en-US", "en-GB", "es-ES", "fr-FR", "de-DE", "ja-JP", "he-IL", "pt-BR",
];

/// `count` regular users and `avatars` avatars (Gong's staff), ids ascending.
pub(crate) fn generate(count: usize, avatars: usize, seed: u64) -> (Vec<Value>, Vec<Value>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let ids: Vec<String> = (0..count + avatars)
        .map(|index| user_id(index, &mut rng))
        .collect();
    let users = (0..count)
        .map(|index| regular_user(index, &ids, &mut rng))
        .collect();
    let avatars = (0..avatars)
        .map(|index| avatar(index, &ids[count + index], &mut rng))
        .collect();
    (users, avatars)
}

/// Makes `changes` changes to `users`, drawn from `seed`, in turn: a title updated, a user
/// deactivated, a user removed, a user added (with a new id).
pub(crate) fn churn(users: &mut Vec<Value>, changes: usize, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for change in 0..changes {
        if users.is_empty() {
            break;
        }
        let index = rng.random_range(0..users.len());
        match change % 4 {
            0 => users[index]["title"] = json!(format!("{} (promoted)", pick(&mut rng, TITLES))),
            1 => users[index]["active"] = json!(false),
            2 => {
                users.remove(index);
            }
            _ => {
                let mut user = users[index].clone();
                let id = 5_000_000_000_000_000u64 + rng.random_range(0..1_000_000_000_000u64);
                user["id"] = json!(id.to_string());
                user["emailAddress"] = json!(format!("new{id}@example.com"));
                users.push(user);
            }
        }
    }
}

/// Ids of 15 to 20 digits: some past 2^53 (9007199254740992), some past u64::MAX.
fn user_id(index: usize, rng: &mut StdRng) -> String {
    match index % 4 {
        0 => format!("{}", 234_599_484_848_423u64 + index as u64 * 7_919),
        1 => format!("{}", 9_007_199_254_740_993u64 + index as u64 * 104_729),
        2 => format!("{}", 7_782_342_274_025_937_895u64 + index as u64),
        _ => format!(
            "9{:019}",
            rng.random_range(0..10u64.pow(18)) * 10 + (index as u64 % 10)
        ),
    }
}

fn created(index: usize, rng: &mut StdRng) -> String {
    let (year, month, day) = (2016 + index % 10, 1 + index % 12, 1 + index % 28);
    let (hour, minute, second) = (
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60),
    );
    let base = format!("{year}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    match index % 5 {
        0 => format!("{base}Z"),
        1 => format!("{base}-07:00"),
        2 => format!("{base}.{:03}-07:00", rng.random_range(0..1000)),
        3 => format!("{base}.{:06}+05:30", rng.random_range(0..1_000_000)),
        _ => format!("{base}.{:03}Z", rng.random_range(0..1000)),
    }
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn regular_user(index: usize, ids: &[String], rng: &mut StdRng) -> Value {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let email = format!("user{index}@example.com");
    let mut user = Map::new();
    user.insert("id".into(), json!(ids[index]));
    user.insert("emailAddress".into(), json!(email));
    user.insert("created".into(), json!(created(index, rng)));
    user.insert("active".into(), json!(!index.is_multiple_of(9)));
    user.insert(
        "emailAliases".into(),
        if index.is_multiple_of(3) {
            json!([format!("alias{index}@example.com")])
        } else {
            json!([])
        },
    );
    user.insert(
        "trustedEmailAddress".into(),
        if index.is_multiple_of(2) {
            json!(email)
        } else {
            Value::Null
        },
    );
    user.insert("firstName".into(), json!(first));
    user.insert("lastName".into(), json!(last));
    user.insert(
        "title".into(),
        if index % 4 == 3 {
            Value::Null
        } else {
            json!(pick(rng, TITLES))
        },
    );
    user.insert(
        "phoneNumber".into(),
        if index % 3 == 1 {
            json!(format!("+1 555-01{:02}", index % 100))
        } else {
            Value::Null
        },
    );
    user.insert(
        "extension".into(),
        if index % 6 == 1 {
            json!("123")
        } else {
            Value::Null
        },
    );
    user.insert(
        "personalMeetingUrls".into(),
        if index % 2 == 1 {
            json!([format!("https://zoom.us/j/{}", 1000 + index)])
        } else {
            json!([])
        },
    );
    user.insert("settings".into(), settings(rng));
    user.insert(
        "managerId".into(),
        if index == 0 || index.is_multiple_of(5) {
            Value::Null
        } else {
            json!(ids[index / 5 * 5])
        },
    );
    user.insert(
        "meetingConsentPageUrl".into(),
        if index.is_multiple_of(2) {
            json!(format!("https://join.gong.io/example/user{index}"))
        } else {
            Value::Null
        },
    );
    let primary = pick(rng, LANGUAGES);
    let mut languages = vec![json!({"language": primary, "primary": true})];
    if index.is_multiple_of(4) {
        languages.push(json!({"language": pick(rng, LANGUAGES), "primary": false}));
    }
    user.insert("spokenLanguages".into(), Value::Array(languages));
    // An undocumented field live Gong sends, and one more Gong might add.
    user.insert("conferencingProviders".into(), Value::Null);
    if index.is_multiple_of(7) {
        user.insert("workspaceIds".into(), json!([format!("ws-{}", index % 3)]));
    }
    // Some records lack fields altogether, as other clients met.
    match index % 11 {
        4 => drop(user.remove("created")),
        5 => drop(user.remove("active")),
        6 => {
            user.remove("title");
            user.remove("phoneNumber");
            user.remove("settings");
        }
        7 => drop(user.remove("lastName")),
        _ => {}
    }
    Value::Object(user)
}

fn settings(rng: &mut StdRng) -> Value {
    json!({
        "webConferencesRecorded": rng.random_bool(0.8),
        "preventWebConferenceRecording": rng.random_bool(0.1),
        "telephonyCallsImported": rng.random_bool(0.3),
        "emailsImported": rng.random_bool(0.7),
        "preventEmailImport": rng.random_bool(0.1),
        "nonRecordedMeetingsImported": rng.random_bool(0.5),
        "gongConnectEnabled": rng.random_bool(0.6),
    })
}

fn avatar(index: usize, id: &str, rng: &mut StdRng) -> Value {
    json!({
        "id": id,
        "emailAddress": format!("support+{index}@gong.io"),
        "created": created(index, rng),
        "active": true,
        "emailAliases": [],
        "trustedEmailAddress": null,
        "firstName": "Gong",
        "lastName": format!("Support {}", index + 1),
        "title": "Gong Customer Success (avatar)",
        "phoneNumber": null,
        "extension": null,
        "personalMeetingUrls": [],
        "settings": settings(rng),
        "managerId": null,
        "meetingConsentPageUrl": null,
        "spokenLanguages": [{"language": "en-US", "primary": true}],
        "conferencingProviders": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_users() {
        assert_eq!(generate(50, 3, 7), generate(50, 3, 7));
        assert_ne!(generate(50, 3, 7).0, generate(50, 3, 8).0);
    }

    #[test]
    fn ids_are_unique_and_some_pass_u64() {
        let (users, avatars) = generate(400, 5, 1);
        let ids: std::collections::HashSet<&str> = users
            .iter()
            .chain(&avatars)
            .map(|u| u["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 405);
        assert!(
            ids.iter().any(|id| id.parse::<u64>().is_err()),
            "some id must exceed u64"
        );
        assert!(
            ids.iter()
                .any(|id| id.parse::<u64>().is_ok_and(|n| n > 1 << 53))
        );
    }

    #[test]
    fn every_user_decodes_with_the_generated_types() {
        let (users, avatars) = generate(200, 5, 3);
        for user in users.iter().chain(&avatars) {
            let decoded: gong_users::User =
                serde_json::from_value(user.clone()).expect("a synthetic user decodes");
            assert!(decoded.extra.contains_key("conferencingProviders"));
        }
    }
}
