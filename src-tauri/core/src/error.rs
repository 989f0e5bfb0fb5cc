//! Errors of the engine. Every message says what happened, and none carries a secret value:
//! variants hold paths, versions and reasons only. Advice (which flag to pass, which button to
//! click) is the face's job: the CLI and the app each add their own.
//!
//! Each error has one [`ErrorKind`]: the CLI's exit codes and the desktop's IPC error codes both
//! derive from it, so the two faces can never classify the same error differently.

use std::path::PathBuf;

use serde::Serialize;

use crate::model::KeyMode;

/// The class of an error: what a script or a UI does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorKind {
    /// I/O, database, or anything not listed below.
    Failure,
    /// Bad usage or invalid input (a path, a kind, a value, a file that does not parse).
    Invalid,
    /// No such secret, version, folder, remote or vault.
    NotFound,
    /// Check-and-set conflict, or the target already exists.
    Conflict,
    /// Locked, wrong passphrase, key unavailable, keychain unreachable.
    Locked,
    /// Altered or damaged data: a ciphertext, a record, a key wrap, the audit chain, a backup.
    Integrity,
    /// A remote server problem: unreachable, TLS, sealed, mount missing, server error.
    Remote,
    /// The remote refused: authentication failed, or a policy denied the path.
    Denied,
    /// Interrupted before the end.
    Cancelled,
    /// A project's environment lacks required variables, or holds invalid ones.
    CheckFailed,
}

