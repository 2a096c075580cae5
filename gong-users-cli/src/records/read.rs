//! Reading one record for the row formats: its cells, one a column of its [`Schema`], in one
//! pass over its JSON, borrowing every string Gong sent without an escape.
//!
//! Tolerant by design: Gong warns that its JSON may change without notice, and one record of an
//! unexpected shape must not stop the export of a whole company. A value of another type than
//! the spec says is written as Gong sent it (a string as its text, anything else as its JSON
//! text) in the column it belongs to, and its field is named in [`Read::odd`] so the caller can
//! warn (or, with `--strict`, refuse). A value that has no column of its own (an object or
//! array where the spec has a flattened object) goes to `extra` as JSON, beside the fields the
//! spec does not know: nothing is dropped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::schema::{Field, ListColumn, Scalar, Schema, Shape};

/// One cell: borrowed from the record's JSON, or owned when it had to be built.
pub type Cell<'a> = Cow<'a, str>;

/// What reading a record found besides its cells.
#[derive(Debug, Default, PartialEq)]
pub struct Read<'a> {
    /// The record's `id`, to name it in a warning.
    pub id: Option<Cell<'a>>,
    /// The fields whose value was of another type than the spec says, as paths
    /// (`active`, `settings.emailsImported`, `spokenLanguages[1].primary`).
    pub odd: Vec<String>,
}

/// Appends the cells of `json`, a record of `schema` (one a column of [`Schema::columns`],
/// `extra` last), to `cells`. Fails only for text that is not a JSON object.
pub fn read<'a>(
    schema: &Schema,
    json: &'a str,
    cells: &mut Vec<Cell<'a>>,
) -> Result<Read<'a>, serde_json::Error> {
    let object = Object::parse(schema, json)?;
    let id = (schema.field)("id")
        .and_then(|index| object.slots.get(index).copied().flatten())
        .and_then(scalar_text);
    let mut reader = Reader {
        cells,
        odd: Vec::new(),
    };
    let extra = reader.object(schema, object, &Place::Root);
    reader.cells.push(if extra.is_empty() {
        Cow::Borrowed("")
    } else {
        Cow::Owned(extra)
    });
    Ok(Read {
        id,
        odd: reader.odd,
    })
}

/// An object's members matched to its schema's fields as they are parsed: the value of each
/// field (`null` as absent), and the members the schema does not know, already written as the
/// start of a JSON object (`{"key":value,…`, unclosed; empty when there are none).
struct Object<'a> {
    /// One a field of the schema (sized to it: a fixed array was copied at every move).
    slots: Vec<Option<&'a RawValue>>,
    unknown: String,
}

impl<'a> Object<'a> {
    fn parse(schema: &Schema, json: &'a str) -> Result<Self, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let object = de::DeserializeSeed::deserialize(ObjectSeed(schema), &mut deserializer)?;
        deserializer.end()?;
        Ok(object)
    }
}

/// Where a value stands in the record, written out only when it is named (no allocation on
/// the way down).
#[derive(Clone, Copy)]
enum Place<'p> {
    Root,
    Key(&'p Place<'p>, &'p str),
    Index(&'p Place<'p>, usize),
}

impl Place<'_> {
    fn text(&self) -> String {
        match self {
            Place::Root => String::new(),
            Place::Key(Place::Root, key) => (*key).to_owned(),
            Place::Key(parent, key) => format!("{}.{key}", parent.text()),
            Place::Index(parent, index) => format!("{}[{index}]", parent.text()),
        }
    }
}

struct Reader<'c, 'a> {
    cells: &'c mut Vec<Cell<'a>>,
    odd: Vec<String>,
}

