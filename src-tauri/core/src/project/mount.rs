//! `mount`: an environment served as a named pipe (FIFO) at a path, usually `.env`. Each reader
//! that opens it gets the environment rendered afresh (the same `.env` text `export` writes),
//! straight from memory: nothing is written to disk, and every read is one `mount_read` audit
//! entry naming the reading process where the OS tells (Linux).
//!
//! One reader, one pipe: as soon as a reader has opened the FIFO, a fresh FIFO is renamed over the
//! path, so the next reader never joins the previous reader's pipe and no reader ever gets the text
//! twice. (Readers that open within the same few microseconds share one pipe; the kernel offers no
//! way to tell them apart.)
//!
//! The server records itself in `<runtime dir>/hush/mounts/` (pid, path, folders). A guard process
//! (`hush __mount-guard`) removes the pipe and the record if the server dies without cleaning up
//! (SIGKILL); a FIFO whose server is gone is "stale" and is replaced by the next mount.
//! Paths that git tracks are refused, and so is an existing regular file (plaintext: import it).

use std::fs::OpenOptions;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::values::layered_values;
use crate::audit::{Action, Outcome};
use crate::envfile;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::path::FolderPath;
use crate::secret::SecretValue;
use crate::sys;
use crate::vault::Vault;

/// How long one reader may take to drain its copy before the server moves on.
const WRITE_TIMEOUT_MS: i32 = 10_000;

/// A running (or stale) mount, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountRecord {
    /// Absolute path of the pipe.
    pub path: String,
    pub pid: u32,
    pub folders: Vec<String>,
    pub env: Option<String>,
    /// The project file the environment came from.
    pub project: Option<String>,
    pub vault: String,
    /// Unix seconds.
    pub started_at: i64,
}

/// A record and whether its server still runs.
#[derive(Debug, Clone, Serialize)]
pub struct MountStatus {
    #[serde(flatten)]
    pub record: MountRecord,
    pub alive: bool,
}

/// What to serve where.
#[derive(Debug, Clone)]
pub struct MountSpec {
    pub path: PathBuf,
    pub folders: Vec<FolderPath>,
    pub env: Option<String>,
    pub project: Option<String>,
}

/// One served read (no value).
#[derive(Debug, Clone, Serialize)]
pub struct ReadEvent {
    pub path: String,
    pub secrets: usize,
    /// Reading processes (Linux: found through /proc), e.g. `1234 (python3)`.
    pub readers: Vec<String>,
    /// `ok`, `reader_closed` (it left before reading everything) or `timeout`.
    pub outcome: &'static str,
}

/// Where mount records live: `$XDG_RUNTIME_DIR/hush/mounts`, else `<data dir>/hush/mounts`.
pub fn mounts_dir() -> Result<PathBuf> {
    let base = dirs::runtime_dir().or_else(dirs::data_dir).ok_or_else(|| {
        Error::InvalidInput("no runtime or data directory is known (set XDG_RUNTIME_DIR)".into())
    })?;
    Ok(base.join("hush").join("mounts"))
}

fn record_file(path: &Path) -> Result<PathBuf> {
    let id = hex::encode(Sha256::digest(path.as_os_str().as_encoded_bytes()));
    Ok(mounts_dir()?.join(format!("{}.json", &id[..32])))
}

fn read_record(path: &Path) -> Option<MountRecord> {
    let b = std::fs::read(record_file(path).ok()?).ok()?;
    serde_json::from_slice::<MountRecord>(&b).ok().filter(|r| Path::new(&r.path) == path)
}

/// Every recorded mount, alive or stale.
pub fn list_mounts() -> Result<Vec<MountStatus>> {
    let dir = mounts_dir()?;
    let Ok(rd) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut out: Vec<MountStatus> = rd
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice::<MountRecord>(&b).ok())
        .map(|r| MountStatus { alive: sys::process_alive(r.pid), record: r })
        .collect();
    out.sort_by(|a, b| a.record.path.cmp(&b.record.path));
    Ok(out)
}

