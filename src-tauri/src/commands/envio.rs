//! `.env` import (preview, then commit), export and backup, plus the native file dialog. Every
//! file is named by a handle the dialog returned (`picks.rs`), never by a path from the web view.

use hush_core::{
    ErrorKind, ExportFormat, FolderPath, ImportOptions, OnExisting, Passphrase, Protection, Vault,
};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::{
    BackupResult, ExportFormatDto, ExportRequest, ExportResult, ImportPreviewDto, ImportRequest,
    ImportResult, OnExistingDto, Progress, RestoreResult,
};
use crate::error::{IpcError, IpcResult};
use crate::picks::{self, PickPurpose, PickedFile};
use crate::state::AppState;
use crate::work;

/// Opens the native open or save dialog for `purpose`; the answer is a handle (or nothing when
/// the user cancelled).
#[tauri::command]
pub async fn pick_file(
    state: State<'_, AppState>,
    purpose: PickPurpose,
    suggested: Option<String>,
) -> IpcResult<Option<PickedFile>> {
    let Some(path) = picks::dialog(purpose, suggested).await else { return Ok(None) };
    state.actor.peek(move |o| Ok(Some(o.picks.grant(path, purpose)))).await
}

#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    req: ImportRequest,
) -> IpcResult<ImportPreviewDto> {
    let opts = ImportOptions {
        folder: req.folder,
        on_existing: match req.on_existing {
            OnExistingDto::Overwrite => OnExisting::Overwrite,
            OnExistingDto::Skip => OnExisting::Skip,
            OnExistingDto::Refuse => OnExisting::Refuse,
        },
        expand: req.expand,
        skip_invalid: req.skip_invalid,
        ..Default::default()
    };
    state
        .actor
        .run(move |o| {
            let file = o.picks.resolve(&req.file, PickPurpose::ImportEnv)?;
            let preview = o.unlocked()?.import_preview(&file, &opts)?;
            let dto = ImportPreviewDto::from(&preview);
            o.pending_import = Some(preview);
            Ok(dto)
        })
        .await
}

/// Commits the previewed import, provided the preview the user saw is the one kept here.
#[tauri::command]
pub async fn import_commit(
    state: State<'_, AppState>,
    digest: String,
    on_progress: Channel<Progress>,
) -> IpcResult<ImportResult> {
    let take = move |o: &mut crate::actor::Owner| {
        o.pending_import.take().filter(|p| p.digest == digest).ok_or_else(|| {
            IpcError::new(
                ErrorKind::Conflict,
                "stale_preview",
                "the preview changed or expired; preview the file again",
            )
        })
    };
    let report = work::run(&state.actor, on_progress, false, take, |v, preview, job| {
        Ok(v.import_commit(&preview, &mut |done, total| job.step(done, total))?)
    })
    .await?;
    Ok(ImportResult {
        folder: report.folder,
        created: report.created as u64,
        updated: report.updated as u64,
        unchanged: report.unchanged as u64,
        skipped: report.skipped as u64,
    })
}

/// Writes the folders' secrets to the picked file (0600, atomically). Plaintext on disk: the
/// UI warns first, and the save dialog asks before replacing a file.
#[tauri::command]
pub async fn export_file(
    state: State<'_, AppState>,
    req: ExportRequest,
) -> IpcResult<ExportResult> {
    let folders =
        req.folders.iter().map(|f| FolderPath::parse(f)).collect::<hush_core::Result<Vec<_>>>()?;
    let format = match req.format {
        ExportFormatDto::Env => ExportFormat::Env,
        ExportFormatDto::Json => ExportFormat::Json,
        ExportFormatDto::Shell => ExportFormat::Shell,
    };
    state
        .actor
        .run(move |o| {
            let path = o.picks.resolve(&req.file, PickPurpose::Export)?;
            let r = o.unlocked()?.export(&folders, format, Some(&path))?.report;
            Ok(ExportResult {
                count: r.count as u64,
                path: path.display().to_string(),
                left_out: r.left_out,
                not_portable: r.not_portable.into_iter().map(|n| n.name).collect(),
            })
        })
        .await
}

/// An encrypted backup of the whole vault under its own passphrase, to the picked file.
#[tauri::command]
pub async fn backup_create(
    state: State<'_, AppState>,
    file: String,
    passphrase: String,
) -> IpcResult<BackupResult> {
    let p = Passphrase::new(passphrase);
    state
        .actor
        .run(move |o| {
            let path = o.picks.resolve(&file, PickPurpose::BackupWrite)?;
            let r = o.unlocked()?.backup(&path, &p)?;
            Ok(BackupResult {
                file: r.file,
                secrets: r.secrets as u64,
                versions: r.versions as u64,
                bytes: r.bytes,
            })
        })
        .await
}

/// Restores a picked backup into a new vault: the app's own vault file on first run (`target`
/// empty; it becomes the open vault), or another new file picked in Settings. The new vault is
/// protected by the OS keychain unless a passphrase is given; an existing file is never
/// overwritten.
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
    state
        .actor
        .run(move |o| {
            let file = o.picks.resolve(&file, PickPurpose::BackupRead)?;
            let target = match target.filter(|t| !t.is_empty()) {
                Some(t) => Some(o.picks.resolve(&t, PickPurpose::RestoreTarget)?),
                None => None,
            };
            let into = target.clone().unwrap_or_else(|| o.vault_path.clone());
            let protection = pass.as_ref().map_or(Protection::Keychain, Protection::Passphrase);
            let (v, r) = Vault::restore_backup(&file, &backup_pass, &into, protection)?;
            let result = RestoreResult {
                vault: v.path().display().to_string(),
                secrets: r.secrets as u64,
                versions: r.versions as u64,
                trashed: r.trashed as u64,
                audit_entries: r.audit_entries as u64,
            };
            if target.is_none() {
                o.install(v);
            }
            Ok(result)
        })
        .await
}

/// A native yes/no question (a GTK dialog titled "Hush: confirm", not the web view's "JavaScript" box).
#[tauri::command]
pub async fn ask(message: String, ok: String) -> IpcResult<bool> {
    let answer = rfd::AsyncMessageDialog::new()
        .set_title("Hush: confirm")
        .set_description(message)
        .set_level(rfd::MessageLevel::Warning)
        .set_buttons(rfd::MessageButtons::OkCancelCustom(format!("_{ok}"), "_Cancel".into()))
        .show()
        .await;
    Ok(matches!(answer, rfd::MessageDialogResult::Custom(ref s) if *s == format!("_{ok}"))
        || answer == rfd::MessageDialogResult::Ok)
}
