//! Helpers shared by the CLI tests: a private vault directory per test, a `hush` command builder
//! that never sees the developer's own HUSH_* variables or agent sockets, and small runners.
//!
//! Every test drives the real `hush` binary (`CARGO_BIN_EXE_hush`). Each `TestVault` has its own
//! temp dir holding the vault (`<tmp>/vault/vault.db`) and its own `XDG_RUNTIME_DIR`
//! (`<tmp>/run`), so agent sockets never collide between tests. Dropping a `TestVault` stops any
//! agent it started (`hush lock`, then a raw `LOCK` on any socket left).

#![allow(dead_code)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The vault passphrase of passphrase-mode test vaults.
pub const PASS: &str = "correct horse battery staple";

/// What one `hush` run gave back.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Out {
    pub fn stdout(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}):\n{}\nstderr: {}", self.stdout(), self.stderr)
        })
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code,
            code,
            "expected exit {code}, got {}\nstdout: {}\nstderr: {}",
            self.code,
            String::from_utf8_lossy(&self.stdout),
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "hush panicked:\n{}", self.stderr);
        self
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        self.expect(0)
    }
}

/// Runs a prepared command (with a generous timeout so a hang fails instead of blocking).
pub fn run(cmd: &mut Command) -> Out {
    let o = cmd.timeout(Duration::from_secs(120)).output().expect("could not run hush");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: o.stdout,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The `hush` binary under test.
pub fn hush_bin() -> &'static str {
    env!("CARGO_BIN_EXE_hush")
}

/// A value nobody else would write: `CANARY-<pid>-<nanos>`.
pub fn canary() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("CANARY-{}-{nanos:x}", std::process::id())
}

pub fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// One test's vault: its own directory, vault file and runtime dir.
pub struct TestVault {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub runtime: PathBuf,
}

