//! Writing, reading, listing and rolling back secrets.
//!
//! Every read of a value checks, before decrypting, the MAC of every record at the path (the live
//! one and those in the trash: a forged `deleted_at` hiding a secret is caught too) and that the
//! record's current version is the newest one kept (an older record put back is caught).

use std::collections::BTreeMap;

use super::Vault;
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::lifecycle::Validation;
use crate::model::{
    check_tag, Kind, ListFilter, SecretMeta, VersionInfo, WriteOptions, WriteOutcome,
};
use crate::path::{FolderPath, SecretPath};
use crate::secret::SecretValue;
use crate::store::{
    secret_mac_input, Current, NewRecord, SecretFilter, SecretRow, Tx, VersionRow, Write,
};

/// Largest value accepted: 1 MiB. Env vars and files of that size are already unusual.
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

/// Why a value holding U+0000 is refused: `execve` ends every environment string at the first
/// NUL, so `hush run` could never pass it (std refuses to try).
pub(crate) const NUL_VALUE: &str =
    "the value holds a NUL character (U+0000), which no environment variable can hold";

/// When a written version was made (history imported from elsewhere keeps its own times).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WriteAt(pub Option<i64>);

/// A record whose MAC does not verify is an integrity error naming it; so is one whose bucket
/// no longer matches the state root (a record there put back from an older copy, removed or
/// added: `store::state`).
pub(crate) fn check_row<M>(tx: &Tx<'_, M>, keys: &Keys, row: &SecretRow) -> Result<()> {
    check_mac(keys, row)?;
    tx.check_state_of(keys, row.id)
}

/// The record's own MAC alone (its bucket is checked apart, by whoever read it).
pub(crate) fn check_mac(keys: &Keys, row: &SecretRow) -> Result<()> {
    if keys.row_mac_ok(&secret_mac_input(row), row.mac.as_deref()) {
        Ok(())
    } else {
        Err(Error::Integrity {
            what: format!(
                "the record of '{}' (its name, version, deletion, kind, expiry or rotation policy was changed outside Hush)",
                row.path
            ),
        })
    }
}

/// The live record at `path`, every record there checked first.
pub(crate) fn live_row<M>(tx: &Tx<'_, M>, keys: &Keys, path: &str) -> Result<Option<SecretRow>> {
    let rows = tx.secrets_at(path)?;
    for r in &rows {
        check_row(tx, keys, r)?;
    }
    Ok(rows.into_iter().find(|r| r.deleted_at.is_none()))
}

/// Decrypts version `version` of a checked record.
pub(crate) fn open_version<M>(
    tx: &Tx<'_, M>,
    keys: &Keys,
    row: &SecretRow,
    version: u64,
) -> Result<SecretValue> {
    let v = tx
        .version(row.id, version)?
        .ok_or_else(|| Error::VersionNotKept { path: row.path.clone(), version })?;
    keys.open_version(row.id, &row.path, version, &v.sealed)
}

/// Decrypts the current version of a checked record; a newer kept version than the recorded
/// current one means the record was put back from an older copy.
pub(crate) fn open_current<M>(tx: &Tx<'_, M>, keys: &Keys, row: &SecretRow) -> Result<SecretValue> {
    let current = Current {
        newest: tx.newest_version(row.id)?,
        sealed: tx.version(row.id, row.current_version)?.map(|v| v.sealed),
    };
    open_found(keys, row, &current)
}

/// `open_current` with the versions already read (`Tx::current_versions`, for many records).
pub(crate) fn open_found(keys: &Keys, row: &SecretRow, current: &Current) -> Result<SecretValue> {
    if current.newest != row.current_version {
        // Newer rows than the record names: the record came back from an older copy. Fewer: its
        // current version's row was deleted.
        let why = if current.newest > row.current_version {
            format!(
                "it points to version {}, older than the version {} it holds",
                row.current_version, current.newest
            )
        } else {
            format!("its current version {} is missing from the file", row.current_version)
        };
        return Err(Error::Integrity { what: format!("the record of '{}' ({why})", row.path) });
    }
    let sealed = current.sealed.as_ref().ok_or_else(|| Error::VersionNotKept {
        path: row.path.clone(),
        version: row.current_version,
    })?;
    keys.open_version(row.id, &row.path, row.current_version, sealed)
}

