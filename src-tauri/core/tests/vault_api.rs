//! The engine's public API: writes, reads, versions, check-and-set, trash, metadata, limits.

mod common;

use std::collections::BTreeMap;

use common::*;
use hush_core::{
    Action, AuditFilter, Error, Kind, ListFilter, Protection, SecretValue, Settings, Vault,
    WriteOptions,
};

#[test]
fn create_open_lock_unlock() {
    let (t, mut v) = new_vault();
    put(&mut v, "myapp/dev/API_KEY", "abc");
    v.lock();
    assert!(!v.is_unlocked());
    assert!(matches!(v.get(&p("myapp/dev/API_KEY"), None), Err(Error::Locked)));
    drop(v);
    let mut v = Vault::open(&t.path).unwrap();
    assert!(matches!(
        v.unlock_passphrase(&hush_core::Passphrase::new("nope".into())),
        Err(Error::WrongPassphrase)
    ));
    v.unlock_passphrase(&pass()).unwrap();
    assert_eq!(read(&mut v, "myapp/dev/API_KEY"), "abc");
    // A second create on the same path is refused and leaves the vault alone.
    assert!(matches!(
        Vault::create(&t.path, Protection::Passphrase(&pass())),
        Err(Error::VaultExists { .. })
    ));
    assert_eq!(read(&mut reopen(&t), "myapp/dev/API_KEY"), "abc");
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (t, _v) = new_vault();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&t.path), 0o600);
    assert_eq!(mode(t.path.parent().unwrap()), 0o700);
}

#[test]
fn missing_vault_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = Vault::open(&dir.path().join("nope.db")).unwrap_err();
    assert!(matches!(e, Error::NoVault { .. }));
    assert!(e.to_string().contains("nope.db"), "names the file: {e}");
}

#[test]
fn versions_are_kept_and_pruned() {
    let (_t, mut v) = new_vault();
    v.set_settings(&Settings { versions_kept: 3, ..v.settings().unwrap() }).unwrap();
    for i in 1..=5 {
        assert_eq!(put(&mut v, "a/K", &format!("value-{i}")), i);
    }
    let h = v.history(&p("a/K")).unwrap();
    assert_eq!(h.iter().map(|x| x.version).collect::<Vec<_>>(), vec![3, 4, 5]);
    assert!(h.last().unwrap().current);
    assert_eq!(v.get(&p("a/K"), Some(4)).unwrap().1.expose_str(), "value-4");
    assert!(matches!(v.get(&p("a/K"), Some(1)), Err(Error::VersionNotKept { version: 1, .. })));
    // A per-secret setting wins over the vault's.
    v.set(&p("a/L"), &val("x1"), &WriteOptions { versions_kept: Some(1), ..Default::default() })
        .unwrap();
    put(&mut v, "a/L", "x2");
    assert_eq!(v.history(&p("a/L")).unwrap().len(), 1);
}

#[test]
fn rollback_writes_the_old_value_as_a_new_version() {
    let (_t, mut v) = new_vault();
    put(&mut v, "a/K", "one");
    put(&mut v, "a/K", "two");
    let out = v.rollback(&p("a/K"), 1, None).unwrap();
    assert_eq!(out.version, 3);
    assert_eq!(read(&mut v, "a/K"), "one");
    assert_eq!(v.history(&p("a/K")).unwrap().len(), 3);
    assert!(matches!(v.rollback(&p("a/K"), 1, Some(2)), Err(Error::CasConflict { actual: 3, .. })));
}

#[test]
fn check_and_set() {
    let (_t, mut v) = new_vault();
    let create_only = WriteOptions { cas: Some(0), ..Default::default() };
    v.set(&p("a/K"), &val("1"), &create_only).unwrap();
    assert!(matches!(
        v.set(&p("a/K"), &val("2"), &create_only),
        Err(Error::CasConflict { expected: 0, actual: 1, .. })
    ));
    v.set(&p("a/K"), &val("2"), &WriteOptions { cas: Some(1), ..Default::default() }).unwrap();
    let e = v
        .set(&p("a/K"), &val("3"), &WriteOptions { cas: Some(1), ..Default::default() })
        .unwrap_err();
    assert!(matches!(e, Error::CasConflict { expected: 1, actual: 2, .. }));
    assert_eq!(read(&mut v, "a/K"), "2");
    let conflicts =
        v.audit_log(&AuditFilter { action: Some(Action::Write), ..Default::default() }).unwrap();
    assert_eq!(conflicts.iter().filter(|e| e.outcome == hush_core::Outcome::Conflict).count(), 2);
}

