//! The connection to one remote: the remote's settings, its token (AppRole re-login), retries
//! with backoff, error classification, and the Vault API calls Hush makes (KV v1 and v2, health,
//! mounts, capabilities), all through the one bounded, redirect-safe client of `http`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::auth::{RemoteCredential, TokenSource};
use super::http::{self, Request};
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
    pub(crate) fn detail(errors: &[String]) -> String {
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
pub(crate) fn classify_transport(e: &(dyn std::error::Error + 'static)) -> Failure {
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

/// How deep discovery walks the listing below the prefix, and how many entries it reads in all:
/// a server that lists a directory inside itself, or millions of entries, gets an error instead
/// of a walk without end.
pub(crate) const MAX_DISCOVERY_DEPTH: usize = 32;
pub(crate) const MAX_DISCOVERY_ENTRIES: usize = 100_000;

/// Checks discovery's bounds after a listing at `depth` (1 = the prefix) with `entries` so far.
pub(crate) fn discovery_bound(prefix: &str, depth: usize, entries: usize) -> Result<()> {
    let under = if prefix.is_empty() { "the mount".to_string() } else { format!("'{prefix}'") };
    if depth > MAX_DISCOVERY_DEPTH {
        return Err(Error::Remote(format!(
            "the listing under {under} goes deeper than {MAX_DISCOVERY_DEPTH} levels; Hush stopped discovering folders (name the folders to pull, or check the server)"
        )));
    }
    if entries > MAX_DISCOVERY_ENTRIES {
        return Err(Error::Remote(format!(
            "the listing under {under} holds more than {MAX_DISCOVERY_ENTRIES} entries; Hush stopped discovering folders (name the folders to pull, or use a narrower prefix)"
        )));
    }
    Ok(())
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

/// A KV v2 secret's metadata (`<mount>/metadata/<path>`).
#[derive(Debug, Deserialize)]
pub(crate) struct SecretMetadata {
    pub current_version: u64,
    #[serde(default)]
    pub custom_metadata: Option<HashMap<String, String>>,
    #[serde(default)]
    pub versions: HashMap<String, VersionMetadata>,
}

/// One version in a KV v2 secret's metadata.
#[derive(Debug, Deserialize)]
pub(crate) struct VersionMetadata {
    #[serde(default)]
    pub created_time: String,
    #[serde(default)]
    pub deletion_time: String,
    #[serde(default)]
    pub destroyed: bool,
}

/// A connected client. Cheap to share between tasks (`Arc<Conn>`).
pub(crate) struct Conn {
    http: reqwest::Client,
    base: reqwest::Url,
    /// The token in use (replaced by an AppRole re-login).
    token: RwLock<Arc<Zeroizing<String>>>,
    target: Target,
    approle: Option<AppRole>,
    pub token_source: TokenSource,
    /// 1 or 2, known after `preflight`.
    pub kv: u8,
}

/// Attempts of a KV call (connection errors, 5xx and 429 are retried) and of a raw call.
const MAX_ATTEMPTS: u32 = 5;
const RAW_ATTEMPTS: u32 = 3;

/// `LIST`, Vault's listing verb.
fn list_method() -> Method {
    Method::from_bytes(b"LIST").expect("a valid method name")
}

/// A JSON body, kept in a buffer that is zeroized when dropped (bodies of writes hold values).
fn body(v: &impl serde::Serialize) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(serde_json::to_vec(v).expect("JSON of strings"))
}

/// Reads `what` out of a 2xx answer's JSON, or says the answer is not Vault's.
fn parse<T: serde::de::DeserializeOwned>(v: Value) -> std::result::Result<T, Failure> {
    serde_json::from_value(v).map_err(|_| {
        Failure::Other("unexpected answer from the server (not Vault's JSON API)".into())
    })
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
        let (client, base) = http::client(&target)?;
        let conn = Conn {
            http: client,
            base,
            token: RwLock::new(Arc::new(Zeroizing::new(token.expose().to_string()))),
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

    fn token(&self) -> Arc<Zeroizing<String>> {
        self.token.read().expect("token lock").clone()
    }

    /// One request, no retry: the JSON of a 2xx answer (`Null` when empty), else the failure.
    async fn once(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
        token: Option<&str>,
    ) -> std::result::Result<Value, Failure> {
        let req = Request {
            method: method.clone(),
            path,
            token,
            namespace: self.target.namespace.as_deref(),
            body,
        };
        let (code, bytes) = http::send(&self.http, &self.base, &req).await?;
        let parsed = serde_json::from_slice::<Value>(&bytes);
        if (200..300).contains(&code) {
            return match parsed {
                Ok(json) => Ok(json),
                Err(_) if bytes.is_empty() => Ok(Value::Null),
                Err(_) => Err(Failure::Other(
                    "the answer is not Vault's JSON API; is this a Vault / OpenBao address?".into(),
                )),
            };
        }
        let json = parsed.unwrap_or(Value::Null);
        let errors = json
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|e| e.as_str().map(String::from)).collect())
            .unwrap_or_default();
        Err(Failure::Status { code, errors })
    }

    /// AppRole login: a fresh token, kept in memory only.
    async fn login(&self) -> Result<()> {
        let a = self.approle.as_ref().expect("approle configured");
        let path = format!("auth/{}/login", a.mount);
        let creds = body(&json!({ "role_id": a.role_id, "secret_id": a.secret_id.expose() }));
        let answer = self.once(&Method::POST, &path, Some(&creds), None).await;
        let token = answer
            .and_then(|v| match v["auth"]["client_token"].as_str() {
                Some(t) if !t.is_empty() => Ok(Zeroizing::new(t.to_string())),
                _ => Err(Failure::Other("the login answer holds no token".into())),
            })
            .map_err(|f| match f {
                Failure::Status { code: 400 | 403, errors } => Error::RemoteAuth(format!(
                    "AppRole login at {path} was refused ({}); check the role_id and the secret_id stored in the keychain",
                    Failure::detail(&errors)
                )),
                f => f.into_error(&self.target.addr, "AppRole login at", &path),
            })?;
        *self.token.write().expect("token lock") = Arc::new(token);
        Ok(())
    }

    /// A request with retries: connection errors, 5xx and 429 back off (0.2 s doubling, at most
    /// `attempts`); a 403 under AppRole logs in again once (the token may have expired).
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
        attempts: u32,
    ) -> std::result::Result<Value, Failure> {
        let mut attempt = 0;
        let mut relogged = false;
        loop {
            attempt += 1;
            let token = self.token();
            let failure = match self.once(&method, path, body, Some(token.as_str())).await {
                Ok(v) => return Ok(v),
                Err(f) => f,
            };
            if failure.status() == Some(403) && self.approle.is_some() && !relogged {
                relogged = true;
                if self.login().await.is_ok() {
                    continue;
                }
            }
            if !failure.retryable() || attempt >= attempts {
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

    /// A KV call (5 attempts).
    async fn kv_call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
    ) -> std::result::Result<Value, Failure> {
        self.request(method, path, body, MAX_ATTEMPTS).await
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
        let api = self.api_path(path);
        let got = self.kv_call(Method::GET, &api, None).await;
        if self.kv == 1 {
            return match got {
                Ok(r) => Ok(Some(RemoteSecret {
                    version: 0,
                    fields: self.fields(r["data"].clone(), &api)?,
                    custom: BTreeMap::new(),
                    deleted: false,
                })),
                Err(f) if f.status() == Some(404) => Ok(None),
                Err(f) => Err(self.err(f, "read", &api)),
            };
        }
        match got {
            Ok(mut r) => {
                let data = r["data"]["data"].take();
                let meta = &r["data"]["metadata"];
                let version = meta["version"].as_u64().ok_or_else(|| {
                    self.err(Failure::Other("the answer has no version".into()), "read", &api)
                })?;
                Ok(Some(RemoteSecret {
                    version,
                    fields: self.fields(data, &api)?,
                    custom: custom_of(&meta["custom_metadata"]),
                    deleted: false,
                }))
            }
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
        let api = self.api_path(path);
        match self.kv_call(Method::GET, &format!("{api}?version={version}"), None).await {
            Ok(mut r) => Ok(fields_from_json(r["data"]["data"].take())),
            Err(f) if f.status() == Some(404) => Ok(None),
            Err(f) => Err(self.err(f, "read", &api)),
        }
    }

    pub(crate) async fn read_metadata(&self, path: &str) -> Result<Option<SecretMetadata>> {
        let api = format!("{}/metadata/{path}", self.target.mount);
        match self.kv_call(Method::GET, &api, None).await.and_then(|mut v| parse(v["data"].take()))
        {
            Ok(m) => Ok(Some(m)),
            Err(f) if f.status() == Some(404) => Ok(None),
            Err(f) => Err(self.err(f, "read metadata of", &api)),
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
        let api = self.api_path(path);
        if self.kv == 1 {
            return self
                .kv_call(Method::POST, &api, Some(&body(&ExposedFields(fields))))
                .await
                .map(|_| 0);
        }
        let b = body(&json!({ "options": { "cas": cas }, "data": ExposedFields(fields) }));
        let r = self.kv_call(Method::POST, &api, Some(&b)).await?;
        r["data"]["version"]
            .as_u64()
            .ok_or_else(|| Failure::Other("the write answer has no version".into()))
    }

    /// Replaces the secret's `custom_metadata` (KV v2 only).
    pub(crate) async fn write_custom(
        &self,
        path: &str,
        custom: &BTreeMap<String, String>,
    ) -> Result<()> {
        let api = format!("{}/metadata/{path}", self.target.mount);
        self.kv_call(Method::POST, &api, Some(&body(&json!({ "custom_metadata": custom }))))
            .await
            .map(|_| ())
            .map_err(|f| self.err(f, "write custom_metadata of", &api))
    }

    /// One level of the listing under `dir` ("" = the mount's root): names, directories end in `/`.
    pub(crate) async fn list(&self, dir: &str) -> Result<Vec<String>> {
        let mount = self.target.mount.as_str();
        let api =
            if self.kv == 2 { format!("{mount}/metadata/{dir}") } else { format!("{mount}/{dir}") };
        match self
            .kv_call(list_method(), &api, None)
            .await
            .and_then(|mut v| parse(v["data"]["keys"].take()))
        {
            Ok(keys) => Ok(keys),
            Err(f) if f.status() == Some(404) => Ok(Vec::new()),
            Err(f) => Err(self.err(f, "list", &api)),
        }
    }

    /// The mount's `max_versions` (KV v2), when the token may read the config.
    pub(crate) async fn max_versions(&self) -> Option<u64> {
        let api = format!("{}/config", self.target.mount);
        let cfg = self.kv_call(Method::GET, &api, None).await.ok()?;
        let max = cfg["data"]["max_versions"].as_u64()?;
        // 0 means Vault's default of 10.
        Some(if max == 0 { 10 } else { max })
    }

    /// A request to any endpoint (health, mounts, capabilities), with fewer retries than KV calls.
    /// Error answers are parsed for the `errors` list only.
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<Value, Failure> {
        let b = body.map(|v| self::body(&v));
        self.request(method, path, b.as_ref(), RAW_ATTEMPTS).await
    }
}

/// `custom_metadata` as strings (anything else is left out).
fn custom_of(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}
