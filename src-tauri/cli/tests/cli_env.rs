//! The `.env` workflow on the real `hush` binary: import (preview, conflicts, malformed and hostile
//! input), export, run (exit codes, layering, env isolation, masking across chunk boundaries,
//! signal forwarding), inject, backup and restore-backup, and a canary that never leaks.
//!
//! Every test has its own passphrase vault (HUSH_PASSPHRASE) and XDG_RUNTIME_DIR in a temp dir.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const PASS: &str = "cli env passphrase";

struct T {
    dir: tempfile::TempDir,
    vault: PathBuf,
}

impl T {
    fn new() -> T {
        let dir = tempfile::Builder::new().prefix("hush-cli-env-").tempdir().unwrap();
        std::fs::create_dir(dir.path().join("run")).unwrap();
        std::fs::set_permissions(dir.path().join("run"), std::fs::Permissions::from_mode(0o700))
            .unwrap();
        let t = T { vault: dir.path().join("vault.db"), dir };
        t.ok(&["init", "--passphrase"]);
        t
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hush"));
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("HUSH_") {
                c.env_remove(&k);
            }
        }
        c.env("HUSH_VAULT", &self.vault)
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env("HUSH_PASSPHRASE", PASS);
        c.env("HUSH_BACKUP_PASSPHRASE", "backup pass").args(args).stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        let o = self.cmd(args).output().unwrap();
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("panicked"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    }

