//! The error that crosses the IPC: `code`, the engine's one [`ErrorKind`] (the same class the
//! CLI's exit codes derive from; a TypeScript union in bindings.ts), `reason`, the finer stable
//! name (`Error::code()`, e.g. `cas_conflict`), and a human message that carries no CLI advice.
//! Built from hush-core's `Error`, which itself stays free of any serialisation concern.

use hush_core::ErrorKind;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Serialize, TS, PartialEq)]
pub struct IpcError {
    /// What the UI does about it (locked: back to the lock screen; not_found: the item is gone...).
    pub code: ErrorKind,
    /// The finer stable name: the engine's `Error::code()`, or one of the app's own
    /// (`internal`, `not_picked`, `stale_preview`, `rate_limited`, `clipboard`).
    pub reason: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorKind, reason: &str, message: impl Into<String>) -> Self {
        IpcError { code, reason: reason.into(), message: message.into() }
    }
    pub fn locked() -> Self {
        IpcError::new(ErrorKind::Locked, "locked", "the vault is locked")
    }
    /// Bad input the app itself refuses (the engine's equivalent is `invalid_input`).
    pub fn invalid(message: impl Into<String>) -> Self {
        IpcError::new(ErrorKind::Invalid, "invalid_input", message)
    }
    /// Something that should not happen, contained to the command that hit it.
    pub fn internal(message: impl Into<String>) -> Self {
        IpcError::new(ErrorKind::Failure, "internal", message)
    }
}

impl From<hush_core::Error> for IpcError {
    fn from(e: hush_core::Error) -> Self {
        IpcError { code: e.kind(), reason: e.code().into(), message: e.to_string() }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
