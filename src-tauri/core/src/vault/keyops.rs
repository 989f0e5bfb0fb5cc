//! Recovery passphrase, re-wrap (new key-encryption key) and re-key (new data key).
//!
//! Crash safety: a new keychain key is stored under a fresh account *before* the database
//! commits the wrap that uses it, and the old account is deleted only after; a crash anywhere
//! leaves a vault that opens with either the old or the new key. Re-key re-seals every version,
//! re-MACs every record and every audit entry inside one SQLite transaction, so it is
//! all-or-nothing; what was already damaged stays detectably damaged (never laundered).

use serde::Serialize;

use super::create::{passphrase_kek, wrap_row};
use super::secrets::check_row;
use super::{put_settings, Protection, Settings, Vault};
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::keychain;
use crate::keys::Keys;
use crate::model::KeyMode;
use crate::secret::{Key32, Passphrase};
use crate::store::{Tx, WrapKind, Write};

/// What a re-key did.
#[derive(Debug, Clone, Serialize)]
pub struct RekeyReport {
    pub versions: u64,
    pub key_generation: i64,
}

impl Vault {
    /// Adds (or replaces) the recovery passphrase: a second wrap of the data key.
    pub fn set_recovery(&mut self, p: &Passphrase) -> Result<()> {
        let (kek, params) = passphrase_kek(p)?;
        let (keys, store) = self.parts()?;
        let w = wrap_row(keys.vault_id(), WrapKind::Recovery, &kek, keys.data_key(), Some(params));
        let tx = store.write()?;
        tx.put_wrap(WrapKind::Recovery, &w, crate::timefmt::now())?;
        let detail = Some("recovery passphrase set");
        audit::append(&tx, Some(keys), Action::KeyChange, None, Outcome::Ok, detail)?;
        tx.commit()
    }

    pub fn remove_recovery(&mut self) -> Result<()> {
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        tx.delete_wrap(WrapKind::Recovery)?;
        let detail = Some("recovery passphrase removed");
        audit::append(&tx, Some(keys), Action::KeyChange, None, Outcome::Ok, detail)?;
        tx.commit()
    }

    /// Protects the data key with a new key-encryption key: a new keychain key, or a new
    /// passphrase. Also switches between keychain and passphrase mode.
    pub fn rewrap(&mut self, to: Protection<'_>) -> Result<()> {
        let old_account = self.header.keychain_account.clone();
        let vault_id = self.header.vault_id.clone();
        let (mode, account, kek, params) = match to {
            Protection::Keychain => {
                let mut suffix = [0u8; 4];
                crate::crypto::fill_random(&mut suffix);
                let account = format!("vault-{vault_id}-{}", hex::encode(suffix));
                let kek = Key32::random();
                keychain::store(&account, &kek)?;
                (KeyMode::Keychain, Some(account), kek, None)
            }
            Protection::Passphrase(p) => {
                let (kek, params) = passphrase_kek(p)?;
                (KeyMode::Passphrase, None, kek, Some(params))
            }
        };
        let committed = (|| -> Result<()> {
            let (keys, store) = self.parts()?;
            let kind = WrapKind::of_mode(mode);
            let w = wrap_row(&vault_id, kind, &kek, keys.data_key(), params);
            let tx = store.write()?;
            tx.put_wrap(kind, &w, crate::timefmt::now())?;
            let other = match mode {
                KeyMode::Keychain => WrapKind::Passphrase,
                KeyMode::Passphrase => WrapKind::Keychain,
            };
            tx.delete_wrap(other)?;
            tx.set_key_mode(mode, account.as_deref())?;
            let detail = format!("rewrap to {}", mode.as_str());
            audit::append(&tx, Some(keys), Action::KeyChange, None, Outcome::Ok, Some(&detail))?;
            tx.commit()
        })();
        if let Err(e) = committed {
            if let Some(a) = &account {
                let _ = keychain::delete(a);
            }
            return Err(e);
        }
        if let Some(old) = old_account.filter(|o| Some(o) != account.as_ref()) {
            // Best effort: a leftover entry is harmless (it no longer opens anything).
            let _ = keychain::delete(&old);
        }
        self.header.key_mode = mode;
        self.header.keychain_account = account;
        let data = self.unwrap_with(WrapKind::of_mode(mode), &kek)?;
        let kek = (mode == KeyMode::Passphrase).then_some(kek);
        self.keys = Some(std::sync::Arc::new(Keys::new(data, &vault_id, kek)));
        Ok(())
    }

