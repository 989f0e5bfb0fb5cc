//! Secret records and their tags.

use std::collections::BTreeMap;

use rusqlite::types::{ToSql, ToSqlOutput};
use rusqlite::{params, Row};

use super::{bad_row, Tx, VersionRow, Write};
use crate::error::Result;
use crate::keys::{Keys, MacInput};
use crate::lifecycle::{policy_mac_tail, Policy, Strategy};
use crate::model::{Kind, SecretMeta};

/// A `secrets` row with its tags. `mac` covers identity, current version, deletion, kind,
/// expiry, rotation interval, the versions-kept override and the policy with the commands it
/// runs (see [`secret_mac_input`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SecretRow {
    pub id: i64,
    pub folder: String,
    pub name: String,
    pub path: String,
    pub kind: Kind,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub expires_at: Option<i64>,
    pub rotate_every_days: Option<u32>,
    pub last_rotated_at: Option<i64>,
    pub source: Option<String>,
    pub meta: BTreeMap<String, String>,
    pub versions_kept: Option<u32>,
    pub current_version: u64,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_read_at: Option<i64>,
    pub deleted_at: Option<i64>,
    /// Rotation strategy, handler, post-rotation and check commands (MAC'd when set).
    pub policy: Policy,
    /// When the check command last passed (not MAC'd).
    pub last_checked_at: Option<i64>,
    pub mac: Option<Vec<u8>>,
}

/// What the MAC of a secret record covers: everything that decides which value is served under
/// which name, and the policies that act on it. Descriptions, tags, free metadata and read times
/// are not covered: editing them changes no value and sends nothing anywhere. The policy's parts
/// trail, present only when a policy is set, so records without one keep the MAC they had.
pub(crate) fn secret_mac_input(r: &SecretRow) -> MacInput {
    let m = MacInput::new("hush/v2/secret-row")
        .int(r.id)
        .text(&r.folder)
        .text(&r.name)
        .text(&r.path)
        .text(r.kind.as_str())
        .int(r.current_version as i64)
        .opt_int(r.deleted_at)
        .opt_int(r.expires_at)
        .opt_int(r.rotate_every_days.map(i64::from))
        .opt_int(r.versions_kept.map(i64::from));
    policy_mac_tail(m, &r.policy)
}

impl SecretRow {
    pub(crate) fn meta(&self) -> SecretMeta {
        SecretMeta {
            id: self.id,
            path: self.path.clone(),
            folder: self.folder.clone(),
            name: self.name.clone(),
            kind: self.kind,
            description: self.description.clone(),
            tags: self.tags.clone(),
            expires_at: self.expires_at,
            rotate_every_days: self.rotate_every_days,
            last_rotated_at: self.last_rotated_at,
            source: self.source.clone(),
            meta: self.meta.clone(),
            versions_kept: self.versions_kept,
            version: self.current_version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_read_at: self.last_read_at,
            deleted_at: self.deleted_at,
            policy: (!self.policy.is_empty()).then(|| self.policy.clone()),
            last_checked_at: self.last_checked_at,
        }
    }

    /// A new record, before its first version is written.
    pub(crate) fn new(folder: &str, name: &str, path: &str, kind: Kind, now: i64) -> SecretRow {
        SecretRow {
            id: 0,
            folder: folder.into(),
            name: name.into(),
            path: path.into(),
            kind,
            description: None,
            tags: Vec::new(),
            expires_at: None,
            rotate_every_days: None,
            last_rotated_at: None,
            source: None,
            meta: BTreeMap::new(),
            versions_kept: None,
            current_version: 0,
            created_at: now,
            updated_at: now,
            last_read_at: None,
            deleted_at: None,
            policy: Policy::default(),
            last_checked_at: None,
            mac: None,
        }
    }
}

