//! Private files and directories: the vault directory is 0700 and the database 0600, created
//! without a window in which another user could open them.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The default vault file: `<data dir>/hush/vault.db` (XDG data dir on Linux, Application Support
/// on macOS, %APPDATA% on Windows).
pub fn default_vault_path() -> Result<PathBuf> {
    let base = dirs::data_dir().ok_or_else(|| {
        Error::InvalidInput(
            "no user data directory is known; pass --vault FILE or set HUSH_VAULT".into(),
        )
    })?;
    Ok(base.join("hush").join("vault.db"))
}

/// Creates `dir` (and parents) with mode 0700 if missing.
pub(crate) fn ensure_private_dir(dir: &Path) -> Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|e| Error::io(dir, e))
}

/// Creates a new empty file with mode 0600; fails if it exists (no race with another creator).
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::VaultExists { path: path.into() })
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Unix permission bits of a path, for `doctor`.
pub(crate) fn mode_of(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Writes `bytes` to `path` atomically with mode 0600: a private temp file in the same directory,
/// synced, then renamed over `path`. A reader sees the old file or the new one, never a part;
/// a failure leaves `path` as it was.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates the file 0600 on Unix, before any byte is written.
    let mut tmp = tempfile::Builder::new()
        .prefix(".hush-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
