//! Opaque, expiring cursors, like Gong's (seen in the wild as signed JWTs with an `exp`).
//!
//! A cursor names the offset of the next page and a fingerprint of the request parameters it
//! was issued for (`includeAvatars`, and the filter of `/v2/users/extensive`), an expiry, and a
//! keyed checksum so that a cursor edited by hand, or issued by another FakeGong, is refused
//! with 400; so is a cursor sent with other parameters than its own.

use std::hash::{Hash as _, Hasher as _};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What a cursor stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CursorState {
    pub(crate) offset: usize,
    /// A fingerprint of the request parameters (see `handler::Query::fingerprint`).
    pub(crate) params: u64,
}

/// Why a cursor was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CursorError {
    Malformed,
    Expired,
    ParametersChanged,
}

impl CursorError {
    pub(crate) fn message(&self) -> &'static str {
        match self {
            CursorError::Malformed => "The cursor is invalid",
            CursorError::Expired => "The cursor has expired",
            CursorError::ParametersChanged => "The cursor was issued for other request parameters",
        }
    }
}

/// Issues and checks cursors with one server's key.
pub(crate) struct Cursors {
    key: u64,
    ttl: Duration,
}

impl Cursors {
    pub(crate) fn new(key: u64, ttl: Duration) -> Self {
        Self { key, ttl }
    }

    pub(crate) fn issue(&self, state: CursorState) -> String {
        let expires = now_millis().saturating_add(self.ttl.as_millis() as u64);
        let payload = format!("{}.{:x}.{}", state.offset, state.params, expires);
        let token = format!("{payload}.{:016x}", self.checksum(&payload));
        URL_SAFE_NO_PAD.encode(token)
    }

    pub(crate) fn check(&self, cursor: &str, params: u64) -> Result<CursorState, CursorError> {
        let token = URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| CursorError::Malformed)?;
        let token = String::from_utf8(token).map_err(|_| CursorError::Malformed)?;
        let (payload, checksum) = token.rsplit_once('.').ok_or(CursorError::Malformed)?;
        if format!("{:016x}", self.checksum(payload)) != checksum {
            return Err(CursorError::Malformed);
        }
        let mut parts = payload.split('.');
        let (Some(offset), Some(issued_for), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CursorError::Malformed);
        };
        let offset: usize = offset.parse().map_err(|_| CursorError::Malformed)?;
        let expires: u64 = expires.parse().map_err(|_| CursorError::Malformed)?;
        if expires < now_millis() {
            return Err(CursorError::Expired);
        }
        if u64::from_str_radix(issued_for, 16) != Ok(params) {
            return Err(CursorError::ParametersChanged);
        }
        Ok(CursorState { offset, params })
    }

    fn checksum(&self, payload: &str) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.key.hash(&mut hasher);
        payload.hash(&mut hasher);
        hasher.finish()
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_refuses_tampering() {
        let cursors = Cursors::new(42, Duration::from_secs(60));
        let state = CursorState {
            offset: 200,
            params: 0xabc,
        };
        let cursor = cursors.issue(state);
        assert_eq!(cursors.check(&cursor, 0xabc), Ok(state));
        assert_eq!(
            cursors.check(&cursor, 0xabd),
            Err(CursorError::ParametersChanged)
        );
        assert_eq!(
            Cursors::new(43, Duration::from_secs(60)).check(&cursor, 0xabc),
            Err(CursorError::Malformed)
        );
        assert_eq!(
            cursors.check("not-a-cursor", 0xabc),
            Err(CursorError::Malformed)
        );
        let forged = URL_SAFE_NO_PAD.encode("0.abc.99999999999999.0000000000000000");
        assert_eq!(cursors.check(&forged, 0xabc), Err(CursorError::Malformed));
    }

    #[test]
    fn an_old_cursor_expires() {
        let cursors = Cursors::new(1, Duration::ZERO);
        let cursor = cursors.issue(CursorState {
            offset: 100,
            params: 1,
        });
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(cursors.check(&cursor, 1), Err(CursorError::Expired));
    }
}
