//! Parts of an older copy of the vault file put back into the current one. Each part carries MACs
//! Hush made, so only the state root (format 3: per bucket of records a digest, the root over
//! them with the remotes and settings, the audit anchor's MAC over the root) can tell it is old.

mod common;

use common::*;
use hush_core::{Error, Vault};

/// A copy of the vault's file as it is now (a backup someone kept, or a stolen copy).
fn copy_of(t: &TestVault) -> std::path::PathBuf {
    let old = t.dir.path().join("old.db");
    raw_conn(t).execute("VACUUM INTO ?1", [old.to_str().unwrap()]).unwrap();
    old
}

/// Runs `sql` on the vault's file with the older copy attached as `o`.
fn splice(t: &TestVault, old: &std::path::Path, sql: &str) {
    let c = raw_conn(t);
    // Rows replaced as they are, without the cascades a delete would set off.
    c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    c.execute("ATTACH ?1 AS o", [old.to_str().unwrap()]).unwrap();
    c.execute_batch(sql).unwrap();
}

fn altered(r: hush_core::Result<impl std::fmt::Debug>) -> String {
    match r {
        Err(e @ Error::StateAltered { .. }) => e.to_string(),
        other => panic!("expected a state error, got {other:?}"),
    }
}

/// The older record of app/A, once its newer version's row is deleted too, carries its own valid
/// MAC and names the newest version the file holds: before format 3 it was served as current.
#[test]
fn a_record_put_back_from_an_older_copy_is_caught_everywhere() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "old-value");
    put(&mut v, "app/B", "b");
    drop(v);
    let old = copy_of(&t);
    let mut v = reopen(&t);
    put(&mut v, "app/A", "rotated-value");
    drop(v);
    splice(
        &t,
        &old,
        "DELETE FROM secrets WHERE path = 'app/A';
         INSERT INTO secrets SELECT * FROM o.secrets WHERE path = 'app/A';
         DELETE FROM versions WHERE version = 2
           AND secret_id = (SELECT id FROM secrets WHERE path = 'app/A');",
    );
    let mut v = reopen(&t);
    let e = altered(v.get(&p("app/A"), None));
    assert!(e.contains("'app/A'") && e.contains("older copy"), "{e}");
    // A write to the same bucket would re-sign the state over the old record: refused.
    let e = altered(v.set(&p("app/B"), &val("b2"), &Default::default()));
    assert!(e.contains("older copy"), "{e}");
    let bad = reopen(&t).state_problems().unwrap();
    assert_eq!(bad.len(), 1, "doctor names it once: {bad:?}");
    assert!(reopen(&t).verify_integrity().unwrap().is_empty(), "every record's own MAC holds");
    let s = v.status(&hush_core::lifecycle::StatusOptions::at(0)).unwrap();
    assert!(s.altered.iter().any(|i| i.path == "app/A"), "status: {:?}", s.altered);
    // A re-key would re-MAC everything under a new key: it refuses, changing nothing.
    let e = v.rekey(None, &mut |_, _| {}).unwrap_err();
    assert!(matches!(e, Error::StateAltered { .. }), "{e:?}");
    assert!(reopen(&t).get(&p("app/A"), None).is_err(), "still caught after the refused re-key");
    // Someone who put the record back on purpose takes the file as it is, audited.
    assert_eq!(reopen(&t).accept_state().unwrap(), 1);
    assert_eq!(read(&mut reopen(&t), "app/A"), "old-value");
    assert!(reopen(&t).state_problems().unwrap().is_empty());
    assert!(reopen(&t).audit_verify().unwrap().ok);
}

/// Removing a record (with its versions) or adding one back from the trash of an older copy.
#[test]
fn a_removed_or_revived_record_is_caught() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    put(&mut v, "app/GONE", "g");
    drop(v);
    let old = copy_of(&t);
    let mut v = reopen(&t);
    v.purge(&p("app/GONE"), hush_core::PurgeScope::Whichever).unwrap();
    drop(v);
    // Brought back from the copy, with its versions.
    splice(
        &t,
        &old,
        "INSERT INTO secrets SELECT * FROM o.secrets WHERE path = 'app/GONE';
         INSERT INTO versions SELECT * FROM o.versions
           WHERE secret_id = (SELECT id FROM o.secrets WHERE path = 'app/GONE');",
    );
    let e = altered(reopen(&t).get(&p("app/GONE"), None));
    assert!(e.contains("app/GONE"), "{e}");
    // And the other way: a live record deleted outside Hush.
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    put(&mut v, "app/HIDDEN", "h");
    drop(v);
    raw_conn(&t)
        .execute_batch(
            "DELETE FROM versions WHERE secret_id = (SELECT id FROM secrets WHERE path = 'app/HIDDEN');
             DELETE FROM secrets WHERE path = 'app/HIDDEN';",
        )
        .unwrap();
    let bad = reopen(&t).state_problems().unwrap();
    assert_eq!(bad.len(), 1, "{bad:?}");
    altered(reopen(&t).get(&p("app/A"), None));
}

