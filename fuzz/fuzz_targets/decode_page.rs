//! Fuzzes the page decoder: any bytes either decode or fail with a typed error (never a
//! panic), the error's message can be built, and a decoded page serializes and decodes again
//! to the same value.
#![no_main]

use gong_users::Page;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Page::from_slice(data) {
        Ok(page) => {
            let json = serde_json::to_vec(page.metadata()).expect("a decoded page serializes");
            let again = Page::from_slice(&json).expect("a re-serialized page decodes");
            assert_eq!(again, page);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
