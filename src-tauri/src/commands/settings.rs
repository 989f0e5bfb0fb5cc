//! Settings and key management: recovery passphrase, re-wrap, re-key (with progress).

use hush_core::{Passphrase, Protection, Settings};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{Progress, SettingsDto};
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn settings_get(state: State<'_, AppState>) -> IpcResult<SettingsDto> {
    let s = state.actor.vault(|v| v.settings()).await?;
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
    state
        .actor
        .run(move |o| {
            o.unlocked()?.set_settings(&s)?;
            o.settings_changed();
            Ok(())
        })
        .await
}

#[tauri::command]
pub async fn recovery_set(state: State<'_, AppState>, passphrase: String) -> IpcResult<()> {
    let p = Passphrase::new(passphrase);
    state.actor.vault(move |v| v.set_recovery(&p)).await
}

/// New keychain key, or a new passphrase when one is given.
#[tauri::command]
pub async fn vault_rewrap(state: State<'_, AppState>, passphrase: Option<String>) -> IpcResult<()> {
    let p = passphrase.map(Passphrase::new);
    state
        .actor
        .vault(move |v| v.rewrap(p.as_ref().map_or(Protection::Keychain, Protection::Passphrase)))
        .await
}

/// New data key; every version re-encrypted in one transaction, with progress over the channel.
/// It runs on the vault thread itself (the keys change under every other view), so it cannot be
/// cancelled halfway: the transaction is all or nothing.
#[tauri::command]
pub async fn vault_rekey(
    state: State<'_, AppState>,
    recovery: Option<String>,
    on_progress: Channel<Progress>,
) -> IpcResult<()> {
    let rec = recovery.filter(|r| !r.is_empty()).map(Passphrase::new);
    let _ = on_progress.send(Progress::Started { id: 0, cancellable: false });
    let ch = on_progress.clone();
    let report = state
        .actor
        .vault(move |v| {
            v.rekey(rec.as_ref(), &mut |done, total| {
                if done == total || done % 50 == 0 {
                    let _ = ch.send(Progress::Step { done, total });
                }
            })
        })
        .await?;
    let _ = on_progress.send(Progress::Finished {
        message: format!(
            "{} versions re-encrypted (key generation {})",
            report.versions, report.key_generation
        ),
    });
    Ok(())
}
