//! Remote-first reads with a local fallback (`hush run --from team:myapp/dev`): the folders are
//! read from the remote when it answers within a short bound and the local copy is refreshed as a
//! pull would (a key changed on both sides is never overwritten: the local value stays and is
//! used); when the remote does not answer in time, or refuses, the last synced local copy is
//! used. Either way the answer says which copy it is.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::Serialize;

use super::exec::RunCfg;
use super::runtime;
use super::types::{Direction, FolderOutcome, KeyAction, OpKind, SyncOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::path::FolderPath;
use crate::store::SecretFilter;
use crate::vault::Vault;

/// The default bound of a remote-first read (`HUSH_REMOTE_TIMEOUT` seconds changes it).
pub const REMOTE_FIRST_BOUND: Duration = Duration::from_secs(3);

/// Which copy a remote-first read used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FirstSource {
    /// The remote answered; the local copy now holds what it holds (conflicts aside).
    Remote,
    /// The remote did not answer in time or refused: the local copy as last synced.
    LocalFallback,
}

/// What a remote-first read did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RemoteFirst {
    pub remote: String,
    pub folders: Vec<String>,
    pub source: FirstSource,
    /// Why the local copy is used (`LocalFallback`): the remote's error, or the timeout.
    pub reason: Option<String>,
    /// The stable code of that error (`timeout` when the bound passed).
    pub reason_code: Option<String>,
    /// When each folder was last synced with this remote (Unix seconds; `None`: never).
    pub last_synced: Vec<(String, Option<i64>)>,
    /// Keys brought in or updated from the remote.
    pub updated: usize,
    /// Keys changed on both sides (or removed on one): the local value is used.
    pub conflicts: Vec<FirstConflict>,
    /// Keys whose local value is used because it is ahead of the remote (changed or created
    /// here since the last sync, not pushed yet): the program gets what the remote does not hold.
    pub ahead: Vec<AheadKey>,
    /// Remote keys the local copy cannot take (a name Hush cannot use, a value over 1 MiB): the
    /// program runs without them.
    pub left_out: Vec<LeftOut>,
    /// Folders the remote does not hold at all: their local copy is what the program gets.
    pub absent: Vec<String>,
    /// Folders the remote refused to give (a policy): their local copy is what the program gets.
    pub unread: Vec<String>,
    pub notes: Vec<String>,
}

/// A remote key a remote-first read could not bring into the local copy.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeftOut {
    /// `folder/NAME` (the name escaped when it is not a plain one).
    pub path: String,
    pub reason: String,
}

/// A key a remote-first read took from the local copy because it is ahead of the remote.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AheadKey {
    /// `folder/NAME`.
    pub path: String,
    /// The remote holds an older value (true) or none (false: created here).
    pub on_remote: bool,
}

/// A key a remote-first read left as it was locally.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FirstConflict {
    /// `folder/NAME`, as `--keep-local` and `--keep-remote` take it.
    pub path: String,
    /// Why: changed on both sides, or removed on one.
    pub reason: String,
    /// Whether the local copy holds the key (false: it was removed here, and stays removed).
    pub held: bool,
}

