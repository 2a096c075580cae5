//! What the sync tests share: a client aimed at a local server, a company served by httpmock,
//! and a real Postgres.
//!
//! The Postgres: the OS packages' server, `initdb` and `pg_ctl` run as the
//! `postgres` user (Postgres refuses root) on a free port of 127.0.0.1, in a temporary folder,
//! stopped when dropped. Never a mock, never a silent skip: without it the tests fail, saying
//! how to install it.
#![allow(dead_code)]

use std::net::TcpListener;

use gong_users::{Client, Credentials, RateLimit, RetryPolicy};
use gong_users_sync::{Outcome, Summary};
use httpmock::MockServer;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A client for `base_url` with Basic auth, no rate limit and no retries.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .unwrap()
        .credentials(Credentials::basic("key", "secret"))
        .rate_limit(RateLimit::Off)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Serves one page holding `users` (each as the JSON text given, so spelling is kept).
pub fn serve(server: &MockServer, users: &[&str]) {
    server.reset();
    let body = format!(
        r#"{{"requestId":"r","records":{{"totalRecords":{},"currentPageSize":{0}}},"users":[{}]}}"#,
        users.len(),
        users.join(",")
    );
    server.mock(|when, then| {
        when.path("/v2/users");
        then.status(200).body(body);
    });
}

/// Serves a listing of two pages that shifted between their requests: users 1 and 2, then 2
/// (its title changed from "old" to "new") and 3.
pub fn serve_shifted_pages(server: &MockServer) {
    let page = |users: &str, cursor: &str| {
        format!(
            r#"{{"records":{{"totalRecords":4,"currentPageSize":2{cursor}}},"users":[{users}]}}"#
        )
    };
    let first = page(
        r#"{"id":"1","active":true},{"id":"2","active":true,"title":"old"}"#,
        r#","cursor":"c2""#,
    );
    let second = page(
        r#"{"id":"2","active":true,"title":"new"},{"id":"3","active":true}"#,
        "",
    );
    server.mock(|when, then| {
        when.path("/v2/users").query_param("cursor", "c2");
        then.status(200).body(second);
    });
    server.mock(|when, then| {
        when.path("/v2/users").query_param_missing("cursor");
        then.status(200).body(first);
    });
}

/// The summary of a sync that committed; panics on any other outcome.
pub fn committed(outcome: Outcome) -> Summary {
    match outcome {
        Outcome::Done(summary) => summary,
        other => panic!("expected a committed sync, got {other:?}"),
    }
}

pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    _folder: tempfile::TempDir,
}

/// The server's programs: the newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| entries.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    versions.retain(|bin| bin.join("initdb").exists());
    versions.sort();
    versions.pop().unwrap_or_else(|| {
        panic!(
            "no Postgres server found under /usr/lib/postgresql: these tests need a real one; \
             install it with `apt-get install -y postgresql` (.ci/run does)"
        )
    })
}

/// Runs `program` as the `postgres` user when this process is root (Postgres refuses root).
fn as_postgres(program: &Path) -> Command {
    let root = std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// A CA and a certificate it signed for 127.0.0.1 and localhost: (CA PEM, certificate PEM, key
/// PEM).
fn test_certificates() -> (String, String, String) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "gong-users test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let server =
        rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_pem = server.signed_by(&server_key, &issuer).unwrap().pem();
    (ca_pem, server_pem, server_key.serialize_pem())
}

impl Postgres {
    /// A server that takes connections over TCP without TLS.
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// A server that takes connections over TCP with TLS only, its certificate signed by the CA
    /// at [`Postgres::ca`] for 127.0.0.1.
    pub fn start_with_tls() -> Self {
        Self::start_with(true)
    }

    /// The PEM file of the CA that signed a TLS server's certificate.
    pub fn ca(&self) -> PathBuf {
        self._folder.path().join("ca.pem")
    }

    fn start_with(tls: bool) -> Self {
        let bin = bin_dir();
        let folder = tempfile::tempdir().expect("a temporary folder");
        let data = folder.path().join("data");
        // The postgres user must own the folder.
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(folder.path())
            .status();
        let _ = Command::new("chmod").arg("755").arg(folder.path()).status();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let status = as_postgres(&bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("initdb runs");
        assert!(
            status.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let mut options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            folder.path().display()
        );
        if tls {
            let (ca, certificate, key) = test_certificates();
            std::fs::write(folder.path().join("ca.pem"), ca).unwrap();
            std::fs::write(data.join("server.crt"), certificate).unwrap();
            std::fs::write(data.join("server.key"), key).unwrap();
            // TCP with TLS only: a connection that works proves TLS was spoken.
            std::fs::write(
                data.join("pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 trust\n",
            )
            .unwrap();
            // Postgres wants its key readable by its owner alone.
            let _ = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(data.join("server.crt"))
                .arg(data.join("server.key"))
                .arg(data.join("pg_hba.conf"))
                .status();
            let _ = Command::new("chmod")
                .arg("600")
                .arg(data.join("server.key"))
                .status();
            options.push_str(" -c ssl=on");
        }
        let started = as_postgres(&bin.join("pg_ctl"))
            .args(["-w", "-t", "60", "-l"])
            .arg(folder.path().join("log"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "start"])
            .output()
            .expect("pg_ctl runs");
        assert!(
            started.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Postgres did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            bin,
            data,
            port,
            _folder: folder,
        }
    }

    /// A new, empty database on this server.
    pub fn database(&self, name: &str) -> String {
        let created = as_postgres(&self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ])
            .output()
            .expect("createdb runs");
        assert!(
            created.status.success(),
            "createdb: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .args(["-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .output();
    }
}