/// The engine's error. `kind()` classifies it; `code()` is a finer stable name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("no secret at '{path}'")]
    NotFound { path: String },
    #[error("'{path}' is not kept (version {version})")]
    VersionNotKept { path: String, version: u64 },
    #[error("no secrets in the folder '{folder}'")]
    EmptyFolder { folder: String },
    #[error("'{path}' is not in the trash")]
    NotInTrash { path: String },
    #[error("no remote named '{name}'")]
    NoRemote { name: String },
    #[error("no {file} in {dir} or above")]
    NoProject { file: &'static str, dir: PathBuf },
    #[error("no secrets in the environment's folders ({folders})")]
    EmptyEnvironment { folders: String },
    #[error("nothing is mounted at {}", path.display())]
    NotMounted { path: PathBuf },
    /// A remote-first read got nothing for `folder` and the vault holds none of it; `denied`:
    /// the remote refused (the token, a policy), so it is a denial, and pulling is no advice.
    #[error(
        "{reason}, and '{folder}' has no local copy to use instead{}",
        if *denied { String::new() } else { format!(" (pull it from '{remote}' first)") }
    )]
    NoLocalCopy { remote: String, folder: String, reason: String, denied: bool },
    #[error("no secret at '{path}' on the remote '{remote}' ({at})")]
    NotOnRemote { path: String, remote: String, at: String },
    /// A folder named to a remote operation that matches nothing it looked at (`place` says
    /// where it looked: a push sends local folders only).
    #[error("no folder '{folder}' {place}")]
    NoSuchFolder { folder: String, place: String },
    #[error("'{path}' already exists")]
    AlreadyExists { path: String },
    #[error("a remote named '{name}' already exists")]
    RemoteExists { name: String },
    #[error("check-and-set failed for '{path}': expected version {expected}, current is {actual}")]
    CasConflict { path: String, expected: u64, actual: u64 },
    #[error("invalid path '{path}': {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("{what} is {size} bytes; the limit is {limit} bytes")]
    TooLarge { what: String, size: usize, limit: usize },
    #[error("the vault is locked")]
    Locked,
    #[error("the vault was re-keyed by another process while this one held the old key: nothing was written; unlock again (a command: run it again)")]
    Rekeyed,
    #[error("wrong passphrase (nothing was changed)")]
    WrongPassphrase,
    #[error("this vault is not protected by {}", match expected { KeyMode::Keychain => "the OS keychain", KeyMode::Passphrase => "a passphrase" })]
    WrongKeyMode { expected: KeyMode },
    #[error("this vault has no recovery passphrase")]
    NoRecovery,
    #[error("this vault has no {kind} key")]
    NoWrap { kind: &'static str },
    #[error("this vault has a recovery passphrase: re-keying needs it to protect the new key")]
    RecoveryNeeded,
    #[error("re-keying needs the vault passphrase (the vault was not unlocked with it)")]
    PassphraseNeeded,
    #[error("key unavailable: {0}")]
    KeyUnavailable(String),
    #[error("keychain error: {0}")]
    Keychain(String),
    #[error("this vault's keychain entry is missing (a new machine, or a reset keychain)")]
    KeychainEntryMissing,
    #[error("integrity check failed for {what}: the data was altered or belongs elsewhere; other secrets are unaffected")]
    Integrity { what: String },
    /// The file as a whole was edited outside Hush (its header, its audit log): unlike a damaged
    /// record, nothing else in it can be taken as sound.
    #[error("the vault file was altered outside Hush: {what}")]
    Tampered { what: String },
    /// Rows that each carry a valid MAC no longer make up the state Hush last sealed (`store::state`):
    /// parts of an older copy of the file put back, or records removed or added.
    #[error("the vault no longer matches the state Hush last wrote: {what}")]
    StateAltered { what: String },
    #[error("no vault at {}", path.display())]
    NoVault { path: PathBuf },
    #[error("a vault already exists at {}", path.display())]
    VaultExists { path: PathBuf },
    #[error("this vault's schema version {found} is not one this Hush reads (1 to {supported})")]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("agent: {0}")]
    Agent(String),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    // Remote Vault / OpenBao errors. Messages carry addresses, paths, versions and the server's own
    // error text, never a value or a token.
    #[error("cannot reach the Vault server: {0}")]
    RemoteUnreachable(String),
    #[error("TLS failure talking to the Vault server: {0}")]
    RemoteTls(String),
    #[error("the Vault server denied access to '{path}' ({detail})")]
    RemoteDenied { path: String, detail: String },
    #[error("the Vault server is sealed: {0}")]
    RemoteSealed(String),
    /// `credential`: the one that was refused (`None`: none was found), so the advice can
    /// name what to renew.
    #[error("Vault authentication failed: {detail}")]
    RemoteAuth { credential: Option<crate::remote::TokenSource>, detail: String },
    #[error("{0}")]
    RemoteMount(String),
    #[error("the remote secret '{path}' changed since Hush last read it (expected version {expected}, now {actual})")]
    RemoteConflict { path: String, expected: u64, actual: u64 },
    #[error("Vault server error: {0}")]
    Remote(String),
    #[error("cancelled: {0}")]
    Cancelled(String),
    // .env import/export, templates and backups. Messages name files, lines and keys, never values.
    #[error("{file}: {}; nothing was imported", list_lines(errors))]
    EnvParse { file: String, errors: Vec<crate::envfile::EnvLineError> },
    #[error("{} secret(s) in '{folder}' already exist with a different value ({}); nothing was imported", names.len(), names.join(", "))]
    ImportConflict { folder: String, names: Vec<String> },
    #[error("unknown secret reference(s): {}; nothing was written", refs.join(", "))]
    UnknownRefs { refs: Vec<String> },
    #[error("the backup {0}; nothing was restored")]
    Backup(String),
    #[error("{} is not a Hush vault ({reason}); nothing was changed", path.display())]
    NotAVault { path: PathBuf, reason: String },
    // Projects (hush.toml). Messages name files and variables, never values.
    #[error("{} {}", path.display(), if *changed { "changed since you trusted it" } else { "is not trusted" })]
    Untrusted { path: PathBuf, changed: bool },
    #[error("required variable(s) missing or invalid: {}", names.join(", "))]
    CheckFailed { names: Vec<String> },
    // Lifecycle. Messages say how a command ended, never what it printed.
    #[error("rotating '{path}' failed: {reason}; nothing was changed")]
    RotationFailed { path: String, reason: String },
    #[error("'{path}' has no rotation handler; nothing was changed")]
    NoHandler { path: String },
    #[error("'{path}' has no check command")]
    NoCheck { path: String },
}

/// SQLite says the file is damaged (a bad page, an index that disagrees, not a database).
fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
}

fn list_lines(errors: &[crate::envfile::EnvLineError]) -> String {
    let mut parts: Vec<String> =
        errors.iter().take(20).map(|e| format!("line {}: {}", e.line, e.reason)).collect();
    if errors.len() > 20 {
        parts.push(format!("and {} more", errors.len() - 20));
    }
    parts.join("; ")
}

