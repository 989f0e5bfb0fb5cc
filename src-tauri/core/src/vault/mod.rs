//! The vault: one SQLite file, one data key, and every operation on secrets.
//!
//! Key hierarchy (see `keys.rs`): a random 256-bit data key seals every secret version
//! (AES-256-GCM, AAD = vault id | secret id | canonical path | version) and keys the MACs of the
//! records and the audit chain. It is stored only wrapped: by a key-encryption key in the OS
//! keychain (keychain mode) or derived from a passphrase with Argon2id (passphrase mode), and
//! optionally also by a recovery passphrase. Locked state is `keys: None`.
//!
//! All SQL lives in `crate::store`; this module is its client.

mod backup;
mod create;
mod export;
mod import;
mod import_stream;
mod import_write;
mod keyops;
mod overview;
mod rename;
mod secrets;
mod trash;
mod unlock;
mod upgrade;

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::audit::{self, Action, AuditEntry, AuditFilter, AuditVerification, Outcome};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::model::KeyMode;
use crate::secret::Passphrase;
use crate::store::{Header, Store, StoredSettings, WrapKind};

pub use backup::BackupReport;
pub use export::{
    Export, ExportFormat, ExportReport, InjectReport, NotPortable, RunEnv, MAX_TEMPLATE_BYTES,
};
pub use import::{
    ImportCounts, ImportItem, ImportOptions, ImportPreview, ImportReport, ImportStatus, OnExisting,
};
pub use import_stream::{ImportOutcome, ImportSink, ImportStart};
pub use keyops::RekeyReport;
pub use overview::{DayCount, Overview, EXPIRING_WITHIN_DAYS};
pub use rename::MoveReport;
pub use secrets::MAX_VALUE_BYTES;
// For engine-internal batch work outside this module (remote push/pull/migrate).
pub(crate) use secrets::{check_row, live_row, open_current, open_found, write_in_tx, WriteAt};
pub mod trash_types {
    pub use super::trash::{PurgeScope, TrashItem};
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

impl Settings {
    /// The ranges every write of settings (`settings`, a restored backup) must respect.
    pub(crate) fn check(&self) -> Result<()> {
        crate::ranges::check_settings(
            self.versions_kept,
            self.trash_days,
            self.auto_lock_secs,
            self.clipboard_secs,
        )
        .map_err(|e| {
            let why = match e {
                Error::InvalidInput(m) => m,
                other => other.to_string(),
            };
            Error::InvalidInput(format!(
                "settings out of range: versions 1-1000, trash days 1-3650, auto-lock 10 s-24 h, clipboard 5 s-1 h ({why})"
            ))
        })
    }

    fn stored(&self) -> StoredSettings {
        StoredSettings {
            versions_kept: self.versions_kept,
            trash_days: self.trash_days,
            auto_lock_secs: self.auto_lock_secs,
            clipboard_secs: self.clipboard_secs,
            mac: None,
        }
    }
}

impl From<&StoredSettings> for Settings {
    fn from(s: &StoredSettings) -> Self {
        Settings {
            versions_kept: s.versions_kept,
            trash_days: s.trash_days,
            auto_lock_secs: s.auto_lock_secs,
            clipboard_secs: s.clipboard_secs,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings { versions_kept: 10, trash_days: 30, auto_lock_secs: 300, clipboard_secs: 30 }
    }
}

/// Facts about an open vault, for `doctor`, `--json` and the app.
#[derive(Debug, Clone, Serialize)]
pub struct VaultInfo {
    pub path: String,
    pub vault_id: String,
    pub key_mode: KeyMode,
    pub has_recovery: bool,
    pub schema_version: i64,
    /// 2: values bound to their path and records MAC'd; 1: upgraded at the next unlock.
    pub format: i64,
    pub unlocked: bool,
}

/// An open vault. Dropping it (or `lock`) zeroizes its keys.
pub struct Vault {
    store: Store,
    header: Header,
    /// Shared (never copied) with a second handle of the same vault (`try_clone`).
    keys: Option<Arc<Keys>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.store.path())
            .field("vault_id", &self.header.vault_id)
            .field("unlocked", &self.keys.is_some())
            .finish()
    }
}

impl Vault {
    /// Opens an existing vault, locked. A vault of an older schema gets the new columns (one
    /// transaction); its values are re-sealed at the first unlock. Nothing else is written.
    pub fn open(path: &Path) -> Result<Vault> {
        let store = Store::open(path)?;
        let header = store.read()?.header()?;
        Ok(Vault { store, header, keys: None })
    }