/// `path` made absolute (its directory canonical; the last component kept as given).
pub fn absolute(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{} names no file", path.display())))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(parent.canonicalize().map_err(|e| Error::io(&parent, e))?.join(name))
}

/// Whether git tracks `path` (false outside a repository or without git).
pub fn git_tracked(path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return false };
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "--error-unmatch", "--"])
        .arg(name)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// What was at the path before a mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Previous {
    Nothing,
    /// A FIFO whose server is gone: removed.
    StalePipe,
}

/// Checks `path` can be mounted: not tracked by git, not a regular file, not served already (a
/// stale pipe is removed).
pub fn check_path(path: &Path) -> Result<Previous> {
    if git_tracked(path) {
        return Err(Error::InvalidInput(format!(
            "{} is tracked by git; a mounted .env must not be (`git rm --cached` it and add it to .gitignore)",
            path.display()
        )));
    }
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Previous::Nothing),
        Err(e) => Err(Error::io(path, e)),
        Ok(m) if m.file_type().is_fifo() => match read_record(path) {
            Some(r) if sys::process_alive(r.pid) => Err(Error::AlreadyExists {
                path: format!("{} (served by hush mount, pid {})", path.display(), r.pid),
            }),
            _ => {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
                if let Ok(rf) = record_file(path) {
                    let _ = std::fs::remove_file(rf);
                }
                Ok(Previous::StalePipe)
            }
        },
        Ok(m) if m.is_file() => Err(Error::InvalidInput(format!(
            "{} is a regular file (plaintext?); import it (`hush project init` or `hush import`) and remove it first",
            path.display()
        ))),
        Ok(_) => Err(Error::InvalidInput(format!("{} exists and is not a pipe", path.display()))),
    }
}

/// The `.env` text of `folders` (layered), one `mount_read` audit entry.
fn render(vault: &mut Vault, spec: &MountSpec, detail: &str) -> Result<(SecretValue, usize)> {
    let values = layered_values(vault, &spec.folders, Some((Action::MountRead, detail)))?;
    let items: Vec<(&str, &SecretValue)> = values.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let r = envfile::render(&items, None).map_err(|names| {
        Error::InvalidInput(format!("no .env reader can read these names: {}", names.join(", ")))
    })?;
    Ok((r.body, values.len()))
}

/// A mount being served. [`MountServer::stop`] (or dropping it) removes the pipe.
pub struct MountServer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<()>>>,
    record: PathBuf,
}

impl std::fmt::Debug for MountServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MountServer({})", self.path.display())
    }
}

impl MountServer {
    /// Creates the pipe (after [`check_path`]) and serves it from a thread that owns the unlocked
    /// vault. `on_read` hears of every read; `on_end` of the thread's end (an error: the
    /// pipe can no longer be served; call [`MountServer::stop`] to clean up and get it). `guard` is
    /// the program run as
    /// `GUARD __mount-guard --pid P --path PATH` to clean up if this process is killed.
    pub fn start(
        mut vault: Vault,
        spec: MountSpec,
        guard: Option<&Path>,
        mut on_read: impl FnMut(&ReadEvent) + Send + 'static,
        on_end: impl FnOnce(&Result<()>) + Send + 'static,
    ) -> Result<MountServer> {
        let path = absolute(&spec.path)?;
        let spec = MountSpec { path: path.clone(), ..spec };
        if !vault.is_unlocked() {
            return Err(Error::Locked); // fail before creating anything
        }
        sys::mkfifo(&path, 0o600).map_err(|e| Error::io(&path, e))?;
        let record = record_file(&path)?;
        let rec = MountRecord {
            path: path.display().to_string(),
            pid: std::process::id(),
            folders: spec.folders.iter().map(|f| f.to_string()).collect(),
            env: spec.env.clone(),
            project: spec.project.clone(),
            vault: vault.path().display().to_string(),
            started_at: crate::timefmt::now(),
        };
        let written = record.parent().map_or(Ok(()), fsutil::ensure_private_dir).and_then(|_| {
            fsutil::write_private_atomic(&record, &serde_json::to_vec_pretty(&rec).expect("json"))
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        if let Some(g) = guard {
            let _ = std::process::Command::new(g)
                .args(["__mount-guard", "--pid", &std::process::id().to_string(), "--path"])
                .arg(&path)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .process_group(0)
                .spawn();
        }
        let detail = format!("{} from {}", path.display(), rec.folders.join(" + "));
        vault.audit_event(
            Action::Mount,
            single(&spec.folders),
            Outcome::Ok,
            Some(&format!("start {detail}")),
        )?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            let r = serve(&mut vault, &spec, &stop2, &mut on_read);
            let outcome = if r.is_ok() { Outcome::Ok } else { Outcome::Failure };
            let _ = vault.audit_event(
                Action::Mount,
                single(&spec.folders),
                outcome,
                Some(&format!("stop {detail}")),
            );
            on_end(&r);
            r
        });
        Ok(MountServer { path, stop, thread: Some(thread), record })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the serving thread ended on its own (an error).
    pub fn finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops serving, removes the pipe and the record; the serving thread's error, if any.
    pub fn stop(&mut self) -> Result<()> {
        self.stop.store(true, Ordering::SeqCst);
        // wake the server blocked in open(O_WRONLY): a reader that reads nothing
        let waker = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&self.path);
        let r = match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(Error::InvalidInput("mount server panicked".into()))),
            None => Ok(()),
        };
        drop(waker);
        remove_if_fifo(&self.path);
        let _ = std::fs::remove_file(&self.record);
        r
    }
}