/// The size, text and shape checks every write makes (refusals), then the kind's deep check:
/// its problems are warnings, or a refusal when `strict`.
pub(crate) fn check_value(value: &SecretValue, kind: Kind, strict: bool) -> Result<Validation> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(Error::TooLarge {
            what: "the value".into(),
            size: value.len(),
            limit: MAX_VALUE_BYTES,
        });
    }
    if std::str::from_utf8(value.expose()).is_err() {
        return Err(Error::InvalidInput(
            "the value is not valid UTF-8 text (values must fit in an environment variable)".into(),
        ));
    }
    if value.has_nul() {
        return Err(Error::InvalidInput(NUL_VALUE.into()));
    }
    kind.validate(value)?;
    let v = crate::lifecycle::validate(kind, value);
    if strict && !v.problems.is_empty() {
        return Err(Error::InvalidInput(format!(
            "the value is not a valid {}: {} (nothing was written)",
            kind.as_str(),
            v.problems.join("; ")
        )));
    }
    Ok(v)
}

impl Vault {
    /// Writes a new version of a secret (creating it if needed), with optional check-and-set.
    pub fn set(
        &mut self,
        path: &SecretPath,
        value: &SecretValue,
        opts: &WriteOptions,
    ) -> Result<WriteOutcome> {
        self.write(path, value, opts, Action::Write, None)
    }

    pub(crate) fn write(
        &mut self,
        path: &SecretPath,
        value: &SecretValue,
        opts: &WriteOptions,
        action: Action,
        detail: Option<String>,
    ) -> Result<WriteOutcome> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let out = match write_in_tx(&tx, keys, path, value, opts, WriteAt::default()) {
            Err(Error::CasConflict { path, expected, actual }) => {
                drop(tx);
                let tx = store.write()?;
                let detail = format!("cas {expected}, current {actual}");
                audit::append(
                    &tx,
                    Some(keys),
                    action,
                    Some(&path_s),
                    Outcome::Conflict,
                    Some(&detail),
                )?;
                tx.commit()?;
                return Err(Error::CasConflict { path, expected, actual });
            }
            other => other?,
        };
        let detail = detail.unwrap_or_else(|| format!("version {}", out.version));
        audit::append(&tx, Some(keys), action, Some(&path_s), Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        Ok(out)
    }

    /// Changes metadata only (no new version). `cas` applies as for writes.
    pub fn update_meta(&mut self, path: &SecretPath, opts: &WriteOptions) -> Result<SecretMeta> {
        crate::ranges::check_write_options(opts)?;
        for t in opts.tags.iter().flatten() {
            check_tag(t)?;
        }
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let mut row = live_row(&tx, keys, &path_s)?
            .ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
        if let Some(expected) = opts.cas.filter(|e| *e != row.current_version) {
            return Err(Error::CasConflict { path: path_s, expected, actual: row.current_version });
        }
        if opts.kind.is_some_and(|k| k != row.kind) {
            return Err(Error::InvalidInput("changing the kind needs a new value".into()));
        }
        apply_meta(&mut row, opts)?;
        row.updated_at = crate::timefmt::now();
        tx.update_secret(keys, &mut row)?;
        if let Some(tags) = &opts.tags {
            tx.set_tags(row.id, tags)?;
            row.tags = tags.clone();
        }
        audit::append(
            &tx,
            Some(keys),
            Action::Write,
            Some(&path_s),
            Outcome::Ok,
            Some("metadata"),
        )?;
        tx.commit()?;
        Ok(row.meta())
    }

    /// Reads the current value, or a kept older version. Audited as a read.
    pub fn get(
        &mut self,
        path: &SecretPath,
        version: Option<u64>,
    ) -> Result<(SecretMeta, SecretValue)> {
        self.get_as(path, version, Action::Read)
    }