impl<'a> Reader<'_, 'a> {
    /// Pushes the cells of an object's fields; returns the JSON of what has no column (unknown
    /// fields, and values that cannot be flattened), empty when there is none.
    fn object(&mut self, schema: &Schema, object: Object<'a>, place: &Place<'_>) -> String {
        let mut extra = object.unknown;
        for (field, value) in schema.fields.iter().zip(object.slots.iter().copied()) {
            self.field(field, value, place, &mut extra);
        }
        if !extra.is_empty() {
            extra.push('}');
        }
        extra
    }

    fn field(
        &mut self,
        field: &Field,
        value: Option<&'a RawValue>,
        place: &Place<'_>,
        extra: &mut String,
    ) {
        let place = Place::Key(place, field.key);
        let here = || place.text();
        match &field.shape {
            Shape::Scalar(kind) => {
                let cell = self.scalar(*kind, value, &here);
                self.cells.push(cell);
            }
            Shape::List(kind) => {
                let cell = self.list(*kind, value, &here);
                self.cells.push(cell);
            }
            Shape::Object(inner) => match value {
                None => self.blank(inner.width()),
                Some(value) => match Object::parse(inner, value.get()) {
                    Ok(nested) => {
                        let unknown = self.object(inner, nested, &place);
                        if !unknown.is_empty() {
                            push_member(extra, field.key, &unknown);
                        }
                    }
                    Err(_) => {
                        // No column takes a string or an array for a whole object: keep it in
                        // extra, as sent.
                        self.blank(inner.width());
                        self.odd.push(here());
                        push_member(extra, field.key, value.get());
                    }
                },
            },
            Shape::Records { item, columns } => match value {
                None => self.blank(columns.len()),
                Some(value) if value.get().starts_with('[') => {
                    let items: Vec<&'a RawValue> =
                        serde_json::from_str(value.get()).unwrap_or_default();
                    self.records(field.key, item, columns, &items, &place, extra);
                }
                Some(value) => {
                    // Written as sent in the first column it belongs to.
                    self.odd.push(here());
                    self.cells.push(as_sent(value));
                    self.blank(columns.len().saturating_sub(1));
                }
            },
        }
    }

    /// The columns of an array of objects, and its items' fields that no column shows, in
    /// `extra` as one object an item (only when some item has such fields).
    fn records(
        &mut self,
        key: &str,
        item: &Schema,
        columns: &[ListColumn],
        items: &[&'a RawValue],
        place: &Place<'_>,
        extra: &mut String,
    ) {
        let parsed: Vec<Option<Object<'a>>> = items
            .iter()
            .enumerate()
            .map(|(index, value)| match Object::parse(item, value.get()) {
                Ok(object) => Some(object),
                Err(_) => {
                    if value.get() != "null" {
                        self.odd.push(Place::Index(place, index).text());
                    }
                    None
                }
            })
            .collect();
        for column in columns {
            let field = (item.field)(column.field);
            let condition = column.only_where.and_then(item.field);
            let kind = field
                .and_then(|index| match item.fields[index].shape {
                    Shape::Scalar(kind) => Some(kind),
                    _ => None,
                })
                .unwrap_or(Scalar::Text);
            let mut values = Joined::default();
            for (index, (raw, object)) in items.iter().zip(&parsed).enumerate() {
                let Some(object) = object else {
                    // An item that is not an object: its text where the items are joined.
                    if column.only_where.is_none() && raw.get() != "null" {
                        values.push(as_sent(raw));
                    }
                    continue;
                };
                if let Some(name) = column.only_where {
                    match condition.and_then(|c| object.slots[c]).map(RawValue::get) {
                        Some("true") => {}
                        None | Some("false") => continue,
                        Some(_) => {
                            self.note_once(Place::Key(&Place::Index(place, index), name).text());
                            continue;
                        }
                    }
                }
                let where_ = || Place::Key(&Place::Index(place, index), column.field).text();
                if let Some(value) = field.and_then(|f| object.slots[f]) {
                    values.push(self.value(kind, value, &where_));
                }
            }
            self.cells.push(values.done());
        }
        // What no column shows: unknown keys, and fields no column names.
        let shown = |key: &str| {
            columns
                .iter()
                .any(|c| c.field == key || c.only_where == Some(key))
        };
        let rest = |object: &Object<'a>| {
            let mut members = object.unknown.clone();
            for (field, value) in item.fields.iter().zip(object.slots.iter().copied()) {
                if let Some(value) = value.filter(|_| !shown(field.key)) {
                    push_member(&mut members, field.key, value.get());
                }
            }
            members
        };
        let unshown = |object: &Object<'a>| {
            !object.unknown.is_empty()
                || item
                    .fields
                    .iter()
                    .zip(object.slots.iter())
                    .any(|(field, value)| value.is_some() && !shown(field.key))
        };
        if !parsed.iter().flatten().any(unshown) {
            return;
        }
        let mut list = String::from("[");
        for (index, object) in parsed.iter().enumerate() {
            if index > 0 {
                list.push(',');
            }
            match object.as_ref().map(rest) {
                Some(members) if !members.is_empty() => {
                    list.push_str(&members);
                    list.push('}');
                }
                _ => list.push_str("{}"),
            }
        }
        list.push(']');
        push_member(extra, key, &list);
    }

    fn scalar(
        &mut self,
        kind: Scalar,
        value: Option<&'a RawValue>,
        here: &dyn Fn() -> String,
    ) -> Cell<'a> {
        match value {
            None => Cow::Borrowed(""),
            Some(value) => self.value(kind, value, here),
        }
    }

    /// A value the spec says is of `kind`: as it is when it is; as Gong sent it, and noted,
    /// when it is not.
    fn value(&mut self, kind: Scalar, value: &'a RawValue, here: &dyn Fn() -> String) -> Cell<'a> {
        let json = value.get();
        let fits = match kind {
            Scalar::Text => json.starts_with('"'),
            Scalar::Flag => json == "true" || json == "false",
            Scalar::Number => json.starts_with(|c: char| c == '-' || c.is_ascii_digit()),
        };
        if !fits {
            self.note_once(here());
        }
        as_sent(value)
    }

    fn list(
        &mut self,
        kind: Scalar,
        value: Option<&'a RawValue>,
        here: &dyn Fn() -> String,
    ) -> Cell<'a> {
        let Some(value) = value else {
            return Cow::Borrowed("");
        };
        let json = value.get();
        if json == "[]" {
            return Cow::Borrowed("");
        }
        if !json.starts_with('[') {
            self.note_once(here());
            return as_sent(value);
        }
        let items: Vec<&'a RawValue> = serde_json::from_str(json).unwrap_or_default();
        let mut joined = Joined::default();
        for (index, item) in items.iter().enumerate() {
            if item.get() != "null" {
                let cell = self.value(kind, item, &|| format!("{}[{index}]", here()));
                joined.push(cell);
            }
        }
        joined.done()
    }

    fn blank(&mut self, columns: usize) {
        self.cells
            .extend(std::iter::repeat_n(Cow::Borrowed(""), columns));
    }

    fn note_once(&mut self, path: String) {
        if !self.odd.contains(&path) {
            self.odd.push(path);
        }
    }
}

