//! One folder's work: the remote half (`Job`, run concurrently on the runtime: CAS writes, a
//! history replay, `custom_metadata`, the read-back before a local removal) and the local half
//! (`finish_folders`, on the calling thread: pulled values, sync state, removal and the folder's
//! one audit entry; the folders finished meanwhile share one transaction).

use std::collections::BTreeMap;

use super::client::{Conn, RemoteSecret};
use super::config::RemoteRow;
use super::exec::RunCfg;
use super::history::remote_versions;
use super::mapping::{fields_equal, secret_path, Fields};
use super::meta::{merged, read_all, TravelMeta};
use super::state;
use super::types::{Direction, FolderOutcome, FolderPlan, FolderResult, KeyAction, OpKind};
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::secret::SecretValue;
use crate::store::{SecretFilter, Tx, Write};
use crate::vault::{check_row, live_row, write_in_tx, Vault, WriteAt};

/// The remote half of a folder. Owns copies of what it sends, so it can run on another task.
pub(crate) struct Job {
    pub path: String,
    pub api_path: String,
    /// Version read before planning: the check-and-set of the first write.
    pub cas: u64,
    /// The merged fields to write (remote fields, local ones laid over), if anything changes.
    pub fields: Option<Fields>,
    /// Remote fields left as they were read whose JSON is not a string: written back as JSON.
    pub raw: std::collections::BTreeSet<String>,
    /// History replay instead of one write: snapshots and the remote version they continue from.
    pub replay: Option<(Vec<Fields>, u64)>,
    pub custom: Option<BTreeMap<String, String>>,
    /// The `custom_metadata` read before planning (what `custom` replaces).
    pub custom_read: BTreeMap<String, String>,
    /// Local values to compare with a fresh read after writing (remove-local-after-verify).
    pub verify: Option<Fields>,
    pub notes: Vec<String>,
}

/// What the remote holds after a job.
pub(crate) struct Landed {
    pub version: u64,
    /// The fields now on the remote when the job wrote them (`None`: unchanged since the read).
    pub fields: Option<Fields>,
    pub history_versions: u64,
    pub verified: Option<bool>,
    pub notes: Vec<String>,
    /// The folder's `custom_metadata` was written (a metadata-only change is a change).
    pub metadata_written: bool,
    /// The values landed but their metadata did not: the folder's error, with its code (a run
    /// that left the team's metadata behind is not a success).
    pub metadata_failed: Option<(&'static str, String)>,
}

impl Landed {
    pub(crate) fn unchanged_remote(remote: Option<&RemoteSecret>) -> Landed {
        Landed {
            version: remote.map_or(0, |r| r.version),
            fields: None,
            history_versions: 0,
            verified: None,
            notes: Vec::new(),
            metadata_written: false,
            metadata_failed: None,
        }
    }
}

pub(crate) enum JobOut {
    Landed(Landed),
    /// The remote moved on since it was read (CAS mismatch): its state now, to plan again.
    Moved(Option<RemoteSecret>),
    Failed(Error),
}

impl Job {
    /// One CAS write. A mismatch may mean that our own earlier attempt landed and only its reply
    /// was lost (a retry after a dropped connection): a read-back equal to what we wrote is success.
    async fn write_once(
        &self,
        conn: &Conn,
        fields: &Fields,
        raw: &std::collections::BTreeSet<String>,
        cas: u64,
    ) -> std::result::Result<u64, JobOut> {
        match conn.write(&self.path, fields, raw, cas).await {
            Ok(v) => Ok(v),
            Err(f) if f.is_cas_mismatch() => match conn.read(&self.path).await {
                Ok(Some(r)) if r.version == cas + 1 && fields_equal(&r.fields, fields) => {
                    Ok(r.version)
                }
                Ok(fresh) => Err(JobOut::Moved(fresh)),
                Err(e) => Err(JobOut::Failed(e)),
            },
            Err(f) => Err(JobOut::Failed(conn.err(f, "write", &self.api_path))),
        }
    }

