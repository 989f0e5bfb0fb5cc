//! Plan, push, pull, sync and migrate: read both sides (remote reads concurrently), plan every
//! folder, then run the remote writes with bounded concurrency while the calling thread applies
//! each finished folder locally (local writes, sync state and one audit entry, in one transaction).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinSet;

use super::apply::{pulled_history, Finished, Job, JobOut, Landed, OpCtx};
use super::cancel::{abandon, until_cancelled};
use super::client::{Conn, RemoteSecret};
use super::config::RemoteRow;
use super::history::{dup, Snapshot};
use super::mapping::remote_path;
use super::plan::{desired_custom, plan_folder, Inputs};
use super::read::{join_err, Prepared};
use super::runtime;
use super::state;
use super::types::*;
use crate::error::{Error, Result};
use crate::vault::Vault;

const DEFAULT_CONCURRENCY: usize = 8;
pub(crate) const KV1_NOTE: &str = "the mount is KV v1: only current values move, without versions, check-and-set or Hush metadata";

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
    /// Remote-first reads: give up on the remote after this long (retries included).
    pub bound: Option<std::time::Duration>,
    /// Only the named folders themselves, not their subfolders (remote-first reads).
    pub exact: bool,
}

impl RunCfg {
    pub(crate) fn from_sync(kind: OpKind, direction: Direction, o: &SyncOptions) -> RunCfg {
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
            bound: None,
            exact: false,
        }
    }
    pub(crate) fn limit(&self) -> usize {
        if self.concurrency == 0 {
            DEFAULT_CONCURRENCY
        } else {
            self.concurrency.clamp(1, 64)
        }
    }
}

/// The most folders whose local halves share one transaction (folders with no remote work gather
/// fast; their progress is reported per batch).
const MAX_BATCH: usize = 256;
/// How long finished folders may wait for their local half while remote halves are still running.
/// Each transaction ends in an fsync that holds this thread, and no folder starts meanwhile: one
/// per batch of whatever had finished made ~500 fsyncs in a 1,000-folder migrate (13 now), and
/// the whole migrate 7% slower. A folder whose remote half landed but whose record a crash lost
/// is found equal on the next run and recorded then (src-tauri/cli/tests/cli_remote_crash.rs).
const COMMIT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Where an operation's writing stands.
struct Counter {
    done: usize,
    /// No more folders start (cancelled, or a failure without continue-on-error).
    stop: bool,
    total: usize,
    continue_on_error: bool,
}

/// The folders of an operation between their two halves.
struct Pipeline {
    conn: Arc<Conn>,
    set: JoinSet<(String, JobOut)>,
    /// Folders whose remote half is running: the plan, the remote it was planned against, and
    /// whether this is already the second attempt (the remote moved on once).
    in_flight: BTreeMap<String, (FolderPlan, Option<RemoteSecret>, bool)>,
    /// Folders waiting for their local half, finished together in one transaction.
    ready: Vec<Finished>,
}

impl Pipeline {
    /// Starts a folder's remote half, or queues its local half when it has no remote work.
    async fn start(
        &mut self,
        job: Option<Job>,
        op: &OpCtx<'_>,
        plan: FolderPlan,
        remote: Option<RemoteSecret>,
        retried: bool,
    ) -> Result<()> {
        match job {
            Some(job) => {
                let (conn, f) = (self.conn.clone(), plan.folder.clone());
                self.set.spawn(async move {
                    let out = job.run(&conn).await;
                    (f, out)
                });
                self.in_flight.insert(plan.folder.clone(), (plan, remote, retried));
            }
            None => {
                let history = pulled_history(op, &plan, remote.as_ref()).await?;
                let landed = Landed::unchanged_remote(remote.as_ref());
                self.ready.push(Finished { plan, remote, landed, history });
            }
        }
        Ok(())
    }
}

