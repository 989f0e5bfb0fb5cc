//! Configured remotes: stored in the `remotes` table, credentials in the OS keychain, and turned
//! into a connection with the vault CLI's environment variables filling what is not stored.

use serde::Serialize;

use super::auth::{self, RemoteCredential, TokenSource};
use super::client::{AppRole, Conn, Target};
use crate::audit::{self, Action, Outcome};
use crate::error::{Error, Result};
use crate::path::FolderPath;
use crate::store::{RemoteRecord, StoredAuth};
use crate::vault::Vault;

/// How Hush authenticates to a remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum AuthSpec {
    /// A token: stored in the keychain at `remote add`, else `VAULT_TOKEN`, else `~/.vault-token`.
    Token,
    /// AppRole: `role_id` stored here, the secret_id in the keychain; the token is re-obtained
    /// on every connection and again on a 403 (expired).
    Approle { mount: String, role_id: String },
}

/// A remote to add. Empty `namespace`/`ca_cert` mean "from VAULT_NAMESPACE / VAULT_CACERT at use".
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RemoteSpec {
    pub name: String,
    /// One address, or several separated by commas: the nodes of an HA cluster, tried in order
    /// (stored normalised as `a,b,c`; see [`RemoteSpec::addrs`]).
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub ca_cert: Option<String>,
    pub skip_verify: bool,
    pub auth: AuthSpec,
}

impl RemoteSpec {
    /// The addresses, in the order they are tried.
    pub fn addrs(&self) -> Vec<&str> {
        super::client::split_addrs(&self.addr)
    }
}

/// A configured remote, as listed (no credential, only whether one is stored).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RemoteInfo {
    /// What was given to `remote add` (flattened: `--json` shows its fields at the top level).
    #[serde(flatten)]
    pub spec: RemoteSpec,
    /// A token or secret_id is stored in the OS keychain for this remote.
    pub credential_in_keychain: bool,
    /// Folders synced with it at least once.
    pub synced_folders: u64,
    #[serde(with = "crate::timefmt::req")]
    pub created_at: i64,
}

/// What `remote_update` did with the remote's sync history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncHistory {
    /// Same place (namespace, mount, prefix): the history still describes it.
    Kept,
    /// Nothing was synced with the remote yet (or with its old place).
    None,
    /// Another place: the history of `folders` folders, synced with `was`, is gone.
    Dropped { folders: u64, was: String },
}

/// A remote after `remote_update`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteUpdated {
    #[serde(flatten)]
    pub info: RemoteInfo,
    pub history: SyncHistory,
}

/// The namespace VAULT_NAMESPACE gives a remote that stores none, as the vault CLI reads it.
fn env_namespace() -> Option<String> {
    let ns = std::env::var("VAULT_NAMESPACE").ok().filter(|v| !v.is_empty())?;
    Some(ns.trim_matches('/').to_string())
}

/// Where a remote's secrets live on its server: what its sync history describes.
#[derive(PartialEq)]
struct Place {
    namespace: Option<String>,
    mount: String,
    prefix: String,
}

impl Place {
    /// Where `r` points now: a namespace not stored is VAULT_NAMESPACE's, as at connection (so
    /// storing the one the environment gave keeps the history).
    fn of(r: &RemoteRecord) -> Self {
        let namespace = r.namespace.clone().or_else(env_namespace);
        Place { namespace, mount: r.mount.clone(), prefix: r.prefix.clone() }
    }
}

impl std::fmt::Display for Place {
    /// `secret/hush` (the mount, then the prefix), after `namespace NS, ` when there is one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ns = self.namespace.as_ref().map(|n| format!("namespace {n}, ")).unwrap_or_default();
        let prefix =
            if self.prefix.is_empty() { String::new() } else { format!("/{}", self.prefix) };
        write!(f, "{ns}{}{prefix}", self.mount)
    }
}

/// The stored row, for connecting.
#[derive(Clone)]
pub(crate) struct RemoteRow {
    pub id: i64,
    pub info: RemoteInfo,
    pub keychain_account: Option<String>,
}

pub(crate) fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "remote name '{}' must be 1-64 letters, digits, '.', '_' or '-'",
            name.escape_debug()
        )))
    }
}

