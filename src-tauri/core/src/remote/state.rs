//! What was last synced with a remote, per folder: the remote version and, per key, a keyed hash
//! of the value both sides agreed on. With it, sync tells "changed here", "changed there" and
//! "changed on both" apart without keeping a copy of any value.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::Result;
use crate::keys::Keys;
use crate::secret::Key32;
use crate::store::{Tx, Write};

type HmacSha256 = Hmac<Sha256>;

/// The MAC key: derived from the data key, so the stored MACs are useless without it and a plain
/// dictionary attack on short values is impossible. `rekey` re-MACs what it can (`remac`).
pub(crate) struct MacKey(Key32);

impl MacKey {
    pub(crate) fn derive(data_key: &Key32, vault_id: &str) -> MacKey {
        let mut m =
            <HmacSha256 as Mac>::new_from_slice(data_key.as_bytes()).expect("any key length");
        m.update(format!("hush/v1/remote-sync-mac|{vault_id}").as_bytes());
        let out = m.finalize().into_bytes();
        MacKey(Key32::from_bytes(&out).expect("32 bytes"))
    }

    /// MAC of `value` as the value of `name` in `folder` for remote `remote_id`; binding the
    /// position keeps equal values elsewhere from showing as equal MACs.
    pub(crate) fn mac(&self, remote_id: i64, folder: &str, name: &str, value: &[u8]) -> Vec<u8> {
        let mut m = <HmacSha256 as Mac>::new_from_slice(self.0.as_bytes()).expect("any key length");
        for part in [remote_id.to_string().as_bytes(), folder.as_bytes(), name.as_bytes(), value] {
            m.update(&(part.len() as u64).to_be_bytes());
            m.update(part);
        }
        m.finalize().into_bytes().to_vec()
    }
}

/// The last sync of one folder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Base {
    pub remote_version: u64,
    pub macs: BTreeMap<String, Vec<u8>>,
}

/// Marks `done` synced: the keys equal on both sides get their keyed hash; others keep theirs.
pub(crate) fn next_base(
    mut macs: BTreeMap<String, Vec<u8>>,
    remote_version: u64,
    equal: impl Iterator<Item = (String, Vec<u8>)>,
) -> Base {
    macs.extend(equal);
    Base { remote_version, macs }
}

pub(crate) fn load_all<M>(tx: &Tx<'_, M>, remote_id: i64) -> Result<BTreeMap<String, Base>> {
    let mut out: BTreeMap<String, Base> = tx
        .synced_folders(remote_id)?
        .into_iter()
        .map(|(folder, v, _)| (folder, Base { remote_version: v, macs: BTreeMap::new() }))
        .collect();
    for (folder, macs) in tx.sync_keys(remote_id)? {
        out.entry(folder).or_default().macs = macs;
    }
    Ok(out)
}

/// The keyed hashes of one folder's last sync (an indexed read of that folder alone).
pub(crate) fn load_macs<M>(
    tx: &Tx<'_, M>,
    remote_id: i64,
    folder: &str,
) -> Result<BTreeMap<String, Vec<u8>>> {
    tx.folder_sync_keys(remote_id, folder)
}

/// The last sync of one folder (indexed reads of that folder alone).
pub(crate) fn load<M>(tx: &Tx<'_, M>, remote_id: i64, folder: &str) -> Result<Option<Base>> {
    let Some(remote_version) = tx.synced_folder(remote_id, folder)? else { return Ok(None) };
    Ok(Some(Base { remote_version, macs: load_macs(tx, remote_id, folder)? }))
}

/// Replaces the folder's sync state (inside the caller's transaction).
pub(crate) fn save(tx: &Tx<'_, Write>, remote_id: i64, folder: &str, base: &Base) -> Result<()> {
    tx.save_sync(remote_id, folder, base.remote_version, &base.macs, crate::timefmt::now())
}

/// After a re-key (inside its transaction, versions already under `new`): each stored MAC is
/// recomputed under the new key from the kept local version it was made of (the synced value was
/// a local version: pushed from it or pulled into it). A MAC whose value is no longer kept is
/// dropped, so that key compares as never synced: a difference is then a conflict, not a guess.
pub(crate) fn remac(tx: &Tx<'_, Write>, old: &Keys, new: &Keys) -> Result<()> {
    let vault_id = old.vault_id();
    let (old_macs, new_macs) =
        (MacKey::derive(old.data_key(), vault_id), MacKey::derive(new.data_key(), vault_id));
    for k in tx.all_sync_keys()? {
        let path = super::mapping::secret_path(&k.folder, &k.name).map(|p| p.to_string());
        let rows = match &path {
            Ok(p) => tx.secrets_at(p)?,
            Err(_) => Vec::new(),
        };
        let mut found = None;
        'rows: for r in &rows {
            for (version, _) in tx.version_times(r.id)? {
                let Some(v) = tx.version(r.id, version)? else { continue };
                let Ok(value) = new.open_version(r.id, &r.path, version, &v.sealed) else {
                    continue;
                };
                let old_mac = old_macs.mac(k.remote_id, &k.folder, &k.name, value.expose());
                if crate::crypto::mac_eq(&old_mac, &k.value_mac) {
                    found = Some(new_macs.mac(k.remote_id, &k.folder, &k.name, value.expose()));
                    break 'rows;
                }
            }
        }
        tx.set_sync_key(&k, found.as_deref())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_keyed_and_bound_to_their_position() {
        let k = Key32::random();
        let a = MacKey::derive(&k, "v1");
        let b = MacKey::derive(&k, "v2");
        let m = a.mac(1, "f", "N", b"value");
        assert_eq!(m, a.mac(1, "f", "N", b"value"));
        assert_ne!(m, b.mac(1, "f", "N", b"value"), "another vault");
        assert_ne!(m, a.mac(1, "f", "M", b"value"), "another key");
        assert_ne!(m, a.mac(2, "f", "N", b"value"), "another remote");
        assert_ne!(m, a.mac(1, "f", "N", b"valuf"));
        use sha2::Digest;
        assert_ne!(m, Sha256::digest(b"value").to_vec(), "not a plain hash");
    }
}
