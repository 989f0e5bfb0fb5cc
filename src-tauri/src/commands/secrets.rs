//! Secrets: list, detail, reveal, copy, save, history, rollback, delete, trash.

use std::time::Duration;

use hush_core::{
    Action, ErrorKind, FolderPath, Kind, ListFilter, SecretPath, SecretValue, WriteOptions,
};
use tauri::State;

use crate::dto::{
    CopyField, CopyResult, ListRequest, Revealed, SaveRequest, SecretDetail, SecretRow, TrashRow,
    VersionRow, WriteResult,
};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

fn parse_path(p: &str) -> IpcResult<SecretPath> {
    Ok(SecretPath::parse(p)?)
}

#[tauri::command]
pub async fn secrets_list(
    state: State<'_, AppState>,
    req: ListRequest,
) -> IpcResult<Vec<SecretRow>> {
    let kind = req.kind.as_deref().map(Kind::parse).transpose()?;
    let filter = ListFilter { folder: req.folder, tag: req.tag, kind, search: req.search };
    state.actor.vault(move |v| Ok(v.list(&filter)?.iter().map(SecretRow::from).collect())).await
}

#[tauri::command]
pub async fn secret_detail(state: State<'_, AppState>, path: String) -> IpcResult<SecretDetail> {
    let p = parse_path(&path)?;
    state.actor.vault(move |v| Ok(SecretDetail::from(&v.meta(&p)?))).await
}

/// The one command that sends a value to the web view: the user clicked "reveal" (or "view" in
/// the history). Audited as a reveal.
#[tauri::command]
pub async fn secret_reveal(
    state: State<'_, AppState>,
    path: String,
    version: Option<u64>,
) -> IpcResult<Revealed> {
    let p = parse_path(&path)?;
    let (meta, value) = state.actor.vault(move |v| v.get_as(&p, version, Action::Reveal)).await?;
    Ok(Revealed {
        path: meta.path,
        version: version.unwrap_or(meta.version),
        value: value.expose_str().to_owned(),
    })
}

/// Copies from Rust: the value never enters the web view. Cleared after the clipboard timeout.
#[tauri::command]
pub async fn secret_copy(
    state: State<'_, AppState>,
    path: String,
    version: Option<u64>,
    field: Option<CopyField>,
) -> IpcResult<CopyResult> {
    let p = parse_path(&path)?;
    let (secs, value) = state
        .actor
        .vault(move |v| Ok((v.settings()?.clipboard_secs, v.get_as(&p, version, Action::Copy)?.1)))
        .await?;
    let text = match field.unwrap_or(CopyField::Value) {
        CopyField::Value => value.expose_str().to_owned(),
        f => {
            let creds: serde_json::Value = serde_json::from_str(value.expose_str())
                .map_err(|_| IpcError::invalid("this value has no username or password field"))?;
            let key = if f == CopyField::Username { "username" } else { "password" };
            creds[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| IpcError::invalid(format!("this value has no {key} field")))?
        }
    };
    state
        .clipboard
        .copy(&text, Duration::from_secs(u64::from(secs)))
        .map_err(|m| IpcError::new(ErrorKind::Failure, "clipboard", m))?;
    Ok(CopyResult { clears_in_secs: secs })
}

#[tauri::command]
pub async fn secret_save(state: State<'_, AppState>, req: SaveRequest) -> IpcResult<WriteResult> {
    let p = parse_path(&req.path)?;
    let opts = WriteOptions {
        kind: req.kind.as_deref().map(Kind::parse).transpose()?,
        tags: req.tags,
        description: req.description,
        expires_at: req.expires_at,
        clear_expiry: req.clear_expiry.unwrap_or(false),
        rotate_every_days: req.rotate_every_days,
        cas: req.cas,
        ..Default::default()
    };
    let value = req.value.map(SecretValue::from_string);
    state
        .actor
        .vault(move |v| match value {
            Some(value) => v.set(&p, &value, &opts).map(|o| WriteResult {
                path: o.path,
                version: o.version,
                created: o.created,
            }),
            None => v.update_meta(&p, &opts).map(|m| WriteResult {
                path: m.path,
                version: m.version,
                created: false,
            }),
        })
        .await
}

