//! IPC types of the HashiCorp Vault screens (generated into ui/src/lib/bindings.ts with dto.rs).
//! Tokens travel only inward (`RemoteAddRequest.token`, straight into the OS keychain).

use hush_core::remote::{
    AuthSpec, FolderOutcome, FolderState, Health, KeyAction, OpReport, Plan, RemoteCredential,
    RemoteInfo, RemotePeek, RemoteSpec, RemoteUpdated, SyncHistory, SyncedFolder,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteDto {
    pub name: String,
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    /// The CA certificate file the remote trusts (a path on this machine; not a pick handle).
    pub ca_cert: Option<String>,
    pub skip_verify: bool,
    pub auth: AuthKind,
    /// AppRole only: its role_id (not a secret) and auth mount.
    pub role_id: Option<String>,
    pub approle_mount: Option<String>,
    /// A token or secret_id is kept in the OS keychain for it.
    pub credential_in_keychain: bool,
    pub synced_folders: u64,
}

impl From<&RemoteInfo> for RemoteDto {
    fn from(r: &RemoteInfo) -> Self {
        let (s, synced_folders) = (&r.spec, r.synced_folders);
        let (auth, role_id, approle_mount) = match &s.auth {
            AuthSpec::Token => (AuthKind::Token, None, None),
            AuthSpec::Approle { mount, role_id } => {
                (AuthKind::Approle, Some(role_id.clone()), Some(mount.clone()))
            }
        };
        RemoteDto {
            name: s.name.clone(),
            addr: s.addr.clone(),
            namespace: s.namespace.clone(),
            mount: s.mount.clone(),
            prefix: s.prefix.clone(),
            ca_cert: s.ca_cert.clone(),
            skip_verify: s.skip_verify,
            auth,
            role_id,
            approle_mount,
            credential_in_keychain: r.credential_in_keychain,
            synced_folders,
        }
    }
}

/// A remote's settings as the add and edit forms send them (the CA file apart).
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteFields {
    pub name: String,
    /// One address, or several separated by commas (an HA cluster, tried in order).
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub skip_verify: bool,
    pub auth: AuthKind,
    /// AppRole only: its role_id (not a secret) and auth mount (default "approle").
    pub role_id: Option<String>,
    pub approle_mount: Option<String>,
    /// The token, or AppRole's secret_id: stored in the OS keychain only. Adding, an empty token
    /// means "use VAULT_TOKEN or ~/.vault-token"; editing, "keep the stored one".
    pub token: Option<String>,
}

impl std::fmt::Debug for RemoteFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteFields")
            .field("name", &self.name)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RemoteFields {
    /// The engine's spec, with the CA file already resolved from its pick handle, and the
    /// credential to store (none when empty).
    pub fn into_spec(self, ca_cert: Option<String>) -> (RemoteSpec, Option<RemoteCredential>) {
        let auth = match self.auth {
            AuthKind::Token => AuthSpec::Token,
            AuthKind::Approle => AuthSpec::Approle {
                mount: self.approle_mount.filter(|m| !m.is_empty()).unwrap_or("approle".into()),
                role_id: self.role_id.unwrap_or_default(),
            },
        };
        let spec = RemoteSpec {
            name: self.name,
            addr: self.addr,
            namespace: self.namespace.filter(|n| !n.is_empty()),
            mount: self.mount,
            prefix: self.prefix,
            ca_cert,
            skip_verify: self.skip_verify,
            auth,
        };
        (spec, self.token.filter(|t| !t.is_empty()).map(RemoteCredential::new))
    }
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAddRequest {
    #[serde(flatten)]
    pub fields: RemoteFields,
    /// A handle from `pick_file` (purpose `caCert`) for a PEM file with the server's CA; none:
    /// VAULT_CACERT at use time, else the system roots.
    pub ca_cert: Option<String>,
}

/// A remote after an edit, and what became of its sync history.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteUpdatedDto {
    pub remote: RemoteDto,
    pub history: SyncHistoryDto,
}

/// Kept (same namespace, mount and prefix), or dropped: the remote now names another place,
/// which the history of `folders` folders synced with `was` does not describe.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SyncHistoryDto {
    Kept,
    /// Nothing was synced with it yet (or with its old place).
    None,
    Dropped {
        folders: u64,
        was: String,
    },
}

impl From<&RemoteUpdated> for RemoteUpdatedDto {
    fn from(u: &RemoteUpdated) -> Self {
        let history = match &u.history {
            SyncHistory::Kept => SyncHistoryDto::Kept,
            SyncHistory::None => SyncHistoryDto::None,
            SyncHistory::Dropped { folders, was } => {
                SyncHistoryDto::Dropped { folders: *folders, was: was.clone() }
            }
        };
        RemoteUpdatedDto { remote: RemoteDto::from(&u.info), history }
    }
}

/// A remote's new settings (`remote_update`): the name picks the remote.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteUpdateRequest {
    #[serde(flatten)]
    pub fields: RemoteFields,
    pub ca_cert: CaChange,
}

/// What an edit does to a remote's CA certificate.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum CaChange {
    /// Keep the current one (or none).
    Keep,
    /// None: VAULT_CACERT at use time, else the system roots.
    Clear,
    /// A handle from `pick_file` (purpose `caCert`).
    Set(String),
}

/// An explicit choice for a sync conflict: `path` is a folder or `folder/NAME`.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResolveRequest {
    pub path: String,
    pub keep: Keep,
}

/// Which side of a conflict to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Keep {
    Local,
    Remote,
}

/// How a remote authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AuthKind {
    Token,
    Approle,
}

/// Which way a plan looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DirectionDto {
    Push,
    Pull,
    Sync,
}

