//! `Timestamp`: a date-time kept exactly as Gong wrote it.
//!
//! Gong sends `created` as ISO-8601 text with an offset and, on live data, a fraction of a second
//! (`2026-08-05T17:36:10.507-07:00`). Parsing it into `chrono::DateTime<Utc>` on decode would lose
//! the offset and reformat the fraction, and would fail a whole page over one odd value. So the
//! text is kept as sent, and parsed only when asked.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};

/// An ISO-8601 date-time as Gong sent it; [`Timestamp::to_datetime`] parses it on demand.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// Wraps the text as is, without checking it.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text exactly as Gong sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the text as an RFC 3339 date-time, keeping its offset.
    ///
    /// ```
    /// let created = gong_users_sys::Timestamp::new("2026-08-05T17:36:10.507-07:00");
    /// let parsed = created.to_datetime().unwrap();
    /// assert_eq!(parsed.offset().local_minus_utc(), -7 * 3600);
    /// assert_eq!(parsed.timestamp_subsec_millis(), 507);
    /// ```
    pub fn to_datetime(&self) -> Result<DateTime<FixedOffset>, chrono::ParseError> {
        DateTime::parse_from_rfc3339(&self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Timestamp {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_owned()))
    }
}

/// RFC 3339 text with the value's own offset (`+00:00` for UTC), as Gong's filters take it.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// assert_eq!(gong_users_sys::Timestamp::from(at).as_str(), "2024-01-01T00:00:00+00:00");
/// ```
impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp
where
    Tz::Offset: fmt::Display,
{
    fn from(value: DateTime<Tz>) -> Self {
        Self(value.to_rfc3339())
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> String {
        "Timestamp".to_owned()
    }

    fn schema_id() -> Cow<'static, str> {
        Cow::Borrowed("gong_users_sys::Timestamp")
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("date-time".to_owned()),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "ISO-8601 date-time with an offset and an optional fraction of a second, \
                     kept exactly as Gong sent it."
                        .to_owned(),
                ),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}
