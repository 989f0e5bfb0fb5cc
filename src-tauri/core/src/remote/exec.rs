//! Plan, push, pull, sync and migrate: read both sides (remote reads concurrently), plan every
//! folder, then run the remote writes with bounded concurrency while the calling thread applies
//! each finished folder locally (local writes, sync state and one audit entry, in one transaction).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use super::apply::{Job, JobOut, Landed, OpCtx};
use super::client::{Conn, RemoteSecret};
use super::config::RemoteRow;
use super::health::preflight;
use super::history::{dup, replay_start, Snapshot};
use super::mapping::{folder_of, remote_path};
use super::plan::{desired_custom, plan_folder, Inputs, LocalFolder, LocalSecret};
use super::runtime;
use super::state::{self, Base, MacKey};
use super::types::*;
use crate::error::{Error, Result};
use crate::path::FolderPath;
use crate::store::SecretFilter;
use crate::vault::{check_row, open_current, Vault};

const DEFAULT_CONCURRENCY: usize = 8;
const KV1_NOTE: &str = "the mount is KV v1: only current values move, without versions, check-and-set or Hush metadata";

/// Everything an operation is asked to do.
pub(crate) struct RunCfg {
    pub kind: OpKind,
    pub direction: Direction,
    pub folders: Vec<String>,
    pub resolutions: BTreeMap<String, Resolution>,
    pub concurrency: usize,
    pub with_history: bool,
    pub dry_run: bool,
    pub continue_on_error: bool,
    pub remove_local: bool,
}

impl RunCfg {
    fn from_sync(kind: OpKind, direction: Direction, o: &SyncOptions) -> RunCfg {
        RunCfg {
            kind,
            direction,
            folders: o.folders.clone(),
            resolutions: o.resolutions.clone(),
            concurrency: o.concurrency,
            with_history: o.with_history,
            dry_run: false,
            continue_on_error: true,
            remove_local: false,
        }
    }
    fn limit(&self) -> usize {
        if self.concurrency == 0 {
            DEFAULT_CONCURRENCY
        } else {
            self.concurrency.clamp(1, 64)
        }
    }
}

/// A history replay to run for a folder: write `snaps[start..]` as remote versions.
pub(crate) struct Replay {
    pub snaps: Vec<Snapshot>,
    pub start: usize,
}

struct Prepared {
    conn: Arc<Conn>,
    kv: u8,
    macs: MacKey,
    local: BTreeMap<String, LocalFolder>,
    remotes: BTreeMap<String, Option<RemoteSecret>>,
    read_errors: BTreeMap<String, Error>,
    plans: Vec<FolderPlan>,
    replays: BTreeMap<String, Replay>,
    notes: Vec<String>,
}

fn in_scope(folder: &str, filters: &[String]) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| {
            folder == f || folder.strip_prefix(f.as_str()).is_some_and(|r| r.starts_with('/'))
        })
}

/// The live secrets of the folders in scope, with their current values, read from one snapshot.
/// Every record in scope (trashed ones too) is checked first.
fn load_local(v: &Vault, filters: &[String]) -> Result<BTreeMap<String, LocalFolder>> {
    let keys = v.keys()?;
    let tx = v.store().read()?;
    let mut out: BTreeMap<String, LocalFolder> = BTreeMap::new();
    let all = SecretFilter { deleted: None, ..Default::default() };
    for row in tx.secrets(&all)?.into_iter().filter(|r| in_scope(&r.folder, filters)) {
        check_row(keys, &row)?;
        if row.deleted_at.is_some() {
            continue;
        }
        let value = open_current(&tx, keys, &row)?;
        out.entry(row.folder.clone())
            .or_default()
            .insert(row.name.clone(), LocalSecret { meta: row.meta(), value });
    }
    Ok(out)
}

fn join_err(e: tokio::task::JoinError) -> Error {
    Error::Remote(format!("an internal remote task failed: {e}"))
}

