//! The state root (format 3): what binds the vault's authenticated rows into one whole.
//!
//! A record's MAC proves Hush wrote it, not that it is the newest one: a record put back from an
//! older copy of the file (its newer versions' rows deleted too), a removed record, an older
//! remote row or an older audit tail with its head and anchor all carry valid MACs. So, per
//! bucket of 256 secret ids, a SHA-256 of every (id, MAC) in it is stored; the root hashes those
//! digests with every remote's MAC and the settings MAC; and the audit anchor's MAC covers the
//! root. Only the anchor is keyed: the digests are plain hashes of MACs, which only the key
//! makes.
//!
//! A transaction checks a bucket against its stored digest before it serves or changes a record
//! in it, and the anchor against the root before it changes anything the root covers (so a write
//! never blesses a record put back from an older copy); its commit recomputes the buckets it
//! changed, the root, and the anchor's MAC under the key it was given.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashSet};

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{Tx, Write};
use crate::crypto;
use crate::error::{Error, Result};
use crate::keys::{AnchorKey, Keys, MacInput};

/// Secret ids per bucket: 2^8. A record's check reads its bucket (256 rows at most), and the
/// root reads one digest per bucket (400 at 100,000 secrets).
const BUCKET_SHIFT: u32 = 8;

pub(crate) fn bucket_of(id: i64) -> i64 {
    id >> BUCKET_SHIFT
}

/// What a transaction has checked and changed of the state.
#[derive(Default)]
pub(crate) struct StateTrack {
    /// Whether the vault is format 3 (read once per transaction, when first needed).
    established: Cell<Option<bool>>,
    /// Buckets found to match their stored digest in this transaction.
    checked: RefCell<HashSet<i64>>,
    anchor_checked: Cell<bool>,
    /// Buckets this transaction changed: their digests are recomputed at commit.
    touched: RefCell<BTreeSet<i64>>,
    /// Set when anything the anchor covers changed: the commit seals with this key.
    seal: RefCell<Option<AnchorKey>>,
}

/// The anchor's MAC in format 3: its place, its entry's hash and the root.
pub(crate) fn anchor_input(seq: i64, hash: &[u8], root: &[u8]) -> MacInput {
    MacInput::new("hush/v3/audit-anchor").int(seq).bytes(hash).bytes(root)
}

fn framed(h: &mut Sha256, b: Option<&[u8]>) {
    match b {
        Some(b) => {
            h.update((b.len() as u64 + 1).to_be_bytes());
            h.update(b);
        }
        None => h.update(0u64.to_be_bytes()),
    }
}

/// A bucket's digest from its rows, (id, MAC) in id order.
fn digest_rows(rows: &[(i64, Option<Vec<u8>>)]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"hush/v3/bucket");
    for (id, mac) in rows {
        h.update(id.to_be_bytes());
        framed(&mut h, mac.as_deref());
    }
    h.finalize().to_vec()
}

fn altered(what: String) -> Error {
    Error::StateAltered { what }
}

