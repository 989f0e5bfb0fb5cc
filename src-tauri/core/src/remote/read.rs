//! The read half of every operation: the local folders in scope (one snapshot), the remote's
//! folders (discovery under the prefix), the current remote state of each folder (reads in
//! flight at once), and the plan of each folder.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::task::JoinSet;

use super::client::{Conn, RemoteSecret};
use super::config::RemoteRow;
use super::exec::{Replay, RunCfg, KV1_NOTE};
use super::health::preflight;
use super::history::replay_start;
use super::mapping::{folder_of, remote_path, secret_path};
use super::plan::{plan_folder, Inputs, LocalFolder, LocalSecret};
use super::state::{self, MacKey};
use super::types::*;
use crate::error::{Error, Result};
use crate::path::FolderPath;
use crate::store::Current;
use crate::vault::{check_row, open_found, Vault};

pub(crate) struct Prepared {
    pub conn: Arc<Conn>,
    pub kv: u8,
    pub macs: MacKey,
    pub local: BTreeMap<String, LocalFolder>,
    pub remotes: BTreeMap<String, Option<RemoteSecret>>,
    pub read_errors: BTreeMap<String, Error>,
    pub plans: Vec<FolderPlan>,
    pub replays: BTreeMap<String, Replay>,
    pub notes: Vec<String>,
}

pub(crate) fn in_scope(folder: &str, filters: &[String]) -> bool {
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
    // Every record by id (no sort: the folders are a map) and every current version, each in
    // one statement.
    let currents = tx.current_versions()?;
    let none = Current { newest: 0, sealed: None };
    for row in tx.all_secrets()?.into_iter().filter(|r| in_scope(&r.folder, filters)) {
        check_row(&tx, keys, &row)?;
        if row.deleted_at.is_some() {
            continue;
        }
        let value = open_found(keys, &row, currents.get(&row.id).unwrap_or(&none))?;
        out.entry(row.folder.clone())
            .or_default()
            .insert(row.name.clone(), LocalSecret { meta: row.meta(), value });
    }
    Ok(out)
}

/// A named folder that matches nothing the operation looked at (a typo, say) is an error rather
/// than a run that does nothing and says "done".
fn no_such_folder(
    filters: &[String],
    known: &[&String],
    direction: Direction,
    remote: &str,
) -> Result<()> {
    let Some(f) =
        filters.iter().find(|f| !known.iter().any(|x| in_scope(x, std::slice::from_ref(f))))
    else {
        return Ok(());
    };
    let place = match direction {
        Direction::Push => format!("in the vault to push to '{remote}' (nor one synced with it)"),
        _ => format!("in the vault or on the remote '{remote}'"),
    };
    Err(Error::NoSuchFolder { folder: f.clone(), place })
}

/// Notes on `--keep-local`/`--keep-remote` choices that name no folder or key of the operation
/// (a typo): the conflict they were meant for stays, and the run must not read as settled. A
/// choice is stored under each reading of its path (`a/b.c` as a folder and as a quoted key),
/// so a path counts as matched when any of its readings is.
fn unmatched_resolutions(
    plans: &[FolderPlan],
    resolutions: &BTreeMap<String, Resolution>,
) -> Vec<String> {
    if resolutions.is_empty() {
        return Vec::new();
    }
    let mut held: BTreeSet<String> = BTreeSet::new();
    for plan in plans {
        held.insert(plan.folder.clone());
        held.extend(
            plan.keys
                .iter()
                .filter_map(|k| secret_path(&plan.folder, &k.name).ok())
                .map(|p| p.to_string()),
        );
    }
    let reading = |r: &str| r.replace('"', "");
    let matched: BTreeSet<String> =
        resolutions.keys().filter(|r| held.contains(*r)).map(|r| reading(r)).collect();
    let mut unmatched: BTreeMap<String, Resolution> = BTreeMap::new();
    for (r, keep) in resolutions {
        if !matched.contains(&reading(r)) {
            unmatched.insert(reading(r), *keep);
        }
    }
    unmatched
        .into_iter()
        .map(|(path, keep)| {
            let flag = match keep {
                Resolution::KeepLocal => "--keep-local",
                Resolution::KeepRemote => "--keep-remote",
            };
            format!("{flag} {path}: no folder or secret of this operation has that path, so it settled nothing")
        })
        .collect()
}

