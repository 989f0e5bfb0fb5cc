//! Reminders (the desktop's OS notifications): a secret crossing 30, 14, 7 and 1 days before its
//! expiry, expiring, and a rotation falling due. Each is given once per threshold per secret,
//! recorded in the vault (`notices`), so a restart does not repeat it; a threshold skipped while
//! the app was closed is not sent late once a closer one applies. Metadata only: works locked.

use std::collections::HashSet;

use serde::Serialize;

use super::{due_at, DAY};
use crate::error::Result;
use crate::model::ListFilter;
use crate::store::NoticeRow;
use crate::vault::Vault;

/// Days before expiry that are announced.
pub const NOTICE_DAYS: [i64; 4] = [30, 14, 7, 1];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeSubject {
    Expiry,
    Rotation,
}

impl NoticeSubject {
    fn as_str(self) -> &'static str {
        match self {
            NoticeSubject::Expiry => "expiry",
            NoticeSubject::Rotation => "rotation",
        }
    }
}

/// One reminder to give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub path: String,
    pub subject: NoticeSubject,
    /// Days before the date (30, 14, 7, 1), or 0: expired / rotation due.
    pub threshold: i64,
    /// The expiry or the time the rotation fell due.
    #[serde(with = "crate::timefmt::req")]
    pub at: i64,
    #[serde(skip)]
    secret_id: i64,
}

impl Notice {
    /// The notification's title and body.
    pub fn text(&self, now: i64) -> (String, String) {
        let days = (self.at - now).div_euclid(DAY).max(0);
        let date = crate::timefmt::rfc3339(self.at)[..10].to_string();
        match (self.subject, self.threshold) {
            (NoticeSubject::Expiry, 0) => {
                (format!("{} has expired", self.path), format!("It expired on {date}."))
            }
            (NoticeSubject::Expiry, _) => (
                format!(
                    "{} expires in {} day{}",
                    self.path,
                    days.max(1),
                    if days == 1 { "" } else { "s" }
                ),
                format!("It expires on {date}. Rotate or renew it before then."),
            ),
            (NoticeSubject::Rotation, _) => (
                format!("{} is due for rotation", self.path),
                format!("Its rotation fell due on {date}."),
            ),
        }
    }

    fn row(&self) -> NoticeRow {
        NoticeRow {
            secret_id: self.secret_id,
            subject: self.subject.as_str().into(),
            mark: self.at,
            threshold: self.threshold,
        }
    }
}

/// The expiry threshold `e` has crossed at `now`: 0 once expired, else the closest of 30/14/7/1
/// days it is within; `None` when more than 30 days away.
fn expiry_threshold(e: i64, now: i64) -> Option<i64> {
    if e <= now {
        return Some(0);
    }
    NOTICE_DAYS.iter().rev().copied().find(|t| e - now <= t * DAY)
}

impl Vault {
    /// The reminders due at `now` that were not given yet.
    pub fn pending_notices(&self, now: i64) -> Result<Vec<Notice>> {
        let given = self.store().read()?.notices()?;
        let given: HashSet<(i64, &str, i64, i64)> =
            given.iter().map(|n| (n.secret_id, n.subject.as_str(), n.mark, n.threshold)).collect();
        // A closer threshold (or expiry) already given covers the farther ones.
        let covered = |id: i64, subject: NoticeSubject, mark: i64, threshold: i64| {
            given.iter().any(|&(i, s, m, t)| {
                i == id && s == subject.as_str() && m == mark && t <= threshold
            })
        };
        let mut out = Vec::new();
        for m in self.list(&ListFilter::default())? {
            if let Some(e) = m.expires_at {
                if let Some(t) = expiry_threshold(e, now) {
                    if !covered(m.id, NoticeSubject::Expiry, e, t) {
                        out.push(Notice {
                            path: m.path.clone(),
                            subject: NoticeSubject::Expiry,
                            threshold: t,
                            at: e,
                            secret_id: m.id,
                        });
                    }
                }
            }
            if let Some(d) = due_at(m.rotate_every_days, m.last_rotated_at, m.created_at) {
                if d <= now && !covered(m.id, NoticeSubject::Rotation, d, 0) {
                    out.push(Notice {
                        path: m.path.clone(),
                        subject: NoticeSubject::Rotation,
                        threshold: 0,
                        at: d,
                        secret_id: m.id,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Records reminders as given (after they were shown).
    pub fn record_notices(&mut self, given: &[Notice], now: i64) -> Result<()> {
        let tx = self.store_mut().write()?;
        for n in given {
            tx.insert_notice(&n.row(), now)?;
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let now = 1_000_000;
        assert_eq!(expiry_threshold(now + 31 * DAY, now), None);
        assert_eq!(expiry_threshold(now + 30 * DAY, now), Some(30));
        assert_eq!(expiry_threshold(now + 10 * DAY, now), Some(14));
        assert_eq!(expiry_threshold(now + 7 * DAY, now), Some(7));
        assert_eq!(expiry_threshold(now + 3600, now), Some(1));
        assert_eq!(expiry_threshold(now, now), Some(0));
    }
}