/// Which records to list. Folders match exactly (`direct`) or with their subfolders; `search`
/// is a case-insensitive substring of path, description or a tag.
#[derive(Debug, Default, Clone)]
pub(crate) struct SecretFilter<'a> {
    pub folder: Option<&'a str>,
    pub direct: bool,
    pub tag: Option<&'a str>,
    pub kind: Option<Kind>,
    pub search: Option<&'a str>,
    /// `Some(false)`: live only; `Some(true)`: the trash only; `None`: both.
    pub deleted: Option<bool>,
}

impl SecretFilter<'_> {
    pub(crate) fn live() -> Self {
        SecretFilter { deleted: Some(false), ..Default::default() }
    }
}

/// A record's own columns (its tags live in `secret_tags`).
macro_rules! record_columns {
    () => {
        "s.id, s.folder, s.name, s.path, s.kind, s.description, s.expires_at,
    s.rotate_every_days, s.last_rotated_at, s.source, s.meta, s.versions_kept, s.current_version,
    s.created_at, s.updated_at, s.last_read_at, s.deleted_at, s.mac, s.rotation_strategy,
    s.rotation_handler, s.rotation_then, s.rotation_timeout_secs, s.check_command, s.last_checked_at"
    };
}

/// A record with its tags, gathered per row.
const COLUMNS: &str = concat!(
    record_columns!(),
    ",
    (SELECT group_concat(tag, char(31) ORDER BY tag) FROM secret_tags t WHERE t.secret_id = s.id) AS tags"
);
/// A record without its tags (`all_secrets` reads them in one pass).
const COLUMNS_UNTAGGED: &str = concat!(record_columns!(), ", NULL AS tags");

/// Declares `Cols`: the position of each named column in a statement, found by name once per
/// query. (rusqlite's get-by-name compares every column name on every call: with 25 columns it
/// was a tenth of `ls` over 20,000 rows.)
macro_rules! columns {
    ($($name:ident),* $(,)?) => {
        struct Cols { $($name: usize),* }
        impl Cols {
            fn of(st: &rusqlite::Statement<'_>) -> rusqlite::Result<Cols> {
                Ok(Cols { $($name: st.column_index(stringify!($name))?),* })
            }
        }
    };
}

columns!(
    id,
    folder,
    name,
    path,
    kind,
    description,
    expires_at,
    rotate_every_days,
    last_rotated_at,
    source,
    meta,
    versions_kept,
    current_version,
    created_at,
    updated_at,
    last_read_at,
    deleted_at,
    mac,
    rotation_strategy,
    rotation_handler,
    rotation_then,
    rotation_timeout_secs,
    check_command,
    last_checked_at,
    tags,
);

/// Runs a `SELECT {COLUMNS} …` and parses its rows.
fn query_rows(
    st: &mut rusqlite::Statement<'_>,
    args: impl rusqlite::Params,
) -> Result<Vec<SecretRow>> {
    let c = Cols::of(st)?;
    let rows = st.query_map(args, |r| raw(r, &c))?;
    rows.map(|r| r?.into_row()).collect()
}

/// The row as SQLite gives it; parsed (and named on failure) by `into_row`.
struct Raw {
    row: SecretRow,
    kind: String,
    strategy: Option<String>,
    meta: String,
    tags: Option<String>,
}

fn raw(r: &Row<'_>, c: &Cols) -> rusqlite::Result<Raw> {
    Ok(Raw {
        kind: r.get(c.kind)?,
        strategy: r.get(c.rotation_strategy)?,
        meta: r.get(c.meta)?,
        tags: r.get(c.tags)?,
        row: SecretRow {
            id: r.get(c.id)?,
            folder: r.get(c.folder)?,
            name: r.get(c.name)?,
            path: r.get(c.path)?,
            kind: Kind::Generic,
            description: r.get(c.description)?,
            tags: Vec::new(),
            expires_at: r.get(c.expires_at)?,
            rotate_every_days: r.get(c.rotate_every_days)?,
            last_rotated_at: r.get(c.last_rotated_at)?,
            source: r.get(c.source)?,
            meta: BTreeMap::new(),
            versions_kept: r.get(c.versions_kept)?,
            current_version: r.get(c.current_version)?,
            created_at: r.get(c.created_at)?,
            updated_at: r.get(c.updated_at)?,
            last_read_at: r.get(c.last_read_at)?,
            deleted_at: r.get(c.deleted_at)?,
            policy: Policy {
                strategy: None,
                handler: r.get(c.rotation_handler)?,
                then: r.get(c.rotation_then)?,
                timeout_secs: r.get(c.rotation_timeout_secs)?,
                check: r.get(c.check_command)?,
            },
            last_checked_at: r.get(c.last_checked_at)?,
            mac: r.get(c.mac)?,
        },
    })
}

