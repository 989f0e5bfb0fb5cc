//! The unlock agent for passphrase vaults: holds the passphrase-derived key-encryption key in
//! memory so a working session pays the Argon2id cost once (`hush unlock`), until an idle timeout
//! or `hush lock`. Like ssh-agent and rbw-agent it listens on a Unix socket in a 0700 directory
//! and checks that the peer is the same user. Keychain vaults never need it.
//!
//! Protocol, one line each way: `GET <vault_id>` → `KEY <hex>`; `STATUS` → `STATUS <idle secs
//! left>`; `LOCK` → `OK` (the agent zeroizes its key and exits).

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::Key32;

/// Where the agent of a vault listens: `$XDG_RUNTIME_DIR/hush/` or `<tmp>/hush-<uid>/`.
pub fn socket_path(vault_id: &str) -> Result<PathBuf> {
    let uid = crate::sys::uid();
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d).join("hush"),
        None => std::env::temp_dir().join(format!("hush-{uid}")),
    };
    crate::fsutil::ensure_private_dir(&dir)?;
    check_private_dir(&dir, uid)?;
    Ok(dir.join(format!("agent-{vault_id}.sock")))
}

fn check_private_dir(dir: &Path, uid: u32) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !m.is_dir() || m.uid() != uid || m.mode() & 0o077 != 0 {
        return Err(Error::Agent(format!(
            "{} must be a directory owned by you with mode 0700",
            dir.display()
        )));
    }
    Ok(())
}

fn peer_is_same_user(stream: &UnixStream) -> bool {
    crate::sys::peer_uid(stream) == Some(crate::sys::uid())
}

fn request(vault_id: &str, line: &str) -> Result<Option<Zeroizing<String>>> {
    let path = socket_path(vault_id)?;
    let mut s = match UnixStream::connect(&path) {
        Ok(s) => s,
        Err(_) => return Ok(None), // no agent running
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).ok();
    s.write_all(format!("{line}\n").as_bytes()).map_err(|e| Error::Agent(e.to_string()))?;
    let mut reply = Zeroizing::new(String::new());
    BufReader::new(s).read_line(&mut reply).map_err(|e| Error::Agent(e.to_string()))?;
    Ok(Some(reply))
}

/// The key held by a running agent for this vault, if any.
pub fn fetch_key(vault_id: &str) -> Result<Option<Key32>> {
    let Some(reply) = request(vault_id, &format!("GET {vault_id}"))? else { return Ok(None) };
    let hex_key = reply
        .trim()
        .strip_prefix("KEY ")
        .ok_or_else(|| Error::Agent(format!("unexpected reply: {}", reply.trim())))?;
    let bytes =
        Zeroizing::new(hex::decode(hex_key).map_err(|_| Error::Agent("malformed key".into()))?);
    Ok(Some(Key32::from_bytes(&bytes).ok_or_else(|| Error::Agent("malformed key".into()))?))
}

/// Seconds of idle time the running agent has left, or `None` when none runs.
pub fn status(vault_id: &str) -> Result<Option<u64>> {
    let Some(reply) = request(vault_id, "STATUS")? else { return Ok(None) };
    Ok(reply.trim().strip_prefix("STATUS ").and_then(|s| s.parse().ok()))
}

/// Stops the agent (which zeroizes its key). True if one was running.
pub fn lock(vault_id: &str) -> Result<bool> {
    Ok(request(vault_id, "LOCK")?.is_some())
}