/// A value as Gong sent it: a string as its text (borrowed unless escaped), anything else as
/// its JSON text.
fn as_sent(value: &RawValue) -> Cell<'_> {
    scalar_text(value).unwrap_or(Cow::Borrowed(value.get()))
}

/// The text of a JSON string value; `None` for any other value.
fn scalar_text(value: &RawValue) -> Option<Cell<'_>> {
    let json = value.get();
    let inner = json.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(json).ok().map(Cow::Owned)
}

/// Cells joined with `;` as they come (borrowed while there is one).
#[derive(Default)]
struct Joined<'a>(Option<Cell<'a>>);

impl<'a> Joined<'a> {
    fn push(&mut self, cell: Cell<'a>) {
        self.0 = Some(match self.0.take() {
            None => cell,
            Some(joined) => {
                let mut text = joined.into_owned();
                text.push(';');
                text.push_str(&cell);
                Cow::Owned(text)
            }
        });
    }

    fn done(self) -> Cell<'a> {
        self.0.unwrap_or(Cow::Borrowed(""))
    }
}

/// Appends `"key":value` to an object being written (its `{`, or a comma, first); the key
/// escaped as JSON needs (it was unescaped when read). The caller closes it with `}`.
fn push_member(object: &mut String, key: &str, value: &str) {
    if object.is_empty() {
        object.reserve(64 + value.len());
        object.push('{');
    } else {
        object.push(',');
    }
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        object.push('"');
        object.push_str(key);
        object.push('"');
    } else {
        object.push_str(&serde_json::Value::from(key).to_string());
    }
    object.push(':');
    object.push_str(value);
}

/// Parses a JSON object straight into an [`Object`] of a schema.
struct ObjectSeed<'s>(&'s Schema);

impl<'de> de::DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = Object<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = Object<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut object = Object {
            slots: vec![None; self.0.fields.len()],
            unknown: String::new(),
        };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            match (self.0.field)(&key.0) {
                Some(index) if index < object.slots.len() => {
                    object.slots[index] = Some(value).filter(|value| value.get() != "null");
                }
                _ => push_member(&mut object.unknown, &key.0, value.get()),
            }
        }
        Ok(object)
    }
}

