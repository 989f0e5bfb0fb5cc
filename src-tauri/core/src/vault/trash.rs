//! Soft delete into the trash, restore, purge, and emptying trash past its recovery window.

use rusqlite::params;
use serde::Serialize;

use super::secrets::{meta_from_row, META_COLUMNS};
use super::Vault;
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::model::SecretMeta;
use crate::path::SecretPath;

/// A secret in the trash.
#[derive(Debug, Clone, Serialize)]
pub struct TrashItem {
    #[serde(flatten)]
    pub meta: SecretMeta,
    /// When it will be purged for good.
    #[serde(with = "crate::timefmt::req")]
    pub purge_at: i64,
}

impl Vault {
    /// Moves a live secret to the trash. Its versions are kept until purge.
    pub fn remove(&mut self, path: &SecretPath) -> Result<()> {
        let path_s = path.to_string();
        let tx = self.tx()?;
        let n = tx.execute(
            "UPDATE secrets SET deleted_at = ?2 WHERE path = ?1 AND deleted_at IS NULL",
            params![path_s, crate::timefmt::now()],
        )?;
        if n == 0 {
            return Err(Error::NotFound { path: path_s });
        }
        audit::append(&tx, Action::Delete, Some(&path_s), "ok", Some("moved to trash"))?;
        tx.commit()?;
        Ok(())
    }

    /// Restores the most recently deleted secret at `path`.
    pub fn restore(&mut self, path: &SecretPath) -> Result<SecretMeta> {
        let path_s = path.to_string();
        let tx = self.tx()?;
        if super::secrets::live_meta(&tx, path)?.is_some() {
            return Err(Error::AlreadyExists {
                path: format!("{path_s} (a live secret has that path; rename or remove it first)"),
            });
        }
        let n = tx.execute(
            "UPDATE secrets SET deleted_at = NULL WHERE id =
               (SELECT id FROM secrets WHERE path = ?1 AND deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC LIMIT 1)",
            [&path_s],
        )?;
        if n == 0 {
            return Err(Error::NotFound { path: format!("{path_s} (not in the trash)") });
        }
        audit::append(&tx, Action::Restore, Some(&path_s), "ok", None)?;
        let m = super::secrets::live_meta(&tx, path)?.expect("just restored");
        tx.commit()?;
        Ok(m)
    }

    /// Destroys every version of every secret at `path`, live or trashed. Returns how many secrets.
    pub fn purge(&mut self, path: &SecretPath) -> Result<usize> {
        let path_s = path.to_string();
        let tx = self.tx()?;
        let n = tx.execute("DELETE FROM secrets WHERE path = ?1", [&path_s])?;
        if n == 0 {
            return Err(Error::NotFound { path: path_s });
        }
        audit::append(
            &tx,
            Action::Purge,
            Some(&path_s),
            "ok",
            Some(&format!("{n} secret(s) destroyed")),
        )?;
        tx.commit()?;
        Ok(n)
    }

    /// What is in the trash, newest deletion first.
    pub fn trash(&self) -> Result<Vec<TrashItem>> {
        let days: i64 =
            self.conn.query_row("SELECT trash_days FROM vault WHERE id = 1", [], |r| r.get(0))?;
        let sql = format!("SELECT {META_COLUMNS} FROM secrets WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC, id DESC");
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], |r| meta_from_row(&self.conn, r))?;
        rows.map(|m| {
            let meta = m?;
            let purge_at = meta.deleted_at.unwrap_or_default() + days * 86_400;
            Ok(TrashItem { meta, purge_at })
        })
        .collect()
    }

    /// Purges trash past the recovery window; each is audited.
    pub(crate) fn purge_expired_trash(&mut self) -> Result<()> {
        let now = crate::timefmt::now();
        let expired: Vec<String> = {
            let mut st = self.conn.prepare(
                "SELECT path FROM secrets, vault WHERE vault.id = 1 AND deleted_at IS NOT NULL AND deleted_at + trash_days * 86400 <= ?1",
            )?;
            let rows = st.query_map([now], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if expired.is_empty() {
            return Ok(());
        }
        let tx = self.tx()?;
        for p in &expired {
            tx.execute(
                "DELETE FROM secrets WHERE path = ?1 AND deleted_at IS NOT NULL AND deleted_at <= ?2 - (SELECT trash_days FROM vault WHERE id = 1) * 86400",
                params![p, now],
            )?;
            audit::append(
                &tx,
                Action::Purge,
                Some(p),
                "ok",
                Some("trash recovery window expired"),
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
