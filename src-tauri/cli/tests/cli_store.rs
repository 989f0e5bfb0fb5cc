//! The store under pressure, on the real binary: a read behind a long write by another process,
//! a read-only period that left the side files read-only, a damaged database file.

mod common;

use std::time::{Duration, Instant};

use common::TestVault;

/// Holds the vault's write lock from another process (the sqlite3 CLI) for `secs`.
fn hold_write_lock(t: &TestVault, secs: u32) -> std::process::Child {
    let sql = format!(
        "BEGIN IMMEDIATE;\nUPDATE settings SET key = key;\n.system sleep {secs}\nCOMMIT;\n"
    );
    let mut child = std::process::Command::new("sqlite3")
        .arg(&t.path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("sqlite3");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(sql.as_bytes()).unwrap();
    child
}

#[test]
fn a_read_behind_a_long_write_waits_and_says_so() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "value", &[]);
    let mut writer = hold_write_lock(&t, 4);
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let out = t.pw(&["get", "app/KEY"]).ok();
    let waited = started.elapsed();
    writer.wait().unwrap();
    assert_eq!(out.stdout(), "value\n");
    assert!(waited >= Duration::from_secs(2), "it did not wait for the writer: {waited:?}");
    assert!(out.stderr.contains("waiting for another Hush process"), "{}", out.stderr);
    // The read was audited once the lock was free.
    let reads = t.run(&["audit", "--action", "read", "--json"]).ok().json();
    assert_eq!(reads.as_array().unwrap().len(), 1);
}

