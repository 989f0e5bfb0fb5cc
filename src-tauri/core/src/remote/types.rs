//! The serialisable shapes of remote work: plans, options, progress events and reports. They are
//! what `--json` prints and what the desktop app receives; none of them holds a value.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which way a plan or an operation moves values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Local → remote (push, migrate).
    Push,
    /// Remote → local.
    Pull,
    /// Both ways; keys changed on both sides since the last sync are conflicts.
    Sync,
}

/// What happens (or would happen) to one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum KeyAction {
    Unchanged,
    CreateRemote,
    UpdateRemote,
    CreateLocal,
    UpdateLocal,
    /// A key removed on one side since the last sync, removed on the other too by an explicit
    /// choice (never without one): the remote field is dropped in a new version (KV v2 keeps the
    /// old one); the local secret goes to the trash.
    DeleteRemote,
    DeleteLocal,
    /// Both sides differ and the last sync cannot say which one is newer: needs a choice.
    Conflict,
    /// Not moved in this direction (e.g. a remote-only key during a push), or not representable.
    Skipped,
}

impl KeyAction {
    pub fn writes_remote(self) -> bool {
        matches!(self, KeyAction::CreateRemote | KeyAction::UpdateRemote | KeyAction::DeleteRemote)
    }
    pub fn writes_local(self) -> bool {
        matches!(self, KeyAction::CreateLocal | KeyAction::UpdateLocal | KeyAction::DeleteLocal)
    }
}

/// One key of a folder plan. Versions, never values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyPlan {
    pub name: String,
    pub action: KeyAction,
    /// Local version of the key, if it exists locally.
    pub local_version: Option<u64>,
    /// Remote version of the folder's KV secret holding the key, if the key exists remotely.
    pub remote_version: Option<u64>,
    /// Why: "changed on both sides since the last sync", "remote only", ...
    pub reason: Option<String>,
}

/// The sync state of a folder: what the app shows as a badge in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FolderState {
    InSync,
    LocalAhead,
    RemoteAhead,
    /// Changes on both sides, none conflicting.
    Diverged,
    Conflict,
    /// The token may not read the remote secret (403): what it holds is unknown, so nothing is
    /// planned for it. A plan never guesses "not on the remote" for a folder it could not read.
    Unreadable,
}

/// The plan of one folder.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FolderPlan {
    pub folder: String,
    /// `<mount>/<prefix>/<folder>`, as `bao kv get` takes it.
    pub remote_path: String,
    pub remote_exists: bool,
    /// Current version of the remote secret (0 on KV v1 or when it does not exist).
    pub remote_version: u64,
    /// Remote version at the last sync with this remote, if the folder was ever synced.
    pub last_synced_version: Option<u64>,
    pub state: FolderState,
    /// True when Hush metadata in `custom_metadata` will be (re)written.
    pub metadata_changes: bool,
    pub keys: Vec<KeyPlan>,
    pub notes: Vec<String>,
    /// The `custom_metadata` a push would leave and its notes, as the plan computed them to
    /// decide `metadata_changes` (encoding every secret's entry again for the write cost as
    /// much), with the version of the remote secret they were computed against.
    #[serde(skip)]
    pub(crate) custom: Option<PlannedCustom>,
}

/// See `FolderPlan::custom`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedCustom {
    pub against: Option<u64>,
    pub full: BTreeMap<String, String>,
    pub notes: Vec<String>,
}

impl FolderPlan {
    pub fn count(&self, a: KeyAction) -> usize {
        self.keys.iter().filter(|k| k.action == a).count()
    }
    pub fn has_work(&self) -> bool {
        self.metadata_changes
            || self.keys.iter().any(|k| k.action.writes_remote() || k.action.writes_local())
    }
}

/// A plan: what push, pull or sync would do, per folder and key. Nothing is written to make it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    pub remote: String,
    pub direction: Direction,
    /// 1 or 2.
    pub kv_version: u8,
    pub folders: Vec<FolderPlan>,
    pub totals: OpTotals,
    pub notes: Vec<String>,
}

