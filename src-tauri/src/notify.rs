//! Reminders as OS notifications (tauri-plugin-notification): a secret crossing 30, 14, 7 and 1
//! days before its expiry, expiring, and a rotation falling due. Checked at start and then every
//! hour while the app runs (wall-clock time, so a laptop that slept catches up at the next check);
//! a threshold is so announced within the hour it is crossed. The engine decides what is due and records what was given
//! (`Vault::pending_notices` / `record_notices`, in the vault file), so each reminder comes once
//! per threshold per secret, also across restarts. Metadata only: it works while the vault is
//! locked, on a handle of its own (never the vault thread's), and no value is ever read.
//!
//! A click on a notification emits `open-secret` with the secret's path to the window, which
//! opens it (the window is shown and focused first).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hush_core::lifecycle::Notice;
use hush_core::Vault;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The event a click on a reminder sends to the window, with the secret's path.
pub const OPEN_SECRET: &str = "open-secret";

/// Which secret each shown notification is about (by the id we gave it).
#[derive(Default)]
pub struct Shown {
    next: AtomicI32,
    paths: Mutex<HashMap<i32, String>>,
}

impl Shown {
    fn add(&self, path: &str) -> i32 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.paths.lock().unwrap_or_else(|e| e.into_inner()).insert(id, path.to_string());
        id
    }

    fn path(&self, id: i32) -> Option<String> {
        self.paths.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }
}

/// Routes clicks on our notifications to the window. Call once, at setup.
pub fn listen_clicks<R: Runtime>(app: &AppHandle<R>) -> Arc<Shown> {
    let shown = Arc::new(Shown::default());
    let (handle, s) = (app.clone(), shown.clone());
    let _ = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            return;
        }
        let Some(path) = performed.notification().and_then(|n| s.path(n.id())) else { return };
        if let Some(w) = handle.get_webview_window("main") {
            let _ = w.show();
            let _ = w.unminimize();
            let _ = w.set_focus();
        }
        let _ = handle.emit(OPEN_SECRET, path);
    });
    shown
}

/// Shows the reminders due at `now` for the vault at `vault_path` and records them as given.
/// Returns what was shown. No vault (first run), or nothing to show them: nothing.
pub fn check_once<R: Runtime>(
    app: &AppHandle<R>,
    shown: &Shown,
    vault_path: &Path,
    now: i64,
) -> hush_core::Result<Vec<Notice>> {
    if !vault_path.is_file() || !server_present() {
        return Ok(Vec::new());
    }
    let mut vault = Vault::open(vault_path)?;
    let due = vault.pending_notices(now)?;
    let mut given = Vec::new();
    for n in due {
        let (title, body) = n.text(now);
        let id = shown.add(&n.path);
        let sent = app.notification().builder().id(id).title(title).body(body).show();
        if sent.is_ok() {
            given.push(n);
        }
    }
    vault.record_notices(&given, now)?;
    Ok(given)
}

/// Whether anything would show a notification. On Linux: a notification server owns (or D-Bus can
/// start one for) `org.freedesktop.Notifications` on the session bus; without one (a bare X
/// session, a headless box) the reminders wait, unrecorded, for a later check. Elsewhere the OS's
/// notification centre is taken to be there.
pub fn server_present() -> bool {
    #[cfg(target_os = "linux")]
    {
        const NAME: &str = "org.freedesktop.Notifications";
        let Ok(conn) = zbus::blocking::Connection::session() else { return false };
        let Ok(dbus) = zbus::blocking::fdo::DBusProxy::new(&conn) else { return false };
        let Ok(name) = zbus::names::BusName::try_from(NAME) else { return false };
        dbus.name_has_owner(name).unwrap_or(false)
            || dbus
                .list_activatable_names()
                .is_ok_and(|names| names.iter().any(|n| n.as_str() == NAME))
    }
    #[cfg(not(target_os = "linux"))]
    true
}

/// How often the reminders are checked while the app runs. Each is given once whatever the rate
/// (the engine records it); checking hourly rather than daily announces a threshold within the
/// hour it is crossed, and a sleep of the machine delays a check by at most this much.
pub const CHECK_EVERY: Duration = Duration::from_secs(3600);

/// Checks at start and then every `CHECK_EVERY`, on a thread of its own, for as long as the app
/// runs. A failure (the vault file busy or damaged) is reported on stderr and tried again later.
pub fn start<R: Runtime>(app: &AppHandle<R>, vault_path: PathBuf) {
    let shown = listen_clicks(app);
    let app = app.clone();
    let _ = std::thread::Builder::new().name("reminders".into()).spawn(move || loop {
        if let Err(e) = check_once(&app, &shown, &vault_path, hush_core::timefmt::now()) {
            eprintln!("hush: reminders: {e}");
        }
        std::thread::sleep(CHECK_EVERY);
    });
}
