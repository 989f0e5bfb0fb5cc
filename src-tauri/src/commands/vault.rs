//! Creating, unlocking and locking the vault, and its app lock.

use hush_core::{KeyMode, Passphrase, Protection, Vault};
use tauri::State;

use crate::actor::{LockReason, Owner};
use crate::applock::{self, AppLockKind};
use crate::dto::{KeyModeDto, LockKind, VaultStatus};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

fn lock_kind(o: &Owner, mode: KeyMode) -> LockKind {
    match (mode, applock::kind(&o.vault_path)) {
        (KeyMode::Passphrase, _) => LockKind::VaultPassphrase,
        (KeyMode::Keychain, Some(AppLockKind::Pin)) => LockKind::AppPin,
        (KeyMode::Keychain, Some(AppLockKind::Passphrase)) => LockKind::AppPassphrase,
        (KeyMode::Keychain, None) => LockKind::KeychainOnly,
    }
}

/// What the first screen needs. Only a missing file means "no vault": a damaged vault, or one
/// made by a newer Hush, is reported as such and never sends the user to Setup.
#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> IpcResult<VaultStatus> {
    status_now(&state.actor).await
}

/// The status as the first screen needs it (also handed to the page at start: see `lib.rs`).
pub async fn status_now(actor: &crate::actor::Actor) -> IpcResult<VaultStatus> {
    // Read-only: an open handle answers for itself; otherwise the file is only inspected (no
    // schema upgrade, no purge). A damaged or newer vault is its error, never "no vault".
    actor
        .peek(|o| {
            let seen = match o.handle() {
                Some(v) => {
                    Ok(Some((v.key_mode(), v.has_recovery().unwrap_or(false), v.is_unlocked())))
                }
                None => match Vault::inspect(&o.vault_path) {
                    Ok(i) => Ok(Some((i.key_mode, i.has_recovery, false))),
                    Err(hush_core::Error::NoVault { .. }) => Ok(None),
                    Err(e) => Err(e),
                },
            };
            Ok(match seen {
                Ok(seen) => status(o, seen, None),
                Err(e) => status(o, None, Some(e.into())),
            })
        })
        .await
}

fn status(
    o: &mut Owner,
    seen: Option<(KeyMode, bool, bool)>,
    open_error: Option<IpcError>,
) -> VaultStatus {
    let path = o.vault_path.display().to_string();
    let (mode, has_recovery, unlocked) = match seen {
        Some((m, r, u)) => (Some(m), r, u),
        None => (None, false, false),
    };
    // The keychain matters only for creating a vault; unlocking reports its own errors.
    let keychain =
        if mode.is_none() && open_error.is_none() { hush_core::keychain_status() } else { Ok(()) };
    VaultStatus {
        exists: mode.is_some() || open_error.is_some(),
        path,
        key_mode: mode.map(KeyModeDto::from),
        lock_kind: mode.map(|m| lock_kind(o, m)),
        open_error,
        unlocked,
        has_recovery,
        keychain_ok: keychain.is_ok(),
        keychain_message: keychain.err().map(|e| e.to_string()),
    }
}

/// Creates the vault: keychain-backed unless a passphrase is given; optional recovery passphrase;
/// a keychain vault may get an app lock (PIN or passphrase) at once.
#[tauri::command]
pub async fn vault_create(
    state: State<'_, AppState>,
    passphrase: Option<String>,
    recovery: Option<String>,
    app_lock: Option<(AppLockKind, String)>,
) -> IpcResult<()> {
    state
        .actor
        .run(move |o| {
            if let Some((kind, secret)) = &app_lock {
                if let Some(why) = applock::weakness(*kind, secret) {
                    return Err(IpcError::invalid(why));
                }
            }
            let pass = passphrase.map(Passphrase::new);
            let protection = pass.as_ref().map_or(Protection::Keychain, Protection::Passphrase);
            let mut v = Vault::create(&o.vault_path, protection)?;
            if let Some(r) = recovery.filter(|r| !r.is_empty()) {
                v.set_recovery(&Passphrase::new(r))?;
            }
            if let (Some((kind, secret)), None) = (app_lock, &pass) {
                applock::set(&o.vault_path, kind, &secret)?;
            }
            o.install(v);
            Ok(())
        })
        .await
}