impl Raw {
    fn into_row(self) -> Result<SecretRow> {
        let mut row = self.row;
        let what = || format!("the record of '{}'", row.path.escape_debug());
        row.kind = Kind::parse(&self.kind)
            .map_err(|_| bad_row(what(), format!("unknown kind '{}'", self.kind.escape_debug())))?;
        row.policy.strategy = match &self.strategy {
            None => None,
            Some(s) => Some(Strategy::parse(s).map_err(|_| {
                bad_row(what(), format!("unknown rotation strategy '{}'", s.escape_debug()))
            })?),
        };
        row.meta = serde_json::from_str(&self.meta)
            .map_err(|_| bad_row(what(), "its free metadata is not a JSON object of strings"))?;
        row.tags =
            self.tags.map(|t| t.split('\u{1f}').map(String::from).collect()).unwrap_or_default();
        Ok(row)
    }
}

fn like_pattern(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl<M> Tx<'_, M> {
    /// Every record at `path`: the live one (if any) and those in the trash.
    pub(crate) fn secrets_at(&self, path: &str) -> Result<Vec<SecretRow>> {
        // One index holds the live record, another the trash (migration 0007).
        let sql = format!(
            "SELECT {COLUMNS} FROM secrets s WHERE s.path = ?1 AND s.deleted_at IS NULL
             UNION ALL
             SELECT {COLUMNS} FROM secrets s WHERE s.path = ?1 AND s.deleted_at IS NOT NULL
             ORDER BY id"
        );
        let mut st = self.c().prepare_cached(&sql)?;
        query_rows(&mut st, [path])
    }

    /// Records matching `f`, ordered by path (trash: newest deletion first).
    pub(crate) fn secrets(&self, f: &SecretFilter<'_>) -> Result<Vec<SecretRow>> {
        let order =
            if f.deleted == Some(true) { "s.deleted_at DESC, s.id DESC" } else { "s.path, s.id" };
        let sql = format!(
            "SELECT {COLUMNS} FROM secrets s
             WHERE (?6 IS NULL OR (s.deleted_at IS NOT NULL) = ?6)
               AND (?1 IS NULL OR s.folder = ?1
                    OR (NOT ?5 AND substr(s.folder, 1, length(?1) + 1) = ?1 || '/'))
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM secret_tags t WHERE t.secret_id = s.id AND t.tag = ?2))
               AND (?3 IS NULL OR s.kind = ?3)
               AND (?4 IS NULL OR lower(s.path) LIKE ?4 ESCAPE '\\'
                    OR lower(coalesce(s.description, '')) LIKE ?4 ESCAPE '\\'
                    OR EXISTS (SELECT 1 FROM secret_tags t WHERE t.secret_id = s.id
                               AND lower(t.tag) LIKE ?4 ESCAPE '\\'))
             ORDER BY {order}"
        );
        let search = f.search.map(|s| like_pattern(&s.to_lowercase()));
        let mut st = self.c().prepare_cached(&sql)?;
        let args = params![f.folder, f.tag, f.kind.map(Kind::as_str), search, f.direct, f.deleted];
        query_rows(&mut st, args)
    }

    /// Every record, live and trashed, by id (backup, upgrade, re-key, doctor, remote operations).
    /// The tags come from one pass over `secret_tags` in its key order (record, then tag), not a
    /// subquery per record: that subquery was over half of SQLite's time for 10,000 records.
    pub(crate) fn all_secrets(&self) -> Result<Vec<SecretRow>> {
        let sql = format!("SELECT {COLUMNS_UNTAGGED} FROM secrets s ORDER BY s.id");
        let mut rows = query_rows(&mut self.c().prepare(&sql)?, [])?;
        let mut st =
            self.c().prepare("SELECT secret_id, tag FROM secret_tags ORDER BY secret_id, tag")?;
        let mut tags = st.query([])?;
        let mut at = 0;
        while let Some(t) = tags.next()? {
            let id: i64 = t.get(0)?;
            while rows.get(at).is_some_and(|r| r.id < id) {
                at += 1;
            }
            if let Some(r) = rows.get_mut(at).filter(|r| r.id == id) {
                r.tags.push(t.get(1)?);
            }
        }
        Ok(rows)
    }

    /// How many records (live and trashed) sit directly in `folder`.
    pub(crate) fn count_in_folder(&self, folder: &str) -> Result<u64> {
        Ok(self
            .c()
            .prepare_cached("SELECT count(*) FROM secrets WHERE folder = ?1")?
            .query_row([folder], |r| r.get(0))?)
    }

    pub(crate) fn count_trash(&self) -> Result<u64> {
        Ok(self.c().query_row(
            "SELECT count(*) FROM secrets WHERE deleted_at IS NOT NULL",
            [],
            |r| r.get(0),
        )?)
    }
}

