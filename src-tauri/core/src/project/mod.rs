//! Projects: a repository's `hush.toml` names its environments (vault folders, layered) and the
//! variables it needs. Found by walking up from the working directory, like git; used only once
//! trusted (see [`trust`]). Built on the public `Vault` API, plus one engine-internal reader
//! ([`values`]) for the values `check`, `mount` and `scan` need without a `run` or `export` entry.
//!
//! What the desktop Projects view needs is here too: [`TrustStore::list`] (known projects),
//! [`Project::load`] + [`Project::trust_state`], [`Project::environment`], [`check::check`],
//! [`mount::list_mounts`] and the `mount_read` audit entries.

mod activate;
pub mod check;
mod config;
pub mod init;
mod inject;
#[cfg(unix)]
pub mod mount;
pub mod scan;
mod trust;
mod values;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::ListFilter;
use crate::path::FolderPath;
use crate::vault::Vault;

pub use activate::{hook_step, ActiveState, HookStep, Load};
pub use config::{EnvDef, ProjectConfig, VarSpec, VarType, MAX_PROJECT_FILE_BYTES, PROJECT_FILE};
pub use inject::{has_bare_refs, resolve_bare_refs};
pub use trust::{file_hash, TrustRecord, TrustState, TrustStore};
pub use values::layered_values;

/// A project file, read and parsed.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// The directory holding `hush.toml` (canonical).
    pub root: PathBuf,
    /// The `hush.toml` itself (canonical).
    pub file: PathBuf,
    pub config: ProjectConfig,
    /// SHA-256 (hex) of the file's bytes, as trust records it.
    pub sha256: String,
}

/// A named environment of a project, resolved to folders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    pub name: String,
    #[serde(serialize_with = "folder_strings")]
    pub folders: Vec<FolderPath>,
    /// The `REMOTE:FOLDER` entries of `from` (their folders are in `folders` too).
    pub remote_first: Vec<String>,
}

fn folder_strings<S: serde::Serializer>(
    f: &[FolderPath],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(f.iter().map(FolderPath::as_str))
}

/// The nearest `hush.toml` at or above `start` (a regular file), if any.
pub fn find_project_file(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let f = d.join(PROJECT_FILE);
        if std::fs::metadata(&f).is_ok_and(|m| m.is_file()) {
            return Some(f);
        }
        dir = d.parent();
    }
    None
}

impl Project {
    /// Reads and parses a `hush.toml`.
    pub fn load(file: &Path) -> Result<Project> {
        let file = file.canonicalize().map_err(|e| Error::io(file, e))?;
        let meta = std::fs::metadata(&file).map_err(|e| Error::io(&file, e))?;
        // A pipe would block the read, a device never end it (`metadata` says 0 bytes for both).
        if !meta.is_file() {
            return Err(Error::InvalidInput(format!("{} is not a regular file", file.display())));
        }
        let too_large = || Error::InvalidInput(format!("{} is larger than 1 MiB", file.display()));
        if meta.len() > MAX_PROJECT_FILE_BYTES {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        let f = std::fs::File::open(&file).map_err(|e| Error::io(&file, e))?;
        std::io::Read::read_to_end(
            &mut std::io::Read::take(f, MAX_PROJECT_FILE_BYTES + 1),
            &mut bytes,
        )
        .map_err(|e| Error::io(&file, e))?;
        if bytes.len() as u64 > MAX_PROJECT_FILE_BYTES {
            return Err(too_large());
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Error::InvalidInput(format!("{} is not UTF-8 text", file.display())))?;
        let config = ProjectConfig::parse(text, &file.display().to_string())?;
        let root = file.parent().expect("a file has a parent").to_path_buf();
        Ok(Project { root, file, config, sha256: file_hash(&bytes) })
    }

    /// The project `cwd` is in, if any.
    pub fn discover(cwd: &Path) -> Result<Option<Project>> {
        find_project_file(cwd).map(|f| Project::load(&f)).transpose()
    }

    pub fn trust_state(&self, store: &TrustStore) -> Result<TrustState> {
        store.state(&self.file, &self.sha256)
    }

    /// Ok if trusted with these exact bytes; else [`Error::Untrusted`].
    pub fn require_trusted(&self, store: &TrustStore) -> Result<()> {
        match self.trust_state(store)? {
            TrustState::Trusted => Ok(()),
            s => {
                Err(Error::Untrusted { path: self.file.clone(), changed: s == TrustState::Changed })
            }
        }
    }

    /// Trusts this file as read.
    pub fn trust(&self, store: &TrustStore) -> Result<TrustRecord> {
        store.trust(&self.file, &self.sha256)
    }

    /// The environment `name` (default: the file's default), as folders.
    pub fn environment(&self, name: Option<&str>) -> Result<Environment> {
        let (n, def) = self.config.env_named(name)?;
        let (mut folders, mut remote_first) = (Vec::new(), Vec::new());
        for entry in &def.from {
            let (remote, folder) = config::from_entry(entry)?;
            if remote.is_some() {
                remote_first.push(entry.clone());
            }
            folders.push(folder);
        }
        Ok(Environment { name: n.to_string(), folders, remote_first })
    }
}

/// The folders a command works on: `--from` folders when given, else the trusted project's
/// environment (`env`, else its default).
#[derive(Debug, Clone)]
pub struct Selection {
    pub folders: Vec<FolderPath>,
    /// The project they came from (None with `--from`).
    pub project: Option<Project>,
    pub env: Option<String>,
    /// The environment's `REMOTE:FOLDER` entries: `run`, `export` and `inject` read them from
    /// the remote first; the prompt hook, `mount` and `check` use the local copies (they never
    /// wait on the network).
    pub remote_first: Vec<String>,
}

/// Resolves `--from` / `--env` against the project of `cwd`. `--env` without a project, or no
/// folders at all, is an error that says what to do.
pub fn select(
    cwd: &Path,
    from: &[String],
    env: Option<&str>,
    store: &TrustStore,
) -> Result<Selection> {
    if !from.is_empty() {
        if env.is_some() {
            return Err(Error::InvalidInput("use --from or --env, not both".into()));
        }
        let folders = from.iter().map(|f| FolderPath::parse(f)).collect::<Result<_>>()?;
        return Ok(Selection { folders, project: None, env: None, remote_first: Vec::new() });
    }
    let Some(p) = Project::discover(cwd)? else {
        return Err(Error::InvalidInput(format!(
            "no folders: name them with --from FOLDER, or work inside a project (a {PROJECT_FILE} \
             here or above; `hush project init` makes one)"
        )));
    };
    p.require_trusted(store)?;
    let e = p.environment(env)?;
    Ok(Selection {
        folders: e.folders,
        project: Some(p),
        env: Some(e.name),
        remote_first: e.remote_first,
    })
}

/// Splits `folders` into those holding at least one live secret and those empty or missing
/// (metadata only; works locked). A project's personal override folder may not exist yet.
pub fn present_folders(
    vault: &Vault,
    folders: &[FolderPath],
) -> Result<(Vec<FolderPath>, Vec<FolderPath>)> {
    let (mut present, mut missing) = (Vec::new(), Vec::new());
    for f in folders {
        let metas =
            vault.list(&ListFilter { folder: Some(f.to_string()), ..Default::default() })?;
        if metas.iter().any(|m| m.folder == f.as_str()) {
            present.push(f.clone());
        } else {
            missing.push(f.clone());
        }
    }
    Ok((present, missing))
}
