//! Export every user to a CSV file, page by page (memory stays flat however large the company).
//!
//! ```sh
//! cargo run -p gong-users-examples --example export_csv -- users.csv
//! ```

use futures::TryStreamExt as _;
use gong_users::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "users.csv".to_owned());
    let client = Client::from_env()?;
    let mut csv = csv::Writer::from_path(&path)?;
    csv.write_record([
        "id",
        "email",
        "first_name",
        "last_name",
        "title",
        "active",
        "manager_id",
        "created",
    ])?;
    let mut pages = client.list_users().pages();
    let mut written = 0;
    while let Some(page) = pages.try_next().await? {
        for user in page.users() {
            csv.write_record([
                user.id.as_deref().unwrap_or_default(),
                user.email_address.as_deref().unwrap_or_default(),
                user.first_name.as_deref().unwrap_or_default(),
                user.last_name.as_deref().unwrap_or_default(),
                user.title.as_deref().unwrap_or_default(),
                &user.active.map(|a| a.to_string()).unwrap_or_default(),
                user.manager_id.as_deref().unwrap_or_default(),
                user.created
                    .as_ref()
                    .map(|c| c.as_str())
                    .unwrap_or_default(),
            ])?;
            written += 1;
        }
        csv.flush()?; // a failure later still leaves every finished page on disk
    }
    eprintln!("wrote {written} users to {path}");
    Ok(())
}
