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
/// Integrity failure: a ciphertext, key wrap, the audit chain or a backup file was altered or damaged.
pub const INTEGRITY: i32 = 6;
/// Remote Vault problem: unreachable, TLS, sealed, mount missing or a server error; or a remote
/// operation that left failed folders.
pub const REMOTE: i32 = 7;
/// The remote refused: authentication failed or the token's policy denies the path (403).
pub const DENIED: i32 = 8;
/// `check` (or `hush run`'s gate) found required variables missing or invalid.
pub const CHECK_FAILED: i32 = 9;
/// `scan` found stored secret values.
pub const FOUND: i32 = 10;
/// Interrupted (Ctrl-C) before the end; what finished stays done, and a rerun resumes.
pub const CANCELLED: i32 = 130;

pub fn code_for(e: &Error) -> i32 {
    match e {
        Error::NotFound { .. } | Error::NoVault { .. } => NOT_FOUND,
        Error::CasConflict { .. } | Error::AlreadyExists { .. } | Error::VaultExists { .. } => {
            CONFLICT
        }
        Error::Locked(_)
        | Error::WrongPassphrase
        | Error::KeyUnavailable(_)
        | Error::Keychain(_)
        | Error::Agent(_) => LOCKED,
        Error::Integrity { .. } => INTEGRITY,
        Error::InvalidInput(_) | Error::InvalidPath { .. } => USAGE,
        Error::RemoteConflict { .. } => CONFLICT,
        Error::RemoteDenied { .. } | Error::RemoteAuth(_) => DENIED,
        Error::RemoteUnreachable(_)
        | Error::RemoteTls(_)
        | Error::RemoteSealed(_)
        | Error::RemoteMount(_)
        | Error::Remote(_) => REMOTE,
        Error::Cancelled(_) => CANCELLED,
        Error::EnvParse { .. } => USAGE,
        Error::ImportConflict { .. } => CONFLICT,
        Error::UnknownRefs { .. } => NOT_FOUND,
        Error::Backup(_) => INTEGRITY,
        Error::NotAVault { .. } => USAGE,
        Error::Untrusted { .. } => LOCKED,
        Error::CheckFailed { .. } => CHECK_FAILED,
        _ => FAILURE,
    }
}