// Stored as their names (read back through `Kind::parse` / `Strategy::parse`, which refuse an
// unknown one).
impl ToSql for Kind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl ToSql for Strategy {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// Every column of a record, in the order both `insert_secret` and `update_secret` number them
/// (`?1` the id … `?24` last_checked_at): one list, so the two statements cannot drift apart.
fn record_params<'a>(row: &'a SecretRow, meta: &'a dyn ToSql) -> [&'a dyn ToSql; 24] {
    let p = &row.policy;
    [
        &row.id,
        &row.folder,
        &row.name,
        &row.path,
        &row.kind,
        &row.description,
        &row.expires_at,
        &row.rotate_every_days,
        &row.last_rotated_at,
        &row.source,
        meta,
        &row.versions_kept,
        &row.current_version,
        &row.created_at,
        &row.updated_at,
        &row.last_read_at,
        &row.deleted_at,
        &row.mac,
        &p.strategy,
        &p.handler,
        &p.then,
        &p.timeout_secs,
        &p.check,
        &row.last_checked_at,
    ]
}

const INSERT_SECRET: &str = "INSERT INTO secrets (id, folder, name, path, kind, description,
   expires_at, rotate_every_days, last_rotated_at, source, meta, versions_kept, current_version,
   created_at, updated_at, last_read_at, deleted_at, mac, rotation_strategy, rotation_handler,
   rotation_then, rotation_timeout_secs, check_command, last_checked_at)
 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
   ?20, ?21, ?22, ?23, ?24)";

/// A new secret ready to insert: its record MAC'd and its first version sealed, made before the
/// insert so that a bulk import can insert them in batches.
pub(crate) struct NewRecord {
    row: SecretRow,
    meta: String,
    first: VersionRow,
}

impl NewRecord {
    /// `row.id` must be the id the record will get ([`Tx::next_id`] counted on): `first` is
    /// sealed under it.
    pub(crate) fn new(keys: &Keys, mut row: SecretRow, first: VersionRow) -> NewRecord {
        row.mac = Some(keys.row_mac(&secret_mac_input(&row)).to_vec());
        let meta = serde_json::to_string(&row.meta).expect("a map of strings serialises");
        NewRecord { row, meta, first }
    }
}

