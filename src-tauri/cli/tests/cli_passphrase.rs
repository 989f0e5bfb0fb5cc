//! The `hush` CLI on a passphrase vault (HUSH_PASSPHRASE; no keychain needed): every secret
//! command, its `--json` shape and its exit codes.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{actions, keys, TestVault, PASS};

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_a_private_file_in_a_private_dir() {
    let t = TestVault::empty();
    let out = t.pw(&["init", "--passphrase"]).ok();
    assert!(out.stderr.contains("passphrase mode"), "{}", out.stderr);
    assert_eq!(mode(&t.path), 0o600, "vault file mode");
    assert_eq!(mode(t.path.parent().unwrap()), 0o700, "vault dir mode");
    // A second init never overwrites: exit 4, the vault still opens with the old passphrase.
    t.set("app/KEY", "kept", &[]);
    let again = t.pw(&["init", "--passphrase"]).expect(4);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(t.get("app/KEY"), "kept");
    // An empty passphrase is refused and leaves no file.
    let t2 = TestVault::empty();
    let out = common::run(t2.cmd(&["init", "--passphrase"]).env("HUSH_PASSPHRASE", ""));
    out.expect(2);
    assert!(!t2.path.exists(), "an empty-passphrase init left a file");
}

#[test]
fn set_reads_stdin_and_get_prints_the_value_alone() {
    let t = TestVault::passphrase();
    let out = t.pw_in(&["set", "app/dev/API_KEY"], "s3cret\n").ok();
    assert!(out.stdout.is_empty(), "set printed on stdout: {:?}", out.stdout());
    assert!(out.stderr.contains("created app/dev/API_KEY (version 1)"), "{}", out.stderr);
    // One trailing newline is dropped; get adds exactly one back.
    assert_eq!(t.pw(&["get", "app/dev/API_KEY"]).ok().stdout, b"s3cret\n");
    // CRLF is dropped too; only one line ending goes.
    t.set("app/dev/CRLF", "a\r\n", &[]);
    assert_eq!(t.pw(&["get", "app/dev/CRLF"]).ok().stdout, b"a\n");
    t.set("app/dev/TWO", "x\n\n", &[]);
    assert_eq!(t.pw(&["get", "app/dev/TWO"]).ok().stdout, b"x\n\n");
    // --raw keeps stdin exactly.
    t.set("app/dev/RAW", "line1\nline2\n", &["--raw"]);
    assert_eq!(t.pw(&["get", "app/dev/RAW"]).ok().stdout, b"line1\nline2\n\n");
    // set --json reports the outcome.
    let j = t.pw_in(&["set", "app/dev/API_KEY", "--json"], "v2").ok().json();
    assert_eq!(j, serde_json::json!({"path": "app/dev/API_KEY", "version": 2, "created": false}));
}

#[test]
fn get_json_and_older_versions() {
    let t = TestVault::passphrase();
    t.set("app/TOKEN", "one", &["--kind", "token"]);
    t.set("app/TOKEN", "two", &[]);
    t.set("app/TOKEN", "three", &[]);
    let j = t.pw(&["get", "app/TOKEN", "--json"]).ok().json();
    assert_eq!(keys(&j), ["kind", "path", "value", "version"]);
    assert_eq!(j["path"], "app/TOKEN");
    assert_eq!(j["kind"], "token", "the kind is kept across writes that do not name it");
    assert_eq!(j["value"], "three");
    assert_eq!(j["version"], 3);
    let old = t.pw(&["get", "app/TOKEN", "--version", "1", "--json"]).ok().json();
    assert_eq!((old["value"].as_str(), old["version"].as_u64()), (Some("one"), Some(1)));
    assert_eq!(t.pw(&["get", "app/TOKEN", "--version", "2"]).ok().stdout, b"two\n");
    let missing = t.pw(&["get", "app/TOKEN", "--version", "9"]).expect(3);
    assert!(missing.stderr.contains("version 9"), "{}", missing.stderr);
}

