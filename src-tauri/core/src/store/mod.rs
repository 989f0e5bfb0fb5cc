//! The store: the only code that speaks SQL to the vault database.
//!
//! Everything goes through a transaction wrapper: `Tx<'_, Read>` (a snapshot: WAL readers never
//! wait for a writer) or `Tx<'_, Write>` (BEGIN IMMEDIATE: one writer at a time, and no read that
//! later upgrades to a write, which SQLite could refuse without waiting). Reads are available on
//! both; writes only on `Tx<Write>`. Rows come back as typed structs read by column name, and a
//! value that does not parse (an unknown kind, setting or auth method) is an error naming the row,
//! never a default. Values and layouts are written only as [`Sealed`](crate::crypto::Sealed);
//! records that carry a MAC are written only with the [`Keys`](crate::keys::Keys) to compute it.
//!
//! Files: `open.rs` (opening, migrations, file modes), `header.rs` (vault row, key wraps,
//! settings), `secrets.rs` (secrets and tags), `versions.rs`, `audit.rs`, `remotes.rs` (remotes
//! and sync state), `layouts.rs`, `lifecycle.rs` (activity per secret, reminders given).

mod audit;
mod header;
mod layouts;
mod lifecycle;
mod open;
mod remotes;
mod secrets;
mod state;
mod versions;

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

pub(crate) use audit::AuditRow;
pub(crate) use header::{Header, StoredSettings, WrapKind, WrapRow};
pub(crate) use layouts::LayoutRow;
pub(crate) use lifecycle::{NoticeRow, PathActivity};
pub use open::SCHEMA_VERSION;
pub(crate) use open::{set_wait_notice, sidecar_modes};
pub(crate) use remotes::{RemoteRecord, StoredAuth};
pub(crate) use secrets::{secret_mac_input, NewRecord, SecretFilter, SecretRow};
pub(crate) use versions::{Current, VersionRow};

/// Transaction mode markers.
pub(crate) enum Read {}
pub(crate) enum Write {}

/// An open vault database.
pub(crate) struct Store {
    conn: Connection,
    path: PathBuf,
    /// The key generation of the keys this handle holds: every transaction checks the vault
    /// still has it, so keys made stale by a re-key in another process or handle never write
    /// (or misread) anything.
    generation: Option<i64>,
}

/// A transaction. Dropping it without `commit` rolls back.
pub(crate) struct Tx<'c, M> {
    tx: Transaction<'c>,
    /// The id the next new secret gets, once `insert_secret` has looked it up (inside the write
    /// lock only this transaction inserts, and only through `insert_secret`).
    next_secret_id: std::cell::Cell<Option<i64>>,
    /// What this transaction checked and changed of the state root (`state.rs`).
    state: state::StateTrack,
    _mode: PhantomData<M>,
}

impl<M> Tx<'_, M> {
    fn c(&self) -> &Connection {
        &self.tx
    }
}