    #[track_caller]
    fn code(&self, args: &[&str], code: i32) -> Output {
        let o = self.run(args);
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
    fn ok(&self, args: &[&str]) -> Output {
        self.code(args, 0)
    }

    fn file(&self, name: &str, body: impl AsRef<[u8]>) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn get(&self, path: &str) -> String {
        out(&self.ok(&["get", path])).trim_end_matches('\n').to_string()
    }

    fn db_bytes(&self) -> Vec<u8> {
        ["", "-wal", "-shm"]
            .iter()
            .flat_map(|s| std::fs::read(format!("{}{s}", self.vault.display())).unwrap_or_default())
            .collect()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn has(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn import_preview_commit_and_conflicts() {
    let t = T::new();
    let f = t.file(
        ".env",
        "# app\nexport API_KEY=abc\nDB='p#ss word'\nMULTI=\"a\\nb\"\nURL=${HOST}/x\n",
    );
    let o = t.ok(&["import", &f, "--into", "app/dev", "--dry-run"]);
    assert!(out(&o).contains("new 4, changed 0"), "{}", out(&o));
    assert!(err(&o).contains("URL contains '${'"), "{}", err(&o));
    t.code(&["get", "app/dev/API_KEY"], 3);
    let o = t.ok(&["import", &f, "--into", "app/dev", "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["report"]["created"], 4);
    assert_eq!(j["preview"]["counts"]["new"], 4);
    assert_eq!(t.get("app/dev/MULTI"), "a\nb");
    assert_eq!(t.get("app/dev/URL"), "${HOST}/x");
    // Changed values: refused unless told what to do.
    let f2 = t.file("2.env", "API_KEY=new\nDB='p#ss word'\n");
    let o = t.code(&["import", &f2, "--into", "app/dev"], 4);
    assert!(err(&o).contains("--overwrite") && err(&o).contains("API_KEY"), "{}", err(&o));
    t.ok(&["import", &f2, "--into", "app/dev", "--skip-existing"]);
    assert_eq!(t.get("app/dev/API_KEY"), "abc");
    t.ok(&["import", &f2, "--into", "app/dev", "--overwrite"]);
    assert_eq!(t.get("app/dev/API_KEY"), "new");
    let audit: serde_json::Value =
        serde_json::from_slice(&t.ok(&["audit", "--json"]).stdout).unwrap();
    let imports: Vec<_> =
        audit.as_array().unwrap().iter().filter(|e| e["action"] == "import").collect();
    assert_eq!(imports.len(), 3, "one entry per committed import");
    assert!(imports[0]["detail"].as_str().unwrap().contains(".env"));
}

#[test]
fn malformed_and_hostile_input_imports_nothing() {
    let t = T::new();
    let f = t.file("bad.env", "OK=1\nBROKEN=\"never closed\nKEY: value\nMY KEY=2\n");
    let o = t.code(&["import", &f, "--into", "x"], 2);
    let e = err(&o);
    assert!(
        e.contains("bad.env")
            && e.contains("line 2")
            && e.contains("line 3")
            && e.contains("line 4"),
        "{e}"
    );
    t.code(&["get", "x/OK"], 3);
    t.ok(&["import", &f, "--into", "x", "--skip-invalid"]);
    assert_eq!(t.get("x/OK"), "1");
    let bin = t.file("bin.env", b"A=1\nB=\xff\xfe\n");
    let o = t.code(&["import", &bin, "--into", "y"], 2);
    assert!(err(&o).contains("line 2") && err(&o).contains("UTF-8"), "{}", err(&o));
    // --skip-invalid once "left out line 2", imported nothing else, and exited 0.
    let o = t.code(&["import", &bin, "--into", "y", "--skip-invalid"], 2);
    assert!(err(&o).contains("not UTF-8") && err(&o).contains("nothing was imported"));
    t.code(&["get", "y/A"], 3);
    for bad in ["../etc", "a/../../b", "/abs", "a//b"] {
        t.code(&["import", &f, "--into", bad, "--skip-invalid"], 2);
    }
    let huge = t.file("huge.env", format!("H={}\n", "x".repeat(1024 * 1024 + 10)));
    let o = t.code(&["import", &huge, "--into", "h"], 2);
    assert!(err(&o).contains("limit"), "{}", err(&o));
    t.code(&["import", &t.path("missing.env"), "--into", "h"], 1);
}

#[test]
fn export_formats_files_and_round_trip() {
    let t = T::new();
    let src = "# c\nA=plain\nB=' lead'\nC=\"it's\"\n";
    let f = t.file("src.env", src);
    t.ok(&["import", &f, "--into", "e"]);
    assert_eq!(out(&t.ok(&["export", "e"])), src, "byte-identical re-export");
    let o = t.ok(&["export", "e", "--format", "json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["B"], " lead");
    let dest = t.path("out.env");
    t.ok(&["export", "e", "-o", &dest]);
    assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), src);
    t.ok(&["import", &dest, "--into", "e2"]);
    assert_eq!(t.get("e2/B"), " lead");
    // Layering: a later folder wins.
    let over = t.file("over.env", "A=mine\n");
    t.ok(&["import", &over, "--into", "me"]);
    assert!(out(&t.ok(&["export", "e", "me", "--format", "shell"])).contains("export A='mine'\n"));
    // `--from`, as `run` takes folders, after the positional ones.
    let shell = out(&t.ok(&["export", "--from", "me", "--format", "shell"]));
    assert_eq!(shell, out(&t.ok(&["export", "me", "--format", "shell"])));
    assert!(out(&t.ok(&["export", "e", "--from", "me", "--format", "shell"]))
        .contains("export A='mine'\n"));
    t.code(&["export", "nothing-here"], 3);
}

#[test]
fn run_passes_env_exit_code_and_isolates() {
    let t = T::new();
    let f = t.file("r.env", "TOKEN=tok-123\nSHARED=base\n");
    t.ok(&["import", &f, "--into", "app"]);
    let f2 = t.file("o.env", "SHARED=override\n");
    // `--folder` is taken for `--into` (as newcomers type it).
    t.ok(&["import", &f2, "--folder", "me"]);
    let o = t.code(
        &["run", "--from", "app", "--from", "me", "--", "sh", "-c", "echo $TOKEN $SHARED; exit 7"],
        7,
    );
    assert_eq!(out(&o), "tok-123 override\n");
    // Folders before `--` are --from folders, first (clap refused them as unexpected).
    let o = t.ok(&["run", "app", "me", "--", "sh", "-c", "echo $TOKEN $SHARED"]);
    assert_eq!(out(&o), "tok-123 override\n");
    let o = t.ok(&["run", "me", "--from", "app", "--", "sh", "-c", "echo $SHARED"]);
    assert_eq!(out(&o), "base\n", "--from comes after the folders named before --");
    // Without `--`, the program is taken for folders: the error says where it goes.
    let o = t.code(&["run", "app", "printenv", "TOKEN"], 2);
    assert!(err(&o).contains("the program goes after --"), "{}", err(&o));
    let o = t.run(&["run", "--from", "app", "--no-inherit-env", "--", "/usr/bin/env"]);
    let mut names: Vec<String> =
        out(&o).lines().map(|l| l.split('=').next().unwrap().to_string()).collect();
    names.sort();
    for n in &names {
        assert!(
            ["PATH", "HOME", "USER", "LANG", "TERM", "TMPDIR", "SHELL", "TOKEN", "SHARED"]
                .contains(&n.as_str()),
            "leaked {n}"
        );
    }
    assert!(
        names.contains(&"TOKEN".to_string()) && !names.contains(&"HUSH_PASSPHRASE".to_string())
    );
    t.code(&["run", "--from", "app", "--", "definitely-not-a-program-xyz"], 127);
    t.code(&["run", "--from", "app", "--", "sh", "-c", "kill -TERM $$"], 128 + 15);
    let audit: serde_json::Value =
        serde_json::from_slice(&t.ok(&["audit", "--json", "--action", "run"]).stdout).unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 6, "one entry per run");
}

#[test]
fn mask_hides_values_split_across_writes() {
    let t = T::new();
    let f = t.file("m.env", "SECRET=hunter2-very-secret\nSHORT=ab\n");
    t.ok(&["import", &f, "--into", "m"]);
    // The value reaches the pipe in three writes, far apart: chunk boundaries inside it.
    let script = "printf 'a hunter2-'; sleep 0.3; printf 'very-'; sleep 0.3; printf 'secret b ab\\n'; echo \"$SECRET\" >&2";
    let o = t.ok(&["run", "--mask", "--from", "m", "--", "sh", "-c", script]);
    assert_eq!(out(&o), "a [hush:masked] b ab\n");
    assert_eq!(err(&o), "[hush:masked]\n");
    let o = t.ok(&["run", "--from", "m", "--", "sh", "-c", "echo $SECRET"]);
    assert_eq!(out(&o), "hunter2-very-secret\n", "no masking unless asked");
}

#[test]
fn run_forwards_signals_and_returns_the_childs_code() {
    let t = T::new();
    let f = t.file("s.env", "X=1\n");
    t.ok(&["import", &f, "--into", "s"]);
    let ready = t.path("ready");
    let script = format!("trap 'exit 42' TERM; touch {ready}; while true; do sleep 0.1; done");
    let mut child = t.cmd(&["run", "--from", "s", "--", "sh", "-c", &script]).spawn().unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while !Path::new(&ready).exists() {
        assert!(std::time::Instant::now() < end, "the program never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(42), "SIGTERM reached the program and its exit code came back");
}

/// `hush run` killed with SIGKILL (no handler sees it, nothing is forwarded) once left its
/// program running on, with the secrets it was given. Linux ends it with SIGTERM.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_run_takes_its_program_with_it() {
    let t = T::new();
    let f = t.file("k.env", "X=1\n");
    t.ok(&["import", &f, "--into", "k"]);
    let pidfile = t.path("pid");
    let script = format!("echo $$ > {pidfile}.tmp && mv {pidfile}.tmp {pidfile} && exec sleep 60");
    let mut hush = t.cmd(&["run", "--from", "k", "--", "sh", "-c", &script]).spawn().unwrap();
    let end = std::time::Instant::now() + Duration::from_secs(30);
    while !Path::new(&pidfile).exists() {
        assert!(std::time::Instant::now() < end, "the program never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = std::fs::read_to_string(&pidfile).unwrap().trim().to_string();
    hush.kill().unwrap(); // SIGKILL
    hush.wait().unwrap();
    // Gone, or a zombie waiting for whoever adopted it to reap it.
    let ended = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map_or(true, |s| s.rsplit(')').next().is_some_and(|r| r.trim_start().starts_with('Z')))
    };
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while !ended() {
        if std::time::Instant::now() > end {
            let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
            panic!("the program outlived hush run by 5 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn inject_reports_every_unknown_reference() {
    let t = T::new();
    let f = t.file("i.env", "DB=pg://db\n");
    t.ok(&["import", &f, "--into", "app"]);
    let tpl = t.file("t.tpl", "db: hush://app/DB\nx: hush://app/NOPE\ny: hush://other/Y\n");
    let dest = t.path("rendered.yml");
    let o = t.code(&["inject", "-i", &tpl, "-o", &dest], 3);
    assert!(
        err(&o).contains("hush://app/NOPE") && err(&o).contains("hush://other/Y"),
        "{}",
        err(&o)
    );
    assert!(!Path::new(&dest).exists());
    let tpl = t.file("t2.tpl", "db: hush://app/DB\n");
    assert_eq!(out(&t.ok(&["inject", "-i", &tpl])), "db: pg://db\n");
    t.ok(&["inject", "-i", &tpl, "-o", &dest]);
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "db: pg://db\n");
    assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn backup_restores_on_another_machine_and_refuses_damage() {
    let t = T::new();
    let f = t.file("b.env", "# keep me\nK=v1\n");
    t.ok(&["import", &f, "--into", "b"]);
    let bak = t.path("vault.hushbak");
    t.ok(&["backup", "-o", &bak]);
    let other = T { dir: tempfile::tempdir().unwrap(), vault: PathBuf::new() };
    let newv = other.dir.path().join("new.db");
    std::fs::create_dir(other.dir.path().join("run")).unwrap();
    let restore = |file: &str| {
        t.cmd(&["restore-backup", file, "--passphrase", "--vault", newv.to_str().unwrap()])
            .env("HUSH_PASSPHRASE", "other machine")
            .output()
            .unwrap()
    };
    let bytes = std::fs::read(&bak).unwrap();
    let cut = t.file("cut.hushbak", &bytes[..bytes.len() / 2]);
    let o = restore(&cut);
    assert_eq!(o.status.code(), Some(6), "{}", err(&o));
    assert!(err(&o).contains("truncated"), "{}", err(&o));
    assert!(!newv.exists(), "nothing written");
    let o = restore(&bak);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let n = T { dir: other.dir, vault: newv };
    let got = n.cmd(&["export", "b"]).env("HUSH_PASSPHRASE", "other machine").output().unwrap();
    assert_eq!(out(&got), "# keep me\nK=v1\n");
    let v = n.cmd(&["audit", "--verify"]).env("HUSH_PASSPHRASE", "other machine").output().unwrap();
    assert_eq!(v.status.code(), Some(0), "{}", out(&v));
}

#[test]
fn canary_never_leaks() {
    let t = T::new();
    let canary = "CANARY-cli-env-7719";
    let f = t.file("c.env", format!("# note {canary}\nTOKEN={canary}\nBAD=\"{canary}\n"));
    let o = t.code(&["import", &f, "--into", "c"], 2);
    assert!(!has(&o.stdout, canary) && !has(&o.stderr, canary));
    let o = t.ok(&["import", &f, "--into", "c", "--skip-invalid", "--json"]);
    assert!(!has(&o.stdout, canary) && !has(&o.stderr, canary));
    t.ok(&["export", "c", "-o", &t.path("x.env")]);
    t.ok(&["run", "--mask", "--from", "c", "--", "sh", "-c", "echo $TOKEN"]);
    t.ok(&["backup", "-o", &t.path("c.bak")]);
    let audit = t.ok(&["audit", "--json"]);
    assert!(!has(&audit.stdout, canary));
    assert!(!has(&t.db_bytes(), canary), "plaintext in the vault file");
    assert!(!has(&std::fs::read(t.path("c.bak")).unwrap(), canary));
}
