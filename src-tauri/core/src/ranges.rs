//! The ranges settings and per-secret options must lie in, checked the same way wherever a value
//! enters: `settings`, `set` / metadata edits, and a restored backup (whose file is outside
//! input: a hostile backup with `versions_kept = 0` would delete every version on the next write).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use crate::error::{Error, Result};
use crate::model::WriteOptions;

/// Versions kept, per vault and per secret.
pub(crate) const VERSIONS_KEPT: RangeInclusive<u32> = 1..=1000;
/// Days a deleted secret stays in the trash.
pub(crate) const TRASH_DAYS: RangeInclusive<u32> = 1..=3650;
/// Seconds of inactivity before the app locks.
pub(crate) const AUTO_LOCK_SECS: RangeInclusive<u32> = 10..=86_400;
/// Seconds before a copied value is cleared from the clipboard.
pub(crate) const CLIPBOARD_SECS: RangeInclusive<u32> = 5..=3600;
/// Days between rotations.
pub(crate) const ROTATE_EVERY_DAYS: RangeInclusive<u32> = 1..=36_500;

fn within(what: &str, v: u32, r: &RangeInclusive<u32>) -> Result<()> {
    if r.contains(&v) {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!("{what} {v} is out of range ({}-{})", r.start(), r.end())))
    }
}

/// The vault-wide settings.
pub(crate) fn check_settings(
    versions_kept: u32,
    trash_days: u32,
    auto_lock_secs: u32,
    clipboard_secs: u32,
) -> Result<()> {
    within("versions kept", versions_kept, &VERSIONS_KEPT)?;
    within("trash days", trash_days, &TRASH_DAYS)?;
    within("auto-lock seconds", auto_lock_secs, &AUTO_LOCK_SECS)?;
    within("clipboard seconds", clipboard_secs, &CLIPBOARD_SECS)
}

/// The per-secret options of a write or a metadata edit.
pub(crate) fn check_write_options(o: &WriteOptions) -> Result<()> {
    if let Some(n) = o.versions_kept {
        within("versions kept", n, &VERSIONS_KEPT)?;
    }
    if let Some(d) = o.rotate_every_days {
        within("rotate-every days", d, &ROTATE_EVERY_DAYS)?;
    }
    Ok(())
}

/// Settings and per-secret options carried by a backup, before anything is written.
pub(crate) fn check_restored<'a>(
    versions_kept: u32,
    trash_days: u32,
    settings: &BTreeMap<String, String>,
    secrets: impl IntoIterator<Item = (&'a str, Option<u32>, Option<u32>)>,
) -> Result<()> {
    let setting = |k: &str, default: u32| -> Result<u32> {
        settings.get(k).map_or(Ok(default), |v| {
            v.parse().map_err(|_| Error::InvalidInput(format!("setting {k} is not a number")))
        })
    };
    check_settings(
        versions_kept,
        trash_days,
        setting("auto_lock_secs", *AUTO_LOCK_SECS.start())?,
        setting("clipboard_secs", *CLIPBOARD_SECS.start())?,
    )?;
    for (path, kept, rotate) in secrets {
        let o =
            WriteOptions { versions_kept: kept, rotate_every_days: rotate, ..Default::default() };
        check_write_options(&o).map_err(|e| match e {
            Error::InvalidInput(m) => Error::InvalidInput(format!("'{path}': {m}")),
            other => other,
        })?;
    }
    Ok(())
}
