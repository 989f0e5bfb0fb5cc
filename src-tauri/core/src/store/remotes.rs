//! Remote servers (where tokens and values are sent: MAC'd) and what was last synced with each.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Row};

use super::{bad_row, Tx, Write};
use crate::error::Result;
use crate::keys::{Keys, MacInput};

/// How Hush logs in to a remote, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoredAuth {
    Token,
    Approle { mount: String, role_id: String },
}

/// A `remotes` row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RemoteRecord {
    pub id: i64,
    pub name: String,
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub ca_cert: Option<String>,
    pub skip_verify: bool,
    pub auth: StoredAuth,
    pub keychain_account: Option<String>,
    pub created_at: i64,
    pub mac: Option<Vec<u8>>,
}

impl RemoteRecord {
    /// Every field that decides where the token and the values go, and with which credential.
    pub(crate) fn mac_input(&self) -> MacInput {
        let (auth, mount, role) = match &self.auth {
            StoredAuth::Token => ("token", None, None),
            StoredAuth::Approle { mount, role_id } => {
                ("approle", Some(mount.as_str()), Some(role_id.as_str()))
            }
        };
        MacInput::new("hush/v2/remote")
            .int(self.id)
            .text(&self.name)
            .text(&self.addr)
            .opt_text(self.namespace.as_deref())
            .text(&self.mount)
            .text(&self.prefix)
            .opt_text(self.ca_cert.as_deref())
            .int(i64::from(self.skip_verify))
            .text(auth)
            .opt_text(mount)
            .opt_text(role)
            .opt_text(self.keychain_account.as_deref())
    }
}

/// One key's keyed hash of the value both sides agreed on at the last sync.
#[derive(Debug, Clone)]
pub(crate) struct SyncKeyRow {
    pub remote_id: i64,
    pub folder: String,
    pub name: String,
    pub value_mac: Vec<u8>,
}

fn remote(r: &Row<'_>) -> rusqlite::Result<(RemoteRecord, String, Option<String>, Option<String>)> {
    Ok((
        RemoteRecord {
            id: r.get("id")?,
            name: r.get("name")?,
            addr: r.get("addr")?,
            namespace: r.get("namespace")?,
            mount: r.get("mount")?,
            prefix: r.get("prefix")?,
            ca_cert: r.get("ca_cert")?,
            skip_verify: r.get("skip_verify")?,
            auth: StoredAuth::Token,
            keychain_account: r.get("keychain_account")?,
            created_at: r.get("created_at")?,
            mac: r.get("mac")?,
        },
        r.get("auth")?,
        r.get("approle_mount")?,
        r.get("role_id")?,
    ))
}

fn parse_auth(
    (mut rec, auth, mount, role): (RemoteRecord, String, Option<String>, Option<String>),
) -> Result<RemoteRecord> {
    let what = || format!("the remote '{}'", rec.name.escape_debug());
    rec.auth = match (auth.as_str(), mount, role) {
        ("token", _, _) => StoredAuth::Token,
        ("approle", Some(mount), Some(role_id)) => StoredAuth::Approle { mount, role_id },
        ("approle", _, _) => return Err(bad_row(what(), "AppRole without its mount or role_id")),
        (other, _, _) => {
            return Err(bad_row(what(), format!("unknown auth method '{}'", other.escape_debug())))
        }
    };
    Ok(rec)
}