/// Walks the mount's listing under the prefix; returns the folders found (and notes on remote
/// secrets that are not valid Hush folder paths).
async fn discover(
    conn: &Arc<Conn>,
    filters: &[String],
    limit: usize,
) -> Result<(Vec<String>, Vec<String>)> {
    let prefix = conn.target().prefix.clone();
    let start = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
    // A directory is worth entering when a filter lies inside it or it lies inside a filter.
    let wanted_dir = |rel: &str| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| format!("{f}/").starts_with(rel) || rel.starts_with(&format!("{f}/")))
    };
    let (mut folders, mut notes) = (Vec::new(), Vec::new());
    let mut queue = vec![start];
    let (mut depth, mut entries) = (0, 0);
    while !queue.is_empty() {
        depth += 1;
        let mut set = JoinSet::new();
        let mut next = Vec::new();
        let mut pending = std::mem::take(&mut queue).into_iter();
        loop {
            while set.len() < limit {
                let Some(dir) = pending.next() else { break };
                let c = conn.clone();
                set.spawn(async move {
                    let r = c.list(&dir).await;
                    (dir, r)
                });
            }
            let Some(done) = set.join_next().await else { break };
            let (dir, keys) = done.map_err(join_err)?;
            let keys = keys?;
            entries += keys.len();
            super::client::discovery_bound(&prefix, depth, entries)?;
            for k in keys {
                let full = format!("{dir}{k}");
                let rel = full.strip_prefix(&format!("{prefix}/")).unwrap_or(&full).to_string();
                if k.ends_with('/') {
                    if wanted_dir(&rel) {
                        next.push(full);
                    }
                } else if let Some(f) = folder_of(&prefix, &full) {
                    if in_scope(&f, filters) {
                        folders.push(f);
                    }
                } else {
                    notes.push(format!(
                        "remote secret '{full}' skipped: not a valid Hush folder path"
                    ));
                }
            }
        }
        queue = next;
    }
    Ok((folders, notes))
}

impl Vault {
    /// What push, pull or sync would do, per folder and key. Reads both sides; writes nothing.
    pub fn remote_plan(
        &mut self,
        name: &str,
        direction: Direction,
        folders: &[String],
    ) -> Result<Plan> {
        let cfg = RunCfg::from_sync(
            OpKind::Push,
            direction,
            &SyncOptions { folders: folders.to_vec(), ..Default::default() },
        );
        let row = self.remote_row(name)?;
        runtime::block_on(async {
            let p = self.prepare(&row, &cfg, &mut |_| {}).await?;
            let mut totals = OpTotals { folders: p.plans.len(), ..Default::default() };
            for f in &p.plans {
                totals.add_keys(&f.keys);
            }
            Ok(Plan {
                remote: name.into(),
                direction,
                kv_version: p.kv,
                folders: p.plans,
                totals,
                notes: p.notes,
            })
        })?
    }

