//! The app lock of a keychain vault: a PIN or passphrase the app asks for before it unlocks.
//!
//! Without it, a keychain vault's lock screen opens with one click: the OS keychain hands the key
//! to any program of the logged-in user, so the lock only hides values. With it, unlocking needs
//! the PIN or passphrase, checked against an Argon2id hash (PHC string) kept beside the vault
//! file (`<vault>.applock`, mode 0600), with a growing wait after repeated wrong attempts that
//! survives a restart of the app. It guards the app's window (someone at an unlocked session), not
//! the data at rest: the keychain entry, the CLI and the vault file are unchanged by it.

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hush_core::ErrorKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};

/// Which secret the app lock asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AppLockKind {
    /// 6 to 12 digits.
    Pin,
    /// 8 characters or more.
    Passphrase,
}

#[derive(Serialize, Deserialize)]
struct LockFile {
    kind: AppLockKind,
    phc: String,
    failures: u32,
    /// Unix seconds before which no attempt is checked.
    retry_after: i64,
}

/// Wrong attempts allowed before waiting; then 5 s, doubling up to 5 minutes.
const FREE_ATTEMPTS: u32 = 3;
const MAX_WAIT_SECS: i64 = 300;

fn wait_after(failures: u32) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    (5i64 << (failures - FREE_ATTEMPTS).min(8)).min(MAX_WAIT_SECS)
}

fn file_of(vault: &Path) -> PathBuf {
    let mut name = vault.file_name().unwrap_or_default().to_os_string();
    name.push(".applock");
    vault.with_file_name(name)
}

fn argon2() -> Argon2<'static> {
    // 64 MiB, 3 passes: a PIN file copied off the machine is slow to brute-force.
    let params = Params::new(64 * 1024, 3, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn read(vault: &Path) -> IpcResult<Option<LockFile>> {
    match std::fs::read(file_of(vault)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|_| {
            IpcError::new(
                ErrorKind::Integrity,
                "integrity",
                "the app lock file is damaged; remove it to turn the lock off",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => {
            Err(IpcError::new(ErrorKind::Failure, "io", format!("cannot read the app lock: {e}")))
        }
    }
}

fn write(vault: &Path, f: &LockFile) -> IpcResult<()> {
    let bytes = serde_json::to_vec(f).expect("serialisable");
    Ok(hush_core::write_private_atomic(&file_of(vault), &bytes)?)
}

/// The kind of app lock on `vault`, if any.
pub fn kind(vault: &Path) -> Option<AppLockKind> {
    read(vault).ok().flatten().map(|f| f.kind)
}

/// Why `secret` is not acceptable as a `kind` app lock, if it is not.
pub fn weakness(kind: AppLockKind, secret: &str) -> Option<&'static str> {
    match kind {
        AppLockKind::Pin if !(6..=12).contains(&secret.len()) => Some("a PIN has 6 to 12 digits"),
        AppLockKind::Pin if !secret.bytes().all(|b| b.is_ascii_digit()) => {
            Some("a PIN has digits only")
        }
        AppLockKind::Passphrase if secret.chars().count() < 8 => Some("use at least 8 characters"),
        _ => None,
    }
}

/// Turns the app lock on (or changes it).
pub fn set(vault: &Path, kind: AppLockKind, secret: &str) -> IpcResult<()> {
    if let Some(why) = weakness(kind, secret) {
        return Err(IpcError::invalid(why));
    }
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("OS random numbers");
    let salt = SaltString::encode_b64(&salt).expect("a 16-byte salt encodes");
    let phc = argon2()
        .hash_password(secret.as_bytes(), &salt)
        .map_err(|e| IpcError::internal(format!("cannot hash the app lock: {e}")))?
        .to_string();
    write(vault, &LockFile { kind, phc, failures: 0, retry_after: 0 })
}

/// Turns the app lock off.
pub fn clear(vault: &Path) -> IpcResult<()> {
    match std::fs::remove_file(file_of(vault)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(IpcError::new(ErrorKind::Failure, "io", format!("cannot remove the app lock: {e}")))
        }
        _ => Ok(()),
    }
}

/// Checks an unlock attempt against the app lock (none set: always passes). Wrong attempts are
/// counted in the file; past the free ones, attempts are refused until the wait is over.
pub fn check(vault: &Path, secret: Option<&str>, now: i64) -> IpcResult<()> {
    let Some(mut f) = read(vault)? else { return Ok(()) };
    let what = match f.kind {
        AppLockKind::Pin => "PIN",
        AppLockKind::Passphrase => "app passphrase",
    };
    if now < f.retry_after {
        return Err(IpcError::new(
            ErrorKind::Locked,
            "rate_limited",
            format!("too many wrong attempts: try again in {} s", f.retry_after - now),
        ));
    }
    let Some(secret) = secret.filter(|s| !s.is_empty()) else {
        return Err(IpcError::new(ErrorKind::Locked, "locked", format!("enter the {what}")));
    };
    let hash = PasswordHash::new(&f.phc).map_err(|_| {
        IpcError::new(ErrorKind::Integrity, "integrity", "the app lock file is damaged")
    })?;
    if argon2().verify_password(secret.as_bytes(), &hash).is_ok() {
        if f.failures > 0 {
            f.failures = 0;
            f.retry_after = 0;
            write(vault, &f)?;
        }
        return Ok(());
    }
    f.failures += 1;
    f.retry_after = now + wait_after(f.failures);
    write(vault, &f)?;
    let wait = wait_after(f.failures);
    Err(IpcError::new(
        ErrorKind::Locked,
        "wrong_passphrase",
        if wait > 0 {
            format!("wrong {what}: try again in {wait} s")
        } else {
            format!("wrong {what}")
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_after_the_free_attempts_and_stop_at_five_minutes() {
        let w: Vec<i64> = (0..12).map(wait_after).collect();
        assert_eq!(w, [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn pin_rules() {
        assert!(weakness(AppLockKind::Pin, "12345").is_some());
        assert!(weakness(AppLockKind::Pin, "12345a").is_some());
        assert!(weakness(AppLockKind::Pin, "123456").is_none());
        assert!(weakness(AppLockKind::Passphrase, "short").is_some());
    }

    #[test]
    fn wrong_attempts_are_counted_and_waited_for_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        check(&vault, None, 0).unwrap();
        set(&vault, AppLockKind::Pin, "246810").unwrap();
        assert_eq!(kind(&vault), Some(AppLockKind::Pin));
        assert_eq!(check(&vault, None, 100).unwrap_err().reason, "locked");
        for _ in 0..2 {
            assert_eq!(check(&vault, Some("000000"), 100).unwrap_err().reason, "wrong_passphrase");
        }
        let third = check(&vault, Some("000000"), 100).unwrap_err();
        assert!(third.message.contains("try again in 5 s"), "{}", third.message);
        // The right PIN during the wait is not even checked; the count lives in the file, so a
        // restarted app waits too.
        assert_eq!(check(&vault, Some("246810"), 104).unwrap_err().reason, "rate_limited");
        check(&vault, Some("246810"), 105).unwrap();
        // A success starts the count again.
        for _ in 0..3 {
            let _ = check(&vault, Some("1"), 200);
        }
        assert_eq!(check(&vault, Some("246810"), 200).unwrap_err().reason, "rate_limited");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file_of(&vault)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(!std::fs::read_to_string(file_of(&vault)).unwrap().contains("246810"));
        clear(&vault).unwrap();
        check(&vault, None, 300).unwrap();
    }
}
