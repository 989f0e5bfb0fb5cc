//! Attacks on the vault file by someone who can write it but has no key, on the real binary:
//! every row whose change would alter what Hush serves or where it sends it is MAC'd, so each
//! edit is exit 6 naming the row, and the other secrets still read.

mod common;

use common::TestVault;

fn vault_with(secrets: &[(&str, &str)]) -> TestVault {
    let t = TestVault::passphrase();
    for (p, v) in secrets {
        t.set(p, v, &[]);
    }
    t
}

#[track_caller]
fn integrity(t: &TestVault, args: &[&str], names: &str) {
    let out = t.pw(args).expect(6);
    assert!(
        out.stderr.contains("integrity check failed") && out.stderr.contains(names),
        "{}",
        out.stderr
    );
}

/// A part of an older copy of the file, each row with its own valid MAC: the state root
/// (format 3) no longer covers it.
#[track_caller]
fn from_an_older_copy(t: &TestVault, args: &[&str], names: &str) {
    let out = t.pw(args).expect(6);
    assert!(out.stderr.contains("older copy") && out.stderr.contains(names), "{}", out.stderr);
}

#[test]
fn swapping_the_paths_of_two_records_serves_neither() {
    let t = vault_with(&[("app/A", "alpha"), ("app/B", "beta"), ("app/C", "gamma")]);
    t.sql(
        "UPDATE secrets SET path = 'tmp/X' WHERE path = 'app/A';
         UPDATE secrets SET path = 'app/A', name = 'A' WHERE path = 'app/B';
         UPDATE secrets SET path = 'app/B', name = 'B' WHERE path = 'tmp/X';",
    );
    integrity(&t, &["get", "app/A"], "app/A");
    integrity(&t, &["get", "app/B"], "app/B");
    assert_eq!(t.get("app/C"), "gamma", "the other secrets still read");
    // Bulk paths refuse the folder rather than serve B's value under A's name.
    integrity(&t, &["export", "app"], "app/");
    integrity(&t, &["run", "--from", "app", "--", "true"], "app/");
}

#[test]
fn an_older_current_version_is_refused_everywhere() {
    let t = vault_with(&[("app/A", "old-value"), ("other/B", "b")]);
    t.set("app/A", "new-value", &[]);
    t.sql("UPDATE secrets SET current_version = 1 WHERE path = 'app/A'");
    integrity(&t, &["get", "app/A"], "app/A");
    integrity(&t, &["export", "app"], "app/A");
    integrity(&t, &["run", "--from", "app", "--", "true"], "app/A");
    assert_eq!(t.get("other/B"), "b");
    // Putting back an older record with its own (valid) MAC is caught too: the state root no
    // longer covers it (and it points to an older version than the vault holds).
    let t = vault_with(&[("app/A", "v1")]);
    let old = t.sql("SELECT hex(mac) || '|' || current_version || '|' || updated_at FROM secrets WHERE path = 'app/A'");
    t.set("app/A", "v2", &[]);
    let parts: Vec<&str> = old.split('|').collect();
    t.sql(&format!(
        "UPDATE secrets SET mac = x'{}', current_version = {}, updated_at = {} WHERE path = 'app/A'",
        parts[0], parts[1], parts[2]
    ));
    from_an_older_copy(&t, &["get", "app/A"], "app/A");
    // Remote operations read every record at once (one statement for the current versions):
    // the same check, before any request (the address is a closed port).
    t.pw_in(&["remote", "add", "team", "--addr", "http://127.0.0.1:9"], "").ok();
    for args in [&["plan", "team"][..], &["migrate", "team", "--dry-run"], &["push", "team"]] {
        from_an_older_copy(&t, args, "app/A");
    }
}

/// The same older record once the row of its newer version is deleted too: it then names the
/// newest version the file holds, and before the state root (format 3) it was served as current.
#[test]
fn an_older_record_with_its_newer_version_deleted_is_refused_until_accepted() {
    let t = vault_with(&[("app/A", "v1"), ("app/B", "b")]);
    let old = t.sql("SELECT hex(mac) || '|' || current_version || '|' || updated_at FROM secrets WHERE path = 'app/A'");
    t.set("app/A", "v2", &[]);
    let parts: Vec<&str> = old.split('|').collect();
    t.sql(&format!(
        "UPDATE secrets SET mac = x'{}', current_version = {}, updated_at = {} WHERE path = 'app/A';
         DELETE FROM versions WHERE version = 2 AND secret_id = (SELECT id FROM secrets WHERE path = 'app/A');",
        parts[0], parts[1], parts[2]
    ));
    from_an_older_copy(&t, &["get", "app/A"], "app/A");
    let out = t.pw(&["export", "app"]).expect(6);
    assert!(out.stderr.contains("--accept-state"), "{}", out.stderr);
    // No write re-signs the state over it, and doctor and status name it.
    t.pw_in(&["set", "app/B"], "b2").expect(6);
    let out = t.pw(&["doctor"]).expect(1);
    let doctor = out.stdout();
    assert!(doctor.contains("[FAIL] state") && doctor.contains("'app/A'"), "{doctor}");
    t.pw(&["status"]).expect(6);
    // Put back on purpose: taken as it is, audited, and everything reads again.
    t.pw(&["doctor", "--accept-state"]).ok();
    assert_eq!(t.get("app/A"), "v1");
    t.pw(&["doctor"]).ok();
    assert!(t.pw(&["audit", "--verify"]).ok().stdout().contains("intact"));
    assert!(t.pw(&["audit"]).ok().stdout().contains("state accepted"));
}

