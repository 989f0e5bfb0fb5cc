//! Keychain mode against the real OS keychain (on Linux: gnome-keyring's Secret Service in a
//! D-Bus session; `scripts/test.sh` provides one). Ignored in a plain `cargo test`.

mod common;

use common::*;
use hush_core::{Error, KeyMode, Passphrase, Protection, Vault};

const SERVICE: &str = "dev.hush.vault";

fn keychain_vault() -> (tempfile::TempDir, std::path::PathBuf, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let v = Vault::create(&path, Protection::Keychain)
        .expect("a Secret Service must be running (scripts/with-keyring.sh)");
    (dir, path, v)
}

fn delete_entry(account: &str) {
    keyring::Entry::new(SERVICE, account).unwrap().delete_credential().unwrap();
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn keychain_vault_roundtrip_and_rewrap() {
    hush_core::keychain_status().expect("keychain reachable");
    let (_d, path, mut v) = keychain_vault();
    assert_eq!(v.key_mode(), KeyMode::Keychain);
    put(&mut v, "app/TOKEN", "tok-1");
    let id = v.vault_id().to_string();
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(read(&mut v, "app/TOKEN"), "tok-1");
    // Rewrap: a new keychain key; the old entry is gone and the vault still opens.
    v.rewrap(Protection::Keychain).unwrap();
    assert!(keyring::Entry::new(SERVICE, &format!("vault-{id}")).unwrap().get_secret().is_err());
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(read(&mut v, "app/TOKEN"), "tok-1");
    // Rekey in keychain mode.
    v.rekey(None, &mut |_, _| {}).unwrap();
    assert!(v.verify_integrity().unwrap().is_empty());
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(read(&mut v, "app/TOKEN"), "tok-1");
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn lost_keychain_entry_recovers_with_the_recovery_passphrase() {
    let (_d, path, mut v) = keychain_vault();
    put(&mut v, "app/TOKEN", "survives");
    let rec = Passphrase::new("recovery phrase".into());
    v.set_recovery(&rec).unwrap();
    let id = v.vault_id().to_string();
    drop(v);
    delete_entry(&format!("vault-{id}"));
    let mut v = Vault::open(&path).unwrap();
    let e = v.unlock_keychain().unwrap_err();
    assert!(matches!(e, Error::KeychainEntryMissing), "{e:?}");
    assert_eq!(e.kind(), hush_core::ErrorKind::Locked);
    v.unlock_recovery(&rec).unwrap();
    v.rewrap(Protection::Keychain).unwrap();
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(read(&mut v, "app/TOKEN"), "survives");
}

#[test]
#[ignore = "needs a Secret Service: run via scripts/test.sh"]
fn switch_between_keychain_and_passphrase() {
    let (_d, path, mut v) = keychain_vault();
    put(&mut v, "app/K", "v");
    v.rewrap(Protection::Passphrase(&pass())).unwrap();
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    assert_eq!(v.key_mode(), KeyMode::Passphrase);
    assert!(v.unlock_keychain().is_err());
    v.unlock_passphrase(&pass()).unwrap();
    v.rewrap(Protection::Keychain).unwrap();
    drop(v);
    let mut v = Vault::open(&path).unwrap();
    v.unlock_keychain().unwrap();
    assert_eq!(read(&mut v, "app/K"), "v");
}
