//! Fuzzes the page decoders: any bytes either decode or fail with a typed error (never a
//! panic), the error's message can be built, a decoded page serializes and decodes again to the
//! same value, and the raw decoder agrees with the typed one on every page the typed one accepts.
#![no_main]

use gong_users::{Page, RawPage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = RawPage::from_bytes(data.to_vec());
    match Page::from_slice(data) {
        Ok(page) => {
            let json = serde_json::to_vec(page.metadata()).expect("a decoded page serializes");
            let again = Page::from_slice(&json).expect("a re-serialized page decodes");
            assert_eq!(again, page);
            let raw = raw.expect("a page the typed decoder accepts, the raw one accepts");
            assert_eq!(raw.users_json().len(), page.users().len());
            assert_eq!(raw.next_cursor(), page.next_cursor());
            for (json, user) in raw.users_json().zip(page.users()) {
                let decoded: gong_users::User =
                    serde_json::from_slice(json).expect("each raw user decodes alone");
                assert_eq!(&decoded, user);
            }
        }
        Err(error) => {
            let _ = error.to_string();
            if let Err(error) = raw {
                let _ = error.to_string();
            }
        }
    }
});
