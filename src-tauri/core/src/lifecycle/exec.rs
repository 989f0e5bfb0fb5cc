//! Running a policy's command (rotation handler, post-rotation command, check) with a value on
//! stdin: never in argv, never in the environment (where other processes of the user could read
//! it in /proc). The child inherits this process's environment without any `HUSH_*PASSPHRASE`,
//! plus `HUSH_SECRET_PATH` (the secret's path, not its value); its stderr goes to ours; its
//! stdout is captured (bounded). A run past its timeout is killed with its whole process group.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::SecretValue;
use crate::vault::MAX_VALUE_BYTES;

/// A handler's default time limit.
pub const DEFAULT_TIMEOUT_SECS: u32 = 120;
/// The largest time limit a policy may set.
pub const MAX_TIMEOUT_SECS: u32 = 3600;

/// How a command ended. Carries no output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "ended", rename_all = "snake_case")]
pub enum CommandOutcome {
    /// Exited with this code (0: success).
    Exited { code: i32 },
    /// Killed by this signal (not by us).
    Signalled { signal: i32 },
    /// Ran past its time limit and was killed.
    TimedOut { secs: u32 },
}

impl CommandOutcome {
    pub fn ok(self) -> bool {
        self == CommandOutcome::Exited { code: 0 }
    }

    /// For audit details and messages: `exit 3`, `signal 9`, `timed out after 5 s`.
    pub fn describe(self) -> String {
        match self {
            CommandOutcome::Exited { code } => format!("exit {code}"),
            CommandOutcome::Signalled { signal } => format!("signal {signal}"),
            CommandOutcome::TimedOut { secs } => format!("timed out after {secs} s"),
        }
    }
}

/// What a run gave back: how it ended and its stdout (zeroized on drop).
pub(crate) struct Ran {
    pub outcome: CommandOutcome,
    pub stdout: Zeroizing<Vec<u8>>,
}

fn shell(command: &str) -> Command {
    #[cfg(unix)]
    {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(command);
        c
    }
    #[cfg(not(unix))]
    {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(command);
        c
    }
}

fn is_passphrase_var(k: &std::ffi::OsStr) -> bool {
    k.to_str().is_some_and(|n| n.starts_with("HUSH_") && n.ends_with("PASSPHRASE"))
}

/// Runs `command` through the shell with `input` on stdin, for at most `timeout_secs`.
pub(crate) fn run(
    command: &str,
    path: &str,
    input: &SecretValue,
    timeout_secs: u32,
) -> Result<Ran> {
    let mut cmd = shell(command);
    for (k, _) in std::env::vars_os().filter(|(k, _)| is_passphrase_var(k)) {
        cmd.env_remove(k);
    }
    cmd.env("HUSH_SECRET_PATH", path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let io = |e| Error::Io { path: "the command".into(), source: e };
    let mut child = cmd.spawn().map_err(io)?;
    let mut stdin = child.stdin.take().expect("piped");
    let bytes = Zeroizing::new(input.expose().to_vec());
    // A command that never reads its stdin must not block us: write on a thread, ignore EPIPE.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&bytes);
    });
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Zeroizing::new(Vec::new());
        let _ = (&mut stdout).take(MAX_VALUE_BYTES as u64 + 2).read_to_end(&mut buf);
        // Drain the rest so the command is not blocked on a full pipe.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        buf
    });
    let deadline = Instant::now() + Duration::from_secs(u64::from(timeout_secs));
    let status = loop {
        if let Some(s) = child.try_wait().map_err(io)? {
            break Some(s);
        }
        if Instant::now() >= deadline {
            kill_group(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    let stdout = reader.join().unwrap_or_default();
    let outcome = match status {
        None => CommandOutcome::TimedOut { secs: timeout_secs },
        Some(s) => match s.code() {
            Some(code) => CommandOutcome::Exited { code },
            None => CommandOutcome::Signalled { signal: signal_of(s) },
        },
    };
    Ok(Ran { outcome, stdout })
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        crate::sys::kill(-(child.id() as i32), libc::SIGKILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn signal_of(s: std::process::ExitStatus) -> i32 {
    std::os::unix::process::ExitStatusExt::signal(&s).unwrap_or(0)
}

#[cfg(not(unix))]
fn signal_of(_: std::process::ExitStatus) -> i32 {
    0
}

/// A command's stdout as a new value: one trailing newline (LF or CRLF) dropped; empty, too
/// large or not UTF-8 is `None` (with why).
pub(crate) fn output_value(out: &[u8]) -> std::result::Result<SecretValue, &'static str> {
    let trimmed = out.strip_suffix(b"\r\n").or_else(|| out.strip_suffix(b"\n")).unwrap_or(out);
    if trimmed.is_empty() {
        return Err("printed nothing");
    }
    if trimmed.len() > MAX_VALUE_BYTES {
        return Err("printed more than 1 MiB");
    }
    if std::str::from_utf8(trimmed).is_err() {
        return Err("printed something that is not UTF-8 text");
    }
    Ok(SecretValue::new(trimmed.to_vec()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn stdin_in_stdout_out_and_timeouts() {
        let v = SecretValue::from_string("old-value".into());
        let r = run("tr a-z A-Z", "a/B", &v, 10).unwrap();
        assert!(r.outcome.ok());
        assert_eq!(&r.stdout[..], b"OLD-VALUE");
        let r = run("exit 3", "a/B", &v, 10).unwrap();
        assert_eq!(r.outcome, CommandOutcome::Exited { code: 3 });
        let t = Instant::now();
        let r = run("sleep 30 & sleep 30", "a/B", &v, 1).unwrap();
        assert_eq!(r.outcome, CommandOutcome::TimedOut { secs: 1 });
        assert!(t.elapsed() < Duration::from_secs(10), "the group was killed: {:?}", t.elapsed());
        let r = run("printf '%s' \"$HUSH_SECRET_PATH\"", "a/B", &v, 10).unwrap();
        assert_eq!(&r.stdout[..], b"a/B");
        assert!(output_value(b"\n").is_err());
        assert_eq!(output_value(b"new\r\n").unwrap().expose(), b"new");
    }
}