#[test]
fn deletion_and_kind_are_authenticated() {
    let t =
        vault_with(&[("app/LIVE", "x"), ("app/GONE", "y"), ("app/KIND", "z"), ("app/OK", "fine")]);
    t.pw(&["rm", "app/GONE"]).ok();
    // A trashed secret brought back by clearing deleted_at.
    t.sql("UPDATE secrets SET deleted_at = NULL WHERE path = 'app/GONE'");
    integrity(&t, &["get", "app/GONE"], "app/GONE");
    // A live secret hidden by setting deleted_at: not "not found", an integrity error.
    t.sql("UPDATE secrets SET deleted_at = 1 WHERE path = 'app/LIVE'");
    integrity(&t, &["get", "app/LIVE"], "app/LIVE");
    // A forged old deletion never makes Hush purge anything: the record is kept, and refused.
    let rows = t.sql("SELECT count(*) FROM secrets WHERE path = 'app/LIVE'");
    assert_eq!(rows, "1", "a forged deleted_at made Hush purge the secret");
    t.sql("UPDATE secrets SET kind = 'password' WHERE path = 'app/KIND'");
    integrity(&t, &["get", "app/KIND"], "app/KIND");
    // An unknown kind (a newer Hush, or an edit) is an error naming the row, not a default.
    t.sql("UPDATE secrets SET kind = 'quantum_key' WHERE path = 'app/OK'");
    let out = t.run(&["ls", "--json"]).expect(6);
    assert!(out.stderr.contains("app/OK") && out.stderr.contains("unknown kind"), "{}", out.stderr);
}

#[test]
fn a_changed_remote_address_or_tls_setting_sends_nothing() {
    let t = TestVault::passphrase();
    t.set("app/A", "alpha", &[]);
    let add = |name: &str| {
        common::run(
            t.cmd(&[
                "remote",
                "add",
                name,
                "--addr",
                "https://vault.example.com:8200",
                "--mount",
                "kv",
            ])
            .env("HUSH_PASSPHRASE", common::PASS)
            .write_stdin(""),
        )
        .ok();
    };
    add("team");
    add("tls");
    // Point the remote at another host: no token or value may go there.
    t.sql("UPDATE remotes SET addr = 'http://127.0.0.1:9' WHERE name = 'team'");
    for args in [&["push", "team"][..], &["plan", "team"], &["remote", "test", "team"]] {
        integrity(&t, args, "remote 'team'");
    }
    t.sql("UPDATE remotes SET skip_verify = 1 WHERE name = 'tls'");
    integrity(&t, &["push", "tls"], "remote 'tls'");
    let doc = t.pw(&["doctor"]).expect(1).stdout();
    assert!(doc.contains("remote 'team'") && doc.contains("remote 'tls'"), "{doc}");
    assert_eq!(t.get("app/A"), "alpha");
}

#[test]
fn a_cut_audit_tail_with_its_head_moved_back_is_detected() {
    let t = vault_with(&[("app/A", "one")]);
    t.set("app/A", "two", &[]);
    t.get("app/A");
    t.pw(&["audit", "--verify"]).ok();
    // Remove the newest entries and move the head back to the new last one: the locked check
    // of the chain cannot tell, the keyed anchor can.
    let n: i64 = t.sql("SELECT max(seq) FROM audit").parse().unwrap();
    t.sql(&format!(
        "DELETE FROM audit WHERE seq > {k};
         UPDATE vault SET audit_head_seq = {k}, audit_head_hash = (SELECT hash FROM audit WHERE seq = {k});",
        k = n - 2
    ));
    let out = t.pw(&["audit", "--verify", "--json"]).expect(6).json();
    assert_eq!(out["ok"], false);
    assert!(out["problem"].as_str().unwrap().contains("cut back"), "{out}");
    // Moving the anchor back as well needs a MAC only the key makes.
    t.sql(&format!("UPDATE vault SET audit_anchor_seq = {} WHERE id = 1", n - 2));
    t.pw(&["audit", "--verify"]).expect(6);
    let doc = t.pw(&["doctor"]).expect(1).stdout();
    assert!(doc.lines().any(|l| l.starts_with("[FAIL] audit")), "{doc}");
}

