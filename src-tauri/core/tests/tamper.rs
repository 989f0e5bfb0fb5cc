//! A tampered database: altered, swapped or misplaced ciphertexts, key wraps, KDF parameters and
//! audit entries are all detected, name what they hit, and leave the rest of the vault usable.

mod common;

use common::*;
use hush_core::{Error, Vault};

fn ct(t: &TestVault, path: &str, version: i64) -> Vec<u8> {
    raw_conn(t)
        .query_row("SELECT ciphertext FROM versions v JOIN secrets s ON s.id = v.secret_id WHERE s.path = ?1 AND v.version = ?2", rusqlite::params![path, version], |r| r.get(0))
        .unwrap()
}

fn set_ct(t: &TestVault, path: &str, version: i64, bytes: &[u8]) {
    let n = raw_conn(t)
        .execute("UPDATE versions SET ciphertext = ?3 WHERE version = ?2 AND secret_id = (SELECT id FROM secrets WHERE path = ?1)", rusqlite::params![path, version, bytes])
        .unwrap();
    assert_eq!(n, 1);
}

/// A vault holding `writes` (path, value; in order), then `sql` run on its file, closed.
fn edited(writes: &[(&str, &str)], sql: &str) -> TestVault {
    let (t, mut v) = new_vault();
    for (path, value) in writes {
        put(&mut v, path, value);
    }
    drop(v);
    raw_conn(&t).execute_batch(sql).unwrap();
    t
}

fn integrity_err(v: &mut Vault, path: &str) -> String {
    match v.get(&p(path), None) {
        Err(e @ Error::Integrity { .. }) => e.to_string(),
        other => panic!("expected an integrity error for {path}, got {other:?}"),
    }
}

#[test]
fn flipped_byte_is_caught_and_named() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "alpha");
    put(&mut v, "app/B", "beta");
    drop(v);
    let mut bytes = ct(&t, "app/A", 1);
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    set_ct(&t, "app/A", 1, &bytes);
    let mut v = reopen(&t);
    assert!(integrity_err(&mut v, "app/A").contains("app/A"));
    assert_eq!(read(&mut v, "app/B"), "beta");
    assert_eq!(v.verify_integrity().unwrap(), vec!["app/A@1".to_string()]);
    // The failed read is in the audit log.
    let log = v.audit_log(&Default::default()).unwrap();
    assert!(log
        .iter()
        .any(|e| e.path.as_deref() == Some("app/A")
            && e.outcome == hush_core::Outcome::IntegrityFailure));
    // Overwriting the damaged secret is the way out.
    put(&mut v, "app/A", "fresh");
    assert_eq!(read(&mut v, "app/A"), "fresh");
}

#[test]
fn swapped_rows_are_caught() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "alpha");
    put(&mut v, "app/B", "beta");
    put(&mut v, "app/C", "gamma");
    drop(v);
    let (a, b) = (ct(&t, "app/A", 1), ct(&t, "app/B", 1));
    set_ct(&t, "app/A", 1, &b);
    set_ct(&t, "app/B", 1, &a);
    let mut v = reopen(&t);
    integrity_err(&mut v, "app/A");
    integrity_err(&mut v, "app/B");
    assert_eq!(read(&mut v, "app/C"), "gamma");
}

#[test]
fn swapped_versions_are_caught() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "old");
    put(&mut v, "app/A", "new");
    drop(v);
    let (v1, v2) = (ct(&t, "app/A", 1), ct(&t, "app/A", 2));
    set_ct(&t, "app/A", 1, &v2);
    set_ct(&t, "app/A", 2, &v1);
    let mut v = reopen(&t);
    integrity_err(&mut v, "app/A");
    assert!(matches!(v.get(&p("app/A"), Some(1)), Err(Error::Integrity { .. })));
    assert_eq!(v.verify_integrity().unwrap().len(), 2);
}

#[test]
fn a_ciphertext_from_another_vault_is_refused() {
    let (t1, mut v1) = new_vault();
    let (t2, mut v2) = new_vault();
    put(&mut v1, "app/A", "from vault one");
    put(&mut v2, "app/A", "from vault two");
    drop((v1, v2));
    set_ct(&t2, "app/A", 1, &ct(&t1, "app/A", 1));
    integrity_err(&mut reopen(&t2), "app/A");
}

