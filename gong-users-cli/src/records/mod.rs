//! The kinds of record the CLI writes as rows (users, settings changes): each its schema, from
//! the spec (generated), and how the table shows it (chosen here, by column name).

pub mod read;
pub mod schema;

use crate::generated::schemas::{USER, USER_SETTING_CHANGE};
use schema::Schema;

/// A kind of record the row formats write.
pub struct RecordKind {
    /// What a record is called in a warning: "user".
    pub noun: &'static str,
    /// Its fields, as the spec has them: csv writes every column of it.
    pub schema: &'static Schema,
    /// The table's columns, for people: a few of the schema's, by name.
    pub table: &'static [TableColumn],
}

/// One column of the table.
pub struct TableColumn {
    pub heading: &'static str,
    /// In terminal columns; 0 (the last column) is not padded.
    pub width: usize,
    pub cell: TableCell,
}

/// What a table cell shows, from the record's columns (by their csv name).
pub enum TableCell {
    /// One column as it is.
    Column(&'static str),
    /// Columns joined with a space, the empty ones left out (a name from first and last).
    Words(&'static [&'static str]),
    /// A flag as `yes`/`no` (anything else Gong sent, as it is).
    YesNo(&'static str),
}

/// Users, as `list` and `get` write them.
pub static USERS: RecordKind = RecordKind {
    noun: "user",
    schema: &USER,
    table: &[
        TableColumn {
            heading: "NAME",
            width: 24,
            cell: TableCell::Words(&["firstName", "lastName"]),
        },
        TableColumn {
            heading: "EMAIL",
            width: 32,
            cell: TableCell::Column("emailAddress"),
        },
        TableColumn {
            heading: "TITLE",
            width: 24,
            cell: TableCell::Column("title"),
        },
        TableColumn {
            heading: "ACTIVE",
            width: 6,
            cell: TableCell::YesNo("active"),
        },
        TableColumn {
            heading: "MANAGER",
            width: 20,
            cell: TableCell::Column("managerId"),
        },
        TableColumn {
            heading: "CREATED",
            width: 0,
            cell: TableCell::Column("created"),
        },
    ],
};

/// Changes of a user's settings, as `history` writes them.
pub static SETTING_CHANGES: RecordKind = RecordKind {
    noun: "settings change",
    schema: &USER_SETTING_CHANGE,
    table: &[
        TableColumn {
            heading: "TIME",
            width: 29,
            cell: TableCell::Column("time"),
        },
        TableColumn {
            heading: "SETTING",
            width: 32,
            cell: TableCell::Column("setting"),
        },
        TableColumn {
            heading: "VALUE",
            width: 0,
            cell: TableCell::Column("value"),
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column the tables name is a column of the schema: a field renamed in the spec
    /// fails here, not as an empty column.
    #[test]
    fn the_tables_name_columns_the_schemas_have() {
        for kind in [&USERS, &SETTING_CHANGES] {
            let columns = kind.schema.columns();
            for column in kind.table {
                let names: &[&str] = match &column.cell {
                    TableCell::Column(name) | TableCell::YesNo(name) => std::slice::from_ref(name),
                    TableCell::Words(names) => names,
                };
                for name in names {
                    assert!(columns.iter().any(|c| c == name), "{name} in {}", kind.noun);
                }
            }
        }
    }
}
