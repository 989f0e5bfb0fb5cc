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
        let format = tx.header()?.format;
        if format != 1 {
            self.header.format = format; // another process upgraded it meanwhile
            return Ok(());
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
        // Stripped of every trace above and emptied of its values (or left with values that no
        // longer open), a format-3 file still passes those checks, and this upgrade would MAC a
        // remote's forged address: the next pull sends the token there. Only a value sealed the
        // format-1 way, which takes the key to make, shows the file really is that old.
        if resealed == 0 && (damaged > 0 || !tx.remotes()?.is_empty()) {
            return Err(downgraded(
                "it holds no value sealed the format-1 way, yet names remotes or holds values \
                 that do not open (a newer vault, emptied)",
            ));
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

impl Vault {
    /// Format 2 to 3: the state root over the rows as they stand, sealed into the anchor.
    pub(crate) fn upgrade_state(&mut self, keys: &Keys) -> Result<()> {
        let tx = self.store.write()?;
        let format = tx.header()?.format;
        if format != 2 {
            self.header.format = format; // another process upgraded it meanwhile
            return Ok(());
        }
        // Set back to 2 (its digests deleted) to have this upgrade bless a record put back from
        // an older copy, a format-3 vault still holds an anchor MAC'd over its root, which does
        // not verify as format 2 made it.
        let (seq, hash, mac) = tx.anchor()?;
        let v2 =
            mac.is_some_and(|m| crate::crypto::mac_eq(&audit::anchor_mac(keys, seq, &hash), &m));
        if !v2 || !tx.stored_buckets()?.is_empty() {
            return Err(Error::Tampered {
                what: "its header says format 2, but its audit anchor or state root was made by \
                       format 3: it was edited to look older, so that records put back from an \
                       older copy would be taken as current (nothing was upgraded)"
                    .into(),
            });
        }
        tx.establish_state(keys)?;
        let n = tx.all_secrets()?.len();
        let detail = format!("format 2 to 3: state root over {n} record(s)");
        audit::append(&tx, Some(keys), Action::Upgrade, None, Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        self.header.format = 3;
        Ok(())
    }
}

impl Vault {
    /// Takes the rows as the file holds them now as the vault's state, after a mismatch the user
    /// has looked into (parts they put back themselves): a new state root, audited with how many
    /// parts differed. Record MACs are untouched, so a forged record stays an error. Returns the
    /// number of parts that differed.
    pub fn accept_state(&mut self) -> Result<usize> {
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let differed = tx.state_faults(keys)?.described().len();
        tx.establish_state(keys)?;
        let detail = format!("state accepted as the file holds it: {differed} part(s) differed");
        audit::append(&tx, Some(keys), Action::Upgrade, None, Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        self.header.format = 3;
        Ok(differed)
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
