//! hush-core: the Hush engine. A local vault of secrets in SQLite, every version sealed with
//! AES-256-GCM under a data key that is stored only wrapped (OS keychain or Argon2id passphrase,
//! plus an optional recovery passphrase); a hash-chained audit log; the unlock agent.
//!
//! No UI, no terminal and no printing here: the CLI (`hush`) and the desktop shell are thin faces
//! over this crate.
//!
//! ```no_run
//! use hush_core::{Passphrase, Protection, SecretPath, SecretValue, Vault, WriteOptions};
//! let pass = Passphrase::new("correct horse".into());
//! let mut v = Vault::create("vault.db".as_ref(), Protection::Passphrase(&pass))?;
//! let path = SecretPath::parse("myapp/dev/API_KEY")?;
//! v.set(&path, &SecretValue::from_string("s3cret".into()), &WriteOptions::default())?;
//! let (_meta, value) = v.get(&path, None)?;
//! assert_eq!(value.expose_str(), "s3cret");
//! # Ok::<(), hush_core::Error>(())
//! ```

#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(unix)]
pub mod agent;
mod audit;
mod crypto;
mod doctor;
pub mod envfile;
pub mod envguard;
mod error;
mod fsutil;
mod keychain;
mod keys;
pub mod lifecycle;
pub mod mask;
mod model;
mod path;
pub mod project;
mod ranges;
#[cfg(feature = "hashicorp")]
pub mod remote;
mod secret;
/// Suspend and screen-lock signals (Linux D-Bus), for whoever holds keys.
#[cfg(target_os = "linux")]
pub mod session;
mod store;
pub mod sys;
mod template;
pub mod timefmt;
mod vault;

pub use audit::{Action, AuditEntry, AuditFilter, AuditVerification, Outcome};
pub use crypto::KdfParams;
pub use doctor::{doctor, Check};
pub use error::{Error, ErrorKind, Result};
pub use fsutil::{default_vault_path, write_output, write_private_atomic};
pub use keychain::status as keychain_status;
pub use model::{
    DockerCredentials, KeyMode, Kind, ListFilter, SecretMeta, VersionInfo, WriteOptions,
    WriteOutcome,
};
pub use path::{is_deceptive_char, is_env_name, FolderPath, SecretPath};
pub use secret::{Key32, Passphrase, SecretValue};
pub use store::SCHEMA_VERSION;
pub use vault::trash_types::{PurgeScope, TrashItem};
pub use vault::MAX_VALUE_BYTES;
pub use vault::{
    BackupReport, Export, ExportFormat, ExportReport, InjectReport, NotPortable, RunEnv,
    MAX_TEMPLATE_BYTES,
};
pub use vault::{
    DayCount, MoveReport, Overview, Protection, RekeyReport, Settings, Vault, VaultInfo,
    EXPIRING_WITHIN_DAYS,
};
pub use vault::{
    ImportCounts, ImportItem, ImportOptions, ImportOutcome, ImportPreview, ImportReport,
    ImportSink, ImportStart, ImportStatus, OnExisting,
};

/// Says once, through `notice`, that a command is waiting for another process's write lock on
/// the vault (it waits as long as that process holds it: a read never fails for that).
pub fn on_wait_for_lock(notice: Box<dyn Fn() + Send + Sync>) {
    store::set_wait_notice(notice);
}

/// Test support: vaults as older Hush wrote them. Only in test builds (feature `test-support`).
#[cfg(feature = "test-support")]
pub mod testing {
    use std::path::Path;

    use crate::{ImportOptions, Passphrase, Protection, Result, Vault};

    /// A passphrase vault at `path` holding `n` secrets `bulk/f{i%100}/KEY_{i}` = `value-{i}`,
    /// in format 1 (as Hush of schema 4 and before left it): the next unlock upgrades it.
    pub fn legacy_vault(path: &Path, passphrase: &str, n: usize) -> Result<()> {
        let mut v =
            Vault::create(path, Protection::Passphrase(&Passphrase::new(passphrase.into())))?;
        for f in 0..100.min(n) {
            let body: String =
                (f..n).step_by(100).map(|i| format!("KEY_{i}=value-{i}\n")).collect();
            let opts = ImportOptions { folder: format!("bulk/f{f}"), ..Default::default() };
            let preview = v.import_preview_bytes("bulk.env", body.as_bytes(), &opts)?;
            v.import_commit_bytes(&preview, body.as_bytes(), &mut |_, _| {})?;
        }
        v.downgrade_to_format1()?;
        v.close() // the tests copy the main file alone
    }
}

/// The engine's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
