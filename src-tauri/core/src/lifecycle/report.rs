//! The compliance report: an inventory built from metadata and the audit log, never a value.
//! Per secret: age, last rotation, expiry, last read, reads and writes over the period, policy and
//! findings; for the vault: totals, activity per day, and the audit chain's verification result.
//! Rendered as JSON, CSV or one self-contained HTML file (`report_html.rs`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::status::{
    days_until, last_uses, never_rotated, FOLDER_READ_ACTIONS, FOLDER_WRITE_ACTIONS, READ_ACTIONS,
    WRITE_ACTIONS,
};
use super::{due_at, policy::Strategy, DAY};
use crate::audit::AuditVerification;
use crate::error::{Error, Result};
use crate::model::{Kind, ListFilter};
use crate::vault::Vault;

/// Secrets not read for this many days are "unused"; with no rotation interval, a value older
/// than a year is "stale".
pub const UNUSED_DAYS: i64 = 90;
pub const STALE_DAYS: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Html,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Result<ReportFormat> {
        match s {
            "json" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            "html" => Ok(ReportFormat::Html),
            _ => Err(Error::InvalidInput(format!(
                "unknown report format '{}'; use json, csv or html",
                s.escape_debug()
            ))),
        }
    }
}

/// A policy finding on one secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Finding {
    /// The record's MAC fails: it was changed outside Hush, so its other findings are unsure.
    Altered,
    Expired,
    ExpiringSoon,
    /// Past its rotation interval, or (with none) not rotated for a year.
    Stale,
    NeverRotated,
    Unused,
    NoExpiry,
}

impl Finding {
    pub const ALL: [Finding; 7] = [
        Finding::Altered,
        Finding::Expired,
        Finding::ExpiringSoon,
        Finding::Stale,
        Finding::NeverRotated,
        Finding::Unused,
        Finding::NoExpiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Finding::Altered => "altered",
            Finding::Expired => "expired",
            Finding::ExpiringSoon => "expiring_soon",
            Finding::Stale => "stale",
            Finding::NeverRotated => "never_rotated",
            Finding::Unused => "unused",
            Finding::NoExpiry => "no_expiry",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Finding::Altered => "Altered outside Hush (record MAC fails)",
            Finding::Expired => "Expired",
            Finding::ExpiringSoon => "Expiring within 30 days",
            Finding::Stale => "Stale (rotation overdue)",
            Finding::NeverRotated => "Never rotated",
            Finding::Unused => "Unused for 90 days",
            Finding::NoExpiry => "No expiry",
        }
    }
}

/// One secret's line of the report (metadata only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    pub path: String,
    pub folder: String,
    pub kind: Kind,
    pub version: u64,
    #[serde(with = "crate::timefmt::req")]
    pub created_at: i64,
    pub age_days: i64,
    #[serde(with = "crate::timefmt::opt")]
    pub last_rotated_at: Option<i64>,
    #[serde(with = "crate::timefmt::opt")]
    pub expires_at: Option<i64>,
    #[serde(with = "crate::timefmt::opt")]
    pub last_read_at: Option<i64>,
    /// Reads and writes in the period (the secret's own, and its folder's runs, exports, imports).
    pub reads: u64,
    pub writes: u64,
    pub strategy: Option<Strategy>,
    pub rotate_every_days: Option<u32>,
    pub findings: Vec<Finding>,
}

/// Reads and writes on one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayActivity {
    #[serde(with = "crate::timefmt::req")]
    pub day: i64,
    pub reads: u64,
    pub writes: u64,
    pub other: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(with = "crate::timefmt::req")]
    pub generated_at: i64,
    #[serde(with = "crate::timefmt::req")]
    pub since: i64,
    pub vault_id: String,
    pub secrets: Vec<ReportRow>,
    /// How many secrets have each finding.
    pub findings: BTreeMap<&'static str, usize>,
    pub activity: Vec<DayActivity>,
    pub audit: AuditVerification,
    /// Whether each record's MAC was checked (unlocked): only then can `altered` be found.
    pub records_checked: bool,
}

fn kind_of(action: &str) -> (bool, bool) {
    (
        READ_ACTIONS.contains(&action) || FOLDER_READ_ACTIONS.contains(&action),
        WRITE_ACTIONS.contains(&action) || FOLDER_WRITE_ACTIONS.contains(&action),
    )
}

