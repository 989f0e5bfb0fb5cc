//! `hush status`: what needs attention, from metadata and the audit log (no value is read, so it
//! works while the vault is locked). Expired, expiring soon, rotation due, never rotated, no
//! expiry, unused for N days.

use std::collections::HashMap;

use serde::Serialize;

use super::{due_at, policy::Strategy, DAY};
use crate::error::Result;
use crate::model::{Kind, ListFilter, SecretMeta};
use crate::store::PathActivity;
use crate::vault::Vault;

/// Audit actions that use a value of one secret (path = the secret).
pub(crate) const READ_ACTIONS: [&str; 4] = ["read", "reveal", "copy", "test"];
/// Audit actions that use the values of a folder (path = the folder).
pub(crate) const FOLDER_READ_ACTIONS: [&str; 3] = ["run", "export", "mount_read"];
/// Audit actions that write a secret (path = the secret).
pub(crate) const WRITE_ACTIONS: [&str; 4] = ["write", "rollback", "rotate", "generate"];
/// Audit actions that write a folder's secrets (path = the folder).
pub(crate) const FOLDER_WRITE_ACTIONS: [&str; 3] = ["import", "pull", "sync"];

/// What `status` looks at.
#[derive(Debug, Clone, Copy)]
pub struct StatusOptions {
    pub now: i64,
    /// "Expiring" means within this many days (30).
    pub expiring_days: i64,
    /// "Unused" means not read for this many days (90).
    pub unused_days: i64,
}

impl StatusOptions {
    pub fn at(now: i64) -> Self {
        StatusOptions { now, expiring_days: 30, unused_days: 90 }
    }
}

/// One secret in one list, with the date that put it there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusItem {
    pub path: String,
    pub kind: Kind,
    /// The date that matters: expiry, due date, creation or last use.
    #[serde(with = "crate::timefmt::opt")]
    pub at: Option<i64>,
    /// Whole days from now to `at` (negative: in the past).
    pub days: Option<i64>,
    pub strategy: Option<Strategy>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub secrets: usize,
    /// Whether each record's MAC was checked (the vault was unlocked); locked, the lists come
    /// from metadata a file edit could have changed.
    pub records_checked: bool,
    /// Records whose MAC fails: their dates and policy below cannot be trusted.
    pub altered: Vec<StatusItem>,
    pub expired: Vec<StatusItem>,
    pub expiring: Vec<StatusItem>,
    pub rotation_due: Vec<StatusItem>,
    pub never_rotated: Vec<StatusItem>,
    pub no_expiry: Vec<StatusItem>,
    pub unused: Vec<StatusItem>,
    pub expiring_days: i64,
    pub unused_days: i64,
}

/// Whole days from `now` to `at`, rounded toward now: 1.5 days ahead is 1, 1.5 days ago is -1,
/// and a secret created an hour ago was created 0 days ago (flooring called it "1 days ago").
pub(crate) fn days_until(at: i64, now: i64) -> i64 {
    at.saturating_sub(now) / DAY
}

/// The newest use of each secret: its own reads and its folder's runs and exports (audit log),
/// and the last-read time on its record.
pub(crate) fn last_uses(all: &[SecretMeta], activity: &[PathActivity]) -> HashMap<String, i64> {
    let mut by_path: HashMap<&str, i64> = HashMap::new();
    for a in activity.iter().filter(|a| a.outcome == "ok") {
        if READ_ACTIONS.contains(&a.action.as_str())
            || FOLDER_READ_ACTIONS.contains(&a.action.as_str())
        {
            let e = by_path.entry(a.path.as_str()).or_insert(a.last_ts);
            *e = (*e).max(a.last_ts);
        }
    }
    all.iter()
        .filter_map(|m| {
            let own = by_path.get(m.path.as_str()).copied();
            let folder = by_path.get(m.folder.as_str()).copied();
            let t = [own, folder, m.last_read_at].into_iter().flatten().max()?;
            Some((m.path.clone(), t))
        })
        .collect()
}

/// Never rotated: the value has not changed since the secret was created.
pub(crate) fn never_rotated(m: &SecretMeta) -> bool {
    m.last_rotated_at.is_none_or(|r| r <= m.created_at)
}

impl Vault {
    /// The status lists, each sorted by its date (soonest or oldest first).
    pub fn status(&self, o: &StatusOptions) -> Result<Status> {
        let all = self.list(&ListFilter::default())?;
        let altered = self.altered_records()?;
        let activity = self.store().read()?.audit_path_activity(0)?;
        let uses = last_uses(&all, &activity);
        let item = |m: &SecretMeta, at: Option<i64>| StatusItem {
            path: m.path.clone(),
            kind: m.kind,
            at,
            days: at.map(|t| days_until(t, o.now)),
            strategy: m.policy.as_ref().and_then(|p| p.strategy),
        };
        let mut s = Status {
            secrets: all.len(),
            records_checked: altered.is_some(),
            altered: vec![],
            expired: vec![],
            expiring: vec![],
            rotation_due: vec![],
            never_rotated: vec![],
            no_expiry: vec![],
            unused: vec![],
            expiring_days: o.expiring_days,
            unused_days: o.unused_days,
        };
        for m in &all {
            if altered.as_ref().is_some_and(|a| a.contains(&m.path)) {
                s.altered.push(item(m, None));
            }
            match m.expires_at {
                Some(e) if e <= o.now => s.expired.push(item(m, Some(e))),
                Some(e) if e <= o.now + o.expiring_days * DAY => s.expiring.push(item(m, Some(e))),
                Some(_) => {}
                None => s.no_expiry.push(item(m, None)),
            }
            if let Some(d) = due_at(m.rotate_every_days, m.last_rotated_at, m.created_at) {
                if d <= o.now {
                    s.rotation_due.push(item(m, Some(d)));
                }
            }
            if never_rotated(m) {
                s.never_rotated.push(item(m, Some(m.created_at)));
            }
            let last = uses.get(&m.path).copied();
            if last.unwrap_or(m.created_at) <= o.now - o.unused_days * DAY {
                s.unused.push(item(m, last));
            }
        }
        for list in [
            &mut s.expired,
            &mut s.expiring,
            &mut s.rotation_due,
            &mut s.never_rotated,
            &mut s.unused,
        ] {
            list.sort_by(|a, b| (a.at, &a.path).cmp(&(b.at, &b.path)));
        }
        Ok(s)
    }
}
