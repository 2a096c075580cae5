//! Helpers shared by the binary's tests: a FakeGong on a runtime of its own, and the binary aimed
//! at it.
#![allow(dead_code)]

use std::process::Command;

use gong_users_mock::FakeGong;

pub const BIN: &str = env!("CARGO_BIN_EXE_gong-users");

/// A FakeGong on its own runtime, which must live as long as the server.
pub struct Fake {
    pub fake: FakeGong,
    _runtime: tokio::runtime::Runtime,
}

pub fn start_fake(builder: gong_users_mock::FakeGongBuilder) -> Fake {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let fake = runtime.block_on(builder.start()).expect("FakeGong starts");
    Fake {
        fake,
        _runtime: runtime,
    }
}

/// `gong-users list ARGS` aimed at `fake`.
pub fn command(fake: &FakeGong, args: &[&str]) -> Command {
    subcommand(fake, "list", args)
}

/// `gong-users SUBCOMMAND ARGS` aimed at `fake`, with only its environment.
pub fn subcommand(fake: &FakeGong, name: &str, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.arg(name).args(args).env_clear().envs(fake.env());
    command
}
pub mod redis;
