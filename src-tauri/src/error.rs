//! The error that crosses the IPC: a stable `code` the UI can switch on and a human message.
//! Built from hush-core's `Error`, which itself stays free of any serialisation concern.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Serialize, TS, PartialEq)]
pub struct IpcError {
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError { code: code.into(), message: message.into() }
    }
    pub fn locked() -> Self {
        IpcError::new("locked", "the vault is locked")
    }
}

impl From<hush_core::Error> for IpcError {
    fn from(e: hush_core::Error) -> Self {
        IpcError { code: e.code().into(), message: e.to_string() }
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
