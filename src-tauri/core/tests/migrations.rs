//! Migrations: a vault written by schema version 1 (a committed fixture) opens, upgrades in place
//! and keeps every value; opening twice changes nothing.

mod common;

use common::*;
use hush_core::{Passphrase, Vault, SCHEMA_VERSION};

#[test]
fn a_schema_v1_vault_opens_and_upgrades() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/vault-v1.db"), &path)
        .unwrap();
    let version = |p: &std::path::Path| -> i64 {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&path), 1);

    let mut v = Vault::open(&path).unwrap();
    assert_eq!(v.info().unwrap().schema_version, SCHEMA_VERSION);
    v.unlock_passphrase(&Passphrase::new("fixture-passphrase".into())).unwrap();
    assert_eq!(read(&mut v, "legacy/app/API_KEY"), "v1-value-two");
    assert_eq!(v.get(&p("legacy/app/API_KEY"), Some(1)).unwrap().1.expose_str(), "v1-value-one");
    assert_eq!(read(&mut v, "legacy/DB_URL"), "postgres://fixture");
    assert_eq!(v.meta(&p("legacy/app/API_KEY")).unwrap().tags, vec!["fixture".to_string()]);
    assert!(v.audit_verify().unwrap().ok);
    // Settings (added by migration 2) work on the upgraded file.
    let s = v.settings().unwrap();
    assert_eq!((s.versions_kept, s.auto_lock_secs), (10, 300));
    put(&mut v, "legacy/NEW", "written after upgrade");
    drop(v);

    // Opening again is a no-op for the schema.
    let mut v = Vault::open(&path).unwrap();
    v.unlock_passphrase(&Passphrase::new("fixture-passphrase".into())).unwrap();
    assert_eq!(read(&mut v, "legacy/NEW"), "written after upgrade");
    assert_eq!(version(&path), SCHEMA_VERSION);
}
