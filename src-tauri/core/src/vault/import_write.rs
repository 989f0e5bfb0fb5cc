//! The writing half of a streaming import (`import_stream` decides; this writes).
//!
//! New secrets are made (checked, sealed, MAC'd) as they are decided and inserted in batches,
//! the insert statements looked up once per batch. Into an empty folder (the bulk case: a
//! first import) this runs on two threads: with nothing there to look up, pass 2 (parse, decide,
//! report each line to the sink, seal, MAC) needs no database, so it runs on a second thread and
//! hands finished records over to this one, which holds the write transaction and only inserts.
//! The CPU work and SQLite's B-tree work then overlap on two cores: a 10,000-line import went
//! from ~60 to ~45 ms. The items, the outcome and the ids are those of a one-thread pass; an
//! error on either side stops both and the transaction is dropped, as there.

use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use super::import_stream::{run_pass, Existing, ImportSink, Pass, Run};
use super::secrets::{check_value, new_record, write_known, WriteAt};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::model::WriteOptions;
use crate::path::SecretPath;
use crate::secret::SecretValue;
use crate::store::{NewRecord, SecretRow, Tx, Write};

/// Records per batch: large enough that a hand-over costs nothing per record, small enough
/// that inserting starts early and memory stays bounded (at most `DEPTH + 3` batches exist).
const BATCH: usize = 256;
const DEPTH: usize = 4;

/// Where and how an import writes.
pub(super) struct Writing<'a, 't> {
    pub tx: &'a Tx<'t, Write>,
    pub pass: &'a Pass<'a>,
    pub opts: &'a WriteOptions,
}

impl Writing<'_, '_> {
    /// Pass 2 into a folder that holds records: on this thread, an existing secret rewritten at
    /// once, new ones in batches.
    pub(super) fn into_existing(
        self,
        existing: &Existing,
        run: &mut Run<'_>,
        sink: &mut dyn ImportSink,
    ) -> Result<()> {
        let (tx, keys, opts) = (self.tx, self.pass.keys, self.opts);
        let mut batch = NewBatch::new(tx.next_id()?);
        let mut write = |p: &SecretPath, v: &SecretValue, row: Option<SecretRow>| match row {
            None => {
                let full = batch.push(keys, p, v, opts)?;
                if full {
                    batch.insert(tx, keys)?;
                }
                Ok(true)
            }
            Some(row) => {
                batch.insert(tx, keys)?;
                Ok(write_known(tx, keys, p, v, opts, WriteAt::default(), Some(row))?.created)
            }
        };
        run_pass(Some(tx), existing, self.pass, run, sink, Some(&mut write))?;
        batch.insert(tx, keys)
    }

    /// Pass 2 into an empty folder, on a second thread (see the module's comment).
    pub(super) fn fresh(self, run: &mut Run<'_>, sink: &mut dyn ImportSink) -> Result<()> {
        let (tx, p, opts) = (self.tx, self.pass, self.opts);
        let keys = p.keys;
        let first_id = tx.next_id()?;
        let (send, batches) = sync_channel::<Vec<NewRecord>>(DEPTH);
        let (give_back, done) = channel::<Vec<NewRecord>>();
        std::thread::scope(|s| {
            let pass = s.spawn(move || {
                let mut out = Handover { send, done, batch: NewBatch::new(first_id) };
                let mut write = |path: &SecretPath, v: &SecretValue, _: Option<SecretRow>| {
                    if out.batch().push(p.keys, path, v, opts)? {
                        out.hand_over()?;
                    }
                    Ok(true)
                };
                run_pass::<Write>(None, &Existing::Empty, p, run, sink, Some(&mut write))?;
                out.hand_over()
            });
            // Inserted in the order made, so each record gets the id it was sealed under. After
            // an insert fails the rest are drained unwritten: the pass never waits on a full
            // channel.
            let mut inserted = Ok(());
            for b in batches.iter() {
                if inserted.is_ok() {
                    inserted = tx.insert_records(keys, &b);
                }
                // Freed by the thread that made them: glibc frees another thread's allocations
                // under its arena's lock, which the making thread holds as it allocates (that
                // contention took a third of the gain).
                let _ = give_back.send(b);
            }
            let passed = pass.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            inserted.and(passed)
        })
    }
}

/// New records waiting to be inserted, in id order.
struct NewBatch {
    recs: Vec<NewRecord>,
    next_id: i64,
    now: i64,
}

impl NewBatch {
    fn new(next_id: i64) -> NewBatch {
        NewBatch { recs: Vec::new(), next_id, now: crate::timefmt::now() }
    }

    /// Makes a new secret's record as `write_known` would (the same checks, seal and MAC).
    /// Returns whether the batch is full.
    fn push(
        &mut self,
        keys: &Keys,
        path: &SecretPath,
        v: &SecretValue,
        opts: &WriteOptions,
    ) -> Result<bool> {
        let kind = opts.kind.unwrap_or_default();
        check_value(v, kind, opts.strict)?;
        let at = (self.next_id, self.now);
        if self.recs.capacity() == 0 {
            self.recs.reserve_exact(BATCH);
        }
        self.recs.push(new_record(keys, path, v, opts, kind, at, WriteAt::default())?);
        self.next_id += 1;
        Ok(self.recs.len() == BATCH)
    }

    fn insert(&mut self, tx: &Tx<'_, Write>, keys: &Keys) -> Result<()> {
        tx.insert_records(keys, &self.recs)?;
        self.recs.clear();
        Ok(())
    }
}

/// The pass thread's side of the hand-over.
struct Handover {
    send: SyncSender<Vec<NewRecord>>,
    /// Batches inserted, handed back to be freed (and their room reused) on this thread.
    done: Receiver<Vec<NewRecord>>,
    batch: NewBatch,
}

impl Handover {
    /// The batch being filled: in a handed-back one's room when there is one.
    fn batch(&mut self) -> &mut NewBatch {
        if self.batch.recs.capacity() == 0 {
            if let Ok(mut old) = self.done.try_recv() {
                old.clear();
                self.batch.recs = old;
            }
        }
        &mut self.batch
    }

    fn hand_over(&mut self) -> Result<()> {
        if self.batch.recs.is_empty() {
            return Ok(());
        }
        // A closed channel means the inserting side failed: its error is the one reported.
        self.send
            .send(std::mem::take(&mut self.batch.recs))
            .map_err(|_| Error::Cancelled("the import stopped: writing failed".into()))
    }
}
