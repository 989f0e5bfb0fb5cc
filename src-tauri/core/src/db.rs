//! Opening the SQLite file deliberately, and forward-only embedded migrations.
//!
//! Migrations are `migrations/NNNN_name.sql` at the repository root, embedded at build time. They
//! run in order inside one IMMEDIATE transaction; `PRAGMA user_version` counts those applied.
//! Rules: never edit or reorder a shipped migration; add a new file and a line below.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../../migrations/0001_init.sql")),
    ("0002_settings", include_str!("../../../migrations/0002_settings.sql")),
    ("0003_env_layouts", include_str!("../../../migrations/0003_env_layouts.sql")),
    ("0004_remotes", include_str!("../../../migrations/0004_remotes.sql")),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens a connection with the per-connection settings every Hush connection needs.
pub(crate) fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(15))?;
    // Bulk paths (import, export, run, sync) reuse a dozen statements per secret.
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -32768;
         PRAGMA secure_delete = ON;",
    )?;
    Ok(conn)
}

/// Refuses, without writing a byte, a file that is not a Hush vault: empty, not SQLite, or a
/// SQLite database no Hush migration ever ran on (opening read-write would otherwise turn it into
/// one, or switch its journal mode).
pub(crate) fn check_is_vault(path: &Path) -> Result<()> {
    use std::io::Read;
    let not_vault = |why: &str| Error::NotAVault { path: path.into(), reason: why.into() };
    let mut header = [0u8; 16];
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if f.read_exact(&mut header).is_err() || &header != b"SQLite format 3\0" {
        return Err(not_vault("not an SQLite database"));
    }
    let ro = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let version: i64 = ro.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 {
        return Err(not_vault("no Hush schema"));
    }
    Ok(())
}

/// Applies every pending migration, atomically. Returns the schema version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<i64> {
    migrate_to(conn, SCHEMA_VERSION)
}

pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew { found: current, supported: SCHEMA_VERSION });
    }
    for (i, (_name, sql)) in
        MIGRATIONS.iter().enumerate().take(target as usize).skip(current as usize)
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    let v: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    tx.commit()?;
    Ok(v)
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
    fn refuses_newer_schema() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        assert!(matches!(migrate(&mut c), Err(Error::SchemaTooNew { .. })));
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