#[test]
fn trash_restore_purge() {
    let (t, mut v) = new_vault();
    put(&mut v, "a/K", "one");
    put(&mut v, "a/K", "two");
    v.remove(&p("a/K")).unwrap();
    assert!(matches!(v.get(&p("a/K"), None), Err(Error::NotFound { .. })));
    assert!(v.list(&ListFilter::default()).unwrap().is_empty());
    let trash = v.trash().unwrap();
    assert_eq!(trash.len(), 1);
    assert_eq!(trash[0].purge_at.unwrap() - trash[0].meta.deleted_at.unwrap(), 30 * 86_400);
    // A new secret may take the path meanwhile; restoring then is refused, not merged.
    put(&mut v, "a/K", "other");
    assert!(matches!(v.restore(&p("a/K")), Err(Error::AlreadyExists { .. })));
    // Live and trashed at once: purge asks which; the trashed one goes, the live one stays.
    let e = v.purge(&p("a/K"), hush_core::PurgeScope::Whichever).unwrap_err();
    assert!(e.to_string().contains("--trashed"), "{e}");
    assert_eq!(v.purge(&p("a/K"), hush_core::PurgeScope::Trashed).unwrap(), 1);
    assert!(v.trash().unwrap().is_empty());
    assert_eq!(read(&mut v, "a/K"), "other");
    assert!(matches!(
        v.purge(&p("a/K"), hush_core::PurgeScope::Trashed),
        Err(Error::NotInTrash { .. })
    ));
    v.purge(&p("a/K"), hush_core::PurgeScope::Whichever).unwrap();
    assert!(matches!(v.restore(&p("a/K")), Err(Error::NotInTrash { .. })));

    put(&mut v, "b/K", "keep me");
    v.remove(&p("b/K")).unwrap();
    let m = v.restore(&p("b/K")).unwrap();
    assert_eq!(m.version, 1);
    assert_eq!(read(&mut v, "b/K"), "keep me");

    // Trash past its window is purged after every unlock (the clock is injected here; a
    // deleted_at moved back in the file is tampering, never a reason to purge: tamper.rs).
    put(&mut v, "c/OLD", "x");
    v.remove(&p("c/OLD")).unwrap();
    drop(v);
    let mut v = reopen(&t);
    assert_eq!(v.trash().unwrap().len(), 1, "not yet expired");
    let now = hush_core::timefmt::now();
    assert_eq!(v.purge_expired_trash_at(now + 29 * 86_400).unwrap(), 0);
    assert_eq!(v.purge_expired_trash_at(now + 31 * 86_400).unwrap(), 1);
    assert!(v.trash().unwrap().is_empty());
    let versions: i64 = raw_conn(&t).query_row("SELECT count(*) FROM versions v JOIN secrets s ON s.id = v.secret_id WHERE s.path = 'c/OLD'", [], |r| r.get(0)).unwrap();
    assert_eq!(versions, 0);
    let purges =
        v.audit_log(&AuditFilter { action: Some(Action::Purge), ..Default::default() }).unwrap();
    assert!(purges.iter().any(|e| e.path.as_deref() == Some("c/OLD")
        && e.detail.as_deref().unwrap_or("").contains("expired")));
}

