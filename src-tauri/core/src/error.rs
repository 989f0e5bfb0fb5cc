//! Errors of the engine. Every message says what happened and what to do next, and none carries a
//! secret value: variants hold paths, versions and reasons only.

use std::path::PathBuf;

/// The engine's error. `code()` is a stable machine-readable name that the CLI maps to exit codes
/// and the desktop shell sends across IPC.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("no secret at '{path}'")]
    NotFound { path: String },
    #[error("'{path}' already exists")]
    AlreadyExists { path: String },
    #[error("check-and-set failed for '{path}': expected version {expected}, current is {actual}; read it again and retry")]
    CasConflict { path: String, expected: u64, actual: u64 },
    #[error("invalid path '{path}': {reason}")]
    InvalidPath { path: String, reason: String },
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("the vault is locked: {0}")]
    Locked(String),
    #[error("wrong passphrase (nothing was changed); try again")]
    WrongPassphrase,
    #[error("key unavailable: {0}")]
    KeyUnavailable(String),
    #[error("keychain error: {0}")]
    Keychain(String),
    #[error("integrity check failed for {what}: the data was altered or belongs elsewhere; other secrets are unaffected, restore this one from a backup or overwrite it")]
    Integrity { what: String },
    #[error("no vault at {}; create one with `hush init`", path.display())]
    NoVault { path: PathBuf },
    #[error("a vault already exists at {}", path.display())]
    VaultExists { path: PathBuf },
    #[error("this vault's schema version {found} is newer than this Hush supports ({supported}); upgrade Hush")]
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
    #[error("the Vault server denied access to '{path}' ({detail}); check the token's policies for that path")]
    RemoteDenied { path: String, detail: String },
    #[error("the Vault server is sealed: {0}")]
    RemoteSealed(String),
    #[error("Vault authentication failed: {0}")]
    RemoteAuth(String),
    #[error("{0}")]
    RemoteMount(String),
    #[error("the remote secret '{path}' changed since Hush last read it (expected version {expected}, now {actual}); run `hush plan` and resolve with `hush sync --keep-local/--keep-remote`")]
    RemoteConflict { path: String, expected: u64, actual: u64 },
    #[error("Vault server error: {0}")]
    Remote(String),
    #[error("cancelled: {0}")]
    Cancelled(String),
    // .env import/export, templates and backups. Messages name files, lines and keys, never values.
    #[error("{file}: {}; nothing was imported (fix the lines, or pass --skip-invalid to leave them out)", list_lines(errors))]
    EnvParse { file: String, errors: Vec<crate::envfile::EnvLineError> },
    #[error("{} secret(s) in '{folder}' already exist with a different value ({}); pass --overwrite to replace them or --skip-existing to keep them; nothing was imported", names.len(), names.join(", "))]
    ImportConflict { folder: String, names: Vec<String> },
    #[error("unknown secret reference(s): {}; nothing was written", refs.join(", "))]
    UnknownRefs { refs: Vec<String> },
    #[error("the backup {0}; nothing was restored")]
    Backup(String),
    #[error("{} is not a Hush vault ({reason}); nothing was changed. Check --vault / HUSH_VAULT", path.display())]
    NotAVault { path: PathBuf, reason: String },
    // Projects (hush.toml). Messages name files and variables, never values.
    #[error("{} {}: review it, then trust it (`hush project trust`)", path.display(), if *changed { "changed since you trusted it" } else { "is not trusted" })]
    Untrusted { path: PathBuf, changed: bool },
    #[error("required variable(s) missing or invalid: {}", names.join(", "))]
    CheckFailed { names: Vec<String> },
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
    /// Stable code for scripts and the IPC boundary. Never renamed once shipped.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::AlreadyExists { .. } => "already_exists",
            Error::CasConflict { .. } => "cas_conflict",
            Error::InvalidPath { .. } => "invalid_path",
            Error::InvalidInput(_) => "invalid_input",
            Error::Locked(_) => "locked",
            Error::WrongPassphrase => "wrong_passphrase",
            Error::KeyUnavailable(_) => "key_unavailable",
            Error::Keychain(_) => "keychain",
            Error::Integrity { .. } => "integrity",
            Error::NoVault { .. } => "no_vault",
            Error::VaultExists { .. } => "vault_exists",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Agent(_) => "agent",
            Error::Io { .. } => "io",
            Error::Db(_) => "database",
            Error::RemoteUnreachable(_) => "remote_unreachable",
            Error::RemoteTls(_) => "remote_tls",
            Error::RemoteDenied { .. } => "remote_denied",
            Error::RemoteSealed(_) => "remote_sealed",
            Error::RemoteAuth(_) => "remote_auth",
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
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