impl Error {
    /// The class of this error, from which every face derives its own code.
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            Error::NotFound { .. }
            | Error::VersionNotKept { .. }
            | Error::EmptyFolder { .. }
            | Error::NotInTrash { .. }
            | Error::NoRemote { .. }
            | Error::NoProject { .. }
            | Error::EmptyEnvironment { .. }
            | Error::NotMounted { .. }
            | Error::NotOnRemote { .. }
            | Error::NoSuchFolder { .. }
            | Error::NoVault { .. }
            | Error::UnknownRefs { .. } => K::NotFound,
            Error::AlreadyExists { .. }
            | Error::RemoteExists { .. }
            | Error::CasConflict { .. }
            | Error::VaultExists { .. }
            | Error::RemoteConflict { .. }
            | Error::ImportConflict { .. } => K::Conflict,
            Error::InvalidPath { .. }
            | Error::InvalidInput(_)
            | Error::TooLarge { .. }
            | Error::EnvParse { .. }
            | Error::NotAVault { .. }
            | Error::NoHandler { .. }
            | Error::NoCheck { .. }
            | Error::WrongKeyMode { .. } => K::Invalid,
            Error::Locked
            | Error::Rekeyed
            | Error::WrongPassphrase
            | Error::NoRecovery
            | Error::NoWrap { .. }
            | Error::RecoveryNeeded
            | Error::PassphraseNeeded
            | Error::KeyUnavailable(_)
            | Error::Keychain(_)
            | Error::KeychainEntryMissing
            | Error::Agent(_) => K::Locked,
            Error::Integrity { .. }
            | Error::Tampered { .. }
            | Error::StateAltered { .. }
            | Error::Backup(_) => K::Integrity,
            Error::NoLocalCopy { denied: true, .. } => K::Denied,
            Error::RemoteUnreachable(_)
            | Error::NoLocalCopy { .. }
            | Error::RemoteTls(_)
            | Error::RemoteSealed(_)
            | Error::RemoteMount(_)
            | Error::Remote(_) => K::Remote,
            Error::RemoteDenied { .. } | Error::RemoteAuth { .. } => K::Denied,
            Error::Cancelled(_) => K::Cancelled,
            // A project file is used only once trusted: like a key the user has not given yet.
            Error::Untrusted { .. } => K::Locked,
            Error::CheckFailed { .. } => K::CheckFailed,
            Error::RotationFailed { .. } => K::Failure,
            Error::Db(e) if is_corrupt(e) => K::Integrity,
            Error::SchemaTooNew { .. } | Error::Io { .. } | Error::Db(_) => K::Failure,
        }
    }

    /// A finer stable name (for scripts reading `--json` errors and for logs).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::VersionNotKept { .. } => "version_not_kept",
            Error::EmptyFolder { .. } => "empty_folder",
            Error::NotInTrash { .. } => "not_in_trash",
            Error::NoRemote { .. } => "no_remote",
            Error::NoProject { .. } => "no_project",
            Error::EmptyEnvironment { .. } => "empty_environment",
            Error::NotMounted { .. } => "not_mounted",
            Error::NotOnRemote { .. } => "not_on_remote",
            Error::NoSuchFolder { .. } => "no_such_folder",
            Error::NoLocalCopy { denied: true, .. } => "denied_no_local_copy",
            Error::NoLocalCopy { .. } => "no_local_copy",
            Error::RemoteExists { .. } => "remote_exists",
            Error::AlreadyExists { .. } => "already_exists",
            Error::CasConflict { .. } => "cas_conflict",
            Error::InvalidPath { .. } => "invalid_path",
            Error::InvalidInput(_) => "invalid_input",
            Error::TooLarge { .. } => "too_large",
            Error::Locked => "locked",
            Error::Rekeyed => "rekeyed",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::WrongKeyMode { .. } => "wrong_key_mode",
            Error::NoRecovery => "no_recovery",
            Error::NoWrap { .. } => "no_wrap",
            Error::RecoveryNeeded => "recovery_needed",
            Error::PassphraseNeeded => "passphrase_needed",
            Error::KeyUnavailable(_) => "key_unavailable",
            Error::Keychain(_) => "keychain",
            Error::KeychainEntryMissing => "keychain_entry_missing",
            Error::Integrity { .. } => "integrity",
            Error::Tampered { .. } => "tampered",
            Error::StateAltered { .. } => "state_altered",
            Error::NoVault { .. } => "no_vault",
            Error::VaultExists { .. } => "vault_exists",
            Error::SchemaTooNew { .. } => "schema_unsupported",
            Error::Agent(_) => "agent",
            Error::Io { .. } => "io",
            Error::Db(_) => "database",
            Error::RemoteUnreachable(_) => "remote_unreachable",
            Error::RemoteTls(_) => "remote_tls",
            Error::RemoteDenied { .. } => "remote_denied",
            Error::RemoteSealed(_) => "remote_sealed",
            Error::RemoteAuth { .. } => "remote_auth",
            Error::RemoteMount(_) => "remote_mount",
            Error::RemoteConflict { .. } => "remote_conflict",
            Error::Remote(_) => "remote",
            Error::Cancelled(_) => "cancelled",
            Error::EnvParse { .. } => "env_parse",
            Error::ImportConflict { .. } => "import_conflict",
            Error::UnknownRefs { .. } => "unknown_refs",
            Error::Backup(_) => "backup",
            Error::NotAVault { .. } => "not_a_vault",
            Error::Untrusted { .. } => "untrusted",
            Error::CheckFailed { .. } => "check_failed",
            Error::RotationFailed { .. } => "rotation_failed",
            Error::NoHandler { .. } => "no_handler",
            Error::NoCheck { .. } => "no_check",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