/// A history replay to run for a folder: write `snaps[start..]` as remote versions.
pub(crate) struct Replay {
    pub snaps: Vec<Snapshot>,
    pub start: usize,
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
                totals.failed_folders += usize::from(f.state == FolderState::Unreadable);
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
            bound: None,
            exact: false,
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
            let p = until_cancelled(cancel, self.prepare(&row, &cfg, &mut *progress)).await??;
            self.execute(&row, &cfg, p, &mut *progress, cancel).await
        })??;
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    pub(crate) async fn execute(
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
        let conn = p.conn.clone();
        let op = OpCtx { row, cfg, conn: &conn };
        let mut pipe = Pipeline {
            conn: p.conn.clone(),
            set: JoinSet::new(),
            in_flight: BTreeMap::new(),
            ready: Vec::new(),
        };
        let mut plans = std::mem::take(&mut p.plans).into_iter();
        let mut c =
            Counter { done: 0, stop: false, total, continue_on_error: cfg.continue_on_error };
        // None until the first folder is recorded: that one is at once, so progress (and a cancel
        // given on seeing it) does not wait for a batch.
        let mut last_commit: Option<Instant> = None;
        loop {
            // Start folders while there is room, so the server stays busy while this thread
            // does the local work below.
            while !c.stop && pipe.set.len() < cfg.limit() && pipe.ready.len() < MAX_BATCH {
                if cancel.load(Ordering::Relaxed) {
                    report.cancelled = true;
                    c.stop = true;
                    break;
                }
                let Some(mut plan) = plans.next() else { break };
                let f = plan.folder.clone();
                let remote = p.remotes.remove(&f).flatten();
                if let Some(e) = p.read_errors.remove(&f) {
                    // The error is the folder's; the plan's note saying it again goes.
                    plan.notes.retain(|n| *n != e.to_string());
                    let r = self.record_failure(row, cfg, &plan, e)?;
                    self.count_done(&mut report, r, &mut c, progress);
                    continue;
                }
                if cfg.dry_run {
                    c.done += 1;
                    report.folders.push(planned(&plan));
                    progress(Progress {
                        phase: ProgressPhase::Writing,
                        done: c.done,
                        total,
                        folder: Some(f),
                        failed: 0,
                    });
                    continue;
                }
                let job = self.job_for(row, cfg, &p, &mut plan, remote.as_ref());
                pipe.start(job, &op, plan, remote, false).await?;
            }
            // The local halves of the folders whose remote half is over, in one transaction (the
            // server works on the folders just started meanwhile): when the batch is full, when
            // nothing else is running, or at most COMMIT_EVERY after the last one. Progress is
            // reported as soon as they are recorded.
            let since = last_commit.map_or(COMMIT_EVERY, |t| t.elapsed());
            let due = pipe.ready.len() >= MAX_BATCH || pipe.set.is_empty() || since >= COMMIT_EVERY;
            if !pipe.ready.is_empty() && due {
                for r in self.finish_folders(&op, &p.local, std::mem::take(&mut pipe.ready))? {
                    self.count_done(&mut report, r, &mut c, progress);
                }
                last_commit = Some(Instant::now());
            }
            // Every remote half that ended meanwhile; when none has, wait for the next one (or
            // until the waiting folders are due).
            let mut outs = Vec::new();
            while let Some(joined) = pipe.set.try_join_next() {
                outs.push(joined.map_err(join_err)?);
            }
            if outs.is_empty() {
                let wait =
                    COMMIT_EVERY.saturating_sub(last_commit.map_or(COMMIT_EVERY, |t| t.elapsed()));
                let next = pipe.set.join_next();
                let joined = if pipe.ready.is_empty() {
                    match until_cancelled(cancel, next).await {
                        Ok(j) => j,
                        // Cancelled while every folder in flight waits on the server (a hung
                        // one holds a request up to its timeout): they are given up now.
                        Err(_) => {
                            report.cancelled = true;
                            c.stop = true;
                            outs = abandon(&mut pipe.set).await;
                            None
                        }
                    }
                } else {
                    match tokio::time::timeout(wait, next).await {
                        Ok(j) => j,
                        Err(_) => continue,
                    }
                };
                match joined {
                    Some(joined) => outs.push(joined.map_err(join_err)?),
                    None if !outs.is_empty() || !pipe.in_flight.is_empty() => {}
                    None if c.stop || plans.len() == 0 => break,
                    None => continue,
                }
            }
            for (f, out) in outs {
                let (plan, remote, retried) =
                    pipe.in_flight.remove(&f).expect("spawned folder is tracked");
                let failure = match out {
                    JobOut::Landed(landed) => {
                        let history = pulled_history(&op, &plan, remote.as_ref()).await?;
                        pipe.ready.push(Finished { plan, remote, landed, history });
                        continue;
                    }
                    // The remote changed between our read and our write: plan again against what
                    // is there now; without new conflicts, write once more (merge, then CAS).
                    JobOut::Moved(fresh) if !retried => {
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
                        let mut replan = plan_folder(&inputs);
                        let job = self.job_for(row, cfg, &p, &mut replan, fresh.as_ref());
                        pipe.start(job, &op, replan, fresh, true).await?;
                        continue;
                    }
                    JobOut::Moved(_) => Error::RemoteConflict {
                        path: plan.remote_path.clone(),
                        expected: remote.as_ref().map_or(0, |r| r.version),
                        actual: 0,
                    },
                    JobOut::Failed(e) => e,
                };
                let r = self.record_failure(row, cfg, &plan, failure)?;
                self.count_done(&mut report, r, &mut c, progress);
            }
            // Folders given up by a cancel: their write may or may not have landed; the next
            // run reads the remote first and finds out (as after a kill).
            if pipe.set.is_empty() {
                for (_, (plan, _, _)) in std::mem::take(&mut pipe.in_flight) {
                    let e = Error::Cancelled(
                        "interrupted while writing; the next run finds out whether it landed"
                            .into(),
                    );
                    let r = self.record_failure(row, cfg, &plan, e)?;
                    self.count_done(&mut report, r, &mut c, progress);
                }
            }
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

    /// Counts a folder that is over (done, failed or in conflict) and reports progress.
    fn count_done(
        &self,
        report: &mut OpReport,
        r: FolderResult,
        c: &mut Counter,
        progress: &mut dyn FnMut(Progress),
    ) {
        c.done += 1;
        c.stop |= !c.continue_on_error && self.note_stop(report, &r);
        let folder = r.folder.clone();
        self.tally(report, r);
        progress(Progress {
            phase: ProgressPhase::Writing,
            done: c.done,
            total: c.total,
            folder: Some(folder),
            failed: report.totals.failed_folders,
        });
    }

    fn tally(&self, report: &mut OpReport, r: FolderResult) {
        if r.outcome == FolderOutcome::Failed {
            report.totals.failed_folders += 1;
        } else {
            report.totals.add_keys(&r.keys);
            report.totals.metadata_failed += usize::from(r.error_code.is_some());
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
        plan: &mut FolderPlan,
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
        let mut raw = remote.map(|r| r.raw.clone()).unwrap_or_default();
        for k in plan.keys.iter().filter(|k| k.action.writes_remote()) {
            raw.remove(&k.name);
            if k.action == KeyAction::DeleteRemote {
                fields.remove(&k.name);
            } else if let Some(s) = local.and_then(|l| l.get(&k.name)) {
                fields.insert(
                    k.name.clone(),
                    crate::secret::SecretValue::new(s.value.expose().to_vec()),
                );
            }
        }
        let no_custom = BTreeMap::new();
        let existing = remote.map_or(&no_custom, |r| &r.custom);
        let foreign = super::meta::foreign_format(existing).is_some();
        let (custom, notes) = match (p.kv, local) {
            (2, Some(l)) if !foreign => {
                // The plan's, unless it was made against another remote state (a replay
                // resumed after a break plans as if the remote were new).
                let planned = plan.custom.take().filter(|c| c.against == remote.map(|r| r.version));
                let (mut full, notes) = match planned {
                    Some(c) => (c.full, c.notes),
                    None => {
                        let (_, full, notes) = desired_custom(remote, l);
                        (full, notes)
                    }
                };
                for k in plan.keys.iter().filter(|k| k.action == KeyAction::DeleteRemote) {
                    full.remove(&format!("{}{}", super::meta::META_PREFIX, k.name));
                }
                if let Some(r) = replay {
                    let times: Vec<String> = r.snaps.iter().map(|s| s.at.to_string()).collect();
                    full.insert(
                        super::meta::HISTORY_KEY.into(),
                        super::mapping::truncate_bytes(
                            &format!(
                                "{} versions replayed from Hush; original times (unix s): {}",
                                r.snaps.len(),
                                times.join(",")
                            ),
                            super::meta::MAX_CUSTOM_VALUE_BYTES,
                        ),
                    );
                }
                // Again: the history entry and the removals above may have changed what it follows.
                super::meta::mark_format(&mut full, existing);
                (Some(full), notes)
            }
            _ => (None, Vec::new()),
        };
        // The metadata is written only when it changes what the remote holds: a second request
        // per folder costs the server as much as the data write, and rewriting an unchanged map
        // would put back what a teammate edited after our read.
        let custom = custom.filter(|c| (writes || metadata) && c != existing);
        Some(Job {
            path: remote_path(&row.info.spec.prefix, &plan.folder),
            api_path: p.conn.api_path(&remote_path(&row.info.spec.prefix, &plan.folder)),
            cas: remote.map_or(0, |r| r.version),
            fields: writes.then_some(fields),
            raw,
            replay: replay.map(|r| {
                (r.snaps[r.start..].iter().map(|s| dup(&s.fields)).collect(), r.start as u64)
            }),
            custom_read: if custom.is_some() { existing.clone() } else { BTreeMap::new() },
            custom,
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
