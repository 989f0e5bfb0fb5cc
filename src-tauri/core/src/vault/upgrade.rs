//! The upgrade of a format-1 vault (values bound without their path, no record MACs) to format
//! 2, at the first unlock, in one transaction: every version re-sealed with the new AAD, every
//! secret record, remote and the settings MAC'd, the audit chain anchored by the keyed entry that records the upgrade (its link covers every
//! entry before it). Killed
//! half-way, the transaction rolls back and the vault is format 1 again, as usable as before.
//!
//! A version that does not open under the old binding was already damaged: it is left as it is
//! (still an integrity error when read). A record is MAC'd as it stands: tampering done before the
//! upgrade cannot be told apart, which is why the upgrade also runs the old checks it can (the
//! audit chain's structure) and records the numbers in its audit entry.

use super::{put_settings, Settings, Vault};
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::keys::Keys;

impl Vault {
    pub(crate) fn upgrade(&mut self, keys: &Keys) -> Result<()> {
        let tx = self.store.write()?;
        if tx.header()?.format != 1 {
            return Ok(()); // another process upgraded it meanwhile
        }
        // The format column is not authenticated: set back to 1 by an edit of the file, it would
        // have this upgrade MAC forged rows (a handler, a remote's address) as genuine. A real
        // format-1 vault holds no MAC, no anchor and no value sealed with its path.
        if tx.has_format2_traces()? {
            return Err(downgraded("it holds MACs or an audit anchor"));
        }
        let paths: std::collections::HashMap<i64, String> =
            tx.all_secrets()?.into_iter().map(|r| (r.id, r.path)).collect();
        let (mut resealed, mut damaged) = (0u64, 0u64);
        for v in tx.all_versions()? {
            let Some(path) = paths.get(&v.secret_id) else { continue };
            match keys.open_legacy(v.secret_id, v.version, &v.sealed) {
                Some(value) => {
                    let sealed = keys.seal_version(v.secret_id, path, v.version, value.expose());
                    tx.reseal_version(v.secret_id, v.version, &sealed)?;
                    resealed += 1;
                }
                None if keys.open_version(v.secret_id, path, v.version, &v.sealed).is_ok() => {
                    return Err(downgraded("its values are sealed as format 2 seals them"));
                }
                None => damaged += 1,
            }
        }
        for mut row in tx.all_secrets()? {
            tx.update_secret(keys, &mut row)?;
        }
        for mut r in tx.remotes()? {
            tx.update_remote(keys, &mut r)?;
        }
        let s = tx.settings()?;
        let settings = Settings::from(&s);
        put_settings(&tx, keys, &settings)?;
        tx.set_format(2)?;
        let detail = format!(
            "format 1 to 2: {resealed} version(s) re-sealed with their path, {} record(s) MAC'd{}",
            paths.len(),
            if damaged > 0 {
                format!(", {damaged} damaged version(s) left as they were")
            } else {
                String::new()
            }
        );
        audit::append(&tx, Some(keys), Action::Upgrade, None, Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        self.header.format = 2;
        Ok(())
    }
}

fn downgraded(why: &str) -> Error {
    Error::Tampered {
        what: format!(
            "its header says format 1, but {why}: it was edited to look older, so that forged \
             rows would be MAC'd as genuine (nothing was upgraded)"
        ),
    }
}

/// The other way, for tests: a vault as format 1 wrote it (values bound without their path, no
/// MACs, no anchor), so the upgrade and its crash safety can be tested at any size.
#[cfg(feature = "test-support")]
impl Vault {
    pub(crate) fn downgrade_to_format1(&mut self) -> Result<()> {
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let paths: std::collections::HashMap<i64, String> =
            tx.all_secrets()?.into_iter().map(|r| (r.id, r.path)).collect();
        for v in tx.all_versions()? {
            let value =
                keys.open_version(v.secret_id, &paths[&v.secret_id], v.version, &v.sealed)?;
            tx.reseal_version(
                v.secret_id,
                v.version,
                &keys.seal_legacy(v.secret_id, v.version, value.expose()),
            )?;
        }
        tx.strip_macs()?;
        tx.commit()
    }
}