    /// Reads a value for a given purpose (read, reveal, copy), so the audit log says which. The
    /// value is read from a snapshot; only the audit entry waits for another writer.
    pub fn get_as(
        &mut self,
        path: &SecretPath,
        version: Option<u64>,
        action: Action,
    ) -> Result<(SecretMeta, SecretValue)> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let read = (|| {
            let tx = store.read()?;
            let row = live_row(&tx, keys, &path_s)?
                .ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
            let value = match version {
                None => open_current(&tx, keys, &row)?,
                Some(v) => open_version(&tx, keys, &row, v)?,
            };
            Ok((row, value))
        })();
        let tx = store.write_read_record()?;
        let v = version.map_or_else(|| "current version".to_string(), |v| format!("version {v}"));
        let (mut row, value) = match read {
            Ok(r) => r,
            Err(e) => {
                let outcome = match e {
                    Error::Integrity { .. } => Outcome::IntegrityFailure,
                    _ => Outcome::NotFound,
                };
                audit::append(&tx, Some(keys), action, Some(&path_s), outcome, Some(&v))?;
                tx.commit()?;
                return Err(e);
            }
        };
        let now = crate::timefmt::now();
        tx.mark_read(&[row.id], now)?;
        let detail = format!("version {}", version.unwrap_or(row.current_version));
        audit::append(&tx, Some(keys), action, Some(&path_s), Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        row.last_read_at = Some(now);
        Ok((row.meta(), value))
    }

    /// Metadata of one live secret (no value). Checked against its MAC when unlocked.
    pub fn meta(&self, path: &SecretPath) -> Result<SecretMeta> {
        let path_s = path.to_string();
        let tx = self.store.read()?;
        let row = match &self.keys {
            Some(k) => live_row(&tx, k, &path_s)?,
            None => tx.secrets_at(&path_s)?.into_iter().find(|r| r.deleted_at.is_none()),
        };
        row.map(|r| r.meta()).ok_or(Error::NotFound { path: path_s })
    }

    /// Live secrets matching the filter, ordered by path. Metadata only: works while locked.
    pub fn list(&self, f: &ListFilter) -> Result<Vec<SecretMeta>> {
        let folder = f.folder.as_deref().map(FolderPath::parse).transpose()?;
        let filter = SecretFilter {
            folder: folder.as_ref().map(FolderPath::as_str),
            tag: f.tag.as_deref(),
            kind: f.kind,
            search: f.search.as_deref(),
            ..SecretFilter::live()
        };
        Ok(self.store.read()?.secrets(&filter)?.iter().map(SecretRow::meta).collect())
    }

    /// The kept versions of a live secret, oldest first.
    pub fn history(&self, path: &SecretPath) -> Result<Vec<VersionInfo>> {
        let m = self.meta(path)?;
        let times = self.store.read()?.version_times(m.id)?;
        Ok(times
            .into_iter()
            .map(|(version, created_at)| VersionInfo {
                version,
                created_at,
                current: version == m.version,
            })
            .collect())
    }

    /// Writes kept version `to` again as a new version.
    pub fn rollback(
        &mut self,
        path: &SecretPath,
        to: u64,
        cas: Option<u64>,
    ) -> Result<WriteOutcome> {
        let (keys, store) = self.parts()?;
        let (old, current) = {
            let tx = store.read()?;
            let row = live_row(&tx, keys, &path.to_string())?
                .ok_or_else(|| Error::NotFound { path: path.to_string() })?;
            (open_version(&tx, keys, &row, to)?, row.current_version)
        };
        let opts = WriteOptions { cas: Some(cas.unwrap_or(current)), ..Default::default() };
        let detail = format!("to version {to}, as version {}", current + 1);
        self.write(path, &old, &opts, Action::Rollback, Some(detail))
    }