#[tauri::command]
pub async fn secret_history(
    state: State<'_, AppState>,
    path: String,
) -> IpcResult<Vec<VersionRow>> {
    let p = parse_path(&path)?;
    state.actor.vault(move |v| Ok(v.history(&p)?.iter().map(VersionRow::from).collect())).await
}

#[tauri::command]
pub async fn secret_rollback(
    state: State<'_, AppState>,
    path: String,
    to: u64,
    cas: Option<u64>,
) -> IpcResult<WriteResult> {
    let p = parse_path(&path)?;
    let o = state.actor.vault(move |v| v.rollback(&p, to, cas)).await?;
    Ok(WriteResult { path: o.path, version: o.version, created: false })
}

/// Renames or moves one secret (history kept, audited); the target must not exist.
#[tauri::command]
pub async fn secret_move(state: State<'_, AppState>, from: String, to: String) -> IpcResult<u64> {
    let (from, to) = (parse_path(&from)?, parse_path(&to)?);
    state.actor.vault(move |v| Ok(v.move_secret(&from, &to)?.moved.len() as u64)).await
}

/// Moves secrets (bulk) into `folder`, each keeping its name; all or none (one transaction).
#[tauri::command]
pub async fn secrets_move(
    state: State<'_, AppState>,
    paths: Vec<String>,
    folder: String,
) -> IpcResult<u64> {
    let paths = paths.iter().map(|p| parse_path(p)).collect::<IpcResult<Vec<_>>>()?;
    let folder = FolderPath::parse(&folder)?;
    state.actor.vault(move |v| Ok(v.move_into(&paths, &folder)?.moved.len() as u64)).await
}

/// Renames or moves a folder and everything under it.
#[tauri::command]
pub async fn folder_move(state: State<'_, AppState>, from: String, to: String) -> IpcResult<u64> {
    let (from, to) = (FolderPath::parse(&from)?, FolderPath::parse(&to)?);
    state.actor.vault(move |v| Ok(v.move_folder(&from, &to)?.moved.len() as u64)).await
}

/// Moves secrets to the trash (one or many: bulk delete); each is audited.
#[tauri::command]
pub async fn secret_delete(state: State<'_, AppState>, paths: Vec<String>) -> IpcResult<()> {
    let ps = paths.iter().map(|p| parse_path(p)).collect::<IpcResult<Vec<_>>>()?;
    state.actor.vault(move |v| ps.iter().try_for_each(|p| v.remove(p))).await
}

#[tauri::command]
pub async fn trash_list(state: State<'_, AppState>) -> IpcResult<Vec<TrashRow>> {
    state
        .actor
        .vault(|v| {
            Ok(v.trash()?
                .into_iter()
                .map(|t| TrashRow {
                    path: t.meta.path,
                    kind: t.meta.kind,
                    version: t.meta.version,
                    deleted_at: t.meta.deleted_at.unwrap_or_default(),
                    purge_at: t.purge_at,
                })
                .collect())
        })
        .await
}

/// Restores secrets from the trash (one, or several: undo of a bulk delete).
#[tauri::command]
pub async fn trash_restore(state: State<'_, AppState>, paths: Vec<String>) -> IpcResult<()> {
    let ps = paths.iter().map(|p| parse_path(p)).collect::<IpcResult<Vec<_>>>()?;
    state.actor.vault(move |v| ps.iter().try_for_each(|p| v.restore(p).map(|_| ()))).await
}

/// Destroys secrets in the trash for good (one, several, or all: "empty the trash").
#[tauri::command]
pub async fn trash_purge(state: State<'_, AppState>, paths: Vec<String>) -> IpcResult<()> {
    let ps = paths.iter().map(|p| parse_path(p)).collect::<IpcResult<Vec<_>>>()?;
    state
        .actor
        .vault(move |v| {
            ps.iter().try_for_each(|p| v.purge(p, hush_core::PurgeScope::Trashed).map(|_| ()))
        })
        .await
}
