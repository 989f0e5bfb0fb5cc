//! IPC types of the Projects view (generated into ui/src/lib/bindings.ts with dto.rs): known
//! projects with their environments, trust and check status, and `.env` mounts with their read
//! log. None of them carries a value: a check says missing / invalid / extra by name only.

use hush_core::project::check::CheckReport;
use hush_core::project::mount::MountStatus;
use hush_core::project::{Project, TrustRecord, TrustState};
use hush_core::{AuditEntry, Outcome};
use serde::Serialize;
use ts_rs::TS;

/// One environment of a project: its folders in order (later wins).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvDto {
    pub name: String,
    pub folders: Vec<String>,
    pub is_default: bool,
}

/// A project the app knows: trusted once (a trust record), or opened in this session.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectDto {
    /// The `hush.toml` (canonical); the id the other project commands take.
    pub file: String,
    pub root: String,
    /// None when the file cannot be read any more (moved, deleted, unreadable): see `problem`.
    pub trust: Option<TrustState>,
    pub trusted_at: Option<i64>,
    pub problem: Option<String>,
    pub envs: Vec<EnvDto>,
    /// Where the required variables come from (`hush.toml [vars]`, `.env.example`), and how many.
    pub vars_source: Option<String>,
    pub vars_count: u64,
}

impl ProjectDto {
    pub fn new(p: &Project, trust: TrustState, rec: Option<&TrustRecord>) -> Self {
        let default = p.config.env_named(None).ok().map(|(n, _)| n.to_string());
        let spec = hush_core::project::check::Spec::for_project(&p.root, &p.config).ok().flatten();
        ProjectDto {
            file: p.file.display().to_string(),
            root: p.root.display().to_string(),
            trust: Some(trust),
            trusted_at: rec.map(|r| r.trusted_at),
            problem: None,
            envs: p
                .config
                .env
                .iter()
                .map(|(name, e)| EnvDto {
                    name: name.clone(),
                    folders: e.from.clone(),
                    is_default: default.as_deref() == Some(name),
                })
                .collect(),
            vars_source: spec.as_ref().map(|s| s.source.clone()),
            vars_count: spec.map_or(0, |s| s.rules.len() as u64),
        }
    }

    /// A known project whose file cannot be read.
    pub fn broken(file: &str, rec: Option<&TrustRecord>, e: &hush_core::Error) -> Self {
        let root = std::path::Path::new(file).parent().map(|p| p.display().to_string());
        ProjectDto {
            file: file.to_string(),
            root: root.unwrap_or_default(),
            trust: None,
            trusted_at: rec.map(|r| r.trusted_at),
            problem: Some(e.to_string()),
            envs: Vec::new(),
            vars_source: None,
            vars_count: 0,
        }
    }
}

/// A variable whose value breaks its rule, and why (never the value).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InvalidVarDto {
    pub name: String,
    pub reason: String,
}

/// An environment checked against the project's variables. Names only.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProjectCheckDto {
    pub env: String,
    pub source: String,
    pub passed: bool,
    pub ok: Vec<String>,
    pub missing: Vec<String>,
    pub invalid: Vec<InvalidVarDto>,
    /// Optional variables left unset (their default applies).
    pub defaulted: Vec<String>,
    /// In the environment, not in the list of variables.
    pub extra: Vec<String>,
    /// Folders of the environment that hold no secret (skipped).
    pub empty_folders: Vec<String>,
}

impl ProjectCheckDto {
    pub fn new(env: String, r: CheckReport, empty_folders: Vec<String>) -> Self {
        ProjectCheckDto {
            env,
            source: r.source,
            passed: r.passed,
            ok: r.ok,
            missing: r.missing,
            invalid: r
                .invalid
                .into_iter()
                .map(|i| InvalidVarDto { name: i.name, reason: i.reason })
                .collect(),
            defaulted: r.defaulted,
            extra: r.extra,
            empty_folders,
        }
    }
}

/// A `.env` pipe being served (by the app, the CLI, or a server that is gone).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MountDto {
    pub path: String,
    pub pid: u32,
    pub folders: Vec<String>,
    pub env: Option<String>,
    /// The project file the environment came from.
    pub project: Option<String>,
    pub started_at: i64,
    /// False: its server is gone (a stale pipe, replaced by the next mount).
    pub alive: bool,
    /// Served by this app (stopped by it, and on lock); else by `hush mount`.
    pub served_here: bool,
}

impl MountDto {
    pub fn new(m: &MountStatus, served_here: bool) -> Self {
        let r = &m.record;
        MountDto {
            path: r.path.clone(),
            pid: r.pid,
            folders: r.folders.clone(),
            env: r.env.clone(),
            project: r.project.clone(),
            started_at: r.started_at,
            alive: m.alive,
            served_here,
        }
    }
}

/// One read of a mounted `.env` (a `mount_read` audit entry).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MountReadDto {
    pub seq: i64,
    pub ts: i64,
    /// The pipe that was read.
    pub path: String,
    /// Who read it, as the OS told (e.g. `1234 (python3)`), or "a process".
    pub reader: String,
    pub outcome: Outcome,
}

impl MountReadDto {
    /// The entry as a read of the pipe at `path`, if it is one (`"<path> read by <readers>"`).
    pub fn of(e: &AuditEntry) -> Option<Self> {
        let (path, reader) = e.detail.as_deref()?.split_once(" read by ")?;
        Some(MountReadDto {
            seq: e.seq,
            ts: e.ts,
            path: path.to_string(),
            reader: reader.to_string(),
            outcome: e.outcome,
        })
    }
}

pub fn declarations(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        TrustState::decl(cfg),
        EnvDto::decl(cfg),
        ProjectDto::decl(cfg),
        InvalidVarDto::decl(cfg),
        ProjectCheckDto::decl(cfg),
        MountDto::decl(cfg),
        MountReadDto::decl(cfg),
    ]
}
