//! How a change of a user's settings is written as a table row and as a CSV row: when, which
//! setting, the new value; CSV adds the keys the spec does not know as JSON.

use std::borrow::Cow;

use gong_users::UserSettingChange;

use super::RecordKind;
use super::csv::{Column, CsvRow, flag, json_object, text};
use super::table::TableRow;

/// Changes of a user's settings, as `history` writes them: the generated type, owned.
pub enum SettingChanges {}

impl RecordKind for SettingChanges {
    type Fields<'json> = UserSettingChange;
}

impl TableRow for SettingChanges {
    const COLUMNS: &'static [(&'static str, usize)] =
        &[("TIME", 29), ("SETTING", 32), ("VALUE", 0)];

    fn cells<'v>(change: &'v UserSettingChange) -> Vec<Cow<'v, str>> {
        vec![
            time(change),
            text(change.setting.as_deref()),
            flag(change.value),
        ]
    }
}

impl CsvRow for SettingChanges {
    const COLUMNS: &'static [Column<Self>] = &[
        Column {
            heading: "time",
            cell: time,
        },
        Column {
            heading: "setting",
            cell: |change| text(change.setting.as_deref()),
        },
        Column {
            heading: "value",
            cell: |change| flag(change.value),
        },
        Column {
            heading: "extra",
            cell: |change| json_object(&change.extra),
        },
    ];
}

fn time(change: &UserSettingChange) -> Cow<'_, str> {
    text(change.time.as_ref().map(|t| t.as_str()))
}
