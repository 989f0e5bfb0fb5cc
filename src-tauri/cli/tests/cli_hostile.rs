//! Hostile input and a hostile vault file: oversized and malformed values, garbage and foreign
//! files, ciphertexts flipped or swapped with the `sqlite3` CLI, and an edited audit log.

mod common;

use std::os::unix::fs::OpenOptionsExt;

use common::TestVault;

/// The ciphertext of `path`@`version` as upper-case hex.
fn ct_hex(t: &TestVault, path: &str, version: u64) -> String {
    t.sql(&format!(
        "SELECT hex(ciphertext) FROM versions WHERE version = {version} AND secret_id = (SELECT id FROM secrets WHERE path = '{path}' AND deleted_at IS NULL)"
    ))
}

fn put_ct(t: &TestVault, path: &str, version: u64, hex: &str) {
    t.sql(&format!(
        "UPDATE versions SET ciphertext = X'{hex}' WHERE version = {version} AND secret_id = (SELECT id FROM secrets WHERE path = '{path}' AND deleted_at IS NULL)"
    ));
    assert_eq!(ct_hex(t, path, version), hex, "the tamper did not land");
}

/// Flips the low bit of byte `at` of a hex string.
fn flip(hex: &str, at: usize) -> String {
    let mut b: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    b[at] ^= 1;
    b.iter().map(|x| format!("{x:02X}")).collect()
}

#[test]
fn an_oversized_value_is_refused_and_nothing_is_written() {
    let t = TestVault::passphrase();
    t.set("big/BLOB", "small", &[]);
    let limit = 1024 * 1024;
    let out = t.pw_in(&["set", "big/BLOB"], vec![b'a'; limit + 1]).expect(2);
    assert!(
        out.stderr.contains("1048577 bytes") && out.stderr.contains("limit is 1048576"),
        "{}",
        out.stderr
    );
    // A much larger input fails the same way (hush stops reading after the limit).
    let out = t.pw_in(&["set", "big/BLOB"], vec![b'b'; 8 * limit]).expect(2);
    assert!(out.stderr.contains("limit"), "{}", out.stderr);
    assert_eq!(t.version("big/BLOB"), 1);
    assert_eq!(t.run(&["history", "big/BLOB", "--json"]).ok().json().as_array().unwrap().len(), 1);
    assert_eq!(t.get("big/BLOB"), "small");
    t.pw_in(&["set", "big/NEW"], vec![b'c'; limit + 1]).expect(2);
    t.run(&["show", "big/NEW"]).expect(3);
    // The limit itself is fine, with or without the trailing newline that set drops.
    t.set("big/BLOB", &"d".repeat(limit), &[]);
    let mut with_nl = "e".repeat(limit);
    with_nl.push('\n');
    t.set("big/BLOB", &with_nl, &[]);
    let got = t.pw(&["get", "big/BLOB"]).ok().stdout;
    assert_eq!(got.len(), limit + 1);
    assert!(got[..limit].iter().all(|b| *b == b'e'));
}

