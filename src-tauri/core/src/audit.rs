//! The audit log: one row per action, chained, never a value.
//!
//! Each entry links to the one before: `hash = SHA-256(prev_hash | seq | ts | action | path |
//! outcome | detail)` (fields length-framed), so an edit, insertion or removal breaks the chain
//! for anyone who checks it, key or not. With the key, each entry also gets `mac = HMAC-SHA256(
//! audit subkey, seq | hash)`: as `hash` commits to the entry and everything before it, rewriting
//! any entry means recomputing MACs nobody can make without the key. The vault row keeps the head
//! (seq and hash) and an anchor: the newest keyed entry's seq, MAC'd, so cutting the tail back
//! past it, or moving the anchor back, is detected.
//!
//! An entry written while the vault is locked (a failed unlock, `hush lock`) has no MAC; it is
//! chained, and covered by the next keyed entry. The limit (in the README): entries after the
//! anchor are such locked-time entries, and cutting only those goes unnoticed; someone who kept
//! an older copy of the whole file can put it back, which no check inside the file can tell.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::crypto;
use crate::error::{Error, Result};
use crate::keys::{Keys, MacInput};
use crate::store::{AuditRow, Tx, Write};

macro_rules! string_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v,)*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s,)* }
            }
            /// The value of a stable string form; an unknown one is an error listing the known.
            pub fn parse(s: &str) -> Result<$name> {
                $name::ALL.iter().copied().find(|a| a.as_str() == s).ok_or_else(|| {
                    let known: Vec<_> = $name::ALL.iter().map(|a| a.as_str()).collect();
                    Error::InvalidInput(format!(
                        "unknown {} '{}'; known: {}",
                        stringify!($name).to_lowercase(),
                        s.escape_debug(),
                        known.join(", ")
                    ))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// What happened. The string forms are stable (`--json`, IPC, filters, the chain itself).
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Action {
        Init = "init",
        Read = "read",
        Reveal = "reveal",
        Copy = "copy",
        Write = "write",
        Rollback = "rollback",
        Delete = "delete",
        Restore = "restore",
        Purge = "purge",
        Import = "import",
        Export = "export",
        Run = "run",
        Push = "push",
        Pull = "pull",
        Migrate = "migrate",
        Lock = "lock",
        Unlock = "unlock",
        KeyChange = "key_change",
        Settings = "settings",
        /// A two-way remote sync of one folder (push and pull in one step).
        Sync = "sync",
        /// A remote server added, changed or removed.
        RemoteConfig = "remote_config",
        /// The vault's format was upgraded (values re-sealed, records MAC'd).
        Upgrade = "upgrade",
        /// A secret or folder renamed or moved.
        Move = "move",
        /// `hush check`: an environment validated against a project's variables.
        Check = "check",
        /// `hush scan`: stored values loaded to look for them in files.
        Scan = "scan",
        /// `hush mount` started or stopped serving a `.env` pipe.
        Mount = "mount",
        /// One reader of a mounted `.env` pipe was served.
        MountRead = "mount_read",
        /// A secret rotated: a new version from a handler, `--with` or `--generate`.
        Rotate = "rotate",
        /// A rotation that changed nothing: the handler failed, printed nothing or timed out
        /// (the detail has its exit code, never its output).
        RotateFailed = "rotate_failed",
        /// A rotation policy set, changed or removed.
        Policy = "policy",
        /// `hush test`: a secret's check command ran (outcome ok or failure).
        Test = "test",
        /// A value generated and stored (`hush generate PATH`).
        Generate = "generate",
    }
}

string_enum! {
    /// How it ended.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
    pub enum Outcome {
        Ok = "ok",
        Failure = "failure",
        Conflict = "conflict",
        IntegrityFailure = "integrity_failure",
        NotFound = "not_found",
        /// Not started: a check refused it (e.g. `run` with required variables missing).
        Refused = "refused",
    }
}

/// One audit entry as shown to the user.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(with = "crate::timefmt::req")]
    pub ts: i64,
    pub action: Action,
    pub path: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

/// Result of checking the chain.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditVerification {
    pub ok: bool,
    pub entries: i64,
    /// The first sequence number where the chain breaks, if it does.
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
    /// Whether the keyed links and the anchor were checked (they need the unlocked vault).
    pub keyed_checked: bool,
    /// Entries after the anchor (written while locked); cutting only these would go unnoticed.
    pub unanchored: i64,
}

/// Filters for listing the log.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// A path, or a folder and everything under it (compared exactly).
    pub path_prefix: Option<String>,
    pub action: Option<Action>,
    pub since: Option<i64>,
    pub limit: Option<u32>,
}

