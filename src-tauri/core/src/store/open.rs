//! Opening the SQLite file deliberately, forward-only embedded migrations, and the modes of the
//! `-wal`/`-shm` side files.
//!
//! Migrations are `migrations/NNNN_name.sql` at the repository root, embedded at build time. They
//! run in order inside one IMMEDIATE transaction; `PRAGMA user_version` counts those applied.
//! Rules: never edit or reorder a shipped migration; add a new file and a line below.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../../../migrations/0001_init.sql")),
    ("0002_settings", include_str!("../../../../migrations/0002_settings.sql")),
    ("0003_env_layouts", include_str!("../../../../migrations/0003_env_layouts.sql")),
    ("0004_remotes", include_str!("../../../../migrations/0004_remotes.sql")),
    ("0005_authenticated_rows", include_str!("../../../../migrations/0005_authenticated_rows.sql")),
    ("0006_lifecycle", include_str!("../../../../migrations/0006_lifecycle.sql")),
    ("0007_lean_indexes", include_str!("../../../../migrations/0007_lean_indexes.sql")),
    ("0008_state_root", include_str!("../../../../migrations/0008_state_root.sql")),
];

/// The schema this Hush writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Called once when a statement has waited about a second for another process's write lock, so
/// a face can say what it waits for. Set with [`crate::on_wait_for_lock`].
static WAIT_NOTICE: OnceLock<Box<dyn Fn() + Send + Sync>> = OnceLock::new();
static NOTICE_SHOWN: AtomicBool = AtomicBool::new(false);

pub(crate) fn set_wait_notice(f: Box<dyn Fn() + Send + Sync>) {
    let _ = WAIT_NOTICE.set(f);
}

/// The busy handler: waits for another writer as long as it takes (a SQLite lock is only held by
/// a live process, and a read must never fail because someone else is writing), saying so once.
fn busy(attempt: i32) -> bool {
    if attempt == 40 && !NOTICE_SHOWN.swap(true, Ordering::Relaxed) {
        if let Some(f) = WAIT_NOTICE.get() {
            f();
        }
    }
    let ms = match attempt {
        0..=9 => 5,
        10..=39 => 25,
        _ => 100,
    };
    std::thread::sleep(Duration::from_millis(ms));
    true
}

/// Opens a connection with the per-connection settings every Hush connection needs.
pub(crate) fn connect(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    // A read-only period (a chmod, a backup tool) can leave -wal/-shm behind with the main
    // file's read-only mode; put them back to 0600 before SQLite opens them.
    fix_sidecar_modes(path);
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_handler(Some(busy))?;
    // The bundled SQLite has STAT4, which re-prepares a cached statement whenever a bound value
    // could change its plan: per secret on the bulk paths. The query planner stability guarantee
    // keeps one plan per statement (every statement here is keyed by an index anyway).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Bulk paths (import, export, run, sync) reuse a dozen statements per secret.
    conn.set_prepared_statement_cache_capacity(64);
    // The last connection to close would checkpoint the WAL into the main file and delete both
    // side files, and the next process would create them again: four fsyncs and an unlink,
    // most of a `hush get`'s time (measured with strace: ~40 of ~65 ms). The WAL stays instead;
    // SQLite checkpoints it every 1,000 pages (`wal_autocheckpoint`), `journal_size_limit` caps
    // what it keeps on disk, and the paths that must not leave old ciphertext in it (trash
    // purge, re-key) checkpoint it themselves (`Store::checkpoint`).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA journal_size_limit = 8388608;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -32768;
         PRAGMA secure_delete = ON;",
    )?;
    fix_sidecar_modes(path);
    Ok(conn)
}

/// A read-only connection: no journal-mode switch, no migration, no write of any kind.
pub(crate) fn connect_read_only(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags)?;
    conn.busy_handler(Some(busy))?;
    Ok(conn)
}