/// Starts `program args…` as a detached agent process and hands it the key on stdin.
/// `program` is the caller's own binary, which must call [`run_agent`] for those args.
pub fn spawn(program: &Path, args: &[&str], kek: &Key32) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0) // outlives the terminal's Ctrl-C
        .spawn()
        .map_err(|e| Error::Agent(format!("could not start the agent: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let line = Zeroizing::new(format!("{}\n", hex::encode(kek.as_bytes())));
    stdin.write_all(line.as_bytes()).map_err(|e| Error::Agent(e.to_string()))?;
    drop(stdin);
    let mut ready = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut ready)
        .map_err(|e| Error::Agent(e.to_string()))?;
    if ready.trim() != "ready" {
        let _ = child.kill();
        return Err(Error::Agent(format!("the agent did not start: {}", ready.trim())));
    }
    Ok(())
}

/// The agent's main loop: reads its key from `input`, binds the socket, writes `ready` to `out`,
/// then serves until `idle` passes without a key request, or a `LOCK`. Idle time is counted on
/// [`crate::sys::since_boot`], which keeps running while the machine sleeps: a laptop opened the
/// next morning finds the agent gone.
pub fn run_agent(
    vault_id: &str,
    idle: Duration,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<()> {
    crate::sys::harden_process();
    let mut line = Zeroizing::new(String::new());
    BufReader::new(input).read_line(&mut line).map_err(|e| Error::Agent(e.to_string()))?;
    let bytes = Zeroizing::new(
        hex::decode(line.trim()).map_err(|_| Error::Agent("malformed key on stdin".into()))?,
    );
    let kek =
        Key32::from_bytes(&bytes).ok_or_else(|| Error::Agent("malformed key on stdin".into()))?;
    let path = socket_path(vault_id)?;
    if UnixStream::connect(&path).is_ok() {
        let _ = lock(vault_id); // replace an older agent of the same vault
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).map_err(|e| Error::io(&path, e))?;
    listener.set_nonblocking(true).map_err(|e| Error::io(&path, e))?;
    follow_session(vault_id);
    writeln!(out, "ready").and_then(|_| out.flush()).map_err(|e| Error::Agent(e.to_string()))?;
    let result = serve(&listener, vault_id, &kek, idle, &crate::sys::since_boot);
    let _ = std::fs::remove_file(&path);
    result // `kek` drops here and is zeroized
}

/// Suspend and screen lock end the agent as `hush lock` does: the watcher thread sends `LOCK` to
/// the agent's own socket, which wakes the serving loop at once (it may be sleeping in a wait).
/// Where no bus can be followed, the idle deadline on the boot clock still applies.
fn follow_session(vault_id: &str) {
    #[cfg(target_os = "linux")]
    {
        let id = vault_id.to_string();
        crate::session::watch(move |_| drop(lock(&id)), |_, _| {});
    }
    #[cfg(not(target_os = "linux"))]
    let _ = vault_id;
}

/// Longest single wait for a client: after a resume from sleep the agent notices an expired
/// deadline within this, even when nobody asks.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// Serves `listener` until `idle` passes on `clock` without a key request, or a `LOCK`.
fn serve(
    listener: &UnixListener,
    vault_id: &str,
    kek: &Key32,
    idle: Duration,
    clock: &dyn Fn() -> Duration,
) -> Result<()> {
    let mut deadline = clock() + idle;
    loop {
        let left = deadline.saturating_sub(clock());
        if left.is_zero() {
            return Ok(());
        }
        match listener.accept() {
            Ok((stream, _)) => {
                if !peer_is_same_user(&stream) {
                    continue;
                }
                match serve_one(stream, vault_id, kek, left) {
                    Served::Key => deadline = clock() + idle,
                    Served::Lock => return Ok(()),
                    Served::Other => {}
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                wait_readable(listener, left.min(MAX_WAIT))
            }
            Err(e) => return Err(Error::Agent(e.to_string())),
        }
    }
}

/// Sleeps until a client connects or `wait` passes (no polling delay per request).
fn wait_readable(listener: &UnixListener, wait: Duration) {
    use std::os::fd::AsRawFd;
    crate::sys::wait_readable(listener.as_raw_fd(), wait.as_millis().min(i32::MAX as u128) as i32);
}

enum Served {
    Key,
    Lock,
    Other,
}

fn serve_one(stream: UnixStream, vault_id: &str, kek: &Key32, left: Duration) -> Served {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let mut reader = BufReader::new(&stream);
    let mut req = String::new();
    if reader.read_line(&mut req).is_err() {
        return Served::Other;
    }
    let mut w = &stream;
    let req = req.trim();
    if req == "LOCK" {
        let _ = w.write_all(b"OK\n");
        Served::Lock
    } else if req == "STATUS" {
        let _ = w.write_all(format!("STATUS {}\n", left.as_secs()).as_bytes());
        Served::Other
    } else if req.strip_prefix("GET ") == Some(vault_id) {
        let reply = Zeroizing::new(format!("KEY {}\n", hex::encode(kek.as_bytes())));
        let _ = w.write_all(reply.as_bytes());
        Served::Key
    } else {
        let _ = w.write_all(b"ERR unknown request\n");
        Served::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    /// One request to the agent at `path`: its reply line, or "" when it hung up.
    fn ask(path: &Path, line: &str) -> String {
        let Ok(mut s) = UnixStream::connect(path) else { return String::new() };
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        if s.write_all(format!("{line}\n").as_bytes()).is_err() {
            return String::new();
        }
        let mut reply = String::new();
        let _ = BufReader::new(s).read_line(&mut reply);
        reply.trim().to_string()
    }

    /// The idle deadline is kept on the boot clock, which runs on while the machine sleeps. Here
    /// a fake one jumps 8 hours (a night in suspend, during which `Instant` would not move): the
    /// next request finds the agent gone.
    #[test]
    fn idle_time_counts_time_asleep() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.sock");
        let listener = UnixListener::bind(&path).unwrap();
        listener.set_nonblocking(true).unwrap();
        let now = Arc::new(AtomicU64::new(1_000));
        let clock_now = now.clone();
        let kek = Key32::random();
        let expected = format!("KEY {}", hex::encode(kek.as_bytes()));
        let agent = std::thread::spawn(move || {
            let clock = move || Duration::from_secs(clock_now.load(Ordering::SeqCst));
            serve(&listener, "v1", &kek, Duration::from_secs(900), &clock)
        });
        assert_eq!(ask(&path, "GET v1"), expected);
        now.fetch_add(600, Ordering::SeqCst); // 10 minutes awake: a request renews the deadline
        assert_eq!(ask(&path, "GET v1"), expected);
        assert_eq!(ask(&path, "STATUS"), "STATUS 900");
        now.fetch_add(8 * 3600, Ordering::SeqCst); // the night, asleep
        assert_eq!(ask(&path, "GET v1"), "", "the agent still served its key after the night");
        agent.join().unwrap().unwrap();
    }
}