    /// What is at `path`, changing nothing (no schema upgrade, no purge, no journal switch): for
    /// a status screen. A damaged, foreign or newer file is its error, never "no vault".
    pub fn inspect(path: &Path) -> Result<VaultInfo> {
        let store = Store::open_read_only(path)?;
        let tx = store.read()?;
        let header = tx.header()?;
        Ok(VaultInfo {
            path: path.display().to_string(),
            vault_id: header.vault_id,
            key_mode: header.key_mode,
            has_recovery: tx.has_wrap(WrapKind::Recovery)?,
            schema_version: store.schema_version()?,
            format: header.format,
            unlocked: false,
        })
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    /// Closes the vault with its write-ahead log folded into the main file (and, when no other
    /// process has it open, the `-wal`/`-shm` files removed). Dropping a vault leaves the log
    /// for the next process; close first when the file itself is about to be copied.
    pub fn close(self) -> Result<()> {
        self.store.close()
    }
    pub fn vault_id(&self) -> &str {
        &self.header.vault_id
    }
    pub fn key_mode(&self) -> KeyMode {
        self.header.key_mode
    }
    pub fn is_unlocked(&self) -> bool {
        self.keys.is_some()
    }

    pub fn info(&self) -> Result<VaultInfo> {
        Ok(VaultInfo {
            path: self.path().display().to_string(),
            vault_id: self.header.vault_id.clone(),
            key_mode: self.header.key_mode,
            has_recovery: self.has_recovery()?,
            schema_version: self.store.schema_version()?,
            format: self.header.format,
            unlocked: self.is_unlocked(),
        })
    }

    pub fn has_recovery(&self) -> Result<bool> {
        self.store.read()?.has_wrap(WrapKind::Recovery)
    }

    /// Drops the keys (zeroized once no other handle of this vault holds them).
    pub fn lock(&mut self) {
        self.keys = None;
        self.store.bind_generation(None);
    }

    /// Another handle on the same vault file (its own database connection) sharing this one's
    /// keys, for long work on another thread while this handle keeps serving. Locked if this one
    /// is. A re-key through either handle makes the other's keys stale: it refuses to work
    /// (`Rekeyed`) until unlocked again.
    pub fn try_clone(&self) -> Result<Vault> {
        let mut store = Store::open(self.store.path())?;
        store.bind_generation(self.store.generation());
        Ok(Vault { store, header: self.header.clone(), keys: self.keys.clone() })
    }

    /// The keys, or the locked error.
    pub(crate) fn keys(&self) -> Result<&Keys> {
        self.keys.as_deref().ok_or(Error::Locked)
    }

    pub(crate) fn keys_opt(&self) -> Option<&Keys> {
        self.keys.as_deref()
    }

    /// The keys and the store, borrowed apart (a write transaction needs `&mut Store`).
    pub(crate) fn parts(&mut self) -> Result<(&Keys, &mut Store)> {
        match self.keys.as_deref() {
            Some(k) => Ok((k, &mut self.store)),
            None => Err(Error::Locked),
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The store for writes that need no key (reminders given).
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Records an event that happened outside the engine (lock, unlock by an agent...). Keyed
    /// when the vault is unlocked. Never a value.
    pub fn audit_event(
        &mut self,
        action: Action,
        path: Option<&str>,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> Result<()> {
        let tx = self.store.write()?;
        audit::append(&tx, self.keys.as_deref(), action, path, outcome, detail)?;
        tx.commit()
    }

    pub fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        audit::list(&self.store.read()?, filter)
    }

    /// Checks the audit chain: fully (keyed links, anchor) when unlocked, its unkeyed structure
    /// otherwise (`keyed_checked` says which).
    pub fn audit_verify(&self) -> Result<AuditVerification> {
        audit::verify(&self.store.read()?, self.keys.as_deref())
    }

    /// The settings; checked against their MAC when the vault is unlocked.
    pub fn settings(&self) -> Result<Settings> {
        let s = self.store.read()?.settings()?;
        if let Some(k) = self.keys.as_deref() {
            if !k.row_mac_ok(&s.mac_input(), s.mac.as_deref()) {
                return Err(Error::Integrity { what: "the vault settings".into() });
            }
        }
        Ok(Settings::from(&s))
    }

    pub fn set_settings(&mut self, s: &Settings) -> Result<()> {
        s.check()?;
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        put_settings(&tx, keys, s)?;
        audit::append(&tx, Some(keys), Action::Settings, None, Outcome::Ok, None)?;
        tx.commit()
    }
}

pub(crate) fn put_settings(
    tx: &crate::store::Tx<'_, crate::store::Write>,
    keys: &Keys,
    s: &Settings,
) -> Result<()> {
    let stored = s.stored();
    tx.put_settings(keys, &stored, &keys.row_mac(&stored.mac_input()))
}