/// A spawned task that is cancelled when its owner is dropped (an error, or a remote-first
/// bound that ran out) instead of running on detached.
struct AbortOnDrop<T>(tokio::task::JoinHandle<Result<T>>);

impl<T> AbortOnDrop<T> {
    async fn finish(mut self) -> Result<T> {
        (&mut self.0).await.map_err(join_err)?
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) fn join_err(e: tokio::task::JoinError) -> Error {
    Error::Remote(format!("an internal remote task failed: {e}"))
}

/// Walks the mount's listing under the prefix (from the filters' parents when there are
/// filters); returns the folders found (and notes on remote secrets that are not valid Hush
/// folder paths).
async fn discover(
    conn: &Arc<Conn>,
    filters: &[String],
    limit: usize,
    exact: bool,
) -> Result<(Vec<String>, Vec<String>)> {
    let prefix = conn.target().prefix.clone();
    let start = dir_of(&prefix);
    // A directory is worth entering when a filter lies inside it or it lies inside a filter
    // (`exact`: only above one; a filter's own subfolders are not wanted).
    let wanted_dir = |rel: &str| {
        filters.is_empty()
            || filters.iter().any(|f| {
                let own = format!("{f}/");
                (own.starts_with(rel) && !(exact && own == rel))
                    || (!exact && rel.starts_with(&own))
            })
    };
    let (mut folders, mut notes) = (Vec::new(), Vec::new());
    let mut queue = first_dirs(&start, filters);
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
            let keys = match keys {
                // A directory below the start the token may not list: the folders under it are
                // left out, said loudly, and the rest goes on (one denied subtree used to stop
                // every plan and pull). The start itself denied stays an error.
                Err(Error::RemoteDenied { .. }) if filters.is_empty() && dir != start => {
                    notes.push(format!(
                        "warning: the token may not list '{}': folders under it that only the remote holds are left out of this run",
                        list_api(conn, &dir)
                    ));
                    continue;
                }
                // A token for named folders only may not list their parents: the named folders
                // are read directly instead (a read of one that is not there finds nothing).
                Err(Error::RemoteDenied { .. }) if !filters.is_empty() => {
                    let rel = dir.strip_prefix(&format!("{prefix}/")).unwrap_or(&dir);
                    let named = filters
                        .iter()
                        .filter(|f| format!("{f}/").starts_with(rel) && !folders.contains(*f));
                    let named: Vec<String> = named.cloned().collect();
                    if !named.is_empty() {
                        notes.push(format!(
                            "the token may not list '{}': {} read directly",
                            list_api(conn, &dir),
                            named.join(", ")
                        ));
                    }
                    // Their subfolders, where the token may list them.
                    next.extend(named.iter().map(|f| format!("{}/", remote_path(&prefix, f))));
                    folders.extend(named);
                    continue;
                }
                other => other?,
            };
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

/// The API path a listing of `dir` asks (`secret/metadata/team/app/` on KV v2), as policies
/// name it.
fn list_api(conn: &Conn, dir: &str) -> String {
    let mount = &conn.target().mount;
    if conn.kv == 2 {
        format!("{mount}/metadata/{dir}")
    } else {
        format!("{mount}/{dir}")
    }
}

/// Where discovery starts: the prefix, or with filters each named folder's parent directory (the
/// levels above hold nothing in scope, and each is a round trip); none inside another.
fn first_dirs(start: &str, filters: &[String]) -> Vec<String> {
    if filters.is_empty() {
        return vec![start.to_string()];
    }
    let mut dirs: Vec<String> = filters
        .iter()
        .map(|f| {
            f.rsplit_once('/').map_or(start.to_string(), |(parent, _)| format!("{start}{parent}/"))
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let all = dirs.clone();
    dirs.retain(|d| !all.iter().any(|o| o != d && d.starts_with(o.as_str())));
    dirs
}

type Read = (String, Result<Option<RemoteSecret>>);

/// Starts the read of `folder`'s remote secret in `set`.
fn spawn_read(set: &mut JoinSet<Read>, conn: &Arc<Conn>, prefix: &str, folder: String) {
    let (c, path) = (conn.clone(), remote_path(prefix, &folder));
    set.spawn(async move {
        let r = c.read(&path).await;
        (folder, r)
    });
}

/// Reads of `folders`, all at once; a read that fails is kept with its error. (A task that
/// panicked leaves its folder out: it is then read again with the others.)
async fn read_named(
    conn: &Arc<Conn>,
    prefix: &str,
    folders: &[String],
) -> BTreeMap<String, Result<Option<RemoteSecret>>> {
    let mut set = JoinSet::new();
    for f in folders {
        spawn_read(&mut set, conn, prefix, f.clone());
    }
    let mut out = BTreeMap::new();
    while let Some(joined) = set.join_next().await {
        if let Ok((f, r)) = joined {
            out.insert(f, r);
        }
    }
    out
}

/// A folder whose remote secret the token may not read: its remote state is unknown, so no key
/// is planned (a plan made as if it were absent would offer to create, or to drop locally, what
/// may well be there). The error is the plan's note.
fn unreadable(plan: &mut FolderPlan, e: &Error) {
    plan.state = FolderState::Unreadable;
    plan.keys.clear();
    plan.metadata_changes = false;
    plan.custom = None;
    plan.notes.push(e.to_string());
}

/// The directory a listing of `prefix` names.
fn dir_of(prefix: &str) -> String {
    if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    }
}

/// The listing of the prefix itself, for `absent_at_top`; `None` when it cannot be read.
async fn list_prefix(conn: &Conn, prefix: &str) -> Option<Vec<String>> {
    conn.list(&dir_of(prefix)).await.ok()
}

/// The folders that cannot exist remotely: their first segment is neither a secret nor a
/// directory in `listing`, the prefix's, made while the local vault was read. (When it cannot be
/// read, a policy without `list`, there is none and every folder is read.)
fn absent_at_top(listing: &[String], folders: &BTreeSet<String>) -> Vec<String> {
    let names: BTreeSet<&str> = listing.iter().map(|n| n.trim_end_matches('/')).collect();
    folders.iter().filter(|f| !names.contains(f.split('/').next().unwrap_or(f))).cloned().collect()
}

/// A note when a secret sits exactly at the prefix path: folders live under the prefix, so that
/// secret is not one of them and is left alone.
async fn secret_at_prefix(conn: &Conn, row: &RemoteRow) -> Result<Option<String>> {
    let prefix = &row.info.spec.prefix;
    if prefix.is_empty() {
        return Ok(None);
    }
    // KV v2: the metadata alone says whether a secret is there (one request; a read of the data
    // that finds none asks the metadata next, a second round trip).
    let there = if conn.kv == 2 {
        conn.read_metadata(prefix).await.map(|m| m.map(|_| ()))
    } else {
        conn.read(prefix).await.map(|r| r.map(|_| ()))
    };
    // Only a note: a token that may not read there (policies name the paths under the prefix)
    // goes on without it.
    let there = match there {
        Err(Error::RemoteDenied { .. }) => None,
        other => other?,
    };
    Ok(there.map(|_| {
        format!(
            "a secret sits at the prefix path itself ({}/{prefix}); folders are the secrets under it, so this one is left alone (move it under the prefix, or pick another prefix, to sync it)",
            row.info.spec.mount
        )
    }))
}

impl Vault {
    pub(crate) async fn prepare(
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
        // The server is asked about its mount while this thread reads and decrypts the local
        // secrets: the round trips of the connection overlap the local work instead of
        // following it. (A local error still comes first; the connection is then dropped.)
        // A push of everything or of several folders lists the prefix then too (see
        // `absent_at_top`); with one folder named, only once the vault says it holds several.
        let push = cfg.direction == Direction::Push && filters.len() != 1;
        let (r, bound) = (row.clone(), cfg.bound);
        let connecting = AbortOnDrop(tokio::spawn(async move {
            let mut conn = r.connect().await?;
            if let Some(bound) = bound {
                conn.limit_retries(bound);
            }
            let kv = preflight(&mut conn).await?;
            let top = match push {
                true => list_prefix(&conn, &r.info.spec.prefix).await,
                false => None,
            };
            Ok::<_, Error>((conn, kv, top))
        }));
        let local = load_local(self, &filters)?;
        let bases = state::load_all(&self.store().read()?, row.id)?;
        let (conn, kv, top) = connecting.finish().await?;
        let conn = Arc::new(conn);
        let mut notes = super::addr::connection_notes(row, conn.target(), conn.token_source);
        if kv == 1 {
            notes.push(KV1_NOTE.to_string());
        }
        let mut folders: BTreeSet<String> = BTreeSet::new();
        if cfg.direction != Direction::Pull {
            folders.extend(local.keys().cloned());
        }
        let mut early = BTreeMap::new();
        if cfg.direction != Direction::Push {
            // All at once: each is a round trip or two, and a remote-first run pays them all.
            // The folders named are read before discovery says they exist; a read is kept only
            // for a folder it finds (so a named directory that is no secret reads as before).
            let named = &filters[..filters.len().min(cfg.limit())];
            let (found, at_prefix, named_reads) = tokio::join!(
                discover(&conn, &filters, cfg.limit(), cfg.exact),
                secret_at_prefix(&conn, row),
                read_named(&conn, &row.info.spec.prefix, named),
            );
            early = named_reads;
            let (found, n) = found?;
            folders.extend(found);
            notes.extend(n);
            // Folders synced with this remote before are read too: one removed remotely shows as
            // removals to settle, not as nothing.
            folders.extend(bases.keys().filter(|f| local.contains_key(*f)).cloned());
            notes.extend(at_prefix?);
        }

        if cfg.direction == Direction::Push && cfg.kind != OpKind::Migrate {
            // A folder synced before whose every secret was removed here: its removals are to
            // be settled, as a sync plan shows them, not left out. (A migrate sends what is
            // here: a rerun after `--remove-local-after-verify` has nothing to settle.)
            folders.extend(bases.keys().filter(|f| in_scope(f, &filters)).cloned());
        }
        if !filters.is_empty() {
            let known: Vec<&String> =
                folders.iter().chain(local.keys()).chain(bases.keys()).collect();
            no_such_folder(&filters, &known, cfg.direction, &row.info.spec.name)?;
        }
        if cfg.exact {
            folders.retain(|f| filters.contains(f));
        }

        // Current remote state of every folder, `limit` reads in flight. A push first lists the
        // prefix once: a folder whose first segment is not there does not exist remotely and needs
        // no read of its own (its write is check-and-set on "must not exist" all the same).
        let total = folders.len();
        let (mut remotes, mut read_errors) = (BTreeMap::new(), BTreeMap::new());
        let top = match top {
            None if cfg.direction == Direction::Push && folders.len() > 1 => {
                list_prefix(&conn, &row.info.spec.prefix).await
            }
            top => top,
        };
        if let Some(top) = top.filter(|_| folders.len() > 1) {
            for f in absent_at_top(&top, &folders) {
                remotes.insert(f, None);
            }
        }
        let mut set = JoinSet::new();
        let mut read_early: Vec<_> =
            early.into_iter().filter(|(f, _)| folders.contains(f)).collect();
        let to_read: Vec<String> = folders
            .iter()
            .filter(|f| !remotes.contains_key(*f) && !read_early.iter().any(|(g, _)| g == *f))
            .cloned()
            .collect();
        let mut pending = to_read.into_iter();
        loop {
            while set.len() < cfg.limit() {
                let Some(f) = pending.next() else { break };
                spawn_read(&mut set, &conn, &row.info.spec.prefix, f);
            }
            let (f, r) = match read_early.pop() {
                Some(done) => done,
                None => match set.join_next().await {
                    Some(done) => done.map_err(join_err)?,
                    None => break,
                },
            };
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
                    remote.filter(|r| r.deleted.is_none()).map(|r| (r.version, &r.fields)),
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
                unreadable(&mut plan, e);
            }
            plans.push(plan);
        }
        notes.extend(unmatched_resolutions(&plans, &cfg.resolutions));
        Ok(Prepared { conn, kv, macs, local, remotes, read_errors, plans, replays, notes })
    }
}

#[cfg(test)]
mod tests {
    use super::first_dirs;

    #[test]
    fn discovery_starts_at_the_named_folders_parents() {
        let f = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(first_dirs("team/", &[]), f(&["team/"]));
        assert_eq!(first_dirs("team/", &f(&["myapp/dev"])), f(&["team/myapp/"]));
        assert_eq!(first_dirs("", &f(&["a/b/c", "x/y"])), f(&["a/b/", "x/"]));
        // A single-segment folder lists the prefix; a parent inside another is walked from it.
        assert_eq!(first_dirs("team/", &f(&["app", "app/dev/x"])), f(&["team/"]));
        assert_eq!(first_dirs("", &f(&["a/b", "a/b/c/d", "a/e"])), f(&["a/"]));
    }
}
