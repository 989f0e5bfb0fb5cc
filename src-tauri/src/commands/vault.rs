//! Creating, unlocking and locking the vault.

use hush_core::{KeyMode, Passphrase, Protection, Vault};
use tauri::State;

use crate::dto::VaultStatus;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> IpcResult<VaultStatus> {
    let existing = Vault::open(&state.vault_path).ok();
    // The keychain matters only for creating a vault; unlocking reports its own errors.
    let keychain = if existing.is_none() { hush_core::keychain_status() } else { Ok(()) };
    Ok(VaultStatus {
        exists: existing.is_some(),
        path: state.vault_path.display().to_string(),
        key_mode: existing.as_ref().map(|v| v.key_mode().as_str().to_string()),
        unlocked: state.is_unlocked(),
        has_recovery: existing.as_ref().and_then(|v| v.has_recovery().ok()).unwrap_or(false),
        keychain_ok: keychain.is_ok(),
        keychain_message: keychain.err().map(|e| e.to_string()),
    })
}

/// Creates the vault: keychain-backed unless a passphrase is given; optional recovery passphrase.
#[tauri::command]
pub async fn vault_create(
    state: State<'_, AppState>,
    passphrase: Option<String>,
    recovery: Option<String>,
) -> IpcResult<()> {
    let pass = passphrase.map(Passphrase::new);
    let mut v = match &pass {
        Some(p) => Vault::create(&state.vault_path, Protection::Passphrase(p))?,
        None => Vault::create(&state.vault_path, Protection::Keychain)?,
    };
    if let Some(r) = recovery.filter(|r| !r.is_empty()) {
        v.set_recovery(&Passphrase::new(r))?;
    }
    state.set_unlocked(v);
    Ok(())
}

#[tauri::command]
pub async fn vault_unlock(state: State<'_, AppState>, passphrase: Option<String>) -> IpcResult<()> {
    let mut v = Vault::open(&state.vault_path)?;
    match (v.key_mode(), passphrase) {
        (KeyMode::Keychain, _) => v.unlock_keychain()?,
        (KeyMode::Passphrase, Some(p)) => v.unlock_passphrase(&Passphrase::new(p))?,
        (KeyMode::Passphrase, None) => return Err(hush_core::Error::Locked.into()),
    }
    v.audit_event(hush_core::Action::Unlock, None, hush_core::Outcome::Ok, Some("desktop"))?;
    state.set_unlocked(v);
    Ok(())
}

#[tauri::command]
pub async fn vault_lock(state: State<'_, AppState>) -> IpcResult<()> {
    state.lock("lock now");
    Ok(())
}

/// User activity in the window: resets the idle timer while unlocked.
#[tauri::command]
pub async fn vault_touch(state: State<'_, AppState>) -> IpcResult<bool> {
    Ok(state.with_vault(|_| Ok(())).is_ok())
}
