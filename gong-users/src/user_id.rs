//! Gong's user ids: numeric, up to 20 digits, always handled as strings (they pass 2^53 and u64).

/// True when `id` looks like a Gong user id: 1 to 20 ASCII digits. Anything else is refused
/// before a request is sent.
///
/// ```
/// assert!(gong_users::is_user_id("234599484848423"));
/// assert!(!gong_users::is_user_id("12a"));
/// assert!(!gong_users::is_user_id("123456789012345678901"));
/// ```
pub fn is_user_id(id: &str) -> bool {
    (1..=20).contains(&id.len()) && id.bytes().all(|byte| byte.is_ascii_digit())
}

/// The error for ids that are not Gong user ids, for the generated call to report.
pub(crate) fn check_user_ids<S: AsRef<str>>(
    ids: impl IntoIterator<Item = S>,
) -> Result<(), gong_users_sys::Error<gong_users_sys::types::ErrorResponse>> {
    match ids.into_iter().find(|id| !is_user_id(id.as_ref())) {
        Some(bad) => Err(gong_users_sys::Error::InvalidRequest(format!(
            "{:?} is not a Gong user id (1 to 20 digits)",
            bad.as_ref()
        ))),
        None => Ok(()),
    }
}
