//! Exit codes (documented in the README; stable).

use hush_core::Error;

pub const OK: i32 = 0;
/// Anything not listed below (I/O, database, keychain platform failure).
pub const FAILURE: i32 = 1;
/// Bad usage or invalid input (clap also exits 2).
pub const USAGE: i32 = 2;
/// No such secret, version or vault.
pub const NOT_FOUND: i32 = 3;
/// Check-and-set conflict, or the target already exists.
pub const CONFLICT: i32 = 4;
/// Locked, wrong passphrase, or key unavailable (keychain entry missing, keychain unreachable).
pub const LOCKED: i32 = 5;
/// Integrity failure: a ciphertext, key wrap or the audit chain was altered.
pub const INTEGRITY: i32 = 6;

pub fn code_for(e: &Error) -> i32 {
    match e {
        Error::NotFound { .. } | Error::NoVault { .. } => NOT_FOUND,
        Error::CasConflict { .. } | Error::AlreadyExists { .. } | Error::VaultExists { .. } => CONFLICT,
        Error::Locked(_) | Error::WrongPassphrase | Error::KeyUnavailable(_) | Error::Keychain(_) | Error::Agent(_) => LOCKED,
        Error::Integrity { .. } => INTEGRITY,
        Error::InvalidInput(_) | Error::InvalidPath { .. } => USAGE,
        _ => FAILURE,
    }
}
