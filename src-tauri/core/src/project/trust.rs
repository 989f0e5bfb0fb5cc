//! Trust before use, as direnv's `allow`: a `hush.toml` from a cloned repository could name
//! anyone's folders (`personal/*`), so a project file is used only once the user has trusted that
//! exact file. A record holds the file's canonical path and the SHA-256 of its bytes; an edited
//! or moved file asks again.
//!
//! Records live in the user's data dir, one small JSON file each, under
//! `<data dir>/hush/trust/` (0700 dir, 0600 files), named by the SHA-256 of the path, not in the
//! vault: trust belongs to the user and the checkout, whichever vault file is open.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::fsutil;

/// Whether a project file may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TrustState {
    /// Trusted with exactly these bytes.
    Trusted,
    /// Never trusted (or the trust was revoked).
    Untrusted,
    /// Trusted once, but the file changed since.
    Changed,
}

/// One trusted project file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRecord {
    /// Canonical path of the `hush.toml`.
    pub path: String,
    /// SHA-256 (hex) of the bytes that were trusted.
    pub sha256: String,
    /// When, in Unix seconds.
    pub trusted_at: i64,
}

/// The trust records of this user.
#[derive(Debug, Clone)]
pub struct TrustStore {
    dir: PathBuf,
}

/// SHA-256 (hex) of a project file's bytes.
pub fn file_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl TrustStore {
    /// The user's store: `<data dir>/hush/trust`.
    pub fn user() -> Result<TrustStore> {
        let base = dirs::data_dir().ok_or_else(|| {
            Error::InvalidInput("no user data directory is known (set XDG_DATA_HOME)".into())
        })?;
        Ok(TrustStore::at(base.join("hush").join("trust")))
    }

    /// A store in `dir` (tests, or a custom data dir).
    pub fn at(dir: impl Into<PathBuf>) -> TrustStore {
        TrustStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn record_path(&self, file: &Path) -> PathBuf {
        let id = hex::encode(Sha256::digest(file.as_os_str().as_encoded_bytes()));
        self.dir.join(format!("{}.json", &id[..32]))
    }

    fn read(&self, file: &Path) -> Result<Option<TrustRecord>> {
        let p = self.record_path(file);
        match std::fs::read(&p) {
            Ok(b) => match serde_json::from_slice::<TrustRecord>(&b) {
                Ok(r) if Path::new(&r.path) == file => Ok(Some(r)),
                _ => Ok(None), // damaged or another path: not trusted
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::Io { path: p, source: e }),
        }
    }

    /// The state of the canonical project file `file` whose bytes hash to `sha256`.
    pub fn state(&self, file: &Path, sha256: &str) -> Result<TrustState> {
        Ok(match self.read(file)? {
            Some(r) if r.sha256 == sha256 => TrustState::Trusted,
            Some(_) => TrustState::Changed,
            None => TrustState::Untrusted,
        })
    }

    /// Records `file` (canonical) as trusted with these bytes.
    pub fn trust(&self, file: &Path, sha256: &str) -> Result<TrustRecord> {
        fsutil::ensure_private_dir(&self.dir)?;
        let rec = TrustRecord {
            path: file.to_string_lossy().into_owned(),
            sha256: sha256.to_string(),
            trusted_at: crate::timefmt::now(),
        };
        let body = serde_json::to_vec_pretty(&rec).expect("serialisable");
        fsutil::write_private_atomic(&self.record_path(file), &body)?;
        Ok(rec)
    }

    /// Forgets `file`; true if it was trusted (or changed).
    pub fn revoke(&self, file: &Path) -> Result<bool> {
        let p = self.record_path(file);
        match std::fs::remove_file(&p) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::Io { path: p, source: e }),
        }
    }

    /// Every record, by path (the projects this user has trusted).
    pub fn list(&self) -> Result<Vec<TrustRecord>> {
        let rd = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::Io { path: self.dir.clone(), source: e }),
        };
        let mut out: Vec<TrustRecord> = rd
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|b| serde_json::from_slice(&b).ok())
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_follows_the_bytes_and_the_path() {
        let d = tempfile::tempdir().unwrap();
        let s = TrustStore::at(d.path().join("trust"));
        let f = Path::new("/repo/hush.toml");
        let h1 = file_hash(b"default = \"dev\"");
        assert_eq!(s.state(f, &h1).unwrap(), TrustState::Untrusted);
        s.trust(f, &h1).unwrap();
        assert_eq!(s.state(f, &h1).unwrap(), TrustState::Trusted);
        assert_eq!(s.state(f, &file_hash(b"edited")).unwrap(), TrustState::Changed);
        assert_eq!(s.state(Path::new("/other/hush.toml"), &h1).unwrap(), TrustState::Untrusted);
        assert_eq!(s.list().unwrap().len(), 1);
        assert!(s.revoke(f).unwrap());
        assert_eq!(s.state(f, &h1).unwrap(), TrustState::Untrusted);
        assert!(!s.revoke(f).unwrap());
    }
}
