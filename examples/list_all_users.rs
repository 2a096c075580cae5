//! List every user of your Gong company, one line each.
//!
//! ```sh
//! export GONG_ACCESS_KEY=… GONG_ACCESS_KEY_SECRET=…   # or GONG_BEARER_TOKEN=…
//! export GONG_BASE_URL=https://us-55616.api.gong.io   # your company's host, if not the default
//! cargo run -p gong-users-examples --example list_all_users
//! ```

use futures::TryStreamExt as _;
use gong_users::Client;

#[tokio::main]
async fn main() -> Result<(), gong_users::Error> {
    let client = Client::from_env()?;
    let mut users = client.list_users().items();
    let mut count = 0;
    while let Some(user) = users.try_next().await? {
        count += 1;
        println!(
            "{}\t{}\t{}",
            user.id.as_deref().unwrap_or("-"),
            user.email_address.as_deref().unwrap_or("-"),
            user.active
                .map_or("-", |active| if active { "active" } else { "inactive" }),
        );
    }
    eprintln!("{count} users");
    Ok(())
}
