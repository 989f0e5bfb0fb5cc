//! What was last synced with a remote, per folder: the remote version and, per key, a keyed hash
//! of the value both sides agreed on. With it, sync tells "changed here", "changed there" and
//! "changed on both" apart without keeping a copy of any value.

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::Sha256;

use crate::error::Result;
use crate::secret::Key32;

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

pub(crate) fn load_all(conn: &Connection, remote_id: i64) -> Result<BTreeMap<String, Base>> {
    let mut out: BTreeMap<String, Base> = BTreeMap::new();
    let mut st =
        conn.prepare("SELECT folder, remote_version FROM remote_folders WHERE remote_id = ?1")?;
    for r in st.query_map([remote_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))? {
        let (folder, v) = r?;
        out.insert(folder, Base { remote_version: v, macs: BTreeMap::new() });
    }
    let mut st =
        conn.prepare("SELECT folder, name, value_mac FROM remote_keys WHERE remote_id = ?1")?;
    for r in st.query_map([remote_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
    })? {
        let (folder, name, mac) = r?;
        out.entry(folder).or_default().macs.insert(name, mac);
    }
    Ok(out)
}

pub(crate) fn load(conn: &Connection, remote_id: i64, folder: &str) -> Result<Option<Base>> {
    let v: Option<u64> = conn
        .query_row(
            "SELECT remote_version FROM remote_folders WHERE remote_id = ?1 AND folder = ?2",
            params![remote_id, folder],
            |r| r.get(0),
        )
        .optional()?;
    let Some(remote_version) = v else { return Ok(None) };
    let mut st = conn
        .prepare("SELECT name, value_mac FROM remote_keys WHERE remote_id = ?1 AND folder = ?2")?;
    let macs = st
        .query_map(params![remote_id, folder], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(Base { remote_version, macs }))
}

/// Replaces the folder's sync state (inside the caller's transaction).
pub(crate) fn save(conn: &Connection, remote_id: i64, folder: &str, base: &Base) -> Result<()> {
    let now = crate::timefmt::now();
    conn.execute(
        "INSERT INTO remote_folders (remote_id, folder, remote_version, synced_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(remote_id, folder) DO UPDATE SET remote_version = excluded.remote_version, synced_at = excluded.synced_at",
        params![remote_id, folder, base.remote_version, now],
    )?;
    conn.execute(
        "DELETE FROM remote_keys WHERE remote_id = ?1 AND folder = ?2",
        params![remote_id, folder],
    )?;
    let mut st = conn.prepare_cached("INSERT INTO remote_keys (remote_id, folder, name, value_mac, synced_at) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    for (name, mac) in &base.macs {
        st.execute(params![remote_id, folder, name, mac, now])?;
    }
    Ok(())
}

/// After a re-key (inside its transaction, versions already under `new`): each stored MAC is
/// recomputed under the new key from the kept local version it was made of (the synced value was
/// a local version: pushed from it or pulled into it). A MAC whose value is no longer kept is
/// dropped, so that key compares as never synced: a difference is then a conflict, not a guess.
pub(crate) fn remac(tx: &Connection, old: &Key32, new: &Key32, vault_id: &str) -> Result<()> {
    let (old_macs, new_macs) = (MacKey::derive(old, vault_id), MacKey::derive(new, vault_id));
    let rows: Vec<(i64, String, String, Vec<u8>)> = {
        let mut st = tx.prepare("SELECT remote_id, folder, name, value_mac FROM remote_keys")?;
        let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        r.collect::<rusqlite::Result<_>>()?
    };
    let mut versions = tx.prepare_cached("SELECT v.secret_id, v.version, v.ciphertext FROM versions v JOIN secrets s ON s.id = v.secret_id WHERE s.path = ?1")?;
    for (remote_id, folder, name, mac) in rows {
        let path =
            super::mapping::secret_path(&folder, &name).map(|p| p.to_string()).unwrap_or_default();
        let found = versions
            .query_map([&path], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, u64>(1)?, r.get::<_, Vec<u8>>(2)?))
            })?
            .filter_map(|r| r.ok())
            .filter_map(|(id, version, ct)| {
                crate::crypto::open(new, &crate::vault::version_aad(vault_id, id, version), &ct)
            })
            .find(|pt| old_macs.mac(remote_id, &folder, &name, pt) == mac);
        match found {
            Some(pt) => tx.execute(
                "UPDATE remote_keys SET value_mac = ?4 WHERE remote_id = ?1 AND folder = ?2 AND name = ?3",
                params![remote_id, folder, name, new_macs.mac(remote_id, &folder, &name, &pt)],
            )?,
            None => tx.execute("DELETE FROM remote_keys WHERE remote_id = ?1 AND folder = ?2 AND name = ?3", params![remote_id, folder, name])?,
        };
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
