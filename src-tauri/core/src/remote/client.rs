//! The connection to one remote: a vaultrs client built from the remote's settings and the vault
//! CLI's environment, AppRole re-login, retries with backoff, error classification, and the KV
//! calls Hush needs (v1 and v2). Raw HTTP only for the few endpoints vaultrs lacks (health with
//! sealed status, mount preflight, capabilities-self).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::Value;
use vaultrs::api::kv2::requests::{
    ReadSecretRequest, SetSecretMetadataRequestBuilder, SetSecretRequestOptions,
};
use vaultrs::client::{VaultClient, VaultClientSettingsBuilder};
use vaultrs::error::ClientError;

use super::auth::{RemoteCredential, TokenSource};
use super::mapping::{fields_from_json, ExposedFields, Fields};
use crate::error::{Error, Result};

/// Where and how to connect, resolved from the stored remote and the environment.
pub(crate) struct Target {
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub ca_cert: Option<String>,
    pub skip_verify: bool,
}

pub(crate) struct AppRole {
    pub mount: String,
    pub role_id: String,
    pub secret_id: RemoteCredential,
}

/// The largest answer read from the server (KV secrets are at most a few MiB; Vault's own request
/// limit is 32 MiB).
const MAX_RESPONSE_BYTES: usize = 32 << 20;

/// Why a request failed, before it becomes an [`Error`] with context.
#[derive(Debug)]
pub(crate) enum Failure {
    Connect(String),
    Tls(String),
    Status { code: u16, errors: Vec<String> },
    Other(String),
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Connect(_) => true,
            Failure::Status { code, .. } => (*code >= 500 && !self.is_sealed()) || *code == 429,
            _ => false,
        }
    }
    pub(crate) fn is_sealed(&self) -> bool {
        matches!(self, Failure::Status { code: 503, errors } if errors.iter().any(|e| e.contains("sealed")))
    }
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Failure::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
    pub(crate) fn is_cas_mismatch(&self) -> bool {
        matches!(self, Failure::Status { code: 400, errors } if errors.iter().any(|e| e.contains("check-and-set")))
    }
    fn detail(errors: &[String]) -> String {
        let text: Vec<String> = errors
            .iter()
            .map(|e| e.replace(['\n', '\t'], " ").trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        if text.is_empty() {
            "no detail".into()
        } else {
            super::mapping::truncate_bytes(&text.join("; "), 300)
        }
    }

    /// The user-facing error for a failure of `what` on `path` (a full API path, e.g.
    /// `secret/data/myapp/dev`) at `addr`.
    pub(crate) fn into_error(self, addr: &str, what: &str, path: &str) -> Error {
        match self {
            Failure::Connect(m) => Error::RemoteUnreachable(format!("{addr}: {m} (check the address and that the server runs)")),
            Failure::Tls(m) => Error::RemoteTls(format!(
                "{addr}: {m}; for a private CA pass --ca-cert FILE or set VAULT_CACERT, or --skip-verify for a dev server"
            )),
            f @ Failure::Status { code: 503, .. } if f.is_sealed() => {
                Error::RemoteSealed(format!("{addr} must be unsealed first (`vault operator unseal`)"))
            }
            Failure::Status { code: 403, errors } => Error::RemoteDenied { path: path.to_string(), detail: format!("{what}: {}", Self::detail(&errors)) },
            Failure::Status { code, errors } => Error::Remote(format!("{what} {path} at {addr}: HTTP {code}: {}", Self::detail(&errors))),
            Failure::Other(m) => Error::Remote(format!("{what} {path} at {addr}: {m}")),
        }
    }
}

