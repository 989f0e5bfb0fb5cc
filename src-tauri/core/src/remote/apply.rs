//! One folder's work: the remote half (`Job`, run concurrently on the runtime: CAS writes, a
//! history replay, `custom_metadata`, the read-back before a local removal) and the local half
//! (`finish_folder`, on the calling thread: pulled values, sync state, removal and the folder's one
//! audit entry, in one transaction).

use std::collections::BTreeMap;

use rusqlite::params;

use super::client::{Conn, RemoteSecret};
use super::config::RemoteRow;
use super::exec::{next_base, RunCfg};
use super::history::remote_versions;
use super::mapping::{decode_custom, fields_equal, secret_path, Fields, TravelMeta};
use super::state;
use super::types::{Direction, FolderPlan, FolderResult, KeyAction, OpKind};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::secret::SecretValue;
use crate::vault::{write_in_tx, Vault};

/// The remote half of a folder. Owns copies of what it sends, so it can run on another task.
pub(crate) struct Job {
    pub path: String,
    pub api_path: String,
    /// Version read before planning: the check-and-set of the first write.
    pub cas: u64,
    /// The merged fields to write (remote fields, local ones laid over), if anything changes.
    pub fields: Option<Fields>,
    /// History replay instead of one write: snapshots and the remote version they continue from.
    pub replay: Option<(Vec<Fields>, u64)>,
    pub custom: Option<BTreeMap<String, String>>,
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
}

