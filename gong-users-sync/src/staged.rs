//! A page's users as the staging table takes them: the id and hashes of every user, and the
//! record of each user that is new or changed. What the database holds already (the current
//! users' hashes, read when the run starts) decides which records are worth writing: a re-sync
//! writes almost none.

use std::collections::HashMap;

use gong_users::RawUser;

use crate::canonical;

/// A current (not deleted) user's hashes, as the database holds them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Current {
    /// The XXH3-64 of the bytes last seen; `None` when not known (a migrated database).
    pub(crate) raw_hash: Option<u64>,
    /// The XXH3-128 of the canonical form of the current version; `None` when the database
    /// holds something else there (the user is then compared in SQL, and found changed).
    pub(crate) record_hash: Option<u128>,
}

impl Current {
    /// The hashes as the tables keep them: the raw hash's bits as a signed 64-bit integer, the
    /// record hash as hex.
    pub(crate) fn from_stored(raw_hash: Option<i64>, record_hash: &str) -> Self {
        Self {
            raw_hash: raw_hash.map(|hash| hash as u64),
            record_hash: canonical::from_hex(record_hash),
        }
    }
}

/// Every current user's hashes, by id.
pub(crate) type Known = HashMap<Box<str>, Current>;

/// One user of the listing, for the staging table.
#[derive(Debug)]
pub(crate) struct Staged {
    pub(crate) id: String,
    pub(crate) raw_hash: u64,
    pub(crate) record_hash: u128,
    pub(crate) kind: Kind,
}

/// What the database holds of a user, and so what to write.
#[derive(Debug)]
pub(crate) enum Kind {
    /// Not a current user (never seen, or deleted): nothing to compare with; its state and
    /// `created` version are written as the page arrives.
    New(Record),
    /// A current user whose canonical form differs: staged with its record, for the diff.
    Differs(Record),
    /// A current user whose canonical form is the current version's: staged without its
    /// record. `new_bytes` when the bytes differ from those last seen (keys reordered, say).
    Same { new_bytes: bool },
}

/// A record to write, with the fields the tables index.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) record: RawUser,
    pub(crate) email_address: Option<String>,
    pub(crate) active: Option<bool>,
}

/// Stages `users`: a user whose bytes hash as last time is the same without a parse; others are
/// read once (canonical hash and indexed fields). Users without an id cannot be kept: left out,
/// with a warning.
pub(crate) fn stage(users: Vec<RawUser>, known: &Known) -> Vec<Staged> {
    let mut buffer = Vec::with_capacity(4096);
    let mut staged: Vec<Staged> = Vec::with_capacity(users.len());
    for user in users {
        let Some(id) = user.id() else {
            tracing::warn!("a user without an id cannot be kept; left out");
            continue;
        };
        let raw_hash = canonical::raw_hash(user.as_str());
        let current = known.get(id.as_str());
        let same_bytes = current.filter(|c| c.raw_hash == Some(raw_hash));
        if let Some(record_hash) = same_bytes.and_then(|c| c.record_hash) {
            let kind = Kind::Same { new_bytes: false };
            staged.push(Staged {
                id,
                raw_hash,
                record_hash,
                kind,
            });
            continue;
        }
        let read = canonical::read(user.as_str(), &mut buffer);
        let record = || Record {
            record: user,
            email_address: read.email_address,
            active: read.active,
        };
        let kind = match current {
            None => Kind::New(record()),
            Some(current) if current.record_hash == Some(read.record_hash) => {
                Kind::Same { new_bytes: true }
            }
            Some(_) => Kind::Differs(record()),
        };
        let record_hash = read.record_hash;
        staged.push(Staged {
            id,
            raw_hash,
            record_hash,
            kind,
        });
    }
    staged
}

