//! The audit log: one row per action, hash-chained, never a value.
//!
//! `hash = SHA-256(prev_hash | seq | ts | action | path | outcome | detail)`, each field length-
//! prefixed. The vault row keeps the head (last seq and hash) so removing the newest entries is
//! detected too. Editing, inserting or removing any entry breaks the chain at that entry.
//! Limitation: someone who can write the file can recompute the whole chain; the chain proves
//! the log was not edited by anything short of a deliberate rewrite of the whole database.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// What happened. The string forms are stable (`--json`, IPC, filters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    Init,
    Read,
    Reveal,
    Copy,
    Write,
    Rollback,
    Delete,
    Restore,
    Purge,
    Import,
    Export,
    Run,
    Push,
    Pull,
    Migrate,
    Lock,
    Unlock,
    KeyChange,
    Settings,
    /// A two-way remote sync of one folder (push and pull in one step).
    Sync,
    /// A remote server added or removed (`hush remote add/rm`).
    RemoteConfig,
    /// `hush check`: an environment validated against a project's variables.
    Check,
    /// `hush scan`: stored values loaded to look for them in files.
    Scan,
    /// `hush mount` started or stopped serving a `.env` pipe.
    Mount,
    /// One reader of a mounted `.env` pipe was served.
    MountRead,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Init => "init",
            Action::Read => "read",
            Action::Reveal => "reveal",
            Action::Copy => "copy",
            Action::Write => "write",
            Action::Rollback => "rollback",
            Action::Delete => "delete",
            Action::Restore => "restore",
            Action::Purge => "purge",
            Action::Import => "import",
            Action::Export => "export",
            Action::Run => "run",
            Action::Push => "push",
            Action::Pull => "pull",
            Action::Migrate => "migrate",
            Action::Lock => "lock",
            Action::Unlock => "unlock",
            Action::KeyChange => "key_change",
            Action::Settings => "settings",
            Action::Sync => "sync",
            Action::RemoteConfig => "remote_config",
            Action::Check => "check",
            Action::Scan => "scan",
            Action::Mount => "mount",
            Action::MountRead => "mount_read",
        }
    }
}

/// One audit row as shown to the user.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    #[serde(with = "crate::timefmt::req")]
    pub ts: i64,
    pub action: String,
    pub path: Option<String>,
    pub outcome: String,
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
}

fn entry_hash(
    prev: &[u8],
    seq: i64,
    ts: i64,
    action: &str,
    path: Option<&str>,
    outcome: &str,
    detail: Option<&str>,
) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"hush-audit-v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(ts.to_be_bytes());
    for field in [Some(action), path, Some(outcome), detail] {
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

/// Appends one entry. Call inside the transaction of the action it records, so both land or
/// neither does.
pub(crate) fn append(
    conn: &Connection,
    action: Action,
    path: Option<&str>,
    outcome: &str,
    detail: Option<&str>,
) -> Result<()> {
    let (head_seq, head_hash): (i64, Option<Vec<u8>>) = conn.query_row(
        "SELECT audit_head_seq, audit_head_hash FROM vault WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let prev = head_hash.unwrap_or_else(|| vec![0u8; 32]);
    let seq = head_seq + 1;
    let ts = crate::timefmt::now();
    let hash = entry_hash(&prev, seq, ts, action.as_str(), path, outcome, detail);
    conn.execute(
        "INSERT INTO audit (seq, ts, action, path, outcome, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, ts, action.as_str(), path, outcome, detail, prev, hash],
    )
    .map_err(|e| match e {
        // An entry already sits past the recorded head: someone wrote into the log.
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            crate::error::Error::Integrity { what: "the audit log (an entry was inserted; run `hush audit --verify`)".into() }
        }
        other => other.into(),
    })?;
    conn.execute(
        "UPDATE vault SET audit_head_seq = ?1, audit_head_hash = ?2 WHERE id = 1",
        params![seq, hash],
    )?;
    Ok(())
}

/// Filters for listing the log.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub path_prefix: Option<String>,
    pub action: Option<String>,
    pub since: Option<i64>,
    pub limit: Option<u32>,
}

pub(crate) fn list(conn: &Connection, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
    let mut st = conn.prepare(
        "SELECT seq, ts, action, path, outcome, detail FROM audit
         WHERE (?1 IS NULL OR path = ?1 OR path LIKE ?1 || '/%' ESCAPE '\\')
           AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR ts >= ?3)
         ORDER BY seq DESC LIMIT ?4",
    )?;
    let prefix = f.path_prefix.as_deref().map(escape_like);
    let rows = st.query_map(
        params![prefix, f.action, f.since, f.limit.map(i64::from).unwrap_or(-1)],
        |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                ts: r.get(1)?,
                action: r.get(2)?,
                path: r.get(3)?,
                outcome: r.get(4)?,
                detail: r.get(5)?,
            })
        },
    )?;
    let mut out: Vec<_> = rows.collect::<std::result::Result<_, _>>()?;
    out.reverse();
    Ok(out)
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub(crate) fn verify(conn: &Connection) -> Result<AuditVerification> {
    let mut st = conn.prepare(
        "SELECT seq, ts, action, path, outcome, detail, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    let mut prev = vec![0u8; 32];
    let mut expected_seq = 1i64;
    let mut count = 0i64;
    let fail = |seq: i64, count: i64, why: &str| AuditVerification {
        ok: false,
        entries: count,
        first_bad_seq: Some(seq),
        problem: Some(why.to_string()),
    };
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let (ts, action, path, outcome, detail): (
            i64,
            String,
            Option<String>,
            String,
            Option<String>,
        ) = (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        let (prev_hash, hash): (Vec<u8>, Vec<u8>) = (r.get(6)?, r.get(7)?);
        count += 1;
        if seq != expected_seq {
            return Ok(fail(
                expected_seq,
                count,
                "an entry is missing or was inserted (sequence gap)",
            ));
        }
        if prev_hash != prev {
            return Ok(fail(
                seq,
                count,
                "the link to the previous entry is broken (an entry was removed or replaced)",
            ));
        }
        if entry_hash(&prev, seq, ts, &action, path.as_deref(), &outcome, detail.as_deref()) != hash
        {
            return Ok(fail(seq, count, "the entry was edited"));
        }
        prev = hash;
        expected_seq += 1;
    }
    let (head_seq, head_hash): (i64, Option<Vec<u8>>) = conn
        .query_row("SELECT audit_head_seq, audit_head_hash FROM vault WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or((0, None));
    if head_seq != expected_seq - 1 || head_hash.unwrap_or_else(|| vec![0u8; 32]) != prev {
        return Ok(fail(
            expected_seq,
            count,
            "the newest entries were removed (the log is shorter than its recorded head)",
        ));
    }
    Ok(AuditVerification { ok: true, entries: count, first_bad_seq: None, problem: None })
}
