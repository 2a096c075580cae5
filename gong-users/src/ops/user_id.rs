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

/// What is wrong with the first of `ids` that is not a Gong user id.
pub(crate) fn check_user_ids<S: AsRef<str>>(
    ids: impl IntoIterator<Item = S>,
) -> Result<(), String> {
    match ids.into_iter().find(|id| !is_user_id(id.as_ref())) {
        Some(bad) => Err(format!(
            "{:?} is not a Gong user id (1 to 20 digits)",
            bad.as_ref()
        )),
        None => Ok(()),
    }
}