    pub(crate) async fn run(self, conn: &Conn) -> JobOut {
        let mut landed = Landed {
            version: self.cas,
            fields: None,
            history_versions: 0,
            verified: None,
            notes: self.notes.clone(),
            metadata_written: false,
            metadata_failed: None,
        };
        if let Some((snaps, start)) = &self.replay {
            let mut cas = *start;
            for s in snaps {
                match self.write_once(conn, s, &Default::default(), cas).await {
                    Ok(v) => cas = v,
                    Err(out) => return out,
                }
                landed.history_versions += 1;
            }
            landed.version = cas;
            landed.fields = snaps.last().map(super::history::dup);
        } else if let Some(fields) = &self.fields {
            match self.write_once(conn, fields, &self.raw, self.cas).await {
                Ok(v) => landed.version = v,
                Err(out) => return out,
            }
            landed.fields = Some(super::history::dup(fields));
        }
        if let Some(custom) = &self.custom {
            match conn.write_custom(&self.path, custom, &self.custom_read).await {
                Ok(()) => landed.metadata_written = true,
                Err(e) if landed.fields.is_none() => return JobOut::Failed(e),
                // The values landed: say so (and record them), with what did not.
                Err(e) => {
                    let said = format!(
                        "the values were written as version {}, but not their metadata: {e}",
                        landed.version
                    );
                    landed.metadata_failed = Some((e.code(), said));
                }
            }
        }
        if let Some(local) = &self.verify {
            landed.verified = Some(match conn.read(&self.path).await {
                Ok(Some(r)) => local
                    .iter()
                    .all(|(k, v)| r.fields.get(k).is_some_and(|w| w.expose() == v.expose())),
                Ok(None) => false,
                Err(e) => return JobOut::Failed(e),
            });
        }
        JobOut::Landed(landed)
    }
}

fn action_of(kind: OpKind) -> Action {
    match kind {
        OpKind::Push => Action::Push,
        OpKind::Pull => Action::Pull,
        OpKind::Sync => Action::Sync,
        OpKind::Migrate => Action::Migrate,
    }
}

/// What every folder of one operation shares.
#[derive(Clone, Copy)]
pub(crate) struct OpCtx<'a> {
    pub row: &'a RemoteRow,
    pub cfg: &'a RunCfg,
    pub conn: &'a Conn,
}

/// What the local half of one folder works with, and what it did.
struct Local<'a> {
    folder: &'a str,
    /// Values after the operation, by name.
    after: BTreeMap<&'a str, &'a [u8]>,
    /// Names whose sync state goes (removed on one side by choice).
    forget: Vec<String>,
    history_versions: u64,
}

/// A folder whose remote half is over (or had no remote work), waiting for its local half.
pub(crate) struct Finished {
    pub plan: FolderPlan,
    /// The remote as read before planning.
    pub remote: Option<RemoteSecret>,
    pub landed: Landed,
    /// Pull --with-history: the remote's older versions of the keys new here.
    pub history: Vec<(i64, Fields)>,
}

impl Vault {
    /// The local halves of finished folders, in one transaction: each folder's pulled values,
    /// sync state, removal and one audit entry. One commit for many folders instead of one each
    /// (a migrate finishes folders faster than a transaction per folder commits); a folder is still
    /// all or nothing, and a batch that fails leaves remote writes that a rerun records as synced.
    pub(crate) fn finish_folders(
        &mut self,
        op: &OpCtx<'_>,
        locals: &BTreeMap<String, super::plan::LocalFolder>,
        batch: Vec<Finished>,
    ) -> Result<Vec<FolderResult>> {
        let (keys, store) = self.parts()?;
        let macs = state::MacKey::derive(keys.data_key(), keys.vault_id());
        let tx = store.write()?;
        let mut out = Vec::with_capacity(batch.len());
        for f in &batch {
            out.push(finish_one(&tx, keys, &macs, op, locals.get(&f.plan.folder), f)?);
        }
        tx.commit()?;
        Ok(out)
    }
}

