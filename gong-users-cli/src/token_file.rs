//! The token file: where the CLI keeps the refresh token Gong rotates, so the next run starts
//! from a token that still works (each refresh token works once).
//!
//! It holds only what it must: the app's client id (a file from another app is ignored), the
//! newest refresh token, and a SHA-256 of the environment's refresh token that started the
//! chain. No client secret, no access token. It is written atomically (a temporary file in the
//! same folder, then a rename) with mode 0600, in a folder of mode 0700.
//!
//! Which refresh token a run starts from: the file's, when the environment still holds the token
//! the file's chain started from (that one is spent); the environment's, when it holds another
//! (the app was re-authorized: a new chain starts), or when there is no file.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

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

    /// The refresh token to start from: the file's, when its chain started from the
    /// environment's token; otherwise `None` (use the environment's).
    pub fn saved_refresh_token(&self) -> io::Result<Option<String>> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        let Ok(contents) = serde_json::from_str::<Contents>(&text) else {
            tracing::warn!(path = %self.path.display(), "the token file does not parse; ignoring it");
            return Ok(None);
        };
        let same_chain = contents.client_id == self.client_id
            && contents.started_from_sha256 == self.started_from_sha256;
        Ok(same_chain.then_some(contents.refresh_token))
    }

    /// Keeps `refresh_token`: a temporary file with mode 0600 beside the file, then a rename.
    pub fn save(&self, refresh_token: &SecretString) -> io::Result<()> {
        let folder = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_folder(folder)?;
        let contents = Contents {
            client_id: self.client_id.clone(),
            refresh_token: refresh_token.expose_secret().to_owned(),
            started_from_sha256: self.started_from_sha256.clone(),
        };
        // tempfile creates the file with mode 0600 on Unix.
        let mut file = tempfile::NamedTempFile::new_in(folder)?;
        serde_json::to_writer_pretty(&mut file, &contents).map_err(io::Error::from)?;
        file.write_all(b"\n")?;
        file.as_file().sync_all()?;
        file.persist(&self.path).map_err(|err| err.error)?;
        Ok(())
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

    #[test]
    fn a_saved_token_is_used_until_the_environment_names_a_new_one() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested").join("token.json");
        let file = TokenFile::new(Some(path.clone()), "app", "env-token-1").unwrap();
        assert_eq!(file.saved_refresh_token().unwrap(), None);
        file.save(&SecretString::from("rotated-2")).unwrap();
        assert_eq!(
            file.saved_refresh_token().unwrap().as_deref(),
            Some("rotated-2")
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("env-token-1"),
            "only a hash of the environment's token: {text}"
        );
        let reauthorized = TokenFile::new(Some(path.clone()), "app", "env-token-9").unwrap();
        assert_eq!(reauthorized.saved_refresh_token().unwrap(), None);
        let other_app = TokenFile::new(Some(path.clone()), "other", "env-token-1").unwrap();
        assert_eq!(other_app.saved_refresh_token().unwrap(), None);
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
}
