//! Unlocking: the keychain key, a passphrase (directly or through the agent), or the recovery
//! passphrase. A successful unlock finishes pending work that needs the key: the upgrade of a
//! format-1 vault (one transaction) and emptying trash past its recovery window.

use super::Vault;
use crate::audit::{self, Action, Outcome};
use crate::crypto::{self, KdfParams};
use crate::error::{Error, Result};
use crate::keychain;
use crate::keys::{Aad, Keys};
use crate::model::KeyMode;
use crate::secret::{Key32, Passphrase};
use crate::store::WrapKind;

impl Vault {
    /// Unlocks a keychain-mode vault with the key held in the OS keychain.
    pub fn unlock_keychain(&mut self) -> Result<()> {
        let account = match (self.header.key_mode, &self.header.keychain_account) {
            (KeyMode::Keychain, Some(a)) => a.clone(),
            _ => return Err(Error::WrongKeyMode { expected: KeyMode::Keychain }),
        };
        let kek = keychain::load(&account)?;
        let (data, generation) = self.unwrap_at(WrapKind::Keychain, &kek)?;
        self.finish_unlock(data, None, generation)
    }

    /// Unlocks a passphrase-mode vault. A wrong passphrase is audited and changes nothing.
    pub fn unlock_passphrase(&mut self, p: &Passphrase) -> Result<()> {
        let kek = self.derive_kek(WrapKind::Passphrase, p)?;
        self.unlock_with_kek(kek)
    }

    /// Derives and checks the passphrase KEK without unlocking: what the agent is given.
    pub fn derive_passphrase_kek(&mut self, p: &Passphrase) -> Result<Key32> {
        self.derive_kek(WrapKind::Passphrase, p)
    }

    /// Unlocks a passphrase-mode vault with a KEK obtained from the agent.
    pub fn unlock_with_kek(&mut self, kek: Key32) -> Result<()> {
        let (data, generation) = self.unwrap_at(WrapKind::Passphrase, &kek)?;
        self.finish_unlock(data, Some(kek), generation)
    }

    /// Unlocks with the recovery passphrase (any mode).
    pub fn unlock_recovery(&mut self, p: &Passphrase) -> Result<()> {
        let kek = self.derive_kek(WrapKind::Recovery, p)?;
        let (data, generation) = self.unwrap_at(WrapKind::Recovery, &kek)?;
        self.finish_unlock(data, None, generation)
    }

    /// Holds the keys of generation `generation`, upgrading a format-1 or 2 vault first.
    pub(crate) fn finish_unlock(
        &mut self,
        data: Key32,
        kek: Option<Key32>,
        generation: i64,
    ) -> Result<()> {
        let keys = Keys::new(data, &self.header.vault_id, kek);
        if self.header.format == 1 {
            self.upgrade(&keys)?;
        }
        if self.header.format == 2 {
            self.upgrade_state(&keys)?;
        }
        self.keys = Some(std::sync::Arc::new(keys));
        self.store.bind_generation(Some(generation));
        self.purge_expired_trash()
    }

    /// The KEK a passphrase derives, checked against the wrap. A wrong one is audited (unkeyed:
    /// the vault stays locked) and is `WrongPassphrase`.
    pub(crate) fn derive_kek(&mut self, kind: WrapKind, p: &Passphrase) -> Result<Key32> {
        let wrap = self.store.read()?.wrap(kind)?;
        let params: KdfParams = match wrap {
            Some(w) => w.kdf.ok_or_else(|| Error::Integrity {
                what: format!("the {} key wrap (no key-derivation parameters)", kind.as_str()),
            })?,
            None if kind == WrapKind::Recovery => return Err(Error::NoRecovery),
            // A passphrase vault always holds its passphrase wrap: gone, the file was edited.
            None if self.header.key_mode == KeyMode::Passphrase => {
                return Err(Error::Tampered {
                    what: "its passphrase key wrap is missing (a passphrase vault always has one)"
                        .into(),
                })
            }
            None => return Err(Error::WrongKeyMode { expected: KeyMode::Passphrase }),
        };
        let kek = params.derive(p)?;
        if self.unwrap_with(kind, &kek).is_err() {
            let detail = match kind {
                WrapKind::Recovery => "wrong recovery passphrase",
                _ => "wrong passphrase",
            };
            let tx = self.store.write()?;
            audit::append(&tx, None, Action::Unlock, None, Outcome::Failure, Some(detail))?;
            tx.commit()?;
            return Err(Error::WrongPassphrase);
        }
        Ok(kek)
    }

    /// Opens the data key wrapped for `kind` with `kek`.
    pub(crate) fn unwrap_with(&self, kind: WrapKind, kek: &Key32) -> Result<Key32> {
        self.unwrap_at(kind, kek).map(|(k, _)| k)
    }

    /// The data key and the key generation it belongs to, read from one snapshot.
    pub(crate) fn unwrap_at(&self, kind: WrapKind, kek: &Key32) -> Result<(Key32, i64)> {
        let tx = self.store.read()?;
        let generation = tx.header()?.key_generation;
        let wrap = tx.wrap(kind)?.ok_or(Error::NoWrap { kind: kind.as_str() })?;
        let aad = Aad::Wrap { vault_id: &self.header.vault_id, kind: kind.as_str() }.bytes();
        let key = crypto::unwrap_key(kek, &aad, &wrap.wrapped).ok_or(match kind {
            WrapKind::Keychain => Error::Integrity {
                what: "the keychain key of this vault (it does not open the data key)".into(),
            },
            _ => Error::WrongPassphrase,
        })?;
        Ok((key, generation))
    }
}
