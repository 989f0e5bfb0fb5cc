//! Looking at the remote side without moving anything: one key's current value (the remote side
//! of a conflict, revealed on demand and audited as a reveal), and what was last synced per folder
//! (remote version and time). Neither writes to the server or to any secret.

use serde::Serialize;

use super::client::Conn;
use super::health::preflight;
use super::mapping::remote_path;
use super::runtime;
use crate::audit::{Action, Outcome};
use crate::error::{Error, Result};
use crate::path::SecretPath;
use crate::secret::SecretValue;
use crate::vault::Vault;

/// One remote key's current value, as read for a person to look at.
#[derive(Debug)]
pub struct RemotePeek {
    pub value: SecretValue,
    /// The KV v2 version of the folder's secret it was read from (0 on KV v1).
    pub remote_version: u64,
    /// `<mount>/<prefix>/<folder>`, as `bao kv get` takes it.
    pub remote_path: String,
}

/// The last sync of one folder with a remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncedFolder {
    pub folder: String,
    /// The remote version both sides agreed on.
    pub remote_version: u64,
    /// When, in Unix seconds.
    pub synced_at: i64,
}

impl Vault {
    /// The current remote value of the key `path` names (field `NAME` of the folder's KV secret),
    /// read once (never cached). Audited as a `reveal` of `path` whatever the outcome; the detail
    /// names the remote and version, never the value. A key the remote does not hold (or a
    /// soft-deleted latest version) is `NotFound`.
    pub fn remote_peek(&mut self, name: &str, path: &SecretPath) -> Result<RemotePeek> {
        // Only an unlocked vault can check the remote's MAC before sending anything to it.
        self.keys()?;
        let row = self.remote_row(name)?;
        let target = row.target();
        let rel = remote_path(&target.prefix, path.folder());
        let shown = format!("{}/{rel}", target.mount);
        let field = path.name().to_string();
        let read = runtime::block_on(async {
            let mut conn: Conn = row.connect().await?;
            preflight(&mut conn).await?;
            let secret = conn.read(&rel).await?;
            Ok::<_, Error>(secret.filter(|s| s.deleted.is_none()).and_then(|mut s| {
                let version = s.version;
                s.fields.remove(&field).map(|v| (v, version))
            }))
        })
        .and_then(|r| r);
        let path_s = path.to_string();
        let (outcome, detail) = match &read {
            Ok(Some((_, v))) => (Outcome::Ok, format!("remote {name}: {shown}, version {v}")),
            Ok(None) => (Outcome::NotFound, format!("remote {name}: {shown}")),
            Err(e) => (Outcome::Failure, format!("remote {name}: {shown}: {}", e.code())),
        };
        self.audit_event(Action::Reveal, Some(&path_s), outcome, Some(&detail))?;
        match read? {
            Some((value, remote_version)) => {
                Ok(RemotePeek { value, remote_version, remote_path: shown })
            }
            None => Err(Error::NotOnRemote { path: path_s, remote: name.into(), at: shown }),
        }
    }

    /// What was last synced with remote `name`, per folder (metadata only; works locked).
    pub fn remote_synced_folders(&self, name: &str) -> Result<Vec<SyncedFolder>> {
        let row = self.remote_row(name)?;
        let rows = self.store().read()?.synced_folders(row.id)?;
        Ok(rows
            .into_iter()
            .map(|(folder, remote_version, synced_at)| SyncedFolder {
                folder,
                remote_version,
                synced_at,
            })
            .collect())
    }
}