/// Counts over keys (and folders where said).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OpTotals {
    pub folders: usize,
    pub created_remote: usize,
    pub updated_remote: usize,
    pub created_local: usize,
    pub updated_local: usize,
    /// Removals carried over by an explicit conflict choice.
    pub deleted_remote: usize,
    pub deleted_local: usize,
    pub unchanged: usize,
    pub conflicts: usize,
    pub skipped: usize,
    /// Folders that failed (operations), or whose remote secret the token may not read (plans).
    pub failed_folders: usize,
    /// Local folders moved to the trash after a verified migrate.
    pub removed_local_folders: usize,
    /// Folders whose values landed but whose `custom_metadata` write failed (each carries the
    /// error; not counted in `failed_folders`, as their values are done).
    pub metadata_failed: usize,
}

impl OpTotals {
    pub(crate) fn add_keys(&mut self, keys: &[KeyPlan]) {
        for k in keys {
            match k.action {
                KeyAction::Unchanged => self.unchanged += 1,
                KeyAction::CreateRemote => self.created_remote += 1,
                KeyAction::UpdateRemote => self.updated_remote += 1,
                KeyAction::CreateLocal => self.created_local += 1,
                KeyAction::UpdateLocal => self.updated_local += 1,
                KeyAction::DeleteRemote => self.deleted_remote += 1,
                KeyAction::DeleteLocal => self.deleted_local += 1,
                KeyAction::Conflict => self.conflicts += 1,
                KeyAction::Skipped => self.skipped += 1,
            }
        }
    }
}

/// How to settle a conflict: per folder (`myapp/dev`) or per key (`myapp/dev/API_KEY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    KeepLocal,
    KeepRemote,
}

/// Options of push, pull and sync.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Folders to include (each with its subfolders); empty = all.
    pub folders: Vec<String>,
    /// Explicit conflict choices (sync only), keyed by folder or `folder/NAME`.
    pub resolutions: BTreeMap<String, Resolution>,
    /// Pull: bring the remote's kept versions of keys new locally into local history.
    pub with_history: bool,
    /// Remote requests in flight at once (0 = default, 8).
    pub concurrency: usize,
}

impl SyncOptions {
    /// Records an explicit conflict choice for a folder or a key. A key whose name needs quoting
    /// may be named quoted (`acme/dev/"api.key-v2"`) or not (`acme/dev/api.key-v2`): both are
    /// stored in the canonical form the plan looks up. A path that names neither a folder nor a
    /// key is refused, so a choice is never silently ignored for its spelling.
    pub fn resolve(&mut self, path: &str, keep: Resolution) -> crate::Result<()> {
        for key in resolution_keys(path)? {
            self.resolutions.insert(key, keep);
        }
        Ok(())
    }
}

/// The canonical keys a conflict choice for `path` is stored under: the folder it names and/or
/// the key it names. `acme/dev/api.key-v2` is both a valid folder and an unquoted name, so it is
/// stored under both readings.
fn resolution_keys(path: &str) -> crate::Result<Vec<String>> {
    use crate::{FolderPath, SecretPath};
    let p = path.strip_suffix('/').unwrap_or(path);
    let mut keys = Vec::new();
    if let Ok(f) = FolderPath::parse(p) {
        keys.push(f.to_string());
    }
    match SecretPath::parse(p) {
        Ok(s) => keys.push(s.to_string()),
        Err(e) => match p.rsplit_once('/') {
            Some((folder, name)) if !name.contains('"') => {
                match SecretPath::parse(&format!("{folder}/\"{name}\"")) {
                    Ok(s) => keys.push(s.to_string()),
                    Err(_) if !keys.is_empty() => {}
                    Err(_) => return Err(e),
                }
            }
            _ if !keys.is_empty() => {}
            _ => return Err(e),
        },
    }
    keys.dedup();
    Ok(keys)
}

/// Options of migrate (push everything).
#[derive(Debug, Clone, Default)]
pub struct MigrateOptions {
    pub folders: Vec<String>,
    /// Plan only; nothing is written anywhere.
    pub dry_run: bool,
    /// Replay kept local versions oldest-first so the remote history matches.
    pub with_history: bool,
    /// Remote requests in flight at once (0 = default, 8).
    pub concurrency: usize,
    /// Keep going after a folder fails (the report lists failures); otherwise stop starting new
    /// folders at the first failure.
    pub continue_on_error: bool,
    /// Move each local folder to the trash once the remote copy was read back equal.
    pub remove_local_after_verify: bool,
}