#[test]
fn an_inserted_or_rewritten_audit_entry_is_detected() {
    let t = vault_with(&[("app/A", "one")]);
    t.get("app/A");
    // Insert a forged entry in the middle, re-chaining the SHA-256 links after it by hand: only
    // the MACs (keyed) catch it.
    let rows = t.sql("SELECT seq FROM audit ORDER BY seq");
    let last: i64 = rows.lines().last().unwrap().parse().unwrap();
    t.sql(&format!(
        "UPDATE audit SET seq = seq + 1000 WHERE seq >= 2;
         INSERT INTO audit (seq, ts, action, path, outcome, detail, prev_hash, hash)
           SELECT 2, ts, 'read', 'app/A', 'ok', 'forged', prev_hash, hash FROM audit WHERE seq = 1002;
         UPDATE audit SET seq = seq - 999 WHERE seq >= 1002;
         UPDATE vault SET audit_head_seq = {}",
        last + 1
    ));
    let out = t.pw(&["audit", "--verify", "--json"]).expect(6).json();
    assert_eq!(out["first_bad_seq"], 2, "{out}");
    // Editing an entry's text, even with a recomputed SHA chain, fails its MAC.
    let t = vault_with(&[("app/A", "one")]);
    t.sql("UPDATE audit SET detail = 'version 99' WHERE seq = 2");
    t.pw(&["audit", "--verify"]).expect(6);
}

#[test]
fn folders_with_like_wildcards_are_matched_exactly() {
    let t = vault_with(&[("my_app/dev/KEY", "underscore"), ("myXapp/dev/KEY", "other")]);
    let ls = t.run(&["ls", "my_app", "--json"]).ok().json();
    let paths: Vec<&str> =
        ls.as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["my_app/dev/KEY"], "`_` is not a wildcard");
    let out = t.pw(&["export", "my_app/dev", "--format", "json"]).ok().json();
    assert_eq!(out, serde_json::json!({"KEY": "underscore"}));
    let env = t
        .pw(&["run", "--from", "my_app/dev", "--", "sh", "-c", "printf %s \"$KEY\""])
        .ok()
        .stdout();
    assert_eq!(env, "underscore");
    let audit = t.run(&["audit", "--path", "my_app", "--json"]).ok().json();
    assert!(!audit.as_array().unwrap().is_empty(), "audit --path finds the folder");
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["path"].as_str().unwrap().starts_with("my_app")));
}

#[test]
fn a_schema_version_below_zero_is_refused_like_a_newer_one() {
    let t = vault_with(&[("app/A", "x")]);
    t.sql("PRAGMA user_version = -1");
    let out = t.pw(&["get", "app/A"]).expect(1);
    assert!(out.stderr.contains("schema version -1"), "{}", out.stderr);
    assert_eq!(t.sql("PRAGMA user_version"), "-1", "nothing was migrated over it");
}

/// A forged expiry and a downgraded header, on the real binary. The first once cleared "Expired"
/// from `status` and the report (exit 0); the second had the next command re-MAC every row, a
/// planted rotation handler included, which `rotate --due` then ran with the value.
#[test]
fn a_forged_expiry_and_a_downgraded_header_are_named() {
    let t = vault_with(&[("app/A", "a"), ("app/B", "b")]);
    t.pw_in(&["set", "app/A", "--expires", "2020-01-01"], "a").ok();
    t.sql("UPDATE secrets SET expires_at = 4102444800 WHERE path = 'app/A'");
    let out = t.pw(&["status"]).expect(6);
    assert!(out.stdout().contains("Altered outside Hush") && out.stdout().contains("app/A"));
    assert!(out.stderr.contains("1 record(s) were changed outside Hush"), "{}", out.stderr);
    let report = t.pw(&["report", "--format", "json"]).ok().json();
    assert_eq!(report["findings"]["altered"], 1, "{report}");
    // Without a key to hand, status still answers from metadata, and says so.
    let locked = t.run(&["status"]).ok();
    assert!(locked.stdout().contains("locked: from metadata alone"), "{}", locked.stdout());

    let t = vault_with(&[("app/A", "a")]);
    let stolen = t.dir.path().join("stolen");
    t.sql(&format!(
        "UPDATE secrets SET rotation_handler = 'cat > {}', last_rotated_at = 0,
             rotate_every_days = 1 WHERE path = 'app/A';
         UPDATE vault SET format = 1;",
        stolen.display()
    ));
    for args in [&["get", "app/A"][..], &["rotate", "--due"], &["doctor"]] {
        let out = t.pw(args);
        assert_ne!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    let out = t.pw(&["get", "app/A"]).expect(6);
    assert!(out.stderr.contains("altered outside Hush") && out.stderr.contains("format 1"));
    assert!(out.stderr.contains("restore-backup"), "{}", out.stderr);
    assert!(!stolen.exists(), "the planted handler ran");
    assert_eq!(t.sql("SELECT format FROM vault"), "1", "nothing was upgraded");
}