/// Walks an error's source chain: TLS problems by their text, connection problems by reqwest's
/// classification. The texts hold the URL and the OS reason, never a body.
fn classify_transport(e: &(dyn std::error::Error + 'static)) -> Failure {
    let mut text = Vec::new();
    let mut connect = false;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<reqwest::Error>() {
            connect |= r.is_connect() || r.is_timeout() || r.is_request();
        }
        let s = err.to_string();
        if !text.contains(&s) {
            text.push(s);
        }
        cur = err.source();
    }
    let joined = text.join(": ");
    let lower = joined.to_lowercase();
    if ["certificate", "tls", "handshake", "unknownissuer", "invalid peer"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Failure::Tls(joined)
    } else if connect
        || ["connection refused", "dns error", "connect", "timed out", "reset"]
            .iter()
            .any(|w| lower.contains(w))
    {
        Failure::Connect(joined)
    } else {
        Failure::Other(joined)
    }
}

pub(crate) fn classify(e: ClientError) -> Failure {
    match e {
        ClientError::APIError { code, errors } => Failure::Status { code, errors },
        ClientError::RestClientError { source } => match source {
            rustify::errors::ClientError::ServerResponseError { code, .. } => {
                Failure::Status { code, errors: vec![] }
            }
            rustify::errors::ClientError::RequestError { source, .. } => {
                classify_transport(source.as_ref())
            }
            rustify::errors::ClientError::ResponseError { source } => {
                classify_transport(source.as_ref())
            }
            // Parse errors can quote the body, which may hold values: say only what failed.
            _ => Failure::Other("unexpected response from the server".into()),
        },
        ClientError::ResponseEmptyError | ClientError::ResponseDataEmptyError => {
            Failure::Other("empty response".into())
        }
        ClientError::JsonParseError { .. } => {
            Failure::Other("unexpected response from the server".into())
        }
        ClientError::FileReadError { path, .. } | ClientError::FileNotFoundError { path } => {
            Failure::Other(format!("cannot read {path}"))
        }
        ClientError::ParseCertificateError { path, .. } => {
            Failure::Tls(format!("{path} is not a PEM certificate"))
        }
        other => Failure::Other(other.to_string()),
    }
}

/// One remote secret as read: its fields and KV v2 facts.
pub(crate) struct RemoteSecret {
    /// Current version (0 on KV v1).
    pub version: u64,
    pub fields: Fields,
    pub custom: BTreeMap<String, String>,
    /// The latest version is soft-deleted (fields are empty; writes must CAS on `version`).
    pub deleted: bool,
}

/// A connected client. Cheap to share between tasks (`Arc<Conn>`).
pub(crate) struct Conn {
    client: RwLock<Arc<VaultClient>>,
    target: Target,
    approle: Option<AppRole>,
    pub token_source: TokenSource,
    /// 1 or 2, known after `preflight`.
    pub kv: u8,
}

const MAX_ATTEMPTS: u32 = 5;

