//! Many users by id, batched through `POST /v2/users/extensive`: a handful of requests for
//! hundreds of ids, not one each (which is how other clients ran into Gong's quota).

use std::collections::{HashMap, HashSet};

use futures_util::TryStreamExt as _;
use gong_users_sys::types::User;

use crate::error::ErrorKind;
use crate::ops::list_page::{Filter, PageRequest};
use crate::ops::pagination::Pages;
use crate::ops::user_id::check_user_ids;
use crate::response::page_item::PageItem;
use crate::{Client, Error, RawUser};

impl Client {
    /// Many users by id, up to [`MAX_IDS_PER_REQUEST`](crate::MAX_IDS_PER_REQUEST) a request
    /// through `POST /v2/users/extensive`: `.send()` gives them in the order the ids were
    /// given, with the ids not found beside them ([`UsersByIds`](crate::UsersByIds)).
    pub fn get_users<I: Into<String>>(&self, ids: impl IntoIterator<Item = I>) -> GetUsers {
        GetUsers::new(self.clone(), ids.into_iter().map(Into::into).collect())
    }
}

/// How many ids go in one request.
pub const MAX_IDS_PER_REQUEST: usize = 100;

/// A request for many users by id, built by [`Client::get_users`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until .send() or .send_raw()"]
pub struct GetUsers {
    client: Client,
    ids: Vec<String>,
    include_avatars: Option<bool>,
}

/// The users found for a list of ids, in the order the ids were given (each once), and the ids
/// Gong does not have. `T` is [`User`] ([`GetUsers::send`]) or [`RawUser`]
/// ([`GetUsers::send_raw`]).
///
/// Not finding an id is not an error of the request, so it cannot be one of `send`'s errors;
/// but it must not pass unseen either: take the users with [`UsersByIds::into_all`] (an error
/// naming the missing ids) or [`UsersByIds::into_parts`] (the users and the missing ids).
#[derive(Clone, Debug, PartialEq)]
#[must_use = "some ids may not have been found: see not_found(), or take the users with into_all()"]
pub struct UsersByIds<T = User> {
    users: Vec<T>,
    not_found: Vec<String>,
}

impl<T> UsersByIds<T> {
    /// The users found, in the order their ids were given.
    pub fn users(&self) -> &[T] {
        &self.users
    }

    /// The ids Gong has no user for, in the order they were given.
    pub fn not_found(&self) -> &[String] {
        &self.not_found
    }

    /// True when every id was found.
    pub fn is_complete(&self) -> bool {
        self.not_found.is_empty()
    }

    /// The users, or [`ErrorKind::UsersNotFound`] naming the ids not found.
    pub fn into_all(self) -> Result<Vec<T>, Error> {
        if self.not_found.is_empty() {
            Ok(self.users)
        } else {
            Err(ErrorKind::UsersNotFound {
                ids: self.not_found,
            }
            .into())
        }
    }

    /// The users found and the ids not found.
    pub fn into_parts(self) -> (Vec<T>, Vec<String>) {
        (self.users, self.not_found)
    }
}

impl GetUsers {
    pub(crate) fn new(client: Client, ids: Vec<String>) -> Self {
        Self {
            client,
            ids,
            include_avatars: None,
        }
    }

    /// Whether avatars (Gong's synthetic users for its own staff) can be found too (left out
    /// unless asked for, as in a listing).
    pub fn include_avatars(mut self, include: bool) -> Self {
        self.include_avatars = Some(include);
        self
    }

    /// Fetches the users, decoded.
    pub async fn send(self) -> Result<UsersByIds<User>, Error> {
        self.fetch().await
    }

    /// Fetches the users, each as Gong's bytes (`null`s, unknown fields and key order kept).
    pub async fn send_raw(self) -> Result<UsersByIds<RawUser>, Error> {
        self.fetch().await
    }

    async fn fetch<T: PageItem>(self) -> Result<UsersByIds<T>, Error> {
        check_user_ids(&self.ids).map_err(ErrorKind::InvalidRequest)?;
        let mut seen = HashSet::new();
        let ids: Vec<String> = self
            .ids
            .into_iter()
            .filter(|id| seen.insert(id.clone()))
            .collect();
        let mut found: HashMap<String, T> = HashMap::with_capacity(ids.len());
        for batch in ids.chunks(MAX_IDS_PER_REQUEST) {
            let request = PageRequest {
                cursor: None,
                include_avatars: self.include_avatars,
                filter: Some(Filter {
                    user_ids: batch.to_vec(),
                    ..Filter::default()
                }),
                by_ids: true,
            };
            let mut pages = Pages::<T>::new(self.client.clone(), request, 0);
            while let Some(page) = pages.try_next().await? {
                for user in page.into_users() {
                    if let Some(id) = user.user_id() {
                        found.entry(id).or_insert(user);
                    }
                }
            }
        }
        let mut users = Vec::with_capacity(found.len());
        let mut not_found = Vec::new();
        for id in ids {
            match found.remove(&id) {
                Some(user) => users.push(user),
                None => not_found.push(id),
            }
        }
        Ok(UsersByIds { users, not_found })
    }
}