    /// Generates a new data key and, in one transaction, re-seals every kept version, re-MACs
    /// every record and audit entry under it. A recovery wrap is re-made too, which
    /// needs the recovery passphrase.
    pub fn rekey(
        &mut self,
        recovery: Option<&Passphrase>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<RekeyReport> {
        let recovery_kek = self.check_recovery_for_rekey(recovery)?;
        let keychain_kek = match self.header.key_mode {
            KeyMode::Keychain => {
                Some(keychain::load(self.header.keychain_account.as_deref().unwrap_or_default())?)
            }
            KeyMode::Passphrase if self.keys()?.kek().is_none() => {
                return Err(Error::PassphraseNeeded)
            }
            KeyMode::Passphrase => None,
        };
        let old = self.keys.take().ok_or(Error::Locked)?;
        let new = Keys::new(Key32::random(), &self.header.vault_id, None);
        let primary = keychain_kek.as_ref().or(old.kek()).expect("checked above");
        match self.rekey_tx(&old, &new, primary, recovery_kek, progress) {
            Ok(report) => {
                // The passphrase KEK moves to the new keys (unless another handle still holds
                // the old ones: then a later re-key asks for the passphrase again).
                let kek = std::sync::Arc::try_unwrap(old).ok().and_then(Keys::into_kek);
                self.keys = Some(std::sync::Arc::new(new.with_kek(kek)));
                self.store.bind_generation(Some(report.key_generation));
                // Frames under the old key must not outlive it in the `-wal` file.
                self.store.checkpoint()?;
                Ok(report)
            }
            Err(e) => {
                self.keys = Some(old);
                Err(e)
            }
        }
    }

    fn rekey_tx(
        &mut self,
        old: &Keys,
        new: &Keys,
        primary: &Key32,
        recovery_kek: Option<(Key32, crate::crypto::KdfParams)>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<RekeyReport> {
        let vault_id = self.header.vault_id.clone();
        let kind = WrapKind::of_mode(self.header.key_mode);
        let tx = self.store.write()?;
        // Everything is re-MAC'd under the new key below, which would make a record put back
        // from an older copy current: the state is checked under the old key first.
        tx.verify_state(old)?;
        tx.reseal_state(new)?;
        let sound = audit::sound_links(&tx, Some(old))?;
        let total = reseal_all(&tx, old, new, progress)?;
        #[cfg(feature = "hashicorp")]
        crate::remote::remac_after_rekey(&tx, old, new)?;
        let now = crate::timefmt::now();
        let params = tx.wrap(kind)?.and_then(|w| w.kdf);
        tx.put_wrap(kind, &wrap_row(&vault_id, kind, primary, new.data_key(), params), now)?;
        if let Some((rkek, rparams)) = recovery_kek {
            let w = wrap_row(&vault_id, WrapKind::Recovery, &rkek, new.data_key(), Some(rparams));
            tx.put_wrap(WrapKind::Recovery, &w, now)?;
        }
        let generation = tx.bump_generation()?;
        audit::remac(&tx, new, &sound)?;
        let detail = format!("rekey: {total} versions, generation {generation}");
        audit::append(&tx, Some(new), Action::KeyChange, None, Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        Ok(RekeyReport { versions: total, key_generation: generation })
    }

    /// With a recovery wrap, the recovery passphrase must open it; returns a new KEK for it.
    fn check_recovery_for_rekey(
        &mut self,
        recovery: Option<&Passphrase>,
    ) -> Result<Option<(Key32, crate::crypto::KdfParams)>> {
        if !self.has_recovery()? {
            return Ok(None);
        }
        let p = recovery.ok_or(Error::RecoveryNeeded)?;
        self.derive_kek(WrapKind::Recovery, p)?;
        Ok(Some(passphrase_kek(p)?))
    }
}

/// Re-seals every version and `.env` layout and re-MACs every record and the settings under `new`. A version or
/// record that does not verify under `old` is left as it is (still an error afterwards).
fn reseal_all(
    tx: &Tx<'_, Write>,
    old: &Keys,
    new: &Keys,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let rows: std::collections::HashMap<i64, crate::store::SecretRow> =
        tx.all_secrets()?.into_iter().map(|r| (r.id, r)).collect();
    let versions = tx.all_versions()?;
    let total = versions.len() as u64;
    for (i, v) in versions.iter().enumerate() {
        let Some(r) = rows.get(&v.secret_id) else { continue };
        if let Ok(value) = old.open_version(r.id, &r.path, v.version, &v.sealed) {
            tx.reseal_version(
                r.id,
                v.version,
                &new.seal_version(r.id, &r.path, v.version, value.expose()),
            )?;
        }
        progress(i as u64 + 1, total);
    }
    for mut r in rows.into_values() {
        if check_row(tx, old, &r).is_ok() {
            tx.update_secret(new, &mut r)?;
        }
    }
    for mut r in tx.remotes()? {
        if old.row_mac_ok(&r.mac_input(), r.mac.as_deref()) {
            tx.update_remote(new, &mut r)?;
        }
    }
    for folder in tx.layout_folders()? {
        let row = tx.layout(&folder)?.expect("listed in the same transaction");
        if let Some(json) = old.open_layout(&folder, &row.sealed) {
            let sealed = new.seal_layout(&folder, &json);
            tx.put_layout(&crate::store::LayoutRow { sealed, ..row })?;
        }
    }
    let s = tx.settings()?;
    if old.row_mac_ok(&s.mac_input(), s.mac.as_deref()) {
        let s = Settings::from(&s);
        put_settings(tx, new, &s)?;
    }
    Ok(total)
}