#[test]
fn tampered_key_wrap_or_kdf_params_are_refused() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "alpha");
    drop(v);
    let c = raw_conn(&t);
    c.execute("UPDATE key_wraps SET wrapped = substr(wrapped, 1, 20) || x'00' || substr(wrapped, 22) WHERE kind = 'passphrase'", []).unwrap();
    let mut v = Vault::open(&t.path).unwrap();
    assert!(v.unlock_passphrase(&pass()).is_err());

    // A hostile file asking Argon2id for 64 GiB is refused before any allocation.
    let (t, v) = new_vault();
    drop(v);
    let c = raw_conn(&t);
    c.execute(
        "UPDATE key_wraps SET kdf = json_set(kdf, '$.m_kib', 67108864) WHERE kind = 'passphrase'",
        [],
    )
    .unwrap();
    let mut v = Vault::open(&t.path).unwrap();
    let e = v.unlock_passphrase(&pass()).unwrap_err();
    assert!(matches!(e, Error::Integrity { .. }), "{e:?}");
    c.execute("UPDATE key_wraps SET kdf = 'not json' WHERE kind = 'passphrase'", []).unwrap();
    assert!(matches!(
        Vault::open(&t.path).unwrap().unlock_passphrase(&pass()),
        Err(Error::Integrity { .. })
    ));
    // The wrap deleted: once "this vault is not protected by a passphrase", which sent the user
    // looking for a keychain; the header says passphrase, so the file was edited.
    c.execute("DELETE FROM key_wraps", []).unwrap();
    let e = Vault::open(&t.path).unwrap().unlock_passphrase(&pass()).unwrap_err();
    assert!(
        matches!(e, Error::Tampered { .. }) && e.to_string().contains("wrap is missing"),
        "{e:?}"
    );
}

#[test]
fn garbage_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("v.db");
    std::fs::write(&f, b"this is not a database at all, just text").unwrap();
    let e = Vault::open(&f).unwrap_err();
    assert!(
        matches!(e, Error::NotAVault { .. }) && e.to_string().contains("not a Hush vault"),
        "{e:?}"
    );
    assert_eq!(
        std::fs::read(&f).unwrap(),
        b"this is not a database at all, just text",
        "left untouched"
    );
    // An empty file (e.g. a mistaken --vault) is refused, not turned into a vault.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(matches!(Vault::open(&empty), Err(Error::NotAVault { .. })));
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
    // Someone else's SQLite database stays untouched.
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE notes(x)").unwrap();
    let before = std::fs::read(&other).unwrap();
    assert!(matches!(Vault::open(&other), Err(Error::NotAVault { .. })));
    assert_eq!(std::fs::read(&other).unwrap(), before);
    // A SQLite file that is not a vault.
    let g = dir.path().join("g.db");
    rusqlite::Connection::open(&g)
        .unwrap()
        .execute_batch("CREATE TABLE x(y); PRAGMA user_version = 99;")
        .unwrap();
    assert!(matches!(Vault::open(&g), Err(Error::SchemaTooNew { found: 99, .. })));
    // Truncated vault.
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "alpha");
    drop(v);
    let bytes = std::fs::read(&t.path).unwrap();
    std::fs::write(&t.path, &bytes[..bytes.len() / 3]).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", t.path.display()));
    let r = Vault::open(&t.path).and_then(|mut v| {
        v.unlock_passphrase(&pass())?;
        v.get(&p("app/A"), None).map(|_| ())
    });
    assert!(r.is_err());
}

#[test]
fn audit_edits_inserts_and_removals_are_detected() {
    let setup = || {
        let (t, mut v) = new_vault();
        for i in 0..5 {
            put(&mut v, "app/A", &format!("v{i}"));
        }
        assert!(v.audit_verify().unwrap().ok);
        drop(v);
        t
    };
    let bad_at = |t: &TestVault| {
        let r = reopen(t).audit_verify().unwrap();
        assert!(!r.ok, "tampering not detected");
        r.first_bad_seq.unwrap()
    };
    let t = setup();
    raw_conn(&t).execute("UPDATE audit SET detail = 'version 99' WHERE seq = 3", []).unwrap();
    assert_eq!(bad_at(&t), 3);
    let t = setup();
    raw_conn(&t).execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    assert_eq!(bad_at(&t), 2);
    let t = setup();
    raw_conn(&t).execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)", []).unwrap();
    bad_at(&t);
    // An entry appended past the recorded head blocks further writes with an integrity error.
    let t = setup();
    raw_conn(&t).execute("INSERT INTO audit (seq, ts, action, path, outcome, prev_hash, hash) SELECT seq + 1, ts, action, path, outcome, prev_hash, hash FROM audit WHERE seq = (SELECT max(seq) FROM audit)", []).unwrap();
    let mut v = reopen(&t);
    let e = v.get(&p("app/A"), None).unwrap_err();
    assert!(matches!(e, Error::Integrity { .. }) && e.to_string().contains("audit"), "{e:?}");
    assert!(!v.audit_verify().unwrap().ok);
    let t = setup();
    raw_conn(&t).execute("UPDATE audit SET seq = seq + 1000 WHERE seq = 4", []).unwrap();
    raw_conn(&t).execute("INSERT INTO audit (seq, ts, action, path, outcome, prev_hash, hash) SELECT 4, ts, 'read', path, 'ok', prev_hash, hash FROM audit WHERE seq = 1004", []).unwrap();
    assert_eq!(bad_at(&t), 4);
}