impl Vault {
    /// The report of the period from `since` to `now`. Unlocked, the audit chain is checked with
    /// its keys (`audit.keyed_checked`).
    pub fn report(&self, since: i64, now: i64) -> Result<Report> {
        let all = self.list(&ListFilter::default())?;
        let altered = self.altered_records()?;
        let audit = self.audit_verify()?;
        let tx = self.store().read()?;
        let uses = last_uses(&all, &tx.audit_path_activity(0)?);
        let mut counts: HashMap<String, (u64, u64)> = HashMap::new();
        for a in tx.audit_path_activity(since)?.into_iter().filter(|a| a.outcome == "ok") {
            let (r, w) = kind_of(&a.action);
            let c = counts.entry(a.path).or_default();
            c.0 += if r { a.count } else { 0 };
            c.1 += if w { a.count } else { 0 };
        }
        let mut days: BTreeMap<i64, DayActivity> = BTreeMap::new();
        let first = since - since.rem_euclid(DAY);
        let mut d = first;
        while d <= now && days.len() < 3660 {
            days.insert(d, DayActivity { day: d, reads: 0, writes: 0, other: 0 });
            d += DAY;
        }
        for (day, action, n) in tx.audit_days_by_action(since)? {
            if let Some(slot) = days.get_mut(&day) {
                match kind_of(&action) {
                    (true, _) => slot.reads += n,
                    (_, true) => slot.writes += n,
                    _ => slot.other += n,
                }
            }
        }
        let mut findings: BTreeMap<&'static str, usize> =
            Finding::ALL.iter().map(|f| (f.as_str(), 0)).collect();
        let secrets: Vec<ReportRow> = all
            .iter()
            .map(|m| {
                let own = counts.get(&m.path).copied().unwrap_or_default();
                let folder = counts.get(&m.folder).copied().unwrap_or_default();
                let last_read = uses.get(&m.path).copied();
                let mut f = Vec::new();
                if altered.as_ref().is_some_and(|a| a.contains(&m.path)) {
                    f.push(Finding::Altered);
                }
                match m.expires_at {
                    Some(e) if e <= now => f.push(Finding::Expired),
                    Some(e) if days_until(e, now) < 30 => f.push(Finding::ExpiringSoon),
                    Some(_) => {}
                    None => f.push(Finding::NoExpiry),
                }
                let last_change = m.last_rotated_at.unwrap_or(m.created_at);
                let stale = match due_at(m.rotate_every_days, m.last_rotated_at, m.created_at) {
                    Some(d) => d <= now,
                    None => last_change <= now - STALE_DAYS * DAY,
                };
                if stale {
                    f.push(Finding::Stale);
                }
                if never_rotated(m) {
                    f.push(Finding::NeverRotated);
                }
                if last_read.unwrap_or(m.created_at) <= now - UNUSED_DAYS * DAY {
                    f.push(Finding::Unused);
                }
                f.sort();
                for x in &f {
                    *findings.entry(x.as_str()).or_default() += 1;
                }
                ReportRow {
                    path: m.path.clone(),
                    folder: m.folder.clone(),
                    kind: m.kind,
                    version: m.version,
                    created_at: m.created_at,
                    age_days: now.saturating_sub(m.created_at).div_euclid(DAY),
                    last_rotated_at: m.last_rotated_at,
                    expires_at: m.expires_at,
                    last_read_at: last_read,
                    reads: own.0 + folder.0,
                    writes: own.1 + folder.1,
                    strategy: m.policy.as_ref().and_then(|p| p.strategy),
                    rotate_every_days: m.rotate_every_days,
                    findings: f,
                }
            })
            .collect();
        Ok(Report {
            generated_at: now,
            since,
            vault_id: self.vault_id().to_string(),
            secrets,
            findings,
            activity: days.into_values().collect(),
            audit,
            records_checked: altered.is_some(),
        })
    }
}

impl Report {
    /// The report as text in `format`.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Json => serde_json::to_string_pretty(self).expect("serialisable"),
            ReportFormat::Csv => self.csv(),
            ReportFormat::Html => super::report_html::render(self),
        }
    }

    fn csv(&self) -> String {
        let t = |x: Option<i64>| x.map(crate::timefmt::rfc3339).unwrap_or_default();
        let mut out = String::from(
            "path,folder,kind,version,created_at,age_days,last_rotated_at,expires_at,last_read_at,reads,writes,strategy,rotate_every_days,findings\r\n",
        );
        for r in &self.secrets {
            let cells = [
                r.path.clone(),
                r.folder.clone(),
                r.kind.as_str().into(),
                r.version.to_string(),
                crate::timefmt::rfc3339(r.created_at),
                r.age_days.to_string(),
                t(r.last_rotated_at),
                t(r.expires_at),
                t(r.last_read_at),
                r.reads.to_string(),
                r.writes.to_string(),
                r.strategy.map(Strategy::as_str).unwrap_or_default().into(),
                r.rotate_every_days.map(|d| d.to_string()).unwrap_or_default(),
                r.findings.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(" "),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// RFC 4180 quoting, and a leading `'` before `= + - @` so a spreadsheet never runs a cell as a
/// formula.
fn csv_cell(s: &str) -> String {
    let s =
        if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.into() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells() {
        assert_eq!(super::csv_cell("a,b"), "\"a,b\"");
        assert_eq!(super::csv_cell("=cmd()"), "'=cmd()");
        assert_eq!(super::csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
