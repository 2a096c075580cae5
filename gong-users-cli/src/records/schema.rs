//! What the spec says a record looks like, as the row formats (csv, table) need it. The tables
//! of this shape are generated from `openapi/gong-users.yaml` by `cargo xtask codegen`
//! (`src/generated/schemas.rs`): a field added to the spec is a csv column after regenerating,
//! with no other edit.

/// A record type of the spec: its fields, in the spec's order.
#[derive(Debug)]
pub struct Schema {
    pub fields: &'static [Field],
    /// The index of the field with a key (generated as a `match`: a profile put a search of
    /// `fields` at a third of the time to read a record).
    pub field: fn(&str) -> Option<usize>,
}

/// One field of a record.
#[derive(Debug)]
pub struct Field {
    /// The JSON key, as Gong sends it.
    pub key: &'static str,
    pub shape: Shape,
}

/// What a field holds, and so which columns it makes.
#[derive(Debug)]
pub enum Shape {
    /// A string (a time too), a boolean or a number: one column.
    Scalar(Scalar),
    /// An array of scalars: one column, the items joined with `;`.
    List(Scalar),
    /// An object the spec describes: one column per field of it, `key.field`.
    Object(&'static Schema),
    /// An array of objects: the columns its `x-csv-columns` names.
    Records {
        item: &'static Schema,
        columns: &'static [ListColumn],
    },
}

/// The type of one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    Text,
    Flag,
    /// No field of the spec is a number yet; the generator makes one so.
    #[allow(dead_code)]
    Number,
}

/// A column made from an array of objects: one field of each item, joined with `;`; only the
/// items whose `only_where` field is `true`, when it is given.
#[derive(Debug)]
pub struct ListColumn {
    pub name: &'static str,
    pub field: &'static str,
    pub only_where: Option<&'static str>,
}

/// The last column of every record: the fields the spec does not know, as JSON.
pub const EXTRA: &str = "extra";

impl Schema {
    /// The column names, in order: every field flattened, then [`EXTRA`].
    pub fn columns(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.push_columns("", &mut names);
        names.push(EXTRA.to_owned());
        names
    }

    /// How many columns the fields make (without [`EXTRA`]).
    pub fn width(&self) -> usize {
        self.fields.iter().map(Field::width).sum()
    }

    fn push_columns(&self, prefix: &str, names: &mut Vec<String>) {
        for field in self.fields {
            match &field.shape {
                Shape::Scalar(_) | Shape::List(_) => names.push(format!("{prefix}{}", field.key)),
                Shape::Object(inner) => {
                    inner.push_columns(&format!("{prefix}{}.", field.key), names)
                }
                Shape::Records { columns, .. } => {
                    names.extend(columns.iter().map(|c| format!("{prefix}{}", c.name)));
                }
            }
        }
    }
}

impl Field {
    /// How many columns this field makes.
    pub fn width(&self) -> usize {
        match &self.shape {
            Shape::Scalar(_) | Shape::List(_) => 1,
            Shape::Object(inner) => inner.width(),
            Shape::Records { columns, .. } => columns.len(),
        }
    }
}
