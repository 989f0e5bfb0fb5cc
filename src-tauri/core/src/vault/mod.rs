//! The vault: one SQLite file, one data key, and every operation on secrets.
//!
//! Key hierarchy: a random 256-bit data key encrypts every secret version (AES-256-GCM, AAD =
//! vault id | secret id | version). The data key is stored only wrapped: by a key-encryption key
//! in the OS keychain (keychain mode) or derived from a passphrase with Argon2id (passphrase
//! mode), and optionally also by a recovery passphrase. Locked state is just `key: None`.

mod backup;
mod export;
mod handle;
mod import;
mod keyops;
mod overview;
mod secrets;
mod trash;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::audit::{self, Action, AuditEntry, AuditFilter, AuditVerification};
use crate::crypto::{self, KdfParams};
use crate::db;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keychain;
use crate::secret::{Key32, Passphrase};

pub use backup::BackupReport;
pub use export::{
    Export, ExportFormat, ExportReport, InjectReport, NotPortable, RunEnv, MAX_TEMPLATE_BYTES,
};
pub use import::{
    ImportCounts, ImportItem, ImportOptions, ImportPreview, ImportReport, ImportStatus, OnExisting,
};
pub use keyops::RekeyReport;
pub use overview::{DayCount, Overview, EXPIRING_WITHIN_DAYS};
pub use secrets::MAX_VALUE_BYTES;
// For engine-internal batch work outside this module (remote push/pull/migrate).
pub(crate) use secrets::{
    decrypt_version, meta_from_row, set_tags, version_aad, write_in_tx, META_COLUMNS,
};
pub mod trash_types {
    pub use super::trash::TrashItem;
}

/// How the data key is protected day to day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMode {
    Keychain,
    Passphrase,
}

impl KeyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyMode::Keychain => "keychain",
            KeyMode::Passphrase => "passphrase",
        }
    }
}

/// What to protect a new (or re-wrapped) data key with.
pub enum Protection<'a> {
    Keychain,
    Passphrase(&'a Passphrase),
}

/// Vault-wide settings.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Settings {
    pub versions_kept: u32,
    pub trash_days: u32,
    pub auto_lock_secs: u32,
    pub clipboard_secs: u32,
}

/// Facts about an open vault, for `doctor`, `--json` and the app.
#[derive(Debug, Clone, Serialize)]
pub struct VaultInfo {
    pub path: String,
    pub vault_id: String,
    pub key_mode: KeyMode,
    pub has_recovery: bool,
    pub schema_version: i64,
    pub unlocked: bool,
}

/// An open vault. Dropping it (or `lock`) zeroizes the data key.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    vault_id: String,
    key_mode: KeyMode,
    keychain_account: Option<String>,
    key: Option<Key32>,
    /// The key-encryption key that unlocked the vault (passphrase mode), kept for rekey.
    kek: Option<Key32>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("vault_id", &self.vault_id)
            .field("unlocked", &self.key.is_some())
            .finish()
    }
}

pub(crate) fn wrap_aad(vault_id: &str, kind: &str) -> Vec<u8> {
    format!("hush/v1/wrap|{vault_id}|{kind}").into_bytes()
}

