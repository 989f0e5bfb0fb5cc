//! Soft delete into the trash, restore, purge, and emptying trash past its recovery window.
//!
//! Purge deletes the rows with SQLite's `secure_delete` on (freed pages are zeroed), then
//! checkpoints the WAL so no copy of the old ciphertext stays in the `-wal` file. Backups made
//! before, and copies of the file, still hold it: purge is not crypto-shredding (README).

use serde::Serialize;

use super::secrets::{check_row, checked_settings, live_row};
use super::Vault;
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::model::SecretMeta;
use crate::path::SecretPath;
use crate::store::{SecretFilter, SecretRow};

/// A secret in the trash.
#[derive(Debug, Clone, Serialize)]
pub struct TrashItem {
    #[serde(flatten)]
    pub meta: SecretMeta,
    /// When it will be purged for good; `None` while the vault's settings fail their MAC (then
    /// nothing is purged: forged settings never make Hush delete anything).
    #[serde(with = "crate::timefmt::opt")]
    pub purge_at: Option<i64>,
}

/// Which secrets at a path `purge` destroys: a path can be live and in the trash at once (a
/// secret removed, then one made again under its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeScope {
    /// The trashed ones only (the app's Trash view, `hush purge --trashed`).
    Trashed,
    /// Live and trashed (`hush purge --all`).
    All,
    /// Whatever is there, refused when the path is both live and in the trash (plain
    /// `hush purge`: it once destroyed the live secret with the trashed one, without a word).
    Whichever,
}

impl Vault {
    /// Moves a live secret to the trash. Its versions are kept until purge.
    pub fn remove(&mut self, path: &SecretPath) -> Result<()> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let mut row = live_row(&tx, keys, &path_s)?
            .ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
        row.deleted_at = Some(crate::timefmt::now());
        tx.update_secret(keys, &mut row)?;
        audit::append(
            &tx,
            Some(keys),
            Action::Delete,
            Some(&path_s),
            Outcome::Ok,
            Some("moved to trash"),
        )?;
        tx.commit()
    }

    /// Restores the most recently deleted secret at `path`.
    pub fn restore(&mut self, path: &SecretPath) -> Result<SecretMeta> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        if live_row(&tx, keys, &path_s)?.is_some() {
            return Err(Error::AlreadyExists { path: path_s });
        }
        let mut row = tx
            .secrets_at(&path_s)?
            .into_iter()
            .filter(|r| r.deleted_at.is_some())
            .max_by_key(|r| (r.deleted_at, r.id))
            .ok_or(Error::NotInTrash { path: path_s.clone() })?;
        row.deleted_at = None;
        tx.update_secret(keys, &mut row)?;
        audit::append(&tx, Some(keys), Action::Restore, Some(&path_s), Outcome::Ok, None)?;
        tx.commit()?;
        Ok(row.meta())
    }

    /// Destroys every version of the secrets at `path` that `scope` names. Returns how many.
    pub fn purge(&mut self, path: &SecretPath, scope: PurgeScope) -> Result<usize> {
        let path_s = path.to_string();
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let all = tx.secrets_at(&path_s)?;
        let live = all.iter().filter(|r| r.deleted_at.is_none()).count();
        let rows: Vec<&SecretRow> = match scope {
            PurgeScope::Trashed => {
                let trashed: Vec<&SecretRow> =
                    all.iter().filter(|r| r.deleted_at.is_some()).collect();
                // A deletion forged into the file must not get a live secret destroyed by
                // "Empty the trash".
                for r in &trashed {
                    check_row(&tx, keys, r)?;
                }
                trashed
            }
            PurgeScope::All => all.iter().collect(),
            PurgeScope::Whichever if live > 0 && live < all.len() => {
                return Err(Error::InvalidInput(format!(
                    "'{path_s}' is both a live secret and in the trash: --trashed destroys only \
                     the trashed one(s), --all both (nothing was destroyed)"
                )))
            }
            PurgeScope::Whichever => all.iter().collect(),
        };
        if rows.is_empty() {
            return Err(match scope {
                PurgeScope::Trashed if !all.is_empty() => Error::NotInTrash { path: path_s },
                _ => Error::NotFound { path: path_s },
            });
        }
        for r in &rows {
            tx.delete_secret(keys, r.id)?;
        }
        let trashed = rows.iter().filter(|r| r.deleted_at.is_some()).count();
        let detail = format!("{} secret(s) destroyed ({trashed} from the trash)", rows.len());
        audit::append(&tx, Some(keys), Action::Purge, Some(&path_s), Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        store.checkpoint()?;
        Ok(rows.len())
    }

    /// What is in the trash, newest deletion first.
    pub fn trash(&self) -> Result<Vec<TrashItem>> {
        let tx = self.store.read()?;
        // Unlocked, the settings are checked as the purge checks them: the date shown is one the
        // purge keeps (a forged `trash_days = 0` once showed every item as purged today).
        let days = match self.keys_opt() {
            Some(keys) => checked_settings(&tx, keys).ok().map(|s| s.trash_days),
            None => Some(tx.settings()?.trash_days),
        };
        let rows = tx.secrets(&SecretFilter { deleted: Some(true), ..Default::default() })?;
        Ok(rows
            .iter()
            .map(|r| TrashItem {
                meta: r.meta(),
                purge_at: days.map(|d| {
                    r.deleted_at.unwrap_or_default().saturating_add(i64::from(d) * 86_400)
                }),
            })
            .collect())
    }

    /// Purges trash past the recovery window; runs after every unlock.
    pub(crate) fn purge_expired_trash(&mut self) -> Result<()> {
        self.purge_expired_trash_at(crate::timefmt::now()).map(|_| ())
    }

    /// Purges what is past the recovery window at `now` (checked records only, against checked
    /// settings), each audited; returns how many. Public so a clock can be injected in tests.
    pub fn purge_expired_trash_at(&mut self, now: i64) -> Result<usize> {
        let (keys, store) = self.parts()?;
        let expired: Vec<SecretRow> = {
            let tx = store.read()?;
            // Forged settings never make Hush delete anything: then nothing is purged.
            let Ok(settings) = checked_settings(&tx, keys) else { return Ok(0) };
            let window = i64::from(settings.trash_days) * 86_400;
            tx.secrets(&SecretFilter { deleted: Some(true), ..Default::default() })?
                .into_iter()
                .filter(|r| r.deleted_at.is_some_and(|d| d.saturating_add(window) <= now))
                .filter(|r| check_row(&tx, keys, r).is_ok())
                .collect()
        };
        if expired.is_empty() {
            return Ok(0);
        }
        let tx = store.write()?;
        for r in &expired {
            tx.delete_secret(keys, r.id)?;
            let why = Some("trash recovery window expired");
            audit::append(&tx, Some(keys), Action::Purge, Some(&r.path), Outcome::Ok, why)?;
        }
        tx.commit()?;
        store.checkpoint()?;
        Ok(expired.len())
    }
}
