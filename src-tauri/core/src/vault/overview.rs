//! The at-a-glance view: counts, secrets expiring soon, secrets past their rotation interval, and
//! recent activity per day. Metadata only; works while locked.

use serde::Serialize;

use super::Vault;
use crate::error::Result;
use crate::model::{ListFilter, SecretMeta};

/// Days ahead that count as "expiring soon".
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub secrets: u64,
    pub folders: u64,
    pub in_trash: u64,
    /// Expired or expiring within 30 days, soonest first.
    pub expiring: Vec<SecretMeta>,
    /// Past `rotate_every_days` since the last rotation, most overdue first.
    pub stale: Vec<SecretMeta>,
    /// Audit entries per day (UTC), oldest first, for the last `days` days.
    pub activity: Vec<DayCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayCount {
    /// Unix seconds of the day's start (UTC).
    pub day: i64,
    pub count: u64,
}

impl Vault {
    pub fn overview(&self, now: i64, days: u32) -> Result<Overview> {
        let all = self.list(&ListFilter::default())?;
        let folders: std::collections::BTreeSet<&str> =
            all.iter().map(|m| m.folder.as_str()).collect();
        let mut expiring: Vec<SecretMeta> = all
            .iter()
            .filter(|m| m.expires_at.is_some_and(|e| e <= now + EXPIRING_WITHIN_DAYS * 86_400))
            .cloned()
            .collect();
        expiring.sort_by_key(|m| m.expires_at);
        let due = |m: &SecretMeta| {
            m.rotate_every_days
                .map(|d| m.last_rotated_at.unwrap_or(m.created_at) + i64::from(d) * 86_400)
        };
        let mut stale: Vec<SecretMeta> =
            all.iter().filter(|m| due(m).is_some_and(|d| d <= now)).cloned().collect();
        stale.sort_by_key(|m| due(m));
        let tx = self.store.read()?;
        let in_trash = tx.count_trash()?;
        let today = now - now.rem_euclid(86_400);
        let first = today - i64::from(days.saturating_sub(1)) * 86_400;
        let mut activity: Vec<DayCount> =
            (0..i64::from(days)).map(|i| DayCount { day: first + i * 86_400, count: 0 }).collect();
        for (d, n) in tx.audit_per_day(first)? {
            if let Some(slot) = activity.iter_mut().find(|a| a.day == d) {
                slot.count = n;
            }
        }
        Ok(Overview {
            secrets: all.len() as u64,
            folders: folders.len() as u64,
            in_trash,
            expiring,
            stale,
            activity,
        })
    }
}