impl<M> Tx<'_, M> {
    pub(crate) fn state_established(&self) -> Result<bool> {
        if let Some(e) = self.state.established.get() {
            return Ok(e);
        }
        // No vault row yet (a store being created): nothing to check.
        let format: Option<i64> = self
            .c()
            .prepare_cached("SELECT format FROM vault WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        let e = format.is_some_and(|f| f >= 3);
        self.state.established.set(Some(e));
        Ok(e)
    }

    fn bucket_rows(&self, b: i64) -> Result<Vec<(i64, Option<Vec<u8>>)>> {
        let lo = b << BUCKET_SHIFT;
        let mut st = self
            .c()
            .prepare_cached("SELECT id, mac FROM secrets WHERE id BETWEEN ?1 AND ?2 ORDER BY id")?;
        let rows = st
            .query_map(params![lo, lo + (1 << BUCKET_SHIFT) - 1], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A bucket's digest as its rows are now (`None`: no rows).
    fn bucket_now(&self, b: i64) -> Result<Option<Vec<u8>>> {
        let rows = self.bucket_rows(b)?;
        Ok((!rows.is_empty()).then(|| digest_rows(&rows)))
    }

    fn stored_bucket(&self, b: i64) -> Result<Option<Vec<u8>>> {
        Ok(self
            .c()
            .prepare_cached("SELECT digest FROM record_buckets WHERE bucket = ?1")?
            .query_row([b], |r| r.get(0))
            .optional()?)
    }

    /// Every bucket's digest as the rows are now, in one pass.
    pub(crate) fn buckets_now(&self) -> Result<BTreeMap<i64, Vec<u8>>> {
        let mut st = self.c().prepare("SELECT id, mac FROM secrets ORDER BY id")?;
        let mut rows = st.query([])?;
        let (mut out, mut cur, mut acc) = (BTreeMap::new(), None, Vec::new());
        while let Some(r) = rows.next()? {
            let (id, mac): (i64, Option<Vec<u8>>) = (r.get(0)?, r.get(1)?);
            if cur.is_some_and(|b| b != bucket_of(id)) {
                out.insert(cur.unwrap(), digest_rows(&acc));
                acc.clear();
            }
            cur = Some(bucket_of(id));
            acc.push((id, mac));
        }
        if let Some(b) = cur {
            out.insert(b, digest_rows(&acc));
        }
        Ok(out)
    }

    pub(crate) fn stored_buckets(&self) -> Result<BTreeMap<i64, Vec<u8>>> {
        let mut st = self.c().prepare_cached("SELECT bucket, digest FROM record_buckets")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The root over the stored digests, every remote's MAC and the settings MAC.
    fn root(&self) -> Result<Vec<u8>> {
        let mut h = Sha256::new();
        h.update(b"hush/v3/state-root");
        for (b, d) in self.stored_buckets()? {
            h.update(b.to_be_bytes());
            framed(&mut h, Some(&d));
        }
        h.update(b"remotes");
        let mut st = self.c().prepare_cached("SELECT id, mac FROM remotes ORDER BY id")?;
        let rows =
            st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?)))?;
        for row in rows {
            let (id, mac) = row?;
            h.update(id.to_be_bytes());
            framed(&mut h, mac.as_deref());
        }
        h.update(b"settings");
        framed(&mut h, self.settings()?.mac.as_deref());
        Ok(h.finalize().to_vec())
    }

    /// The anchor's place, its entry's hash and its stored MAC.
    pub(crate) fn anchor(&self) -> Result<(i64, Vec<u8>, Option<Vec<u8>>)> {
        let head = self.audit_head()?;
        let hash: Option<Vec<u8>> = self
            .c()
            .prepare_cached("SELECT hash FROM audit WHERE seq = ?1")?
            .query_row([head.anchor_seq], |r| r.get(0))
            .optional()?;
        Ok((head.anchor_seq, hash.unwrap_or_default(), head.anchor_mac))
    }

    /// Whether the anchor's MAC covers the root as the file holds it now (format 3).
    pub(crate) fn anchor_matches(&self, keys: &Keys) -> Result<bool> {
        let (seq, hash, mac) = self.anchor()?;
        let want = keys.audit_mac(&anchor_input(seq, &hash, &self.root()?));
        Ok(mac.is_some_and(|m| crypto::mac_eq(&want, &m)))
    }

    /// Checks the anchor against the root once per transaction (format 3).
    pub(crate) fn check_anchor(&self, keys: &Keys) -> Result<()> {
        if self.state.anchor_checked.get() || !self.state_established()? {
            return Ok(());
        }
        if !self.anchor_matches(keys)? {
            return Err(altered(ANCHOR_ALTERED.into()));
        }
        self.state.anchor_checked.set(true);
        Ok(())
    }

    /// Before a record of secret `id` is served or changed: its bucket matches its stored digest
    /// (no record there was put back, removed or added outside Hush), and the anchor the root.
    pub(crate) fn check_state_of(&self, keys: &Keys, id: i64) -> Result<()> {
        let b = bucket_of(id);
        if self.state.checked.borrow().contains(&b) || !self.state_established()? {
            return Ok(());
        }
        self.check_anchor(keys)?;
        if self.bucket_now(b)? != self.stored_bucket(b)? {
            return Err(self.bucket_altered(b)?);
        }
        self.state.checked.borrow_mut().insert(b);
        Ok(())
    }

    /// The whole state checked at once (format 3; an older vault has no faults): every bucket
    /// against its stored digest, and the anchor against the root.
    pub(crate) fn state_faults(&self, keys: &Keys) -> Result<StateFaults> {
        if !self.state_established()? {
            return Ok(StateFaults { buckets: Vec::new(), anchor_ok: true });
        }
        let (now, stored) = (self.buckets_now()?, self.stored_buckets()?);
        let ids: BTreeSet<&i64> = now.keys().chain(stored.keys()).collect();
        let mut buckets = Vec::new();
        for b in ids.into_iter().filter(|b| now.get(b) != stored.get(b)) {
            buckets.push(self.bucket_paths(*b)?);
        }
        Ok(StateFaults { buckets, anchor_ok: self.anchor_matches(keys)? })
    }

    /// The whole state, the first fault as the error.
    pub(crate) fn verify_state(&self, keys: &Keys) -> Result<()> {
        match self.state_faults(keys)?.described().into_iter().next() {
            Some(what) => Err(altered(what)),
            None => {
                self.state.anchor_checked.set(true);
                Ok(())
            }
        }
    }

    fn bucket_paths(&self, b: i64) -> Result<Vec<String>> {
        let lo = b << BUCKET_SHIFT;
        let mut st = self
            .c()
            .prepare_cached("SELECT path FROM secrets WHERE id BETWEEN ?1 AND ?2 ORDER BY path")?;
        let rows = st.query_map(params![lo, lo + (1 << BUCKET_SHIFT) - 1], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn bucket_altered(&self, b: i64) -> Result<Error> {
        Ok(altered(records_altered(&self.bucket_paths(b)?)))
    }
}

/// What no longer matches the state root.
pub(crate) struct StateFaults {
    /// Each altered bucket, named by the paths of the records it holds.
    pub buckets: Vec<Vec<String>>,
    /// Whether the anchor's MAC still covers the root.
    pub anchor_ok: bool,
}

impl StateFaults {
    /// One line per fault (doctor, and the error of the first).
    pub(crate) fn described(&self) -> Vec<String> {
        let mut out: Vec<String> = self.buckets.iter().map(|p| records_altered(p)).collect();
        if !self.anchor_ok {
            out.push(ANCHOR_ALTERED.into());
        }
        out
    }
}

/// What an anchor that no longer covers the state is called.
pub(crate) const ANCHOR_ALTERED: &str = "its audit anchor does not cover the records, remotes and \
     settings the file holds (part of the file was put back from an older copy, or edited)";

/// What an altered bucket is called: the records it holds, a few named.
pub(crate) fn records_altered(paths: &[String]) -> String {
    let named: Vec<String> = paths.iter().take(3).map(|p| format!("'{p}'")).collect();
    let more = paths.len().saturating_sub(3);
    let among = if paths.is_empty() {
        "records that are no longer in the file".to_string()
    } else if more > 0 {
        format!("the records of {} and {more} more", named.join(", "))
    } else {
        format!("the records of {}", named.join(", "))
    };
    format!(
        "{among} (one was put back from an older copy of the file, removed or added outside Hush)"
    )
}

impl Tx<'_, Write> {
    /// Before changing secret `id`'s record: checks its bucket, and marks it for the commit.
    pub(crate) fn touch_secret(&self, keys: &Keys, id: i64) -> Result<()> {
        self.check_state_of(keys, id)?;
        self.state.touched.borrow_mut().insert(bucket_of(id));
        self.touch_state(keys)
    }

    /// Before changing a remote, the settings or the anchor: checks the anchor, and has the
    /// commit seal the state under `keys`.
    pub(crate) fn touch_state(&self, keys: &Keys) -> Result<()> {
        self.check_anchor(keys)?;
        let mut seal = self.state.seal.borrow_mut();
        if seal.is_none() {
            *seal = Some(keys.anchor_key());
        }
        Ok(())
    }

    /// Makes the vault format 3: every bucket's digest from the rows as they stand (the caller
    /// checked them), sealed under `keys` at commit.
    pub(crate) fn establish_state(&self, keys: &Keys) -> Result<()> {
        self.c().execute("DELETE FROM record_buckets", [])?;
        for (b, d) in self.buckets_now()? {
            self.put_bucket(b, Some(&d))?;
        }
        self.set_format(3)?;
        self.state.established.set(Some(true));
        self.state.anchor_checked.set(true);
        *self.state.seal.borrow_mut() = Some(keys.anchor_key());
        Ok(())
    }

    /// After a re-key checked the state under the old keys: everything is re-MAC'd under `new`,
    /// so every bucket is recomputed and the commit seals under `new`.
    pub(crate) fn reseal_state(&self, new: &Keys) -> Result<()> {
        let all: BTreeSet<i64> =
            self.buckets_now()?.into_keys().chain(self.stored_buckets()?.into_keys()).collect();
        self.state.checked.borrow_mut().extend(all.iter().copied());
        self.state.touched.borrow_mut().extend(all);
        self.state.anchor_checked.set(true);
        *self.state.seal.borrow_mut() = Some(new.anchor_key());
        Ok(())
    }

    fn put_bucket(&self, b: i64, digest: Option<&[u8]>) -> Result<()> {
        match digest {
            Some(d) => self
                .c()
                .prepare_cached(
                    "INSERT INTO record_buckets (bucket, digest) VALUES (?1, ?2)
                     ON CONFLICT(bucket) DO UPDATE SET digest = excluded.digest",
                )?
                .execute(params![b, d])?,
            None => self
                .c()
                .prepare_cached("DELETE FROM record_buckets WHERE bucket = ?1")?
                .execute([b])?,
        };
        Ok(())
    }

    /// At commit: the changed buckets' digests, the root and the anchor's MAC.
    pub(super) fn seal_state(&self) -> Result<()> {
        let Some(key) = self.state.seal.borrow_mut().take() else { return Ok(()) };
        if !self.state_established()? {
            return Ok(());
        }
        for b in std::mem::take(&mut *self.state.touched.borrow_mut()) {
            self.put_bucket(b, self.bucket_now(b)?.as_deref())?;
        }
        let (seq, hash, _) = self.anchor()?;
        let mac = key.mac(&anchor_input(seq, &hash, &self.root()?));
        self.set_audit_anchor(seq, &mac)
    }
}