    /// Sends local changes to the remote (check-and-set; remote changes since the last sync are
    /// conflicts, never overwritten).
    pub fn remote_push(
        &mut self,
        name: &str,
        opts: &SyncOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<OpReport> {
        self.remote_run(
            name,
            RunCfg::from_sync(OpKind::Push, Direction::Push, opts),
            progress,
            cancel,
        )
    }

    /// Brings remote changes into the vault (local changes since the last sync are conflicts).
    pub fn remote_pull(
        &mut self,
        name: &str,
        opts: &SyncOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<OpReport> {
        self.remote_run(
            name,
            RunCfg::from_sync(OpKind::Pull, Direction::Pull, opts),
            progress,
            cancel,
        )
    }

    /// Two-way sync; conflicts are settled only by `opts.resolutions`.
    pub fn remote_sync(
        &mut self,
        name: &str,
        opts: &SyncOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<OpReport> {
        self.remote_run(
            name,
            RunCfg::from_sync(OpKind::Sync, Direction::Sync, opts),
            progress,
            cancel,
        )
    }

    /// Pushes every local folder (or those in `opts.folders`): resumable and idempotent, since a
    /// folder whose remote already equals it is only recorded as synced.
    pub fn remote_migrate(
        &mut self,
        name: &str,
        opts: &MigrateOptions,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<OpReport> {
        let cfg = RunCfg {
            kind: OpKind::Migrate,
            direction: Direction::Push,
            folders: opts.folders.clone(),
            resolutions: BTreeMap::new(),
            concurrency: opts.concurrency,
            with_history: opts.with_history,
            dry_run: opts.dry_run,
            continue_on_error: opts.continue_on_error,
            remove_local: opts.remove_local_after_verify,
        };
        self.remote_run(name, cfg, progress, cancel)
    }

    fn remote_run(
        &mut self,
        name: &str,
        cfg: RunCfg,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<OpReport> {
        let started = Instant::now();
        let row = self.remote_row(name)?;
        let mut report = runtime::block_on(async {
            let p = self.prepare(&row, &cfg, &mut *progress).await?;
            self.execute(&row, &cfg, p, &mut *progress, cancel).await
        })??;
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    async fn prepare(
        &self,
        row: &RemoteRow,
        cfg: &RunCfg,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Prepared> {
        let macs = MacKey::derive(self.keys()?.data_key(), self.vault_id());
        let filters: Vec<String> = cfg
            .folders
            .iter()
            .map(|f| FolderPath::parse(f).map(|p| p.as_str().to_string()))
            .collect::<Result<_>>()?;
        let local = load_local(self, &filters)?;
        let mut conn = row.connect().await?;
        let kv = preflight(&mut conn).await?;
        let conn = Arc::new(conn);
        let mut notes = super::addr::connection_notes(row, conn.target(), conn.token_source);
        if kv == 1 {
            notes.push(KV1_NOTE.to_string());
        }
        let mut folders: BTreeSet<String> = BTreeSet::new();
        if cfg.direction != Direction::Pull {
            folders.extend(local.keys().cloned());
        }
        if cfg.direction != Direction::Push {
            let (found, n) = discover(&conn, &filters, cfg.limit()).await?;
            folders.extend(found);
            notes.extend(n);
        }

        // Current remote state of every folder, `limit` reads in flight.
        let total = folders.len();
        let (mut remotes, mut read_errors) = (BTreeMap::new(), BTreeMap::new());
        let mut set = JoinSet::new();
        let mut pending = folders.iter().cloned();
        loop {
            while set.len() < cfg.limit() {
                let Some(f) = pending.next() else { break };
                let (c, path) = (conn.clone(), remote_path(&row.info.spec.prefix, &f));
                set.spawn(async move {
                    let r = c.read(&path).await;
                    (f, r)
                });
            }
            let Some(done) = set.join_next().await else { break };
            let (f, r) = done.map_err(join_err)?;
            match r {
                Ok(s) => {
                    remotes.insert(f.clone(), s);
                }
                // A folder the token may not read fails alone; anything else fails the operation.
                Err(e @ Error::RemoteDenied { .. }) => {
                    read_errors.insert(f.clone(), e);
                }
                Err(e) => return Err(e),
            }
            progress(Progress {
                phase: ProgressPhase::Reading,
                done: remotes.len() + read_errors.len(),
                total,
                folder: Some(f),
                failed: read_errors.len(),
            });
        }

        let bases = state::load_all(&self.store().read()?, row.id)?;
        let mut replays = BTreeMap::new();
        let mut plans = Vec::new();
        for f in &folders {
            let remote = remotes.get(f).and_then(Option::as_ref);
            let mut plan_remote = remote;
            let mut note = None;
            if cfg.with_history && cfg.kind == OpKind::Migrate && kv == 2 && local.contains_key(f) {
                let snaps = self.folder_snapshots(f)?;
                match replay_start(
                    &snaps,
                    remote.filter(|r| !r.deleted).map(|r| (r.version, &r.fields)),
                ) {
                    Some(start) if start < snaps.len() => {
                        note = Some(format!(
                            "history: {} local version(s) replayed as remote versions {}..{}",
                            snaps.len() - start,
                            start + 1,
                            snaps.len()
                        ));
                        // A half-done replay of our own is not a conflict: plan as if new.
                        if start > 0 {
                            plan_remote = None;
                        }
                        replays.insert(f.clone(), Replay { snaps, start });
                    }
                    Some(_) => {}
                    None => {
                        note = Some(
                            "history not replayed: the remote secret already holds other versions"
                                .into(),
                        )
                    }
                }
            }
            let inputs = Inputs {
                remote_id: row.id,
                folder: f,
                display_path: format!(
                    "{}/{}",
                    row.info.spec.mount,
                    remote_path(&row.info.spec.prefix, f)
                ),
                local: local.get(f),
                remote: plan_remote,
                base: bases.get(f),
                macs: &macs,
                direction: cfg.direction,
                resolutions: &cfg.resolutions,
                kv,
            };
            let mut plan = plan_folder(&inputs);
            if let Some(r) = remote {
                plan.remote_exists = true;
                plan.remote_version = r.version;
            }
            plan.notes.extend(note);
            if let Some(e) = read_errors.get(f) {
                plan.notes.push(e.to_string());
            }
            plans.push(plan);
        }
        Ok(Prepared { conn, kv, macs, local, remotes, read_errors, plans, replays, notes })
    }

    async fn execute(
        &mut self,
        row: &RemoteRow,
        cfg: &RunCfg,
        mut p: Prepared,
        progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<OpReport> {
        let total = p.plans.len();
        let mut report = OpReport {
            remote: row.info.spec.name.clone(),
            operation: cfg.kind,
            dry_run: cfg.dry_run,
            kv_version: p.kv,
            folders: Vec::new(),
            totals: OpTotals { folders: total, ..Default::default() },
            cancelled: false,
            stopped: None,
            notes: std::mem::take(&mut p.notes),
            elapsed_ms: 0,
        };
        if cfg.with_history && p.kv == 2 && cfg.kind == OpKind::Migrate {
            if let Some(max) = p.conn.max_versions().await {
                let deepest = p.replays.values().map(|r| r.snaps.len()).max().unwrap_or(0) as u64;
                if deepest > max {
                    report.notes.push(format!("the mount keeps {max} versions per secret; folders with more local versions keep only the newest {max} remotely"));
                }
            }
        }
        let mut set: JoinSet<(String, JobOut)> = JoinSet::new();
        let mut in_flight: BTreeMap<String, (FolderPlan, Option<RemoteSecret>, bool)> =
            BTreeMap::new();
        let mut plans = std::mem::take(&mut p.plans).into_iter();
        let mut done = 0usize;
        let mut stop = false;
        loop {
            // Start folders while there is room.
            while !stop && set.len() < cfg.limit() {
                if cancel.load(Ordering::Relaxed) {
                    report.cancelled = true;
                    stop = true;
                    break;
                }
                let Some(plan) = plans.next() else { break };
                let f = plan.folder.clone();
                let remote = p.remotes.remove(&f).flatten();
                if let Some(e) = p.read_errors.remove(&f) {
                    done += 1;
                    let r = self.record_failure(row, cfg, &plan, e)?;
                    stop |= !cfg.continue_on_error && self.note_stop(&mut report, &r);
                    report.folders.push(r);
                    progress(Progress {
                        phase: ProgressPhase::Writing,
                        done,
                        total,
                        folder: Some(f),
                        failed: report.totals.failed_folders + 1,
                    });
                    report.totals.failed_folders += 1;
                    continue;
                }
                if cfg.dry_run {
                    done += 1;
                    report.folders.push(planned(&plan));
                    progress(Progress {
                        phase: ProgressPhase::Writing,
                        done,
                        total,
                        folder: Some(f),
                        failed: 0,
                    });
                    continue;
                }
                match self.job_for(row, cfg, &p, &plan, remote.as_ref()) {
                    Some(job) => {
                        let conn = p.conn.clone();
                        let verify = job.verify.is_some();
                        set.spawn(async move {
                            let out = job.run(&conn).await;
                            (f.clone(), out)
                        });
                        in_flight.insert(plan.folder.clone(), (plan, remote, verify));
                    }
                    None => {
                        done += 1;
                        let landed = Landed::unchanged_remote(remote.as_ref());
                        let r = self
                            .finish_folder(
                                &OpCtx { row, cfg, conn: &p.conn },
                                p.local.get(&plan.folder),
                                &plan,
                                remote.as_ref(),
                                landed,
                            )
                            .await?;
                        self.tally(&mut report, r);
                        progress(Progress {
                            phase: ProgressPhase::Writing,
                            done,
                            total,
                            folder: Some(f),
                            failed: report.totals.failed_folders,
                        });
                    }
                }
            }
            let Some(joined) = set.join_next().await else { break };
            let (f, out) = joined.map_err(join_err)?;
            let (plan, remote, _) = in_flight.remove(&f).expect("spawned folder is tracked");
            let result = match out {
                JobOut::Landed(landed) => {
                    self.finish_folder(
                        &OpCtx { row, cfg, conn: &p.conn },
                        p.local.get(&plan.folder),
                        &plan,
                        remote.as_ref(),
                        landed,
                    )
                    .await?
                }
                JobOut::Moved(fresh) => {
                    // The remote changed between our read and our write: plan again against what is
                    // there now; without new conflicts, write once more (merge, then CAS).
                    let base = state::load(&self.store().read()?, row.id, &f)?;
                    let inputs = Inputs {
                        remote_id: row.id,
                        folder: &f,
                        display_path: plan.remote_path.clone(),
                        local: p.local.get(&f),
                        remote: fresh.as_ref(),
                        base: base.as_ref(),
                        macs: &p.macs,
                        direction: cfg.direction,
                        resolutions: &cfg.resolutions,
                        kv: p.kv,
                    };
                    let replan = plan_folder(&inputs);
                    match self.job_for(row, cfg, &p, &replan, fresh.as_ref()) {
                        Some(job) => match job.run(&p.conn).await {
                            JobOut::Landed(landed) => {
                                self.finish_folder(
                                    &OpCtx { row, cfg, conn: &p.conn },
                                    p.local.get(&f),
                                    &replan,
                                    fresh.as_ref(),
                                    landed,
                                )
                                .await?
                            }
                            JobOut::Moved(_) => {
                                let e = Error::RemoteConflict {
                                    path: plan.remote_path.clone(),
                                    expected: fresh.as_ref().map_or(0, |r| r.version),
                                    actual: 0,
                                };
                                self.record_failure(row, cfg, &replan, e)?
                            }
                            JobOut::Failed(e) => self.record_failure(row, cfg, &replan, e)?,
                        },
                        None => {
                            self.finish_folder(
                                &OpCtx { row, cfg, conn: &p.conn },
                                p.local.get(&f),
                                &replan,
                                fresh.as_ref(),
                                Landed::unchanged_remote(fresh.as_ref()),
                            )
                            .await?
                        }
                    }
                }
                JobOut::Failed(e) => self.record_failure(row, cfg, &plan, e)?,
            };
            done += 1;
            stop |= !cfg.continue_on_error && self.note_stop(&mut report, &result);
            self.tally(&mut report, result);
            progress(Progress {
                phase: ProgressPhase::Writing,
                done,
                total,
                folder: Some(f),
                failed: report.totals.failed_folders,
            });
        }
        for plan in plans {
            report
                .folders
                .push(FolderResult { outcome: FolderOutcome::NotStarted, ..planned(&plan) });
        }
        if cancel.load(Ordering::Relaxed)
            && report.folders.iter().any(|f| f.outcome == FolderOutcome::NotStarted)
        {
            report.cancelled = true;
        }
        Ok(report)
    }

    fn note_stop(&self, report: &mut OpReport, r: &FolderResult) -> bool {
        if r.outcome != FolderOutcome::Failed {
            return false;
        }
        if report.stopped.is_none() {
            report.stopped = Some(format!("stopped after '{}' failed: {}; rerun to resume (add --continue-on-error to go past failures)", r.folder, r.error.as_deref().unwrap_or("error")));
        }
        true
    }

    fn tally(&self, report: &mut OpReport, r: FolderResult) {
        if r.outcome == FolderOutcome::Failed {
            report.totals.failed_folders += 1;
        } else {
            report.totals.add_keys(&r.keys);
        }
        report.totals.removed_local_folders += usize::from(r.removed_local);
        report.folders.push(r);
    }

    /// The remote work of a folder, or `None` when nothing needs the server.
    fn job_for(
        &self,
        row: &RemoteRow,
        cfg: &RunCfg,
        p: &Prepared,
        plan: &FolderPlan,
        remote: Option<&RemoteSecret>,
    ) -> Option<Job> {
        let local = p.local.get(&plan.folder);
        let replay = p
            .replays
            .get(&plan.folder)
            .filter(|r| r.start < r.snaps.len() && plan.count(KeyAction::Conflict) == 0);
        let writes = plan.keys.iter().any(|k| k.action.writes_remote()) || replay.is_some();
        let verify = cfg.remove_local && local.is_some() && plan.count(KeyAction::Conflict) == 0;
        // Metadata alone is not written over a folder in conflict: it would carry the local view.
        let metadata = plan.metadata_changes && (writes || plan.count(KeyAction::Conflict) == 0);
        if !writes && !metadata && !verify {
            return None;
        }
        let mut fields = remote.map(|r| dup(&r.fields)).unwrap_or_default();
        for k in plan.keys.iter().filter(|k| k.action.writes_remote()) {
            if k.action == KeyAction::DeleteRemote {
                fields.remove(&k.name);
            } else if let Some(s) = local.and_then(|l| l.get(&k.name)) {
                fields.insert(
                    k.name.clone(),
                    crate::secret::SecretValue::new(s.value.expose().to_vec()),
                );
            }
        }
        let (custom, notes) = match (p.kv, local) {
            (2, Some(l)) => {
                let (_, mut full, notes) = desired_custom(remote, l);
                for k in plan.keys.iter().filter(|k| k.action == KeyAction::DeleteRemote) {
                    full.remove(&format!("{}{}", super::mapping::META_PREFIX, k.name));
                }
                if let Some(r) = replay {
                    let times: Vec<String> = r.snaps.iter().map(|s| s.at.to_string()).collect();
                    full.insert(
                        super::mapping::HISTORY_KEY.into(),
                        super::mapping::truncate_bytes(
                            &format!(
                                "{} versions replayed from Hush; original times (unix s): {}",
                                r.snaps.len(),
                                times.join(",")
                            ),
                            super::mapping::MAX_CUSTOM_VALUE_BYTES,
                        ),
                    );
                }
                (Some(full), notes)
            }
            _ => (None, Vec::new()),
        };
        Some(Job {
            path: remote_path(&row.info.spec.prefix, &plan.folder),
            api_path: p.conn.api_path(&remote_path(&row.info.spec.prefix, &plan.folder)),
            cas: remote.map_or(0, |r| r.version),
            fields: writes.then_some(fields),
            replay: replay.map(|r| {
                (r.snaps[r.start..].iter().map(|s| dup(&s.fields)).collect(), r.start as u64)
            }),
            custom: custom.filter(|_| writes || metadata),
            verify: verify
                .then(|| {
                    local.map(|l| {
                        l.iter()
                            .map(|(k, s)| {
                                (
                                    k.clone(),
                                    crate::secret::SecretValue::new(s.value.expose().to_vec()),
                                )
                            })
                            .collect()
                    })
                })
                .flatten(),
            notes,
        })
    }
}

fn planned(plan: &FolderPlan) -> FolderResult {
    FolderResult {
        folder: plan.folder.clone(),
        remote_path: plan.remote_path.clone(),
        outcome: FolderOutcome::Planned,
        remote_version: plan.remote_version,
        keys: plan.keys.clone(),
        history_versions: 0,
        removed_local: false,
        error_code: None,
        error: None,
        notes: plan.notes.clone(),
    }
}

/// Marks `done` synced: the keys equal on both sides get their keyed hash; others keep theirs.
pub(crate) fn next_base(
    old: Option<&Base>,
    remote_version: u64,
    equal: impl Iterator<Item = (String, Vec<u8>)>,
) -> Base {
    let mut macs = old.map(|b| b.macs.clone()).unwrap_or_default();
    macs.extend(equal);
    Base { remote_version, macs }
}