#[test]
fn invalid_utf8_and_kind_violations_are_refused() {
    let t = TestVault::passphrase();
    let out = t.pw_in(&["set", "bad/BYTES"], b"ok\xff\xfe".to_vec()).expect(2);
    assert!(out.stderr.contains("UTF-8"), "{}", out.stderr);
    t.run(&["show", "bad/BYTES"]).expect(3);

    let secret_bit = "Pa55-docker-9c1e";
    let bad_json = format!(r#"{{"registry":"ghcr.io","username":"me","password":"{secret_bit}""#);
    let out = t.pw_in(&["set", "bad/DOCKER", "--kind", "docker_credentials"], bad_json).expect(2);
    assert!(
        out.stderr.contains("docker_credentials") && out.stderr.contains("line 1"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains(secret_bit), "the error echoes the value: {}", out.stderr);
    let unknown_field =
        format!(r#"{{"registry":"r","username":"u","password":"{secret_bit}","token":"x"}}"#);
    let out =
        t.pw_in(&["set", "bad/DOCKER", "--kind", "docker_credentials"], unknown_field).expect(2);
    assert!(!out.stderr.contains(secret_bit), "{}", out.stderr);
    t.run(&["show", "bad/DOCKER"]).expect(3);
    let good = format!(
        r#"{{"registry":"ghcr.io","username":"me","password":"{secret_bit}","email":"me@example.com"}}"#
    );
    t.set("bad/DOCKER", &good, &["--kind", "docker_credentials"]);
    assert_eq!(t.run(&["show", "bad/DOCKER", "--json"]).ok().json()["kind"], "docker_credentials");
    // A later write of a docker secret is validated against its kept kind.
    let out = t.pw_in(&["set", "bad/DOCKER"], "not json").expect(2);
    assert!(out.stderr.contains("docker_credentials"), "{}", out.stderr);
    assert_eq!(t.version("bad/DOCKER"), 1);
    t.pw_in(&["set", "bad/CERT", "--kind", "certificate"], "MIIB...").expect(2);
    t.set(
        "bad/CERT",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        &["--kind", "certificate"],
    );
}

#[test]
fn garbage_and_truncated_vault_files_give_clear_errors() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "v", &[]);
    let real = std::fs::read(&t.path).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "random bytes",
            (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
        ),
        ("text", b"API_KEY=this is a .env file, not a vault\n".repeat(50)),
        ("truncated vault", real[..real.len().min(3000)].to_vec()),
    ];
    for (what, bytes) in cases {
        let g = TestVault::empty();
        std::fs::create_dir_all(g.path.parent().unwrap()).unwrap();
        std::fs::write(&g.path, &bytes).unwrap();
        for args in [&["get", "app/KEY"][..], &["ls"], &["audit", "--verify"]] {
            let out = g.pw(args);
            assert_ne!(out.code, 0, "{what}: {args:?} succeeded");
            assert!(!out.stderr.contains("panicked"), "{what}: {args:?} panicked: {}", out.stderr);
            assert!(out.stderr.starts_with("hush: "), "{what}: {}", out.stderr);
            assert!(
                out.stderr.contains("database") || out.stderr.contains("vault"),
                "{what}: unclear error: {}",
                out.stderr
            );
        }
        let doc = g.run(&["doctor"]);
        assert_eq!(doc.code, 1, "{what}: doctor must fail: {}", doc.stdout());
        assert!(doc.stdout().contains("[FAIL] vault"), "{what}: {}", doc.stdout());
        assert!(!doc.stderr.contains("panicked"));
        let after = std::fs::read(&g.path).unwrap();
        assert!(
            after == bytes,
            "{what}: hush changed a file it could not open ({} -> {} bytes)",
            bytes.len(),
            after.len()
        );
    }
}

/// Regression test for a bug found by this suite: `Vault::open` used to run the migrations on any
/// SQLite file, so pointing hush at an empty file or at another program's database wrote the Hush
/// schema into it (and switched it to WAL) before failing. It must refuse with a clear error and
/// leave the file byte-for-byte alone.
#[test]
fn a_file_that_is_not_a_vault_is_left_untouched() {
    let empty = TestVault::empty();
    std::fs::create_dir_all(empty.path.parent().unwrap()).unwrap();
    std::fs::write(&empty.path, b"").unwrap();
    let foreign = TestVault::empty();
    std::fs::create_dir_all(foreign.path.parent().unwrap()).unwrap();
    common::sqlite(
        &foreign.path,
        "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');",
    );
    for (what, g) in [("an empty file", &empty), ("another program's database", &foreign)] {
        let before = std::fs::read(&g.path).unwrap();
        let out = g.pw(&["ls"]);
        assert_ne!(out.code, 0, "{what}: ls succeeded");
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        assert!(out.stderr.contains("vault"), "{what}: {}", out.stderr);
        let after = std::fs::read(&g.path).unwrap();
        assert!(
            after == before,
            "{what}: hush wrote into a file that is not a vault ({} -> {} bytes)",
            before.len(),
            after.len()
        );
    }
    assert_eq!(
        foreign.sql("SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'"),
        "notes"
    );
}

