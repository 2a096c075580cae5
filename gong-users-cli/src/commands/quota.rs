//! `gong-users quota`: the company's shared pace and daily budget, as every process of it sees
//! them through Redis.

use std::process::ExitCode;
use std::time::Duration;

use gong_users::{ENV_REDIS_URL, QuotaState};

use crate::cli::{QuotaArgs, QuotaFormat};
use crate::connection::connect_quietly;
use crate::report::{self, exit};

pub async fn run(args: QuotaArgs) -> ExitCode {
    let connection = match connect_quietly(&args.connection).await {
        Ok(connection) => connection,
        Err(status) => return status,
    };
    let state = match connection.client.quota().await {
        Ok(Some(state)) => state,
        Ok(None) => {
            eprintln!(
                "error: no shared state: set {ENV_REDIS_URL} to the Redis every process of the \
                 company uses (quota shows what they share)"
            );
            return ExitCode::from(exit::CONFIG);
        }
        Err(error) => return report::error(&error),
    };
    let text = match args.format {
        QuotaFormat::Table => table(&state),
        QuotaFormat::Json => json(&state),
    };
    println!("{text}");
    ExitCode::from(exit::OK)
}

fn table(state: &QuotaState) -> String {
    let pace = match state.pace_per_second {
        0 => "none".to_owned(),
        n => format!("{n} requests a second"),
    };
    let oldest = state
        .oldest_frees_in
        .map_or("(no request in the window)".to_owned(), |wait| {
            format!("in {}", human(wait))
        });
    format!(
        "pace                {pace}\n\
         next request        in {}\n\
         used (24 hours)     {}\n\
         budget              {}\n\
         left                {}\n\
         oldest frees        {oldest}",
        human(state.next_slot_in),
        state.used,
        state.budget,
        state.left,
    )
}

fn json(state: &QuotaState) -> String {
    serde_json::json!({
        "pace_per_second": state.pace_per_second,
        "next_request_in_seconds": state.next_slot_in.as_secs_f64(),
        "used_last_24_hours": state.used,
        "budget": state.budget,
        "left": state.left,
        "oldest_frees_in_seconds": state.oldest_frees_in.map(|wait| wait.as_secs_f64()),
    })
    .to_string()
}

/// `0.25s`, `4m 05s`, `3h 12m`.
fn human(wait: Duration) -> String {
    let seconds = wait.as_secs();
    match seconds {
        0..60 => format!("{:.2}s", wait.as_secs_f64()),
        60..3600 => format!("{}m {:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h {:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}
