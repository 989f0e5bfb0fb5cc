//! The desktop shell: Tauri setup only. Commands live in `commands`, each a few lines over
//! hush-core; `actor` owns the open vault on one thread (idle deadline included); `work` runs long
//! work beside it; `picks` binds file operations to the native dialog; `applock` is the app lock
//! of keychain vaults; `suspend` locks on sleep and screen lock; `renderer` picks WebKitGTK's
//! renderer on Linux.

pub mod actor;
pub mod applock;
mod clipboard;
mod commands;
pub mod dto;
pub mod dto_life;
pub mod dto_project;
pub mod dto_remote;
pub mod error;
pub mod notify;
pub mod picks;
#[cfg(target_os = "linux")]
pub mod renderer;
pub mod state;
#[cfg(target_os = "linux")]
mod suspend;
mod work;

pub use actor::{Clock, LockReason, ManualClock};

use tauri::{Builder, Emitter, Manager, Runtime};

/// Registers state and every command on a builder (the real one, or a mock one in the IPC
/// tests); a lock, whatever its cause, clears our clipboard value and tells the window.
pub fn app_builder<R: Runtime>(builder: Builder<R>, state: state::AppState) -> Builder<R> {
    builder
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .setup(|app| {
            let handle = app.handle().clone();
            let state = app.state::<state::AppState>();
            let clipboard = state.clipboard.clone();
            state.actor.on_lock(move |reason| {
                clipboard.clear_if_ours();
                let _ = handle.emit("vault-locked", reason.as_str());
            });
            Ok(())
        })
        .invoke_handler(commands::handler())
}

/// The app's compiled-in context: tauri.conf.json, capabilities (the ACL) and the built UI.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Builds and runs the desktop app. `main.rs` calls only this.
pub fn run() {
    // First, while this is the only thread and before GTK or WebKit start: without a usable GPU
    // render node, WebKitGTK's shared-memory renderer (see renderer.rs for why and the numbers).
    #[cfg(target_os = "linux")]
    renderer::choose();
    // No core dumps and no ptrace by other processes: a crash must not write keys to disk.
    hush_core::sys::harden_process();
    let state = state::AppState::from_env();
    #[cfg(target_os = "linux")]
    {
        let actor = state.actor.clone();
        suspend::watch(move |reason| actor.lock_soon(reason));
    }
    // The first screen's status goes into the page before it loads, so the first interactive
    // screen needs no IPC round trip (the first one is the slowest); the page refreshes it anyway.
    let boot = tauri::async_runtime::block_on(commands::status_now(&state.actor))
        .ok()
        .and_then(|s| serde_json::to_string(&s).ok())
        .unwrap_or_else(|| "null".into());
    let vault_path = state.vault_path.clone();
    let app = app_builder(tauri::Builder::default(), state)
        .build(context())
        .expect("error while building the Hush desktop app");
    notify::start(app.handle(), vault_path);
    let config = app.config().app.windows.first().cloned().expect("a window in tauri.conf.json");
    tauri::WebviewWindowBuilder::from_config(&app, &config)
        .and_then(|w| w.initialization_script(format!("window.__HUSH_BOOT__ = {boot};")).build())
        .expect("the main window");
    // Quitting (the window closed, Ctrl+Q, a signal tauri handles) ends in process::exit, which
    // drops nothing: a value still on the clipboard is cleared here, as its timer would have.
    let clipboard = app.state::<state::AppState>().clipboard.clone();
    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event {
            clipboard.clear_on_exit();
        }
    });
}
