//! Files from outside that are well-formed but hostile: key-derivation parameters each within its
//! bound whose product costs gigabytes and minutes (a vault, a backup header), and a backup that
//! decrypts fine but carries settings no `settings`/`set` would accept (`versions_kept = 0`
//! deletes every version on the next write). The backup is re-sealed here with the real key, so
//! only the range checks stand between it and the new vault.

mod common;

use std::time::{Duration, Instant};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use common::*;
use hush_core::{Error, KdfParams, Protection, Vault};
use serde_json::Value;

/// In range one by one (2 GiB, 16 passes, 16 lanes), 512 GiB·passes·lanes together.
const HOSTILE: (u32, u32, u32) = (2 * 1024 * 1024, 16, 16);

#[test]
fn in_range_hostile_kdf_parameters_are_refused_fast() {
    let (t, v) = new_vault();
    drop(v);
    raw_conn(&t)
        .execute(
            &format!(
                "UPDATE key_wraps SET kdf = json_set(kdf, '$.m_kib', {}, '$.t', {}, '$.p', {}) WHERE kind = 'passphrase'",
                HOSTILE.0, HOSTILE.1, HOSTILE.2
            ),
            [],
        )
        .unwrap();
    let started = Instant::now();
    let e = Vault::open(&t.path).unwrap().unlock_passphrase(&pass()).unwrap_err();
    assert!(matches!(e, Error::Integrity { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());

    // The same parameters in a backup's header.
    let (t, mut v) = new_vault();
    put(&mut v, "app/K", "v");
    let file = t.dir.path().join("b.hushbak");
    v.backup(&file, &pass()).unwrap();
    let mut b = Backup::read(&file);
    b.header["kdf"]["m_kib"] = HOSTILE.0.into();
    b.header["kdf"]["t"] = HOSTILE.1.into();
    b.header["kdf"]["p"] = HOSTILE.2.into();
    b.write(&file, None);
    let started = Instant::now();
    let e = restore(&t, &file).unwrap_err();
    assert!(e.to_string().contains("key-derivation parameters"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}

/// A change made to a backup's payload.
type Edit = fn(&mut Value);

#[test]
fn a_backup_with_out_of_range_settings_is_refused_and_nothing_is_created() {
    let cases: [(&str, Edit); 5] = [
        ("versions_kept = 0", |p| p["versions_kept"] = 0.into()),
        ("trash_days = 0", |p| p["trash_days"] = 0.into()),
        ("auto-lock of 10 years", |p| p["settings"]["auto_lock_secs"] = "315360000".into()),
        ("clipboard never cleared", |p| p["settings"]["clipboard_secs"] = "0".into()),
        ("a secret keeping 0 versions", |p| p["secrets"][0]["versions_kept"] = 0.into()),
    ];
    for (what, edit) in cases {
        let (t, mut v) = new_vault();
        put(&mut v, "app/K", "v1");
        put(&mut v, "app/K", "v2");
        let file = t.dir.path().join("b.hushbak");
        v.backup(&file, &pass()).unwrap();
        let mut b = Backup::read(&file);
        let original = b.open();
        let mut payload = original.clone();
        edit(&mut payload);
        b.write(&file, Some(&payload));
        let e = restore(&t, &file).unwrap_err();
        assert!(
            matches!(e, Error::Backup(_)) && e.to_string().contains("out of range"),
            "{what}: {e}"
        );
        assert!(!t.dir.path().join("restored.db").exists(), "{what}: a vault was created");
        // The same payload unedited, re-sealed the same way, restores: only the range refused it.
        b.write(&file, Some(&original));
        let (mut r, _) = restore(&t, &file).unwrap_or_else(|e| panic!("{what}: control: {e}"));
        assert_eq!(read(&mut r, "app/K"), "v2");
        drop(r);
        std::fs::remove_file(t.dir.path().join("restored.db")).unwrap();
    }
}

fn restore(
    t: &TestVault,
    file: &std::path::Path,
) -> hush_core::Result<(Vault, hush_core::BackupReport)> {
    Vault::restore_backup(
        file,
        &pass(),
        &t.dir.path().join("restored.db"),
        Protection::Passphrase(&pass()),
    )
}

/// A backup file taken apart (format in `vault/backup.rs`): header JSON and sealed payload.
struct Backup {
    header: Value,
    header_bytes: Vec<u8>,
    sealed: Vec<u8>,
}

impl Backup {
    fn read(path: &std::path::Path) -> Backup {
        let b = std::fs::read(path).unwrap();
        let hlen = u32::from_be_bytes(b[9..13].try_into().unwrap()) as usize;
        let header_bytes = b[13..13 + hlen].to_vec();
        let sealed = b[13 + hlen + 8..].to_vec();
        Backup { header: serde_json::from_slice(&header_bytes).unwrap(), header_bytes, sealed }
    }

    /// The backup key, derived as Hush does from the header's parameters.
    fn key(&self) -> [u8; 32] {
        let kdf: KdfParams = serde_json::from_value(self.header["kdf"].clone()).unwrap();
        let params = argon2::Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32)).unwrap();
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = [0u8; 32];
        argon
            .hash_password_into(PASS.as_bytes(), &hex::decode(&kdf.salt).unwrap(), &mut key)
            .unwrap();
        key
    }

    fn aad(header: &[u8]) -> Vec<u8> {
        [b"hush/v1/backup|".as_slice(), header].concat()
    }

    fn open(&self) -> Value {
        let cipher = aes_gcm::Aes256Gcm::new(&self.key().into());
        let nonce = aes_gcm::Nonce::from_slice(&self.sealed[4..16]);
        let aad = Self::aad(&self.header_bytes);
        let plain = cipher.decrypt(nonce, Payload { msg: &self.sealed[16..], aad: &aad }).unwrap();
        serde_json::from_slice(&plain).unwrap()
    }

    /// Writes the file with the (possibly edited) header; with `payload`, sealed anew under the
    /// real key and the new header, so it decrypts and authenticates like one Hush made.
    fn write(&mut self, path: &std::path::Path, payload: Option<&Value>) {
        let header = serde_json::to_vec(&self.header).unwrap();
        if let Some(p) = payload {
            let cipher = aes_gcm::Aes256Gcm::new(&self.key().into());
            let nonce = [7u8; 12];
            let aad = Self::aad(&header);
            let msg = serde_json::to_vec(p).unwrap();
            let ct = cipher
                .encrypt(aes_gcm::Nonce::from_slice(&nonce), Payload { msg: &msg, aad: &aad })
                .unwrap();
            self.sealed = [b"HSH\x01".as_slice(), &nonce, &ct].concat();
        }
        self.header_bytes = header.clone();
        let mut out = b"HUSHBAK\0\x01".to_vec();
        out.extend_from_slice(&(header.len() as u32).to_be_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(self.sealed.len() as u64).to_be_bytes());
        out.extend_from_slice(&self.sealed);
        std::fs::write(path, out).unwrap();
    }
}

/// A write that cannot happen (a read-only file system) names the file asked for: the app showed
/// the temporary name beside it (`/sys/.hush-export.env.hush-tmp-…`), which means nothing to a
/// user.
#[test]
fn a_write_that_fails_names_the_file_asked_for_not_its_temporary_name() {
    let target = std::path::Path::new("/sys/hush-export.env");
    let err = hush_core::write_private_atomic(target, b"K=v\n").unwrap_err().to_string();
    assert!(err.contains("/sys/hush-export.env") && !err.contains("hush-tmp"), "{err}");
    assert!(!target.exists());
}