#[test]
fn a_flipped_ciphertext_byte_fails_that_secret_only() {
    let t = TestVault::passphrase();
    t.set("app/dev/DATABASE_URL", "postgres://u:p@db/app", &[]);
    t.set("app/dev/API_KEY", "key-1", &[]);
    t.set("app/dev/API_KEY", "key-2", &[]);
    let hex = ct_hex(&t, "app/dev/API_KEY", 2);
    put_ct(&t, "app/dev/API_KEY", 2, &flip(&hex, hex.len() / 2 - 3));
    let out = t.pw(&["get", "app/dev/API_KEY"]).expect(6);
    assert!(
        out.stderr.contains("integrity") && out.stderr.contains("app/dev/API_KEY"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "a failed get printed something");
    t.pw(&["get", "app/dev/API_KEY", "--json"]).expect(6);
    // The older version and the other secret still read.
    assert_eq!(t.pw(&["get", "app/dev/API_KEY", "--version", "1"]).ok().stdout, b"key-1\n");
    assert_eq!(t.get("app/dev/DATABASE_URL"), "postgres://u:p@db/app");
    // The header byte (format version) is checked as well.
    let db = ct_hex(&t, "app/dev/DATABASE_URL", 1);
    put_ct(&t, "app/dev/DATABASE_URL", 1, &flip(&db, 3));
    t.pw(&["get", "app/dev/DATABASE_URL"]).expect(6);
    // The failures are audited; the chain still verifies (tampering the values is not an audit edit).
    let rows = t.audit();
    let fails: Vec<_> = rows.iter().filter(|r| r["outcome"] == "integrity_failure").collect();
    assert_eq!(fails.len(), 3, "{rows:?}");
    t.run(&["audit", "--verify"]).ok();
    // doctor (with the key from the agent) names both altered versions.
    t.pw(&["unlock", "--timeout", "30s"]).ok();
    let doc = t.run(&["doctor"]).expect(1).stdout();
    let line = doc
        .lines()
        .find(|l| l.contains("integrity"))
        .unwrap_or_else(|| panic!("no integrity line:\n{doc}"));
    assert!(
        line.starts_with("[FAIL]")
            && line.contains("app/dev/API_KEY@2")
            && line.contains("app/dev/DATABASE_URL@1"),
        "{doc}"
    );
    assert!(!line.contains("API_KEY@1"), "{line}");
    let j = t.run(&["doctor", "--json"]).expect(1).json();
    let integrity =
        j.as_array().unwrap().iter().find(|c| c["name"] == "integrity").unwrap().clone();
    assert_eq!(integrity["ok"], false);
    t.run(&["lock"]).ok();
    // Without the agent, the passphrase from the environment lets doctor check every version too.
    let doc = t.pw(&["doctor"]).expect(1).stdout();
    assert!(
        doc.lines().any(|l| l.starts_with("[FAIL]")
            && l.contains("integrity")
            && l.contains("app/dev/API_KEY@2")),
        "{doc}"
    );
    // Overwriting the altered secret repairs it.
    t.set("app/dev/API_KEY", "key-3", &[]);
    assert_eq!(t.get("app/dev/API_KEY"), "key-3");
}

#[test]
fn swapped_ciphertexts_are_detected() {
    let t = TestVault::passphrase();
    t.set("a/ONE", "first", &[]);
    t.set("b/TWO", "second", &[]);
    t.set("c/THREE", "third-v1", &[]);
    t.set("c/THREE", "third-v2", &[]);
    t.set("d/FOUR", "untouched", &[]);
    // Two rows of different secrets.
    let (one, two) = (ct_hex(&t, "a/ONE", 1), ct_hex(&t, "b/TWO", 1));
    put_ct(&t, "a/ONE", 1, &two);
    put_ct(&t, "b/TWO", 1, &one);
    for p in ["a/ONE", "b/TWO"] {
        let out = t.pw(&["get", p]).expect(6);
        assert!(out.stderr.contains(p), "{}", out.stderr);
        assert!(!out.stderr.contains("first") && !out.stderr.contains("second"));
    }
    // Two versions of one secret.
    let (v1, v2) = (ct_hex(&t, "c/THREE", 1), ct_hex(&t, "c/THREE", 2));
    put_ct(&t, "c/THREE", 1, &v2);
    put_ct(&t, "c/THREE", 2, &v1);
    t.pw(&["get", "c/THREE"]).expect(6);
    t.pw(&["get", "c/THREE", "--version", "1"]).expect(6);
    t.pw(&["rollback", "c/THREE", "--to", "1"]).expect(6);
    assert_eq!(t.version("c/THREE"), 2, "a failed rollback wrote a version");
    assert_eq!(t.get("d/FOUR"), "untouched");
    // Swapping them back restores both: the ciphertexts themselves were never damaged.
    put_ct(&t, "a/ONE", 1, &one);
    put_ct(&t, "b/TWO", 1, &two);
    assert_eq!((t.get("a/ONE"), t.get("b/TWO")), ("first".into(), "second".into()));
}

#[test]
fn an_edited_or_shortened_audit_log_fails_verify() {
    let setup = || {
        let t = TestVault::passphrase();
        t.set("app/KEY", "v1", &[]);
        t.set("app/KEY", "v2", &[]);
        t.get("app/KEY");
        t.run(&["audit", "--verify"]).ok();
        t
    };
    let verify_fails = |t: &TestVault, why: &str| -> serde_json::Value {
        let text = t.run(&["audit", "--verify"]).expect(6).stdout();
        assert!(text.contains("AUDIT LOG ALTERED"), "{why}: {text}");
        let j = t.run(&["audit", "--verify", "--json"]).expect(6).json();
        assert_eq!(j["ok"], false, "{why}");
        let doc = t.run(&["doctor"]).expect(1).stdout();
        assert!(doc.lines().any(|l| l.starts_with("[FAIL] audit")), "{why}: {doc}");
        j
    };
    // Edited entry.
    let t = setup();
    t.sql("UPDATE audit SET detail = 'x' WHERE seq = 2");
    let j = verify_fails(&t, "edited");
    assert_eq!(j["first_bad_seq"], 2);
    // Edited action of the newest entry.
    let t = setup();
    t.sql("UPDATE audit SET action = 'write' WHERE seq = (SELECT max(seq) FROM audit)");
    verify_fails(&t, "edited newest");
    // The newest entry removed.
    let t = setup();
    t.sql("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)");
    verify_fails(&t, "tail removed");
    // A middle entry removed.
    let t = setup();
    t.sql("DELETE FROM audit WHERE seq = 2");
    assert_eq!(verify_fails(&t, "middle removed")["first_bad_seq"], 2);
    // Values still read after that: the log is evidence, not a lock.
    assert_eq!(t.get("app/KEY"), "v2");
    // An entry inserted (a copy of the newest, re-numbered).
    let t = setup();
    t.sql("INSERT INTO audit (seq, ts, action, path, outcome, detail, prev_hash, hash)
           SELECT seq + 1, ts, action, path, outcome, detail, prev_hash, hash FROM audit WHERE seq = (SELECT max(seq) FROM audit)");
    verify_fails(&t, "inserted");
}

#[test]
fn hostile_key_derivation_parameters_are_refused_quickly() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "v", &[]);
    t.sql(
        "UPDATE key_wraps SET kdf = json_set(kdf, '$.m_kib', 4000000000) WHERE kind = 'passphrase'",
    );
    let start = std::time::Instant::now();
    let out = t.pw(&["get", "app/KEY"]).expect(6);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(out.stderr.contains("key-derivation parameters"), "{}", out.stderr);
    t.sql("UPDATE key_wraps SET kdf = 'not json' WHERE kind = 'passphrase'");
    t.pw(&["get", "app/KEY"]).expect(6);
    // A flipped byte in the wrapped data key looks like a wrong passphrase: nothing opens.
    let t = TestVault::passphrase();
    t.set("app/KEY", "v", &[]);
    let w = t.sql("SELECT hex(wrapped) FROM key_wraps WHERE kind = 'passphrase'");
    t.sql(&format!("UPDATE key_wraps SET wrapped = X'{}' WHERE kind = 'passphrase'", flip(&w, 20)));
    let out = t.pw(&["get", "app/KEY"]);
    assert!(out.code == 5 || out.code == 6, "exit {}: {}", out.code, out.stderr);
}