#[test]
fn ls_filters_and_json_shape() {
    let t = TestVault::passphrase();
    t.set(
        "app/dev/DATABASE_URL",
        "postgres://x",
        &["--kind", "connection_string", "--tag", "db", "--description", "Main database"],
    );
    t.set(
        "app/dev/API_KEY",
        "k",
        &["--kind", "api_key", "--tag", "stripe", "--tag", "billing", "--expires", "2031-01-02"],
    );
    t.set("app/prod/API_KEY", "k2", &["--kind", "api_key", "--tag", "stripe"]);
    t.set("apple/PIE", "p", &[]);
    t.set(
        "other/dev/TOKEN",
        "t",
        &["--kind", "token", "--description", "CI token for STRIPE webhooks"],
    );
    let paths = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["ls", "--json"];
        a.extend_from_slice(args);
        let j = t.run(&a).ok().json();
        j.as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        paths(&[]),
        [
            "app/dev/API_KEY",
            "app/dev/DATABASE_URL",
            "app/prod/API_KEY",
            "apple/PIE",
            "other/dev/TOKEN"
        ]
    );
    // A folder means that folder and below, by whole segments ("app" is not "apple").
    assert_eq!(paths(&["app"]), ["app/dev/API_KEY", "app/dev/DATABASE_URL", "app/prod/API_KEY"]);
    assert_eq!(paths(&["app/dev/"]), ["app/dev/API_KEY", "app/dev/DATABASE_URL"]);
    assert_eq!(paths(&["--tag", "stripe"]), ["app/dev/API_KEY", "app/prod/API_KEY"]);
    assert_eq!(paths(&["--kind", "api_key"]), ["app/dev/API_KEY", "app/prod/API_KEY"]);
    assert_eq!(paths(&["app", "--kind", "connection_string"]), ["app/dev/DATABASE_URL"]);
    // --search: case-insensitive over path, description and tags.
    assert_eq!(
        paths(&["--search", "stripe"]),
        ["app/dev/API_KEY", "app/prod/API_KEY", "other/dev/TOKEN"]
    );
    assert_eq!(paths(&["--search", "MAIN DATA"]), ["app/dev/DATABASE_URL"]);
    assert_eq!(paths(&["--search", "%"]), Vec::<String>::new(), "LIKE wildcards are literal");
    assert_eq!(paths(&["--tag", "nope"]), Vec::<String>::new());
    t.run(&["ls", "--kind", "bogus"]).expect(2);
    t.run(&["ls", "bad//folder"]).expect(2);

    let j = t.run(&["ls", "--json", "app/dev"]).ok().json();
    let row = &j[0];
    assert_eq!(
        keys(row),
        [
            "created_at",
            "deleted_at",
            "description",
            "expires_at",
            "folder",
            "kind",
            "last_checked_at",
            "last_read_at",
            "last_rotated_at",
            "meta",
            "name",
            "path",
            "policy",
            "rotate_every_days",
            "source",
            "tags",
            "updated_at",
            "version",
            "versions_kept"
        ]
    );
    assert_eq!(row["path"], "app/dev/API_KEY");
    assert_eq!(row["folder"], "app/dev");
    assert_eq!(row["name"], "API_KEY");
    assert_eq!(row["kind"], "api_key");
    assert_eq!(row["tags"], serde_json::json!(["billing", "stripe"]));
    assert_eq!(row["version"], 1);
    assert!(row["expires_at"].as_str().unwrap().starts_with("2031-01-02"), "{row}");
    assert!(row["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC: {row}");
    assert!(row["deleted_at"].is_null());
    assert!(!j.to_string().contains("postgres://x"), "ls --json carries no value");
    // The table form has a header and one line per secret.
    let text = t.run(&["ls", "app"]).ok().stdout();
    assert!(text.starts_with("PATH"), "{text}");
    assert_eq!(text.lines().count(), 4, "{text}");
}

