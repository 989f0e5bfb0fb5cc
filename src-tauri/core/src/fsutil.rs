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

/// The directory a path lives in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

const TEMP_TAG: &str = ".hush-tmp-";

fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}{TEMP_TAG}")
}

/// A new private (0600) empty file beside `path`, named after it and this process
/// (`.NAME.hush-tmp-PID-RANDOM`), so a later run can tell a dead process's leftover.
pub(crate) fn create_temp_beside(path: &Path) -> Result<PathBuf> {
    let mut r = [0u8; 6];
    crate::crypto::fill_random(&mut r);
    let tmp = parent_dir(path).join(format!(
        "{}{}-{}",
        temp_prefix(path),
        std::process::id(),
        hex::encode(r)
    ));
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    // Named for the file the user asked for: the temporary name means nothing to them.
    o.open(&tmp).map_err(|e| Error::io(path, e))?;
    Ok(tmp)
}

/// Removes the temporary files beside `path` left by processes that no longer run (a killed
/// init, restore, backup or export). Best effort.
pub(crate) fn remove_stale_temps(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(parent_dir(path)) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !crate::sys::process_alive(p)) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Removes a database file and its side files.
pub(crate) fn remove_db_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Gives the finished file `tmp` its final name without ever replacing an existing file: a hard
/// link (which fails if `path` exists), then the temporary name goes. The directory is synced so
/// the new name survives a crash.
pub(crate) fn link_into_place(tmp: &Path, path: &Path) -> Result<()> {
    fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(|e| Error::io(tmp, e))?;
    match fs::hard_link(tmp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::VaultExists { path: path.into() })
        }
        Err(e) => return Err(Error::io(path, e)),
    }
    let _ = fs::remove_file(tmp);
    sync_dir(parent_dir(path));
    Ok(())
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes a user-named output (`export -o`, `inject -o`): into a pipe or a character device as a
/// shell's `>` would (a FIFO a program reads, `/dev/stdout`); else atomically with mode 0600. It
/// once replaced such a path with a regular file holding the values (`-o /dev/null`, as root,
/// made `/dev/null` a file of plaintext), and a pipe's reader waited forever. A pipe served by
/// `hush mount` is refused: two writers would interleave.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::FileTypeExt;
        // `/dev/stdout`, `/dev/fd/N`, a process substitution: a file descriptor of this process,
        // written into, never replaced by a file. Stdout and stderr through their own handles,
        // so that a `>` redirect's offset is shared (a second open would write over it).
        if let Some(fd) = own_fd(path) {
            let io = |e| Error::io(path, e);
            return match fd {
                1 => std::io::stdout()
                    .lock()
                    .write_all(bytes)
                    .and_then(|_| std::io::stdout().flush())
                    .map_err(io),
                2 => std::io::stderr().lock().write_all(bytes).map_err(io),
                _ => fs::OpenOptions::new()
                    .append(true)
                    .open(path)
                    .and_then(|mut f| f.write_all(bytes))
                    .map_err(io),
            };
        }
        if let Ok(m) = fs::symlink_metadata(path) {
            let t = m.file_type();
            if t.is_fifo() || t.is_char_device() {
                // Planted by another user (a pipe in /tmp whose reader is theirs): never fed.
                // Opened without O_CREAT, the kernel's protected_fifos would not stop it.
                use std::os::unix::fs::MetadataExt;
                if m.uid() != crate::sys::uid() && m.uid() != 0 {
                    return Err(Error::InvalidInput(format!(
                        "{} is a pipe or device of another user (uid {}): nothing was written",
                        path.display(),
                        m.uid()
                    )));
                }
                if t.is_fifo() && served_by_mount(path) {
                    return Err(Error::InvalidInput(format!(
                        "{} is served by `hush mount`: stop it with `hush unmount` first",
                        path.display()
                    )));
                }
                let mut f = fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Error::io(path, e))?;
                return f.write_all(bytes).map_err(|e| Error::io(path, e));
            }
            if t.is_socket() || t.is_block_device() || t.is_dir() {
                return Err(Error::InvalidInput(format!(
                    "{} is not a regular file, a pipe or a terminal: nothing was written",
                    path.display()
                )));
            }
        }
    }
    write_private_atomic(path, bytes)
}

/// The file descriptor of this process `path` names, written as such (`/dev/stdout`, `/dev/fd/N`,
/// `/proc/self/fd/N`), if any. A link that merely points there is not followed: a `.env ->
/// /proc/self/fd/3` planted in a cloned repository would have had the values appended to
/// whatever this process holds open (the vault's own database).
#[cfg(unix)]
fn own_fd(path: &Path) -> Option<u32> {
    let s = path.to_str()?;
    match s {
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => ["/dev/fd/", "/proc/self/fd/"]
            .iter()
            .find_map(|pre| s.strip_prefix(pre))
            .and_then(|n| n.parse().ok()),
    }
}

#[cfg(unix)]
fn served_by_mount(path: &Path) -> bool {
    let Ok(abs) = crate::project::mount::absolute(path) else { return false };
    crate::project::mount::list_mounts()
        .is_ok_and(|all| all.iter().any(|m| m.alive && Path::new(&m.record.path) == abs))
}

/// Writes `bytes` to `path` atomically with mode 0600: a private temp file in the same directory,
/// synced, then renamed over `path`. A reader sees the old file or the new one, never a part;
/// a failure leaves `path` as it was, and a killed writer's temp file is removed by the next one.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = parent_dir(path);
    if !dir.is_dir() {
        // Named for the path given, not for the temporary file beside it.
        let e = std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory");
        return Err(Error::io(path, e));
    }
    remove_stale_temps(path);
    let tmp = create_temp_beside(path)?;
    let written = fs::OpenOptions::new()
        .write(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .map_err(|e| Error::io(path, e))
        .and_then(|_| fs::rename(&tmp, path).map_err(|e| Error::io(path, e)));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    sync_dir(parent_dir(path));
    Ok(())
}