/// Another user plants a named pipe where an export goes (a shared, world-writable directory)
/// and reads it: `hush export -o` fed it every value, since it opens a pipe without O_CREAT
/// (past the kernel's protected_fifos). A pipe or device of another user is now refused.
/// Needs root to give the pipe to another user (as CI runs); without it, says so and stops.
#[test]
fn an_export_never_feeds_a_pipe_another_user_planted() {
    let t = TestVault::passphrase();
    t.set("app/K", "planted-pipe-value", &[]);
    let shared = t.dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    let fifo = shared.join("app.env");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    if std::os::unix::fs::chown(&fifo, Some(65534), Some(65534)).is_err() {
        eprintln!("not root: cannot give the pipe to another user; nothing tested");
        return;
    }
    // The other user's reader, so that an open for writing does not wait.
    let stolen = t.dir.path().join("stolen");
    let mut reader = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("cat '{}' > '{}'", fifo.display(), stolen.display()))
        .spawn()
        .unwrap();
    let out = t.pw(&["export", "app", "-o", fifo.to_str().unwrap()]);
    // Ends the reader when nothing was written (a writer that opens and closes; without a
    // reader left, O_NONBLOCK makes the open fail instead of wait).
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(0o4000) // O_NONBLOCK
        .open(&fifo);
    reader.wait().unwrap();
    let got = std::fs::read_to_string(&stolen).unwrap_or_default();
    assert!(!got.contains("planted-pipe-value"), "the other user's pipe got the value");
    let out = out.expect(2);
    assert!(out.stderr.contains("another user"), "{}", out.stderr);
}