#[test]
fn show_prints_metadata_only() {
    let t = TestVault::passphrase();
    t.set(
        "svc/PASSWORD",
        "hunter2",
        &[
            "--kind",
            "password",
            "--tag",
            "ops",
            "--description",
            "The admin password",
            "--meta",
            "owner=ana",
            "--rotate-every",
            "90",
        ],
    );
    let j = t.run(&["show", "svc/PASSWORD", "--json"]).ok().json();
    assert_eq!(j["kind"], "password");
    assert_eq!(j["description"], "The admin password");
    assert_eq!(j["tags"], serde_json::json!(["ops"]));
    assert_eq!(j["meta"], serde_json::json!({"owner": "ana"}));
    assert_eq!(j["rotate_every_days"], 90);
    assert_eq!(j["version"], 1);
    let text = t.run(&["show", "svc/PASSWORD"]).ok().stdout();
    assert!(
        text.contains("The admin password")
            && text.contains("password")
            && text.contains("owner: ana"),
        "{text}"
    );
    assert!(!text.contains("hunter2") && !j.to_string().contains("hunter2"));
    t.run(&["show", "svc/NOPE"]).expect(3);
}

#[test]
fn history_and_rollback() {
    let t = TestVault::passphrase();
    for v in ["v1", "v2", "v3"] {
        t.set("app/SECRET", v, &[]);
    }
    let h = t.run(&["history", "app/SECRET", "--json"]).ok().json();
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(keys(&h[0]), ["created_at", "current", "version"]);
    let flags: Vec<(u64, bool)> = h
        .iter()
        .map(|r| (r["version"].as_u64().unwrap(), r["current"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, [(1, false), (2, false), (3, true)]);
    assert!(!serde_json::Value::Array(h.clone()).to_string().contains("v2"));

    let out = t.pw(&["rollback", "app/SECRET", "--to", "1"]).ok();
    assert!(out.stderr.contains("version 1 restored as version 4"), "{}", out.stderr);
    assert_eq!(t.get("app/SECRET"), "v1");
    assert_eq!(t.version("app/SECRET"), 4);
    assert_eq!(
        t.pw(&["get", "app/SECRET", "--version", "3"]).ok().stdout,
        b"v3\n",
        "rollback keeps newer versions"
    );
    let text = t.run(&["history", "app/SECRET"]).ok().stdout();
    assert_eq!(text.lines().count(), 4);
    assert!(text.lines().last().unwrap().contains("(current)"), "{text}");
    // Rollback honours check-and-set, and refuses versions that are not kept.
    t.pw(&["rollback", "app/SECRET", "--to", "2", "--cas", "3"]).expect(4);
    t.pw(&["rollback", "app/SECRET", "--to", "42"]).expect(3);
    assert_eq!(t.version("app/SECRET"), 4);
}

#[test]
fn rm_trash_restore_purge() {
    let t = TestVault::passphrase();
    t.set("app/DB_PASSWORD", "pw1", &["--tag", "db"]);
    t.set("app/OTHER", "o", &[]);
    // A deletion changes a MAC'd field of the record: it needs the key.
    t.run(&["rm", "app/DB_PASSWORD"]).expect(5);
    let out = t.pw(&["rm", "app/DB_PASSWORD"]).ok();
    assert!(out.stderr.contains("hush restore app/DB_PASSWORD"), "{}", out.stderr);
    t.pw(&["get", "app/DB_PASSWORD"]).expect(3);
    let ls = t.run(&["ls", "--json"]).ok().json();
    assert_eq!(ls.as_array().unwrap().len(), 1, "a trashed secret is not listed: {ls}");
    let trash = t.run(&["trash", "--json"]).ok().json();
    let trash = trash.as_array().unwrap();
    assert_eq!(trash.len(), 1);
    assert_eq!(trash[0]["path"], "app/DB_PASSWORD");
    assert!(trash[0]["deleted_at"].is_string() && trash[0]["purge_at"].is_string(), "{}", trash[0]);
    assert!(t.run(&["trash"]).ok().stdout().contains("app/DB_PASSWORD"));

    t.pw(&["restore", "app/DB_PASSWORD"]).ok();
    assert_eq!(t.get("app/DB_PASSWORD"), "pw1");
    assert_eq!(
        t.run(&["show", "app/DB_PASSWORD", "--json"]).ok().json()["tags"],
        serde_json::json!(["db"])
    );
    assert_eq!(t.run(&["trash", "--json"]).ok().json(), serde_json::json!([]));
    let live = t.pw(&["restore", "app/DB_PASSWORD"]).expect(4); // a live secret has the path
    assert!(live.stderr.contains("already exists"), "{}", live.stderr);

    t.pw(&["rm", "app/DB_PASSWORD"]).ok();
    t.pw(&["purge", "app/DB_PASSWORD"]).ok();
    assert_eq!(t.run(&["trash", "--json"]).ok().json(), serde_json::json!([]));
    t.pw(&["restore", "app/DB_PASSWORD"]).expect(3);
    t.pw(&["get", "app/DB_PASSWORD"]).expect(3);
    t.pw(&["purge", "app/DB_PASSWORD"]).expect(3);
    t.pw(&["rm", "app/NOPE"]).expect(3);
    let rows = t.sql("SELECT count(*) FROM versions v JOIN secrets s ON s.id = v.secret_id WHERE s.path = 'app/DB_PASSWORD'");
    assert_eq!(rows, "0", "purge destroys every version");
    assert_eq!(t.get("app/OTHER"), "o");
}

#[test]
fn audit_lists_every_action_and_no_value() {
    let t = TestVault::passphrase();
    let value = "audit-value-7f3a";
    t.set("app/AUDITED", value, &[]);
    t.set("app/AUDITED", "second-value-7f3a", &[]);
    t.get("app/AUDITED");
    t.pw(&["rollback", "app/AUDITED", "--to", "1"]).ok();
    t.pw(&["rm", "app/AUDITED"]).ok();
    t.pw(&["restore", "app/AUDITED"]).ok();
    t.pw(&["purge", "app/AUDITED"]).ok();
    let rows = t.audit();
    let acts = actions(&rows, Some("app/AUDITED"));
    assert_eq!(acts, ["write", "write", "read", "rollback", "delete", "restore", "purge"]);
    assert_eq!(rows[0]["action"], "init");
    for r in &rows {
        assert_eq!(keys(r), ["action", "detail", "outcome", "path", "seq", "ts"]);
        assert_eq!(r["outcome"], "ok", "{r}");
    }
    let seqs: Vec<i64> = rows.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    let text = t.run(&["audit"]).ok().stdout();
    let all = format!("{text}{}", serde_json::Value::Array(rows.clone()));
    assert!(!all.contains("7f3a"), "the audit log shows a value:\n{all}");
    // Filters.
    let reads = t.run(&["audit", "--json", "--action", "read"]).ok().json();
    assert_eq!(reads.as_array().unwrap().len(), 1);
    let last = t.run(&["audit", "--json", "--limit", "2"]).ok().json();
    assert_eq!(actions(last.as_array().unwrap(), None), ["restore", "purge"]);
    // The chain verifies.
    let v = t.run(&["audit", "--verify"]).ok().stdout();
    assert!(v.contains("hash chain verified (locked"), "{v}");
    let v = t.pw(&["audit", "--verify"]).ok().stdout();
    assert!(v.contains("hash chain verified, with every entry's MAC and the anchor"), "{v}");
    let j = t.run(&["audit", "--verify", "--json"]).ok().json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["entries"].as_u64(), Some(rows.len() as u64));
}

#[test]
fn wrong_passphrase_exits_5_and_is_audited() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "right", &[]);
    let before = t.audit().len();
    let out = common::run(t.cmd(&["get", "app/KEY"]).env("HUSH_PASSPHRASE", "not the passphrase"));
    let out = out.expect(5);
    assert!(out.stderr.contains("wrong passphrase"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let w = common::run(
        t.cmd(&["set", "app/KEY"]).env("HUSH_PASSPHRASE", "nope").write_stdin("overwrite"),
    )
    .expect(5);
    assert!(w.stderr.contains("wrong passphrase"), "{}", w.stderr);
    let rows = t.audit();
    let failures: Vec<_> = rows[before..].iter().filter(|r| r["outcome"] == "failure").collect();
    assert_eq!(failures.len(), 2, "{rows:?}");
    assert!(failures.iter().all(|r| r["action"] == "unlock"), "{failures:?}");
    assert_eq!(t.get("app/KEY"), "right");
    assert_eq!(t.version("app/KEY"), 1, "a write with a wrong passphrase changed nothing");
    // --passphrase-file works, and a wrong one in a file is refused the same way.
    let f = t.dir.path().join("pass.txt");
    std::fs::write(&f, format!("{PASS}\n")).unwrap();
    let got = t.run(&["--passphrase-file", f.to_str().unwrap(), "get", "app/KEY"]).ok();
    assert_eq!(got.stdout, b"right\n");
    std::fs::write(&f, "wrong\n").unwrap();
    t.run(&["--passphrase-file", f.to_str().unwrap(), "get", "app/KEY"]).expect(5);
}

#[test]
fn the_value_is_never_taken_from_argv() {
    let t = TestVault::passphrase();
    let out = t.pw_in(&["set", "app/B", "value-on-argv"], "from-stdin").expect(2);
    assert!(out.stderr.contains("unexpected argument"), "{}", out.stderr);
    t.pw_in(&["set", "app/B", "--value", "x"], "from-stdin").expect(2);
    assert_eq!(t.run(&["ls", "--json"]).ok().json(), serde_json::json!([]), "nothing was written");
}

#[test]
fn exit_codes() {
    let t = TestVault::passphrase();
    t.set("app/KEY", "v", &[]);
    // 3: unknown secret, no vault.
    let nf = t.pw(&["get", "app/MISSING"]).expect(3);
    assert!(nf.stderr.contains("app/MISSING"), "{}", nf.stderr);
    let none = TestVault::empty();
    let nv = none.pw(&["get", "app/KEY"]).expect(3);
    assert!(nv.stderr.contains("hush init"), "{}", nv.stderr);
    none.run(&["ls"]).expect(3);
    assert!(!none.path.exists(), "reading a missing vault created it");
    // 4: check-and-set conflict (and 0 = must not exist).
    let c = t.pw_in(&["set", "app/KEY", "--cas", "5"], "x").expect(4);
    assert!(c.stderr.contains("expected version 5, current is 1"), "{}", c.stderr);
    t.pw_in(&["set", "app/KEY", "--cas", "0"], "x").expect(4);
    t.pw_in(&["set", "app/NEW", "--cas", "0"], "n").ok();
    t.pw_in(&["set", "app/KEY", "--cas", "1"], "v2").ok();
    assert_eq!(t.get("app/KEY"), "v2");
    // 2: invalid paths and input.
    for bad in ["a/../B", "NOPATH", "a//B", "/B", "a/B/", "a/1BAD", "a/\u{7}B", "./B"] {
        let out = t.pw_in(&["set", bad], "x").expect(2);
        assert!(out.stderr.contains("invalid path"), "{bad}: {}", out.stderr);
        t.pw(&["get", bad]).expect(2);
    }
    t.pw_in(&["set", "app/K2", "--kind", "bogus"], "x").expect(2);
    t.pw_in(&["set", "app/K2", "--expires", "someday"], "x").expect(2);
    t.pw_in(&["set", "app/K2", "--tag", "a,b"], "x").expect(2);
    t.run(&["frobnicate"]).expect(2);
    // Quoted names make intent explicit.
    t.set("app/\"api.key-v2\"", "q", &[]);
    assert_eq!(t.get("app/\"api.key-v2\""), "q");
    // 5: locked (passphrase vault, no HUSH_PASSPHRASE, stdin not a terminal, no agent).
    let locked = t.run(&["get", "app/KEY"]).expect(5);
    assert!(
        locked.stderr.contains("HUSH_PASSPHRASE") && locked.stderr.contains("locked"),
        "{}",
        locked.stderr
    );
    t.run(&["set", "app/KEY"]).expect(5);
    assert_eq!(t.version("app/KEY"), 2);
}