pub(crate) fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses, without writing a byte, a file that is not a Hush vault: missing, empty, not SQLite,
/// a SQLite database no Hush migration ever ran on, or one with a schema version out of range.
/// Returns the read-only connection it looked with. Held while the caller opens its own, it spares
/// that one a second scan of the WAL: the first connection a process opens rebuilds the WAL's
/// index from the whole `-wal` file (up to 4 MB, ~2 ms), and only when no other is open.
pub(crate) fn check_is_vault(path: &Path) -> Result<Connection> {
    if path.is_dir() {
        return Err(Error::NotAVault { path: path.into(), reason: "it is a directory".into() });
    }
    let meta = std::fs::metadata(path).map_err(|_| Error::NoVault { path: path.into() })?;
    if !meta.is_file() {
        return Err(Error::NoVault { path: path.into() });
    }
    let not_vault = |why: &str| Error::NotAVault { path: path.into(), reason: why.into() };
    if meta.len() == 0 {
        return Err(not_vault("it is empty"));
    }
    // The header is read by SQLite, never through a descriptor of our own: closing any
    // descriptor of a file drops every POSIX lock this process holds on it, SQLite's included.
    // Closed while another connection of this process was open (the app's second handle), it
    // let another program take the file for unused, checkpoint and delete the WAL under that
    // connection, and its next commits went to the deleted file (`concurrency`, `cli_store`).
    let ro = connect_read_only(path)?;
    let version = match ro.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            return Err(not_vault("not an SQLite database"))
        }
        v => v?,
    };
    if version == 0 {
        return Err(not_vault("no Hush schema"));
    }
    if !(1..=SCHEMA_VERSION).contains(&version) {
        return Err(Error::SchemaTooNew { found: version, supported: SCHEMA_VERSION });
    }
    Ok(ro)
}

/// Applies every pending migration, atomically. Returns the schema version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<i64> {
    migrate_to(conn, SCHEMA_VERSION)
}

pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64> {
    if user_version(conn)? == target {
        return Ok(target); // nothing to do: no write lock taken
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = user_version(&tx)?;
    if !(0..=SCHEMA_VERSION).contains(&current) {
        return Err(Error::SchemaTooNew { found: current, supported: SCHEMA_VERSION });
    }
    for (i, (_name, sql)) in
        MIGRATIONS.iter().enumerate().take(target as usize).skip(current as usize)
    {
        tx.execute_batch(sql).map_err(|e| edited_version(e, current))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    let v = user_version(&tx)?;
    tx.commit()?;
    Ok(v)
}

/// A migration of an existing vault that SQLite refuses as such (a column or table that is
/// already there): its schema version was edited back, so that a migration would run again. The
/// transaction rolls back; nothing was changed.
fn edited_version(e: rusqlite::Error, current: i64) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if current >= 1 && f.code == rusqlite::ErrorCode::Unknown =>
        {
            Error::Tampered {
                what: format!(
                    "its schema version says {current}, but its tables are those of a later one \
                     (the version was edited); nothing was changed"
                ),
            }
        }
        _ => Error::Db(e),
    }
}

/// The side files of a database, with their Unix modes (`None` when absent).
pub(crate) fn sidecar_modes(path: &Path) -> Vec<(String, Option<u32>)> {
    ["-wal", "-shm"]
        .iter()
        .map(|s| {
            let p = format!("{}{s}", path.display());
            let m = crate::fsutil::mode_of(Path::new(&p));
            (p, m)
        })
        .collect()
}

/// Puts `-wal` and `-shm` back to 0600 (best effort: only files we may change).
pub(crate) fn fix_sidecar_modes(path: &Path) {
    #[cfg(unix)]
    for (p, mode) in sidecar_modes(path) {
        if mode.is_some_and(|m| m != 0o600) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn migrate_twice_is_a_no_op() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut c).unwrap(), SCHEMA_VERSION);
        let before = tables(&c);
        assert_eq!(migrate(&mut c).unwrap(), SCHEMA_VERSION);
        assert_eq!(tables(&c), before);
        assert!(before.contains(&"settings".to_string()));
    }

    #[test]
    fn upgrades_step_by_step() {
        let mut c = Connection::open_in_memory().unwrap();
        assert_eq!(migrate_to(&mut c, 1).unwrap(), 1);
        assert!(!tables(&c).contains(&"settings".to_string()));
        assert_eq!(migrate(&mut c).unwrap(), SCHEMA_VERSION);
        assert!(tables(&c).contains(&"settings".to_string()));
    }

    #[test]
    fn refuses_newer_and_negative_schemas() {
        for v in [SCHEMA_VERSION + 1, -1] {
            let mut c = Connection::open_in_memory().unwrap();
            c.pragma_update(None, "user_version", v).unwrap();
            assert!(matches!(migrate(&mut c), Err(Error::SchemaTooNew { .. })), "{v}");
        }
    }

    #[test]
    fn a_failing_migration_leaves_nothing_half_applied() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE settings (x)").unwrap(); // makes 0002 fail halfway
        assert!(migrate(&mut c).is_err());
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 0);
        assert!(!tables(&c).contains(&"vault".to_string()));
    }
}
