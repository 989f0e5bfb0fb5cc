//! Lifecycle queries: audit activity per secret (status, report) and the reminders already given
//! (desktop notifications).

use rusqlite::params;

use super::{Tx, Write};
use crate::error::Result;

/// How often one action was recorded on one path since a time, and when last.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PathActivity {
    pub path: String,
    pub action: String,
    pub outcome: String,
    pub count: u64,
    pub last_ts: i64,
}

/// A reminder already given: `subject` is `expiry` or `rotation` (checked by the schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoticeRow {
    pub secret_id: i64,
    pub subject: String,
    pub mark: i64,
    pub threshold: i64,
}

impl<M> Tx<'_, M> {
    /// Audit entries on secrets (path set) since `since`, per path, action and outcome.
    pub(crate) fn audit_path_activity(&self, since: i64) -> Result<Vec<PathActivity>> {
        let mut st = self.c().prepare_cached(
            "SELECT path, action, outcome, count(*) AS n, max(ts) AS last_ts FROM audit
             WHERE path IS NOT NULL AND ts >= ?1 GROUP BY path, action, outcome",
        )?;
        let rows = st.query_map([since], |r| {
            Ok(PathActivity {
                path: r.get("path")?,
                action: r.get("action")?,
                outcome: r.get("outcome")?,
                count: r.get("n")?,
                last_ts: r.get("last_ts")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Audit entries per UTC day and action since `since`: (day start, action, count).
    pub(crate) fn audit_days_by_action(&self, since: i64) -> Result<Vec<(i64, String, u64)>> {
        let mut st = self.c().prepare_cached(
            "SELECT (ts - ts % 86400) AS d, action, count(*) AS n FROM audit
             WHERE ts >= ?1 GROUP BY d, action ORDER BY d",
        )?;
        let rows = st.query_map([since], |r| Ok((r.get("d")?, r.get("action")?, r.get("n")?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every reminder given so far.
    pub(crate) fn notices(&self) -> Result<Vec<NoticeRow>> {
        let mut st =
            self.c().prepare_cached("SELECT secret_id, subject, mark, threshold FROM notices")?;
        let rows = st.query_map([], |r| {
            Ok(NoticeRow {
                secret_id: r.get("secret_id")?,
                subject: r.get("subject")?,
                mark: r.get("mark")?,
                threshold: r.get("threshold")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_, Write> {
    /// Records a reminder as given (once: a second record of the same one is ignored).
    pub(crate) fn insert_notice(&self, n: &NoticeRow, now: i64) -> Result<()> {
        self.c()
            .prepare_cached(
                "INSERT OR IGNORE INTO notices (secret_id, subject, mark, threshold, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![n.secret_id, n.subject, n.mark, n.threshold, now])?;
        Ok(())
    }
}
