//! The desktop shell: Tauri setup only. Commands live in `commands`, each a few lines over hush-core.

mod commands;

/// Builds and runs the desktop app. `main.rs` calls only this.
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .expect("error while running the Hush desktop app");
}