impl Drop for MountServer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop();
        }
    }
}

fn single(folders: &[FolderPath]) -> Option<&str> {
    (folders.len() == 1).then(|| folders[0].as_str())
}

fn remove_if_fifo(path: &Path) {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
        let _ = std::fs::remove_file(path);
    }
}

fn serve(
    vault: &mut Vault,
    spec: &MountSpec,
    stop: &AtomicBool,
    on_read: &mut impl FnMut(&ReadEvent),
) -> Result<()> {
    let path = &spec.path;
    let name = path.file_name().expect("absolute() kept a name").to_string_lossy().into_owned();
    let next = path.with_file_name(format!(".{name}.hush-next-{}", std::process::id()));
    let result = (|| loop {
        let _ = std::fs::remove_file(&next);
        sys::mkfifo(&next, 0o600).map_err(|e| Error::io(&next, e))?;
        let Some(mut f) = open_for_reader(path, stop)? else { return Ok(()) };
        // the next reader gets a fresh pipe; this one keeps the inode it opened
        let ino = f.metadata().map(|m| std::os::unix::fs::MetadataExt::ino(&m)).unwrap_or(0);
        std::fs::rename(&next, path).map_err(|e| Error::io(path, e))?;
        let readers = readers_of(ino);
        let detail = format!(
            "{} read by {}",
            path.display(),
            if readers.is_empty() { "a process".to_string() } else { readers.join(", ") }
        );
        let (body, secrets) = render(vault, spec, &detail)?;
        let outcome = write_body(&mut f, body.expose());
        drop(f);
        on_read(&ReadEvent { path: path.display().to_string(), secrets, readers, outcome });
    })();
    let _ = std::fs::remove_file(&next);
    result
}

/// Waits for a reader of the pipe at `path`; `None` once `stop` is set. A blocking open waited
/// on the inode it had looked up: with the pipe removed (`rm .env`) or replaced, nothing could
/// wake it, so neither `hush unmount` nor a signal stopped the server. A non-blocking open is
/// tried every 20 ms instead (a reader's open waits that long at most), and a path that is no
/// longer a pipe ends serving, never written into (a regular file put there would have got the
/// values).
fn open_for_reader(path: &Path, stop: &AtomicBool) -> Result<Option<std::fs::File>> {
    let gone = || {
        Error::InvalidInput(format!(
            "{} is no longer the pipe hush mount made (removed or replaced): serving stopped",
            path.display()
        ))
    };
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        match OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path) {
            // stop() opens the pipe to wake a blocked open: that reader gets nothing
            Ok(_) if stop.load(Ordering::SeqCst) => return Ok(None),
            Ok(f) if f.metadata().is_ok_and(|m| m.file_type().is_fifo()) => return Ok(Some(f)),
            Ok(_) => return Err(gone()),
            // ENXIO: a pipe with no reader yet
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(gone()),
            Err(e) => return Err(Error::io(path, e)),
        }
    }
}