impl Vault {
    /// Reads `folders` from remote `name` within `bound` and refreshes the local copy as a pull
    /// would; falls back to the local copy when the remote does not answer in time or refuses.
    /// Local problems (locked, integrity, a folder name that is not one) are errors as usual.
    pub fn remote_first(
        &mut self,
        name: &str,
        folders: &[String],
        bound: Duration,
    ) -> Result<RemoteFirst> {
        let folders: Vec<String> = folders
            .iter()
            .map(|f| FolderPath::parse(f).map(|p| p.as_str().to_string()))
            .collect::<Result<_>>()?;
        let row = self.remote_row(name)?;
        let mut cfg = RunCfg::from_sync(
            OpKind::Pull,
            Direction::Pull,
            &SyncOptions { folders: folders.clone(), ..Default::default() },
        );
        cfg.bound = Some(bound);
        // A run reads each folder's own secrets, not its subfolders': those are not pulled.
        cfg.exact = true;
        let never = AtomicBool::new(false);
        let outcome = runtime::block_on(async {
            match tokio::time::timeout(bound, self.prepare(&row, &cfg, &mut |_| {})).await {
                Err(_) => Ok(Err((
                    format!("{name} did not answer within {:.1} s", bound.as_secs_f64()),
                    "timeout".to_string(),
                ))),
                Ok(Err(e)) if matches!(e.kind(), ErrorKind::Remote | ErrorKind::Denied) => {
                    Ok(Err((e.to_string(), e.code().to_string())))
                }
                Ok(Err(e)) => Err(e),
                Ok(Ok(p)) => self.execute(&row, &cfg, p, &mut |_| {}, &never).await.map(Ok),
            }
        })??;
        let last_synced = {
            let tx = self.store().read()?;
            let synced = tx.synced_folders(row.id)?;
            folders
                .iter()
                .map(|f| (f.clone(), synced.iter().find(|s| &s.0 == f).map(|s| s.2)))
                .collect()
        };
        let mut out = RemoteFirst {
            remote: name.to_string(),
            folders: folders.clone(),
            source: FirstSource::Remote,
            reason: None,
            reason_code: None,
            last_synced,
            updated: 0,
            conflicts: Vec::new(),
            ahead: Vec::new(),
            absent: Vec::new(),
            unread: Vec::new(),
            left_out: Vec::new(),
            notes: Vec::new(),
        };
        let report = match outcome {
            Ok(r) => r,
            Err((reason, code)) => {
                // A folder never pulled has nothing to fall back on: running without its
                // variables, or failing later with "no secrets", would hide why.
                if let Some(folder) = self.first_without_local_copy(&folders)? {
                    let denied = matches!(code.as_str(), "remote_denied" | "remote_auth");
                    let remote = name.to_string();
                    return Err(Error::NoLocalCopy { remote, folder, reason, denied });
                }
                out.source = FirstSource::LocalFallback;
                out.reason = Some(reason);
                out.reason_code = Some(code);
                return Ok(out);
            }
        };
        // The warnings, and where the values came from when the environment chose it.
        let kept = |n: &String| {
            n.starts_with("warning: ") || n.starts_with(super::addr::ENV_NAMESPACE_NOTE)
        };
        out.notes = report.notes.into_iter().filter(kept).collect();
        for f in &report.folders {
            if f.outcome == FolderOutcome::Failed {
                // This folder could not be read (a policy): its local copy is what there is.
                out.unread.push(f.folder.clone());
                out.notes.push(format!(
                    "{}: {}; the local copy is used",
                    f.folder,
                    f.error.as_deref().unwrap_or("failed")
                ));
            }
            let (unread, other): (Vec<&String>, Vec<&String>) =
                f.notes.iter().partition(|n| super::meta::is_problem_note(n));
            out.notes.extend(other.iter().map(|n| format!("{}: {n}", f.folder)));
            if !unread.is_empty() {
                out.notes.push(format!(
                    "{}: the remote metadata of {} secret(s) holds fields Hush cannot read (kept on the remote; a pull plan names them)",
                    f.folder,
                    unread.len()
                ));
            }
            for k in &f.keys {
                let path = || {
                    super::mapping::secret_path(&f.folder, &k.name)
                        .map_or_else(|_| format!("{}/{}", f.folder, k.name), |p| p.to_string())
                };
                match k.action {
                    KeyAction::CreateLocal | KeyAction::UpdateLocal => out.updated += 1,
                    KeyAction::Conflict => out.conflicts.push(FirstConflict {
                        path: path(),
                        reason: k.reason.clone().unwrap_or_else(|| "conflict".into()),
                        held: k.local_version.is_some(),
                    }),
                    // A pull skips a local key only when it is ahead (newer, or only here): the
                    // names it cannot use are remote-only, with no local version.
                    KeyAction::Skipped if k.local_version.is_some() => out
                        .ahead
                        .push(AheadKey { path: path(), on_remote: k.remote_version.is_some() }),
                    KeyAction::Skipped => out.left_out.push(LeftOut {
                        path: path(),
                        reason: k.reason.clone().unwrap_or_else(|| "skipped".into()),
                    }),
                    _ => {}
                }
            }
        }
        // A folder the token may not read, with nothing here either: the program must not
        // start without it (nor fail later with "no secrets").
        if let Some(folder) = self.first_without_local_copy(&out.unread)? {
            let failed = report.folders.iter().find(|r| r.folder == folder);
            let reason = failed.and_then(|r| r.error.clone()).unwrap_or_default();
            let remote = name.to_string();
            return Err(Error::NoLocalCopy { remote, folder, reason, denied: true });
        }
        // A named folder the remote does not hold: nothing came from it, so "read from the
        // remote" would say what did not happen.
        out.absent = folders
            .iter()
            .filter(|f| {
                !out.unread.contains(f)
                    && !report.folders.iter().any(|r| {
                        &r.folder == *f
                            && (r.remote_version > 0
                                || r.keys.iter().any(|k| k.remote_version.is_some()))
                    })
            })
            .cloned()
            .collect();
        // Nor here: "the local copy is used" would be a copy of nothing.
        if let Some(folder) = self.first_without_local_copy(&out.absent)? {
            return Err(Error::NotOnRemote {
                path: folder,
                remote: name.to_string(),
                at: "nor in the vault; a run reads a folder's own secrets, not its subfolders'"
                    .into(),
            });
        }
        Ok(out)
    }

    /// The first of `folders` that holds no live secret of its own (sub-folders aside, as `run`
    /// reads folders).
    fn first_without_local_copy(&self, folders: &[String]) -> Result<Option<String>> {
        let tx = self.store().read()?;
        for f in folders {
            let filter =
                SecretFilter { folder: Some(f.as_str()), direct: true, ..Default::default() };
            if tx.secrets(&filter)?.iter().all(|r| r.deleted_at.is_some()) {
                return Ok(Some(f.clone()));
            }
        }
        Ok(None)
    }
}

/// The bound from `HUSH_REMOTE_TIMEOUT` (seconds), else [`REMOTE_FIRST_BOUND`].
pub fn remote_first_bound() -> Result<Duration> {
    match std::env::var("HUSH_REMOTE_TIMEOUT") {
        Ok(s) if !s.trim().is_empty() => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0 && *x <= 600.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "HUSH_REMOTE_TIMEOUT '{}' is not a number of seconds above 0 and at most 600",
                    s.escape_debug()
                ))
            }),
        _ => Ok(REMOTE_FIRST_BOUND),
    }
}
