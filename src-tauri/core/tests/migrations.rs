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

fn fixture(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR")), &path).unwrap();
    (dir, path)
}

fn user_version(p: &std::path::Path) -> i64 {
    rusqlite::Connection::open(p)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// A vault made by the code of schema 4 (format 1: values bound without their path, no MACs):
/// opening adds the columns; the first unlock re-seals and MACs everything in one transaction,
/// then builds the state root.
#[test]
fn a_schema_v4_vault_is_upgraded_to_authenticated_rows_at_first_unlock() {
    let (_d, path) = fixture("vault-v4.db");
    assert_eq!(user_version(&path), 4);
    let v = Vault::open(&path).unwrap();
    assert_eq!(v.info().unwrap().format, 1, "opening changes the schema, not the values");
    assert!(!v.list(&Default::default()).unwrap().is_empty(), "metadata lists while locked");
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_passphrase(&Passphrase::new("fixture-passphrase".into())).unwrap();
    assert_eq!(v.info().unwrap().format, 3, "format 1 to 2 to 3 at the first unlock");
    assert_eq!(read(&mut v, "legacy/app/API_KEY"), "v4-value-three");
    assert_eq!(v.get(&p("legacy/app/API_KEY"), Some(1)).unwrap().1.expose_str(), "v4-value-one");
    assert_eq!(read(&mut v, "legacy/DB_URL"), "postgres://fixture-v4");
    assert_eq!(read(&mut v, "my_app/dev/UNDER_SCORE"), "folder with underscore");
    let m = v.meta(&p("legacy/app/API_KEY")).unwrap();
    assert_eq!(m.tags, ["fixture", "v4"]);
    assert_eq!(m.kind, hush_core::Kind::ApiKey);
    assert_eq!(v.trash().unwrap().len(), 1, "the trash survives");
    let s = v.settings().unwrap();
    assert_eq!((s.versions_kept, s.auto_lock_secs), (7, 600), "settings carried and MAC'd");
    assert!(v.verify_integrity().unwrap().is_empty(), "{:?}", v.verify_integrity());
    let audit = v.audit_verify().unwrap();
    assert!(audit.ok && audit.keyed_checked, "{audit:?}");
    assert!(v
        .audit_log(&Default::default())
        .unwrap()
        .iter()
        .any(|e| e.action == hush_core::Action::Upgrade));
    // The .env layout and the remote (with its sync state) came through.
    let env = v.export(
        &[hush_core::FolderPath::parse("envapp/dev").unwrap()],
        hush_core::ExportFormat::Env,
        None,
    );
    let body = env.unwrap().body.unwrap();
    assert!(body.expose_str().starts_with("# comment\n"), "{}", body.expose_str());
    let remotes = v.remotes().unwrap();
    assert_eq!((remotes.len(), remotes[0].synced_folders), (1, 1));
    // The recovery passphrase still opens it, and a rekey keeps everything.
    v.rekey(Some(&Passphrase::new("fixture-recovery".into())), &mut |_, _| {}).unwrap();
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_recovery(&Passphrase::new("fixture-recovery".into())).unwrap();
    assert_eq!(read(&mut v, "legacy/app/API_KEY"), "v4-value-three");
    assert!(v.audit_verify().unwrap().ok);
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}

/// A backup written by the code of schema 4 still restores, into a format-3 vault.
#[test]
fn a_backup_made_by_schema_v4_restores() {
    let (d, bak) = fixture("backup-v1.hushbak");
    let target = d.path().join("restored").join("vault.db");
    let new_pass = Passphrase::new("new machine".into());
    let (mut v, report) = Vault::restore_backup(
        &bak,
        &Passphrase::new("fixture-backup".into()),
        &target,
        hush_core::Protection::Passphrase(&new_pass),
    )
    .unwrap();
    assert_eq!(report.secrets, 7);
    assert_eq!(v.info().unwrap().format, 3);
    assert_eq!(read(&mut v, "legacy/app/API_KEY"), "v4-value-three");
    assert_eq!(read(&mut v, "envapp/dev/A_KEY"), "alpha");
    let audit = v.audit_verify().unwrap();
    assert!(audit.ok && audit.keyed_checked, "the old log is kept and verifies: {audit:?}");
    assert!(v.verify_integrity().unwrap().is_empty());
}