/// Re-keying is for a data key that may have leaked. The WAL now outlives each process, so its
/// frames could still hold every value sealed under the old key; rekey checkpoints it away.
#[test]
fn a_rekey_leaves_no_ciphertext_under_the_old_key_in_the_files() {
    let (t, mut v) = new_vault();
    let paths: Vec<String> = (0..20).map(|i| format!("app/K{i}")).collect();
    for (i, p) in paths.iter().enumerate() {
        put(&mut v, p, &format!("old-key-value-{i}"));
    }
    let old: Vec<Vec<u8>> = paths.iter().map(|p| ct(&t, p, 1)).collect();
    let files = db_bytes(&t);
    assert!(old.iter().all(|c| files.windows(c.len()).any(|w| w == c.as_slice())));
    v.rekey(None, &mut |_, _| {}).unwrap();
    let files = db_bytes(&t);
    for (p, c) in paths.iter().zip(&old) {
        assert!(!files.windows(c.len()).any(|w| w == c.as_slice()), "{p}: old ciphertext left");
    }
    assert_eq!(read(&mut v, "app/K7"), "old-key-value-7");
}

/// The format column is not authenticated. Set back to 1 by an edit of the file, it once had the
/// next unlock "upgrade" the vault: every record MAC'd again as it stood, forged ones included (a
/// rotation handler that steals the value it is given). With the MACs, the anchor and the audit
/// MACs stripped as well, the values, sealed with their path, still tell format 2.
#[test]
fn a_vault_edited_to_look_like_format_1_is_refused_not_upgraded() {
    for strip in [false, true] {
        let (t, mut v) = new_vault();
        put(&mut v, "app/A", "alpha");
        drop(v);
        let c = raw_conn(&t);
        c.execute("UPDATE secrets SET rotation_handler = 'cat > /tmp/x' WHERE path = 'app/A'", [])
            .unwrap();
        c.execute("UPDATE vault SET format = 1", []).unwrap();
        if strip {
            c.execute_batch(
                "UPDATE secrets SET mac = NULL; UPDATE remotes SET mac = NULL;
                 UPDATE audit SET mac = NULL; UPDATE vault SET settings_mac = NULL,
                 audit_anchor_seq = 0, audit_anchor_mac = NULL",
            )
            .unwrap();
        }
        let mac_before: Option<Vec<u8>> =
            c.query_row("SELECT mac FROM secrets WHERE path = 'app/A'", [], |r| r.get(0)).unwrap();
        drop(c);
        let mut v = Vault::open(&t.path).unwrap();
        let e = v.unlock_passphrase(&pass()).unwrap_err();
        assert!(matches!(e, Error::Tampered { .. }), "strip {strip}: {e:?}");
        assert!(e.to_string().contains("format 1"), "{e}");
        // Nothing was upgraded: the header still says 1 and the forged row kept its old MAC.
        let c = raw_conn(&t);
        let format: i64 = c.query_row("SELECT format FROM vault", [], |r| r.get(0)).unwrap();
        let mac: Option<Vec<u8>> =
            c.query_row("SELECT mac FROM secrets WHERE path = 'app/A'", [], |r| r.get(0)).unwrap();
        assert_eq!((format, mac), (1, mac_before), "strip {strip}");
    }
}

/// Every entry's MAC set to NULL and the anchor cleared: the unkeyed hash chain still links, and
/// verify once took such a log for one written before any key existed. A vault the key opens
/// always has an anchor (its init entry, or the upgrade from format 1, is keyed).
#[test]
fn an_audit_log_stripped_of_its_keyed_entries_is_caught() {
    let t = edited(
        &[("app/A", "v0"), ("app/A", "v1"), ("app/A", "v2")],
        "UPDATE audit SET mac = NULL;
         UPDATE vault SET audit_anchor_seq = 0, audit_anchor_mac = NULL",
    );
    let r = reopen(&t).audit_verify().unwrap();
    assert!(!r.ok, "a log with no keyed entry passed: {r:?}");
    assert!(r.problem.unwrap().contains("anchor is missing"));
}