impl<M> Tx<'_, M> {
    pub(crate) fn remote_by_name(&self, name: &str) -> Result<Option<RemoteRecord>> {
        let raw = self
            .c()
            .prepare_cached("SELECT * FROM remotes WHERE name = ?1")?
            .query_row([name], remote)
            .optional()?;
        raw.map(parse_auth).transpose()
    }

    pub(crate) fn remotes(&self) -> Result<Vec<RemoteRecord>> {
        let mut st = self.c().prepare_cached("SELECT * FROM remotes ORDER BY name")?;
        let rows = st.query_map([], remote)?;
        rows.map(|r| parse_auth(r?)).collect()
    }

    /// Folders synced with a remote: (folder, remote version, synced at).
    pub(crate) fn synced_folders(&self, remote_id: i64) -> Result<Vec<(String, u64, i64)>> {
        let mut st = self.c().prepare_cached(
            "SELECT folder, remote_version, synced_at FROM remote_folders WHERE remote_id = ?1 ORDER BY folder",
        )?;
        let rows = st.query_map([remote_id], |r| {
            Ok((r.get("folder")?, r.get("remote_version")?, r.get("synced_at")?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The keyed hashes of all of a remote's folders, by folder then name.
    pub(crate) fn sync_keys(
        &self,
        remote_id: i64,
    ) -> Result<BTreeMap<String, BTreeMap<String, Vec<u8>>>> {
        let mut st = self.c().prepare_cached(
            "SELECT folder, name, value_mac FROM remote_keys WHERE remote_id = ?1",
        )?;
        let mut out: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        let rows = st.query_map([remote_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        for row in rows {
            let (f, n, m) = row?;
            out.entry(f).or_default().insert(n, m);
        }
        Ok(out)
    }

    /// The keyed hashes of one folder, by name. Its own statement, with both columns bound, so
    /// that it is a lookup in the primary key: an `?2 IS NULL OR folder = ?2` filter would scan
    /// every row of the remote, once per folder finished (quadratic in a migrate).
    pub(crate) fn folder_sync_keys(
        &self,
        remote_id: i64,
        folder: &str,
    ) -> Result<BTreeMap<String, Vec<u8>>> {
        let mut st = self.c().prepare_cached(
            "SELECT name, value_mac FROM remote_keys WHERE remote_id = ?1 AND folder = ?2",
        )?;
        let rows = st.query_map(params![remote_id, folder], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The last sync of one folder: its remote version (`None`: never synced).
    pub(crate) fn synced_folder(&self, remote_id: i64, folder: &str) -> Result<Option<u64>> {
        let mut st = self.c().prepare_cached(
            "SELECT remote_version FROM remote_folders WHERE remote_id = ?1 AND folder = ?2",
        )?;
        Ok(st.query_row(params![remote_id, folder], |r| r.get(0)).optional()?)
    }

    pub(crate) fn all_sync_keys(&self) -> Result<Vec<SyncKeyRow>> {
        let mut st =
            self.c().prepare("SELECT remote_id, folder, name, value_mac FROM remote_keys")?;
        let rows = st.query_map([], |r| {
            Ok(SyncKeyRow {
                remote_id: r.get("remote_id")?,
                folder: r.get("folder")?,
                name: r.get("name")?,
                value_mac: r.get("value_mac")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_, Write> {
    /// Inserts a remote (id assigned here) with its MAC.
    pub(crate) fn insert_remote(&self, keys: &Keys, rec: &mut RemoteRecord) -> Result<()> {
        self.touch_state(keys)?;
        self.c().execute(
            "INSERT INTO remotes (name, addr, mount, auth, created_at) VALUES (?1, ?2, ?3, 'token', ?4)",
            params![rec.name, rec.addr, rec.mount, rec.created_at],
        )?;
        rec.id = self.c().last_insert_rowid();
        self.update_remote(keys, rec)
    }

    /// Writes every field of a remote and its fresh MAC.
    pub(crate) fn update_remote(&self, keys: &Keys, rec: &mut RemoteRecord) -> Result<()> {
        self.touch_state(keys)?;
        rec.mac = Some(keys.row_mac(&rec.mac_input()).to_vec());
        let (auth, mount, role) = match &rec.auth {
            StoredAuth::Token => ("token", None, None),
            StoredAuth::Approle { mount, role_id } => ("approle", Some(mount), Some(role_id)),
        };
        self.c().execute(
            "UPDATE remotes SET name = ?2, addr = ?3, namespace = ?4, mount = ?5, prefix = ?6,
               ca_cert = ?7, skip_verify = ?8, auth = ?9, approle_mount = ?10, role_id = ?11,
               keychain_account = ?12, created_at = ?13, mac = ?14
             WHERE id = ?1",
            params![
                rec.id,
                rec.name,
                rec.addr,
                rec.namespace,
                rec.mount,
                rec.prefix,
                rec.ca_cert,
                rec.skip_verify,
                auth,
                mount,
                role,
                rec.keychain_account,
                rec.created_at,
                rec.mac
            ],
        )?;
        Ok(())
    }

    /// Removes a remote and its sync state.
    pub(crate) fn delete_remote(&self, keys: &Keys, id: i64) -> Result<()> {
        self.touch_state(keys)?;
        self.clear_sync(id)?;
        self.c().execute("DELETE FROM remotes WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Forgets what was last synced with a remote; returns how many folders it named.
    pub(crate) fn clear_sync(&self, id: i64) -> Result<usize> {
        self.c().execute("DELETE FROM remote_keys WHERE remote_id = ?1", [id])?;
        Ok(self.c().execute("DELETE FROM remote_folders WHERE remote_id = ?1", [id])?)
    }

    /// Replaces one folder's sync state.
    pub(crate) fn save_sync(
        &self,
        remote_id: i64,
        folder: &str,
        remote_version: u64,
        macs: &BTreeMap<String, Vec<u8>>,
        now: i64,
    ) -> Result<()> {
        self.c()
            .prepare_cached(
                "INSERT INTO remote_folders (remote_id, folder, remote_version, synced_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(remote_id, folder) DO UPDATE SET remote_version = excluded.remote_version,
                   synced_at = excluded.synced_at",
            )?
            .execute(params![remote_id, folder, remote_version, now])?;
        self.c()
            .prepare_cached("DELETE FROM remote_keys WHERE remote_id = ?1 AND folder = ?2")?
            .execute(params![remote_id, folder])?;
        let mut st = self.c().prepare_cached(
            "INSERT INTO remote_keys (remote_id, folder, name, value_mac, synced_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (name, mac) in macs {
            st.execute(params![remote_id, folder, name, mac, now])?;
        }
        Ok(())
    }

    /// Re-keys one stored hash (`None`: forget it, the key compares as never synced).
    pub(crate) fn set_sync_key(&self, k: &SyncKeyRow, mac: Option<&[u8]>) -> Result<()> {
        match mac {
            Some(m) => self.c().execute(
                "UPDATE remote_keys SET value_mac = ?4 WHERE remote_id = ?1 AND folder = ?2 AND name = ?3",
                params![k.remote_id, k.folder, k.name, m],
            )?,
            None => self.c().execute(
                "DELETE FROM remote_keys WHERE remote_id = ?1 AND folder = ?2 AND name = ?3",
                params![k.remote_id, k.folder, k.name],
            )?,
        };
        Ok(())
    }
}