/// An operation on a remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum RemoteOp {
    Push,
    Pull,
    Sync,
    Migrate,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckDto {
    pub name: String,
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthDto {
    pub ok: bool,
    /// Requests work, though an address of several does not serve (its `nodes` check failed).
    pub usable: bool,
    pub server_version: Option<String>,
    pub sealed: Option<bool>,
    pub kv_version: Option<u8>,
    pub capabilities: Vec<String>,
    pub checks: Vec<CheckDto>,
}

impl From<&Health> for HealthDto {
    fn from(h: &Health) -> Self {
        HealthDto {
            ok: h.ok,
            usable: h.usable,
            server_version: h.server_version.clone(),
            sealed: h.sealed,
            kv_version: h.kv_version,
            capabilities: h.capabilities.clone(),
            checks: h
                .checks
                .iter()
                .map(|c| CheckDto { name: c.name.clone(), ok: c.ok, message: c.message.clone() })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyPlanDto {
    pub name: String,
    pub action: KeyAction,
    pub local_version: Option<u64>,
    pub remote_version: Option<u64>,
    /// Why: "changed on both sides since the last sync", "remote only", ...
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FolderPlanDto {
    pub folder: String,
    pub remote_path: String,
    pub state: FolderState,
    /// Remote version at the last sync with this remote, if the folder was ever synced.
    pub last_synced_version: Option<u64>,
    pub keys: Vec<KeyPlanDto>,
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanDto {
    pub kv_version: u8,
    pub folders: Vec<FolderPlanDto>,
    pub notes: Vec<String>,
}

impl From<&Plan> for PlanDto {
    fn from(p: &Plan) -> Self {
        PlanDto {
            kv_version: p.kv_version,
            notes: p.notes.clone(),
            folders: p
                .folders
                .iter()
                .map(|f| FolderPlanDto {
                    folder: f.folder.clone(),
                    remote_path: f.remote_path.clone(),
                    state: f.state,
                    last_synced_version: f.last_synced_version,
                    notes: f.notes.clone(),
                    keys: f
                        .keys
                        .iter()
                        .map(|k| KeyPlanDto {
                            name: k.name.clone(),
                            action: k.action,
                            local_version: k.local_version,
                            remote_version: k.remote_version,
                            reason: k.reason.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FolderResultDto {
    pub folder: String,
    pub outcome: FolderOutcome,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OpReportDto {
    pub folders: Vec<FolderResultDto>,
    pub written_remote: u64,
    pub written_local: u64,
    /// Removals carried over by an explicit conflict choice.
    pub deleted_remote: u64,
    pub deleted_local: u64,
    pub conflicts: u64,
    pub failed_folders: u64,
    pub cancelled: bool,
    pub stopped: Option<String>,
    pub elapsed_ms: u64,
}

impl From<&OpReport> for OpReportDto {
    fn from(r: &OpReport) -> Self {
        let t = &r.totals;
        OpReportDto {
            folders: r
                .folders
                .iter()
                .map(|f| FolderResultDto {
                    folder: f.folder.clone(),
                    outcome: f.outcome,
                    error: f.error.clone(),
                })
                .collect(),
            written_remote: (t.created_remote + t.updated_remote) as u64,
            written_local: (t.created_local + t.updated_local) as u64,
            deleted_remote: t.deleted_remote as u64,
            deleted_local: t.deleted_local as u64,
            conflicts: t.conflicts as u64,
            failed_folders: t.failed_folders as u64,
            cancelled: r.cancelled,
            stopped: r.stopped.clone(),
            elapsed_ms: r.elapsed_ms,
        }
    }
}

/// The remote side of a conflict, revealed on demand (audited as a reveal). With `Revealed`,
/// the only response types that carry a value.
#[derive(Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteRevealed {
    pub path: String,
    /// The version of the folder's KV secret it was read from (0 on KV v1).
    pub remote_version: u64,
    /// `<mount>/<prefix>/<folder>`.
    pub remote_path: String,
    pub value: String,
}

impl RemoteRevealed {
    pub fn new(path: String, p: &RemotePeek) -> Self {
        RemoteRevealed {
            path,
            remote_version: p.remote_version,
            remote_path: p.remote_path.clone(),
            value: p.value.expose_str().to_string(),
        }
    }
}

impl std::fmt::Debug for RemoteRevealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteRevealed").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The last sync of one folder with a remote.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncedFolderDto {
    pub folder: String,
    pub remote_version: u64,
    /// Unix seconds.
    pub synced_at: i64,
}

impl From<&SyncedFolder> for SyncedFolderDto {
    fn from(s: &SyncedFolder) -> Self {
        SyncedFolderDto {
            folder: s.folder.clone(),
            remote_version: s.remote_version,
            synced_at: s.synced_at,
        }
    }
}

pub fn declarations(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        KeyAction::decl(cfg),
        FolderState::decl(cfg),
        FolderOutcome::decl(cfg),
        RemoteRevealed::decl(cfg),
        SyncedFolderDto::decl(cfg),
        RemoteDto::decl(cfg),
        RemoteUpdatedDto::decl(cfg),
        SyncHistoryDto::decl(cfg),
        RemoteAddRequest::decl(cfg),
        RemoteUpdateRequest::decl(cfg),
        CaChange::decl(cfg),
        ResolveRequest::decl(cfg),
        Keep::decl(cfg),
        AuthKind::decl(cfg),
        DirectionDto::decl(cfg),
        RemoteOp::decl(cfg),
        CheckDto::decl(cfg),
        HealthDto::decl(cfg),
        KeyPlanDto::decl(cfg),
        FolderPlanDto::decl(cfg),
        PlanDto::decl(cfg),
        FolderResultDto::decl(cfg),
        OpReportDto::decl(cfg),
    ]
}
