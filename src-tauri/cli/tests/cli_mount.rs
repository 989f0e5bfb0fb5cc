//! `hush mount` on the real binary: a project's environment served as a FIFO at `.env`, read by
//! python-dotenv 1.2 and node dotenv (exact values), overlapping readers, a reader that opens and
//! closes without reading, `hush unmount`, a SIGKILLed server (the guard removes the pipe; the next
//! mount works), a stale pipe, git-tracked and regular-file paths refused, one audit entry per
//! read, docker-compose v1's refusal of a non-regular env_file (and `hush run` as its way), and at
//! the end a canary search of the disk: no plaintext anywhere.
//!
//! python-dotenv and node dotenv are installed once under cargo's target tmp dir (PyPI, npm).

mod project_common;

use std::collections::BTreeMap;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use project_common::{err, git, out, P};

fn tools() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mount-readers");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A python with python-dotenv 1.2 (which reads FIFOs).
fn python() -> &'static Path {
    static PY: OnceLock<PathBuf> = OnceLock::new();
    PY.get_or_init(|| {
        let venv = tools().join("venv");
        let py = venv.join("bin/python");
        let ok = |py: &Path| {
            Command::new(py)
                .args(["-c", "import importlib.metadata as m, sys; sys.exit(0 if m.version('python-dotenv').startswith('1.2.') else 1)"])
                .status()
                .is_ok_and(|s| s.success())
        };
        if !ok(&py) {
            assert!(Command::new("python3").args(["-m", "venv"]).arg(&venv).status().unwrap().success());
            let st = Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "python-dotenv==1.2.*"])
                .status()
                .unwrap();
            assert!(st.success() && ok(&py), "pip install python-dotenv==1.2.* failed");
        }
        py
    })
}

/// The node `dotenv` module's directory.
fn node_dotenv() -> &'static Path {
    static M: OnceLock<PathBuf> = OnceLock::new();
    M.get_or_init(|| {
        let prefix = tools().join("node");
        let module = prefix.join("node_modules/dotenv");
        if !module.is_dir() {
            let st = Command::new("npm")
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(&prefix)
                .arg("dotenv@16")
                .status()
                .expect("npm (node) is needed for the node dotenv reader");
            assert!(st.success(), "npm install dotenv@16 failed");
        }
        module
    })
}

