//! Audit entries, the chain's head and its keyed anchor. The links themselves are computed by
//! `crate::audit`; this file only stores them.

use rusqlite::{params, Row};

use super::{Tx, Write};
use crate::error::{Error, Result};

/// One stored entry, fields as written (the chain covers these exact strings).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub ts: i64,
    pub action: String,
    pub path: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    /// The entry's MAC under the audit subkey (`None`: written without the key).
    pub mac: Option<Vec<u8>>,
}

/// Where the chain ends, and its anchor (the newest keyed entry, MAC'd).
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditHead {
    pub seq: i64,
    pub hash: Option<Vec<u8>>,
    pub anchor_seq: i64,
    pub anchor_mac: Option<Vec<u8>>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get("seq")?,
        ts: r.get("ts")?,
        action: r.get("action")?,
        path: r.get("path")?,
        outcome: r.get("outcome")?,
        detail: r.get("detail")?,
        prev_hash: r.get("prev_hash")?,
        hash: r.get("hash")?,
        mac: r.get("mac")?,
    })
}

impl<M> Tx<'_, M> {
    pub(crate) fn audit_head(&self) -> Result<AuditHead> {
        Ok(self.c().prepare_cached(
            "SELECT audit_head_seq, audit_head_hash, audit_anchor_seq, audit_anchor_mac FROM vault WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(AuditHead {
                seq: r.get("audit_head_seq")?,
                hash: r.get("audit_head_hash")?,
                anchor_seq: r.get("audit_anchor_seq")?,
                anchor_mac: r.get("audit_anchor_mac")?,
            })
        })?)
    }

    /// Entries, newest `limit` (all when `None`) matching the filters, oldest first. `path`
    /// matches itself and everything under it, compared exactly (no LIKE pattern).
    pub(crate) fn audit_rows(
        &self,
        path: Option<&str>,
        action: Option<&str>,
        since: Option<i64>,
        limit: Option<u32>,
    ) -> Result<Vec<AuditRow>> {
        let mut st = self.c().prepare_cached(
            "SELECT * FROM audit
             WHERE (?1 IS NULL OR path = ?1 OR substr(path, 1, length(?1) + 1) = ?1 || '/')
               AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR ts >= ?3)
             ORDER BY seq DESC LIMIT ?4",
        )?;
        let limit = limit.map(i64::from).unwrap_or(-1);
        let rows = st.query_map(params![path, action, since, limit], row)?;
        let mut out: Vec<AuditRow> = rows.collect::<rusqlite::Result<_>>()?;
        out.reverse();
        Ok(out)
    }

    /// Every entry, by sequence number.
    pub(crate) fn audit_all(&self) -> Result<Vec<AuditRow>> {
        let mut st = self.c().prepare("SELECT * FROM audit ORDER BY seq")?;
        let rows = st.query_map([], row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entries per UTC day since `first` (Unix seconds of a day start).
    pub(crate) fn audit_per_day(&self, first: i64) -> Result<Vec<(i64, u64)>> {
        let mut st = self.c().prepare_cached(
            "SELECT (ts - ts % 86400) AS d, count(*) FROM audit WHERE ts >= ?1 GROUP BY d",
        )?;
        let rows = st.query_map([first], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_, Write> {
    /// Appends an entry and moves the head. An entry already past the recorded head means
    /// someone wrote into the log: that is an integrity error, and nothing is appended.
    pub(crate) fn insert_audit(&self, e: &AuditRow) -> Result<()> {
        self.c()
            .prepare_cached(
                "INSERT INTO audit (seq, ts, action, path, outcome, detail, prev_hash, hash, mac)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                e.seq,
                e.ts,
                e.action,
                e.path,
                e.outcome,
                e.detail,
                e.prev_hash,
                e.hash,
                e.mac
            ])
            .map_err(|err| match err {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Error::Integrity {
                        what: "the audit log (an entry was inserted past its recorded end)".into(),
                    }
                }
                other => other.into(),
            })?;
        self.c()
            .prepare_cached(
                "UPDATE vault SET audit_head_seq = ?1, audit_head_hash = ?2 WHERE id = 1",
            )?
            .execute(params![e.seq, e.hash])?;
        Ok(())
    }

    pub(crate) fn set_audit_anchor(&self, seq: i64, mac: &[u8]) -> Result<()> {
        self.c()
            .prepare_cached(
                "UPDATE vault SET audit_anchor_seq = ?1, audit_anchor_mac = ?2 WHERE id = 1",
            )?
            .execute(params![seq, mac])?;
        Ok(())
    }

    /// Replaces an entry's MAC (under a new key: re-key, restore).
    pub(crate) fn set_audit_mac(&self, seq: i64, mac: Option<&[u8]>) -> Result<()> {
        self.c()
            .prepare_cached("UPDATE audit SET mac = ?2 WHERE seq = ?1")?
            .execute(params![seq, mac])?;
        Ok(())
    }

    /// Empties the log (a restore replaces a new vault's log with the backup's).
    pub(crate) fn clear_audit(&self) -> Result<()> {
        self.c().execute("DELETE FROM audit", [])?;
        self.c().execute(
            "UPDATE vault SET audit_head_seq = 0, audit_head_hash = NULL, audit_anchor_seq = 0,
               audit_anchor_mac = NULL WHERE id = 1",
            [],
        )?;
        Ok(())
    }
}