/// Drops all but the last of users listed twice (rare: a listing whose pages shifted): the
/// statements that write a batch touch each user once.
pub(crate) fn keep_last_of_each_id(staged: &mut Vec<Staged>) {
    // The ids borrowed, not copied: this runs for every page, on the thread that writes.
    let kept: Vec<bool> = {
        let mut last = std::collections::HashMap::with_capacity(staged.len());
        for (index, user) in staged.iter().enumerate() {
            last.insert(user.id.as_str(), index);
        }
        if last.len() == staged.len() {
            return;
        }
        (0..staged.len())
            .map(|index| last.get(staged[index].id.as_str()) == Some(&index))
            .collect()
    };
    let mut kept = kept.into_iter();
    staged.retain(|_| kept.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use gong_users::Page;

    use super::*;

    fn users(json: &str) -> Vec<RawUser> {
        Page::<RawUser>::from_bytes(format!(r#"{{"users":[{json}]}}"#).into_bytes())
            .expect("a page")
            .into_users()
    }

    #[test]
    fn only_new_and_changed_users_carry_their_record() {
        let first = stage(
            users(r#"{"id":"1","active":true},{"id":"2","active":true},{"active":true}"#),
            &Known::new(),
        );
        assert_eq!(first.len(), 2, "the user without an id is left out");
        assert!(first.iter().all(|user| matches!(user.kind, Kind::New(_))));
        let known: Known = first
            .iter()
            .map(|user| {
                let current = Current {
                    raw_hash: Some(user.raw_hash),
                    record_hash: Some(user.record_hash),
                };
                (user.id.clone().into_boxed_str(), current)
            })
            .collect();
        // 1: the same bytes; 2: the same value, keys reordered; 3: new.
        let again = stage(
            users(r#"{"id":"1","active":true},{"active":true, "id":"2"},{"id":"3"}"#),
            &known,
        );
        assert!(matches!(again[0].kind, Kind::Same { new_bytes: false }));
        assert!(matches!(again[1].kind, Kind::Same { new_bytes: true }));
        assert!(matches!(again[2].kind, Kind::New(_)));
        assert_eq!(again[1].record_hash, first[1].record_hash);
        assert_ne!(again[1].raw_hash, first[1].raw_hash);
        let deactivated = stage(users(r#"{"id":"1","active":false}"#), &known);
        let Kind::Differs(record) = &deactivated[0].kind else {
            panic!("{:?} is not Differs", deactivated[0].kind)
        };
        assert_eq!(record.active, Some(false));
    }

    #[test]
    fn an_unknown_raw_hash_falls_back_to_the_canonical_one() {
        let user = &stage(users(r#"{"id":"1"}"#), &Known::new())[0];
        let known = Known::from([(
            "1".into(),
            Current {
                raw_hash: None,
                record_hash: Some(user.record_hash),
            },
        )]);
        let same = &stage(users(r#"{ "id" : "1" }"#), &known)[0];
        assert!(matches!(same.kind, Kind::Same { new_bytes: true }));
    }

    #[test]
    fn a_current_user_whose_stored_hash_is_unreadable_differs() {
        let user = &stage(users(r#"{"id":"1"}"#), &Known::new())[0];
        let unreadable = Current {
            raw_hash: Some(user.raw_hash),
            record_hash: None,
        };
        let known = Known::from([("1".into(), unreadable)]);
        assert!(matches!(
            stage(users(r#"{"id":"1"}"#), &known)[0].kind,
            Kind::Differs(_)
        ));
    }

    #[test]
    fn a_user_listed_twice_counts_once_as_listed_last() {
        let mut page = stage(
            users(r#"{"id":"1","n":1},{"id":"2"},{"id":"1","n":2}"#),
            &Known::new(),
        );
        keep_last_of_each_id(&mut page);
        let ids: Vec<&str> = page.iter().map(|user| user.id.as_str()).collect();
        assert_eq!(ids, ["2", "1"]);
        let Kind::New(record) = &page[1].kind else {
            panic!("{:?} is not New", page[1].kind)
        };
        assert_eq!(record.record.as_str(), r#"{"id":"1","n":2}"#);
    }
}
