//! Versions of secrets: sealed values only.

use std::collections::HashMap;

use rusqlite::types::ValueRef;
use rusqlite::{params, OptionalExtension};

use super::{Tx, Write};
use crate::crypto::Sealed;
use crate::error::Result;

pub(super) const INSERT_VERSION: &str =
    "INSERT INTO versions (secret_id, version, ciphertext, created_at) VALUES (?1, ?2, ?3, ?4)";

/// A record's current version as `current_versions` finds it.
pub(crate) struct Current {
    pub newest: u64,
    pub sealed: Option<Sealed>,
}

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
                    sealed: sealed_at(r, "ciphertext")?,
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

    /// For every live record, by id: its newest kept version and the envelope of the version it
    /// records as current (None when that one is not kept). One statement instead of two lookups
    /// per record, for remote operations, which read every folder.
    pub(crate) fn current_versions(&self) -> Result<HashMap<i64, Current>> {
        let mut st = self.c().prepare(
            "SELECT s.id,
                    (SELECT coalesce(max(v.version), 0) FROM versions v WHERE v.secret_id = s.id),
                    c.ciphertext
             FROM secrets s
             LEFT JOIN versions c ON c.secret_id = s.id AND c.version = s.current_version
             WHERE s.deleted_at IS NULL",
        )?;
        let rows = st.query_map([], |r| {
            let sealed = match r.get_ref(2)? {
                ValueRef::Null => None,
                _ => Some(sealed_at(r, 2)?),
            };
            Ok((r.get(0)?, Current { newest: r.get(1)?, sealed }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
                sealed: sealed_at(r, "ciphertext")?,
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

/// A ciphertext column as stored. Whatever type an edit outside Hush gave it (text from a
/// `||` in `sqlite3`, a number), it is read as bytes that then fail to open, so it is an
/// integrity failure of that one secret, named, not a database error for the whole read.
fn sealed_at<I: rusqlite::RowIndex>(r: &rusqlite::Row<'_>, i: I) -> rusqlite::Result<Sealed> {
    Ok(Sealed::stored(match r.get_ref(i)? {
        ValueRef::Blob(b) | ValueRef::Text(b) => b.to_vec(),
        _ => Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use crate::crypto::Sealed;
    use crate::model::Kind;
    use crate::store::{NewRecord, SecretRow, VersionRow};

    /// What `open_current` checks per record, read for every record at once: the newest kept
    /// version (a record put back from an older copy points below it), the current envelope (or
    /// none when it is not kept), and nothing for the trash.
    #[test]
    fn current_versions_finds_each_live_records_newest_and_current_envelope() {
        let (_dir, mut store, keys) = crate::store::test_store();
        let tx = store.write().unwrap();
        let first = tx.next_id().unwrap();
        let version = |id: i64, v: u64| VersionRow {
            secret_id: id,
            version: v,
            sealed: Sealed::stored(format!("sealed-{id}-{v}").into_bytes()),
            created_at: 1,
        };
        let records: Vec<NewRecord> = (first..first + 4)
            .map(|id| {
                let (name, path) = (format!("K{id}"), format!("app/K{id}"));
                let mut row = SecretRow::new("app", &name, &path, Kind::Generic, 1);
                row.id = id;
                row.current_version = 1;
                NewRecord::new(&keys, row, version(id, 1))
            })
            .collect();
        tx.insert_records(&keys, &records).unwrap();
        // first: version 2 is current. first+1: a version 2 it does not point to. first+2: its
        // current envelope is gone. first+3: in the trash.
        tx.insert_version(&version(first, 2)).unwrap();
        tx.c().execute("UPDATE secrets SET current_version = 2 WHERE id = ?1", [first]).unwrap();
        tx.insert_version(&version(first + 1, 2)).unwrap();
        tx.c().execute("DELETE FROM versions WHERE secret_id = ?1", [first + 2]).unwrap();
        tx.c().execute("UPDATE secrets SET deleted_at = 5 WHERE id = ?1", [first + 3]).unwrap();

        let all = tx.current_versions().unwrap();
        let of = |id: i64| {
            let c = &all[&id];
            (
                c.newest,
                c.sealed.as_ref().map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned()),
            )
        };
        assert_eq!(of(first), (2, Some(format!("sealed-{first}-2"))));
        assert_eq!(of(first + 1), (2, Some(format!("sealed-{}-1", first + 1))));
        assert_eq!(of(first + 2), (0, None));
        assert!(!all.contains_key(&(first + 3)), "the trash is not read");
    }
}
