//! Recovery passphrase, re-wrap (new key-encryption key) and re-key (new data key).
//!
//! Crash safety: a new keychain key is stored under a fresh account *before* the database
//! commits the wrap that uses it, and the old account is deleted only after; a crash anywhere
//! leaves a vault that opens with either the old or the new key. Re-key re-encrypts every
//! version inside one SQLite transaction, so it is all-or-nothing.

use rusqlite::params;
use serde::Serialize;

use super::secrets::version_aad;
use super::{put_wrap, KeyMode, Protection, Vault};
use crate::audit::{self, Action};
use crate::crypto::{self, KdfParams};
use crate::error::{Error, Result};
use crate::keychain;
use crate::secret::{Key32, Passphrase};

/// What a re-key did.
#[derive(Debug, Clone, Serialize)]
pub struct RekeyReport {
    pub versions: u64,
    pub key_generation: i64,
}

impl Vault {
    /// Adds (or replaces) the recovery passphrase: a second wrap of the data key.
    pub fn set_recovery(&mut self, p: &Passphrase) -> Result<()> {
        let key = self.data_key()?.duplicate();
        let (kek, params) = Self::passphrase_kek(p, None)?;
        let vault_id = self.vault_id.clone();
        let tx = self.tx()?;
        put_wrap(&tx, &vault_id, "recovery", &kek, &key, Some(&params))?;
        audit::append(&tx, Action::KeyChange, None, "ok", Some("recovery passphrase set"))?;
        tx.commit()?;
        Ok(())
    }

    pub fn remove_recovery(&mut self) -> Result<()> {
        self.data_key()?;
        let tx = self.tx()?;
        tx.execute("DELETE FROM key_wraps WHERE kind = 'recovery'", [])?;
        audit::append(&tx, Action::KeyChange, None, "ok", Some("recovery passphrase removed"))?;
        tx.commit()?;
        Ok(())
    }

    /// Protects the data key with a new key-encryption key: a new keychain key, or a new
    /// passphrase. Also switches between keychain and passphrase mode.
    pub fn rewrap(&mut self, to: Protection<'_>) -> Result<()> {
        let key = self.data_key()?.duplicate();
        let vault_id = self.vault_id.clone();
        let old_account = self.keychain_account.clone();
        let (mode, account, kek, params) = match to {
            Protection::Keychain => {
                let mut suffix = [0u8; 4];
                crypto::fill_random(&mut suffix);
                let account = format!("vault-{vault_id}-{}", hex::encode(suffix));
                let kek = Key32::random();
                keychain::store(&account, &kek)?;
                (KeyMode::Keychain, Some(account), kek, None)
            }
            Protection::Passphrase(p) => {
                let (kek, params) = Self::passphrase_kek(p, None)?;
                (KeyMode::Passphrase, None, kek, Some(params))
            }
        };
        let committed = (|| -> Result<()> {
            let tx = self.tx()?;
            put_wrap(&tx, &vault_id, mode.as_str(), &kek, &key, params.as_ref())?;
            let other = if mode == KeyMode::Keychain { "passphrase" } else { "keychain" };
            tx.execute("DELETE FROM key_wraps WHERE kind = ?1", [other])?;
            tx.execute(
                "UPDATE vault SET key_mode = ?1, keychain_account = ?2 WHERE id = 1",
                params![mode.as_str(), account],
            )?;
            audit::append(
                &tx,
                Action::KeyChange,
                None,
                "ok",
                Some(&format!("rewrap to {}", mode.as_str())),
            )?;
            tx.commit()?;
            Ok(())
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
        self.key_mode = mode;
        self.keychain_account = account;
        self.kek = (mode == KeyMode::Passphrase).then_some(kek);
        Ok(())
    }

    /// Generates a new data key and re-encrypts every kept version with it, in one transaction.
    /// A recovery wrap is re-made too, which needs the recovery passphrase.
    pub fn rekey(
        &mut self,
        recovery: Option<&Passphrase>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<RekeyReport> {
        let old = self.data_key()?.duplicate();
        let recovery_params: Option<KdfParams> = if self.has_recovery()? {
            let p = recovery.ok_or_else(|| Error::KeyUnavailable(
                "this vault has a recovery passphrase; re-key needs it to protect the new key (HUSH_RECOVERY_PASSPHRASE or the prompt)".into(),
            ))?;
            let saved = self.key.take();
            let check = self.unlock_recovery(p);
            self.key = saved;
            check?;
            Some(KdfParams::new_random())
        } else {
            None
        };
        let primary_kek = match self.key_mode {
            KeyMode::Keychain => {
                keychain::load(self.keychain_account.as_deref().unwrap_or_default())?
            }
            KeyMode::Passphrase => self.kek.as_ref().map(Key32::duplicate).ok_or_else(|| {
                Error::KeyUnavailable(
                    "re-key needs the vault passphrase: unlock with it (not with recovery) first"
                        .into(),
                )
            })?,
        };
        let new = Key32::random();
        let vault_id = self.vault_id.clone();
        let mode = self.key_mode;
        let tx = self.tx()?;
        let rows: Vec<(i64, u64, Vec<u8>, String)> = {
            let mut st = tx.prepare("SELECT v.secret_id, v.version, v.ciphertext, s.path FROM versions v JOIN secrets s ON s.id = v.secret_id")?;
            let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            r.collect::<rusqlite::Result<_>>()?
        };
        let total = rows.len() as u64;
        for (i, (id, version, ct, path)) in rows.into_iter().enumerate() {
            let aad = version_aad(&vault_id, id, version);
            let pt = crypto::open(&old, &aad, &ct).ok_or_else(|| Error::Integrity {
                what: format!("'{path}' version {version} (re-key stopped; nothing changed)"),
            })?;
            tx.execute(
                "UPDATE versions SET ciphertext = ?3 WHERE secret_id = ?1 AND version = ?2",
                params![id, version, crypto::seal(&new, &aad, &pt)],
            )?;
            progress(i as u64 + 1, total);
        }
        #[cfg(feature = "hashicorp")]
        crate::remote::remac_after_rekey(&tx, &old, &new, &vault_id)?;
        let params = match mode {
            KeyMode::Passphrase => {
                let s: Option<String> =
                    tx.query_row("SELECT kdf FROM key_wraps WHERE kind = 'passphrase'", [], |r| {
                        r.get(0)
                    })?;
                s.and_then(|s| serde_json::from_str::<KdfParams>(&s).ok())
            }
            KeyMode::Keychain => None,
        };
        put_wrap(&tx, &vault_id, mode.as_str(), &primary_kek, &new, params.as_ref())?;
        if let (Some(rp), Some(p)) = (recovery_params, recovery) {
            put_wrap(&tx, &vault_id, "recovery", &rp.derive(p)?, &new, Some(&rp))?;
        }
        tx.execute("UPDATE vault SET key_generation = key_generation + 1 WHERE id = 1", [])?;
        let generation: i64 =
            tx.query_row("SELECT key_generation FROM vault WHERE id = 1", [], |r| r.get(0))?;
        audit::append(
            &tx,
            Action::KeyChange,
            None,
            "ok",
            Some(&format!("rekey: {total} versions, generation {generation}")),
        )?;
        tx.commit()?;
        self.key = Some(new);
        Ok(RekeyReport { versions: total, key_generation: generation })
    }
}
