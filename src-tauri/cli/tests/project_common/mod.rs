//! Helpers of the project tests (cli_project, cli_scan, cli_mount, cli_activate): one temp dir per
//! test holding a passphrase vault, its own XDG data dir (trust records), XDG runtime dir (agent,
//! mounts) and a work tree; `hush` runs with only these (no HUSH_* of the developer).

#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "project tests passphrase";

pub struct P {
    pub dir: tempfile::TempDir,
}

impl P {
    pub fn new() -> P {
        let dir = tempfile::Builder::new().prefix("hush-proj-").tempdir().unwrap();
        for d in ["run", "data", "work"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        std::fs::set_permissions(dir.path().join("run"), std::fs::Permissions::from_mode(0o700))
            .unwrap();
        let p = P { dir };
        p.ok(&p.work(), &["init", "--passphrase"]);
        p
    }

    pub fn vault(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }

    pub fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    pub fn runtime(&self) -> PathBuf {
        self.dir.path().join("run")
    }

    /// The environment `hush` (and shells in the pty tests) get.
    pub fn envs(&self) -> Vec<(String, String)> {
        vec![
            ("HUSH_VAULT".into(), self.vault().display().to_string()),
            ("XDG_DATA_HOME".into(), self.dir.path().join("data").display().to_string()),
            ("XDG_RUNTIME_DIR".into(), self.runtime().display().to_string()),
        ]
    }

    /// `hush ARGS` in `cwd`, with HUSH_PASSPHRASE.
    pub fn cmd(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hush"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("HUSH_") {
                c.env_remove(&k);
            }
        }
        c.envs(self.envs()).env("HUSH_PASSPHRASE", PASS).current_dir(cwd).args(args);
        c.stdin(Stdio::null());
        c
    }

    pub fn run(&self, cwd: &Path, args: &[&str]) -> Output {
        let o = self.cmd(cwd, args).output().unwrap();
        assert!(!err(&o).contains("panicked"), "{}", err(&o));
        o
    }

    #[track_caller]
    pub fn code(&self, cwd: &Path, args: &[&str], code: i32) -> Output {
        let o = self.run(cwd, args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "hush {args:?}\nstdout: {}\nstderr: {}",
            out(&o),
            err(&o)
        );
        o
    }

    #[track_caller]
    pub fn ok(&self, cwd: &Path, args: &[&str]) -> Output {
        self.code(cwd, args, 0)
    }

    /// `hush set PATH` with `value` on stdin.
    pub fn set(&self, path: &str, value: &str) {
        let mut c = self.cmd(&self.work(), &["set", path]);
        c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut ch = c.spawn().unwrap();
        use std::io::Write;
        ch.stdin.take().unwrap().write_all(value.as_bytes()).unwrap();
        let o = ch.wait_with_output().unwrap();
        assert!(o.status.success(), "set {path}: {}", err(&o));
    }

    /// A directory under the work tree, made if missing.
    pub fn mkdir(&self, rel: &str) -> PathBuf {
        let d = self.work().join(rel);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// The audit log as text rows (no values may be in it).
    pub fn audit_json(&self) -> String {
        out(&self.ok(&self.work(), &["audit", "--json"]))
    }
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `git ARGS` in `dir` (quiet identity, no global config).
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let o = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git is needed by these tests");
    assert!(o.status.success(), "git {args:?}: {}", err(&o));
    o
}
