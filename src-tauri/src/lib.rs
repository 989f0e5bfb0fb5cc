//! The desktop shell: Tauri setup only. Commands live in `commands`, each a few lines over
//! hush-core; `state` holds the (optional) unlocked vault; `idle` locks it after inactivity.

mod clipboard;
mod commands;
pub mod dto;
pub mod dto_remote;
pub mod error;
mod idle;
pub mod state;

use tauri::{Builder, Runtime};

/// Registers state, the idle timer and every command on a builder (the real one, or a mock one
/// in the IPC tests).
pub fn app_builder<R: Runtime>(builder: Builder<R>, state: state::AppState) -> Builder<R> {
    builder
        .manage(state)
        .setup(|app| {
            idle::start(app.handle().clone());
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
    app_builder(tauri::Builder::default(), state::AppState::from_env())
        .run(context())
        .expect("error while running the Hush desktop app");
}
