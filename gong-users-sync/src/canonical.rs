//! Records compared as JSON values: the same user sent with its keys in another order, other
//! spacing or another spelling of a number is the same version. Each record is kept as Gong sent
//! it; beside it, a hash of its canonical form (keys sorted, no spaces, numbers as parsed).

use sha2::{Digest as _, Sha256};

/// A user ready for the staging table: what the tables index, read once.
pub(crate) struct Staged<'a> {
    pub(crate) id: Option<String>,
    pub(crate) email_address: Option<String>,
    pub(crate) active: Option<bool>,
    /// The user as Gong sent it.
    pub(crate) record: &'a str,
    /// SHA-256 (hex) of its canonical form.
    pub(crate) record_hash: String,
}

impl<'a> Staged<'a> {
    pub(crate) fn new(record: &'a str) -> Self {
        let value = serde_json::from_str::<serde_json::Value>(record).unwrap_or_default();
        // serde_json's map is ordered by key (no `preserve_order`): `to_string` sorts keys.
        let canonical = value.to_string();
        let text = |key: &str| value[key].as_str().map(str::to_owned);
        Self {
            id: text("id"),
            email_address: text("emailAddress"),
            active: value["active"].as_bool(),
            record,
            record_hash: hex(&Sha256::digest(canonical.as_bytes())),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_spacing_and_number_spelling_do_not_matter() {
        let a = Staged::new(r#"{"id":"1","active":true,"n":1.50}"#);
        let b = Staged::new(r#"{ "n": 1.5, "active": true, "id": "1" }"#);
        assert_eq!(a.record_hash, b.record_hash);
        assert_eq!((a.id.as_deref(), a.active), (Some("1"), Some(true)));
        let c = Staged::new(r#"{"id":"1","active":false,"n":1.5}"#);
        assert_ne!(a.record_hash, c.record_hash);
    }
}