/// An object key, borrowed when it holds no escape. (serde's own `Cow<str>` always copies.)
struct Key<'a>(Cell<'a>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::schemas::USER;
    use proptest::prelude::*;

    /// The cells of `json` as a user, by column name.
    fn cells(json: &str) -> (Vec<(String, String)>, Read<'_>) {
        let mut cells = Vec::new();
        let read = read(&USER, json, &mut cells).unwrap();
        let named = USER
            .columns()
            .into_iter()
            .zip(cells.iter().map(|c| c.to_string()))
            .collect();
        (named, read)
    }

    fn cell(json: &str, column: &str) -> String {
        cells(json)
            .0
            .into_iter()
            .find(|(name, _)| name == column)
            .map(|(_, value)| value)
            .unwrap()
    }

    /// Unknown fields come out as one JSON object, as Gong sent their values, nested records'
    /// ones under their field's name.
    #[test]
    fn extra_holds_every_unknown_field_as_json() {
        let extra = |json| cell(json, "extra");
        assert_eq!(
            extra(r#"{"id":"1","settings":{},"spokenLanguages":[]}"#),
            ""
        );
        assert_eq!(
            extra(r#"{"a":1.50,"id":"1","b":[1, 2],"settings":{"emailsImported":true,"s":null}}"#),
            r#"{"a":1.50,"b":[1, 2],"settings":{"s":null}}"#
        );
        assert_eq!(
            extra(r#"{"spokenLanguages":[{"language":"en"},{"c":0.9,"d":"x"}]}"#),
            r#"{"spokenLanguages":[{},{"c":0.9,"d":"x"}]}"#
        );
        let json = extra(r#"{"q\"k\\":true,"settings":{"t\u0009":1}}"#);
        assert_eq!(json, r#"{"q\"k\\":true,"settings":{"t\t":1}}"#);
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["settings"]["t\t"], 1);
    }

    #[test]
    fn plain_text_is_borrowed_and_escaped_text_decoded() {
        let json = r#"{"id":"1","firstName":"Jon","lastName":"S\u00f8rensen"}"#;
        let mut cells = Vec::new();
        read(&USER, json, &mut cells).unwrap();
        assert!(matches!(cells[0], Cow::Borrowed("1")));
        let last = &cells[7];
        assert!(matches!(last, Cow::Owned(_)));
        assert_eq!(last, "Sørensen");
    }

    #[test]
    fn values_of_another_type_are_written_as_sent_and_named() {
        let json = r#"{"id":"9","active":"yes","settings":{"emailsImported":{"odd":1}},
            "spokenLanguages":[{"language":"en","primary":"sure"},"fr"]}"#;
        let (named, read) = cells(json);
        let get = |name: &str| named.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(get("active"), "yes");
        assert_eq!(get("settings.emailsImported"), r#"{"odd":1}"#);
        assert_eq!(get("spokenLanguages"), "en;fr");
        assert_eq!(get("primaryLanguage"), "");
        assert_eq!(read.id.as_deref(), Some("9"));
        assert_eq!(
            read.odd,
            [
                "active",
                "settings.emailsImported",
                "spokenLanguages[1]",
                "spokenLanguages[0].primary"
            ]
        );
    }

    /// Any JSON value.
    fn any_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            ".*".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(".*", inner, 0..4)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    /// Where in a user a value goes: a field of the user, of its settings, or of a language.
    fn any_place() -> impl Strategy<Value = Vec<String>> {
        let user_keys: Vec<String> = USER.fields.iter().map(|f| f.key.to_owned()).collect();
        prop_oneof![
            prop::sample::select(user_keys).prop_map(|key| vec![key]),
            prop::sample::select(vec!["webConferencesRecorded", "emailsImported", "new"])
                .prop_map(|key| vec!["settings".into(), key.into()]),
            prop::sample::select(vec!["language", "primary", "new"]).prop_map(|key| vec![
                "spokenLanguages".into(),
                "0".into(),
                key.into()
            ]),
        ]
    }

    proptest! {
        /// Any JSON value in any field of a user: the record is read, a cell a column, and the
        /// csv and table rows render, without `--strict` never an error.
        #[test]
        fn any_value_in_any_field_never_fails(place in any_place(), value in any_json()) {
            let mut user = serde_json::json!({
                "id": "1", "active": true, "settings": {"emailsImported": true},
                "spokenLanguages": [{"language": "en", "primary": true}],
            });
            let mut target = &mut user;
            for step in &place[..place.len() - 1] {
                target = match step.parse::<usize>() {
                    Ok(index) => &mut target[index],
                    Err(_) => &mut target[step.as_str()],
                };
            }
            target[place.last().unwrap().as_str()] = value;
            let json = user.to_string();
            let mut cells = Vec::new();
            let read = read(&USER, &json, &mut cells);
            prop_assert!(read.is_ok(), "{json}");
            prop_assert_eq!(cells.len(), USER.columns().len());
            let rows = crate::output::render_for_test(&crate::records::USERS, &cells);
            prop_assert!(!rows.is_empty());
        }
    }
}

#[cfg(test)]
mod probe {
    use super::*;
    use crate::generated::schemas::USER;

    /// How long reading 100,000 synthetic users takes, beside serde_json's own floor for the
    /// same bytes: `cargo test --release -p gong-users-cli --bin gong-users probe -- --ignored
    /// --nocapture`.
    #[test]
    #[ignore]
    fn probe_read_speed() {
        let (users, _) = gong_users_mock::synthetic_users(100_000, 0, 7);
        let texts: Vec<String> = users.iter().map(|u| u.to_string()).collect();
        drop(users);
        eprintln!("generated");
        let mut cells = Vec::with_capacity(32);
        for round in 0..6 {
            let started = std::time::Instant::now();
            for text in &texts {
                cells.clear();
                read(&USER, text, &mut cells).unwrap();
            }
            let read_time = started.elapsed();
            let started = std::time::Instant::now();
            for text in &texts {
                let _: serde::de::IgnoredAny = serde_json::from_str(text).unwrap();
            }
            eprintln!(
                "round {round}: read {read_time:?}, serde_json IgnoredAny {:?}",
                started.elapsed()
            );
        }
    }
}
