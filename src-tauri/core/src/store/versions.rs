//! Versions of secrets: sealed values only.

use rusqlite::{params, OptionalExtension};

use super::{Tx, Write};
use crate::crypto::Sealed;
use crate::error::Result;

pub(super) const INSERT_VERSION: &str =
    "INSERT INTO versions (secret_id, version, ciphertext, created_at) VALUES (?1, ?2, ?3, ?4)";

/// One stored version.
#[derive(Debug)]
pub(crate) struct VersionRow {
    pub secret_id: i64,
    pub version: u64,
    pub sealed: Sealed,
    pub created_at: i64,
}

impl<M> Tx<'_, M> {
    /// One version's envelope, if it is kept.
    pub(crate) fn version(&self, secret_id: i64, version: u64) -> Result<Option<VersionRow>> {
        Ok(self
            .c()
            .prepare_cached(
                "SELECT ciphertext, created_at FROM versions WHERE secret_id = ?1 AND version = ?2",
            )?
            .query_row(params![secret_id, version], |r| {
                Ok(VersionRow {
                    secret_id,
                    version,
                    sealed: Sealed::stored(r.get("ciphertext")?),
                    created_at: r.get("created_at")?,
                })
            })
            .optional()?)
    }

    /// The kept versions of a secret, oldest first (numbers and times only).
    pub(crate) fn version_times(&self, secret_id: i64) -> Result<Vec<(u64, i64)>> {
        let mut st = self.c().prepare_cached(
            "SELECT version, created_at FROM versions WHERE secret_id = ?1 ORDER BY version",
        )?;
        let rows = st.query_map([secret_id], |r| Ok((r.get("version")?, r.get("created_at")?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The newest kept version number of a secret (0 when none).
    pub(crate) fn newest_version(&self, secret_id: i64) -> Result<u64> {
        Ok(self
            .c()
            .prepare_cached("SELECT coalesce(max(version), 0) FROM versions WHERE secret_id = ?1")?
            .query_row([secret_id], |r| r.get(0))?)
    }

    /// Every stored version (re-key, upgrade, integrity check, backup), by secret and version.
    pub(crate) fn all_versions(&self) -> Result<Vec<VersionRow>> {
        let mut st = self.c().prepare(
            "SELECT secret_id, version, ciphertext, created_at FROM versions ORDER BY secret_id, version",
        )?;
        let rows = st.query_map([], |r| {
            Ok(VersionRow {
                secret_id: r.get("secret_id")?,
                version: r.get("version")?,
                sealed: Sealed::stored(r.get("ciphertext")?),
                created_at: r.get("created_at")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_, Write> {
    pub(crate) fn insert_version(&self, v: &VersionRow) -> Result<()> {
        self.c().prepare_cached(INSERT_VERSION)?.execute(params![
            v.secret_id,
            v.version,
            v.sealed.as_bytes(),
            v.created_at
        ])?;
        Ok(())
    }

    /// Replaces a version's envelope (re-key, upgrade, rename).
    pub(crate) fn reseal_version(&self, secret_id: i64, version: u64, s: &Sealed) -> Result<()> {
        self.c()
            .prepare_cached(
                "UPDATE versions SET ciphertext = ?3 WHERE secret_id = ?1 AND version = ?2",
            )?
            .execute(params![secret_id, version, s.as_bytes()])?;
        Ok(())
    }

    /// Drops versions up to and including `through` (keeping the newest N).
    pub(crate) fn prune_versions(&self, secret_id: i64, through: u64) -> Result<()> {
        self.c()
            .prepare_cached("DELETE FROM versions WHERE secret_id = ?1 AND version <= ?2")?
            .execute(params![secret_id, through])?;
        Ok(())
    }
}
