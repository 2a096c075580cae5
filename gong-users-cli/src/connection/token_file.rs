//! The token file: where the CLI keeps the tokens Gong hands out, so the next run (and any run
//! at the same time) starts from tokens that still work (each refresh token works once).
//!
//! It holds only what it must: the app's client id (a file from another app is ignored), the
//! newest refresh token, the access token with its expiry and the customer's host (so an
//! overlapping run reuses the access token instead of refreshing), and a SHA-256 of the
//! environment's refresh token that started the chain. No client secret. It is written
//! atomically (a temporary file in the same folder, then a rename) with mode 0600, in a folder of
//! mode 0700.
//!
//! Runs at the same time (overlapping cron jobs) take an advisory lock on `<file>.lock` from
//! reading the file, through a refresh, to writing its result: only one refreshes, the others
//! then find its tokens. The kernel drops the lock of a process that dies.
//!
//! Which refresh token a run starts from: the file's, when the environment still holds the token
//! the file's chain started from (that one is spent); the environment's, when it holds another
//! (the app was re-authorized: a new chain starts), or when there is no file.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use std::time::{Duration, UNIX_EPOCH};

use gong_users::{StoreFuture, StoredTokens, TokenStore, TokenStoreLock};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The variable that names the token file.
pub const ENV_TOKEN_FILE: &str = "GONG_TOKEN_FILE";

/// The token file's contents.
#[derive(Serialize, Deserialize)]
struct Contents {
    client_id: String,
    refresh_token: String,
    /// SHA-256 (hex) of the environment's refresh token this chain started from.
    started_from_sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token: Option<String>,
    /// When the access token expires, in seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    access_token_expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_base_url: Option<String>,
}

/// The token file of one app, and the environment's refresh token.
#[derive(Clone)]
pub struct TokenFile {
    path: PathBuf,
    client_id: String,
    started_from_sha256: String,
}

impl TokenFile {
    /// The file at `path` (default: `gong-users/oauth-token.json` in the user's config folder).
    pub fn new(
        path: Option<PathBuf>,
        client_id: &str,
        env_refresh_token: &str,
    ) -> io::Result<Self> {
        let path = match path {
            Some(path) => path,
            None => dirs::config_dir()
                .ok_or_else(|| {
                    io::Error::other(format!(
                        "no config folder for the token file; set {ENV_TOKEN_FILE}"
                    ))
                })?
                .join("gong-users")
                .join("oauth-token.json"),
        };
        Ok(Self {
            path,
            client_id: client_id.to_owned(),
            started_from_sha256: sha256_hex(env_refresh_token),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tokens of this chain in the file, when there are (`None`: no file, another app's, or
    /// a chain the environment's refresh token did not start). A file that does not parse is an
    /// error: it is not overwritten unseen.
    fn read(&self) -> io::Result<Option<StoredTokens>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        let contents = serde_json::from_str::<Contents>(&text).map_err(|err| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} does not parse: {err}", self.path.display()),
            )
        })?;
        if contents.client_id != self.client_id
            || contents.started_from_sha256 != self.started_from_sha256
        {
            return Ok(None);
        }
        Ok(Some(StoredTokens {
            refresh_token: SecretString::from(contents.refresh_token),
            access_token: contents.access_token.map(SecretString::from),
            expires_at: contents
                .access_token_expires_at
                .and_then(|seconds| UNIX_EPOCH.checked_add(Duration::from_secs(seconds))),
            api_base_url: contents.api_base_url,
        }))
    }

    /// Keeps `tokens`: a temporary file with mode 0600 beside the file, then a rename.
    fn write(&self, tokens: &StoredTokens) -> io::Result<()> {
        let folder = self.folder();
        create_private_folder(folder)?;
        let contents = Contents {
            client_id: self.client_id.clone(),
            refresh_token: tokens.refresh_token.expose_secret().to_owned(),
            started_from_sha256: self.started_from_sha256.clone(),
            access_token: tokens
                .access_token
                .as_ref()
                .map(|token| token.expose_secret().to_owned()),
            access_token_expires_at: tokens
                .expires_at
                .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
                .map(|since| since.as_secs()),
            api_base_url: tokens.api_base_url.clone(),
        };
        // tempfile creates the file with mode 0600 on Unix.
        let mut file = tempfile::NamedTempFile::new_in(folder)?;
        serde_json::to_writer_pretty(&mut file, &contents).map_err(io::Error::from)?;
        file.write_all(b"\n")?;
        file.as_file().sync_all()?;
        file.persist(&self.path).map_err(|err| err.error)?;
        Ok(())
    }