/// The local half of one folder, after its remote half landed (or when it had none).
fn finish_one(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    macs: &state::MacKey,
    op: &OpCtx<'_>,
    local: Option<&super::plan::LocalFolder>,
    f: &Finished,
) -> Result<FolderResult> {
    let Finished { plan, remote, landed, history } = f;
    let remote = remote.as_ref();
    let OpCtx { row, cfg, .. } = *op;
    let empty = Fields::new();
    let remote_after: &Fields =
        landed.fields.as_ref().or(remote.map(|r| &r.fields)).unwrap_or(&empty);
    let metas = remote.map(|r| read_all(&r.custom)).unwrap_or_default();
    let provenance = format!("vault {}: {}", row.info.spec.name, plan.remote_path);
    let mut keys_plan = plan.keys.clone();
    let mut notes = plan.notes.clone();
    notes.extend(landed.notes.iter().cloned());

    let old_macs = state::load_macs(tx, row.id, &plan.folder)?;
    let mut l = Local {
        folder: &plan.folder,
        after: local
            .map(|l| l.iter().map(|(k, s)| (k.as_str(), s.value.expose())))
            .into_iter()
            .flatten()
            .collect(),
        forget: Vec::new(),
        history_versions: 0,
    };
    for k in keys_plan.iter_mut().filter(|k| k.action == KeyAction::DeleteLocal) {
        // Only the version the plan saw goes to the trash; a newer local write stays, as a conflict.
        if trash_if_at(
            tx,
            keys,
            &secret_path(&plan.folder, &k.name)?,
            k.local_version.unwrap_or(0),
        )? {
            l.after.remove(k.name.as_str());
            l.forget.push(k.name.clone());
        } else {
            k.action = KeyAction::Conflict;
            k.reason = Some("changed locally while the operation ran".into());
        }
    }
    l.forget.extend(
        keys_plan.iter().filter(|k| k.action == KeyAction::DeleteRemote).map(|k| k.name.clone()),
    );
    for k in keys_plan
        .iter_mut()
        .filter(|k| matches!(k.action, KeyAction::CreateLocal | KeyAction::UpdateLocal))
    {
        let Some((name, value)) = remote_after.get_key_value(&k.name) else { continue };
        // A new key takes the remote's metadata as it is; an updated one keeps its local
        // values where the remote's are shortened or unreadable.
        let ours = local.and_then(|l| l.get(&k.name)).map(|s| TravelMeta::of(&s.meta));
        let theirs = metas.get(&k.name).filter(|r| !r.opaque).map(|r| merged(ours.as_ref(), r));
        let mut opts = TravelMeta::write_options(theirs.as_ref(), &provenance);
        opts.cas = Some(k.local_version.unwrap_or(0));
        let hist = if k.action == KeyAction::CreateLocal { history.as_slice() } else { &[] };
        if !write_pulled(tx, keys, &mut l, name, value, &opts, hist)? {
            k.action = KeyAction::Conflict;
            k.reason = Some("changed locally while the operation ran".into());
        }
    }
    // Pull: metadata edits made on the remote to keys whose value did not change.
    let meta_pulled = if cfg.direction == Direction::Pull {
        super::plan::metadata_to_pull(local, remote, &keys_plan)
    } else {
        Vec::new()
    };
    for (name, m) in &meta_pulled {
        apply_pulled_meta(tx, keys, &secret_path(&plan.folder, name)?.to_string(), m)?;
    }
    if !meta_pulled.is_empty() {
        let names: Vec<String> = meta_pulled.iter().map(|(n, _)| n.clone()).collect();
        let note = super::plan::metadata_pulled_note(&names);
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    let equal: Vec<(String, Vec<u8>)> = l
        .after
        .iter()
        .filter(|(n, v)| remote_after.get(**n).is_some_and(|r| r.expose() == **v))
        .map(|(n, v)| (n.to_string(), macs.mac(row.id, &plan.folder, n, v)))
        .collect();
    let removed = landed.verified == Some(true);
    let wrote = landed.fields.is_some()
        || landed.metadata_written
        || keys_plan.iter().any(|k| k.action.writes_local())
        || removed
        || !meta_pulled.is_empty();
    // A run that moved nothing and found no key in agreement synced nothing: the folder's last
    // sync stays what it was (not "synced at v0" once the remote secret is gone, nor "synced"
    // at all for a folder that never was).
    if wrote || !equal.is_empty() || !l.forget.is_empty() {
        let mut base = state::next_base(old_macs, landed.version, equal.into_iter());
        for name in &l.forget {
            base.macs.remove(name);
        }
        state::save(tx, row.id, &plan.folder, &base)?;
    }
    if landed.verified == Some(false) {
        notes.push("the remote read back differs from the local values: local copy kept".into());
    }
    if removed {
        trash_folder(tx, keys, &plan.folder)?;
    }
    let count = |a: KeyAction| keys_plan.iter().filter(|k| k.action == a).count();
    let outcome = if count(KeyAction::Conflict) > 0 {
        FolderOutcome::Conflict
    } else if wrote {
        FolderOutcome::Done
    } else {
        FolderOutcome::Unchanged
    };
    let history_versions = landed.history_versions + l.history_versions;
    let detail = format!(
        "remote {} {} v{}: {} created, {} updated, {} removed remotely; {} created, {} updated, {} trashed locally{}; {} conflict(s){}{}",
        row.info.spec.name, plan.remote_path, landed.version, count(KeyAction::CreateRemote), count(KeyAction::UpdateRemote), count(KeyAction::DeleteRemote),
        count(KeyAction::CreateLocal), count(KeyAction::UpdateLocal), count(KeyAction::DeleteLocal),
        if history_versions > 0 { format!(", {history_versions} history version(s)") } else { String::new() },
        count(KeyAction::Conflict),
        if landed.metadata_failed.is_some() { ", metadata NOT written" } else if plan.metadata_changes { ", metadata" } else if !meta_pulled.is_empty() { ", metadata pulled" } else { "" },
        if removed { ", local copy moved to trash after verify" } else { "" },
    );
    let audit_outcome =
        if outcome == FolderOutcome::Conflict { Outcome::Conflict } else { Outcome::Ok };
    audit::append(
        tx,
        Some(keys),
        action_of(cfg.kind),
        Some(&plan.folder),
        audit_outcome,
        Some(&detail),
    )?;
    Ok(FolderResult {
        folder: plan.folder.clone(),
        remote_path: plan.remote_path.clone(),
        outcome,
        remote_version: landed.version,
        keys: keys_plan,
        history_versions,
        removed_local: removed,
        error_code: landed.metadata_failed.as_ref().map(|(code, _)| code.to_string()),
        error: landed.metadata_failed.as_ref().map(|(_, said)| said.clone()),
        notes,
    })
}

impl Vault {
    /// A failed folder: one audit entry (code only, never a value) and its result.
    pub(crate) fn record_failure(
        &mut self,
        row: &RemoteRow,
        cfg: &RunCfg,
        plan: &FolderPlan,
        e: Error,
    ) -> Result<FolderResult> {
        let detail = format!("remote {} {}: {}", row.info.spec.name, plan.remote_path, e.code());
        self.audit_event(action_of(cfg.kind), Some(&plan.folder), Outcome::Failure, Some(&detail))?;
        Ok(FolderResult {
            folder: plan.folder.clone(),
            remote_path: plan.remote_path.clone(),
            outcome: FolderOutcome::Failed,
            remote_version: plan.remote_version,
            keys: plan.keys.clone(),
            history_versions: 0,
            removed_local: false,
            error_code: Some(e.code().into()),
            error: Some(e.to_string()),
            notes: plan.notes.clone(),
        })
    }
}

/// Pull --with-history: the remote's older versions, for the keys that are new here.
pub(crate) async fn pulled_history(
    op: &OpCtx<'_>,
    plan: &FolderPlan,
    remote: Option<&RemoteSecret>,
) -> Result<Vec<(i64, Fields)>> {
    let OpCtx { row, cfg, conn } = *op;
    let pulls_new = plan.keys.iter().any(|k| k.action == KeyAction::CreateLocal);
    match remote {
        Some(r)
            if cfg.with_history
                && cfg.direction != Direction::Push
                && conn.kv == 2
                && pulls_new =>
        {
            let path = super::mapping::remote_path(&row.info.spec.prefix, &plan.folder);
            remote_versions(conn, &path, r.version).await
        }
        _ => Ok(Vec::new()),
    }
}

/// Writes a pulled value (after its older remote versions, for a key new here). `false`: the key
/// changed locally since the plan and was left alone (a conflict).
fn write_pulled<'a>(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    l: &mut Local<'a>,
    name: &'a str,
    value: &'a SecretValue,
    opts: &crate::model::WriteOptions,
    history: &[(i64, Fields)],
) -> Result<bool> {
    let path = secret_path(l.folder, name)?;
    let mut opts = opts.clone();
    let mut previous: Option<&SecretValue> = None;
    for (at, fields) in history {
        let Some(v) = fields.get(name) else { continue };
        if previous.is_some_and(|p| p.expose() == v.expose()) {
            continue;
        }
        write_in_tx(tx, keys, &path, v, &opts, WriteAt(Some(*at)))?;
        opts.cas = None;
        l.history_versions += 1;
        previous = Some(v);
    }
    if previous.is_none_or(|p| p.expose() != value.expose()) {
        match write_in_tx(tx, keys, &path, value, &opts, WriteAt::default()) {
            Ok(_) => {}
            Err(Error::CasConflict { .. }) => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    l.after.insert(name, value.expose());
    Ok(true)
}

/// Moves the live secret at `path` to the trash if its newest version is still `version`.
fn trash_if_at(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    path: &crate::path::SecretPath,
    version: u64,
) -> Result<bool> {
    let Some(mut r) = live_row(tx, keys, &path.to_string())? else { return Ok(false) };
    if tx.newest_version(r.id)? != version {
        return Ok(false);
    }
    r.deleted_at = Some(crate::timefmt::now());
    tx.update_secret(keys, &mut r)?;
    Ok(true)
}

/// Moves every live secret directly in `folder` to the trash (remove-local-after-verify).
fn trash_folder(tx: &Tx<'_, Write>, keys: &Keys, folder: &str) -> Result<()> {
    let filter = SecretFilter { folder: Some(folder), direct: true, ..SecretFilter::live() };
    let now = crate::timefmt::now();
    for mut r in tx.secrets(&filter)? {
        check_row(tx, keys, &r)?;
        r.deleted_at = Some(now);
        tx.update_secret(keys, &mut r)?;
    }
    Ok(())
}

/// Takes metadata edited on the remote (no new version).
fn apply_pulled_meta(tx: &Tx<'_, Write>, keys: &Keys, path: &str, m: &TravelMeta) -> Result<()> {
    let mut r = live_row(tx, keys, path)?.ok_or_else(|| Error::NotFound { path: path.into() })?;
    r.description.clone_from(&m.description);
    r.expires_at = m.expires_at;
    r.rotate_every_days = m.rotate_every_days;
    r.meta.clone_from(&m.meta);
    r.tags.clone_from(&m.tags);
    r.updated_at = crate::timefmt::now();
    tx.update_secret(keys, &mut r)?;
    tx.set_tags(r.id, &r.tags)
}