impl Vault {
    /// Creates a new vault file and returns it unlocked.
    pub fn create(path: &Path, protection: Protection<'_>) -> Result<Vault> {
        if let Some(dir) = path.parent() {
            fsutil::ensure_private_dir(dir)?;
        }
        fsutil::create_private_file(path)?;
        let made = Self::create_in(path, protection, db::SCHEMA_VERSION);
        if made.is_err() {
            // Nothing half-made is left behind: no file means "no vault".
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        made
    }

    pub(crate) fn create_in(path: &Path, protection: Protection<'_>, schema: i64) -> Result<Vault> {
        let mut conn = db::open(path, false)?;
        db::migrate_to(&mut conn, schema)?;
        let vault_id = uuid::Uuid::new_v4().to_string();
        let data_key = Key32::random();
        let now = crate::timefmt::now();
        let (mode, account, kek, kdf) = match protection {
            Protection::Keychain => {
                let account = format!("vault-{vault_id}");
                let kek = Key32::random();
                keychain::store(&account, &kek)?;
                (KeyMode::Keychain, Some(account), kek, None)
            }
            Protection::Passphrase(p) => {
                let (kek, params) = Self::passphrase_kek(p, None)?;
                (KeyMode::Passphrase, None, kek, Some(params))
            }
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO vault (id, vault_id, key_mode, keychain_account, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
            params![vault_id, mode.as_str(), account, now],
        )?;
        put_wrap(&tx, &vault_id, mode.as_str(), &kek, &data_key, kdf.as_ref())?;
        audit::append(&tx, Action::Init, None, "ok", Some(mode.as_str()))?;
        tx.commit()?;
        let kek = (mode == KeyMode::Passphrase).then_some(kek);
        Ok(Vault {
            conn,
            path: path.into(),
            vault_id,
            key_mode: mode,
            keychain_account: account,
            key: Some(data_key),
            kek,
        })
    }

    fn passphrase_kek(p: &Passphrase, params: Option<KdfParams>) -> Result<(Key32, KdfParams)> {
        if p.expose().is_empty() {
            return Err(Error::InvalidInput("the passphrase is empty".into()));
        }
        let params = params.unwrap_or_else(KdfParams::new_random);
        Ok((params.derive(p)?, params))
    }

    /// Opens an existing vault, locked. Applies pending migrations and empties expired trash.
    pub fn open(path: &Path) -> Result<Vault> {
        if !path.is_file() {
            return Err(Error::NoVault { path: path.into() });
        }
        db::check_is_vault(path)?;
        let mut conn = db::open(path, false)?;
        db::migrate(&mut conn)?;
        let row: Option<(String, String, Option<String>)> = conn
            .query_row(
                "SELECT vault_id, key_mode, keychain_account FROM vault WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (vault_id, mode, keychain_account) =
            row.ok_or_else(|| Error::Integrity { what: "the vault header (missing)".into() })?;
        let key_mode = match mode.as_str() {
            "keychain" => KeyMode::Keychain,
            "passphrase" => KeyMode::Passphrase,
            _ => {
                return Err(Error::Integrity { what: "the vault header (unknown key mode)".into() })
            }
        };
        let mut v = Vault {
            conn,
            path: path.into(),
            vault_id,
            key_mode,
            keychain_account,
            key: None,
            kek: None,
        };
        v.purge_expired_trash()?;
        Ok(v)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn vault_id(&self) -> &str {
        &self.vault_id
    }
    pub fn key_mode(&self) -> KeyMode {
        self.key_mode
    }
    pub fn is_unlocked(&self) -> bool {
        self.key.is_some()
    }

    pub fn info(&self) -> Result<VaultInfo> {
        Ok(VaultInfo {
            path: self.path.display().to_string(),
            vault_id: self.vault_id.clone(),
            key_mode: self.key_mode,
            has_recovery: self.has_recovery()?,
            schema_version: self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            unlocked: self.is_unlocked(),
        })
    }

    pub fn has_recovery(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM key_wraps WHERE kind = 'recovery'",
            [],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// Unlocks a keychain-mode vault with the key held in the OS keychain.
    pub fn unlock_keychain(&mut self) -> Result<()> {
        let account = match (self.key_mode, &self.keychain_account) {
            (KeyMode::Keychain, Some(a)) => a.clone(),
            _ => {
                return Err(Error::InvalidInput(
                    "this vault is protected by a passphrase, not the keychain".into(),
                ))
            }
        };
        let kek = keychain::load(&account)?;
        self.key = Some(self.unwrap_with("keychain", &kek)?);
        Ok(())
    }

    /// Unlocks a passphrase-mode vault. A wrong passphrase is audited and changes nothing.
    pub fn unlock_passphrase(&mut self, p: &Passphrase) -> Result<()> {
        let kek = self.derive_kek("passphrase", p)?;
        self.unlock_with_kek(kek)
    }

    /// Derives and checks the passphrase KEK without keeping the vault unlocked: what the agent holds.
    pub fn derive_passphrase_kek(&mut self, p: &Passphrase) -> Result<Key32> {
        let kek = self.derive_kek("passphrase", p)?;
        self.unwrap_with("passphrase", &kek)?;
        Ok(kek)
    }

    /// Unlocks a passphrase-mode vault with a KEK obtained from the agent.
    pub fn unlock_with_kek(&mut self, kek: Key32) -> Result<()> {
        self.key = Some(self.unwrap_with("passphrase", &kek)?);
        self.kek = Some(kek);
        Ok(())
    }

    /// Unlocks with the recovery passphrase (any mode).
    pub fn unlock_recovery(&mut self, p: &Passphrase) -> Result<()> {
        let kek = self.derive_kek("recovery", p)?;
        self.key = Some(self.unwrap_with("recovery", &kek)?);
        Ok(())
    }

    fn derive_kek(&mut self, kind: &str, p: &Passphrase) -> Result<Key32> {
        let kdf: Option<Option<String>> = self
            .conn
            .query_row("SELECT kdf FROM key_wraps WHERE kind = ?1", [kind], |r| r.get(0))
            .optional()?;
        let kdf = match kdf {
            Some(Some(k)) => k,
            Some(None) => {
                return Err(Error::Integrity {
                    what: format!("the {kind} key wrap (no KDF parameters)"),
                })
            }
            None if kind == "recovery" => {
                return Err(Error::KeyUnavailable("this vault has no recovery passphrase".into()))
            }
            None => {
                return Err(Error::InvalidInput(
                    "this vault is not protected by a passphrase".into(),
                ))
            }
        };
        let params: KdfParams = serde_json::from_str(&kdf)
            .map_err(|_| Error::Integrity { what: format!("the {kind} KDF parameters") })?;
        let kek = params.derive(p)?;
        if self.unwrap_with(kind, &kek).is_err() {
            self.audit_event(
                Action::Unlock,
                None,
                "failure",
                Some(if kind == "recovery" {
                    "wrong recovery passphrase"
                } else {
                    "wrong passphrase"
                }),
            )?;
            return Err(Error::WrongPassphrase);
        }
        Ok(kek)
    }

    fn unwrap_with(&self, kind: &str, kek: &Key32) -> Result<Key32> {
        let wrapped: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT wrapped FROM key_wraps WHERE kind = ?1", [kind], |r| r.get(0))
            .optional()?;
        let wrapped = wrapped
            .ok_or_else(|| Error::KeyUnavailable(format!("this vault has no {kind} key")))?;
        crypto::unwrap_key(kek, &wrap_aad(&self.vault_id, kind), &wrapped).ok_or_else(|| match kind
        {
            "keychain" => Error::Integrity {
                what: "the keychain key of this vault (it does not open the data key)".into(),
            },
            _ => Error::WrongPassphrase,
        })
    }

    /// Drops (zeroizes) the keys.
    pub fn lock(&mut self) {
        self.key = None;
        self.kek = None;
    }

    pub(crate) fn data_key(&self) -> Result<&Key32> {
        self.key.as_ref().ok_or_else(|| {
            Error::Locked(match self.key_mode {
                KeyMode::Passphrase => "run `hush unlock` (or set HUSH_PASSPHRASE) first".into(),
                KeyMode::Keychain => "unlock it first".into(),
            })
        })
    }

    /// The connection, for engine-internal readers outside this module (remote sync state).
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn tx(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Records an event that happened outside the engine (lock, run, export...). Never a value.
    pub fn audit_event(
        &mut self,
        action: Action,
        path: Option<&str>,
        outcome: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        let tx = self.tx()?;
        audit::append(&tx, action, path, outcome, detail)?;
        tx.commit()?;
        Ok(())
    }

    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        audit::list(&self.conn, filter)
    }

    pub fn audit_verify(&self) -> Result<AuditVerification> {
        audit::verify(&self.conn)
    }

    pub fn settings(&self) -> Result<Settings> {
        let (versions_kept, trash_days): (u32, u32) = self.conn.query_row(
            "SELECT versions_kept, trash_days FROM vault WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let get = |k: &str, default: u32| -> Result<u32> {
            let v: Option<String> = self
                .conn
                .query_row("SELECT value FROM settings WHERE key = ?1", [k], |r| r.get(0))
                .optional()?;
            Ok(v.and_then(|s| s.parse().ok()).unwrap_or(default))
        };
        Ok(Settings {
            versions_kept,
            trash_days,
            auto_lock_secs: get("auto_lock_secs", 300)?,
            clipboard_secs: get("clipboard_secs", 30)?,
        })
    }

    pub fn set_settings(&mut self, s: &Settings) -> Result<()> {
        if !(1..=1000).contains(&s.versions_kept)
            || !(1..=3650).contains(&s.trash_days)
            || !(10..=86_400).contains(&s.auto_lock_secs)
            || !(5..=3600).contains(&s.clipboard_secs)
        {
            return Err(Error::InvalidInput("settings out of range: versions 1-1000, trash days 1-3650, auto-lock 10 s-24 h, clipboard 5 s-1 h".into()));
        }
        let tx = self.tx()?;
        tx.execute(
            "UPDATE vault SET versions_kept = ?1, trash_days = ?2 WHERE id = 1",
            params![s.versions_kept, s.trash_days],
        )?;
        for (k, v) in [("auto_lock_secs", s.auto_lock_secs), ("clipboard_secs", s.clipboard_secs)] {
            tx.execute("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", params![k, v.to_string()])?;
        }
        audit::append(&tx, Action::Settings, None, "ok", None)?;
        tx.commit()?;
        Ok(())
    }
}

pub(crate) fn put_wrap(
    conn: &Connection,
    vault_id: &str,
    kind: &str,
    kek: &Key32,
    data_key: &Key32,
    kdf: Option<&KdfParams>,
) -> Result<()> {
    let wrapped = crypto::wrap_key(kek, &wrap_aad(vault_id, kind), data_key);
    let kdf = kdf.map(|k| serde_json::to_string(k).expect("KdfParams serialise"));
    conn.execute(
        "INSERT INTO key_wraps (kind, wrapped, kdf, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(kind) DO UPDATE SET wrapped = excluded.wrapped, kdf = excluded.kdf, created_at = excluded.created_at",
        params![kind, wrapped, kdf, crate::timefmt::now()],
    )?;
    Ok(())
}

/// Regenerates `tests/fixtures/vault-v1.db`, a vault made by schema version 1 only, which the
/// public test `migrations.rs` opens. Compiled only on request, so no test run rewrites it:
/// `RUSTFLAGS="--cfg hush_write_fixture" cargo test -p hush-core write_v1_fixture`.
#[cfg(all(test, hush_write_fixture))]
mod fixture {
    use super::*;
    use crate::{SecretPath, SecretValue, WriteOptions};

    #[test]
    fn write_v1_fixture() {
        let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vault-v1.db");
        let _ = std::fs::remove_file(&out);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        crate::fsutil::create_private_file(&out).unwrap();
        let p = Passphrase::new("fixture-passphrase".into());
        let mut v = Vault::create_in(&out, Protection::Passphrase(&p), 1).unwrap();
        let opts = WriteOptions {
            tags: Some(vec!["fixture".into()]),
            description: Some("made by schema 1".into()),
            ..Default::default()
        };
        v.set(
            &SecretPath::parse("legacy/app/API_KEY").unwrap(),
            &SecretValue::from_string("v1-value-one".into()),
            &opts,
        )
        .unwrap();
        v.set(
            &SecretPath::parse("legacy/app/API_KEY").unwrap(),
            &SecretValue::from_string("v1-value-two".into()),
            &WriteOptions::default(),
        )
        .unwrap();
        v.set(
            &SecretPath::parse("legacy/DB_URL").unwrap(),
            &SecretValue::from_string("postgres://fixture".into()),
            &WriteOptions::default(),
        )
        .unwrap();
        v.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .unwrap();
        let user_version: i64 = v.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(user_version, 1);
    }
}
