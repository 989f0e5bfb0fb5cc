//! The shell's state: the handle to the vault thread (`actor.rs`, which owns the open vault,
//! the idle deadline and the picked files) and the clipboard. Nothing here is behind a lock held
//! for an operation, so a slow or panicking command cannot block or poison the others.

use std::path::PathBuf;
use std::sync::Arc;

use crate::actor::{Actor, Clock, SystemClock};
use crate::clipboard::Clipboard;

pub struct AppState {
    pub vault_path: PathBuf,
    pub actor: Actor,
    pub clipboard: Clipboard,
}

impl AppState {
    pub fn new(vault_path: PathBuf) -> Self {
        Self::with_clock(vault_path, Arc::new(SystemClock::default()))
    }

    /// With an injected clock (tests move a `ManualClock` instead of sleeping).
    pub fn with_clock(vault_path: PathBuf, clock: Arc<dyn Clock>) -> Self {
        AppState {
            actor: Actor::start(vault_path.clone(), clock),
            vault_path,
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
}
