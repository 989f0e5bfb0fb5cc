//! Files chosen in the native dialog, handed to the web view only as opaque handles. Every file
//! operation (import, export, backup, restore, CA certificate) takes a handle and resolves it
//! here, for the purpose it was picked for: a compromised web view cannot name a path of its own
//! (say `~/.bashrc` for an export of plaintext), nor reuse a file picked to be read as one to
//! write. Handles are random, live in the vault thread, and are forgotten on lock.
//!
//! The dialog is rfd's asynchronous GTK dialog awaited off the main thread: GTK runs it from the
//! main loop as an idle callback, so nothing blocks the loop (the blocking dialog called through
//! `run_on_main_thread` waited on the very thread that had to run it, and froze the app).

use std::collections::HashMap;
use std::path::PathBuf;

use hush_core::ErrorKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};

/// What a file is picked for; it decides the dialog (open or save, title, suggested name) and
/// which operations may use the handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PickPurpose {
    /// A `.env` file to import (read).
    ImportEnv,
    /// Where to write an export (plaintext).
    Export,
    /// Where to write an encrypted backup.
    BackupWrite,
    /// A backup to restore (read).
    BackupRead,
    /// The new vault file a backup is restored into.
    RestoreTarget,
    /// A PEM file with a remote's CA certificate (read).
    CaCert,
    /// A project's `hush.toml` (read; opening it does not trust it).
    ProjectFile,
    /// Where to write the compliance report (metadata only).
    Report,
}

impl PickPurpose {
    pub fn saves(self) -> bool {
        matches!(
            self,
            PickPurpose::Export
                | PickPurpose::BackupWrite
                | PickPurpose::RestoreTarget
                | PickPurpose::Report
        )
    }
    /// The dialog's title; tests find the dialog window by its "Hush: " prefix.
    pub fn title(self) -> &'static str {
        match self {
            PickPurpose::ImportEnv => "Hush: choose a .env file to import",
            PickPurpose::Export => "Hush: export to (plaintext)",
            PickPurpose::BackupWrite => "Hush: write the encrypted backup to",
            PickPurpose::BackupRead => "Hush: choose a backup to restore",
            PickPurpose::RestoreTarget => "Hush: new vault file",
            PickPurpose::CaCert => "Hush: choose the CA certificate (PEM)",
            PickPurpose::ProjectFile => "Hush: open a project (its hush.toml)",
            PickPurpose::Report => "Hush: export the report to",
        }
    }
}

/// A file the user picked: the handle to pass back, and its path to show.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PickedFile {
    pub handle: String,
    pub path: String,
}

#[derive(Default)]
pub struct Picks(HashMap<String, (PathBuf, PickPurpose)>);

impl Picks {
    /// Records a file the native dialog returned (or a test chose) and returns its handle.
    pub fn grant(&mut self, path: PathBuf, purpose: PickPurpose) -> PickedFile {
        let mut bytes = [0u8; 16];
        getrandom::getrandom(&mut bytes).expect("OS random numbers");
        let handle = hex::encode(bytes);
        let shown = path.display().to_string();
        self.0.insert(handle.clone(), (path, purpose));
        PickedFile { handle, path: shown }
    }

    /// The path behind `handle`, if it was picked for `purpose`; refused otherwise.
    pub fn resolve(&self, handle: &str, purpose: PickPurpose) -> IpcResult<PathBuf> {
        match self.0.get(handle) {
            Some((path, p)) if *p == purpose => regular(path).map(|()| path.clone()),
            _ => Err(IpcError::new(
                ErrorKind::Invalid,
                "not_picked",
                "choose the file with the Choose… button; the app uses only files chosen there",
            )),
        }
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Refuses what is not a regular file (looked at without opening it): the app reads and writes
/// on the vault's one thread, and a named pipe without a writer blocks its `open` for good,
/// `/dev/zero` never ends, and either holds the vault unlocked, auto-lock and Lock now included.
/// A file to write may not exist yet.
fn regular(path: &std::path::Path) -> IpcResult<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        // Missing: a file to write is made; a file to read fails in the operation, named.
        Err(_) => Ok(()),
        Ok(_) => Err(IpcError::new(
            ErrorKind::Invalid,
            "not_a_regular_file",
            format!(
                "{} is not a regular file (a pipe, a device or a directory): the app reads and \
                 writes only regular files",
                path.display()
            ),
        )),
    }
}

/// Shows the native open or save dialog and waits for the answer without blocking GTK's loop.
pub async fn dialog(purpose: PickPurpose, suggested: Option<String>) -> Option<PathBuf> {
    let mut d = rfd::AsyncFileDialog::new().set_title(purpose.title());
    if let Some(name) = suggested.filter(|s| !s.is_empty() && !s.contains('/')) {
        d = d.set_file_name(name);
    }
    let picked = if purpose.saves() { d.save_file().await } else { d.pick_file().await };
    picked.map(|f| f.path().to_path_buf())
}
