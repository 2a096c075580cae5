//! Fuzzes the page readers: any bytes either decode or fail with a typed error (never a panic),
//! the error's message can be built, a decoded page serializes and decodes again to the same
//! value, and the raw reader agrees with the typed one on every page the typed one accepts.
#![no_main]

use gong_users::{Page, RawUser, User};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = Page::<RawUser>::from_bytes(data.to_vec());
    match Page::<User>::from_bytes(data.to_vec()) {
        Ok(page) => {
            let raw = raw.expect("a page the typed reader accepts, the raw one accepts");
            assert_eq!(raw.users().len(), page.users().len());
            assert_eq!(raw.records(), page.records());
            for (json, user) in raw.users().iter().zip(page.users()) {
                assert_eq!(&json.decode().expect("each raw user decodes alone"), user);
            }
            let json = serde_json::to_vec(&page.clone().into_metadata())
                .expect("a decoded page serializes");
            let again = Page::<User>::from_bytes(json).expect("a re-serialized page decodes");
            assert_eq!(again, page);
        }
        Err(error) => {
            let _ = error.to_string();
            if let Err(error) = raw {
                let _ = error.to_string();
            }
        }
    }
});
