//! The floor a sync is measured against: the same records (id and JSON), written into one table
//! in one transaction by the simplest loop a database allows, SQLite with one prepared `INSERT`,
//! Postgres with `COPY`. Prints the seconds the writing took (reading the pages aside).
//!
//! `sync-floor sqlite PATH DIR` or `sync-floor postgres URL DIR` (DIR from `bench-data`).

use std::path::Path;
use std::time::Instant;

use futures_util::SinkExt as _;
use gong_users::{Page, RawUser};

fn records(dir: &Path) -> Vec<(String, String)> {
    let mut records = Vec::new();
    for number in 0.. {
        let Ok(body) = std::fs::read(dir.join("pages").join(format!("p{number}.json"))) else {
            break;
        };
        let page = Page::<RawUser>::from_bytes(body).expect("a page");
        for user in page.users() {
            let id = user.decode().ok().and_then(|u| u.id).unwrap_or_default();
            records.push((id, user.as_str().to_owned()));
        }
    }
    records
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, target, dir] = args.as_slice() else {
        eprintln!("usage: sync-floor sqlite PATH DIR | sync-floor postgres URL DIR");
        std::process::exit(2);
    };
    let records = records(Path::new(dir));
    let started = Instant::now();
    match kind.as_str() {
        "sqlite" => {
            let mut db = rusqlite::Connection::open(target).expect("the file opens");
            db.execute_batch("CREATE TABLE floor (id TEXT PRIMARY KEY, record TEXT NOT NULL)")
                .expect("the table");
            let transaction = db.transaction().expect("a transaction");
            {
                let mut insert = transaction
                    .prepare("INSERT INTO floor (id, record) VALUES (?1, ?2)")
                    .expect("the statement");
                for (id, record) in &records {
                    insert.execute([id, record]).expect("a row");
                }
            }
            transaction.commit().expect("the commit");
        }
        "postgres" => {
            let (mut client, connection) = tokio_postgres::connect(target, tokio_postgres::NoTls)
                .await
                .expect("the database");
            tokio::spawn(connection);
            let transaction = client.transaction().await.expect("a transaction");
            transaction
                .batch_execute("CREATE TABLE floor (id text PRIMARY KEY, record jsonb NOT NULL)")
                .await
                .expect("the table");
            let sink = transaction
                .copy_in("COPY floor (id, record) FROM STDIN")
                .await
                .expect("COPY");
            let mut sink = std::pin::pin!(sink);
            let mut text = String::new();
            for (id, record) in &records {
                // COPY's text format: a backslash is written twice.
                text.push_str(id);
                text.push('\t');
                text.push_str(&record.replace('\\', "\\\\"));
                text.push('\n');
                if text.len() > 1 << 20 {
                    sink.send(bytes::Bytes::from(std::mem::take(&mut text)))
                        .await
                        .expect("COPY data");
                }
            }
            sink.send(bytes::Bytes::from(text))
                .await
                .expect("COPY data");
            sink.finish().await.expect("COPY end");
            transaction.commit().await.expect("the commit");
        }
        other => {
            eprintln!("unknown database {other}");
            std::process::exit(2);
        }
    }
    println!("{:.3}", started.elapsed().as_secs_f64());
}