/// The audit tail, its head and its anchor put back from an older copy (hiding the entries of a
/// write made since) verified as they did then: the anchor now covers the records too.
#[test]
fn an_older_audit_tail_with_its_head_and_anchor_is_caught() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    drop(v);
    let old = copy_of(&t);
    let mut v = reopen(&t);
    put(&mut v, "app/A", "changed");
    drop(v);
    splice(
        &t,
        &old,
        "DELETE FROM audit; INSERT INTO audit SELECT * FROM o.audit;
         UPDATE vault SET audit_head_seq = (SELECT audit_head_seq FROM o.vault),
           audit_head_hash = (SELECT audit_head_hash FROM o.vault),
           audit_anchor_seq = (SELECT audit_anchor_seq FROM o.vault),
           audit_anchor_mac = (SELECT audit_anchor_mac FROM o.vault);",
    );
    let v = reopen(&t);
    let r = v.audit_verify().unwrap();
    assert!(!r.ok, "an older audit tail passed: {r:?}");
    assert!(r.problem.unwrap().contains("older copy"));
    let mut v = reopen(&t);
    altered(v.get(&p("app/A"), None));
}

/// A remote's older row (its older address, with its own MAC) is caught by the next read of a
/// secret, before anything is sent.
#[test]
fn an_older_remote_row_is_caught() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    v.remote_add(&remote_spec("team", "https://old.example:8200"), None).unwrap();
    drop(v);
    let old = copy_of(&t);
    let mut v = reopen(&t);
    v.remote_remove("team").unwrap();
    v.remote_add(&remote_spec("team", "https://new.example:8200"), None).unwrap();
    drop(v);
    splice(&t, &old, "DELETE FROM remotes; INSERT INTO remotes SELECT * FROM o.remotes;");
    let mut v = reopen(&t);
    altered(v.get(&p("app/A"), None));
}

/// Set back to format 2 with its digests deleted, the next unlock would have built a new root
/// over whatever the file holds, a record put back from an older copy included.
#[test]
fn a_vault_edited_to_look_like_format_2_is_refused() {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a");
    drop(v);
    raw_conn(&t).execute_batch("UPDATE vault SET format = 2; DELETE FROM record_buckets;").unwrap();
    let mut v = Vault::open(&t.path).unwrap();
    let e = v.unlock_passphrase(&pass()).unwrap_err();
    assert!(matches!(e, Error::Tampered { .. }), "{e:?}");
    let format: i64 = raw_conn(&t).query_row("SELECT format FROM vault", [], |r| r.get(0)).unwrap();
    assert_eq!(format, 2, "nothing was upgraded");
}

/// Vaults of format 1 (the fixture) and 2 upgrade at their first unlock, and then catch what a
/// new vault catches.
#[test]
fn older_vaults_get_a_state_root_at_their_first_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    hush_core::testing::legacy_vault(&path, PASS, 300).unwrap();
    let t = TestVault { dir, path };
    let mut v = reopen(&t);
    assert_eq!(read(&mut v, "bulk/f7/KEY_7"), "value-7");
    put(&mut v, "bulk/f7/KEY_7", "b");
    drop(v);
    let format: i64 = raw_conn(&t).query_row("SELECT format FROM vault", [], |r| r.get(0)).unwrap();
    assert_eq!(format, 3);
    assert!(reopen(&t).state_problems().unwrap().is_empty());
    assert!(reopen(&t).audit_verify().unwrap().ok);
    raw_conn(&t).execute("DELETE FROM secrets WHERE path = 'bulk/f7/KEY_7'", []).unwrap();
    assert_eq!(reopen(&t).state_problems().unwrap().len(), 1);
}

/// Everything Hush itself does keeps the state whole: writes, moves, trash, purge, import,
/// settings, remotes, re-key, restore of a backup.
#[test]
fn hush_own_writes_keep_the_state_whole() {
    let (t, mut v) = new_vault();
    for i in 0..600 {
        put(&mut v, &format!("app/K{i}"), "x");
    }
    v.remove(&p("app/K1")).unwrap();
    v.restore(&p("app/K1")).unwrap();
    v.remove(&p("app/K2")).unwrap();
    v.purge(&p("app/K2"), hush_core::PurgeScope::Whichever).unwrap();
    v.remote_add(&remote_spec("team", "https://vault.example:8200"), None).unwrap();
    v.rekey(None, &mut |_, _| {}).unwrap();
    drop(v);
    let v = reopen(&t);
    assert!(v.verify_integrity().unwrap().is_empty(), "{:?}", v.verify_integrity());
    assert!(v.state_problems().unwrap().is_empty(), "{:?}", v.state_problems());
    assert!(v.audit_verify().unwrap().ok);
    let mut v = reopen(&t);
    assert_eq!(read(&mut v, "app/K599"), "x");
}
