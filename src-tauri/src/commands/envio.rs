//! `.env` import (preview, then commit), export and backup, plus the native file dialogs.

use std::path::PathBuf;

use hush_core::{
    ExportFormat, FolderPath, ImportOptions, OnExisting, Passphrase, Protection, Vault,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};

use crate::dto::{
    BackupResult, ExportRequest, ExportResult, ImportPreviewDto, ImportRequest, ImportResult,
    Progress, RestoreResult,
};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Opens the native open or save dialog (on the GTK main thread, where dialogs must run).
#[tauri::command]
pub async fn pick_file<R: Runtime>(
    app: AppHandle<R>,
    save: bool,
    suggested: Option<String>,
) -> IpcResult<Option<String>> {
    let (tx, rx) = std::sync::mpsc::channel();
    app.run_on_main_thread(move || {
        let mut d = rfd::FileDialog::new();
        if let Some(name) = suggested {
            d = d.set_file_name(name);
        }
        let picked = if save { d.save_file() } else { d.pick_file() };
        let _ = tx.send(picked);
    })
    .map_err(|e| IpcError::new("dialog", e.to_string()))?;
    let picked: Option<PathBuf> = rx.recv().map_err(|e| IpcError::new("dialog", e.to_string()))?;
    Ok(picked.map(|p| p.display().to_string()))
}

#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    req: ImportRequest,
) -> IpcResult<ImportPreviewDto> {
    let opts = ImportOptions {
        folder: req.folder,
        on_existing: match req.on_existing.as_str() {
            "overwrite" => OnExisting::Overwrite,
            "skip" => OnExisting::Skip,
            _ => OnExisting::Refuse,
        },
        expand: req.expand,
        skip_invalid: req.skip_invalid,
        ..Default::default()
    };
    let preview = state.with_vault(|v| v.import_preview(req.file.as_ref(), &opts))?;
    let dto = ImportPreviewDto::from(&preview);
    *state.pending_import.lock().unwrap() = Some(preview);
    Ok(dto)
}

/// Commits the previewed import, provided the preview the user saw is the one kept here.
#[tauri::command]
pub async fn import_commit(
    state: State<'_, AppState>,
    digest: String,
    on_progress: Channel<Progress>,
) -> IpcResult<ImportResult> {
    let preview = state
        .pending_import
        .lock()
        .unwrap()
        .take()
        .filter(|p| p.digest == digest)
        .ok_or_else(|| {
            IpcError::new("stale_preview", "the preview changed or expired; preview the file again")
        })?;
    let report = state.with_vault(|v| {
        v.import_commit(&preview, &mut |done, total| {
            let _ = on_progress.send(Progress::Step { done, total });
        })
    })?;
    Ok(ImportResult {
        folder: report.folder,
        created: report.created as u64,
        updated: report.updated as u64,
        unchanged: report.unchanged as u64,
        skipped: report.skipped as u64,
    })
}

/// Writes the folders' secrets to a file (0600, atomically). Plaintext on disk: the UI warns first.
#[tauri::command]
pub async fn export_file(
    state: State<'_, AppState>,
    req: ExportRequest,
) -> IpcResult<ExportResult> {
    let folders =
        req.folders.iter().map(|f| FolderPath::parse(f)).collect::<hush_core::Result<Vec<_>>>()?;
    let format = ExportFormat::parse(&req.format)?;
    let out = state.with_vault(|v| v.export(&folders, format, Some(req.path.as_ref())))?;
    let r = out.report;
    Ok(ExportResult {
        count: r.count as u64,
        path: r.output.unwrap_or(req.path),
        left_out: r.left_out,
        not_portable: r.not_portable.into_iter().map(|n| n.name).collect(),
    })
}

/// An encrypted backup of the whole vault under its own passphrase.
#[tauri::command]
pub async fn backup_create(
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
) -> IpcResult<BackupResult> {
    let p = Passphrase::new(passphrase);
    let r = state.with_vault(|v| v.backup(path.as_ref(), &p))?;
    Ok(BackupResult {
        file: r.file,
        secrets: r.secrets as u64,
        versions: r.versions as u64,
        bytes: r.bytes,
    })
}

/// Restores a backup into a new vault: the app's own vault file on first run (`target` empty; it
/// becomes the open vault), or another new file chosen in Settings. The new vault is protected by
/// the OS keychain unless a passphrase is given; an existing file is never overwritten.
#[tauri::command]
pub async fn backup_restore(
    state: State<'_, AppState>,
    file: String,
    backup_passphrase: String,
    passphrase: Option<String>,
    target: Option<String>,
) -> IpcResult<RestoreResult> {
    let backup_pass = Passphrase::new(backup_passphrase);
    let pass = passphrase.filter(|p| !p.is_empty()).map(Passphrase::new);
    let protection = pass.as_ref().map_or(Protection::Keychain, Protection::Passphrase);
    let target = target.filter(|t| !t.is_empty()).map(PathBuf::from);
    let into = target.clone().unwrap_or_else(|| state.vault_path.clone());
    let (v, r) = Vault::restore_backup(file.as_ref(), &backup_pass, &into, protection)?;
    let result = RestoreResult {
        vault: v.path().display().to_string(),
        secrets: r.secrets as u64,
        versions: r.versions as u64,
        trashed: r.trashed as u64,
        audit_entries: r.audit_entries as u64,
    };
    if target.is_none() {
        state.set_unlocked(v);
    }
    Ok(result)
}