    /// Checks every record's MAC and decrypts every kept version (live and trashed); returns what
    /// fails, as `path` (a record) or `path@version`.
    /// The paths of records whose MAC fails (expiry, policy, deletion… changed outside Hush), or
    /// `None` while locked: status and the report work from metadata alone then, and say so.
    pub(crate) fn altered_records(&self) -> Result<Option<std::collections::HashSet<String>>> {
        let Some(keys) = self.keys_opt() else { return Ok(None) };
        let tx = self.store.read()?;
        let rows = tx.all_secrets()?;
        let currents = tx.current_versions()?;
        // Its MAC fails, or its current version's row is gone or not the newest (a deleted
        // version row once left the report saying nothing was altered).
        let version_off = |r: &SecretRow| {
            r.deleted_at.is_none()
                && currents
                    .get(&r.id)
                    .is_none_or(|c| c.newest != r.current_version || c.sealed.is_none())
        };
        let mut altered: std::collections::HashSet<String> = rows
            .iter()
            .filter(|r| check_mac(keys, r).is_err() || version_off(r))
            .map(|r| r.path.clone())
            .collect();
        // A record put back from an older copy has a valid MAC: every record of its bucket is
        // suspect, and with an anchor that no longer covers the state, every record.
        let faults = tx.state_faults(keys)?;
        altered.extend(faults.buckets.into_iter().flatten());
        if !faults.anchor_ok {
            altered.extend(rows.into_iter().map(|r| r.path));
        }
        Ok(Some(altered))
    }

    pub fn verify_integrity(&self) -> Result<Vec<String>> {
        let keys = self.keys()?;
        let tx = self.store.read()?;
        let rows: BTreeMap<i64, SecretRow> =
            tx.all_secrets()?.into_iter().map(|r| (r.id, r)).collect();
        let mut bad = Vec::new();
        for r in rows.values() {
            if check_mac(keys, r).is_err() {
                bad.push(format!("{} (record)", r.path));
            } else {
                let newest = tx.newest_version(r.id)?;
                if newest > r.current_version {
                    bad.push(format!("{} (points to an older version)", r.path));
                } else if newest < r.current_version {
                    bad.push(format!("{} (its current version is missing)", r.path));
                }
            }
        }
        for v in tx.all_versions()? {
            let Some(r) = rows.get(&v.secret_id) else { continue };
            if keys.open_version(r.id, &r.path, v.version, &v.sealed).is_err() {
                bad.push(format!("{}@{}", r.path, v.version));
            }
        }
        for r in tx.remotes()? {
            if !keys.row_mac_ok(&r.mac_input(), r.mac.as_deref()) {
                bad.push(format!("remote '{}'", r.name));
            }
        }
        if checked_settings(&tx, keys).is_err() {
            bad.push("the vault settings".into());
        }
        Ok(bad)
    }

    /// What no longer matches the state root (format 3): each altered bucket named by its
    /// records, and the anchor when it no longer covers the file. Empty: the file is whole.
    pub fn state_problems(&self) -> Result<Vec<String>> {
        Ok(self.store.read()?.state_faults(self.keys()?)?.described())
    }
}

fn apply_meta(row: &mut SecretRow, opts: &WriteOptions) -> Result<()> {
    fn set<T: Clone>(dst: &mut Option<T>, src: &Option<T>) {
        if src.is_some() {
            dst.clone_from(src);
        }
    }
    set(&mut row.description, &opts.description);
    set(&mut row.expires_at, &opts.expires_at);
    if opts.clear_expiry {
        row.expires_at = None;
    }
    set(&mut row.rotate_every_days, &opts.rotate_every_days);
    set(&mut row.source, &opts.source);
    set(&mut row.versions_kept, &opts.versions_kept);
    merge_meta(&mut row.meta, &opts.meta)
}

/// One write inside the caller's transaction, with check-and-set, and no audit entry: the caller
/// audits (one entry per key for `set`, one per folder for batch writers such as a remote pull).
pub(crate) fn write_in_tx(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    path: &SecretPath,
    value: &SecretValue,
    opts: &WriteOptions,
    at: WriteAt,
) -> Result<WriteOutcome> {
    crate::ranges::check_write_options(opts)?;
    for t in opts.tags.iter().flatten() {
        check_tag(t)?;
    }
    let existing = live_row(tx, keys, &path.to_string())?;
    write_known(tx, keys, path, value, opts, at, existing)
}

