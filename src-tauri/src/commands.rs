//! Tauri commands: each one is a thin delegation to hush-core.

use serde::Serialize;

/// What the shell reports about itself and the engine it embeds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub engine_version: &'static str,
    pub default_vault: Option<String>,
}

#[tauri::command]
pub fn app_info() -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        engine_version: hush_core::VERSION,
        default_vault: hush_core::default_vault_path().ok().map(|p| p.display().to_string()),
    }
}
