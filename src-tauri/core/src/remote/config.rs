//! Configured remotes: stored in the `remotes` table, credentials in the OS keychain, and turned
//! into a connection with the vault CLI's environment variables filling what is not stored.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::auth::{self, RemoteCredential};
use super::client::{AppRole, Conn, Target};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::path::FolderPath;
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
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub ca_cert: Option<String>,
    pub skip_verify: bool,
    pub auth: AuthSpec,
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

/// The stored row, for connecting.
pub(crate) struct RemoteRow {
    pub id: i64,
    pub info: RemoteInfo,
    pub keychain_account: Option<String>,
}

fn check_name(name: &str) -> Result<()> {
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

    pub(crate) fn remote_add_checked(
        &mut self,
        spec: &RemoteSpec,
        credential: Option<&RemoteCredential>,
        allow_http: bool,
    ) -> Result<RemoteInfo> {
        check_name(&spec.name)?;
        let addr = spec.addr.trim().trim_end_matches('/').to_string();
        super::addr::check(&addr, allow_http)?;
        match reqwest::Url::parse(&addr) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(Error::InvalidInput(format!(
                    "'{}' is not an http(s) address such as https://vault.example.com:8200",
                    addr.escape_debug()
                )))
            }
        }
        let mount = clean_path("mount", &spec.mount, false)?;
        let prefix = clean_path("prefix", &spec.prefix, true)?;
        let namespace = spec
            .namespace
            .as_deref()
            .map(|n| n.trim_matches('/').to_string())
            .filter(|n| !n.is_empty());
        let ca_cert = spec.ca_cert.clone().filter(|c| !c.is_empty());
        if let Some(c) = &ca_cert {
            if !std::path::Path::new(c).is_file() {
                return Err(Error::InvalidInput(format!(
                    "CA certificate file '{c}' does not exist"
                )));
            }
        }
        let credential = credential.filter(|c| !c.is_empty());
        let (auth_kind, approle_mount, role_id) = match &spec.auth {
            AuthSpec::Token => ("token", None, None),
            AuthSpec::Approle { mount, role_id } => {
                if role_id.trim().is_empty() || credential.is_none() {
                    return Err(Error::InvalidInput(
                        "AppRole needs a role_id and a secret_id".into(),
                    ));
                }
                (
                    "approle",
                    Some(clean_path("AppRole mount", mount, false)?),
                    Some(role_id.trim().to_string()),
                )
            }
        };
        let exists: Option<i64> = self
            .conn()
            .query_row("SELECT id FROM remotes WHERE name = ?1", [&spec.name], |r| r.get(0))
            .optional()?;
        if exists.is_some() {
            return Err(Error::AlreadyExists {
                path: format!("remote '{}' (remove it first with `hush remote rm`)", spec.name),
            });
        }
        // The keychain entry is written first; if the row cannot be written it is removed again.
        let account = credential.map(|_| format!("{}/{}", self.vault_id(), spec.name));
        if let (Some(a), Some(c)) = (&account, credential) {
            auth::store(a, c)?;
        }
        let inserted = (|| -> Result<()> {
            let tx = self.tx()?;
            tx.execute(
                "INSERT INTO remotes (name, addr, namespace, mount, prefix, ca_cert, skip_verify, auth, approle_mount, role_id, keychain_account, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![spec.name, addr, namespace, mount, prefix, ca_cert, spec.skip_verify, auth_kind, approle_mount, role_id, account, crate::timefmt::now()],
            )?;
            audit::append(
                &tx,
                Action::RemoteConfig,
                None,
                "ok",
                Some(&format!("added remote {} ({addr}, {auth_kind})", spec.name)),
            )?;
            tx.commit()?;
            Ok(())
        })();
        if let Err(e) = inserted {
            if let Some(a) = &account {
                let _ = auth::delete(a);
            }
            return Err(e);
        }
        Ok(self.remote_row(&spec.name)?.info)
    }

    /// The configured remotes, by name.
    pub fn remotes(&self) -> Result<Vec<RemoteInfo>> {
        let names: Vec<String> = {
            let mut st = self.conn().prepare("SELECT name FROM remotes ORDER BY name")?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        names.iter().map(|n| self.remote_row(n).map(|r| r.info)).collect()
    }

    /// Removes a remote, its sync state and its keychain entry. The server is not touched.
    pub fn remote_remove(&mut self, name: &str) -> Result<()> {
        let row = self.remote_row(name)?;
        if let Some(a) = &row.keychain_account {
            auth::delete(a)?;
        }
        let tx = self.tx()?;
        tx.execute("DELETE FROM remote_keys WHERE remote_id = ?1", [row.id])?;
        tx.execute("DELETE FROM remotes WHERE id = ?1", [row.id])?;
        audit::append(
            &tx,
            Action::RemoteConfig,
            None,
            "ok",
            Some(&format!("removed remote {name}")),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub(crate) fn remote_row(&self, name: &str) -> Result<RemoteRow> {
        type Row = (
            i64,
            String,
            Option<String>,
            String,
            String,
            Option<String>,
            bool,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
        );
        let row: Option<Row> = self
            .conn()
            .query_row(
                "SELECT id, addr, namespace, mount, prefix, ca_cert, skip_verify, auth, approle_mount, role_id, keychain_account, created_at FROM remotes WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?)),
            )
            .optional()?;
        let (
            id,
            addr,
            namespace,
            mount,
            prefix,
            ca_cert,
            skip_verify,
            auth,
            approle_mount,
            role_id,
            keychain_account,
            created_at,
        ) = row.ok_or_else(|| {
            Error::InvalidInput(format!(
                "no remote named '{name}'; see `hush remote ls`, or add one with `hush remote add`"
            ))
        })?;
        let synced_folders: u64 = self.conn().query_row(
            "SELECT count(*) FROM remote_folders WHERE remote_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let auth = match auth.as_str() {
            "approle" => AuthSpec::Approle {
                mount: approle_mount.unwrap_or_else(|| "approle".into()),
                role_id: role_id.unwrap_or_default(),
            },
            _ => AuthSpec::Token,
        };
        let info = RemoteInfo {
            spec: RemoteSpec {
                name: name.to_string(),
                addr,
                namespace,
                mount,
                prefix,
                ca_cert,
                skip_verify,
                auth,
            },
            credential_in_keychain: keychain_account.is_some(),
            synced_folders,
            created_at,
        };
        Ok(RemoteRow { id, info, keychain_account })
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
            namespace: i
                .namespace
                .clone()
                .or_else(|| env("VAULT_NAMESPACE").map(|n| n.trim_matches('/').to_string())),
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
                .ok_or_else(|| Error::RemoteAuth(format!("the AppRole secret_id of remote '{}' is not in the keychain; add the remote again", self.info.spec.name)))?;
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
