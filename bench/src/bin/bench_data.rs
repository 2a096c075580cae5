//! Writes `PAGES` static page files of 100 realistic users each into `DIR/pages/`, named by the
//! cursor that asks for them (`p0.json` is the first page; each names the next as its cursor),
//! and what a correct run must write, in order: `DIR/ids.txt` (each user's id) and
//! `DIR/emails.txt` (each user's email address, empty when it has none), for `bench-check`.
//!
//! `bench-data DIR PAGES [CHANGED]`: with CHANGED, one user in CHANGED has another title (the
//! same company a while later, for the re-sync benchmark).

use std::io::Write as _;
use std::path::PathBuf;

use gong_users_mock::body::PageBody;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(pages)) = (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: bench-data DIR PAGES [CHANGED]");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir).join("pages");
    std::fs::create_dir_all(&dir)?;
    let changed_every = args.next().and_then(|n| n.parse::<usize>().ok());
    let (mut users, _) = gong_users_mock::synthetic_users(pages * 100, 0, 42);
    if let Some(every) = changed_every.filter(|&n| n > 0) {
        for user in users.iter_mut().step_by(every) {
            user["title"] = serde_json::json!("Changed title");
        }
    }
    let mut bytes = 0;
    for (number, chunk) in users.chunks(100).enumerate() {
        let text = PageBody::new(format!("bench{number:014}"))
            .page_number(number)
            .total_records(users.len())
            .cursor((number + 1 < pages).then(|| format!("p{}", number + 1)))
            .users(chunk)
            .render();
        bytes += text.len();
        std::fs::File::create(dir.join(format!("p{number}.json")))?.write_all(text.as_bytes())?;
    }
    let field = |name: &str| -> String {
        users
            .iter()
            .map(|u| format!("{}\n", u[name].as_str().unwrap_or_default()))
            .collect()
    };
    let root = dir.parent().unwrap_or(&dir);
    std::fs::write(root.join("ids.txt"), field("id"))?;
    std::fs::write(root.join("emails.txt"), field("emailAddress"))?;
    println!("{pages} pages, {} users, {bytes} bytes", users.len());
    Ok(())
}