/// [`write_in_tx`] for a caller that already read (and checked) the live record at `path`
/// in this transaction: a bulk import decides from it and should not look it up twice.
pub(crate) fn write_known(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    path: &SecretPath,
    value: &SecretValue,
    opts: &WriteOptions,
    at: WriteAt,
    existing: Option<SecretRow>,
) -> Result<WriteOutcome> {
    let path_s = path.to_string();
    let current = existing.as_ref().map_or(0, |m| m.current_version);
    if let Some(expected) = opts.cas {
        if expected != current {
            return Err(Error::CasConflict { path: path_s, expected, actual: current });
        }
    }
    let kind = opts.kind.or(existing.as_ref().map(|m| m.kind)).unwrap_or_default();
    let checked = check_value(value, kind, opts.strict)?;
    let now = crate::timefmt::now();
    let Some(mut row) = existing else {
        // A new secret: the whole record (MAC included) in one statement, then its first version.
        let rec = new_record(keys, path, value, opts, kind, (tx.next_id()?, now), at)?;
        tx.insert_records(keys, std::slice::from_ref(&rec))?;
        return Ok(WriteOutcome {
            path: path_s,
            version: 1,
            created: true,
            warnings: checked.problems,
            value_expires_at: checked.expires_at,
        });
    };
    let rotated =
        open_current(tx, keys, &row).map(|o| o.expose() != value.expose()).unwrap_or(true);
    let version = row.current_version + 1;
    let sealed = keys.seal_version(row.id, &path_s, version, value.expose());
    tx.insert_version(&VersionRow {
        secret_id: row.id,
        version,
        sealed,
        created_at: at.0.unwrap_or(now),
    })?;
    apply_meta(&mut row, opts)?;
    row.kind = kind;
    row.current_version = version;
    row.updated_at = now;
    if rotated {
        row.last_rotated_at = Some(now);
    }
    let keep =
        u64::from(row.versions_kept.unwrap_or(checked_settings(tx, keys)?.versions_kept).max(1));
    tx.update_secret(keys, &mut row)?;
    if let Some(tags) = &opts.tags {
        tx.set_tags(row.id, tags)?;
    }
    if version > keep {
        tx.prune_versions(row.id, version - keep)?;
    }
    Ok(WriteOutcome {
        path: path_s,
        version,
        created: version == 1,
        warnings: checked.problems,
        value_expires_at: checked.expires_at,
    })
}

/// A new secret's record (MAC'd) and first version (sealed), to be inserted as `id`. The value is
/// checked by the caller ([`check_value`]).
pub(crate) fn new_record(
    keys: &Keys,
    path: &SecretPath,
    value: &SecretValue,
    opts: &WriteOptions,
    kind: Kind,
    (id, now): (i64, i64),
    at: WriteAt,
) -> Result<NewRecord> {
    let path_s = path.to_string();
    let mut row = SecretRow::new(path.folder(), path.name(), &path_s, kind, now);
    apply_meta(&mut row, opts)?;
    row.id = id;
    row.tags = opts.tags.clone().unwrap_or_default();
    row.current_version = 1;
    row.last_rotated_at = Some(now);
    let sealed = keys.seal_version(id, &path_s, 1, value.expose());
    let first = VersionRow { secret_id: id, version: 1, sealed, created_at: at.0.unwrap_or(now) };
    Ok(NewRecord::new(keys, row, first))
}

/// The stored settings, checked against their MAC (they decide what pruning and purging delete).
pub(crate) fn checked_settings<M>(
    tx: &Tx<'_, M>,
    keys: &Keys,
) -> Result<crate::store::StoredSettings> {
    let s = tx.settings()?;
    if !keys.row_mac_ok(&s.mac_input(), s.mac.as_deref()) {
        return Err(Error::Integrity { what: "the vault settings".into() });
    }
    tx.check_anchor(keys)?;
    Ok(s)
}

fn merge_meta(
    meta: &mut BTreeMap<String, String>,
    update: &BTreeMap<String, String>,
) -> Result<()> {
    for (k, v) in update {
        if k.is_empty() || k.len() > 128 || v.len() > 4096 || k.chars().any(char::is_control) {
            return Err(Error::InvalidInput(
                "metadata keys are 1-128 characters, values at most 4096".into(),
            ));
        }
        if v.is_empty() {
            meta.remove(k);
        } else {
            meta.insert(k.clone(), v.clone());
        }
    }
    if meta.len() > 64 {
        return Err(Error::InvalidInput("at most 64 metadata keys per secret".into()));
    }
    Ok(())
}
