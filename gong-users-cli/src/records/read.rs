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

/// The most fields a schema may have (the generator refuses more): a record's fields are
/// matched into a fixed array, with no allocation.
pub const MAX_FIELDS: usize = 64;

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
    let pairs = members(json)?;
    let id = pairs
        .iter()
        .find(|(key, _)| key == "id")
        .and_then(|(_, value)| scalar_text(value));
    let mut reader = Reader {
        cells,
        odd: Vec::new(),
    };
    let extra = reader.object(schema, &pairs, "");
    reader.cells.push(Cow::Owned(extra));
    Ok(Read {
        id,
        odd: reader.odd,
    })
}

/// A JSON object's members: each key (borrowed unless escaped) and its value's JSON text.
type Members<'a> = Vec<(Cell<'a>, &'a RawValue)>;

struct Reader<'c, 'a> {
    cells: &'c mut Vec<Cell<'a>>,
    odd: Vec<String>,
}

impl<'a> Reader<'_, 'a> {
    /// Pushes the cells of an object's fields; returns the JSON of what has no column (unknown
    /// fields, and values that cannot be flattened), empty when there is none.
    fn object(&mut self, schema: &Schema, members: &Members<'a>, path: &str) -> String {
        let mut extra = String::new();
        let slots = match_fields(schema, members, &mut extra);
        for (field, value) in schema.fields.iter().zip(slots) {
            self.field(field, value, path, &mut extra);
        }
        wrap_object(extra)
    }

    fn field(
        &mut self,
        field: &Field,
        value: Option<&'a RawValue>,
        path: &str,
        extra: &mut String,
    ) {
        let here = || format!("{path}{}", field.key);
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
                Some(value) if value.get().starts_with('{') => {
                    let nested = members(value.get()).unwrap_or_default();
                    let unknown = self.object(inner, &nested, &format!("{}.", here()));
                    if !unknown.is_empty() {
                        push_member(extra, field.key, &unknown);
                    }
                }
                Some(value) => {
                    // No column takes a string or an array for a whole object: keep it in extra.
                    self.blank(inner.width());
                    self.odd.push(here());
                    push_member(extra, field.key, value.get());
                }
            },
            Shape::Records { item, columns } => match value {
                None => self.blank(columns.len()),
                Some(value) if value.get().starts_with('[') => {
                    let items: Vec<&'a RawValue> =
                        serde_json::from_str(value.get()).unwrap_or_default();
                    self.records(field.key, item, columns, &items, &here(), extra);
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
        path: &str,
        extra: &mut String,
    ) {
        let parsed: Vec<Option<Members<'a>>> = items
            .iter()
            .enumerate()
            .map(|(index, value)| {
                if value.get().starts_with('{') {
                    members(value.get()).ok()
                } else {
                    if value.get() != "null" {
                        self.odd.push(format!("{path}[{index}]"));
                    }
                    None
                }
            })
            .collect();
        for column in columns {
            let mut values: Vec<Cell<'a>> = Vec::new();
            for (index, (raw, members)) in items.iter().zip(&parsed).enumerate() {
                let Some(members) = members else {
                    // An item that is not an object: its text where the items are joined.
                    if column.only_where.is_none() && raw.get() != "null" {
                        values.push(as_sent(raw));
                    }
                    continue;
                };
                let get = |name: &str| {
                    members
                        .iter()
                        .find(|(key, _)| key == name)
                        .map(|(_, value)| *value)
                        .filter(|value| value.get() != "null")
                };
                if let Some(condition) = column.only_where {
                    match get(condition).map(RawValue::get) {
                        Some("true") => {}
                        None | Some("false") => continue,
                        Some(_) => {
                            self.note_once(format!("{path}[{index}].{condition}"));
                            continue;
                        }
                    }
                }
                let kind = item
                    .fields
                    .iter()
                    .find(|field| field.key == column.field)
                    .and_then(|field| match field.shape {
                        Shape::Scalar(kind) => Some(kind),
                        _ => None,
                    })
                    .unwrap_or(Scalar::Text);
                let where_ = || format!("{path}[{index}].{}", column.field);
                if let Some(value) = get(column.field) {
                    values.push(self.value(kind, value, &where_));
                }
            }
            self.cells.push(join(values));
        }
        // What no column shows: unknown keys, and known ones no column names.
        let shown = |name: &str| {
            columns
                .iter()
                .any(|c| c.field == name || c.only_where == Some(name))
        };
        let rest: Vec<String> = parsed
            .iter()
            .map(|members| {
                let mut object = String::new();
                for (key, value) in members.iter().flatten() {
                    if !shown(key) {
                        push_member(&mut object, key, value.get());
                    }
                }
                format!("{{{object}}}")
            })
            .collect();
        if rest.iter().any(|object| object != "{}") {
            push_member(extra, key, &format!("[{}]", rest.join(",")));
        }
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
        if !value.get().starts_with('[') {
            self.note_once(here());
            return as_sent(value);
        }
        let items: Vec<&'a RawValue> = serde_json::from_str(value.get()).unwrap_or_default();
        let cells = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.get() != "null")
            .map(|(index, item)| self.value(kind, item, &|| format!("{}[{index}]", here())))
            .collect();
        join(cells)
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

/// Puts each member of `members` in the slot of the field it is, in `schema`'s order; members
/// the schema does not know go to `extra` as they are, in the record's order. `null` counts as
/// absent.
fn match_fields<'a>(
    schema: &Schema,
    members: &Members<'a>,
    extra: &mut String,
) -> [Option<&'a RawValue>; MAX_FIELDS] {
    let mut slots = [None; MAX_FIELDS];
    for (key, value) in members {
        match schema.fields.iter().position(|field| field.key == key) {
            Some(index) if index < MAX_FIELDS => {
                slots[index] = Some(*value).filter(|value| value.get() != "null");
            }
            _ => push_member(extra, key, value.get()),
        }
    }
    slots
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

/// Cells joined with `;` (borrowed when there is one).
fn join(mut cells: Vec<Cell<'_>>) -> Cell<'_> {
    match cells.len() {
        0 => Cow::Borrowed(""),
        1 => cells.swap_remove(0),
        _ => Cow::Owned(cells.join(";")),
    }
}

/// Appends `"key":value` to the members of an object being written (a comma first unless it
/// is the first); the key escaped as JSON needs (it was unescaped when read).
fn push_member(object: &mut String, key: &str, value: &str) {
    if !object.is_empty() {
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

/// `{members}`, or nothing when there are none.
fn wrap_object(members: String) -> String {
    if members.is_empty() {
        members
    } else {
        format!("{{{members}}}")
    }
}

/// The members of a JSON object, in order.
fn members(json: &str) -> Result<Members<'_>, serde_json::Error> {
    serde_json::from_str::<ObjectMembers<'_>>(json).map(|object| object.0)
}

/// A JSON object read as its members, keys borrowed when unescaped.
struct ObjectMembers<'a>(Members<'a>);

impl<'de> Deserialize<'de> for ObjectMembers<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = ObjectMembers<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    members.push((key.0, value));
                }
                Ok(ObjectMembers(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
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