/// Mount and prefix are paths of folder-like segments; slashes at either end are dropped.
fn clean_path(what: &str, s: &str, allow_empty: bool) -> Result<String> {
    let t = s.trim_matches('/');
    if t.is_empty() {
        return if allow_empty {
            Ok(String::new())
        } else {
            Err(Error::InvalidInput(format!("the {what} is empty")))
        };
    }
    FolderPath::parse(t)
        .map(|f| f.as_str().to_string())
        .map_err(|e| Error::InvalidInput(format!("the {what} '{}': {e}", t.escape_debug())))
}

fn truthy(v: &str) -> bool {
    !matches!(v.trim().to_lowercase().as_str(), "" | "0" | "f" | "false" | "no")
}

/// A spec checked and normalised for storing.
struct Clean {
    addr: String,
    namespace: Option<String>,
    mount: String,
    prefix: String,
    ca_cert: Option<String>,
    auth: StoredAuth,
}

/// The most addresses a remote takes.
const MAX_ADDRS: usize = 16;

/// An address list checked and normalised for storing: `a,b,c` (trimmed, no trailing slash, no
/// duplicates), each an http(s) URL that [`super::addr::check`] accepts.
fn clean_addrs(list: &str, allow_http: bool) -> Result<String> {
    let mut out: Vec<String> = Vec::new();
    for a in super::client::split_addrs(list) {
        let a = a.trim_end_matches('/').to_string();
        super::addr::check(&a, allow_http)?;
        super::http::parse_addr(&a)?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.is_empty() {
        return Err(Error::InvalidInput(
            "no address: give one such as https://vault.example.com:8200, or several separated by commas (the nodes of an HA cluster, tried in order)".into(),
        ));
    }
    if out.len() > MAX_ADDRS {
        return Err(Error::InvalidInput(format!("a remote takes at most {MAX_ADDRS} addresses")));
    }
    Ok(out.join(","))
}

fn clean(spec: &RemoteSpec, has_credential: bool, allow_http: bool) -> Result<Clean> {
    check_name(&spec.name)?;
    let addr = clean_addrs(&spec.addr, allow_http)?;
    let ca_cert = spec.ca_cert.clone().filter(|c| !c.is_empty());
    if let Some(c) = &ca_cert {
        if !std::path::Path::new(c).is_file() {
            return Err(Error::InvalidInput(format!("CA certificate file '{c}' does not exist")));
        }
    }
    let auth = match &spec.auth {
        AuthSpec::Token => StoredAuth::Token,
        AuthSpec::Approle { mount, role_id } => {
            if role_id.trim().is_empty() || !has_credential {
                return Err(Error::InvalidInput("AppRole needs a role_id and a secret_id".into()));
            }
            StoredAuth::Approle {
                mount: clean_path("AppRole mount", mount, false)?,
                role_id: role_id.trim().to_string(),
            }
        }
    };
    Ok(Clean {
        addr,
        namespace: spec
            .namespace
            .as_deref()
            .map(|n| n.trim_matches('/').to_string())
            .filter(|n| !n.is_empty()),
        mount: clean_path("mount", &spec.mount, false)?,
        prefix: clean_path("prefix", &spec.prefix, true)?,
        ca_cert,
        auth,
    })
}

fn auth_spec(a: &StoredAuth) -> AuthSpec {
    match a {
        StoredAuth::Token => AuthSpec::Token,
        StoredAuth::Approle { mount, role_id } => {
            AuthSpec::Approle { mount: mount.clone(), role_id: role_id.clone() }
        }
    }
}

impl Vault {
    /// Adds a remote. `credential` is the token (token auth; optional: without one, VAULT_TOKEN or
    /// ~/.vault-token are used at each connection) or the AppRole secret_id (required); it goes to
    /// the OS keychain only. Nothing is sent to the server: `remote_test` checks the connection.
    /// A plain `http://` address is refused unless it is this machine (see
    /// [`Vault::remote_add_allowing_http`]); an address with `user:pass@` is refused.
    pub fn remote_add(
        &mut self,
        spec: &RemoteSpec,
        credential: Option<&RemoteCredential>,
    ) -> Result<RemoteInfo> {
        self.remote_add_checked(spec, credential, false)
    }

    /// `remote_add`, with plain http to a host other than this machine allowed or not.
    pub(crate) fn remote_add_checked(
        &mut self,
        spec: &RemoteSpec,
        credential: Option<&RemoteCredential>,
        allow_http: bool,
    ) -> Result<RemoteInfo> {
        let credential = credential.filter(|c| !c.is_empty());
        let c = clean(spec, credential.is_some(), allow_http)?;
        if self.store().read()?.remote_by_name(&spec.name)?.is_some() {
            return Err(Error::RemoteExists { name: spec.name.clone() });
        }
        // The keychain entry is written first; if the row cannot be written it is removed again.
        let account = credential.map(|_| format!("{}/{}", self.vault_id(), spec.name));
        if let (Some(a), Some(cr)) = (&account, credential) {
            auth::store(a, cr)?;
        }
        let mut rec = RemoteRecord {
            id: 0,
            name: spec.name.clone(),
            addr: c.addr,
            namespace: c.namespace,
            mount: c.mount,
            prefix: c.prefix,
            ca_cert: c.ca_cert,
            skip_verify: spec.skip_verify,
            auth: c.auth,
            keychain_account: account.clone(),
            created_at: crate::timefmt::now(),
            mac: None,
        };
        let inserted = (|| -> Result<()> {
            let (keys, store) = self.parts()?;
            let tx = store.write()?;
            tx.insert_remote(keys, &mut rec)?;
            let detail = format!("added remote {} ({})", rec.name, rec.addr);
            audit::append(&tx, Some(keys), Action::RemoteConfig, None, Outcome::Ok, Some(&detail))?;
            tx.commit()
        })();
        if let Err(e) = inserted {
            if let Some(a) = &account {
                let _ = auth::delete(a);
            }
            return Err(e);
        }
        Ok(self.remote_row(&spec.name)?.info)
    }

    /// Changes a remote's address, namespace, mount, prefix, TLS settings or auth. A new
    /// `credential` replaces the stored one; without one the stored one is kept (it is required
    /// when switching to AppRole without one stored).
    ///
    /// The sync history (what both sides last agreed on, per folder and key) is kept across a
    /// change of address, TLS or auth: the same secrets reached another way. A new namespace,
    /// mount or prefix is another place, whose secrets that history does not describe: kept, it
    /// would call every key "removed on the remote" (and `--keep-remote` would trash them
    /// here), so it is dropped in the same transaction and the next plan compares values afresh.
    pub fn remote_update(
        &mut self,
        spec: &RemoteSpec,
        credential: Option<&RemoteCredential>,
        allow_http: bool,
    ) -> Result<RemoteUpdated> {
        let old = self.remote_row(&spec.name)?;
        let credential = credential.filter(|c| !c.is_empty());
        let c = clean(spec, credential.is_some() || old.keychain_account.is_some(), allow_http)?;
        let account = match (credential, &old.keychain_account) {
            (Some(cr), existing) => {
                let a = existing
                    .clone()
                    .unwrap_or_else(|| format!("{}/{}", self.vault_id(), spec.name));
                auth::store(&a, cr)?;
                Some(a)
            }
            (None, existing) => existing.clone(),
        };
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        let mut rec = tx
            .remote_by_name(&spec.name)?
            .ok_or_else(|| Error::NoRemote { name: spec.name.clone() })?;
        let before = rec.addr.clone();
        let was = Place::of(&rec);
        rec.addr = c.addr;
        rec.namespace = c.namespace;
        rec.mount = c.mount;
        rec.prefix = c.prefix;
        rec.ca_cert = c.ca_cert;
        rec.skip_verify = spec.skip_verify;
        rec.auth = c.auth;
        rec.keychain_account = account;
        tx.update_remote(keys, &mut rec)?;
        let history = if was != Place::of(&rec) {
            match tx.clear_sync(rec.id)? as u64 {
                0 => SyncHistory::None,
                folders => SyncHistory::Dropped { folders, was: was.to_string() },
            }
        } else if old.info.synced_folders == 0 {
            SyncHistory::None
        } else {
            SyncHistory::Kept
        };
        let mut detail = format!("changed remote {} ({before} -> {})", rec.name, rec.addr);
        if let SyncHistory::Dropped { folders, was } = &history {
            detail += &format!(
                "; moved from {was} to {}: sync history of {folders} folder(s) dropped",
                Place::of(&rec)
            );
        }
        audit::append(&tx, Some(keys), Action::RemoteConfig, None, Outcome::Ok, Some(&detail))?;
        tx.commit()?;
        Ok(RemoteUpdated { info: self.remote_row(&spec.name)?.info, history })
    }

    /// The configured remotes, by name (checked against their MACs when unlocked).
    pub fn remotes(&self) -> Result<Vec<RemoteInfo>> {
        let names: Vec<String> =
            self.store().read()?.remotes()?.into_iter().map(|r| r.name).collect();
        names.iter().map(|n| self.remote_row(n).map(|r| r.info)).collect()
    }

    /// Removes a remote, its sync state and its keychain entry. The server is not touched.
    pub fn remote_remove(&mut self, name: &str) -> Result<()> {
        let row = self.remote_row(name)?;
        if let Some(a) = &row.keychain_account {
            auth::delete(a)?;
        }
        let (keys, store) = self.parts()?;
        let tx = store.write()?;
        tx.delete_remote(keys, row.id)?;
        let detail = format!("removed remote {name}");
        audit::append(&tx, Some(keys), Action::RemoteConfig, None, Outcome::Ok, Some(&detail))?;
        tx.commit()
    }

    /// A configured remote. When the vault is unlocked its MAC is checked first: an address,
    /// mount, prefix, namespace, TLS setting or auth changed outside Hush is an integrity error,
    /// and nothing is sent anywhere.
    pub(crate) fn remote_row(&self, name: &str) -> Result<RemoteRow> {
        let tx = self.store().read()?;
        let rec = tx.remote_by_name(name)?.ok_or_else(|| Error::NoRemote { name: name.into() })?;
        if let Some(keys) = self.keys_opt() {
            if !keys.row_mac_ok(&rec.mac_input(), rec.mac.as_deref()) {
                return Err(Error::Integrity {
                    what: format!(
                        "the remote '{name}' (its address, mount, prefix, namespace, TLS or auth settings were changed outside Hush)"
                    ),
                });
            }
            // An older row of this remote (an address it once had) carries a valid MAC too.
            tx.check_anchor(keys)?;
        }
        let synced_folders = tx.synced_folders(rec.id)?.len() as u64;
        let info = RemoteInfo {
            spec: RemoteSpec {
                name: rec.name.clone(),
                addr: rec.addr.clone(),
                namespace: rec.namespace.clone(),
                mount: rec.mount.clone(),
                prefix: rec.prefix.clone(),
                ca_cert: rec.ca_cert.clone(),
                skip_verify: rec.skip_verify,
                auth: auth_spec(&rec.auth),
            },
            credential_in_keychain: rec.keychain_account.is_some(),
            synced_folders,
            created_at: rec.created_at,
        };
        Ok(RemoteRow { id: rec.id, info, keychain_account: rec.keychain_account })
    }
}

impl RemoteRow {
    /// The connection target: stored settings first, then VAULT_NAMESPACE, VAULT_CACERT and
    /// VAULT_SKIP_VERIFY as the vault CLI reads them.
    pub(crate) fn target(&self) -> Target {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let i = &self.info.spec;
        Target {
            addr: i.addr.clone(),
            namespace: i.namespace.clone().or_else(env_namespace),
            mount: i.mount.clone(),
            prefix: i.prefix.clone(),
            ca_cert: i.ca_cert.clone().or_else(|| env("VAULT_CACERT")),
            skip_verify: i.skip_verify || env("VAULT_SKIP_VERIFY").is_some_and(|v| truthy(&v)),
        }
    }

    /// Resolves the credential (keychain, env, token file) and connects (AppRole logs in).
    pub(crate) async fn connect(&self) -> Result<Conn> {
        match &self.info.spec.auth {
            AuthSpec::Token => {
                Conn::connect(
                    self.target(),
                    Some(auth::resolve_token(self.keychain_account.as_deref())?),
                    None,
                )
                .await
            }
            AuthSpec::Approle { mount, role_id } => {
                let secret_id = match &self.keychain_account {
                    Some(a) => auth::load(a)?,
                    None => None,
                }
                .ok_or_else(|| Error::RemoteAuth {
                    credential: Some(TokenSource::AppRole),
                    detail: format!(
                        "the AppRole secret_id of remote '{}' is not in the keychain",
                        self.info.spec.name
                    ),
                })?;
                Conn::connect(
                    self.target(),
                    None,
                    Some(AppRole { mount: mount.clone(), role_id: role_id.clone(), secret_id }),
                )
                .await
            }
        }
    }
}
