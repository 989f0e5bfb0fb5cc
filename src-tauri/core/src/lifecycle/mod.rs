//! The life of a secret after it is stored (issue 14): generating values, rotation policies and
//! rotation through handler commands, `hush test` checks, status and reminders, the compliance
//! report, and validation of values per kind.
//!
//! Commands a policy names (rotation handler, post-rotation command, check) are executed by Hush,
//! so they are part of the record's MAC: someone who can edit the vault file but has no key
//! cannot make Hush run a command (the edit is an integrity error, and nothing runs).

mod exec;
mod generate;
mod notices;
mod policy;
mod report;
mod report_html;
mod rotate;
mod status;
mod validate;

pub use exec::{CommandOutcome, DEFAULT_TIMEOUT_SECS, MAX_TIMEOUT_SECS};
pub use generate::{generate, Charset, GenSpec, Generated};
pub use notices::{Notice, NoticeSubject, NOTICE_DAYS};
pub use policy::{Policy, PolicyUpdate, Strategy};
pub use report::{Finding, Report, ReportFormat, ReportRow};
pub use rotate::{DueSummary, RotateHow, RotateReport, ThenOutcome};
pub use status::{Status, StatusItem, StatusOptions};
pub use validate::{validate, Validation};

pub(crate) use policy::policy_mac_tail;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// When a secret's rotation falls due: the last rotation (or its creation) plus the interval.
pub(crate) fn due_at(
    every_days: Option<u32>,
    last_rotated_at: Option<i64>,
    created_at: i64,
) -> Option<i64> {
    // Saturating: times are read from the file, where an edit can put any i64 (an overflow
    // panicked every command that looked, `doctor` included).
    every_days.map(|d| last_rotated_at.unwrap_or(created_at).saturating_add(i64::from(d) * DAY))
}
