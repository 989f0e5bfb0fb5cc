//! The one engine-internal reader of projects: decrypted values of folders (layered) and of every
//! kept version (for `scan`), each read under a single audit entry that its caller names (`check`,
//! `mount_read`, `scan`). Like `remote/`, it reads through the vault's crate-internal helpers.

use std::collections::BTreeMap;

use crate::audit::Action;
use crate::error::{Error, Result};
use crate::model::ListFilter;
use crate::path::{FolderPath, SecretPath};
use crate::secret::SecretValue;
use crate::vault::{decrypt_version, Vault};

/// The secrets directly in `folders` (not sub-folders), a later folder's value winning; folders
/// with no secret are skipped. One audit entry (`action`, `detail`) when `audit` is given.
pub fn layered_values(
    vault: &mut Vault,
    folders: &[FolderPath],
    audit: Option<(Action, &str)>,
) -> Result<BTreeMap<String, SecretValue>> {
    let key = vault.data_key()?.duplicate();
    let vault_id = vault.vault_id().to_string();
    let mut out = BTreeMap::new();
    for f in folders {
        let metas =
            vault.list(&ListFilter { folder: Some(f.to_string()), ..Default::default() })?;
        for m in metas.into_iter().filter(|m| m.folder == f.as_str()) {
            let v = decrypt_version(vault.conn(), &key, &vault_id, &m, m.version)?;
            out.insert(m.name, v);
        }
    }
    if let Some((action, detail)) = audit {
        let path = (folders.len() == 1).then(|| folders[0].as_str());
        vault.audit_event(action, path, "ok", Some(detail))?;
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
    let key = vault.data_key()?.duplicate();
    let vault_id = vault.vault_id().to_string();
    let metas =
        vault.list(&ListFilter { folder: folder.map(String::from), ..Default::default() })?;
    let mut out = Vec::new();
    for m in &metas {
        let path = SecretPath::parse(&m.path)?;
        let mut versions: Vec<u64> = vault.history(&path)?.iter().map(|v| v.version).collect();
        versions.reverse(); // newest first: the current value names a finding when versions repeat
        for v in versions {
            match decrypt_version(vault.conn(), &key, &vault_id, m, v) {
                Ok(value) => out.push(OwnedValue {
                    path: m.path.clone(),
                    version: v,
                    current: v == m.version,
                    value,
                }),
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let detail = format!("{} value(s) of {} secret(s) loaded to scan for", out.len(), metas.len());
    vault.audit_event(Action::Scan, folder, "ok", Some(&detail))?;
    Ok(out)
}
