//! The one engine-internal reader of projects: decrypted values of folders (layered) and of every
//! kept version (for `scan`), each read under a single audit entry that its caller names (`check`,
//! `mount_read`, `scan`). It reads through the store like the rest of the engine, checking every
//! record before it decrypts.

use std::collections::BTreeMap;

use crate::audit::{Action, Outcome};
use crate::error::Result;
use crate::path::FolderPath;
use crate::secret::SecretValue;
use crate::store::SecretFilter;
use crate::vault::{check_row, open_current, Vault};

/// The secrets directly in `folders` (not sub-folders), a later folder's value winning; folders
/// with no secret are skipped. One audit entry (`action`, `detail`) when `audit` is given.
pub fn layered_values(
    vault: &mut Vault,
    folders: &[FolderPath],
    audit: Option<(Action, &str)>,
) -> Result<BTreeMap<String, SecretValue>> {
    let mut out = BTreeMap::new();
    {
        let keys = vault.keys()?;
        let tx = vault.store().read()?;
        for f in folders {
            let filter =
                SecretFilter { folder: Some(f.as_str()), direct: true, ..Default::default() };
            for r in tx.secrets(&filter)? {
                check_row(&tx, keys, &r)?;
                if r.deleted_at.is_none() {
                    let v = open_current(&tx, keys, &r)?;
                    out.insert(r.name, v);
                }
            }
        }
    }
    if let Some((action, detail)) = audit {
        let path = (folders.len() == 1).then(|| folders[0].as_str());
        vault.audit_event(action, path, Outcome::Ok, Some(detail))?;
    }
    Ok(out)
}

/// One stored value and whose it is.
#[derive(Debug)]
pub(crate) struct OwnedValue {
    pub path: String,
    pub version: u64,
    pub current: bool,
    pub value: SecretValue,
}

/// Every kept version of every live secret (optionally under `folder`); one `scan` audit entry.
pub(crate) fn all_versions(vault: &mut Vault, folder: Option<&str>) -> Result<Vec<OwnedValue>> {
    let mut out = Vec::new();
    let secrets;
    // A folder that cannot be one, or holds nothing, is an error: a typo in a pre-commit hook's
    // `--folder` scanned for no value and passed every commit.
    let folder = folder.map(crate::path::FolderPath::parse).transpose()?;
    let folder = folder.as_ref().map(|f| f.as_str());
    {
        let keys = vault.keys()?;
        let tx = vault.store().read()?;
        let rows = tx.secrets(&SecretFilter { folder, ..SecretFilter::live() })?;
        if let (Some(f), true) = (folder, rows.is_empty()) {
            return Err(crate::error::Error::EmptyFolder { folder: f.to_string() });
        }
        secrets = rows.len();
        for r in &rows {
            check_row(&tx, keys, r)?;
            // Newest first: the current value names a finding when versions repeat.
            for (version, _) in tx.version_times(r.id)?.into_iter().rev() {
                let Some(v) = tx.version(r.id, version)? else { continue };
                let value = keys.open_version(r.id, &r.path, version, &v.sealed)?;
                let current = version == r.current_version;
                out.push(OwnedValue { path: r.path.clone(), version, current, value });
            }
        }
    }
    let detail = format!("{} value(s) of {secrets} secret(s) loaded to scan for", out.len());
    vault.audit_event(Action::Scan, folder, Outcome::Ok, Some(&detail))?;
    Ok(out)
}