impl Tx<'_, Write> {
    /// Seals the state root if anything it covers changed (`state.rs`), then commits.
    pub(crate) fn commit(self) -> Result<()> {
        self.seal_state()?;
        Ok(self.tx.commit()?)
    }

    /// Whether any row carries what only format 2 writes: a record, remote, setting or audit MAC,
    /// or an audit anchor. A vault whose header says format 1 but holds one was downgraded by an
    /// edit of the file (the format column is not authenticated), to have forged rows re-MAC'd.
    pub(crate) fn has_format2_traces(&self) -> Result<bool> {
        Ok(self.c().query_row(
            "SELECT EXISTS (SELECT 1 FROM secrets WHERE mac IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM remotes WHERE mac IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM audit WHERE mac IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM record_buckets)
                 OR EXISTS (SELECT 1 FROM vault WHERE settings_mac IS NOT NULL
                            OR audit_anchor_seq != 0 OR audit_anchor_mac IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Takes every MAC and the anchor away and marks the vault format 1 (tests of the upgrade).
    #[cfg(feature = "test-support")]
    pub(crate) fn strip_macs(&self) -> Result<()> {
        self.c().execute_batch(
            "UPDATE secrets SET mac = NULL; UPDATE remotes SET mac = NULL; UPDATE audit SET mac = NULL;
             DELETE FROM record_buckets;
             UPDATE vault SET settings_mac = NULL, audit_anchor_seq = 0, audit_anchor_mac = NULL, format = 1;",
        )?;
        Ok(())
    }
}

impl Store {
    /// Opens an existing vault read-write, upgrading its schema (one transaction) if it is older.
    pub(crate) fn open(path: &Path) -> Result<Store> {
        let probe = open::check_is_vault(path)?;
        let mut conn = open::connect(path, false)?;
        drop(probe);
        open::migrate(&mut conn)?;
        Ok(Store { conn, path: path.into(), generation: None })
    }

    /// Opens read-only, changing nothing (not even the schema): for status queries and checks.
    pub(crate) fn open_read_only(path: &Path) -> Result<Store> {
        // The check looked with a read-only connection and refused a schema out of range.
        let conn = open::check_is_vault(path)?;
        Ok(Store { conn, path: path.into(), generation: None })
    }

    /// Creates the schema in a new, empty file (the caller made it, mode 0600).
    pub(crate) fn create(path: &Path, schema: i64) -> Result<Store> {
        let mut conn = open::connect(path, true)?;
        open::migrate_to(&mut conn, schema)?;
        Ok(Store { conn, path: path.into(), generation: None })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn schema_version(&self) -> Result<i64> {
        open::user_version(&self.conn)
    }

    pub(crate) fn generation(&self) -> Option<i64> {
        self.generation
    }

    /// Binds this handle to the key generation of the keys it now holds (`None`: locked).
    pub(crate) fn bind_generation(&mut self, generation: Option<i64>) {
        self.generation = generation;
    }

    /// A read snapshot.
    pub(crate) fn read(&self) -> Result<Tx<'_, Read>> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)?;
        self.check_generation(&tx)?;
        Ok(Tx {
            tx,
            next_secret_id: Default::default(),
            state: Default::default(),
            _mode: PhantomData,
        })
    }

    /// The write lock (waiting for another writer, see `open::busy`). Its commit is on disk
    /// (the WAL fsynced) before it returns.
    pub(crate) fn write(&mut self) -> Result<Tx<'_, Write>> {
        self.write_synced(true)
    }

    /// A write that only records a read (its audit entry, `last_read_at`): committed to the WAL
    /// without an fsync, which SQLite's next checkpoint (or the next durable write) makes. A
    /// power cut moments after a read can lose that record; never a value, never the chain's
    /// integrity (the entry and the chain's anchor row go together). This saves `get`, `run`
    /// and `export` two fsyncs each (the WAL's and, the first time a process syncs, its
    /// directory's).
    pub(crate) fn write_read_record(&mut self) -> Result<Tx<'_, Write>> {
        self.write_synced(false)
    }

    fn write_synced(&mut self, durable: bool) -> Result<Tx<'_, Write>> {
        // Per connection and taken at commit; set before BEGIN, as the pragma may not change
        // inside a transaction.
        let level = if durable { "FULL" } else { "NORMAL" };
        self.conn.pragma_update(None, "synchronous", level)?;
        let generation = self.generation;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_generation(generation, &tx)?;
        Ok(Tx {
            tx,
            next_secret_id: Default::default(),
            state: Default::default(),
            _mode: PhantomData,
        })
    }

    fn check_generation(&self, c: &Connection) -> Result<()> {
        check_generation(self.generation, c)
    }

    /// SQLite's own check of the file's pages and indexes: the problems it lists (none: empty).
    pub(crate) fn integrity_check(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        let all: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
        Ok(all.into_iter().filter(|l| l != "ok").collect())
    }

    /// Moves the WAL into the main file and truncates it, so freed pages (with `secure_delete`,
    /// zeroed) no longer hold old ciphertext in the `-wal` file.
    pub(crate) fn checkpoint(&self) -> Result<()> {
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// Closes the connection, checkpointing and removing the WAL and shared-memory files (when
    /// no other connection is open): a file about to be renamed or copied is whole on its own.
    pub(crate) fn close(self) -> Result<()> {
        self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        self.conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        self.conn.close().map_err(|(_, e)| Error::Db(e))
    }
}

fn check_generation(expected: Option<i64>, c: &Connection) -> Result<()> {
    let Some(expected) = expected else { return Ok(()) };
    let now: i64 = c
        .prepare_cached("SELECT key_generation FROM vault WHERE id = 1")?
        .query_row([], |r| r.get(0))?;
    if now == expected {
        Ok(())
    } else {
        Err(Error::Rekeyed)
    }
}

/// A row that failed to parse: names the row, never holds a value.
pub(crate) fn bad_row(what: impl std::fmt::Display, why: impl std::fmt::Display) -> Error {
    Error::Integrity { what: format!("{what} ({why})") }
}

/// A new store in a temp dir (kept alive by the returned dir) and keys to seal with, for tests.
#[cfg(test)]
pub(crate) fn test_store() -> (tempfile::TempDir, Store, crate::keys::Keys) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("v.db"), SCHEMA_VERSION).unwrap();
    (dir, store, crate::keys::Keys::new(crate::secret::Key32::random(), "vault", None))
}