    /// Waits for the advisory lock on `<file>.lock` (created 0600 in the private folder).
    fn lock_blocking(&self) -> io::Result<fs::File> {
        create_private_folder(self.folder())?;
        let mut name = self.path.file_name().unwrap_or_default().to_owned();
        name.push(".lock");
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(self.path.with_file_name(name))?;
        file.lock()?;
        Ok(file)
    }

    fn folder(&self) -> &Path {
        self.path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }
}

impl TokenStore for TokenFile {
    fn save<'a>(&'a self, tokens: &'a StoredTokens) -> StoreFuture<'a, ()> {
        let written = self
            .write(tokens)
            .map_err(|err| format!("writing {} failed: {err}", self.path.display()).into());
        Box::pin(async move { written })
    }

    fn load(&self) -> StoreFuture<'_, Option<StoredTokens>> {
        let read = self.read().map_err(|err| err.to_string().into());
        Box::pin(async move { read })
    }

    fn lock(&self) -> StoreFuture<'_, TokenStoreLock> {
        let file = self.clone();
        Box::pin(async move {
            let locked = tokio::task::spawn_blocking(move || file.lock_blocking())
                .await
                .map_err(|err| err.to_string())?
                .map_err(|err| format!("locking the token file failed: {err}"))?;
            // Closing the file releases the lock.
            Ok(TokenStoreLock::new(locked))
        })
    }
}

fn create_private_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        match fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
        {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            Err(err) => Err(err),
        }
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(folder)
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn in_an_hour() -> SystemTime {
        SystemTime::now() + Duration::from_secs(3600)
    }

    fn tokens(refresh: &str) -> StoredTokens {
        StoredTokens {
            refresh_token: SecretString::from(refresh.to_owned()),
            access_token: Some(SecretString::from("access-1".to_owned())),
            expires_at: Some(in_an_hour()),
            api_base_url: Some("https://us-1.api.gong.io".into()),
        }
    }

    fn refresh_of(file: &TokenFile) -> Option<String> {
        file.read()
            .unwrap()
            .map(|t| t.refresh_token.expose_secret().to_owned())
    }

    #[test]
    fn a_saved_token_is_used_until_the_environment_names_a_new_one() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested").join("token.json");
        let file = TokenFile::new(Some(path.clone()), "app", "env-token-1").unwrap();
        assert_eq!(refresh_of(&file), None);
        file.write(&tokens("rotated-2")).unwrap();
        assert_eq!(refresh_of(&file).as_deref(), Some("rotated-2"));
        let read = file.read().unwrap().unwrap();
        assert_eq!(
            read.access_token.as_ref().map(|t| t.expose_secret()),
            Some("access-1")
        );
        assert!(read.expires_at.unwrap() > SystemTime::now());
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("env-token-1"),
            "only a hash of the environment's token: {text}"
        );
        let reauthorized = TokenFile::new(Some(path.clone()), "app", "env-token-9").unwrap();
        assert_eq!(refresh_of(&reauthorized), None);
        let other_app = TokenFile::new(Some(path.clone()), "other", "env-token-1").unwrap();
        assert_eq!(refresh_of(&other_app), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let folder_mode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(folder_mode & 0o777, 0o700);
        }
    }

    #[test]
    fn a_file_that_does_not_parse_is_an_error_not_a_fresh_start() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("token.json");
        fs::write(&path, "{ half").unwrap();
        let file = TokenFile::new(Some(path.clone()), "app", "env").unwrap();
        let error = file.read().unwrap_err();
        assert!(error.to_string().contains("does not parse"), "{error}");
    }

    #[test]
    fn the_lock_is_exclusive_until_dropped() {
        let folder = tempfile::tempdir().unwrap();
        let file = TokenFile::new(Some(folder.path().join("token.json")), "app", "env").unwrap();
        let held = file.lock_blocking().unwrap();
        let other = file.clone();
        let (sender, receiver) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let _lock = other.lock_blocking().unwrap();
            sender.send(()).unwrap();
        });
        assert!(
            receiver
                .recv_timeout(std::time::Duration::from_millis(200))
                .is_err(),
            "a second lock waits while the first is held"
        );
        drop(held);
        receiver
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("the second lock is taken once the first is dropped");
        waiter.join().unwrap();
    }
}