/// The SHA-256 link of an entry (the same since format 1).
fn sha_link(prev: &[u8], r: &AuditRow) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"hush-audit-v1");
    h.update(prev);
    h.update(r.seq.to_be_bytes());
    h.update(r.ts.to_be_bytes());
    for field in
        [Some(r.action.as_str()), r.path.as_deref(), Some(r.outcome.as_str()), r.detail.as_deref()]
    {
        match field {
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            None => h.update([0u8]),
        }
    }
    h.finalize().to_vec()
}

/// The keyed MAC of an entry: its place and its hash (which covers it and the chain before it).
fn entry_mac(keys: &Keys, seq: i64, hash: &[u8]) -> Vec<u8> {
    keys.audit_mac(&MacInput::new("hush/v2/audit-entry").int(seq).bytes(hash)).to_vec()
}

/// The anchor's MAC as format 2 made it (format 3's also covers the state root: `store::state`).
pub(crate) fn anchor_mac(keys: &Keys, seq: i64, hash: &[u8]) -> Vec<u8> {
    keys.audit_mac(&MacInput::new("hush/v2/audit-anchor").int(seq).bytes(hash)).to_vec()
}

/// Appends one entry. Call inside the transaction of the action it records, so both land or
/// neither does. With `keys` the entry gets its MAC and the anchor moves to it.
pub(crate) fn append(
    tx: &Tx<'_, Write>,
    keys: Option<&Keys>,
    action: Action,
    path: Option<&str>,
    outcome: Outcome,
    detail: Option<&str>,
) -> Result<()> {
    let head = tx.audit_head()?;
    let mut row = AuditRow {
        seq: head.seq + 1,
        ts: crate::timefmt::now(),
        action: action.as_str().into(),
        path: path.map(String::from),
        outcome: outcome.as_str().into(),
        detail: detail.map(String::from),
        prev_hash: head.hash.unwrap_or_else(|| vec![0u8; 32]),
        hash: Vec::new(),
        mac: None,
    };
    row.hash = sha_link(&row.prev_hash, &row);
    row.mac = keys.map(|k| entry_mac(k, row.seq, &row.hash));
    if let Some(k) = keys {
        // The anchor moves: in format 3 it is checked first, and its MAC made at commit.
        tx.touch_state(k)?;
    }
    tx.insert_audit(&row)?;
    if let Some(k) = keys {
        tx.set_audit_anchor(row.seq, &anchor_mac(k, row.seq, &row.hash))?;
    }
    Ok(())
}

/// Listing, newest `limit` entries oldest first. A stored action or outcome this Hush does not
/// know is an error naming the entry.
pub(crate) fn list<M>(tx: &Tx<'_, M>, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let rows =
        tx.audit_rows(f.path_prefix.as_deref(), f.action.map(Action::as_str), f.since, f.limit)?;
    rows.into_iter()
        .map(|r| {
            let bad = |what: &str| crate::store::bad_row(format!("audit entry {}", r.seq), what);
            Ok(AuditEntry {
                seq: r.seq,
                ts: r.ts,
                action: Action::parse(&r.action).map_err(|_| bad("unknown action"))?,
                path: r.path,
                outcome: Outcome::parse(&r.outcome).map_err(|_| bad("unknown outcome"))?,
                detail: r.detail,
            })
        })
        .collect()
}

/// Per entry: whether it holds (in order, its link, and its MAC when there is one and a key to
/// check it with).
fn links(rows: &[AuditRow], keys: Option<&Keys>) -> Vec<bool> {
    let mut prev = vec![0u8; 32];
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let in_order = r.seq == i as i64 + 1 && r.prev_hash == prev;
        let linked = crypto::mac_eq(&sha_link(&r.prev_hash, r), &r.hash);
        let keyed = match (&r.mac, keys) {
            (Some(m), Some(k)) => crypto::mac_eq(&entry_mac(k, r.seq, &r.hash), m),
            _ => true,
        };
        out.push(in_order && linked && keyed);
        prev = r.hash.clone();
    }
    out
}