fn py_read(path: &Path, delay_before_read: f64) -> Child {
    let script = "import json, sys, time\nfrom dotenv import dotenv_values\n\
        d = float(sys.argv[2])\n\
        if d:\n    f = open(sys.argv[1]); time.sleep(d); f.close()\n\
        print(json.dumps(dotenv_values(sys.argv[1], interpolate=False)))";
    Command::new(python())
        .args(["-c", script])
        .arg(path)
        .arg(delay_before_read.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn node_read(path: &Path) -> Child {
    let script = "const d=require(process.argv[1]);const fs=require('fs');\
        console.log(JSON.stringify(d.parse(fs.readFileSync(process.argv[2]))));";
    Command::new("node")
        .args(["-e", script])
        .arg(node_dotenv())
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn values(c: Child) -> BTreeMap<String, String> {
    let o = c.wait_with_output().unwrap();
    assert!(o.status.success(), "reader failed: {}", err(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn is_fifo(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo())
}

fn wait(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

struct Mount {
    child: Child,
    log: PathBuf,
}

impl Mount {
    fn start(p: &P, cwd: &Path, args: &[&str], pipe: &Path) -> Mount {
        let log = p.dir.path().join(format!("mount-{}.log", std::process::id() ^ rand_u32()));
        let mut a = vec!["mount"];
        a.extend_from_slice(args);
        let mut c = p.cmd(cwd, &a);
        c.stdout(Stdio::null()).stderr(std::fs::File::create(&log).unwrap());
        let child = c.spawn().unwrap();
        let m = Mount { child, log };
        assert!(wait(20, || is_fifo(pipe) && m.log().contains("serving")), "no mount: {}", m.log());
        m
    }
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

/// The planted value, made at run time: a literal would be found in this very file by the
/// disk search whenever a checkout of the repository sits under /tmp.
fn canary() -> &'static str {
    static C: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    C.get_or_init(|| format!("sk-live-CANARY-{:x}{:08x}", std::process::id(), rand_u32()))
}

fn expected() -> BTreeMap<String, String> {
    [
        ("API_KEY", canary()),
        ("DATABASE_URL", "postgres://u:p%40ss@db:5432/app?sslmode=require"),
        ("GREETING", "two words # not a comment"),
        ("QUOTED", "it's \"quoted\""),
        ("PORT", "8080"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn project(p: &P) -> PathBuf {
    for (k, v) in expected() {
        p.set(&format!("app/dev/{k}"), &v);
    }
    let repo = p.mkdir("repo");
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("hush.toml"), "[env.dev]\nfrom = [\"app/dev\", \"app/dev-mine\"]\n")
        .unwrap();
    p.ok(&repo, &["project", "trust"]);
    repo
}

#[test]
fn mounted_env_is_read_exactly_by_dotenv_libraries_and_cleaned_up() {
    let p = P::new();
    let repo = project(&p);
    let pipe = repo.join(".env");
    let want = expected();
    let mut m = Mount::start(&p, &repo, &[], &pipe);
    assert_eq!(values(py_read(&pipe, 0.0)), want, "python-dotenv");
    assert_eq!(values(node_read(&pipe)), want, "node dotenv");
    // overlapping readers: one holds the pipe open for a second while others come and go
    let slow = py_read(&pipe, 1.0);
    std::thread::sleep(Duration::from_millis(300));
    let fast = node_read(&pipe);
    assert_eq!(values(fast), want, "the second reader while the first holds its pipe");
    assert_eq!(values(slow), want, "the first reader, after the second");
    // a reader that opens and closes without reading; the next reader is unaffected
    drop(std::fs::File::open(&pipe).unwrap());
    assert_eq!(values(node_read(&pipe)), want, "after a reader left without reading");
    // each read is one audit entry; nothing is on disk
    let reads = wait(5, || p.audit_json().matches("\"mount_read\"").count() >= 6);
    assert!(reads, "{}", p.audit_json());
    assert!(!p.audit_json().contains("CANARY"));
    assert!(m.log().contains("read by"), "{}", m.log());
    let mounts = out(&p.ok(&repo, &["mounts", "--json"]));
    assert!(mounts.contains("\"alive\": true") && mounts.contains("app/dev"), "{mounts}");
    // unmount: the server stops, the pipe goes
    p.ok(&repo, &["unmount"]);
    assert!(wait(5, || !pipe.exists()), "pipe left after unmount");
    assert!(m.child.wait().unwrap().success());
    assert!(out(&p.ok(&repo, &["mounts"])).contains("no mounts"));
    // a killed server: the guard removes the pipe, the next mount works
    let mut m2 = Mount::start(&p, &repo, &[], &pipe);
    m2.child.kill().unwrap();
    m2.child.wait().unwrap();
    assert!(wait(10, || !pipe.exists()), "the guard did not remove the pipe of a killed server");
    let m3 = Mount::start(&p, &repo, &["--from", "app/dev"], &pipe);
    assert_eq!(values(py_read(&pipe, 0.0)), want);
    drop(m3);
    canary_search(&p, canary());
}

#[test]
fn stale_tracked_and_plaintext_paths() {
    let p = P::new();
    let repo = project(&p);
    // a stale pipe (no server): detected and replaced; unmount removes one too
    let stale = repo.join(".env");
    hush_mkfifo(&stale);
    let m = Mount::start(&p, &repo, &[], &stale);
    assert!(m.log().contains("stale pipe"), "{}", m.log());
    // a second mount of the same path is refused while the first serves
    let o = p.code(&repo, &["mount"], 4);
    assert!(err(&o).contains("served by hush mount"), "{}", err(&o));
    drop(m);
    let other = repo.join("other.env");
    hush_mkfifo(&other);
    assert!(out(&p.ok(&repo, &["unmount", "other.env"])).contains("stale"));
    let o = p.code(&repo, &["unmount", "nothing.env"], 3);
    assert!(
        err(&o).contains("nothing is mounted at") && !err(&o).contains("no secret at"),
        "{}",
        err(&o)
    );
    assert!(!other.exists());
    p.code(&repo, &["unmount", "other.env"], 3);
    // a path git tracks is refused, and so is a regular file
    std::fs::write(repo.join("tracked.env"), "A=1\n").unwrap();
    git(&repo, &["add", "tracked.env"]);
    let o = p.code(&repo, &["mount", "tracked.env"], 2);
    assert!(err(&o).contains("tracked by git"), "{}", err(&o));
    std::fs::write(repo.join("plain.env"), "A=1\n").unwrap();
    let o = p.code(&repo, &["mount", "plain.env"], 2);
    assert!(err(&o).contains("regular file"), "{}", err(&o));
}

/// The pipe removed under a live server (`rm .env`), or replaced by a regular file: the server
/// once stayed blocked on the removed pipe, and neither `hush unmount` nor SIGTERM or Ctrl-C
/// stopped it (only SIGKILL). It now ends by itself, saying why, and never writes into the file
/// put in the pipe's place.
#[test]
fn a_removed_or_replaced_pipe_ends_the_server() {
    let p = P::new();
    let repo = project(&p);
    let pipe = repo.join(".env");
    let mut m = Mount::start(&p, &repo, &[], &pipe);
    assert_eq!(values(py_read(&pipe, 0.0)), expected());
    std::fs::remove_file(&pipe).unwrap();
    assert!(wait(5, || m.child.try_wait().unwrap().is_some()), "still serving: {}", m.log());
    assert!(m.log().contains("no longer the pipe"), "{}", m.log());
    assert!(out(&p.ok(&repo, &["mounts"])).contains("no mounts"));

    let mut m = Mount::start(&p, &repo, &[], &pipe);
    let tmp = repo.join("plain.tmp");
    std::fs::write(&tmp, "MINE=1\n").unwrap();
    std::fs::rename(&tmp, &pipe).unwrap();
    assert!(wait(5, || m.child.try_wait().unwrap().is_some()), "still serving: {}", m.log());
    assert_eq!(std::fs::read_to_string(&pipe).unwrap(), "MINE=1\n", "the file was written into");
}

fn hush_mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// Debian's docker-compose (v1) refuses an env_file that is not a regular file; `hush run` gives
/// it the exact values through the environment instead (Compose v2 reads the pipe itself).
#[test]
#[ignore = "needs docker-compose (scripts/test.sh installs it)"]
fn docker_compose_v1_and_the_run_way() {
    let p = P::new();
    let repo = project(&p);
    let pipe = repo.join(".env");
    std::fs::write(
        repo.join("docker-compose.yml"),
        "services:\n  s:\n    image: busybox\n    environment:\n      - API_KEY\n      - DATABASE_URL\n      - GREETING\n",
    )
    .unwrap();
    let _m = Mount::start(&p, &repo, &[], &pipe);
    std::fs::write(
        repo.join("envfile.yml"),
        "services:\n  s:\n    image: busybox\n    env_file: .env\n",
    )
    .unwrap();
    let o = Command::new("docker-compose")
        .current_dir(&repo)
        .args(["-f", "envfile.yml", "config"])
        .output()
        .unwrap();
    assert!(
        !o.status.success() && err(&o).contains("is not a file"),
        "compose v1 changed: {}",
        err(&o)
    );
    let o = p.ok(&repo, &["run", "--", "docker-compose", "config"]);
    let text = out(&o);
    let want = expected();
    for k in ["API_KEY", "DATABASE_URL", "GREETING"] {
        assert!(
            text.contains(&format!("{k}: {}", want[k]))
                || text.contains(&format!("{k}: '{}'", want[k])),
            "{k}: {text}"
        );
    }
}

/// No plaintext value on disk: the test's dir (vault, logs, trust records, mounts) and /tmp.
fn canary_search(p: &P, canary: &str) {
    let o = Command::new("grep")
        .args(["-rlF", "-D", "skip", "--", canary])
        .arg(p.dir.path())
        .arg("/tmp")
        .arg("/dev/shm")
        .output()
        .unwrap();
    let hits = out(&o);
    assert!(hits.trim().is_empty(), "the canary is on disk in: {hits}");
}
