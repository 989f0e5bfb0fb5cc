//! Helpers shared by the public-API tests.
#![allow(dead_code)]

use std::path::PathBuf;

use hush_core::{Passphrase, Protection, SecretPath, SecretValue, Vault, WriteOptions};

pub const PASS: &str = "correct horse battery staple";

pub struct TestVault {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn pass() -> Passphrase {
    Passphrase::new(PASS.into())
}

/// A new passphrase vault in a temp dir (no keychain needed).
pub fn new_vault() -> (TestVault, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v").join("vault.db");
    let v = Vault::create(&path, Protection::Passphrase(&pass())).unwrap();
    (TestVault { dir, path }, v)
}

pub fn reopen(t: &TestVault) -> Vault {
    let mut v = Vault::open(&t.path).unwrap();
    v.unlock_passphrase(&pass()).unwrap();
    v
}

pub fn p(s: &str) -> SecretPath {
    SecretPath::parse(s).unwrap()
}

pub fn val(s: &str) -> SecretValue {
    SecretValue::from_string(s.to_string())
}

pub fn put(v: &mut Vault, path: &str, value: &str) -> u64 {
    v.set(&p(path), &val(value), &WriteOptions::default()).unwrap().version
}

pub fn read(v: &mut Vault, path: &str) -> String {
    v.get(&p(path), None).unwrap().1.expose_str().to_string()
}

/// Every byte of the database files (main file and WAL), to look for plaintext.
pub fn db_bytes(t: &TestVault) -> Vec<u8> {
    let mut all = std::fs::read(&t.path).unwrap();
    for suffix in ["-wal", "-shm"] {
        if let Ok(b) = std::fs::read(format!("{}{suffix}", t.path.display())) {
            all.extend(b);
        }
    }
    all
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

pub fn raw_conn(t: &TestVault) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(&t.path).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    c
}

/// A token-auth remote `name` at `addr` on the KV mount `secret/`, no prefix.
pub fn remote_spec(name: &str, addr: &str) -> hush_core::remote::RemoteSpec {
    hush_core::remote::RemoteSpec {
        name: name.into(),
        addr: addr.into(),
        namespace: None,
        mount: "secret".into(),
        prefix: String::new(),
        ca_cert: None,
        skip_verify: false,
        auth: hush_core::remote::AuthSpec::Token,
    }
}

/// Adds a remote with its token (which goes to the keychain).
pub fn add(v: &mut Vault, s: hush_core::remote::RemoteSpec, token: &str) {
    v.remote_add(&s, Some(&hush_core::remote::RemoteCredential::new(token.into()))).unwrap();
}
