//! Projects (`hush.toml`): the known ones (trusted, or opened here through the picker), trust and
//! untrust, check an environment, and `.env` mounts: those running (served here or by
//! `hush mount`), their read log, and serving one from the app. A project is named by its file,
//! and only a file the user trusted or picked is taken: the web view cannot name one of its own.

use std::path::{Path, PathBuf};

use hush_core::project::check::{self, Spec};
use hush_core::project::{self, Environment, Project, TrustStore};
use hush_core::{Action, AuditFilter, Error, ErrorKind};
use tauri::State;

use crate::actor::Owner;
use crate::dto_project::{MountDto, MountReadDto, ProjectCheckDto, ProjectDto};
use crate::error::{IpcError, IpcResult};
use crate::picks::PickPurpose;
use crate::state::AppState;

fn trust_store(o: &Owner) -> IpcResult<&TrustStore> {
    o.trust.as_ref().ok_or_else(|| IpcError::invalid("no user data directory is known"))
}

/// The project of `file`, if the user trusted it once or picked it in this session.
fn known(o: &Owner, file: &str) -> IpcResult<Project> {
    let path = PathBuf::from(file);
    let trusted = trust_store(o)?.list()?.iter().any(|r| Path::new(&r.path) == path);
    if !trusted && !o.opened_projects.contains(&path) {
        return Err(IpcError::new(
            ErrorKind::Invalid,
            "not_picked",
            "open the project's hush.toml with Open project… first",
        ));
    }
    Ok(Project::load(&path)?)
}

/// A known project that is trusted, and its environment `env` (default: the project's).
fn trusted_env(o: &Owner, file: &str, env: Option<&str>) -> IpcResult<(Project, Environment)> {
    let p = known(o, file)?;
    p.require_trusted(trust_store(o)?)?;
    let e = p.environment(env)?;
    Ok((p, e))
}

fn row(o: &Owner, p: &Project) -> IpcResult<ProjectDto> {
    let store = trust_store(o)?;
    let rec = store.list()?.into_iter().find(|r| Path::new(&r.path) == p.file);
    Ok(ProjectDto::new(p, p.trust_state(store)?, rec.as_ref()))
}

/// Every known project: trusted ones (by their record) and those opened in this session.
#[tauri::command]
pub async fn projects_list(state: State<'_, AppState>) -> IpcResult<Vec<ProjectDto>> {
    state
        .actor
        .peek(|o| {
            o.unlocked()?;
            let recs = trust_store(o)?.list()?;
            let mut files: Vec<String> = recs.iter().map(|r| r.path.clone()).collect();
            files.extend(o.opened_projects.iter().map(|p| p.display().to_string()));
            files.sort();
            files.dedup();
            let rows = files.iter().map(|f| match Project::load(Path::new(f)) {
                Ok(p) => row(o, &p),
                Err(e) => Ok(ProjectDto::broken(f, recs.iter().find(|r| &r.path == f), &e)),
            });
            rows.collect()
        })
        .await
}

/// Opens a project by the `hush.toml` the native picker returned (it is not trusted by that).
#[tauri::command]
pub async fn project_open(state: State<'_, AppState>, file: String) -> IpcResult<ProjectDto> {
    state
        .actor
        .run(move |o| {
            o.unlocked()?;
            let p = Project::load(&o.picks.resolve(&file, PickPurpose::ProjectFile)?)?;
            o.opened_projects.insert(p.file.clone());
            row(o, &p)
        })
        .await
}

/// Trusts the project file as it is now (`trust = false`: forgets the trust).
#[tauri::command]
pub async fn project_trust(
    state: State<'_, AppState>,
    file: String,
    trust: bool,
) -> IpcResult<ProjectDto> {
    state
        .actor
        .run(move |o| {
            o.unlocked()?;
            let p = known(o, &file)?;
            // Kept in this session's list, so an untrusted project stays in view.
            o.opened_projects.insert(p.file.clone());
            if trust {
                p.trust(trust_store(o)?)?;
            } else {
                trust_store(o)?.revoke(&p.file)?;
            }
            row(o, &p)
        })
        .await
}