#[cfg(unix)]
#[test]
fn side_files_left_read_only_are_repaired_and_checked() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestVault::passphrase();
    t.set("app/KEY", "value", &[]);
    // Another connection keeps the WAL and shared-memory files alive, as an app left open does.
    let held = rusqlite::Connection::open(&t.path).unwrap();
    held.query_row("SELECT count(*) FROM secrets", [], |r| r.get::<_, i64>(0)).unwrap();
    let side = |s: &str| std::path::PathBuf::from(format!("{}{s}", t.path.display()));
    let mode = |s: &str| std::fs::metadata(side(s)).unwrap().permissions().mode() & 0o777;
    for s in ["-wal", "-shm"] {
        std::fs::set_permissions(side(s), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let doc = t.pw(&["doctor"]).expect(1).stdout();
    assert!(
        doc.lines().any(|l| l.starts_with("[FAIL] side files") && l.contains("chmod 600")),
        "{doc}"
    );
    // A read-only period (chmod 444) leaves them read-only; the next command repairs them.
    for s in ["-wal", "-shm"] {
        std::fs::set_permissions(side(s), std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    assert_eq!(t.get("app/KEY"), "value");
    assert_eq!((mode("-wal"), mode("-shm")), (0o600, 0o600));
    drop(held);
}

#[test]
fn a_damaged_index_is_found_by_doctor_and_refused_as_integrity() {
    let t = TestVault::passphrase();
    let body: String = (0..200).map(|i| format!("KEY_{i}=value-{i}\n")).collect();
    let f = t.dir.path().join("bulk.env");
    std::fs::write(&f, body).unwrap();
    t.pw(&["import", f.to_str().unwrap(), "--into", "app"]).ok();
    t.sql("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
    let page_size: u64 = t.sql("PRAGMA page_size").parse().unwrap();
    let root: u64 = t
        .sql("SELECT rootpage FROM sqlite_master WHERE name = 'secrets_live_path'")
        .parse()
        .unwrap();
    let mut bytes = std::fs::read(&t.path).unwrap();
    let at = ((root - 1) * page_size) as usize;
    // The index's root page overwritten whole (its header too): what a torn or bit-rotted page
    // looks like to SQLite.
    for b in &mut bytes[at..at + page_size as usize] {
        *b = 0x5a;
    }
    std::fs::write(&t.path, &bytes).unwrap();
    let doc = t.pw(&["doctor"]).expect(1).stdout();
    assert!(doc.lines().any(|l| l.starts_with("[FAIL] sqlite") && l.contains("damaged")), "{doc}");
    let get = t.pw(&["get", "app/KEY_7"]);
    assert_eq!(get.code, 6, "a damaged file is an integrity error: {}", get.stderr);
}

/// The `pread64` calls `hush ARGS` makes on the `-wal` file, and the WAL's frames.
fn wal_reads(t: &TestVault, args: &[&str]) -> (usize, u64) {
    let wal = t.path.with_extension("db-wal");
    let frames = (std::fs::metadata(&wal).unwrap().len() - 32) / (4096 + 24);
    let trace = t.dir.path().join("trace");
    let mut c = std::process::Command::new("strace");
    c.args(["-f", "-qq", "-y", "-e", "trace=pread64", "-o"]).arg(&trace).arg("--");
    let mut hush = t.std_cmd(args);
    hush.env("HUSH_PASSPHRASE", common::PASS);
    c.arg(hush.get_program()).args(hush.get_args());
    c.envs(hush.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    let out = c.output().expect("strace is needed by this test (apt install strace)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = std::fs::read_to_string(trace).unwrap();
    (log.lines().filter(|l| l.contains(".db-wal>")).count(), frames)
}

/// A process rebuilds the WAL's index from the whole `-wal` file when it is the first to open the
/// vault (the WAL stays between processes, up to 4 MB). The check that the file is a vault opened
/// its own connection first and closed it, so every command read the WAL twice (~2 ms each).
#[test]
#[ignore = "needs strace: run via scripts/test.sh"]
fn a_command_reads_the_wal_once() {
    let t = TestVault::passphrase();
    let body: String = (0..300).map(|i| format!("KEY_{i}=value-{i}\n")).collect();
    let f = t.dir.path().join("bulk.env");
    std::fs::write(&f, body).unwrap();
    for folder in ["app", "api", "web", "worker"] {
        t.pw(&["import", f.to_str().unwrap(), "--into", folder]).ok();
    }
    for args in [&["ls", "app"][..], &["get", "web/KEY_7"]] {
        let (reads, frames) = wal_reads(&t, args);
        assert!(frames >= 50, "the WAL is too small to tell: {frames} frames");
        // One scan reads each frame once; the query then reads the few pages it needs.
        let once = frames as usize * 3 / 2;
        assert!(reads <= once, "{args:?}: {reads} reads of the WAL's {frames} frames");
    }
}

/// `hush purge` of a path both live and in the trash destroyed both, saying only "2 secret(s)".
/// Now it refuses and names the two ways; `--trashed` keeps the live one, `--all` takes both.
#[test]
fn purge_of_a_path_both_live_and_trashed_asks_which() {
    let t = TestVault::passphrase();
    t.set("pg/a/K", "old", &[]);
    t.pw(&["rm", "pg/a/K"]).ok();
    t.set("pg/a/K", "live", &[]);
    let out = t.pw(&["purge", "pg/a/K"]).expect(2);
    assert!(out.stderr.contains("--trashed") && out.stderr.contains("--all"), "{}", out.stderr);
    assert_eq!(t.get("pg/a/K"), "live", "nothing was destroyed");
    t.pw(&["purge", "pg/a/K", "--trashed"]).ok();
    assert_eq!(t.get("pg/a/K"), "live");
    assert_eq!(t.pw(&["trash", "--json"]).ok().json(), serde_json::json!([]));
    t.pw(&["purge", "pg/a/K", "--trashed"]).expect(3);
    t.pw(&["rm", "pg/a/K"]).ok();
    t.set("pg/a/K", "again", &[]);
    let out = t.pw(&["purge", "pg/a/K", "--all"]).ok();
    assert!(out.stderr.contains("2 secret(s)"), "{}", out.stderr);
    t.pw(&["get", "pg/a/K"]).expect(3);
}

/// `mv` on the real binary. `mv a/K b/` (a trailing slash) fell to a folder move and said "no
/// secrets in the folder 'a/K'" of a secret that exists; it now moves K into b. And the hints
/// that name a path with a quoted name are pasteable: `hush restore q/x/"my key"`, pasted as
/// printed, lost its quotes to the shell and failed.
#[test]
fn mv_into_a_folder_and_hints_that_paste_into_a_shell() {
    let t = TestVault::passphrase();
    t.set("mvt/a/K", "k", &[]);
    t.set("mvt/a/\"my key\"", "q", &[]);
    t.pw(&["mv", "mvt/a/K", "mvt/b/"]).ok();
    assert_eq!(t.get("mvt/b/K"), "k");
    t.pw(&["mv", "mvt/a/\"my key\"", "mvt/c/"]).ok();
    assert_eq!(t.get("mvt/c/\"my key\""), "q");
    let out = t.pw(&["mv", "mvt/b/K", "mvt/b//x"]).expect(2);
    assert!(out.stderr.contains("invalid path 'mvt/b//x'"), "{}", out.stderr);
    let out = t.pw(&["mv", "mvt/b", "mvt/d"]).ok();
    assert!(out.stdout().contains("mvt/b/K -> mvt/d/K"), "{}", out.stdout());

    let out = t.pw(&["rm", "mvt/c/\"my key\""]).ok();
    let hint = out.stderr.split('`').nth(1).expect("a command in backquotes").to_string();
    assert_eq!(hint, "hush restore 'mvt/c/\"my key\"'", "{}", out.stderr);
    // The hint, run by a real shell as printed, works.
    let sh = std::process::Command::new("sh")
        .arg("-c")
        .arg(hint.replacen("hush", common::hush_bin(), 1))
        .env("HUSH_VAULT", &t.path)
        .env("XDG_RUNTIME_DIR", &t.runtime)
        .env("HUSH_PASSPHRASE", common::PASS)
        .output()
        .unwrap();
    assert!(sh.status.success(), "{}", String::from_utf8_lossy(&sh.stderr));
    assert_eq!(t.get("mvt/c/\"my key\""), "q");
}
