//! An endless body exits 5 within bounded memory. A file of its own, so that its peak RSS is
//! measured with no sibling test's load beside it (cargo runs test binaries one at a time).

use std::io::Read as _;
use std::process::Stdio;

use gong_users_mock::FakeGong;
use support::{command, start_fake};

mod support;

#[test]
#[allow(clippy::zombie_processes)] // waited for with wait4, for its own resource use
fn an_endless_body_exits_5_within_bounded_memory() {
    let fake = start_fake(FakeGong::builder().users(300).endless_page(Some(1)));
    let mut child = command(&fake.fake, &["--format", "ndjson", "--rate-limit", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    // This child's own resource use (not every child's the test process waited for, which
    // other tests running beside this one would add to).
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 on our own child, with a status and a rusage it fills.
    let usage = unsafe {
        assert_eq!(libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()), pid);
        usage.assume_init()
    };
    assert!(libc::WIFEXITED(status), "{stderr}");
    assert_eq!(libc::WEXITSTATUS(status), 5, "{stderr}");
    assert_eq!(stdout.lines().count(), 100, "the first page was written");
    assert!(stderr.contains("33554432-byte bound"), "{stderr}");
    let peak_mib = usage.ru_maxrss / 1024; // kilobytes on Linux
    assert!(peak_mib < 64, "peak RSS {peak_mib} MiB on an endless page");
}