/// A forged expiry once cleared "Expired" from `status` and the compliance report: both read
/// metadata without checking the record's MAC. Unlocked, they now check it and name the record.
#[test]
fn status_and_report_name_a_record_altered_outside_hush() {
    use hush_core::lifecycle::{Finding, StatusOptions};
    // 2100-01-01: app/A no longer looks expired or unexpiring.
    let t = edited(
        &[("app/A", "a"), ("app/B", "b")],
        "UPDATE secrets SET expires_at = 4102444800 WHERE path = 'app/A'",
    );
    let now = 1_900_000_000;
    let v = reopen(&t);
    let s = v.status(&StatusOptions::at(now)).unwrap();
    assert!(s.records_checked);
    let altered: Vec<&str> = s.altered.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(altered, ["app/A"]);
    let r = v.report(0, now).unwrap();
    assert!(r.records_checked);
    assert_eq!(r.findings["altered"], 1);
    let row = |p: &str| r.secrets.iter().find(|x| x.path == p).unwrap().findings.clone();
    assert!(row("app/A").contains(&Finding::Altered));
    assert!(!row("app/B").contains(&Finding::Altered));
    // Locked, the lists come from metadata alone, and say so.
    let locked = Vault::open(&t.path).unwrap();
    let s = locked.status(&StatusOptions::at(now)).unwrap();
    assert!(!s.records_checked && s.altered.is_empty());
}

/// Times are read from the file, where an edit can put any i64. An overflow once panicked
/// `status`, `report`, `rotate --due`, `trash`, and every unlock (which purges old trash), so
/// even `doctor` could not say what was wrong.
#[test]
fn extreme_times_in_the_file_never_panic() {
    use hush_core::lifecycle::StatusOptions;
    let now = 1_900_000_000;
    for (col, x) in [
        ("expires_at", i64::MIN),
        ("last_rotated_at", i64::MIN),
        ("last_rotated_at", i64::MAX),
        ("created_at", i64::MIN),
        ("last_read_at", i64::MIN),
        ("deleted_at", i64::MAX),
        ("deleted_at", i64::MIN),
    ] {
        let (t, mut v) = new_vault();
        put(&mut v, "app/A", "a");
        put(&mut v, "app/B", "b");
        v.remove(&p("app/B")).unwrap();
        drop(v);
        let sql = format!("UPDATE secrets SET rotate_every_days = 1, {col} = ?1");
        raw_conn(&t).execute(&sql, [x]).unwrap();
        let mut v = Vault::open(&t.path).unwrap();
        v.status(&StatusOptions::at(now)).unwrap();
        v.trash().unwrap();
        // The records are altered: the unlock works, and what uses them says so.
        v.unlock_passphrase(&pass()).unwrap_or_else(|e| panic!("{col}={x}: {e}"));
        let s = v.status(&StatusOptions::at(now)).unwrap();
        // (A forged deletion sends both to the trash, out of status's lists.)
        assert!(col == "deleted_at" || !s.altered.is_empty(), "{col}={x}");
        v.report(0, now).unwrap();
        let _ = v.rotate_due(now);
        assert!(!v.verify_integrity().unwrap().is_empty(), "{col}={x}");
        let checks = hush_core::doctor(&t.path, Some(&pass()));
        assert!(checks.iter().any(|c| !c.ok), "{col}={x}: doctor saw nothing");
    }
}

/// The row of a secret's current version deleted: the error says it is missing (it once said the
/// record "points to an older version than it holds", which sent one looking for the wrong edit).
#[test]
fn a_deleted_current_version_is_called_missing() {
    let t = edited(
        &[("app/A", "one"), ("app/A", "two")],
        "DELETE FROM versions WHERE version = 2
             AND secret_id = (SELECT id FROM secrets WHERE path = 'app/A')",
    );
    let mut v = reopen(&t);
    let e = integrity_err(&mut v, "app/A");
    assert!(e.contains("current version 2 is missing"), "{e}");
    assert_eq!(v.verify_integrity().unwrap(), ["app/A (its current version is missing)"]);
    // Status and the report once counted nothing altered: the record's own MAC holds.
    let s = v.status(&hush_core::lifecycle::StatusOptions::at(0)).unwrap();
    assert_eq!(s.altered.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(), ["app/A"]);
    assert_eq!(v.report(0, 0).unwrap().findings["altered"], 1);
}

/// Settings forged to `trash_days = 0`: the purge refuses them, but the trash once showed every
/// item as purged today (the app's Trash view and `hush trash`).
#[test]
fn the_trash_shows_no_purge_date_from_forged_settings() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    v.remove(&p("app/A")).unwrap();
    assert!(v.trash().unwrap()[0].purge_at.is_some());
    drop(v);
    raw_conn(&t).execute("UPDATE vault SET trash_days = 0", []).unwrap();
    let v = reopen(&t);
    assert_eq!(v.trash().unwrap()[0].purge_at, None);
}