/// Checks the whole chain and the head, and (with the key) every entry's MAC and the anchor.
pub(crate) fn verify<M>(tx: &Tx<'_, M>, keys: Option<&Keys>) -> Result<AuditVerification> {
    let rows = tx.audit_all()?;
    let head = tx.audit_head()?;
    let n = rows.len() as i64;
    let fail = |seq: i64, why: &str| AuditVerification {
        ok: false,
        entries: n,
        first_bad_seq: Some(seq),
        problem: Some(why.to_string()),
        keyed_checked: keys.is_some(),
        unanchored: 0,
    };
    for (i, (r, ok)) in rows.iter().zip(links(&rows, keys)).enumerate() {
        if r.seq != i as i64 + 1 {
            return Ok(fail(i as i64 + 1, "an entry is missing or was inserted (sequence gap)"));
        }
        if !ok {
            let prev_ok =
                if i == 0 { r.prev_hash == [0u8; 32] } else { r.prev_hash == rows[i - 1].hash };
            let why = if prev_ok {
                "the entry was edited"
            } else {
                "the link to the previous entry is broken (an entry was removed or replaced)"
            };
            return Ok(fail(r.seq, why));
        }
    }
    if head.seq != n || head.hash.as_deref() != rows.last().map(|r| r.hash.as_slice()) {
        let why = "the newest entries were removed (the log is shorter than its recorded head)";
        return Ok(fail(n + 1, why));
    }
    let mut unanchored = 0;
    if let Some(k) = keys {
        // Every vault the key opens is format 2, whose first keyed entry (init, or the upgrade
        // from format 1) set the anchor: none at all means the keyed entries were stripped and
        // the log rewritten, its unkeyed SHA-256 chain recomputed.
        if head.anchor_seq == 0 || head.anchor_mac.is_none() {
            return Ok(fail(
                1,
                "the audit anchor is missing (the log's keyed entries were stripped)",
            ));
        }
        let anchor = rows.iter().find(|r| r.seq == head.anchor_seq);
        // Format 3's anchor covers the state root too: the log and the rows it anchors.
        let established = tx.state_established()?;
        let anchor_ok = match anchor {
            None => false,
            Some(_) if established => tx.anchor_matches(k)?,
            Some(a) => head
                .anchor_mac
                .as_deref()
                .is_some_and(|m| crypto::mac_eq(&anchor_mac(k, a.seq, &a.hash), m)),
        };
        let keyed_after = rows.iter().any(|r| r.mac.is_some() && r.seq > head.anchor_seq);
        if !anchor_ok || keyed_after {
            return Ok(fail(
                head.anchor_seq.min(n) + 1,
                if established && !keyed_after {
                    "the log was cut back or its anchor was moved, or the records, remotes or \
                     settings it anchors were put back from an older copy of the file"
                } else {
                    "the log was cut back or its anchor was moved (the newest keyed entries are missing)"
                },
            ));
        }
        unanchored = n - head.anchor_seq;
    }
    Ok(AuditVerification {
        ok: true,
        entries: n,
        first_bad_seq: None,
        problem: None,
        keyed_checked: keys.is_some(),
        unanchored,
    })
}

/// Re-keys the log (re-key, restore): every entry that holds (`sound[i]`) and had a MAC gets one
/// under `new`; one that did not hold keeps its stored MAC, so it stays detectably bad. The anchor
/// moves to the newest keyed entry.
pub(crate) fn remac(tx: &Tx<'_, Write>, new: &Keys, sound: &[bool]) -> Result<()> {
    let rows = tx.audit_all()?;
    let mut anchor = None;
    for (r, ok) in rows.iter().zip(sound.iter().chain(std::iter::repeat(&false))) {
        if r.mac.is_some() && *ok {
            tx.set_audit_mac(r.seq, Some(&entry_mac(new, r.seq, &r.hash)))?;
        }
        if r.mac.is_some() {
            anchor = Some(r);
        }
    }
    if let Some(a) = anchor {
        tx.set_audit_anchor(a.seq, &anchor_mac(new, a.seq, &a.hash))?;
    }
    Ok(())
}

/// Which entries hold under `keys` (a MAC can only be checked with the key).
pub(crate) fn sound_links<M>(tx: &Tx<'_, M>, keys: Option<&Keys>) -> Result<Vec<bool>> {
    Ok(links(&tx.audit_all()?, keys))
}

/// Whether the SHA-256 link of a stored entry holds (restoring a backup's log).
pub(crate) fn sha_link_ok(r: &AuditRow) -> bool {
    crypto::mac_eq(&sha_link(&r.prev_hash, r), &r.hash)
}
