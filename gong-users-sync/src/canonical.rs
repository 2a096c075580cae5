//! Records compared as JSON values: the same user sent with its keys in another order, other
//! spacing or another spelling of a number is the same version. Each record is kept as Gong sent
//! it; beside it, a hash of its canonical form (keys sorted, no spaces, numbers as parsed):
//! XXH3-128, a stable, fast hash made to detect change (not to resist an attacker: nobody gains
//! by making two versions of a Gong user collide). And a hash of its bytes (XXH3-64): a re-sync
//! that gets the very bytes it got last time needs no parse at all.

use std::borrow::Cow;
use std::io::Write as _;

use serde::de::{self, DeserializeSeed as _};
use serde_json::value::RawValue;

/// The XXH3-64 of a record's bytes.
pub(crate) fn raw_hash(record: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(record.as_bytes())
}

/// What the tables need of a record, read in one pass.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Read {
    pub(crate) email_address: Option<String>,
    pub(crate) active: Option<bool>,
    /// XXH3-128 of the canonical form.
    pub(crate) record_hash: u128,
}

/// Reads `record`, using `buffer` for its canonical form (kept between records: no allocation
/// a record). JSON that does not parse is hashed as its bytes.
pub(crate) fn read(record: &str, buffer: &mut Vec<u8>) -> Read {
    let mut fields = TopFields::default();
    // Gong sends keys sorted: one streaming pass. Keys out of order: a second pass sorts them.
    let canonical = write_canonical(record, buffer, Order::AsSent, &mut fields).or_else(|_| {
        fields = TopFields::default();
        write_canonical(record, buffer, Order::Sorted, &mut fields)
    });
    if canonical.is_err() {
        fields = TopFields::default();
        buffer.clear();
        buffer.extend_from_slice(record.as_bytes());
    }
    Read {
        email_address: fields.email_address,
        active: fields.active,
        record_hash: xxhash_rust::xxh3::xxh3_128(buffer),
    }
}

/// The hash as the tables keep it: 32 hex digits.
pub(crate) fn hex(hash: u128) -> String {
    format!("{hash:032x}")
}

/// The hash from the tables' hex; `None` for anything else.
pub(crate) fn from_hex(text: &str) -> Option<u128> {
    (text.len() == 32)
        .then(|| u128::from_str_radix(text, 16).ok())
        .flatten()
}