impl Landed {
    pub(crate) fn unchanged_remote(remote: Option<&RemoteSecret>) -> Landed {
        Landed {
            version: remote.map_or(0, |r| r.version),
            fields: None,
            history_versions: 0,
            verified: None,
            notes: Vec::new(),
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
        cas: u64,
    ) -> std::result::Result<u64, JobOut> {
        match conn.write(&self.path, fields, cas).await {
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
        };
        if let Some((snaps, start)) = &self.replay {
            let mut cas = *start;
            for s in snaps {
                match self.write_once(conn, s, cas).await {
                    Ok(v) => cas = v,
                    Err(out) => return out,
                }
                landed.history_versions += 1;
            }
            landed.version = cas;
            landed.fields = snaps.last().map(super::history::dup);
        } else if let Some(fields) = &self.fields {
            match self.write_once(conn, fields, self.cas).await {
                Ok(v) => landed.version = v,
                Err(out) => return out,
            }
            landed.fields = Some(super::history::dup(fields));
        }
        if let Some(custom) = &self.custom {
            if let Err(e) = conn.write_custom(&self.path, custom).await {
                return JobOut::Failed(e);
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

impl Vault {
    /// The local half of a folder, after its remote half landed (or when it had none).
    pub(crate) async fn finish_folder(
        &mut self,
        op: &OpCtx<'_>,
        local: Option<&super::plan::LocalFolder>,
        plan: &FolderPlan,
        remote: Option<&RemoteSecret>,
        landed: Landed,
    ) -> Result<FolderResult> {
        let OpCtx { row, cfg, conn } = *op;
        let empty = Fields::new();
        let remote_after: &Fields =
            landed.fields.as_ref().or(remote.map(|r| &r.fields)).unwrap_or(&empty);
        let pulls_new = plan.keys.iter().any(|k| k.action == KeyAction::CreateLocal);
        // Pull --with-history: the remote's older versions of keys that are new here.
        let history = match (
            remote,
            cfg.with_history && cfg.direction != Direction::Push && conn.kv == 2 && pulls_new,
        ) {
            (Some(r), true) => {
                remote_versions(
                    conn,
                    &super::mapping::remote_path(&row.info.spec.prefix, &plan.folder),
                    r.version,
                )
                .await?
            }
            _ => Vec::new(),
        };
        let key = self.data_key()?.duplicate();
        let vault_id = self.vault_id().to_string();
        let metas = remote.map(|r| decode_custom(&r.custom)).unwrap_or_default();
        let provenance = format!("vault {}: {}", row.info.spec.name, plan.remote_path);
        let old_base = state::load(self.conn(), row.id, &plan.folder)?;
        let mut keys = plan.keys.clone();
        let mut notes = plan.notes.clone();
        notes.extend(landed.notes.iter().cloned());
        let mut history_local = 0u64;

        let tx = self.tx()?;
        let macs = state::MacKey::derive(&key, &vault_id);
        let mut local_after: BTreeMap<&str, &[u8]> = local
            .map(|l| l.iter().map(|(k, s)| (k.as_str(), s.value.expose())))
            .into_iter()
            .flatten()
            .collect();
        let mut forget = Vec::new();
        for k in keys.iter_mut().filter(|k| k.action == KeyAction::DeleteLocal) {
            // Only the version the plan saw goes to the trash; a newer local write stays, as a conflict.
            let path = secret_path(&plan.folder, &k.name)?.to_string();
            let n = tx.execute(
                "UPDATE secrets SET deleted_at = ?2 WHERE path = ?1 AND deleted_at IS NULL AND (SELECT MAX(version) FROM versions WHERE secret_id = secrets.id) = ?3",
                params![path, crate::timefmt::now(), k.local_version.unwrap_or(0)],
            )?;
            if n == 0 {
                k.action = KeyAction::Conflict;
                k.reason = Some("changed locally while the operation ran".into());
            } else {
                local_after.remove(k.name.as_str());
                forget.push(k.name.clone());
            }
        }
        for k in keys.iter().filter(|k| k.action == KeyAction::DeleteRemote) {
            forget.push(k.name.clone());
        }
        for k in keys
            .iter_mut()
            .filter(|k| matches!(k.action, KeyAction::CreateLocal | KeyAction::UpdateLocal))
        {
            let Some(value) = remote_after.get(&k.name) else { continue };
            let path = secret_path(&plan.folder, &k.name)?;
            let mut opts = TravelMeta::write_options(metas.get(&k.name), &provenance);
            opts.cas = Some(k.local_version.unwrap_or(0));
            let mut previous: Option<&SecretValue> = None;
            if k.action == KeyAction::CreateLocal {
                for (at, fields) in &history {
                    let Some(v) = fields.get(&k.name) else { continue };
                    if previous.is_some_and(|p| p.expose() == v.expose()) {
                        continue;
                    }
                    let out = write_in_tx(&tx, &key, &vault_id, &path, v, &opts)?;
                    tx.execute("UPDATE versions SET created_at = ?1 WHERE version = ?2 AND secret_id = (SELECT id FROM secrets WHERE path = ?3 AND deleted_at IS NULL)", params![at, out.version, out.path])?;
                    opts.cas = None;
                    history_local += 1;
                    previous = Some(v);
                }
            }
            if previous.is_some_and(|p| p.expose() == value.expose()) {
                local_after.insert(name_of(remote_after, &k.name), value.expose());
                continue;
            }
            match write_in_tx(&tx, &key, &vault_id, &path, value, &opts) {
                Ok(_) => {
                    local_after.insert(name_of(remote_after, &k.name), value.expose());
                }
                // Changed locally since the plan: leave it, as a conflict.
                Err(Error::CasConflict { .. }) => {
                    k.action = KeyAction::Conflict;
                    k.reason = Some("changed locally while the operation ran".into());
                }
                Err(e) => return Err(e),
            }
        }
        // Pull: metadata edits made on the remote to keys whose value did not change.
        let meta_pulled = if cfg.direction == Direction::Pull {
            super::plan::metadata_to_pull(local, remote, &keys)
        } else {
            Vec::new()
        };
        for (name, m) in &meta_pulled {
            let path = secret_path(&plan.folder, name)?.to_string();
            let id: i64 = tx.query_row(
                "SELECT id FROM secrets WHERE path = ?1 AND deleted_at IS NULL",
                [&path],
                |r| r.get(0),
            )?;
            tx.execute(
                "UPDATE secrets SET description = ?2, expires_at = ?3, rotate_every_days = ?4, meta = ?5, updated_at = ?6 WHERE id = ?1",
                params![id, m.description, m.expires_at, m.rotate_every_days, serde_json::to_string(&m.meta).expect("map serialises"), crate::timefmt::now()],
            )?;
            crate::vault::set_tags(&tx, id, &m.tags)?;
        }
        if !meta_pulled.is_empty() {
            notes.push(format!(
                "metadata of {} unchanged key(s) taken from the remote",
                meta_pulled.len()
            ));
        }
        let equal: Vec<(String, Vec<u8>)> = local_after
            .iter()
            .filter(|(n, v)| remote_after.get(**n).is_some_and(|r| r.expose() == **v))
            .map(|(n, v)| (n.to_string(), macs.mac(row.id, &plan.folder, n, v)))
            .collect();
        let mut base = next_base(old_base.as_ref(), landed.version, equal.into_iter());
        for name in &forget {
            base.macs.remove(name);
        }
        state::save(&tx, row.id, &plan.folder, &base)?;
        let removed = landed.verified == Some(true);
        if landed.verified == Some(false) {
            notes
                .push("the remote read back differs from the local values: local copy kept".into());
        }
        if removed {
            tx.execute(
                "UPDATE secrets SET deleted_at = ?2 WHERE folder = ?1 AND deleted_at IS NULL",
                params![plan.folder, crate::timefmt::now()],
            )?;
        }
        let count = |a: KeyAction| keys.iter().filter(|k| k.action == a).count();
        let conflicts = count(KeyAction::Conflict);
        let wrote = landed.fields.is_some()
            || keys.iter().any(|k| k.action.writes_local())
            || removed
            || !meta_pulled.is_empty();
        let outcome = if conflicts > 0 {
            "conflict"
        } else if wrote {
            "done"
        } else {
            "unchanged"
        };
        let detail = format!(
            "remote {} {} v{}: {} created, {} updated, {} removed remotely; {} created, {} updated, {} trashed locally{}; {} conflict(s){}{}",
            row.info.spec.name, plan.remote_path, landed.version, count(KeyAction::CreateRemote), count(KeyAction::UpdateRemote), count(KeyAction::DeleteRemote),
            count(KeyAction::CreateLocal), count(KeyAction::UpdateLocal), count(KeyAction::DeleteLocal),
            if history_local + landed.history_versions > 0 { format!(", {} history version(s)", history_local + landed.history_versions) } else { String::new() },
            conflicts,
            if plan.metadata_changes { ", metadata" } else if !meta_pulled.is_empty() { ", metadata pulled" } else { "" },
            if removed { ", local copy moved to trash after verify" } else { "" },
        );
        audit::append(
            &tx,
            action_of(cfg.kind),
            Some(&plan.folder),
            if outcome == "conflict" { "conflict" } else { "ok" },
            Some(&detail),
        )?;
        tx.commit()?;
        Ok(FolderResult {
            folder: plan.folder.clone(),
            remote_path: plan.remote_path.clone(),
            outcome: outcome.into(),
            remote_version: landed.version,
            keys,
            history_versions: landed.history_versions + history_local,
            removed_local: removed,
            error_code: None,
            error: None,
            notes,
        })
    }

    /// A failed folder: one audit entry (code only, never a value) and its result.
    pub(crate) fn record_failure(
        &mut self,
        row: &RemoteRow,
        cfg: &RunCfg,
        plan: &FolderPlan,
        e: Error,
    ) -> Result<FolderResult> {
        let detail = format!("remote {} {}: {}", row.info.spec.name, plan.remote_path, e.code());
        self.audit_event(action_of(cfg.kind), Some(&plan.folder), "failure", Some(&detail))?;
        Ok(FolderResult {
            folder: plan.folder.clone(),
            remote_path: plan.remote_path.clone(),
            outcome: "failed".into(),
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

/// The key of `remote_after` equal to `name`, borrowed for as long as the fields live.
fn name_of<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .get_key_value(name)
        .map(|(k, _)| k.as_str())
        .expect("the key was looked up in these fields")
}
