//! `GET /v2/users/{id}`: one user by id.

use bytes::Bytes;
use gong_users_sys::types::User;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::ops::user_id::check_user_ids;
use crate::pipeline::{BuiltRequest, Operation, send};
use crate::response::decode::decode_json;
use crate::{Client, Error};

impl Client {
    /// One user by id (`GET /v2/users/{id}`): `.send()` gives the [`User`](crate::User), or an
    /// error with [`Error::is_not_found`] for an unknown id.
    pub fn get_user(&self, id: impl Into<String>) -> GetUser {
        GetUser::new(self.clone(), id.into())
    }
}

/// A request for one user, built by [`Client::get_user`]. An unknown id fails with
/// [`Error::is_not_found`].
///
/// To look up many users, use [`Client::get_users`]: it asks for up to 100 a request.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send()"]
pub struct GetUser {
    client: Client,
    id: String,
}

impl GetUser {
    pub(crate) fn new(client: Client, id: String) -> Self {
        Self { client, id }
    }

    /// Fetches the user.
    pub async fn send(self) -> Result<User, Error> {
        send(&self.client.inner, &self).await
    }
}

/// The body of a 200: the user is required (a 200 without one is a decode error).
#[derive(Deserialize)]
struct UserResponse {
    user: User,
}

impl Operation for GetUser {
    type Output = User;
    const NAME: &'static str = "get_user";

    async fn build(&self, raw: &gong_users_sys::Client) -> BuiltRequest {
        check_user_ids([&self.id]).map_err(gong_users_sys::Error::InvalidRequest)?;
        gong_users_sys::build_request(raw.get_user().id(self.id.as_str()).send()).await
    }

    fn decode(&self, status: StatusCode, body: Bytes) -> Result<User, Error> {
        decode_json::<UserResponse>(status, &body, "").map(|response| response.user)
    }
}
