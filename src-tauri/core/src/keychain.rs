//! The OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret Service) through
//! `keyring`. It holds one thing per vault: the key-encryption key that wraps the data key.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::Key32;

pub(crate) const SERVICE: &str = "dev.hush.vault";

/// Runs `op` on the entry `service`/`account`. On Linux, when the Secret Service fails below the
/// API (a D-Bus error, or no store because the daemon was not there when this process first
/// looked), the store is made afresh and `op` runs once more. The store holds one session with
/// the daemon for the life of the process; gnome-keyring-daemon aborts on a known race between
/// sessions and the bus starts a new one, which has never heard of that session ("NoSession").
/// Without this a long-running process (the desktop app) would fail every keychain call until
/// restarted. Every `op` here is idempotent: a read, a delete, or a write of the same bytes.
pub(crate) fn with_entry<T>(
    service: &str,
    account: &str,
    op: impl Fn(&keyring_core::Entry) -> keyring::Result<T>,
) -> keyring::Result<T> {
    let once = || keyring_core::Entry::new(service, account).and_then(|e| op(&e));
    // keyring sets the platform's store as the default the first time it is asked, once.
    let _ = keyring::Entry::store_status();
    match once() {
        // When even a new connection fails, its error says why (no bus, no daemon).
        Err(e) if lost_connection(&e) => reconnect().and_then(|()| once()),
        other => other,
    }
}

#[cfg(target_os = "linux")]
fn lost_connection(e: &keyring::Error) -> bool {
    // NoStorageAccess (locked, prompt dismissed) is the user's answer, not a lost connection.
    matches!(e, keyring::Error::PlatformFailure(_) | keyring::Error::NoDefaultStore)
}

#[cfg(not(target_os = "linux"))]
fn lost_connection(_: &keyring::Error) -> bool {
    false
}

/// A new Secret Service store (a new D-Bus connection and session) as the default.
#[cfg(target_os = "linux")]
fn reconnect() -> keyring::Result<()> {
    keyring_core::set_default_store(zbus_secret_service_keyring_store::Store::new()?);
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn reconnect() -> keyring::Result<()> {
    Ok(())
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

fn vault_entry<T>(
    account: &str,
    op: impl Fn(&keyring_core::Entry) -> keyring::Result<T>,
) -> keyring::Result<T> {
    with_entry(SERVICE, account, op)
}

pub(crate) fn store(account: &str, kek: &Key32) -> Result<()> {
    vault_entry(account, |e| e.set_secret(kek.as_bytes()))
        .map_err(|e| Error::Keychain(describe(&e)))
}

pub(crate) fn load(account: &str) -> Result<Key32> {
    match vault_entry(account, |e| e.get_secret().map(Zeroizing::new)) {
        Ok(bytes) => Key32::from_bytes(&bytes).ok_or_else(|| Error::Integrity {
            what: "the keychain entry of this vault (wrong length)".into(),
        }),
        Err(keyring::Error::NoEntry) => Err(Error::KeychainEntryMissing),
        Err(e) => Err(Error::Keychain(describe(&e))),
    }
}

pub(crate) fn delete(account: &str) -> Result<()> {
    match vault_entry(account, |e| e.delete_credential()) {
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
    // A store can initialise and still be unusable (no daemon behind the bus): probe a lookup.
    match vault_entry("hush-probe", |e| e.get_secret().map(Zeroizing::new)) {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(Error::Keychain(describe(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::lost_connection;

    #[test]
    fn only_a_lost_connection_is_retried() {
        // A D-Bus failure may be a daemon that died: retried on Linux, where that happens.
        let gone = keyring::Error::PlatformFailure("NoReply".into());
        assert_eq!(lost_connection(&gone), cfg!(target_os = "linux"));
        assert_eq!(lost_connection(&keyring::Error::NoDefaultStore), cfg!(target_os = "linux"));
        // A locked keyring or a dismissed prompt is the user's answer; no entry is an answer too.
        assert!(!lost_connection(&keyring::Error::NoStorageAccess("dismissed".into())));
        assert!(!lost_connection(&keyring::Error::NoEntry));
    }
}
