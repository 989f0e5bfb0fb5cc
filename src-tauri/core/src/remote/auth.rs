//! Remote credentials: where a token comes from (keychain, `VAULT_TOKEN`, the vault CLI's token
//! file) and the AppRole secret_id, which is kept only in the OS keychain.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keychain;

/// A Vault token or AppRole secret_id. Zeroized on drop, redacted in `Debug`, never serialised.
pub struct RemoteCredential(Zeroizing<String>);

impl RemoteCredential {
    pub fn new(s: String) -> Self {
        RemoteCredential(Zeroizing::new(s.trim().to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for RemoteCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RemoteCredential([redacted])")
    }
}

fn entry<T>(
    account: &str,
    op: impl Fn(&keyring_core::Entry) -> keyring::Result<T>,
) -> keyring::Result<T> {
    keychain::with_entry(super::KEYCHAIN_SERVICE, account, op)
}

pub(crate) fn store(account: &str, cred: &RemoteCredential) -> Result<()> {
    entry(account, |e| e.set_password(cred.expose()))
        .map_err(|e| Error::Keychain(keychain::describe(&e)))
}

/// The stored credential, or `None` when there is no entry.
pub(crate) fn load(account: &str) -> Result<Option<RemoteCredential>> {
    match entry(account, |e| e.get_password()) {
        Ok(s) => Ok(Some(RemoteCredential::new(s))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(Error::Keychain(keychain::describe(&e))),
    }
}

pub(crate) fn delete(account: &str) -> Result<()> {
    match entry(account, |e| e.delete_credential()) {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(Error::Keychain(keychain::describe(&e))),
    }
}

/// Where the token in use came from (shown by `remote test`, never the token itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Keychain,
    EnvVaultToken,
    TokenFile,
    AppRole,
}

impl TokenSource {
    pub fn describe(self) -> &'static str {
        match self {
            TokenSource::Keychain => "token from the OS keychain",
            TokenSource::EnvVaultToken => "token from VAULT_TOKEN",
            TokenSource::TokenFile => "token from ~/.vault-token",
            TokenSource::AppRole => "AppRole login",
        }
    }
}

/// A token for token auth: the one stored for this remote, else `VAULT_TOKEN`, else the vault
/// CLI's token file (`~/.vault-token`, as `vault login` / `bao login` write it). A token stored
/// for this remote wins over the environment so that a `VAULT_TOKEN` exported for another server
/// is not sent to this one by surprise.
pub(crate) fn resolve_token(
    keychain_account: Option<&str>,
) -> Result<(RemoteCredential, TokenSource)> {
    if let Some(account) = keychain_account {
        if let Some(t) = load(account)? {
            if !t.is_empty() {
                return Ok((t, TokenSource::Keychain));
            }
        }
    }
    if let Ok(t) = std::env::var("VAULT_TOKEN") {
        let t = RemoteCredential::new(t);
        if !t.is_empty() {
            return Ok((t, TokenSource::EnvVaultToken));
        }
    }
    if let Some(home) = dirs::home_dir() {
        let file = home.join(".vault-token");
        if let Ok(s) = std::fs::read_to_string(&file) {
            let t = RemoteCredential::new(s);
            if !t.is_empty() {
                return Ok((t, TokenSource::TokenFile));
            }
        }
    }
    Err(Error::RemoteAuth {
        credential: None,
        detail: "no token: store one with `hush remote set NAME --new-credential` (read from stdin or a prompt), set VAULT_TOKEN, or run `vault login`/`bao login` (~/.vault-token)".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let c = RemoteCredential::new("hvs.canary-123".into());
        assert!(!format!("{c:?}").contains("canary"));
        assert_eq!(c.expose(), "hvs.canary-123");
    }
}
