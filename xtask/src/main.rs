//! Workspace automation, run as `cargo xtask <command>`.
//!
//! - `codegen`: regenerate `gong-users-sys/src/generated.rs` and the CLI's row columns
//!   (`gong-users-cli/src/generated/schemas.rs`) from `openapi/gong-users.yaml`.
//! - `codegen --check`: fail, with a short diff, when the committed file has drifted from the spec.
//! - `layout --check`: fail when the source files of a crate import each other in a circle.
//! - `public-api`: write `gong-users/public-api.txt`, the crate's public API one item a line.
//! - `public-api --check`: fail, with a short diff, when the public API changed without it.

mod codegen;
mod columns;
mod diff;
mod layout;
mod public_api;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  codegen           regenerate gong-users-sys/src/generated.rs and the CLI's row columns from openapi/gong-users.yaml
  codegen --check   exit 1 with a diff when the committed generated file differs from the spec's output
  layout --check    exit 1 naming each circle of imports among a crate's source files
  public-api        write gong-users/public-api.txt, the public API of gong-users (rustdoc JSON)
  public-api --check  exit 1 with a diff when the public API differs from the committed list
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(&workspace_root(), codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(&workspace_root(), codegen::Mode::Check),
        ["layout", "--check"] => return layout_check(),
        ["public-api"] => public_api::run(&workspace_root(), false),
        ["public-api", "--check"] => public_api::run(&workspace_root(), true),
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(codegen::Outcome::UpToDate) => ExitCode::SUCCESS,
        Ok(codegen::Outcome::Drifted) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask always lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}

/// `cargo xtask layout --check`.
fn layout_check() -> ExitCode {
    match layout::check(&workspace_root()) {
        Ok(report) if report.circles.is_empty() => {
            eprintln!("no circle of imports among {} source files", report.files);
            ExitCode::SUCCESS
        }
        Ok(report) => {
            for circle in &report.circles {
                let files: Vec<String> = circle.iter().map(|p| p.display().to_string()).collect();
                eprintln!("a circle of imports: {}", files.join(" <-> "));
            }
            eprintln!(
                "{} circle(s): every import should point down the layers (see ARCHITECTURE.md)",
                report.circles.len()
            );
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
