//! `GET /v2/users/{id}/settings-history`: when each of a user's settings changed, and to what.

use std::marker::PhantomData;

use bytes::Bytes;
use gong_users_sys::types::{UserSettingChange, UserSettingsHistory};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ops::user_id::check_user_ids;
use crate::pipeline::{BuiltRequest, Operation, send};
use crate::response::decode::{decode_error, decode_json};
use crate::response::raw::{Raw, RawSettingChange, body_text, parse_envelope};
use crate::{Client, Error};

impl Client {
    /// One user's settings history (`GET /v2/users/{id}/settings-history`): `.send()` gives
    /// each change, oldest first.
    pub fn user_settings_history(&self, id: impl Into<String>) -> GetSettingsHistory {
        GetSettingsHistory::new(self.clone(), id.into())
    }
}

/// A request for one user's settings history, built by [`Client::user_settings_history`]. An
/// unknown id fails with [`Error::is_not_found`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() or .send_raw()"]
pub struct GetSettingsHistory {
    client: Client,
    id: String,
}

/// A user's settings history: each change, oldest first as Gong sends them. `T` is
/// [`UserSettingChange`] ([`GetSettingsHistory::send`]) or [`RawSettingChange`], each change as
/// Gong's bytes ([`GetSettingsHistory::send_raw`]).
///
/// `setting` is kept as text: Gong documents `active`, `webConferencesRecorded`,
/// `emailsImported` and seven more, and adds others; an unknown one comes through as sent. The
/// `active` entries say when a user was deactivated or reactivated.
#[derive(Clone, Debug, PartialEq)]
pub struct SettingsHistory<T = UserSettingChange> {
    request_id: Option<String>,
    changes: Vec<T>,
}

impl<T> SettingsHistory<T> {
    /// Gong's reference for the request, for troubleshooting.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The changes, oldest first.
    pub fn changes(&self) -> &[T] {
        &self.changes
    }

    /// The changes, owned.
    pub fn into_changes(self) -> Vec<T> {
        self.changes
    }
}

impl SettingsHistory<RawSettingChange> {
    /// Decodes every change; one that does not decode fails with the JSON path of the bad value.
    pub fn decode(&self) -> Result<SettingsHistory, Error> {
        Ok(SettingsHistory {
            request_id: self.request_id.clone(),
            changes: Raw::decode_list(&self.changes, "userSettingsHistory")?,
        })
    }
}

impl GetSettingsHistory {
    pub(crate) fn new(client: Client, id: String) -> Self {
        Self { client, id }
    }

    /// Fetches the history, each change decoded.
    pub async fn send(self) -> Result<SettingsHistory, Error> {
        send(
            &self.client.inner,
            &HistoryOf::<UserSettingChange>::new(&self.id),
        )
        .await
    }

    /// Fetches the history, each change as Gong's bytes (unknown keys, `null`s and key order
    /// kept).
    pub async fn send_raw(self) -> Result<SettingsHistory<RawSettingChange>, Error> {
        send(
            &self.client.inner,
            &HistoryOf::<RawSettingChange>::new(&self.id),
        )
        .await
    }
}

/// The operation, its changes read as `T`.
struct HistoryOf<'a, T> {
    id: &'a str,
    changes: PhantomData<fn() -> T>,
}

impl<'a, T> HistoryOf<'a, T> {
    fn new(id: &'a str) -> Self {
        Self {
            id,
            changes: PhantomData,
        }
    }
}

/// How a history body is read for each kind of change.
trait HistoryItem: Sized + Send {
    fn decode_history(status: StatusCode, body: Bytes) -> Result<SettingsHistory<Self>, Error>;
}

impl HistoryItem for UserSettingChange {
    fn decode_history(status: StatusCode, body: Bytes) -> Result<SettingsHistory<Self>, Error> {
        let history = decode_json::<UserSettingsHistory>(status, &body, "")?;
        Ok(SettingsHistory {
            request_id: history.request_id,
            changes: history.user_settings_history.unwrap_or_default(),
        })
    }
}

/// The parts of a history body decoded for raw changes; the changes stay bytes.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    #[serde(rename = "userSettingsHistory", borrow)]
    changes: Option<Vec<&'a RawValue>>,
}

impl HistoryItem for Raw<UserSettingChange> {
    fn decode_history(status: StatusCode, body: Bytes) -> Result<SettingsHistory<Self>, Error> {
        let typed_error = || decode_error::<UserSettingsHistory>(status, &body, "");
        let text = body_text(&body).ok_or_else(typed_error)?;
        let envelope = parse_envelope::<Envelope<'_>>(&text).ok_or_else(typed_error)?;
        let changes = envelope.changes.as_deref().unwrap_or_default();
        let changes = Raw::locate(&text, changes).map_err(|_| typed_error())?;
        Ok(SettingsHistory {
            request_id: envelope.request_id,
            changes,
        })
    }
}

impl<T: HistoryItem> Operation for HistoryOf<'_, T> {
    type Output = SettingsHistory<T>;
    const NAME: &'static str = "get_user_history";

    async fn build(&self, raw: &gong_users_sys::Client) -> BuiltRequest {
        check_user_ids([self.id]).map_err(gong_users_sys::Error::InvalidRequest)?;
        gong_users_sys::build_request(raw.get_user_history().id(self.id).send()).await
    }

    fn decode(&self, status: StatusCode, body: Bytes) -> Result<SettingsHistory<T>, Error> {
        T::decode_history(status, body)
    }
}
