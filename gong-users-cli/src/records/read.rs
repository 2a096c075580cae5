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

/// The most fields a record type may have (the generator refuses more): a record's fields are
/// matched into an array on the stack, with no allocation.
pub const MAX_FIELDS: usize = 32;

/// The value of each field of an object, `null` as absent.
type Slots<'a> = [Option<&'a RawValue>; MAX_FIELDS];

/// Appends the cells of `json`, a record of `schema` (one a column of [`Schema::columns`],
/// `extra` last), to `cells`. Fails only for text that is not a JSON object.
pub fn read<'a>(
    schema: &Schema,
    json: &'a str,
    cells: &mut Vec<Cell<'a>>,
) -> Result<Read<'a>, serde_json::Error> {
    let mut slots: Slots<'a> = [None; MAX_FIELDS];
    let mut extra = String::new();
    parse_object(schema, json, &mut slots, &mut extra)?;
    let id = (schema.field)("id")
        .and_then(|index| slots.get(index).copied().flatten())
        .and_then(scalar_text);
    let mut reader = Reader {
        cells,
        odd: Vec::new(),
    };
    reader.object(schema, &slots, &mut extra, &Place::Root);
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

/// Parses the object `json` of `schema`: each field's value into its slot (`null` as absent),
/// and the members the schema does not know onto `unknown`, written as the start of a JSON
/// object (`{"key":value,…`, unclosed; left empty when there are none).
fn parse_object<'a>(
    schema: &Schema,
    json: &'a str,
    slots: &mut Slots<'a>,
    unknown: &mut String,
) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    de::DeserializeSeed::deserialize(
        ObjectSeed {
            schema,
            slots,
            unknown,
        },
        &mut deserializer,
    )?;
    deserializer.end()
}