/// Writes `body` to a reader without letting a reader that never reads hold the server forever.
fn write_body(f: &mut std::fs::File, body: &[u8]) -> &'static str {
    if sys::set_nonblocking(f.as_raw_fd()).is_err() {
        return if f.write_all(body).is_ok() { "ok" } else { "reader_closed" };
    }
    let mut at = 0;
    while at < body.len() {
        match f.write(&body[at..]) {
            Ok(n) => at += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if !sys::wait_writable(f.as_raw_fd(), WRITE_TIMEOUT_MS) {
                    return "timeout";
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return "reader_closed",
        }
    }
    "ok"
}

/// The process holding the pipe inode `ino` open (Linux, same user; best effort), e.g.
/// `1234 (python3)`. The reader is almost always the newest process, so pids are tried newest
/// first and the search stops at the first holder: stat'ing every descriptor of every process
/// cost more than rendering the whole `.env` (about 5 ms on a quiet machine with 500 open fds).
/// Readers that share one pipe (opened within microseconds) are named by the newest only.
fn readers_of(ino: u64) -> Vec<String> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::MetadataExt;
        let me = std::process::id();
        let Ok(procs) = std::fs::read_dir("/proc") else { return Vec::new() };
        let mut pids: Vec<u32> = procs
            .flatten()
            .filter_map(|p| p.file_name().to_str()?.parse::<u32>().ok())
            .filter(|&pid| pid != me && ino != 0)
            .collect();
        pids.sort_unstable_by(|a, b| b.cmp(a));
        for pid in pids {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { continue };
            let holds = fds.flatten().any(|fd| {
                std::fs::metadata(fd.path())
                    .is_ok_and(|m| m.ino() == ino && m.file_type().is_fifo())
            });
            if holds {
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                return vec![format!("{pid} ({})", comm.trim())];
            }
        }
        Vec::new()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = ino;
        Vec::new()
    }
}

/// What `unmount` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmounted {
    /// The server was told to stop and removed the pipe.
    Stopped,
    /// No server was alive; the stale pipe was removed.
    RemovedStale,
}

/// Stops the server of `path` (SIGTERM, then waits up to 5 s for the pipe to go).
pub fn unmount(path: &Path) -> Result<Unmounted> {
    let path = absolute(path)?;
    let is_fifo = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_fifo());
    let rec = read_record(&path);
    match rec {
        Some(r) if sys::process_alive(r.pid) => {
            sys::kill(r.pid as i32, libc::SIGTERM);
            for _ in 0..100 {
                if !sys::process_alive(r.pid) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            remove_if_fifo(&path);
            if let Ok(rf) = record_file(&path) {
                let _ = std::fs::remove_file(rf);
            }
            Ok(Unmounted::Stopped)
        }
        _ if is_fifo || rec.is_some() => {
            remove_if_fifo(&path);
            if let Ok(rf) = record_file(&path) {
                let _ = std::fs::remove_file(rf);
            }
            Ok(Unmounted::RemovedStale)
        }
        _ => Err(Error::NotMounted { path: path.to_path_buf() }),
    }
}

/// The guard of a mount: waits for server `pid` to end, then removes the pipe at `path` and its
/// record if the server left them (killed with SIGKILL, crashed).
pub fn run_guard(pid: u32, path: &Path) {
    while sys::process_alive(pid) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if read_record(path).is_some_and(|r| r.pid == pid) {
        remove_if_fifo(path);
        let next = path
            .file_name()
            .map(|n| path.with_file_name(format!(".{}.hush-next-{pid}", n.to_string_lossy())));
        if let Some(n) = next {
            remove_if_fifo(&n);
        }
        if let Ok(rf) = record_file(path) {
            let _ = std::fs::remove_file(rf);
        }
    }
}