#[test]
fn metadata_and_listing() {
    let (_t, mut v) = new_vault();
    let mut meta = BTreeMap::new();
    meta.insert("owner".to_string(), "platform".to_string());
    let opts = WriteOptions {
        kind: Some(Kind::ConnectionString),
        tags: Some(vec!["db".into(), "prod".into()]),
        description: Some("Primary Postgres".into()),
        expires_at: Some(2_000_000_000),
        rotate_every_days: Some(90),
        source: Some("file:.env".into()),
        meta,
        ..Default::default()
    };
    v.set(&p("shop/prod/DATABASE_URL"), &val("postgres://x"), &opts).unwrap();
    put(&mut v, "shop/dev/DATABASE_URL", "postgres://dev");
    put(&mut v, "blog/dev/TOKEN", "t");
    let m = v.meta(&p("shop/prod/DATABASE_URL")).unwrap();
    assert_eq!(
        (m.kind, m.tags.clone(), m.rotate_every_days),
        (Kind::ConnectionString, vec!["db".to_string(), "prod".to_string()], Some(90))
    );
    assert_eq!(m.meta.get("owner").map(String::as_str), Some("platform"));
    assert!(m.last_rotated_at.is_some());

    let paths = |f: ListFilter| v.list(&f).unwrap().into_iter().map(|m| m.path).collect::<Vec<_>>();
    assert_eq!(
        paths(ListFilter { folder: Some("shop".into()), ..Default::default() }),
        vec!["shop/dev/DATABASE_URL", "shop/prod/DATABASE_URL"]
    );
    assert_eq!(
        paths(ListFilter { folder: Some("sho".into()), ..Default::default() }),
        Vec::<String>::new()
    );
    assert_eq!(
        paths(ListFilter { tag: Some("prod".into()), ..Default::default() }),
        vec!["shop/prod/DATABASE_URL"]
    );
    assert_eq!(
        paths(ListFilter { kind: Some(Kind::ConnectionString), ..Default::default() }),
        vec!["shop/prod/DATABASE_URL"]
    );
    assert_eq!(
        paths(ListFilter { search: Some("postgres".into()), ..Default::default() }),
        vec!["shop/prod/DATABASE_URL"]
    );
    assert_eq!(
        paths(ListFilter { search: Some("TOKEN".into()), ..Default::default() }),
        vec!["blog/dev/TOKEN"]
    );
    assert_eq!(
        paths(ListFilter { search: Some("%".into()), ..Default::default() }),
        Vec::<String>::new()
    );

    // Metadata-only edits keep the version; an empty meta value removes the key.
    let mut drop_owner = BTreeMap::new();
    drop_owner.insert("owner".to_string(), String::new());
    let m2 = v
        .update_meta(
            &p("shop/prod/DATABASE_URL"),
            &WriteOptions { tags: Some(vec!["db".into()]), meta: drop_owner, ..Default::default() },
        )
        .unwrap();
    assert_eq!((m2.version, m2.tags, m2.meta.len()), (1, vec!["db".to_string()], 0));
    assert_eq!(m2.description.as_deref(), Some("Primary Postgres"));
}

