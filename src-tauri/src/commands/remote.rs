//! HashiCorp Vault / OpenBao remotes: add, test, plan, and push / pull / sync / migrate as long
//! work (`work.rs`: a second vault handle on its own thread, progress, cancel).

use hush_core::remote::{Direction, MigrateOptions};
use hush_core::remote::{Resolution, SyncOptions};
use tauri::ipc::Channel;
use tauri::State;

use crate::dto::Progress;
use crate::dto_remote::{
    CaChange, DirectionDto, HealthDto, Keep, OpReportDto, PlanDto, RemoteAddRequest, RemoteDto,
    RemoteOp, RemoteRevealed, RemoteUpdateRequest, RemoteUpdatedDto, ResolveRequest,
    SyncedFolderDto,
};
use crate::error::IpcResult;
use crate::picks::PickPurpose;
use crate::state::AppState;
use crate::work;

#[tauri::command]
pub async fn remote_list(state: State<'_, AppState>) -> IpcResult<Vec<RemoteDto>> {
    state.actor.vault(|v| Ok(v.remotes()?.iter().map(RemoteDto::from).collect())).await
}

#[tauri::command]
pub async fn remote_add(state: State<'_, AppState>, req: RemoteAddRequest) -> IpcResult<RemoteDto> {
    state
        .actor
        .run(move |o| {
            let ca_cert = match req.ca_cert.filter(|c| !c.is_empty()) {
                Some(h) => Some(o.picks.resolve(&h, PickPurpose::CaCert)?.display().to_string()),
                None => None,
            };
            let (spec, token) = req.fields.into_spec(ca_cert);
            Ok(RemoteDto::from(&o.unlocked()?.remote_add(&spec, token.as_ref())?))
        })
        .await
}

/// Edits a remote (address, namespace, mount, prefix, TLS, auth, a new credential); its sync
/// history is kept unless the namespace, mount or prefix changed. The CA file comes as a pick
/// handle, as in `remote_add`.
#[tauri::command]
pub async fn remote_update(
    state: State<'_, AppState>,
    req: RemoteUpdateRequest,
) -> IpcResult<RemoteUpdatedDto> {
    state
        .actor
        .run(move |o| {
            let name = &req.fields.name;
            let ca_cert = match req.ca_cert {
                CaChange::Keep => {
                    let all = o.unlocked()?.remotes()?;
                    all.into_iter().find(|r| &r.spec.name == name).and_then(|r| r.spec.ca_cert)
                }
                CaChange::Clear => None,
                CaChange::Set(h) => {
                    Some(o.picks.resolve(&h, PickPurpose::CaCert)?.display().to_string())
                }
            };
            let (spec, token) = req.fields.into_spec(ca_cert);
            Ok(RemoteUpdatedDto::from(&o.unlocked()?.remote_update(
                &spec,
                token.as_ref(),
                false,
            )?))
        })
        .await
}

#[tauri::command]
pub async fn remote_remove(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    state.actor.vault(move |v| v.remote_remove(&name)).await
}

#[tauri::command]
pub async fn remote_test(
    state: State<'_, AppState>,
    name: String,
    on_progress: Channel<Progress>,
) -> IpcResult<HealthDto> {
    work::run(
        &state.actor,
        on_progress,
        false,
        |_| Ok(()),
        move |v, (), _| Ok(HealthDto::from(&v.remote_test(&name)?)),
    )
    .await
}

/// The plan of an operation before any write; `folders` limits it (empty: every folder).
#[tauri::command]
pub async fn remote_plan(
    state: State<'_, AppState>,
    name: String,
    direction: DirectionDto,
    folders: Vec<String>,
    on_progress: Channel<Progress>,
) -> IpcResult<PlanDto> {
    let d = match direction {
        DirectionDto::Push => Direction::Push,
        DirectionDto::Pull => Direction::Pull,
        DirectionDto::Sync => Direction::Sync,
    };
    work::run(
        &state.actor,
        on_progress,
        false,
        |_| Ok(()),
        move |v, (), _| Ok(PlanDto::from(&v.remote_plan(&name, d, &folders)?)),
    )
    .await
}

fn sync_options(folders: Vec<String>, resolutions: Vec<ResolveRequest>) -> IpcResult<SyncOptions> {
    let mut opts = SyncOptions { folders, ..Default::default() };
    for r in resolutions {
        let keep = match r.keep {
            Keep::Local => Resolution::KeepLocal,
            Keep::Remote => Resolution::KeepRemote,
        };
        opts.resolve(&r.path, keep)?;
    }
    Ok(opts)
}

/// Runs push, pull, sync (with the user's conflict choices) or migrate on `folders` (empty:
/// every folder); `work_cancel` stops it between folders.
#[tauri::command]
pub async fn remote_run(
    state: State<'_, AppState>,
    name: String,
    op: RemoteOp,
    folders: Vec<String>,
    resolutions: Vec<ResolveRequest>,
    on_progress: Channel<Progress>,
) -> IpcResult<OpReportDto> {
    let opts = sync_options(folders, resolutions)?;
    work::run(
        &state.actor,
        on_progress,
        true,
        |_| Ok(()),
        move |v, (), job| {
            let mut progress =
                |p: hush_core::remote::Progress| job.step(p.done as u64, p.total as u64);
            let cancel = job.cancel_flag();
            let report = match op {
                RemoteOp::Push => v.remote_push(&name, &opts, &mut progress, cancel)?,
                RemoteOp::Pull => v.remote_pull(&name, &opts, &mut progress, cancel)?,
                RemoteOp::Sync => v.remote_sync(&name, &opts, &mut progress, cancel)?,
                RemoteOp::Migrate => {
                    let m = MigrateOptions {
                        folders: opts.folders.clone(),
                        concurrency: 8,
                        ..Default::default()
                    };
                    v.remote_migrate(&name, &m, &mut progress, cancel)?
                }
            };
            job.finished(format!("{} folder(s) in {} ms", report.folders.len(), report.elapsed_ms));
            Ok(OpReportDto::from(&report))
        },
    )
    .await
}

/// The remote side of one key (a conflict's other side), read on demand: the only command that
/// sends a remote value to the web view. Audited as a reveal of `path`.
#[tauri::command]
pub async fn remote_peek(
    state: State<'_, AppState>,
    name: String,
    path: String,
    on_progress: Channel<Progress>,
) -> IpcResult<RemoteRevealed> {
    let p = hush_core::SecretPath::parse(&path)?;
    work::run(
        &state.actor,
        on_progress,
        false,
        |_| Ok(()),
        move |v, (), _| Ok(RemoteRevealed::new(p.to_string(), &v.remote_peek(&name, &p)?)),
    )
    .await
}

/// What was last synced with a remote, per folder (version and time).
#[tauri::command]
pub async fn remote_synced(
    state: State<'_, AppState>,
    name: String,
) -> IpcResult<Vec<SyncedFolderDto>> {
    let rows = state.actor.vault(move |v| v.remote_synced_folders(&name)).await?;
    Ok(rows.iter().map(SyncedFolderDto::from).collect())
}

/// Asks long work (its id came first in its progress) to stop at its next step.
#[tauri::command]
pub async fn work_cancel(state: State<'_, AppState>, id: u64) -> IpcResult<bool> {
    Ok(state.actor.cancel_work(id))
}
