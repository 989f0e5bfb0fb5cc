//! Auto-lock: a tiny timer thread locks the vault after the configured idle time and tells the
//! window (`vault-locked` event) so it shows the lock screen.

use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

pub fn start<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        let state = app.state::<AppState>();
        if !state.is_unlocked() {
            continue;
        }
        let limit = state.peek(|v| v.settings()).map(|s| s.auto_lock_secs).unwrap_or(300);
        if state.idle_for() >= Duration::from_secs(u64::from(limit))
            && state.lock("auto-lock after idle")
        {
            let _ = app.emit("vault-locked", "idle");
        }
    });
}