#[test]
fn kinds_are_validated() {
    let (_t, mut v) = new_vault();
    let docker = WriteOptions { kind: Some(Kind::DockerCredentials), ..Default::default() };
    let good = r#"{"registry":"ghcr.io","username":"me","password":"pw","email":"me@x.io"}"#;
    v.set(&p("ci/REGISTRY"), &val(good), &docker).unwrap();
    assert!(matches!(
        v.set(&p("ci/REGISTRY2"), &val("not json"), &docker),
        Err(Error::InvalidInput(_))
    ));
    // The kind sticks: a later write without --kind is validated as docker credentials too.
    assert!(v.set(&p("ci/REGISTRY"), &val("plain"), &WriteOptions::default()).is_err());
    let cert = WriteOptions { kind: Some(Kind::Certificate), ..Default::default() };
    v.set(
        &p("tls/CERT"),
        &val("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
        &cert,
    )
    .unwrap();
    assert_eq!(read(&mut v, "tls/CERT").lines().count(), 3);
}

#[test]
fn hostile_values_write_nothing() {
    let (_t, mut v) = new_vault();
    put(&mut v, "a/K", "ok");
    let huge = SecretValue::new(vec![b'x'; hush_core::MAX_VALUE_BYTES + 1]);
    let e = v.set(&p("a/K"), &huge, &WriteOptions::default()).unwrap_err();
    let size = hush_core::MAX_VALUE_BYTES + 1;
    assert!(matches!(e, Error::TooLarge { size: s, .. } if s == size), "{e:?}");
    assert!(e.to_string().contains(&format!("is {size} bytes")), "the exact size: {e}");
    let bad_utf8 = SecretValue::new(vec![0xff, 0xfe, b'a']);
    assert!(matches!(
        v.set(&p("a/K"), &bad_utf8, &WriteOptions::default()),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        v.set(&p("a/NEW"), &bad_utf8, &WriteOptions::default()),
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(v.history(&p("a/K")).unwrap().len(), 1);
    assert!(
        matches!(v.meta(&p("a/NEW")), Err(Error::NotFound { .. })),
        "a refused create leaves no row"
    );
    let bad_tag = WriteOptions { tags: Some(vec!["a,b".into()]), ..Default::default() };
    assert!(v.set(&p("a/K"), &val("x"), &bad_tag).is_err());
    assert_eq!(read(&mut v, "a/K"), "ok");
}

#[test]
fn canary_never_leaves_the_ciphertext() {
    let canary = format!("CANARY-{}", std::process::id());
    let (t, mut v) = new_vault();
    put(&mut v, "app/SECRET", &canary);
    put(&mut v, "app/SECRET", &format!("{canary}-2"));
    assert_eq!(read(&mut v, "app/SECRET"), format!("{canary}-2"));
    let mut errors = vec![
        v.set(
            &p("app/SECRET"),
            &val(&canary),
            &WriteOptions { cas: Some(1), ..Default::default() },
        )
        .unwrap_err()
        .to_string(),
        v.set(
            &p("app/D"),
            &val(&format!("{{\"password\":\"{canary}\"")),
            &WriteOptions { kind: Some(Kind::DockerCredentials), ..Default::default() },
        )
        .unwrap_err()
        .to_string(),
        v.set(
            &p("app/C"),
            &val(&canary),
            &WriteOptions { kind: Some(Kind::Certificate), ..Default::default() },
        )
        .unwrap_err()
        .to_string(),
    ];
    v.rollback(&p("app/SECRET"), 1, None).unwrap();
    v.remove(&p("app/SECRET")).unwrap();
    v.restore(&p("app/SECRET")).unwrap();
    errors.push(format!("{:?}", v.get(&p("app/SECRET"), None).unwrap()));
    for e in &errors {
        assert!(!e.contains(&canary), "leaked in: {e}");
    }
    let audit = format!("{:?}", v.audit_log(&AuditFilter::default()).unwrap());
    assert!(!audit.contains(&canary));
    let listing = serde_json::to_string(&v.list(&Default::default()).unwrap()).unwrap();
    assert!(!listing.contains(&canary));
    drop(v);
    assert!(!contains(&db_bytes(&t), &canary), "plaintext found in the database files");
}

#[test]
fn every_action_is_audited_without_values() {
    let (_t, mut v) = new_vault();
    put(&mut v, "a/K", "value-one");
    read(&mut v, "a/K");
    v.get_as(&p("a/K"), None, Action::Reveal).unwrap();
    v.rollback(&p("a/K"), 1, None).unwrap();
    v.remove(&p("a/K")).unwrap();
    v.restore(&p("a/K")).unwrap();
    v.purge(&p("a/K"), hush_core::PurgeScope::Whichever).unwrap();
    v.audit_event(Action::Lock, None, hush_core::Outcome::Ok, None).unwrap();
    let actions: Vec<&str> = v
        .audit_log(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        ["init", "write", "read", "reveal", "rollback", "delete", "restore", "purge", "lock"]
    );
    let r = v.audit_verify().unwrap();
    assert!(r.ok && r.entries == 9, "{r:?}");
    let one = v
        .audit_log(&AuditFilter {
            path_prefix: Some("a".into()),
            limit: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(one.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["restore", "purge"]);
}

#[test]
fn recovery_passphrase_opens_the_vault_and_survives_rekey() {
    let (t, mut v) = new_vault();
    put(&mut v, "a/K", "alpha");
    put(&mut v, "b/K", "beta");
    let rec = hush_core::Passphrase::new("recovery words".into());
    v.set_recovery(&rec).unwrap();
    assert!(v.rekey(None, &mut |_, _| {}).is_err(), "rekey must ask for the recovery passphrase");
    let mut seen = 0;
    let report = v.rekey(Some(&rec), &mut |done, _| seen = done).unwrap();
    assert_eq!((report.versions, seen, report.key_generation), (2, 2, 2));
    assert_eq!(read(&mut v, "a/K"), "alpha");
    drop(v);
    let mut v = Vault::open(&t.path).unwrap();
    assert!(matches!(
        v.unlock_recovery(&hush_core::Passphrase::new("wrong".into())),
        Err(Error::WrongPassphrase)
    ));
    v.unlock_recovery(&rec).unwrap();
    assert_eq!(read(&mut v, "b/K"), "beta");
    // Recovery then a new passphrase: the old one stops working.
    let newp = hush_core::Passphrase::new("new pass".into());
    v.rewrap(Protection::Passphrase(&newp)).unwrap();
    drop(v);
    let mut v = Vault::open(&t.path).unwrap();
    assert!(v.unlock_passphrase(&pass()).is_err());
    v.unlock_passphrase(&newp).unwrap();
    assert!(v.verify_integrity().unwrap().is_empty());
}

#[test]
fn overview_counts_expiring_stale_and_activity() {
    let (t, mut v) = new_vault();
    let now = hush_core::timefmt::now();
    let soon = WriteOptions { expires_at: Some(now + 5 * 86_400), ..Default::default() };
    let later = WriteOptions { expires_at: Some(now + 90 * 86_400), ..Default::default() };
    let rotate = WriteOptions { rotate_every_days: Some(30), ..Default::default() };
    v.set(&p("a/SOON"), &val("x"), &soon).unwrap();
    v.set(&p("a/LATER"), &val("x"), &later).unwrap();
    v.set(&p("b/OLD"), &val("x"), &rotate).unwrap();
    v.set(&p("b/FRESH"), &val("x"), &rotate).unwrap();
    put(&mut v, "c/GONE", "x");
    v.remove(&p("c/GONE")).unwrap();
    drop(v);
    raw_conn(&t).execute("UPDATE secrets SET last_rotated_at = last_rotated_at - 40 * 86400 WHERE path = 'b/OLD'", []).unwrap();
    let v = reopen(&t);
    let o = v.overview(now, 7).unwrap();
    assert_eq!((o.secrets, o.folders, o.in_trash), (4, 2, 1));
    assert_eq!(o.expiring.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(), ["a/SOON"]);
    assert_eq!(o.stale.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(), ["b/OLD"]);
    assert_eq!(o.activity.len(), 7);
    assert_eq!(
        o.activity.last().unwrap().count,
        7,
        "init, 5 writes and a delete today: {:?}",
        o.activity
    );
}

/// A re-key re-seals the `.env` layouts too (found by the crash tests: after a re-key, an export
/// of an imported folder was an integrity error, its layout still sealed with the old key).
#[test]
fn rekey_keeps_imported_layouts_readable() {
    let (_t, mut v) = new_vault();
    let body = b"# the team's settings\nA=1\nB=2\n";
    let opts = hush_core::ImportOptions { folder: "app".into(), ..Default::default() };
    let preview = v.import_preview_bytes("x.env", body, &opts).unwrap();
    v.import_commit_bytes(&preview, body, &mut |_, _| {}).unwrap();
    v.rekey(None, &mut |_, _| {}).unwrap();
    let folder = hush_core::FolderPath::parse("app").unwrap();
    let out = v.export(&[folder], hush_core::ExportFormat::Env, None).unwrap();
    assert_eq!(out.body.unwrap().expose_str(), "# the team's settings\nA=1\nB=2\n");
}

#[test]
fn bulk_move_into_a_folder_is_all_or_nothing() {
    let (_t, mut v) = new_vault();
    put(&mut v, "a/ONE", "1");
    put(&mut v, "a/ONE", "1b");
    put(&mut v, "b/\"two.key\"", "2");
    put(&mut v, "c/ONE", "taken");
    let folder = hush_core::FolderPath::parse("c").unwrap();
    // c/ONE exists: nothing moves, not even b's secret.
    let err = v.move_into(&[p("b/\"two.key\""), p("a/ONE")], &folder).unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");
    assert_eq!(read(&mut v, "b/\"two.key\""), "2");
    let folder = hush_core::FolderPath::parse("d/x").unwrap();
    let r = v.move_into(&[p("a/ONE"), p("b/\"two.key\"")], &folder).unwrap();
    assert_eq!(r.moved.len(), 2);
    assert_eq!(r.versions, 3);
    assert_eq!(read(&mut v, "d/x/ONE"), "1b");
    assert_eq!(v.get(&p("d/x/ONE"), Some(1)).unwrap().1.expose_str(), "1");
    assert_eq!(read(&mut v, "d/x/\"two.key\""), "2");
    assert!(matches!(v.meta(&p("a/ONE")), Err(Error::NotFound { .. })));
    let moves =
        v.audit_log(&AuditFilter { action: Some(Action::Move), ..Default::default() }).unwrap();
    assert_eq!(moves.len(), 2, "{moves:?}");
}
