//! Records compared as JSON values: the same user sent with its keys in another order, other
//! spacing or another spelling of a number is the same version. Each record is kept as Gong sent
//! it; beside it, a hash of its canonical form (keys sorted, no spaces, numbers as parsed).

use sha2::{Digest as _, Sha256};

/// The SHA-256 (hex) of `json`'s canonical form, and `active` as Gong sent it (when a boolean).
pub(crate) fn canonical_hash(json: &str) -> (String, Option<bool>) {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(value) => {
            // serde_json's map is ordered by key (no `preserve_order`): `to_string` sorts keys.
            let canonical = value.to_string();
            (
                hex(&Sha256::digest(canonical.as_bytes())),
                value["active"].as_bool(),
            )
        }
        Err(_) => (hex(&Sha256::digest(json.as_bytes())), None),
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
        let a = canonical_hash(r#"{"id":"1","active":true,"n":1.50}"#);
        let b = canonical_hash(r#"{ "n": 1.5, "active": true, "id": "1" }"#);
        assert_eq!(a, b);
        assert_eq!(a.1, Some(true));
        assert_ne!(
            a.0,
            canonical_hash(r#"{"id":"1","active":false,"n":1.5}"#).0
        );
    }
}