/// Unlocks with the vault passphrase (passphrase mode), or with the keychain after the app
/// lock's PIN / passphrase when one is set (keychain mode).
#[tauri::command]
pub async fn vault_unlock(state: State<'_, AppState>, passphrase: Option<String>) -> IpcResult<()> {
    state
        .actor
        .run(move |o| {
            if o.handle().is_none() {
                o.keep(Vault::open(&o.vault_path)?);
            }
            let path = o.vault_path.clone();
            let mut v = o.handle().expect("kept above").try_clone()?;
            match (v.key_mode(), passphrase) {
                (KeyMode::Keychain, p) => {
                    applock::check(&path, p.as_deref(), hush_core::timefmt::now())?;
                    v.unlock_keychain()?
                }
                (KeyMode::Passphrase, Some(p)) => v.unlock_passphrase(&Passphrase::new(p))?,
                (KeyMode::Passphrase, None) => return Err(hush_core::Error::Locked.into()),
            }
            // A vault whose state no longer matches (parts of an older copy put back) refuses
            // every write, this audit entry included: it opens all the same, so that the app can
            // say what differs and offer the way out (`vault_state`, `vault_accept_state`).
            match v.audit_event(
                hush_core::Action::Unlock,
                None,
                hush_core::Outcome::Ok,
                Some("desktop"),
            ) {
                Ok(()) | Err(hush_core::Error::StateAltered { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            o.install(v);
            Ok(())
        })
        .await
}

#[tauri::command]
pub async fn vault_lock(state: State<'_, AppState>) -> IpcResult<()> {
    state
        .actor
        .peek(|o| {
            o.lock(LockReason::User);
            Ok(())
        })
        .await
}

/// User activity in the window: resets the idle timer while unlocked; false once locked.
#[tauri::command]
pub async fn vault_touch(state: State<'_, AppState>) -> IpcResult<bool> {
    state.actor.run(|o| Ok(o.unlocked().is_ok())).await
}

/// What no longer matches the state Hush last wrote (as `hush doctor`'s state check says it):
/// empty when the file is whole.
#[tauri::command]
pub async fn vault_state(state: State<'_, AppState>) -> IpcResult<Vec<String>> {
    state.actor.run(|o| Ok(o.unlocked()?.state_problems()?)).await
}

/// Takes the file as it is as the vault's state (`hush doctor --accept-state`), after the user
/// confirmed they put those parts back themselves. Returns how many parts differed.
#[tauri::command]
pub async fn vault_accept_state(state: State<'_, AppState>) -> IpcResult<usize> {
    state.actor.run(|o| Ok(o.unlocked()?.accept_state()?)).await
}

/// Sets (or changes) the app lock of a keychain vault; `None` turns it off.
#[tauri::command]
pub async fn app_lock_set(
    state: State<'_, AppState>,
    lock: Option<(AppLockKind, String)>,
) -> IpcResult<()> {
    state
        .actor
        .run(move |o| {
            let v = o.unlocked()?;
            if v.key_mode() != KeyMode::Keychain {
                return Err(IpcError::invalid(
                    "a passphrase vault already asks for its passphrase",
                ));
            }
            let detail = if lock.is_some() { "app lock set" } else { "app lock removed" };
            v.audit_event(
                hush_core::Action::KeyChange,
                None,
                hush_core::Outcome::Ok,
                Some(detail),
            )?;
            match lock {
                Some((kind, secret)) => applock::set(&o.vault_path, kind, &secret),
                None => applock::clear(&o.vault_path),
            }
        })
        .await
}
