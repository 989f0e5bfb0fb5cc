//! Writing, reading, listing and rolling back secrets.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::Vault;
use crate::audit::{self, Action};
use crate::crypto;
use crate::error::{Error, Result};
use crate::model::{
    check_tag, Kind, ListFilter, SecretMeta, VersionInfo, WriteOptions, WriteOutcome,
};
use crate::path::{FolderPath, SecretPath};
use crate::secret::{Key32, SecretValue};

/// Largest value accepted: 1 MiB. Env vars and files of that size are already unusual.
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

pub(crate) fn version_aad(vault_id: &str, secret_id: i64, version: u64) -> Vec<u8> {
    format!("hush/v1/secret|{vault_id}|{secret_id}|{version}").into_bytes()
}

pub(crate) const META_COLUMNS: &str = "id, path, folder, name, kind, description, expires_at, rotate_every_days, last_rotated_at, source, meta, versions_kept, current_version, created_at, updated_at, last_read_at, deleted_at";

pub(crate) fn meta_from_row(conn: &Connection, r: &Row<'_>) -> rusqlite::Result<SecretMeta> {
    let id: i64 = r.get(0)?;
    let kind: String = r.get(4)?;
    let meta: String = r.get(10)?;
    let mut st =
        conn.prepare_cached("SELECT tag FROM secret_tags WHERE secret_id = ?1 ORDER BY tag")?;
    let tags = st.query_map([id], |t| t.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(SecretMeta {
        id,
        path: r.get(1)?,
        folder: r.get(2)?,
        name: r.get(3)?,
        kind: Kind::parse(&kind).unwrap_or_default(),
        description: r.get(5)?,
        tags,
        expires_at: r.get(6)?,
        rotate_every_days: r.get(7)?,
        last_rotated_at: r.get(8)?,
        source: r.get(9)?,
        meta: serde_json::from_str(&meta).unwrap_or_default(),
        versions_kept: r.get(11)?,
        version: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        last_read_at: r.get(15)?,
        deleted_at: r.get(16)?,
    })
}

pub(crate) fn live_meta(conn: &Connection, path: &SecretPath) -> Result<Option<SecretMeta>> {
    let sql = format!("SELECT {META_COLUMNS} FROM secrets WHERE path = ?1 AND deleted_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([path.to_string()], |r| meta_from_row(conn, r))
        .optional()?)
}

pub(crate) fn decrypt_version(
    conn: &Connection,
    key: &Key32,
    vault_id: &str,
    meta: &SecretMeta,
    version: u64,
) -> Result<SecretValue> {
    let ct: Option<Vec<u8>> = conn
        .prepare_cached("SELECT ciphertext FROM versions WHERE secret_id = ?1 AND version = ?2")?
        .query_row(params![meta.id, version], |r| r.get(0))
        .optional()?;
    let ct = ct.ok_or_else(|| Error::NotFound {
        path: format!("{} (version {version} is not kept)", meta.path),
    })?;
    let pt = crypto::open(key, &version_aad(vault_id, meta.id, version), &ct)
        .ok_or_else(|| Error::Integrity { what: format!("'{}' version {version}", meta.path) })?;
    Ok(SecretValue::new(pt.to_vec()))
}

fn check_value(value: &SecretValue, kind: Kind) -> Result<()> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(Error::InvalidInput(format!(
            "the value is {} bytes; the limit is {MAX_VALUE_BYTES} bytes",
            value.len()
        )));
    }
    if std::str::from_utf8(value.expose()).is_err() {
        return Err(Error::InvalidInput(
            "the value is not valid UTF-8 text (values must fit in an environment variable)".into(),
        ));
    }
    kind.validate(value)
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

    fn write(
        &mut self,
        path: &SecretPath,
        value: &SecretValue,
        opts: &WriteOptions,
        action: Action,
        detail: Option<String>,
    ) -> Result<WriteOutcome> {
        let key = self.data_key()?.duplicate();
        let vault_id = self.vault_id.clone();
        let path_s = path.to_string();
        let tx = self.tx()?;
        let out = match write_in_tx(&tx, &key, &vault_id, path, value, opts) {
            Err(Error::CasConflict { path, expected, actual }) => {
                drop(tx);
                self.audit_event(
                    action,
                    Some(&path_s),
                    "conflict",
                    Some(&format!("cas {expected}, current {actual}")),
                )?;
                return Err(Error::CasConflict { path, expected, actual });
            }
            other => other?,
        };
        let detail = detail.unwrap_or_else(|| format!("version {}", out.version));
        audit::append(&tx, action, Some(&path_s), "ok", Some(&detail))?;
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
        let tx = self.tx()?;
        let m = live_meta(&tx, path)?.ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
        if let Some(expected) = opts.cas.filter(|e| *e != m.version) {
            return Err(Error::CasConflict { path: path_s, expected, actual: m.version });
        }
        if opts.kind.is_some_and(|k| k != m.kind) {
            return Err(Error::InvalidInput("changing the kind needs a new value: use set".into()));
        }
        let mut meta = m.meta.clone();
        merge_meta(&mut meta, &opts.meta)?;
        tx.prepare_cached("UPDATE secrets SET updated_at = ?2, description = coalesce(?3, description), expires_at = coalesce(?4, expires_at),
                rotate_every_days = coalesce(?5, rotate_every_days), source = coalesce(?6, source),
                versions_kept = coalesce(?7, versions_kept), meta = ?8 WHERE id = ?1")?
            .execute(params![m.id, crate::timefmt::now(), opts.description, opts.expires_at, opts.rotate_every_days, opts.source,
                    opts.versions_kept, serde_json::to_string(&meta).expect("map serialises")])?;
        if let Some(tags) = &opts.tags {
            set_tags(&tx, m.id, tags)?;
        }
        audit::append(&tx, Action::Write, Some(&path_s), "ok", Some("metadata"))?;
        let out = live_meta(&tx, path)?.expect("still there");
        tx.commit()?;
        Ok(out)
    }

    /// Reads the current value, or a kept older version. Audited as a read.
    pub fn get(
        &mut self,
        path: &SecretPath,
        version: Option<u64>,
    ) -> Result<(SecretMeta, SecretValue)> {
        self.get_as(path, version, Action::Read)
    }

    /// Reads a value for a given purpose (read, reveal, copy), so the audit log says which.
    pub fn get_as(
        &mut self,
        path: &SecretPath,
        version: Option<u64>,
        action: Action,
    ) -> Result<(SecretMeta, SecretValue)> {
        let key = self.data_key()?.duplicate();
        let vault_id = self.vault_id.clone();
        let path_s = path.to_string();
        let tx = self.tx()?;
        let m = live_meta(&tx, path)?.ok_or_else(|| Error::NotFound { path: path_s.clone() })?;
        let v = version.unwrap_or(m.version);
        let value = match decrypt_version(&tx, &key, &vault_id, &m, v) {
            Ok(val) => val,
            Err(e) => {
                let outcome = if matches!(e, Error::Integrity { .. }) {
                    "integrity_failure"
                } else {
                    "not_found"
                };
                audit::append(&tx, action, Some(&path_s), outcome, Some(&format!("version {v}")))?;
                tx.commit()?;
                return Err(e);
            }
        };
        let now = crate::timefmt::now();
        tx.prepare_cached("UPDATE secrets SET last_read_at = ?2 WHERE id = ?1")?
            .execute(params![m.id, now])?;
        audit::append(&tx, action, Some(&path_s), "ok", Some(&format!("version {v}")))?;
        tx.commit()?;
        Ok((SecretMeta { last_read_at: Some(now), ..m }, value))
    }

    /// Metadata of one live secret (no value, no key needed).
    pub fn meta(&self, path: &SecretPath) -> Result<SecretMeta> {
        live_meta(&self.conn, path)?.ok_or_else(|| Error::NotFound { path: path.to_string() })
    }

    /// Live secrets matching the filter, ordered by path. Metadata only: works while locked.
    pub fn list(&self, f: &ListFilter) -> Result<Vec<SecretMeta>> {
        let folder = match &f.folder {
            Some(fo) => Some(audit::escape_like(FolderPath::parse(fo)?.as_str())),
            None => None,
        };
        let search =
            f.search.as_deref().map(|s| format!("%{}%", audit::escape_like(&s.to_lowercase())));
        let sql = format!(
            "SELECT {META_COLUMNS} FROM secrets s WHERE deleted_at IS NULL
               AND (?1 IS NULL OR folder = ?1 OR folder LIKE ?1 || '/%' ESCAPE '\\')
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM secret_tags t WHERE t.secret_id = s.id AND t.tag = ?2))
               AND (?3 IS NULL OR kind = ?3)
               AND (?4 IS NULL OR lower(path) LIKE ?4 ESCAPE '\\' OR lower(coalesce(description, '')) LIKE ?4 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM secret_tags t WHERE t.secret_id = s.id AND lower(t.tag) LIKE ?4 ESCAPE '\\'))
             ORDER BY path"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(params![folder, f.tag, f.kind.map(Kind::as_str), search], |r| {
            meta_from_row(&self.conn, r)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The kept versions of a live secret, oldest first.
    pub fn history(&self, path: &SecretPath) -> Result<Vec<VersionInfo>> {
        let m = self.meta(path)?;
        let mut st = self.conn.prepare(
            "SELECT version, created_at FROM versions WHERE secret_id = ?1 ORDER BY version",
        )?;
        let rows = st.query_map([m.id], |r| {
            let version: u64 = r.get(0)?;
            Ok(VersionInfo { version, created_at: r.get(1)?, current: version == m.version })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Writes kept version `to` again as a new version.
    pub fn rollback(
        &mut self,
        path: &SecretPath,
        to: u64,
        cas: Option<u64>,
    ) -> Result<WriteOutcome> {
        let key = self.data_key()?.duplicate();
        let m = self.meta(path)?;
        let old = decrypt_version(&self.conn, &key, &self.vault_id, &m, to)?;
        let opts = WriteOptions { cas: Some(cas.unwrap_or(m.version)), ..Default::default() };
        self.write(
            path,
            &old,
            &opts,
            Action::Rollback,
            Some(format!("to version {to}, as version {}", m.version + 1)),
        )
    }
}

/// One write inside the caller's transaction, with check-and-set, and no audit entry: the caller
/// audits (one entry per key for `set`, one per folder for batch writers such as a remote pull).
pub(crate) fn write_in_tx(
    tx: &Connection,
    key: &Key32,
    vault_id: &str,
    path: &SecretPath,
    value: &SecretValue,
    opts: &WriteOptions,
) -> Result<WriteOutcome> {
    crate::ranges::check_write_options(opts)?;
    for t in opts.tags.iter().flatten() {
        check_tag(t)?;
    }
    let path_s = path.to_string();
    let existing = live_meta(tx, path)?;
    let current = existing.as_ref().map_or(0, |m| m.version);
    if let Some(expected) = opts.cas {
        if expected != current {
            return Err(Error::CasConflict { path: path_s, expected, actual: current });
        }
    }
    let kind = opts.kind.or(existing.as_ref().map(|m| m.kind)).unwrap_or_default();
    check_value(value, kind)?;
    let now = crate::timefmt::now();
    let (id, version, rotated) = match &existing {
        Some(m) => {
            let old = decrypt_version(tx, key, vault_id, m, m.version);
            let changed = old.map(|o| o.expose() != value.expose()).unwrap_or(true);
            (m.id, m.version + 1, changed)
        }
        None => {
            tx.prepare_cached("INSERT INTO secrets (folder, name, path, current_version, created_at, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?4)")?
            .execute(params![path.folder(), path.name(), path_s, now])?;
            (tx.last_insert_rowid(), 1, true)
        }
    };
    let ct = crypto::seal(key, &version_aad(vault_id, id, version), value.expose());
    tx.prepare_cached(
        "INSERT INTO versions (secret_id, version, ciphertext, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, version, ct, now])?;
    let mut meta = existing.as_ref().map(|m| m.meta.clone()).unwrap_or_default();
    merge_meta(&mut meta, &opts.meta)?;
    tx.prepare_cached(
        "UPDATE secrets SET kind = ?2, current_version = ?3, updated_at = ?4,
            description = coalesce(?5, description), expires_at = coalesce(?6, expires_at),
            rotate_every_days = coalesce(?7, rotate_every_days), source = coalesce(?8, source),
            versions_kept = coalesce(?9, versions_kept), meta = ?10,
            last_rotated_at = CASE WHEN ?11 THEN ?4 ELSE last_rotated_at END
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        kind.as_str(),
        version,
        now,
        opts.description,
        opts.expires_at,
        opts.rotate_every_days,
        opts.source,
        opts.versions_kept,
        serde_json::to_string(&meta).expect("map serialises"),
        rotated
    ])?;
    if let Some(tags) = &opts.tags {
        set_tags(tx, id, tags)?;
    }
    prune_versions(tx, id, version)?;
    Ok(WriteOutcome { path: path_s, version, created: existing.is_none() })
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

pub(crate) fn set_tags(conn: &Connection, id: i64, tags: &[String]) -> Result<()> {
    conn.prepare_cached("DELETE FROM secret_tags WHERE secret_id = ?1")?.execute([id])?;
    for t in tags {
        conn.prepare_cached("INSERT OR IGNORE INTO secret_tags (secret_id, tag) VALUES (?1, ?2)")?
            .execute(params![id, t])?;
    }
    Ok(())
}

/// Keeps the newest N versions (the secret's own setting, else the vault's).
fn prune_versions(conn: &Connection, id: i64, newest: u64) -> Result<()> {
    let keep: u64 = conn
        .prepare_cached("SELECT coalesce(s.versions_kept, v.versions_kept) FROM secrets s, vault v WHERE s.id = ?1 AND v.id = 1")?
        .query_row([id], |r| r.get(0))?;
    if newest > keep {
        conn.prepare_cached("DELETE FROM versions WHERE secret_id = ?1 AND version <= ?2")?
            .execute(params![id, newest - keep])?;
    }
    Ok(())
}

impl Vault {
    /// Decrypts every kept version (live and trashed); returns those that fail, as `path@version`.
    pub fn verify_integrity(&self) -> Result<Vec<String>> {
        let key = self.data_key()?;
        let mut st = self.conn.prepare("SELECT v.secret_id, v.version, v.ciphertext, s.path FROM versions v JOIN secrets s ON s.id = v.secret_id ORDER BY s.path, v.version")?;
        let mut rows = st.query([])?;
        let mut bad = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, version, ct, path): (i64, u64, Vec<u8>, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            if crypto::open(key, &version_aad(&self.vault_id, id, version), &ct).is_none() {
                bad.push(format!("{path}@{version}"));
            }
        }
        Ok(bad)
    }
}
