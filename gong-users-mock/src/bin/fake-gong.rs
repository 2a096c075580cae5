//! `fake-gong`: FakeGong as a standalone server, for trying programs that read their settings
//! from the environment (the examples, your own scripts) without a Gong account.
//!
//! It prints the environment to use, one `export` line each (the access key's, or with
//! `--token-lifetime` an OAuth app's), then serves until stopped:
//!
//! ```text
//! $ fake-gong --users 500 --faults 0.1 &
//! export GONG_BASE_URL=http://127.0.0.1:41234
//! export GONG_ACCESS_KEY=fake-access-key
//! export GONG_ACCESS_KEY_SECRET=fake-access-key-secret
//! ```

use std::process::ExitCode;

use gong_users_mock::{FakeGong, Faults};

const USAGE: &str = "\
usage: fake-gong [--users N] [--avatars N] [--page-size N] [--faults P] [--rate-limit N]
                 [--rate-limit-burst N] [--endless-page N] [--token-lifetime SECONDS] [--seed N]
                 [--churn N]

--churn N changes N users at each start (a title updated, a user deactivated, removed, added),
differently each time: successive `gong-users sync` runs against it build a history.

--token-lifetime serves OAuth as a Gong app meets it (single-use refresh tokens that rotate,
access tokens that live SECONDS): the printed environment is then the app's OAuth credentials.

Serves a fake Gong GET /v2/users on 127.0.0.1 (a free port) until stopped, after printing the
GONG_* environment a client needs to reach it.";

fn main() -> ExitCode {
    let mut builder = FakeGong::builder();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        let Some(value) = args.next() else {
            eprintln!("error: {flag} needs a value\n{USAGE}");
            return ExitCode::from(2);
        };
        let configured = match flag.as_str() {
            "--users" => value.parse().ok().map(|n| builder.clone().users(n)),
            "--avatars" => value.parse().ok().map(|n| builder.clone().avatars(n)),
            "--faults" => value
                .parse()
                .ok()
                .map(|p| builder.clone().faults(Faults::mixed(p))),
            "--page-size" => value.parse().ok().map(|n| builder.clone().page_size(n)),
            "--churn" => value.parse().ok().map(|n| {
                // Another draw at each start.
                let seed = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |since| since.as_nanos() as u64);
                builder.clone().churn(n, seed)
            }),
            "--rate-limit" => value.parse().ok().map(|n| builder.clone().rate_limit(n)),
            "--rate-limit-burst" => value
                .parse()
                .ok()
                .map(|n| builder.clone().rate_limit_burst(n)),
            "--token-lifetime" => value.parse().ok().map(|seconds| {
                builder
                    .clone()
                    .access_token_lifetime(std::time::Duration::from_secs(seconds))
            }),
            "--endless-page" => value
                .parse()
                .ok()
                .map(|n| builder.clone().endless_page(Some(n))),
            "--seed" => value.parse().ok().map(|n| builder.clone().seed(n)),
            _ => None,
        };
        match configured {
            Some(configured) => builder = configured,
            None => {
                eprintln!("error: bad flag or value: {flag} {value}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let fake = match builder.start().await {
            Ok(fake) => fake,
            Err(err) => {
                eprintln!("error: could not start: {err}");
                return ExitCode::FAILURE;
            }
        };
        for (name, value) in fake.env() {
            println!("export {name}={value}");
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let _ = tokio::signal::ctrl_c().await;
        ExitCode::SUCCESS
    })
}
