//! `hush project init`: a directory with a plaintext `.env` becomes a project. The file is
//! imported into a folder, `hush.toml` names that folder as the default environment, `.env` goes
//! into `.gitignore`, and the import is verified (every statement of the file reads back equal
//! from the vault) so the face can offer to delete the plaintext. The new file is trusted: the
//! user just wrote it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::check::EXAMPLE_FILE;
use super::config::{EnvDef, ProjectConfig, VarSpec, PROJECT_FILE};
use super::values::layered_values;
use super::{Project, TrustStore};
use crate::audit::Action;
use crate::envfile;
use crate::error::{Error, Result};
use crate::path::FolderPath;
use crate::vault::{ImportOptions, ImportReport, OnExisting, Vault};

/// How to make the project.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    /// The plaintext file to import (none: an empty project naming `folder`).
    pub env_file: Option<PathBuf>,
    pub folder: FolderPath,
    /// The environment's name (`dev`).
    pub env_name: String,
    pub on_existing: OnExisting,
}

/// What `.gitignore` got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GitIgnore {
    Added,
    AlreadyIgnored,
}

/// What init did (no value).
#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub project_file: String,
    pub env: String,
    pub folder: String,
    pub imported: Option<ImportReport>,
    /// Every statement of the file reads back equal from the vault: the plaintext may go.
    pub verified: bool,
    /// Why not verified (names only).
    pub not_verified: Vec<String>,
    pub gitignore: GitIgnore,
    /// Variables written to `[vars]` (none when a `.env.example` is there to check against).
    pub vars: Vec<String>,
}

/// Makes the project (see the module doc). Refuses if `hush.toml` exists.
pub fn init(vault: &mut Vault, store: &TrustStore, o: &InitOptions) -> Result<InitReport> {
    let file = o.dir.join(PROJECT_FILE);
    if file.exists() {
        return Err(Error::AlreadyExists { path: file.display().to_string() });
    }
    let mut imported = None;
    let mut keys = Vec::new();
    if let Some(env_file) = &o.env_file {
        let opts = ImportOptions {
            folder: o.folder.to_string(),
            on_existing: o.on_existing,
            ..Default::default()
        };
        let preview = vault.import_preview(env_file, &opts)?;
        if let Some(e) = preview.blocker() {
            return Err(e);
        }
        imported = Some(vault.import_commit(&preview, &mut |_, _| {})?);
        keys = preview.items.iter().filter_map(|i| i.name.clone()).collect();
        keys.sort();
        keys.dedup();
    }
    let mut config = ProjectConfig { default: Some(o.env_name.clone()), ..Default::default() };
    config.env.insert(o.env_name.clone(), EnvDef { from: vec![o.folder.to_string()] });
    if !o.dir.join(EXAMPLE_FILE).exists() {
        for k in keys.iter().filter(|k| crate::path::is_env_name(k)) {
            config.vars.insert(k.clone(), VarSpec { required: Some(true), ..Default::default() });
        }
    }
    let vars = config.vars.keys().cloned().collect();
    let not_verified = match &o.env_file {
        Some(f) => verify_import(vault, f, &o.folder)?,
        None => Vec::new(),
    };
    let gitignore = ignore_dotenv(&o.dir)?;
    crate::fsutil::write_private_atomic(&file, config.render().as_bytes())?;
    set_mode_0644(&file);
    Project::load(&file)?.trust(store)?;
    Ok(InitReport {
        project_file: file.display().to_string(),
        env: o.env_name.clone(),
        folder: o.folder.to_string(),
        imported,
        verified: o.env_file.is_some() && not_verified.is_empty(),
        not_verified,
        gitignore,
        vars,
    })
}

/// hush.toml is meant to be committed and read by teammates: the usual 0644.
fn set_mode_0644(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// The names of `env_file` whose value is not exactly what `folder` holds (plus `line N` for
/// statements that were not imported). Empty: the vault has all of it.
pub fn verify_import(
    vault: &mut Vault,
    env_file: &Path,
    folder: &FolderPath,
) -> Result<Vec<String>> {
    let bytes = std::fs::read(env_file).map_err(|e| Error::io(env_file, e))?;
    let parsed = envfile::parse(&bytes);
    let detail = format!("verify the import of {}", env_file.display());
    let stored =
        layered_values(vault, std::slice::from_ref(folder), Some((Action::Check, &detail)))?;
    let mut want: BTreeMap<&str, Option<&[u8]>> = BTreeMap::new();
    for e in &parsed.entries {
        want.insert(&e.key, e.value.as_ref().map(|v| v.expose()));
    }
    let mut bad: Vec<String> = parsed.errors.iter().map(|e| format!("line {}", e.line)).collect();
    for (k, v) in want {
        match (v, stored.get(k)) {
            (Some(v), Some(s)) if s.expose() == v => {}
            _ => bad.push(k.to_string()),
        }
    }
    Ok(bad)
}

/// Deletes the plaintext file once the face has asked (only after [`verify_import`] found
/// nothing missing). A plain unlink: on SSDs and copy-on-write file systems overwriting in place
/// would not reach the old blocks either.
pub fn delete_plaintext(env_file: &Path) -> Result<()> {
    std::fs::remove_file(env_file).map_err(|e| Error::io(env_file, e))
}

/// Adds `.env` to `dir/.gitignore` unless git (or, without git, an existing line) already
/// ignores it.
pub fn ignore_dotenv(dir: &Path) -> Result<GitIgnore> {
    let by_git = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["check-ignore", "-q", "--no-index", ".env"])
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let gi = dir.join(".gitignore");
    let text = match std::fs::read_to_string(&gi) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(gi, e)),
    };
    let listed = text.lines().map(str::trim).any(|l| l == ".env" || l == "/.env");
    if by_git || listed {
        return Ok(GitIgnore::AlreadyIgnored);
    }
    let mut out = text;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("# plaintext secrets stay out of git (hush: `hush mount` serves .env from the vault)\n.env\n");
    std::fs::write(&gi, out).map_err(|e| Error::io(gi, e))?;
    Ok(GitIgnore::Added)
}