/// Checks environment `env` (default: the project's) against the project's variables: names
/// only, one `check` audit entry. The project must be trusted.
#[tauri::command]
pub async fn project_check(
    state: State<'_, AppState>,
    file: String,
    env: Option<String>,
) -> IpcResult<ProjectCheckDto> {
    state
        .actor
        .run(move |o| {
            let (p, e) = trusted_env(o, &file, env.as_deref())?;
            let spec = Spec::for_project(&p.root, &p.config)?.ok_or_else(|| {
                Error::InvalidInput(
                    "this project lists no variables ([vars] or .env.example)".into(),
                )
            })?;
            let v = o.unlocked()?;
            let (present, empty) = project::present_folders(v, &e.folders)?;
            let names: Vec<&str> = e.folders.iter().map(|f| f.as_str()).collect();
            let detail = format!("{} against {}", names.join(" + "), spec.source);
            let values = project::layered_values(v, &present, Some((Action::Check, &detail)))?;
            let empty = empty.iter().map(|f| f.to_string()).collect();
            Ok(ProjectCheckDto::new(e.name, check::check(&spec, &values), empty))
        })
        .await
}

/// The recorded mounts (alive or stale), those served by this app marked.
#[tauri::command]
pub async fn mounts_list(state: State<'_, AppState>) -> IpcResult<Vec<MountDto>> {
    state
        .actor
        .peek(|o| {
            o.unlocked()?;
            #[cfg(unix)]
            return Ok(project::mount::list_mounts()?
                .iter()
                .map(|m| MountDto::new(m, o.mounts.contains_key(Path::new(&m.record.path))))
                .collect());
            #[cfg(not(unix))]
            Ok(Vec::new())
        })
        .await
}

/// The newest reads of mounted `.env` pipes (`mount_read` audit entries), newest first.
#[tauri::command]
pub async fn mount_reads(state: State<'_, AppState>, limit: u32) -> IpcResult<Vec<MountReadDto>> {
    let filter = AuditFilter {
        action: Some(Action::MountRead),
        limit: Some(limit.clamp(1, 1000)),
        ..Default::default()
    };
    let entries = state.actor.peek(move |o| Ok(o.unlocked()?.audit_log(&filter)?)).await?;
    Ok(entries.iter().filter_map(MountReadDto::of).collect())
}

/// Serves environment `env` of a trusted project as a pipe at `<project>/.env`, from this app,
/// until `mount_stop` or the vault locks.
#[tauri::command]
pub async fn mount_start(
    state: State<'_, AppState>,
    file: String,
    env: Option<String>,
) -> IpcResult<MountDto> {
    state
        .actor
        .run(move |o| {
            let (p, e) = trusted_env(o, &file, env.as_deref())?;
            #[cfg(unix)]
            return serve(o, &p, e);
            #[cfg(not(unix))]
            Err(IpcError::invalid(format!("{} has no named pipes: use run instead", e.name)))
        })
        .await
}

#[cfg(unix)]
fn serve(o: &mut Owner, p: &Project, e: Environment) -> IpcResult<MountDto> {
    use project::mount::{self, MountServer, MountSpec};
    let path = p.root.join(".env");
    mount::check_path(&path)?;
    let (present, _) = project::present_folders(o.unlocked()?, &e.folders)?;
    let spec = MountSpec {
        path: path.clone(),
        folders: present,
        env: Some(e.name),
        project: Some(p.file.display().to_string()),
    };
    // The hush CLI beside the app, if there, cleans the pipe up should the app be killed.
    let guard =
        std::env::current_exe().ok().map(|x| x.with_file_name("hush")).filter(|g| g.is_file());
    let vault = o.unlocked()?.try_clone()?;
    let server = MountServer::start(vault, spec, guard.as_deref(), |_| {}, |_| {})?;
    o.mounts.insert(server.path().to_path_buf(), server);
    let m = mount::list_mounts()?.into_iter().find(|m| Path::new(&m.record.path) == path);
    m.map(|m| MountDto::new(&m, true))
        .ok_or_else(|| IpcError::internal("the mount started but left no record"))
}

/// Stops serving the pipe at `path`: this app's own, or a `hush mount` elsewhere (which is asked
/// to stop); a stale pipe is removed.
#[tauri::command]
pub async fn mount_stop(state: State<'_, AppState>, path: String) -> IpcResult<()> {
    state
        .actor
        .run(move |o| {
            o.unlocked()?;
            #[cfg(unix)]
            {
                let rec =
                    project::mount::list_mounts()?.into_iter().find(|m| m.record.path == path);
                let Some(rec) = rec else {
                    return Err(Error::NotMounted { path: path.into() }.into());
                };
                match o.mounts.remove(Path::new(&path)) {
                    Some(mut m) => m.stop()?,
                    // Ours by pid but not served any more: never signal ourselves.
                    None if rec.record.pid == std::process::id() => {
                        return Err(IpcError::internal(
                            "this pipe's server in the app has stopped",
                        ));
                    }
                    None => drop(project::mount::unmount(Path::new(&path))?),
                }
            }
            Ok(())
        })
        .await
}
