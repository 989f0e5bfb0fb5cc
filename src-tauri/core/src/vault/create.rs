//! Bringing a vault file to life atomically (`init`, `restore-backup`).
//!
//! The new vault is built in a private temporary file beside its final name, completely (schema,
//! header, wrapped key, audit, and for a restore every secret), closed, then linked into place
//! under its final name, which fails rather than replace an existing file. The keychain entry of
//! a keychain vault is written last, just before the link, and removed again if the link fails.
//! A process killed at any point leaves either nothing at the final name, or a complete vault; a
//! leftover temporary file of a dead process is removed by the next init or restore.

use std::path::Path;

use super::{put_settings, Protection, Settings, Vault};
use crate::audit::{self, Action, Outcome};
use crate::crypto::{self, KdfParams};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::keychain;
use crate::keys::{Aad, Keys};
use crate::model::KeyMode;
use crate::secret::{Key32, Passphrase};
use crate::store::{Header, Store, WrapKind, WrapRow, SCHEMA_VERSION};

/// A key-encryption key and what is stored beside its wrap.
pub(crate) struct NewKek {
    pub mode: KeyMode,
    pub account: Option<String>,
    pub kek: Key32,
    pub kdf: Option<KdfParams>,
}

pub(crate) fn passphrase_kek(p: &Passphrase) -> Result<(Key32, KdfParams)> {
    if p.expose().is_empty() {
        return Err(Error::InvalidInput("the passphrase is empty".into()));
    }
    let params = KdfParams::new_random();
    Ok((params.derive(p)?, params))
}

/// A fresh KEK for `protection` (the keychain entry is NOT written here: see `publish`).
pub(crate) fn new_kek(protection: &Protection<'_>, account: String) -> Result<NewKek> {
    Ok(match protection {
        Protection::Keychain => NewKek {
            mode: KeyMode::Keychain,
            account: Some(account),
            kek: Key32::random(),
            kdf: None,
        },
        Protection::Passphrase(p) => {
            let (kek, kdf) = passphrase_kek(p)?;
            NewKek { mode: KeyMode::Passphrase, account: None, kek, kdf: Some(kdf) }
        }
    })
}

pub(crate) fn wrap_row(
    vault_id: &str,
    kind: WrapKind,
    kek: &Key32,
    data: &Key32,
    kdf: Option<KdfParams>,
) -> WrapRow {
    let aad = Aad::Wrap { vault_id, kind: kind.as_str() }.bytes();
    WrapRow { wrapped: crypto::wrap_key(kek, &aad, data), kdf }
}

impl Vault {
    /// Creates a new vault file and returns it unlocked. Fails, changing nothing, when a file
    /// exists at `path`.
    pub fn create(path: &Path, protection: Protection<'_>) -> Result<Vault> {
        Self::build(path, protection, |_| Ok(())).map(|(v, ())| v)
    }

    /// Builds a vault beside `path`, lets `fill` write into it (unlocked), then publishes it.
    pub(crate) fn build<T>(
        path: &Path,
        protection: Protection<'_>,
        fill: impl FnOnce(&mut Vault) -> Result<T>,
    ) -> Result<(Vault, T)> {
        if path.exists() {
            return Err(Error::VaultExists { path: path.into() });
        }
        let dir = fsutil::parent_dir(path);
        fsutil::ensure_private_dir(dir)?;
        fsutil::remove_stale_temps(path);
        let tmp = fsutil::create_temp_beside(path)?;
        let vault_id = uuid::Uuid::new_v4().to_string();
        let kek = new_kek(&protection, format!("vault-{vault_id}"));
        let built = kek.and_then(|kek| {
            let out = Self::init_at(&tmp, &vault_id, &kek).and_then(|mut v| {
                let t = fill(&mut v)?;
                v.store.close()?;
                Ok(t)
            })?;
            Self::publish(&tmp, path, &kek)?;
            Ok((out, kek))
        });
        match built {
            Ok((out, kek)) => {
                let mut v = Vault::open(path)?;
                let (data, generation) = v.unwrap_at(WrapKind::of_mode(kek.mode), &kek.kek)?;
                let keep = (kek.mode == KeyMode::Passphrase).then_some(kek.kek);
                v.finish_unlock(data, keep, generation)?;
                Ok((v, out))
            }
            Err(e) => {
                fsutil::remove_db_files(&tmp);
                Err(e)
            }
        }
    }

    /// Writes the schema, the header, the wrapped data key, default settings and the first
    /// audit entry into the (temporary) file at `at`. The vault comes back unlocked.
    fn init_at(at: &Path, vault_id: &str, kek: &NewKek) -> Result<Vault> {
        let mut store = Store::create(at, SCHEMA_VERSION)?;
        let data = Key32::random();
        let keys = Keys::new(data, vault_id, None);
        let header = Header {
            vault_id: vault_id.to_string(),
            key_mode: kek.mode,
            keychain_account: kek.account.clone(),
            key_generation: 1,
            format: 3,
        };
        let now = crate::timefmt::now();
        let tx = store.write()?;
        tx.insert_header(&header, now)?;
        tx.establish_state(&keys)?;
        let kind = WrapKind::of_mode(kek.mode);
        tx.put_wrap(
            kind,
            &wrap_row(vault_id, kind, &kek.kek, keys.data_key(), kek.kdf.clone()),
            now,
        )?;
        put_settings(&tx, &keys, &Settings::default())?;
        audit::append(&tx, Some(&keys), Action::Init, None, Outcome::Ok, Some(kek.mode.as_str()))?;
        tx.commit()?;
        Ok(Vault { store, header, keys: Some(std::sync::Arc::new(keys)) })
    }

    /// Links the finished file into place. The keychain entry goes in just before, and out again
    /// if the link fails (someone else created the vault meanwhile, or the disk failed).
    fn publish(tmp: &Path, path: &Path, kek: &NewKek) -> Result<()> {
        if let Some(account) = &kek.account {
            keychain::store(account, &kek.kek)?;
        }
        let linked = fsutil::link_into_place(tmp, path);
        if linked.is_err() {
            if let Some(account) = &kek.account {
                let _ = keychain::delete(account);
            }
        }
        linked
    }
}
