//! The OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret Service) through
//! `keyring`. It holds one thing per vault: the key-encryption key that wraps the data key.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::Key32;

pub(crate) const SERVICE: &str = "dev.hush.vault";

fn entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, account).map_err(|e| Error::Keychain(describe(&e)))
}

pub(crate) fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::NoDefaultStore | keyring::Error::PlatformFailure(_) => {
            format!("the OS keychain is not reachable ({e})")
        }
        keyring::Error::NoStorageAccess(_) => {
            format!("the OS keychain refused access ({e}); unlock your login keyring and retry")
        }
        other => other.to_string(),
    }
}

pub(crate) fn store(account: &str, kek: &Key32) -> Result<()> {
    entry(account)?.set_secret(kek.as_bytes()).map_err(|e| Error::Keychain(describe(&e)))
}

pub(crate) fn load(account: &str) -> Result<Key32> {
    match entry(account)?.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            Key32::from_bytes(&bytes).ok_or_else(|| Error::Integrity {
                what: "the keychain entry of this vault (wrong length)".into(),
            })
        }
        Err(keyring::Error::NoEntry) => Err(Error::KeychainEntryMissing),
        Err(e) => Err(Error::Keychain(describe(&e))),
    }
}

pub(crate) fn delete(account: &str) -> Result<()> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(Error::Keychain(describe(&e))),
    }
}

/// Whether a keychain service answers at all, with the reason when it does not. Bounded: a
/// locked keyring may sit waiting on an unlock prompt that nobody sees, so after 5 seconds the
/// answer is "not reachable" (the probe thread is left to finish on its own).
pub fn status() -> Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(probe());
    });
    rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap_or_else(|_| {
        Err(Error::Keychain("the OS keychain did not answer within 5 s (is it locked and waiting for a password prompt?)".into()))
    })
}

fn probe() -> Result<()> {
    if let Err(e) = keyring::Entry::store_status() {
        return Err(Error::Keychain(describe(e)));
    }
    // A store can initialise and still be unusable (no daemon behind the bus): probe a lookup.
    match entry("hush-probe")?.get_secret() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(Error::Keychain(describe(&e))),
    }
}
