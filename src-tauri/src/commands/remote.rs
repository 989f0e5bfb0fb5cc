//! HashiCorp Vault / OpenBao remotes: add, test, plan, and push / pull / sync / migrate with
//! progress over a Channel and a cancel button.

use std::sync::atomic::Ordering;

use hush_core::remote::{
    AuthSpec, Direction, MigrateOptions, RemoteCredential, RemoteSpec, Resolution, SyncOptions,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::dto::Progress;
use crate::dto_remote::{
    HealthDto, OpReportDto, PlanDto, RemoteAddRequest, RemoteDto, ResolveRequest,
};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Remote calls block on the engine's own runtime, which tokio forbids from inside any runtime
/// context (async tasks and spawn_blocking threads alike), so they run on a plain thread.
async fn off_runtime<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    f: impl FnOnce(&AppState) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("hush-remote-call".into())
        .spawn(move || {
            let _ = tx.send(f(&app.state::<AppState>()));
        })
        .map_err(|e| IpcError::new("internal", format!("could not start the remote call: {e}")))?;
    rx.await.map_err(|_| IpcError::new("internal", "the remote call stopped unexpectedly"))?
}

#[tauri::command]
pub async fn remote_list(state: State<'_, AppState>) -> IpcResult<Vec<RemoteDto>> {
    state.with_vault(|v| Ok(v.remotes()?.iter().map(RemoteDto::from).collect()))
}

#[tauri::command]
pub async fn remote_add(state: State<'_, AppState>, req: RemoteAddRequest) -> IpcResult<RemoteDto> {
    let auth = match req.auth.as_str() {
        "token" => AuthSpec::Token,
        "approle" => AuthSpec::Approle {
            mount: req.approle_mount.filter(|m| !m.is_empty()).unwrap_or_else(|| "approle".into()),
            role_id: req.role_id.unwrap_or_default(),
        },
        other => {
            return Err(IpcError::new(
                "invalid_input",
                format!("auth must be 'token' or 'approle', not '{other}'"),
            ))
        }
    };
    let spec = RemoteSpec {
        name: req.name,
        addr: req.addr,
        namespace: req.namespace.filter(|n| !n.is_empty()),
        mount: req.mount,
        prefix: req.prefix,
        ca_cert: req.ca_cert.filter(|c| !c.is_empty()),
        skip_verify: req.skip_verify,
        auth,
    };
    let token = req.token.filter(|t| !t.is_empty()).map(RemoteCredential::new);
    state.with_vault(|v| v.remote_add(&spec, token.as_ref())).map(|r| RemoteDto::from(&r))
}

#[tauri::command]
pub async fn remote_remove(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    state.with_vault(|v| v.remote_remove(&name))
}

#[tauri::command]
pub async fn remote_test<R: Runtime>(app: AppHandle<R>, name: String) -> IpcResult<HealthDto> {
    off_runtime(app, move |s| s.with_vault(|v| v.remote_test(&name)).map(|h| HealthDto::from(&h)))
        .await
}

fn parse_direction(d: &str) -> IpcResult<Direction> {
    match d {
        "push" => Ok(Direction::Push),
        "pull" => Ok(Direction::Pull),
        "sync" => Ok(Direction::Sync),
        _ => Err(IpcError::new("invalid_input", format!("unknown direction '{d}'"))),
    }
}

#[tauri::command]
pub async fn remote_plan<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    direction: String,
) -> IpcResult<PlanDto> {
    let d = parse_direction(&direction)?;
    off_runtime(app, move |s| {
        s.with_vault(|v| v.remote_plan(&name, d, &[])).map(|p| PlanDto::from(&p))
    })
    .await
}

fn sync_options(resolutions: Vec<ResolveRequest>) -> IpcResult<SyncOptions> {
    let mut opts = SyncOptions::default();
    for r in resolutions {
        let keep = match r.keep.as_str() {
            "local" => Resolution::KeepLocal,
            "remote" => Resolution::KeepRemote,
            other => {
                return Err(IpcError::new(
                    "invalid_input",
                    format!("keep must be 'local' or 'remote', not '{other}'"),
                ))
            }
        };
        opts.resolutions.insert(r.path.trim_end_matches('/').to_string(), keep);
    }
    Ok(opts)
}

/// Runs push, pull, sync (with the user's conflict choices) or migrate; `remote_cancel` stops it
/// between folders.
#[tauri::command]
pub async fn remote_run<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    op: String,
    resolutions: Vec<ResolveRequest>,
    on_progress: Channel<Progress>,
) -> IpcResult<OpReportDto> {
    let opts = sync_options(resolutions)?;
    off_runtime(app, move |s| {
        s.remote_cancel.store(false, Ordering::SeqCst);
        let cancel = s.remote_cancel.clone();
        let mut progress = |p: hush_core::remote::Progress| {
            let _ = on_progress.send(Progress::Step { done: p.done as u64, total: p.total as u64 });
        };
        let report = s.with_vault(|v| match op.as_str() {
            "push" => v.remote_push(&name, &opts, &mut progress, &cancel),
            "pull" => v.remote_pull(&name, &opts, &mut progress, &cancel),
            "sync" => v.remote_sync(&name, &opts, &mut progress, &cancel),
            "migrate" => v.remote_migrate(
                &name,
                &MigrateOptions { concurrency: 8, ..Default::default() },
                &mut progress,
                &cancel,
            ),
            other => Err(hush_core::Error::InvalidInput(format!("unknown operation '{other}'"))),
        })?;
        let _ = on_progress.send(Progress::Finished {
            message: format!("{} folder(s) in {} ms", report.folders.len(), report.elapsed_ms),
        });
        Ok(OpReportDto::from(&report))
    })
    .await
}

#[tauri::command]
pub async fn remote_cancel(state: State<'_, AppState>) -> IpcResult<()> {
    state.remote_cancel.store(true, Ordering::SeqCst);
    Ok(())
}