impl TestVault {
    /// A directory for a vault that does not exist yet.
    pub fn empty() -> TestVault {
        let dir = tempfile::Builder::new().prefix("hush-cli-").tempdir().expect("temp dir");
        let path = dir.path().join("vault").join("vault.db");
        let runtime = dir.path().join("run");
        std::fs::create_dir(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        TestVault { dir, path, runtime }
    }

    /// A new passphrase-mode vault (passphrase `PASS`).
    pub fn passphrase() -> TestVault {
        let t = TestVault::empty();
        t.pw(&["init", "--passphrase"]).ok();
        t
    }

    /// `hush ARGS` with HUSH_VAULT and XDG_RUNTIME_DIR of this test, and no other HUSH_* variable.
    /// No passphrase: a passphrase vault opens only through the agent.
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    /// The same as a plain `std::process::Command`, for tests that watch the live process.
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(hush_bin());
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("HUSH_") {
                c.env_remove(&k);
            }
        }
        c.env("HUSH_VAULT", &self.path).env("XDG_RUNTIME_DIR", &self.runtime).args(args);
        c
    }

    /// Runs `hush ARGS` without a passphrase.
    pub fn run(&self, args: &[&str]) -> Out {
        run(&mut self.cmd(args))
    }

    /// Runs `hush ARGS` with HUSH_PASSPHRASE=PASS.
    pub fn pw(&self, args: &[&str]) -> Out {
        run(self.cmd(args).env("HUSH_PASSPHRASE", PASS))
    }

    /// Runs `hush ARGS` with HUSH_PASSPHRASE=PASS and `input` on stdin.
    pub fn pw_in(&self, args: &[&str], input: impl Into<Vec<u8>>) -> Out {
        run(self.cmd(args).env("HUSH_PASSPHRASE", PASS).write_stdin(input))
    }

    /// `hush ARGS` as a developer's shell runs it against a team's server: with the passphrase,
    /// `stdin` and `env` (None removes the variable), HOME the test's directory, and none of the
    /// shell's own VAULT_TOKEN or VAULT_ADDR.
    pub fn remote_run(&self, args: &[&str], stdin: &str, env: &[(&str, Option<&str>)]) -> Out {
        let mut c = self.cmd(args);
        c.env("HUSH_PASSPHRASE", PASS)
            .env_remove("VAULT_TOKEN")
            .env_remove("VAULT_ADDR")
            .env("HOME", self.dir.path())
            .write_stdin(stdin.to_string());
        for (k, v) in env {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        run(&mut c)
    }

    /// `hush set PATH EXTRA...` with `value` on stdin; must succeed.
    pub fn set(&self, path: &str, value: &str, extra: &[&str]) -> Out {
        let mut args = vec!["set", path];
        args.extend_from_slice(extra);
        self.pw_in(&args, value).ok()
    }

    /// `hush get PATH` (with the passphrase); must succeed; the value without its newline.
    pub fn get(&self, path: &str) -> String {
        let out = self.pw(&["get", path]).ok().stdout();
        out.strip_suffix('\n')
            .unwrap_or_else(|| panic!("get output not newline-terminated: {out:?}"))
            .to_string()
    }

    /// `hush show --json PATH`'s current version.
    pub fn version(&self, path: &str) -> u64 {
        self.run(&["show", path, "--json"]).ok().json()["version"].as_u64().expect("version")
    }

    /// The audit log as JSON rows.
    pub fn audit(&self) -> Vec<Value> {
        self.run(&["audit", "--json"]).ok().json().as_array().expect("audit array").clone()
    }

    /// The vault id, as `hush doctor --json` reports it ("id <uuid>, schema ...").
    pub fn vault_id(&self) -> String {
        let checks = self.run(&["doctor", "--json"]).json();
        let vault = checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "vault")
            .expect("vault check")
            .clone();
        let detail = vault["detail"].as_str().unwrap();
        detail
            .strip_prefix("id ")
            .and_then(|s| s.split(',').next())
            .expect("id in the vault check")
            .to_string()
    }

    /// The agent socket of this vault.
    pub fn socket(&self) -> PathBuf {
        self.runtime.join("hush").join(format!("agent-{}.sock", self.vault_id()))
    }

    /// Runs SQL on the vault file with the `sqlite3` CLI; returns its stdout.
    pub fn sql(&self, sql: &str) -> String {
        sqlite(&self.path, sql)
    }

    /// Every file of the vault (db, -wal, -shm) concatenated.
    pub fn file_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            if let Ok(b) = std::fs::read(format!("{}{suffix}", self.path.display())) {
                all.extend_from_slice(&b);
            }
        }
        all
    }

    /// Stops every agent of this test's runtime dir.
    pub fn stop_agents(&self) {
        let sockets = || -> Vec<PathBuf> {
            std::fs::read_dir(self.runtime.join("hush"))
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default()
        };
        if sockets().is_empty() {
            return;
        }
        if self.path.is_file() {
            let _ = self.run(&["lock"]);
        }
        for e in sockets() {
            if let Ok(mut s) = UnixStream::connect(&e) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let _ = s.write_all(b"LOCK\n");
                let _ = std::io::Read::read(&mut s, &mut [0u8; 8]);
            }
        }
    }
}

impl Drop for TestVault {
    fn drop(&mut self) {
        self.stop_agents();
    }
}

/// Runs SQL on a database with the `sqlite3` CLI (installed by .ci/setup-deps.sh).
pub fn sqlite(db: &Path, sql: &str) -> String {
    let o = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("the sqlite3 CLI is needed by these tests (apt install sqlite3)");
    assert!(o.status.success(), "sqlite3 failed on {sql}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().trim_end().to_string()
}

/// PIDs of running (not zombie) `hush __agent` processes serving `vault_id`.
pub fn agent_pids(vault_id: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(e.path().join("cmdline")) else { continue };
        let args: Vec<String> =
            cmdline.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        if args.iter().any(|a| a == "__agent") && args.iter().any(|a| a == vault_id) {
            pids.push(pid);
        }
    }
    pids
}

/// Waits up to `secs` for `cond`.
pub fn wait_for(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    cond()
}

/// Field names of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> =
        v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

/// Actions of audit rows, optionally only those on `path`.
pub fn actions(rows: &[Value], path: Option<&str>) -> Vec<String> {
    rows.iter()
        .filter(|r| path.is_none_or(|p| r["path"] == p))
        .map(|r| r["action"].as_str().unwrap().to_string())
        .collect()
}