fn write_canonical(
    record: &str,
    buffer: &mut Vec<u8>,
    order: Order,
    fields: &mut TopFields,
) -> Result<(), serde_json::Error> {
    buffer.clear();
    let mut deserializer = serde_json::Deserializer::from_str(record);
    Canonical {
        out: buffer,
        order,
        fields: Some(fields),
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()
}

/// Whether object members are taken in the order sent (failing at a key out of order) or sorted.
#[derive(Clone, Copy)]
enum Order {
    AsSent,
    Sorted,
}

/// The top-level fields the tables index, picked out of the canonical form as it is written.
#[derive(Default)]
struct TopFields {
    email_address: Option<String>,
    active: Option<bool>,
}

impl TopFields {
    /// Notes member `key` whose canonical form is `written`.
    fn note(&mut self, key: &str, written: &[u8]) {
        match key {
            "emailAddress" => {
                self.email_address = written
                    .strip_prefix(b"s")
                    .and_then(|rest| rest.get(8..))
                    .and_then(|text| std::str::from_utf8(text).ok())
                    .map(str::to_owned);
            }
            "active" => {
                self.active = match written {
                    b"t" => Some(true),
                    b"f" => Some(false),
                    _ => None,
                }
            }
            _ => {}
        }
    }
}

/// Writes a JSON value's canonical form, without building it: object members in key order,
/// strings as their decoded text (length first), integral numbers as integers whatever their
/// spelling (`100`, `1e2`, `100.0`), other numbers as parsed. The form of the first version
/// of the schema, but for integral numbers written as decimals.
struct Canonical<'o, 'f> {
    out: &'o mut Vec<u8>,
    order: Order,
    /// `Some` for the top-level value only.
    fields: Option<&'f mut TopFields>,
}

impl Canonical<'_, '_> {
    fn nested(&mut self) -> Canonical<'_, 'static> {
        Canonical {
            out: self.out,
            order: self.order,
            fields: None,
        }
    }
}

fn write_str(out: &mut Vec<u8>, value: &str) {
    out.push(b's');
    out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    out.extend_from_slice(value.as_bytes());
}

impl<'de> de::DeserializeSeed<'de> for Canonical<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for Canonical<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<(), E> {
        self.out.push(if value { b't' } else { b'f' });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        let _ = write!(self.out, "i{value};");
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        let _ = write!(self.out, "i{value};");
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<(), E> {
        // Exactly an integer (and one that i128 holds): the same number as its integer spelling.
        if value.fract() == 0.0 && value.abs() < 1e38 {
            let _ = write!(self.out, "i{};", value as i128);
        } else {
            let _ = write!(self.out, "d{value};");
        }
        Ok(())
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        write_str(self.out, value);
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.push(b'n');
        Ok(())
    }

    fn visit_seq<S: de::SeqAccess<'de>>(mut self, mut seq: S) -> Result<(), S::Error> {
        self.out.push(b'[');
        while seq.next_element_seed(self.nested())?.is_some() {}
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<M: de::MapAccess<'de>>(mut self, mut map: M) -> Result<(), M::Error> {
        self.out.push(b'{');
        match self.order {
            Order::AsSent => {
                let mut previous: Option<Cow<'de, str>> = None;
                while let Some(key) = map.next_key_seed(Key)? {
                    if previous.as_ref().is_some_and(|previous| *previous >= key) {
                        return Err(de::Error::custom("keys out of order"));
                    }
                    write_str(self.out, &key);
                    let start = self.out.len();
                    map.next_value_seed(self.nested())?;
                    if let Some(fields) = self.fields.as_deref_mut() {
                        fields.note(&key, &self.out[start..]);
                    }
                    previous = Some(key);
                }
            }
            Order::Sorted => {
                let mut members: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
                while let Some(key) = map.next_key_seed(Key)? {
                    members.push((key, map.next_value()?));
                }
                // Stable: members with the same key keep their order.
                members.sort_by(|a, b| a.0.cmp(&b.0));
                for (key, value) in members {
                    write_str(self.out, &key);
                    let start = self.out.len();
                    let mut inner = serde_json::Deserializer::from_str(value.get());
                    self.nested()
                        .deserialize(&mut inner)
                        .map_err(de::Error::custom)?;
                    if let Some(fields) = self.fields.as_deref_mut() {
                        fields.note(&key, &self.out[start..]);
                    }
                }
            }
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// An object key, borrowed from the record unless it has escapes.
struct Key;

impl<'de> de::DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> de::Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(record: &str) -> u128 {
        read(record, &mut Vec::new()).record_hash
    }

    #[test]
    fn key_order_spacing_and_number_spelling_do_not_matter() {
        let a = read(r#"{"active":true,"id":"1","n":1.50}"#, &mut Vec::new());
        let b = read(
            r#"{ "n": 1.5, "active": true, "id": "1" }"#,
            &mut Vec::new(),
        );
        assert_eq!(a, b);
        assert_eq!(a.active, Some(true));
        assert_ne!(hash(r#"{"id":"1","active":false,"n":1.5}"#), a.record_hash);
        let nested = hash(r#"{"s":{"b":[1,{"y":2,"x":"\u00e9"}],"a":null}}"#);
        let reordered = hash(r#"{"s":{"a":null,"b":[1,{"x":"é","y":2}]}}"#);
        assert_eq!(nested, reordered);
        let swapped = hash(r#"{"s":{"a":null,"b":[{"x":"é","y":2},1]}}"#);
        assert_ne!(nested, swapped, "array order matters");
        assert_ne!(hash(r#"{"a":"1"}"#), hash(r#"{"a":1}"#));
        assert_eq!(hash(r#"{"a":100}"#), hash(r#"{"a":1e2}"#));
        assert_eq!(hash(r#"{"a":100}"#), hash(r#"{"a":100.0}"#));
        assert_ne!(hash(r#"{"a":100}"#), hash(r#"{"a":100.5}"#));
    }

    #[test]
    fn the_fields_are_read_in_either_order_and_only_at_the_top() {
        let sorted = read(
            r#"{"active":false,"emailAddress":"a@x.io","settings":{"active":true}}"#,
            &mut Vec::new(),
        );
        assert_eq!(sorted.email_address.as_deref(), Some("a@x.io"));
        assert_eq!(sorted.active, Some(false));
        let unsorted = read(
            r#"{"settings":{"active":true},"emailAddress":"a@x.io","active":false}"#,
            &mut Vec::new(),
        );
        assert_eq!(sorted, unsorted);
        let odd = read(r#"{"active":"yes","emailAddress":7}"#, &mut Vec::new());
        assert_eq!((odd.active, odd.email_address), (None, None));
        let escaped = read(r#"{"emailAddress":"\u0061@x.io"}"#, &mut Vec::new());
        assert_eq!(escaped.email_address.as_deref(), Some("a@x.io"));
    }

    #[test]
    fn a_repeated_key_or_bad_json_still_hashes_deterministically() {
        let repeated = r#"{"b":1,"a":1,"a":2}"#;
        assert_eq!(hash(repeated), hash(repeated));
        assert_ne!(hash(repeated), hash(r#"{"b":1,"a":2,"a":1}"#));
        assert_eq!(hash("{not json"), xxhash_rust::xxh3::xxh3_128(b"{not json"));
    }

    #[test]
    fn the_form_is_the_first_schema_versions_for_records_without_integral_decimals() {
        // The hashes a version-1 database holds stay valid: the form, written out by hand.
        let text = |value: &str| {
            let mut out = vec![b's'];
            out.extend_from_slice(&(value.len() as u64).to_le_bytes());
            out.extend_from_slice(value.as_bytes());
            out
        };
        let form = [
            &b"{"[..],
            &text("active"),
            b"t",
            &text("id"),
            &text("1"),
            &text("n"),
            b"d1.5;",
            &text("s"),
            b"[nf",
            &text("x"),
            b"]}",
        ]
        .concat();
        assert_eq!(
            hash(r#"{"active":true,"id":"1","n":1.5,"s":[null,false,"x"]}"#),
            xxhash_rust::xxh3::xxh3_128(&form)
        );
        assert_eq!(from_hex(&hex(u128::MAX - 7)), Some(u128::MAX - 7));
        assert_eq!(from_hex("xyz"), None);
    }
}