/// Calls `each` with every item of the JSON array `json`, without collecting them.
fn for_each_item<'a>(
    json: &'a str,
    each: impl FnMut(usize, &'a RawValue),
) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    de::DeserializeSeed::deserialize(ItemsSeed(each), &mut deserializer)?;
    deserializer.end()
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
    /// Pushes the cells of an object's fields; adds to `extra` (an unclosed JSON object, see
    /// [`parse_object`]) what has no column, and closes it when it holds anything.
    fn object(
        &mut self,
        schema: &Schema,
        slots: &Slots<'a>,
        extra: &mut String,
        place: &Place<'_>,
    ) {
        for (field, value) in schema.fields.iter().zip(slots.iter().copied()) {
            self.field(field, value, place, extra);
        }
        if !extra.is_empty() {
            extra.push('}');
        }
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
            Shape::Object(inner) => {
                let Some(value) = value else {
                    return self.blank(inner.width());
                };
                let mut slots: Slots<'a> = [None; MAX_FIELDS];
                let mut unknown = String::new();
                if parse_object(inner, value.get(), &mut slots, &mut unknown).is_ok() {
                    self.object(inner, &slots, &mut unknown, &place);
                    if !unknown.is_empty() {
                        push_member(extra, field.key, &unknown);
                    }
                } else {
                    // No column takes a string or an array for a whole object: keep it in
                    // extra, as sent.
                    self.blank(inner.width());
                    self.odd.push(here());
                    push_member(extra, field.key, value.get());
                }
            }
            Shape::Records { item, columns } => match value {
                None => self.blank(columns.len()),
                Some(value) if value.get().starts_with('[') => {
                    self.records(field.key, item, columns, value.get(), &place, extra);
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

    /// The columns of an array of objects, in one pass over its items; the items' fields that
    /// no column shows go to `extra`, as one object an item (only when some item has such).
    fn records(
        &mut self,
        key: &str,
        item: &Schema,
        columns: &[ListColumn],
        json: &'a str,
        place: &Place<'_>,
        extra: &mut String,
    ) {
        let shown = |name: &str| {
            columns
                .iter()
                .any(|c| c.field == name || c.only_where == Some(name))
        };
        let mut joined: Vec<Joined<'a>> = columns.iter().map(|_| Joined::default()).collect();
        let mut rest = String::from("[");
        let mut any_rest = false;
        let mut odd = Vec::new();
        let _ = for_each_item(json, |index, raw| {
            if index > 0 {
                rest.push(',');
            }
            let mut slots: Slots<'a> = [None; MAX_FIELDS];
            let mut unknown = String::new();
            if parse_object(item, raw.get(), &mut slots, &mut unknown).is_err() {
                // An item that is not an object: its text where the items are joined.
                if raw.get() != "null" {
                    odd.push(Place::Index(place, index).text());
                    for (column, joined) in columns.iter().zip(&mut joined) {
                        if column.only_where.is_none() {
                            joined.push(as_sent(raw));
                        }
                    }
                }
                rest.push_str("{}");
                return;
            }
            let get = |name: &str| (item.field)(name).and_then(|i| slots[i]);
            for (column, joined) in columns.iter().zip(&mut joined) {
                if let Some(condition) = column.only_where {
                    match get(condition).map(RawValue::get) {
                        Some("true") => {}
                        None | Some("false") => continue,
                        Some(_) => {
                            odd.push(Place::Key(&Place::Index(place, index), condition).text());
                            continue;
                        }
                    }
                }
                let kind = (item.field)(column.field)
                    .and_then(|i| match item.fields[i].shape {
                        Shape::Scalar(kind) => Some(kind),
                        _ => None,
                    })
                    .unwrap_or(Scalar::Text);
                if let Some(value) = get(column.field) {
                    if !fits(kind, value) {
                        odd.push(Place::Key(&Place::Index(place, index), column.field).text());
                    }
                    joined.push(as_sent(value));
                }
            }
            for (field, value) in item.fields.iter().zip(slots.iter().copied()) {
                if let Some(value) = value.filter(|_| !shown(field.key)) {
                    push_member(&mut unknown, field.key, value.get());
                }
            }
            if unknown.is_empty() {
                rest.push_str("{}");
            } else {
                any_rest = true;
                rest.push_str(&unknown);
                rest.push('}');
            }
        });
        for path in odd {
            self.note_once(path);
        }
        self.cells.extend(joined.into_iter().map(Joined::done));
        if any_rest {
            rest.push(']');
            push_member(extra, key, &rest);
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
        if !fits(kind, value) {
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
        let mut joined = Joined::default();
        let mut odd = Vec::new();
        let _ = for_each_item(json, |index, item| {
            if item.get() != "null" {
                if !fits(kind, item) {
                    odd.push(format!("{}[{index}]", here()));
                }
                joined.push(as_sent(item));
            }
        });
        for path in odd {
            self.note_once(path);
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

/// Whether `value` is of the type the spec says.
fn fits(kind: Scalar, value: &RawValue) -> bool {
    let json = value.get();
    match kind {
        Scalar::Text => json.starts_with('"'),
        Scalar::Flag => json == "true" || json == "false",
        Scalar::Number => json.starts_with(|c: char| c == '-' || c.is_ascii_digit()),
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

/// Parses a JSON object straight into the slots of a schema's fields.
struct ObjectSeed<'s, 'u, 'de> {
    schema: &'s Schema,
    slots: &'u mut Slots<'de>,
    unknown: &'u mut String,
}

impl<'de> de::DeserializeSeed<'de> for ObjectSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            match (self.schema.field)(&key.0) {
                Some(index) if index < MAX_FIELDS => {
                    self.slots[index] = Some(value).filter(|value| value.get() != "null");
                }
                _ => push_member(self.unknown, &key.0, value.get()),
            }
        }
        Ok(())
    }
}

/// Visits a JSON array's items, each as its JSON text.
struct ItemsSeed<F>(F);

impl<'de, F: FnMut(usize, &'de RawValue)> de::DeserializeSeed<'de> for ItemsSeed<F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, &'de RawValue)> Visitor<'de> for ItemsSeed<F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<S: de::SeqAccess<'de>>(mut self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0;
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            (self.0)(index, item);
            index += 1;
        }
        Ok(())
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
                "spokenLanguages[0].primary",
                "spokenLanguages[1]"
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
