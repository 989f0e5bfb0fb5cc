//! Renaming or moving a secret, or a whole folder with its subfolders (`hush mv`). History is
//! kept: every kept version is re-sealed under the new path (the path is part of each value's
//! AAD), in one transaction with one audit entry. Sync state with remotes stays with the old
//! folder names: a moved folder is new to every remote.

use serde::Serialize;

use super::secrets::{check_row, live_row};
use super::Vault;
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::keys::Keys;
use crate::path::{FolderPath, SecretPath};
use crate::store::{SecretFilter, SecretRow, Tx, Write};

/// What a move did (never a value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveReport {
    /// `(from, to)` per secret moved.
    pub moved: Vec<(String, String)>,
    pub versions: u64,
}

impl Vault {
    /// Renames or moves one live secret. The target must not exist.
    pub fn move_secret(&mut self, from: &SecretPath, to: &SecretPath) -> Result<MoveReport> {
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let row = live_row(&tx, keys, &from.to_string())?
            .ok_or_else(|| Error::NotFound { path: from.to_string() })?;
        let versions = move_row(&tx, keys, row, to)?;
        let report = MoveReport { moved: vec![(from.to_string(), to.to_string())], versions };
        let detail = format!("to {to}");
        audit::append(
            &tx,
            Some(keys),
            Action::Move,
            Some(&from.to_string()),
            Outcome::Ok,
            Some(&detail),
        )?;
        tx.commit()?;
        Ok(report)
    }

    /// Moves several live secrets into `folder`, each keeping its name (the app's bulk move), in
    /// one transaction: if one fails (a target exists), none moves. Each move is audited.
    pub fn move_into(&mut self, paths: &[SecretPath], folder: &FolderPath) -> Result<MoveReport> {
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let mut report = MoveReport { moved: Vec::new(), versions: 0 };
        for from in paths {
            let row = live_row(&tx, keys, &from.to_string())?
                .ok_or_else(|| Error::NotFound { path: from.to_string() })?;
            let to = SecretPath::parse(&quoted(folder.as_str(), from.name()))?;
            if to.to_string() == from.to_string() {
                continue;
            }
            report.versions += move_row(&tx, keys, row, &to)?;
            let detail = format!("to {to}");
            let from = from.to_string();
            audit::append(&tx, Some(keys), Action::Move, Some(&from), Outcome::Ok, Some(&detail))?;
            report.moved.push((from, to.to_string()));
        }
        tx.commit()?;
        Ok(report)
    }

    /// Moves every live secret of `from` and its subfolders under `to`, keeping the relative
    /// layout (`a/dev/X` to `b/dev/X` for `a` → `b`), and the folders' `.env` layouts.
    pub fn move_folder(&mut self, from: &FolderPath, to: &FolderPath) -> Result<MoveReport> {
        if to.as_str() == from.as_str() || to.as_str().starts_with(&format!("{from}/")) {
            return Err(Error::InvalidInput(format!("cannot move '{from}' into itself")));
        }
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let filter = SecretFilter { folder: Some(from.as_str()), ..SecretFilter::live() };
        let rows = tx.secrets(&filter)?;
        if rows.is_empty() {
            return Err(Error::EmptyFolder { folder: from.to_string() });
        }
        let mut report = MoveReport { moved: Vec::new(), versions: 0 };
        for row in rows {
            check_row(&tx, keys, &row)?;
            let folder = format!("{to}{}", &row.folder[from.as_str().len()..]);
            let target = SecretPath::parse(&quoted(&folder, &row.name))?;
            report.moved.push((row.path.clone(), target.to_string()));
            if let Some(layout) = tx.layout(&row.folder)? {
                move_layout(&tx, keys, layout, &folder)?;
            }
            report.versions += move_row(&tx, keys, row, &target)?;
        }
        let detail = format!("to {to}: {} secret(s)", report.moved.len());
        audit::append(
            &tx,
            Some(keys),
            Action::Move,
            Some(from.as_str()),
            Outcome::Ok,
            Some(&detail),
        )?;
        tx.commit()?;
        Ok(report)
    }
}

fn quoted(folder: &str, name: &str) -> String {
    if crate::path::is_env_name(name) {
        format!("{folder}/{name}")
    } else {
        format!("{folder}/\"{name}\"")
    }
}

/// Re-seals every kept version of `row` for `to` and rewrites the record. Returns the versions.
fn move_row(tx: &Tx<'_, Write>, keys: &Keys, mut row: SecretRow, to: &SecretPath) -> Result<u64> {
    let to_s = to.to_string();
    if live_row(tx, keys, &to_s)?.is_some() {
        return Err(Error::AlreadyExists { path: to_s });
    }
    let mut n = 0;
    for (version, _) in tx.version_times(row.id)? {
        let v = tx.version(row.id, version)?.expect("listed in the same transaction");
        let value = keys.open_version(row.id, &row.path, version, &v.sealed)?;
        tx.reseal_version(
            row.id,
            version,
            &keys.seal_version(row.id, &to_s, version, value.expose()),
        )?;
        n += 1;
    }
    row.folder = to.folder().to_string();
    row.name = to.name().to_string();
    row.path = to_s;
    row.updated_at = crate::timefmt::now();
    tx.update_secret(keys, &mut row)?;
    Ok(n)
}

/// Moves a folder's sealed `.env` layout (its AAD names the folder) unless the target has one.
fn move_layout(
    tx: &Tx<'_, Write>,
    keys: &Keys,
    row: crate::store::LayoutRow,
    to: &str,
) -> Result<()> {
    if tx.layout(to)?.is_some() {
        return Ok(());
    }
    let Some(json) = keys.open_layout(&row.folder, &row.sealed) else {
        return Err(Error::Integrity { what: format!("the .env layout of '{}'", row.folder) });
    };
    let sealed = keys.seal_layout(to, &json);
    let from = row.folder.clone();
    tx.put_layout(&crate::store::LayoutRow { folder: to.to_string(), sealed, ..row })?;
    tx.delete_layout(&from)
}
