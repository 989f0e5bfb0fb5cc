//! Settings and key management: recovery passphrase, re-wrap, re-key (with progress).

use hush_core::{Passphrase, Protection, Settings};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{Progress, SettingsDto};
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> IpcResult<SettingsDto> {
    let s = state.with_vault(|v| v.settings())?;
    Ok(SettingsDto {
        versions_kept: s.versions_kept,
        trash_days: s.trash_days,
        auto_lock_secs: s.auto_lock_secs,
        clipboard_secs: s.clipboard_secs,
    })
}

#[tauri::command]
pub async fn settings_set(state: State<'_, AppState>, settings: SettingsDto) -> IpcResult<()> {
    let s = Settings {
        versions_kept: settings.versions_kept,
        trash_days: settings.trash_days,
        auto_lock_secs: settings.auto_lock_secs,
        clipboard_secs: settings.clipboard_secs,
    };
    state.with_vault(|v| v.set_settings(&s))
}

#[tauri::command]
pub async fn recovery_set(state: State<'_, AppState>, passphrase: String) -> IpcResult<()> {
    let p = Passphrase::new(passphrase);
    state.with_vault(|v| v.set_recovery(&p))
}

/// New keychain key, or a new passphrase when one is given.
#[tauri::command]
pub async fn vault_rewrap(state: State<'_, AppState>, passphrase: Option<String>) -> IpcResult<()> {
    let p = passphrase.map(Passphrase::new);
    state.with_vault(|v| v.rewrap(p.as_ref().map_or(Protection::Keychain, Protection::Passphrase)))
}

/// New data key; every version re-encrypted in one transaction, with progress over the channel.
#[tauri::command]
pub async fn vault_rekey(
    state: State<'_, AppState>,
    recovery: Option<String>,
    on_progress: Channel<Progress>,
) -> IpcResult<()> {
    let rec = recovery.filter(|r| !r.is_empty()).map(Passphrase::new);
    let report = state.with_vault(|v| {
        v.rekey(rec.as_ref(), &mut |done, total| {
            if done == total || done % 50 == 0 {
                let _ = on_progress.send(Progress::Step { done, total });
            }
        })
    })?;
    let _ = on_progress.send(Progress::Finished {
        message: format!(
            "{} versions re-encrypted (key generation {})",
            report.versions, report.key_generation
        ),
    });
    Ok(())
}