/// Which operation a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    Push,
    Pull,
    Sync,
    Migrate,
}

/// Phase of a long operation, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressPhase {
    /// Reading the remote side (discovery and current values).
    Reading,
    /// Writing folders.
    Writing,
}

/// A progress event: `done` of `total` folders in `phase`; `folder` is the one just finished.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Progress {
    pub phase: ProgressPhase,
    pub done: usize,
    pub total: usize,
    pub folder: Option<String>,
    pub failed: usize,
}

/// How one folder's operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FolderOutcome {
    /// Something was written (either side).
    Done,
    /// Both sides already agreed.
    Unchanged,
    /// Keys in conflict were left alone; the rest is done.
    Conflict,
    Failed,
    /// A dry run: what would be done.
    Planned,
    /// Not reached (cancelled, or stopped after a failure).
    NotStarted,
}

impl FolderOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            FolderOutcome::Done => "done",
            FolderOutcome::Unchanged => "unchanged",
            FolderOutcome::Conflict => "conflict",
            FolderOutcome::Failed => "failed",
            FolderOutcome::Planned => "planned",
            FolderOutcome::NotStarted => "not_started",
        }
    }
}

impl std::fmt::Display for FolderOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to one folder.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FolderResult {
    pub folder: String,
    pub remote_path: String,
    pub outcome: FolderOutcome,
    /// Remote version after the operation (0 on KV v1).
    pub remote_version: u64,
    pub keys: Vec<KeyPlan>,
    /// Remote versions written by a history replay.
    pub history_versions: u64,
    pub removed_local: bool,
    /// Stable error code and message when it failed (never a value).
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub notes: Vec<String>,
}

/// The final report of push, pull, sync or migrate.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OpReport {
    pub remote: String,
    pub operation: OpKind,
    pub dry_run: bool,
    pub kv_version: u8,
    pub folders: Vec<FolderResult>,
    pub totals: OpTotals,
    /// True when the cancel flag stopped it early (finished folders stay done).
    pub cancelled: bool,
    /// Why it stopped before the end (first failure without continue-on-error).
    pub stopped: Option<String>,
    pub notes: Vec<String>,
    pub elapsed_ms: u64,
}

impl OpReport {
    /// True when every folder was done or unchanged (no conflict, failure or cancellation, and
    /// no folder whose values landed without their metadata).
    pub fn is_complete(&self) -> bool {
        !self.cancelled
            && self.stopped.is_none()
            && self.totals.failed_folders == 0
            && self.totals.conflicts == 0
            && self.folders.iter().all(|f| f.error_code.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_for_a_quoted_name_matches_however_it_is_spelled() {
        for spelling in ["acme/dev/api.key-v2", "acme/dev/\"api.key-v2\""] {
            let mut o = SyncOptions::default();
            o.resolve(spelling, Resolution::KeepLocal).unwrap();
            assert_eq!(
                o.resolutions.get("acme/dev/\"api.key-v2\""),
                Some(&Resolution::KeepLocal),
                "{spelling}: {:?}",
                o.resolutions
            );
        }
        let mut o = SyncOptions::default();
        o.resolve("acme/dev/", Resolution::KeepRemote).unwrap();
        o.resolve("acme/dev/API_KEY", Resolution::KeepLocal).unwrap();
        assert_eq!(o.resolutions.get("acme/dev"), Some(&Resolution::KeepRemote));
        assert_eq!(o.resolutions.get("acme/dev/API_KEY"), Some(&Resolution::KeepLocal));
    }

    #[test]
    fn a_choice_naming_nothing_is_refused() {
        for bad in ["", "/", "acme//x", "acme/dev/a\"b", "../x/Y", "acme/\u{7}/K"] {
            let err = SyncOptions::default().resolve(bad, Resolution::KeepLocal).unwrap_err();
            assert_eq!(err.code(), "invalid_path", "{bad:?}");
        }
    }
}
