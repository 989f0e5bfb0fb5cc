//! Encrypted backups: round trip into a new vault, and refusal of wrong passphrases, damaged,
//! truncated and tampered files without writing anything.

mod common;

use common::*;
use hush_core::{Error, ExportFormat, FolderPath, ImportOptions, Passphrase, Protection, Vault};

fn bpass() -> Passphrase {
    Passphrase::new("backup passphrase".into())
}

fn seeded() -> (TestVault, Vault) {
    let (t, mut v) = new_vault();
    put(&mut v, "app/A", "a1");
    put(&mut v, "app/A", "a2");
    put(&mut v, "app/B", "multi\nline 'q' \"dq\" $x");
    put(&mut v, "old/GONE", "trashed value");
    v.remove(&p("old/GONE")).unwrap();
    let src = "# header comment\nENV_K=1\n";
    let o = ImportOptions { folder: "envf".into(), ..Default::default() };
    let pr = v.import_preview_bytes("f.env", src.as_bytes(), &o).unwrap();
    v.import_commit_bytes(&pr, src.as_bytes(), &mut |_, _| {}).unwrap();
    (t, v)
}

#[test]
fn backup_restores_everything_into_a_new_vault() {
    let (t, mut v) = seeded();
    let file = t.dir.path().join("vault.hushbak");
    let r = v.backup(&file, &bpass()).unwrap();
    assert_eq!((r.secrets, r.trashed), (4, 1));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    let target = t.dir.path().join("other-machine").join("new.db");
    let newpass = Passphrase::new("new machine".into());
    let (mut n, rr) =
        Vault::restore_backup(&file, &bpass(), &target, Protection::Passphrase(&newpass)).unwrap();
    assert_eq!(rr.versions, r.versions);
    assert_ne!(n.vault_id(), v.vault_id());
    assert_eq!(read(&mut n, "app/A"), "a2");
    assert_eq!(n.get(&p("app/A"), Some(1)).unwrap().1.expose_str(), "a1", "old versions kept");
    assert_eq!(read(&mut n, "app/B"), "multi\nline 'q' \"dq\" $x");
    assert_eq!(n.trash().unwrap().len(), 1, "trash kept");
    n.restore(&p("old/GONE")).unwrap();
    assert_eq!(read(&mut n, "old/GONE"), "trashed value");
    let env = n.export(&[FolderPath::parse("envf").unwrap()], ExportFormat::Env, None).unwrap();
    assert_eq!(env.body.unwrap().expose_str(), "# header comment\nENV_K=1\n", "layouts kept");
    let ver = n.audit_verify().unwrap();
    assert!(ver.ok, "{ver:?}");
    let log = n.audit_log(&Default::default()).unwrap();
    assert!(
        log.iter().any(|e| e.action == hush_core::Action::Import
            && e.detail.as_deref().is_some_and(|d| d.contains("f.env"))),
        "old audit kept"
    );
    assert!(n.verify_integrity().unwrap().is_empty());
    // It opens again with the new passphrase only.
    drop(n);
    let mut again = Vault::open(&target).unwrap();
    assert!(again.unlock_passphrase(&pass()).is_err());
    again.unlock_passphrase(&newpass).unwrap();
}

#[test]
fn bad_backups_write_nothing() {
    let (t, mut v) = seeded();
    let file = t.dir.path().join("b.hushbak");
    v.backup(&file, &bpass()).unwrap();
    let good = std::fs::read(&file).unwrap();
    let target = t.dir.path().join("new.db");
    let restore = |bytes: &[u8], pw: &Passphrase| {
        let f = t.dir.path().join("case.hushbak");
        std::fs::write(&f, bytes).unwrap();
        let r = Vault::restore_backup(&f, pw, &target, Protection::Passphrase(&pass()));
        assert!(!target.exists(), "a failed restore left a vault file");
        r.map(|_| ()).unwrap_err()
    };
    assert!(matches!(restore(&good, &Passphrase::new("wrong".into())), Error::WrongPassphrase));
    let e = restore(&good[..good.len() - 10], &bpass());
    assert!(matches!(&e, Error::Backup(m) if m.contains("truncated")), "{e}");
    let e = restore(&good[..20], &bpass());
    assert!(matches!(&e, Error::Backup(m) if m.contains("truncated")), "{e}");
    let mut tampered = good.clone();
    let n = tampered.len();
    tampered[n - 40] ^= 1;
    let e = restore(&tampered, &bpass());
    assert!(matches!(&e, Error::Backup(m) if m.contains("altered")), "{e}");
    assert!(matches!(restore(b"not a backup at all", &bpass()), Error::Backup(_)));
    // A header asking for an absurd Argon2 cost is refused before deriving anything.
    let mut hostile = good.clone();
    let at = hostile.windows(6).position(|w| w == b"\"p\":1}").expect("lanes in the header");
    hostile[at + 4] = b'0';
    assert!(matches!(restore(&hostile, &bpass()), Error::Backup(m) if m.contains("out of bounds")));
    // An existing file is never overwritten.
    std::fs::write(&target, b"precious").unwrap();
    assert!(matches!(
        Vault::restore_backup(&file, &bpass(), &target, Protection::Passphrase(&pass())),
        Err(Error::VaultExists { .. })
    ));
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
}

#[test]
fn backup_file_holds_no_plaintext() {
    let (t, mut v) = new_vault();
    put(&mut v, "c/K", "CANARY-backup-9931");
    let file = t.dir.path().join("b");
    v.backup(&file, &bpass()).unwrap();
    assert!(!contains(&std::fs::read(&file).unwrap(), "CANARY-backup-9931"));
    assert!(
        !contains(&std::fs::read(&file).unwrap(), "c/K"),
        "paths are inside the encrypted payload too"
    );
}
