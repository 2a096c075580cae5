//! Records compared as JSON values: the same user sent with its keys in another order, other
//! spacing or another spelling of a number is the same version. Each record is kept as Gong sent
//! it; beside it, a hash of its canonical form (keys sorted, no spaces, numbers as parsed):
//! XXH3-128, a stable, fast hash made to detect change (not to resist an attacker: nobody gains
//! by making two versions of a Gong user collide).

use serde::de;
use serde_json::value::RawValue;
use xxhash_rust::xxh3::Xxh3;

/// A user ready for the staging table: what the tables index, read once.
pub(crate) struct Staged<'a> {
    pub(crate) id: Option<String>,
    pub(crate) email_address: Option<String>,
    pub(crate) active: Option<bool>,
    /// The user as Gong sent it.
    pub(crate) record: &'a str,
    /// XXH3-128 (hex) of its canonical form.
    pub(crate) record_hash: String,
}

impl<'a> Staged<'a> {
    pub(crate) fn new(record: &'a str) -> Self {
        #[derive(serde::Deserialize)]
        struct Indexed {
            id: Option<String>,
            #[serde(rename = "emailAddress")]
            email_address: Option<serde_json::Value>,
            active: Option<serde_json::Value>,
        }
        let indexed: Option<Indexed> = serde_json::from_str(record).ok();
        let (id, email_address, active) = match indexed {
            Some(indexed) => (
                indexed.id,
                indexed
                    .email_address
                    .and_then(|v| v.as_str().map(str::to_owned)),
                indexed.active.and_then(|v| v.as_bool()),
            ),
            None => (None, None, None),
        };
        let mut hasher = Xxh3::new();
        let mut deserializer = serde_json::Deserializer::from_str(record);
        if de::DeserializeSeed::deserialize(Canonical(&mut hasher), &mut deserializer).is_err() {
            hasher = Xxh3::new();
            hasher.update(record.as_bytes());
        }
        Self {
            id,
            email_address,
            active,
            record,
            record_hash: format!("{:032x}", hasher.digest128()),
        }
    }
}

/// Feeds a JSON value into a hasher in canonical form, without building it: object members in
/// key order, strings as their decoded text, numbers as parsed, whatever the spacing. (Parsing
/// into a `serde_json::Value` and printing it did the same at four times the cost.)
struct Canonical<'h>(&'h mut Xxh3);

impl<'de> de::DeserializeSeed<'de> for Canonical<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for Canonical<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.0.update(if value { b"t" } else { b"f" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        self.0.update(format!("i{value};").as_bytes());
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        self.0.update(format!("i{value};").as_bytes());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        self.0.update(format!("d{value};").as_bytes());
        Ok(())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        self.0.update(b"s");
        self.0.update(&(value.len() as u64).to_le_bytes());
        self.0.update(value.as_bytes());
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.update(b"n");
        Ok(())
    }

    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        self.0.update(b"[");
        while seq.next_element_seed(Canonical(&mut *self.0))?.is_some() {}
        self.0.update(b"]");
        Ok(())
    }

    fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut members: Vec<(std::borrow::Cow<'de, str>, &'de RawValue)> = Vec::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            members.push((key, map.next_value()?));
        }
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.0.update(b"{");
        for (key, value) in members {
            Canonical(&mut *self.0).visit_str::<M::Error>(&key)?;
            let mut inner = serde_json::Deserializer::from_str(value.get());
            de::DeserializeSeed::deserialize(Canonical(&mut *self.0), &mut inner)
                .map_err(de::Error::custom)?;
        }
        self.0.update(b"}");
        Ok(())
    }
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
        let nested = Staged::new(r#"{"s":{"b":[1,{"y":2,"x":"\u00e9"}],"a":null}}"#);
        let reordered = Staged::new(r#"{"s":{"a":null,"b":[1,{"x":"é","y":2}]}}"#);
        assert_eq!(nested.record_hash, reordered.record_hash);
        let swapped = Staged::new(r#"{"s":{"a":null,"b":[{"x":"é","y":2},1]}}"#);
        assert_ne!(
            nested.record_hash, swapped.record_hash,
            "array order matters"
        );
        assert_ne!(
            Staged::new(r#"{"a":"1"}"#).record_hash,
            Staged::new(r#"{"a":1}"#).record_hash
        );
    }
}