impl Tx<'_, Write> {
    /// The id the next new secret gets: the next rowid. Inside the write transaction no one else
    /// inserts, so it is read once per transaction and counted on from there.
    pub(crate) fn next_id(&self) -> Result<i64> {
        if let Some(id) = self.next_secret_id.get() {
            return Ok(id);
        }
        let id = self
            .c()
            .prepare_cached("SELECT coalesce(max(id), 0) + 1 FROM secrets")?
            .query_row([], |r| r.get(0))?;
        self.next_secret_id.set(Some(id));
        Ok(id)
    }

    /// Inserts a new record with its MAC and tags in one statement; its id is assigned here
    /// ([`Tx::next_id`]). Returns the id.
    pub(crate) fn insert_secret(&self, keys: &Keys, row: &mut SecretRow) -> Result<i64> {
        row.id = self.next_id()?;
        self.touch_secret(keys, row.id)?;
        row.mac = Some(keys.row_mac(&secret_mac_input(row)).to_vec());
        let meta = serde_json::to_string(&row.meta).expect("a map of strings serialises");
        self.c().prepare_cached(INSERT_SECRET)?.execute(&record_params(row, &meta)[..])?;
        self.next_secret_id.set(Some(row.id + 1));
        if !row.tags.is_empty() {
            self.set_tags(row.id, &row.tags)?;
        }
        Ok(row.id)
    }

    /// Inserts new records with their first versions, in order. Each must carry the next id
    /// (anything else is refused before it is written). The two statements are looked up once
    /// per batch, not once per record: a bulk import inserts thousands.
    pub(crate) fn insert_records(&self, keys: &Keys, recs: &[NewRecord]) -> Result<()> {
        let mut secret = self.c().prepare_cached(INSERT_SECRET)?;
        let mut version = self.c().prepare_cached(super::versions::INSERT_VERSION)?;
        for r in recs {
            let (row, v) = (&r.row, &r.first);
            if row.id != self.next_id()? || v.secret_id != row.id {
                let what =
                    format!("new record {} (sealed as id {}, not the next id)", row.path, row.id);
                return Err(crate::error::Error::Integrity { what });
            }
            self.touch_secret(keys, row.id)?;
            secret.execute(&record_params(row, &r.meta)[..])?;
            self.next_secret_id.set(Some(row.id + 1));
            if !row.tags.is_empty() {
                self.set_tags(row.id, &row.tags)?;
            }
            version.execute(params![v.secret_id, v.version, v.sealed.as_bytes(), v.created_at])?;
        }
        Ok(())
    }

    /// Writes every field of a record (tags aside) and its fresh MAC.
    pub(crate) fn update_secret(&self, keys: &Keys, row: &mut SecretRow) -> Result<()> {
        self.touch_secret(keys, row.id)?;
        row.mac = Some(keys.row_mac(&secret_mac_input(row)).to_vec());
        let meta = serde_json::to_string(&row.meta).expect("a map of strings serialises");
        self.c()
            .prepare_cached(
                "UPDATE secrets SET folder = ?2, name = ?3, path = ?4, kind = ?5, description = ?6,
                   expires_at = ?7, rotate_every_days = ?8, last_rotated_at = ?9, source = ?10,
                   meta = ?11, versions_kept = ?12, current_version = ?13, created_at = ?14,
                   updated_at = ?15, last_read_at = ?16, deleted_at = ?17, mac = ?18,
                   rotation_strategy = ?19, rotation_handler = ?20, rotation_then = ?21,
                   rotation_timeout_secs = ?22, check_command = ?23, last_checked_at = ?24
                 WHERE id = ?1",
            )?
            .execute(&record_params(row, &meta)[..])?;
        Ok(())
    }

    pub(crate) fn set_tags(&self, id: i64, tags: &[String]) -> Result<()> {
        self.c().prepare_cached("DELETE FROM secret_tags WHERE secret_id = ?1")?.execute([id])?;
        let mut st = self
            .c()
            .prepare_cached("INSERT OR IGNORE INTO secret_tags (secret_id, tag) VALUES (?1, ?2)")?;
        for t in tags {
            st.execute(params![id, t])?;
        }
        Ok(())
    }

    /// Stamps the last read time (not covered by the MAC).
    pub(crate) fn mark_read(&self, ids: &[i64], now: i64) -> Result<()> {
        let mut st =
            self.c().prepare_cached("UPDATE secrets SET last_read_at = ?2 WHERE id = ?1")?;
        for id in ids {
            st.execute(params![id, now])?;
        }
        Ok(())
    }

    /// Stamps when the check command last passed (not covered by the MAC).
    pub(crate) fn mark_checked(&self, id: i64, now: i64) -> Result<()> {
        self.c()
            .prepare_cached("UPDATE secrets SET last_checked_at = ?2 WHERE id = ?1")?
            .execute(params![id, now])?;
        Ok(())
    }

    /// Destroys a record with every version and tag (purge).
    pub(crate) fn delete_secret(&self, keys: &Keys, id: i64) -> Result<()> {
        self.touch_secret(keys, id)?;
        self.c().prepare_cached("DELETE FROM secrets WHERE id = ?1")?.execute([id])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(keys: &Keys, id: i64) -> NewRecord {
        let path = format!("app/K{id}");
        let mut row = SecretRow::new("app", &format!("K{id}"), &path, Kind::Generic, 1);
        row.id = id;
        row.current_version = 1;
        let sealed = keys.seal_version(id, &path, 1, b"v");
        NewRecord::new(keys, row, VersionRow { secret_id: id, version: 1, sealed, created_at: 1 })
    }

    /// A record is sealed under its id before it is inserted, so one that would get another id
    /// (a batch out of order) is refused before anything is written.
    #[test]
    fn a_new_record_is_inserted_only_under_the_id_it_was_sealed_for() {
        let (_dir, mut store, keys) = crate::store::test_store();
        let tx = store.write().unwrap();
        let next = tx.next_id().unwrap();
        let err = tx.insert_records(&keys, &[record(&keys, next + 1)]).unwrap_err();
        assert!(matches!(err, crate::error::Error::Integrity { .. }), "{err}");
        let ok = [record(&keys, next), record(&keys, next + 1)];
        let bad = [record(&keys, next + 2), record(&keys, next + 2)];
        tx.insert_records(&keys, &ok).unwrap();
        assert!(tx.insert_records(&keys, &bad).is_err(), "an id used twice");
        let count: i64 =
            tx.c().query_row("SELECT count(*) FROM secrets", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 3, "the good records and the first of the bad batch, nothing else");
        assert_eq!(tx.next_id().unwrap(), next + 3);
    }

    /// Reading every record with its tags in one pass gives what the per-record subquery gives:
    /// the same records, each with its own tags in byte order, untagged and trashed ones too.
    #[test]
    fn every_record_read_at_once_has_the_tags_a_listing_gives_it() {
        let (_dir, mut store, keys) = crate::store::test_store();
        let tx = store.write().unwrap();
        let first = tx.next_id().unwrap();
        let records: Vec<NewRecord> = (first..first + 6).map(|id| record(&keys, id)).collect();
        tx.insert_records(&keys, &records).unwrap();
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        tx.set_tags(first, &tags(&["zeta", "Alpha", "beta", "émoji", "a"])).unwrap();
        tx.set_tags(first + 2, &tags(&["only"])).unwrap();
        tx.set_tags(first + 5, &tags(&["last", "b"])).unwrap();
        tx.c().execute("UPDATE secrets SET deleted_at = 5 WHERE id = ?1", [first + 5]).unwrap();
        let all = tx.all_secrets().unwrap();
        let listed = tx.secrets(&SecretFilter { deleted: None, ..Default::default() }).unwrap();
        assert_eq!(all.len(), 6);
        for r in &all {
            let l = listed.iter().find(|l| l.id == r.id).unwrap();
            assert_eq!((r.id, &r.tags), (l.id, &l.tags));
            assert_eq!(r.path, l.path);
        }
        assert_eq!(all[0].tags, tags(&["Alpha", "a", "beta", "zeta", "émoji"]));
        assert!(all[1].tags.is_empty() && all[3].tags.is_empty());
        assert_eq!(all[5].tags, tags(&["b", "last"]));
    }
}
