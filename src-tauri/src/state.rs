//! The shell's state. Locked means no `Vault` with a key: `lock()` drops the vault, which
//! zeroizes its keys. Every command that uses the vault resets the idle timer.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hush_core::Vault;

use crate::clipboard::Clipboard;
use crate::error::{IpcError, IpcResult};

pub struct AppState {
    pub vault_path: PathBuf,
    /// The last import preview, kept here so a commit applies exactly what the user saw.
    pub pending_import: Mutex<Option<hush_core::ImportPreview>>,
    /// Set by the cancel button of a running remote operation (read without the vault lock).
    pub remote_cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    vault: Mutex<Option<Vault>>,
    last_activity: Mutex<Instant>,
    pub clipboard: Clipboard,
}

impl AppState {
    pub fn new(vault_path: PathBuf) -> Self {
        AppState {
            vault_path,
            pending_import: Mutex::new(None),
            remote_cancel: Default::default(),
            vault: Mutex::new(None),
            last_activity: Mutex::new(Instant::now()),
            clipboard: Clipboard::default(),
        }
    }

    /// The vault path: `--vault FILE`, else `HUSH_VAULT`, else the OS data dir (as the CLI does).
    pub fn from_env() -> Self {
        let mut args = std::env::args_os().skip(1);
        let flag = std::iter::from_fn(|| args.next()).skip_while(|a| a != "--vault").nth(1);
        let path = flag
            .or_else(|| std::env::var_os("HUSH_VAULT"))
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| hush_core::default_vault_path().ok())
            .unwrap_or_else(|| PathBuf::from("hush-vault.db"));
        Self::new(path)
    }

    pub fn touch(&self) {
        *self.last_activity.lock().unwrap() = Instant::now();
    }

    pub fn idle_for(&self) -> Duration {
        self.last_activity.lock().unwrap().elapsed()
    }

    /// Runs `f` on the unlocked vault; refuses with `locked` otherwise.
    pub fn with_vault<T>(
        &self,
        f: impl FnOnce(&mut Vault) -> hush_core::Result<T>,
    ) -> IpcResult<T> {
        let mut guard = self.vault.lock().unwrap();
        let v = guard.as_mut().filter(|v| v.is_unlocked()).ok_or_else(IpcError::locked)?;
        self.touch();
        Ok(f(v)?)
    }

    /// Like `with_vault` but does not count as activity (for the idle timer itself).
    pub fn peek<T>(&self, f: impl FnOnce(&Vault) -> hush_core::Result<T>) -> IpcResult<T> {
        let guard = self.vault.lock().unwrap();
        let v = guard.as_ref().filter(|v| v.is_unlocked()).ok_or_else(IpcError::locked)?;
        Ok(f(v)?)
    }

    /// Installs a freshly unlocked vault.
    pub fn set_unlocked(&self, v: Vault) {
        self.touch();
        *self.vault.lock().unwrap() = Some(v);
    }

    pub fn is_unlocked(&self) -> bool {
        self.vault.lock().unwrap().as_ref().is_some_and(Vault::is_unlocked)
    }

    /// Drops the vault (zeroizing its keys) and clears a value we put on the clipboard.
    /// Returns whether it was unlocked.
    pub fn lock(&self, reason: &str) -> bool {
        let taken = self.vault.lock().unwrap().take();
        self.pending_import.lock().unwrap().take();
        self.clipboard.clear_if_ours();
        match taken {
            Some(mut v) if v.is_unlocked() => {
                let _ = v.audit_event(
                    hush_core::Action::Lock,
                    None,
                    hush_core::Outcome::Ok,
                    Some(reason),
                );
                v.lock();
                true
            }
            _ => false,
        }
    }
}
