//! Exit codes (documented in the README; stable), derived from the engine's one `ErrorKind`, and
//! the CLI's advice for errors (the engine says what happened; what to type next is ours to say).

use hush_core::remote::TokenSource;
use hush_core::{Error, ErrorKind};

pub const OK: i32 = 0;
/// Anything not listed below (I/O, database, keychain platform failure).
pub const FAILURE: i32 = 1;
/// Bad usage or invalid input (clap also exits 2).
pub const USAGE: i32 = 2;
/// No such secret, version, folder, remote or vault.
pub const NOT_FOUND: i32 = 3;
/// Check-and-set conflict, or the target already exists.
pub const CONFLICT: i32 = 4;
/// Locked, wrong passphrase, or key unavailable (keychain entry missing, keychain unreachable).
pub const LOCKED: i32 = 5;
/// Integrity failure: a ciphertext, record, key wrap, the audit chain or a backup was altered.
pub const INTEGRITY: i32 = 6;
/// Remote Vault problem: unreachable, TLS, sealed, mount missing or a server error; or a remote
/// operation that left failed folders.
pub const REMOTE: i32 = 7;
/// The remote refused: authentication failed or the token's policy denies the path (403).
pub const DENIED: i32 = 8;
/// `check` (or `hush run`'s gate) found required variables missing or invalid; `hush test`'s
/// check failed; `hush status --fail-on` matched.
pub const CHECK_FAILED: i32 = 9;
/// `scan` found stored secret values.
pub const FOUND: i32 = 10;
/// Interrupted (Ctrl-C) before the end; what finished stays done, and a rerun resumes.
pub const CANCELLED: i32 = 130;

pub fn code_for(e: &Error) -> i32 {
    match e.kind() {
        ErrorKind::Failure => FAILURE,
        ErrorKind::Invalid => USAGE,
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::Conflict => CONFLICT,
        ErrorKind::Locked => LOCKED,
        ErrorKind::Integrity => INTEGRITY,
        ErrorKind::Remote => REMOTE,
        ErrorKind::Denied => DENIED,
        ErrorKind::Cancelled => CANCELLED,
        ErrorKind::CheckFailed => CHECK_FAILED,
    }
}

/// What to do next, where the CLI knows.
pub fn hint(e: &Error) -> Option<&'static str> {
    match e {
        Error::RemoteAuth { credential: Some(c), .. } => Some(renew(*c)),
        _ => hint_for(e.code()),
    }
}

/// How to renew the credential a server refused: each one is renewed its own way (an AppRole
/// user told to "store a valid token" or run `bao login` would be sent the wrong way).
fn renew(c: TokenSource) -> &'static str {
    match c {
        TokenSource::Keychain => {
            "store a valid token with `hush remote set NAME --new-credential`; `hush remote test NAME` checks it"
        }
        TokenSource::EnvVaultToken => {
            "VAULT_TOKEN holds a token this server refuses: set it to one of this server's, or unset it (or store one with `hush remote set NAME --new-credential`)"
        }
        TokenSource::TokenFile => {
            "~/.vault-token holds a token this server refuses: `bao login` (or `vault login`) again, or store one with `hush remote set NAME --new-credential`"
        }
        TokenSource::AppRole => {
            "store a new secret_id with `hush remote set NAME --new-credential` (and check the role_id with `hush remote ls`); `hush remote test NAME` checks the login"
        }
    }
}

/// The advice for an error code (`Error::code`, also carried by failed doctor checks).
pub fn hint_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "locked" => "run `hush unlock` (or set HUSH_PASSPHRASE) first",
        "rekeyed" => "run the same command again: it reads the new key",
        "no_vault" => "create one with `hush init`, or pick another with --vault FILE / HUSH_VAULT",
        "not_a_vault" => "check --vault / HUSH_VAULT",
        "cas_conflict" => "read it again and retry",
        "integrity" => {
            "restore it from a backup or overwrite it with `hush set`; `hush doctor` lists everything damaged"
        }
        "tampered" => {
            "restore the vault from a backup (`hush restore-backup`) or from a copy you trust; `hush doctor` shows what else is wrong"
        }
        "state_altered" => {
            "restore the vault from a backup (`hush restore-backup`); if you put those parts back yourself and trust them, `hush doctor --accept-state` makes the file as it is current"
        }
        "schema_unsupported" => "use a Hush that reads this vault (upgrade Hush)",
        "env_parse" => "fix the lines, or pass --skip-invalid to leave them out",
        "import_conflict" => {
            "pass --overwrite to replace them, or --skip-existing to keep the vault's values"
        }
        "remote_conflict" => {
            "run `hush plan` and settle it with `hush sync --keep-local/--keep-remote`"
        }
        "remote_denied" => "check the token's policies for that path",
        "remote_auth" => {
            "store a valid token with `hush remote set NAME --new-credential` (or set VAULT_TOKEN, or `bao login`)"
        }
        "remote_unreachable" => {
            "check the address with `hush remote test NAME`; an HA cluster takes all its nodes: `hush remote set NAME --addr A,B,C`"
        }
        "remote_exists" => {
            "change it with `hush remote set NAME --addr …` (its sync history is kept), or pick another name"
        }
        "no_local_copy" => {
            "pull it once the server can be read (`hush pull REMOTE FOLDER`); `hush remote test REMOTE` checks the connection and the token"
        }
        "denied_no_local_copy" => {
            "check the token (`hush remote test REMOTE`) and its policies for that path; once it may read the folder, `hush pull REMOTE FOLDER` keeps a local copy"
        }
        "no_remote" => "see `hush remote ls`, or add one with `hush remote add`",
        "no_such_folder" => {
            "see `hush ls` for the vault's folders, and `hush plan REMOTE --for pull` for the remote's"
        }
        "empty_folder" => "see `hush ls` for the folders that hold secrets",
        "no_project" => "`hush project init` makes one here",
        "empty_environment" => "see `hush project status` for the environment's folders, and `hush ls`",
        "not_mounted" => "see `hush mounts` for what is mounted",
        "recovery_needed" => "set HUSH_RECOVERY_PASSPHRASE, or answer the prompt",
        "passphrase_needed" => "unlock with the vault passphrase, not the recovery one",
        "keychain_entry_missing" => "run `hush recovery restore` with your recovery passphrase",
        "keychain" => {
            "on Linux start a Secret Service (gnome-keyring or KeePassXC) in your session. Without one, a vault can be a passphrase vault (`hush init --passphrase`), and a remote's token can stay out of the keychain: give `hush remote add` no token (empty stdin) and it uses VAULT_TOKEN or ~/.vault-token"
        }
        "no_recovery" => "a recovery passphrase is added with `hush recovery set`",
        "untrusted" => "review it, then trust it with `hush project trust`",
        "no_handler" => {
            "give the new value's source: `--generate hex:64` (or alnum:40, words:6), or a command with `--with CMD`; `hush policy PATH --handler CMD` keeps one"
        }
        "no_check" => "give one with `--with CMD`, or keep one with `hush policy PATH --check CMD`",
        "rotation_failed" => {
            "fix the handler and run `hush rotate` again; `hush audit --action rotate_failed` shows how each attempt ended"
        }
        _ => return None,
    })
}