fn build_client(t: &Target, token: &str) -> Result<VaultClient> {
    let url = reqwest::Url::parse(&t.addr).map_err(|_| {
        Error::InvalidInput(format!(
            "'{}' is not a URL (e.g. https://vault.example.com:8200)",
            t.addr
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidInput(format!(
            "'{}': the address must start with http:// or https://",
            t.addr
        )));
    }
    let mut b = VaultClientSettingsBuilder::default();
    b.address(&t.addr)
        .token(token)
        .verify(!t.skip_verify)
        .timeout(Some(Duration::from_secs(30)))
        .ca_certs(t.ca_cert.iter().cloned().collect());
    if let Some(ns) = &t.namespace {
        b.set_namespace(ns.clone());
    }
    let settings = b.build().map_err(|e| Error::InvalidInput(format!("remote settings: {e}")))?;
    VaultClient::new(settings)
        .map_err(|e| classify(e).into_error(&t.addr, "configure the client for", &t.addr))
}

impl Conn {
    /// Builds the client and logs in (AppRole). No request is made for token auth.
    pub(crate) async fn connect(
        target: Target,
        token: Option<(RemoteCredential, TokenSource)>,
        approle: Option<AppRole>,
    ) -> Result<Conn> {
        let (token, source) = match token {
            Some((t, s)) => (t, s),
            None => (RemoteCredential::new(String::new()), TokenSource::AppRole),
        };
        let client = build_client(&target, token.expose())?;
        let conn = Conn {
            client: RwLock::new(Arc::new(client)),
            target,
            approle,
            token_source: source,
            kv: 2,
        };
        if conn.approle.is_some() {
            conn.login().await?;
        }
        Ok(conn)
    }

    pub(crate) fn target(&self) -> &Target {
        &self.target
    }

    fn snapshot(&self) -> Arc<VaultClient> {
        self.client.read().expect("client lock").clone()
    }

    /// AppRole login: a fresh token, kept in memory only.
    async fn login(&self) -> Result<()> {
        let a = self.approle.as_ref().expect("approle configured");
        let path = format!("auth/{}/login", a.mount);
        let auth = vaultrs::auth::approle::login(&*self.snapshot(), &a.mount, &a.role_id, a.secret_id.expose())
            .await
            .map_err(|e| match classify(e) {
                Failure::Status { code: 400 | 403, errors } => Error::RemoteAuth(format!(
                    "AppRole login at {path} was refused ({}); check the role_id and the secret_id stored in the keychain",
                    Failure::detail(&errors)
                )),
                f => f.into_error(&self.target.addr, "AppRole login at", &path),
            })?;
        let token = zeroize::Zeroizing::new(auth.client_token);
        let fresh = build_client(&self.target, &token)?;
        *self.client.write().expect("client lock") = Arc::new(fresh);
        Ok(())
    }

    /// Runs `op` with retries: connection errors, 5xx and 429 back off (0.2 s doubling, at most
    /// 5 attempts); a 403 under AppRole logs in again once (the token may have expired).
    pub(crate) async fn call<T, F, Fut>(&self, mut op: F) -> std::result::Result<T, Failure>
    where
        F: FnMut(Arc<VaultClient>) -> Fut,
        Fut: Future<Output = std::result::Result<T, ClientError>>,
    {
        let mut attempt = 0;
        let mut relogged = false;
        loop {
            attempt += 1;
            let failure = match op(self.snapshot()).await {
                Ok(v) => return Ok(v),
                Err(e) => classify(e),
            };
            if failure.status() == Some(403) && self.approle.is_some() && !relogged {
                relogged = true;
                if self.login().await.is_ok() {
                    continue;
                }
            }
            if !failure.retryable() || attempt >= MAX_ATTEMPTS {
                return Err(failure);
            }
            // Jitter from the clock keeps concurrent retries from hitting the server in lockstep.
            let jitter = u64::from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .subsec_millis()
                    % 100,
            );
            tokio::time::sleep(Duration::from_millis((200u64 << (attempt - 1)).min(3000) + jitter))
                .await;
        }
    }

    pub(crate) fn err(&self, f: Failure, what: &str, path: &str) -> Error {
        f.into_error(&self.target.addr, what, path)
    }

    /// The API path of a KV secret, for messages: `secret/data/p` (v2) or `kv/p` (v1).
    pub(crate) fn api_path(&self, path: &str) -> String {
        if self.kv == 2 {
            format!("{}/data/{path}", self.target.mount)
        } else {
            format!("{}/{path}", self.target.mount)
        }
    }

    /// The current fields of `path`, or `None` when no secret is there.
    pub(crate) async fn read(&self, path: &str) -> Result<Option<RemoteSecret>> {
        let mount = self.target.mount.as_str();
        let api = self.api_path(path);
        if self.kv == 1 {
            let got =
                self.call(|c| async move { vaultrs::kv1::get_raw(&*c, mount, path).await }).await;
            return match got {
                Ok(r) => Ok(Some(RemoteSecret {
                    version: 0,
                    fields: self.fields(r.data, &api)?,
                    custom: BTreeMap::new(),
                    deleted: false,
                })),
                Err(f) if f.status() == Some(404) => Ok(None),
                Err(f) => Err(self.err(f, "read", &api)),
            };
        }
        let got = self
            .call(|c| async move {
                let ep = ReadSecretRequest::builder()
                    .mount(mount)
                    .path(path)
                    .build()
                    .expect("all fields set");
                vaultrs::api::exec_with_result(&*c, ep).await
            })
            .await;
        match got {
            Ok(r) => Ok(Some(RemoteSecret {
                version: r.metadata.version,
                fields: self.fields(r.data, &api)?,
                custom: r.metadata.custom_metadata.unwrap_or_default().into_iter().collect(),
                deleted: false,
            })),
            // 404 on data also means "latest version deleted": the metadata still exists and a
            // check-and-set write must name its current version.
            Err(f) if f.status() == Some(404) => {
                Ok(self.read_metadata(path).await?.map(|m| RemoteSecret {
                    version: m.current_version,
                    fields: Fields::new(),
                    custom: m.custom_metadata.unwrap_or_default().into_iter().collect(),
                    deleted: true,
                }))
            }
            Err(f) => Err(self.err(f, "read", &api)),
        }
    }

    fn fields(&self, data: Value, api: &str) -> Result<Fields> {
        fields_from_json(data).ok_or_else(|| {
            Error::Remote(format!(
                "{api} does not hold a map of fields; Hush cannot map it to a folder"
            ))
        })
    }

    /// The fields of one KV v2 version (`None` when deleted or destroyed).
    pub(crate) async fn read_version(&self, path: &str, version: u64) -> Result<Option<Fields>> {
        let mount = self.target.mount.as_str();
        let got = self
            .call(|c| async move {
                let ep = ReadSecretRequest::builder()
                    .mount(mount)
                    .path(path)
                    .version(Some(version))
                    .build()
                    .expect("all fields set");
                vaultrs::api::exec_with_result(&*c, ep).await
            })
            .await;
        match got {
            Ok(r) => Ok(fields_from_json(r.data)),
            Err(f) if f.status() == Some(404) => Ok(None),
            Err(f) => Err(self.err(f, "read", &self.api_path(path))),
        }
    }

    pub(crate) async fn read_metadata(
        &self,
        path: &str,
    ) -> Result<Option<vaultrs::api::kv2::responses::ReadSecretMetadataResponse>> {
        let mount = self.target.mount.as_str();
        match self
            .call(|c| async move { vaultrs::kv2::read_metadata(&*c, mount, path).await })
            .await
        {
            Ok(m) => Ok(Some(m)),
            Err(f) if f.status() == Some(404) => Ok(None),
            Err(f) => Err(self.err(f, "read metadata of", &format!("{mount}/metadata/{path}"))),
        }
    }

    /// Writes all `fields` at `path`. KV v2: check-and-set on `cas` (0 = must not exist); returns
    /// the new version. A CAS mismatch comes back as `Err(Failure)` for the caller to resolve.
    pub(crate) async fn write(
        &self,
        path: &str,
        fields: &Fields,
        cas: u64,
    ) -> std::result::Result<u64, Failure> {
        let mount = self.target.mount.as_str();
        if self.kv == 1 {
            let map: std::collections::HashMap<&str, &str> =
                fields.iter().map(|(k, v)| (k.as_str(), v.expose_str())).collect();
            let map = &map;
            return self
                .call(|c| async move { vaultrs::kv1::set(&*c, mount, path, map).await })
                .await
                .map(|_| 0);
        }
        let cas = u32::try_from(cas).map_err(|_| Failure::Other("version out of range".into()))?;
        self.call(|c| async move {
            let opts = SetSecretRequestOptions { cas };
            vaultrs::kv2::set_with_options(&*c, mount, path, &ExposedFields(fields), opts).await
        })
        .await
        .map(|m| m.version)
    }

    /// Replaces the secret's `custom_metadata` (KV v2 only).
    pub(crate) async fn write_custom(
        &self,
        path: &str,
        custom: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mount = self.target.mount.as_str();
        let map: std::collections::HashMap<String, String> = custom.clone().into_iter().collect();
        let map = &map;
        self.call(|c| async move {
            let mut b = SetSecretMetadataRequestBuilder::default();
            b.custom_metadata(map.clone());
            vaultrs::kv2::set_metadata(&*c, mount, path, Some(&mut b)).await
        })
        .await
        .map_err(|f| self.err(f, "write custom_metadata of", &format!("{mount}/metadata/{path}")))
    }

    /// One level of the listing under `dir` ("" = the mount's root): names, directories end in `/`.
    pub(crate) async fn list(&self, dir: &str) -> Result<Vec<String>> {
        let mount = self.target.mount.as_str();
        let got = if self.kv == 1 {
            self.call(
                |c| async move { vaultrs::kv1::list(&*c, mount, dir).await.map(|r| r.data.keys) },
            )
            .await
        } else {
            self.call(|c| async move { vaultrs::kv2::list(&*c, mount, dir).await }).await
        };
        match got {
            Ok(keys) => Ok(keys),
            Err(f) if f.status() == Some(404) => Ok(Vec::new()),
            Err(f) => Err(self.err(
                f,
                "list",
                &format!("{mount}/{}{dir}", if self.kv == 2 { "metadata/" } else { "" }),
            )),
        }
    }

    /// The mount's `max_versions` (KV v2), when the token may read the config.
    pub(crate) async fn max_versions(&self) -> Option<u64> {
        let mount = self.target.mount.as_str();
        let cfg = self
            .call(|c| async move { vaultrs::kv2::config::read(&*c, mount).await })
            .await
            .ok()?;
        // 0 means Vault's default of 10.
        Some(if cfg.max_versions == 0 { 10 } else { cfg.max_versions })
    }

    /// A raw JSON request, for endpoints vaultrs does not cover. Error bodies are parsed for the
    /// `errors` list only.
    pub(crate) async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<Value, Failure> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let c = self.snapshot();
            let url = format!("{}/v1/{path}", c.settings.address.as_str().trim_end_matches('/'));
            let mut req = c.http.http.request(method.clone(), &url);
            if !c.settings.token.is_empty() {
                req = req.header("X-Vault-Token", c.settings.token.as_str());
            }
            if let Some(ns) = &c.settings.namespace {
                req = req.header("X-Vault-Namespace", ns.as_str());
            }
            if let Some(b) = &body {
                req = req.header("Content-Type", "application/json").body(b.to_string());
            }
            let failure = match req.send().await {
                Err(e) => classify_transport(&e),
                Ok(mut resp) => {
                    let code = resp.status().as_u16();
                    // Bounded: a hostile or confused server must not make us buffer without end.
                    let mut bytes = Vec::new();
                    while let Some(chunk) =
                        resp.chunk().await.map_err(|e| classify_transport(&e))?
                    {
                        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                            return Err(Failure::Other(format!("the answer is larger than {} MiB; is this a Vault / OpenBao address?", MAX_RESPONSE_BYTES >> 20)));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    let parsed = serde_json::from_slice::<Value>(&bytes);
                    if (200..300).contains(&code) {
                        return match parsed {
                            Ok(json) => Ok(json),
                            Err(_) if bytes.is_empty() => Ok(Value::Null),
                            Err(_) => Err(Failure::Other("the answer is not Vault's JSON API; is this a Vault / OpenBao address?".into())),
                        };
                    }
                    let json = parsed.unwrap_or(Value::Null);
                    let errors = json
                        .get("errors")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(|e| e.as_str().map(String::from)).collect())
                        .unwrap_or_default();
                    Failure::Status { code, errors }
                }
            };
            if !failure.retryable() || attempt >= 3 {
                return Err(failure);
            }
            tokio::time::sleep(Duration::from_millis(200 << (attempt - 1))).await;
        }
    }
}
