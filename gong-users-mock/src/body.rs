//! Gong's response bodies, built the way Gong writes them: the one place the workspace spells
//! a page envelope or an error body. FakeGong, the httpmock helpers, the tests and the bench data
//! all build theirs here.
//!
//! ```
//! use gong_users_mock::body::{PageBody, error_body};
//! let page = PageBody::new("req-1")
//!     .users([r#"{"id":"1","title":null}"#])
//!     .total_records(250)
//!     .cursor(Some("c2"))
//!     .render();
//! assert_eq!(
//!     page,
//!     r#"{"requestId":"req-1","records":{"totalRecords":250,"currentPageSize":1,"currentPageNumber":0,"cursor":"c2"},"users":[{"id":"1","title":null}]}"#
//! );
//! assert_eq!(error_body("req-2", &["No users found"]), r#"{"requestId":"req-2","errors":["No users found"]}"#);
//! ```

use std::fmt::{self, Write as _};

use serde_json::json;

/// One page of users as Gong sends it: `requestId`, `records` (total, page size, page number,
/// and the cursor when more pages follow), and `users`, each written exactly as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageBody {
    request_id: String,
    total_records: Option<usize>,
    page_number: usize,
    cursor: Option<String>,
    users: Vec<String>,
}

impl PageBody {
    /// An empty first page with this `requestId`.
    pub fn new(request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            total_records: None,
            page_number: 0,
            cursor: None,
            users: Vec::new(),
        }
    }

    /// The page's users, as JSON: `serde_json::Value`s, or text written byte for byte.
    pub fn users<U: fmt::Display>(mut self, users: impl IntoIterator<Item = U>) -> Self {
        self.users = users.into_iter().map(|user| user.to_string()).collect();
        self
    }

    /// `totalRecords` (default: the number of users on this page).
    pub fn total_records(mut self, total: usize) -> Self {
        self.total_records = Some(total);
        self
    }

    /// `currentPageNumber`, from 0 (default 0).
    pub fn page_number(mut self, number: usize) -> Self {
        self.page_number = number;
        self
    }

    /// The cursor of the next page; `None` (the default) on the last page.
    pub fn cursor(mut self, cursor: Option<impl Into<String>>) -> Self {
        self.cursor = cursor.map(Into::into);
        self
    }

    /// The body's JSON text.
    pub fn render(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PageBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written by hand, not through a JSON map, to keep Gong's documented key order.
        write!(
            f,
            r#"{{"requestId":{},"records":{{"totalRecords":{},"currentPageSize":{},"currentPageNumber":{}"#,
            json!(self.request_id),
            self.total_records.unwrap_or(self.users.len()),
            self.users.len(),
            self.page_number,
        )?;
        if let Some(cursor) = &self.cursor {
            write!(f, r#","cursor":{}"#, json!(cursor))?;
        }
        f.write_str(r#"},"users":["#)?;
        for (index, user) in self.users.iter().enumerate() {
            if index > 0 {
                f.write_char(',')?;
            }
            f.write_str(user)?;
        }
        f.write_str("]}")
    }
}

/// Gong's error body: `{"requestId": …, "errors": [messages…]}`, in Gong's key order.
pub fn error_body(request_id: &str, messages: &[&str]) -> String {
    format!(
        r#"{{"requestId":{},"errors":{}}}"#,
        json!(request_id),
        json!(messages)
    )
}
