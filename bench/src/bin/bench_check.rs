//! Checks what a timed run wrote: the users, in the server's order, none missing or extra.
//! ndjson, json and csv are checked by id; the table (which shows no id) by email address.
//!
//! `bench-check FORMAT DATA_DIR < output` prints `ok N users` or fails naming the first
//! difference.

use std::io::Read as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, dir] = args.as_slice() else {
        eprintln!("usage: bench-check ndjson|json|csv|table DATA_DIR < output");
        return ExitCode::from(2);
    };
    let mut output = String::new();
    if let Err(err) = std::io::stdin().read_to_string(&mut output) {
        eprintln!("bench-check: reading the output: {err}");
        return ExitCode::FAILURE;
    }
    let (expected_file, written) = match written(format, &output) {
        Ok(found) => found,
        Err(err) => {
            eprintln!("bench-check: {format} output does not parse: {err}");
            return ExitCode::FAILURE;
        }
    };
    let expected = match std::fs::read_to_string(format!("{dir}/{expected_file}")) {
        Ok(text) => text.lines().map(str::to_owned).collect::<Vec<_>>(),
        Err(err) => {
            eprintln!("bench-check: {dir}/{expected_file}: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(at) =
        (0..expected.len().max(written.len())).find(|&i| expected.get(i) != written.get(i))
    {
        eprintln!(
            "bench-check: {format}: user {at} is {:?}, the server sent {:?} ({} written, {} sent)",
            written.get(at),
            expected.get(at),
            written.len(),
            expected.len()
        );
        return ExitCode::FAILURE;
    }
    println!("ok {} users", written.len());
    ExitCode::SUCCESS
}

/// The file of expected values, and the values the output holds, in order.
fn written(format: &str, output: &str) -> Result<(&'static str, Vec<String>), String> {
    let id = |user: &serde_json::Value| user["id"].as_str().unwrap_or_default().to_owned();
    match format {
        "ndjson" => output
            .lines()
            .map(|line| serde_json::from_str(line).map(|user| id(&user)))
            .collect::<Result<_, _>>()
            .map(|ids| ("ids.txt", ids))
            .map_err(|err| err.to_string()),
        "json" => serde_json::from_str::<Vec<serde_json::Value>>(output)
            .map(|users| ("ids.txt", users.iter().map(id).collect()))
            .map_err(|err| err.to_string()),
        "csv" => {
            let mut reader = csv::Reader::from_reader(output.as_bytes());
            let rows: Result<Vec<_>, _> = reader.records().collect();
            rows.map(|rows| ("ids.txt", rows.iter().map(|r| r[0].to_owned()).collect()))
                .map_err(|err| err.to_string())
        }
        "table" => {
            // Columns: NAME (24 terminal columns) and EMAIL (32), two spaces apart; the header
            // first. Names in CJK scripts take two columns a character.
            let emails = output
                .lines()
                .skip(1)
                .map(|line| columns(line, 26, 32).trim_end().to_owned())
                .collect();
            Ok(("emails.txt", emails))
        }
        other => Err(format!("unknown format {other}")),
    }
}

/// The text of `line` from terminal column `start`, `width` columns long.
fn columns(line: &str, start: usize, width: usize) -> String {
    use unicode_width::UnicodeWidthChar as _;
    let mut column = 0;
    let mut text = String::new();
    for c in line.chars() {
        if column >= start && column < start + width {
            text.push(c);
        }
        column += c.width().unwrap_or(0);
    }
    text
}