/// A deletion forged into the file: "Empty the trash" (purge of the trashed copies) refuses it
/// rather than destroy a live secret someone marked as trashed.
#[test]
fn emptying_the_trash_never_destroys_a_record_forged_into_it() {
    let t = edited(&[("app/A", "alpha")], "UPDATE secrets SET deleted_at = 1 WHERE path = 'app/A'");
    let mut v = reopen(&t);
    let e = v.purge(&p("app/A"), hush_core::PurgeScope::Trashed).unwrap_err();
    assert!(matches!(e, Error::Integrity { .. }), "{e:?}");
    let n: i64 = raw_conn(&t).query_row("SELECT count(*) FROM versions", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1, "nothing was destroyed");
}

/// A ciphertext edited with text (`sqlite3`'s `||` makes a blob text) was a raw "database error:
/// Invalid column type Text" for every read that met it: now it is that secret's integrity
/// failure, named, like any other edit of its bytes, and the rest of the vault reads on.
#[test]
fn a_ciphertext_edited_into_text_is_that_secrets_integrity_failure() {
    let t = edited(
        &[("app/A", "alpha"), ("app/B", "beta")],
        "UPDATE versions SET ciphertext = ciphertext || 'x' \
         WHERE secret_id = (SELECT id FROM secrets WHERE path = 'app/A');",
    );
    let kind: String = raw_conn(&t)
        .query_row("SELECT typeof(ciphertext) FROM versions JOIN secrets s ON s.id = secret_id WHERE s.path = 'app/A'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kind, "text");
    let mut v = reopen(&t);
    assert!(integrity_err(&mut v, "app/A").contains("app/A"));
    assert_eq!(read(&mut v, "app/B"), "beta");
    assert_eq!(v.verify_integrity().unwrap(), vec!["app/A@1".to_string()]);
    put(&mut v, "app/A", "fresh");
    assert_eq!(read(&mut v, "app/A"), "fresh");
}

/// An attacker with the file but no key empties a newer vault, strips every MAC, the anchor and
/// the state root, forges a remote's address and marks the file format 1: nothing format 2 or 3
/// leaves was left to show it. The upgrade at the next unlock then MAC'd the forged address, and
/// the user's next `hush pull` sent the Vault token there. Without a single value sealed the
/// format-1 way (which takes the key to make), such a file is refused.
#[test]
fn a_newer_vault_emptied_and_marked_format_1_gets_no_forged_remote_blessed() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    v.remote_add(&remote_spec("team", "https://vault.corp.example:8200"), None).unwrap();
    drop(v);
    raw_conn(&t)
        .execute_batch(
            "DELETE FROM versions; DELETE FROM secrets;
             UPDATE remotes SET mac = NULL, addr = 'http://127.0.0.1:9';
             UPDATE audit SET mac = NULL; DELETE FROM record_buckets;
             UPDATE vault SET settings_mac = NULL, audit_anchor_seq = 0, audit_anchor_mac = NULL,
                              format = 1;",
        )
        .unwrap();
    let mut v = Vault::open(&t.path).unwrap();
    let e = v.unlock_passphrase(&pass()).unwrap_err();
    assert!(matches!(e, Error::Tampered { .. }), "{e}");
    assert!(e.to_string().contains("format-1 way"), "{e}");
    let addr: String =
        raw_conn(&t).query_row("SELECT addr FROM remotes", [], |r| r.get(0)).unwrap();
    let mac: Option<Vec<u8>> =
        raw_conn(&t).query_row("SELECT mac FROM remotes", [], |r| r.get(0)).unwrap();
    assert_eq!((addr.as_str(), mac), ("http://127.0.0.1:9", None), "nothing was upgraded");
}

/// The schema version edited back (`PRAGMA user_version = 3`): the migrations after it ran again
/// and failed with a raw "database error: duplicate column name" (exit 1). It is an edited file.
#[test]
fn a_schema_version_edited_back_is_an_edited_file_and_changes_nothing() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    drop(v);
    raw_conn(&t).execute_batch("PRAGMA user_version = 3;").unwrap();
    let e = Vault::open(&t.path).map(|_| ()).unwrap_err();
    assert!(matches!(e, Error::Tampered { .. }), "{e:?}");
    assert!(e.to_string().contains("schema version says 3"), "{e}");
    let v: i64 = raw_conn(&t).query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 3, "nothing was changed");
}
