//! A second handle on an open vault, for long work on another thread: the desktop runs remote
//! operations and import commits on one while its vault thread keeps serving the other views.

use super::Vault;
use crate::db;
use crate::error::Result;

impl Vault {
    /// Another connection to the same vault file holding copies of this handle's keys (locked
    /// if this one is). Dropping either zeroizes only its own copies.
    pub fn try_clone(&self) -> Result<Vault> {
        Ok(Vault {
            conn: db::open(&self.path, false)?,
            path: self.path.clone(),
            vault_id: self.vault_id.clone(),
            key_mode: self.key_mode,
            keychain_account: self.keychain_account.clone(),
            key: self.key.as_ref().map(|k| k.duplicate()),
            kek: self.kek.as_ref().map(|k| k.duplicate()),
        })
    }
}
