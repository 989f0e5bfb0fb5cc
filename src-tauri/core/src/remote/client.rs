//! The connection to one remote: the remote's settings, its token (AppRole re-login), retries
//! with backoff, error classification, and the Vault API calls Hush makes (KV v1 and v2, health,
//! mounts, capabilities), all through the one bounded, redirect-safe client of `http`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::auth::{RemoteCredential, TokenSource};
pub(crate) use super::failure::{classify_transport, discovery_bound, of_round, Failure};
use super::http::{self, Request};
use crate::error::{Error, Result};

mod kv;
pub(crate) use kv::{Gone, RemoteSecret};

/// Where and how to connect, resolved from the stored remote and the environment.
pub(crate) struct Target {
    /// One address, or several separated by commas (tried in order; see [`Target::addrs`]).
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub ca_cert: Option<String>,
    pub skip_verify: bool,
}

impl Target {
    /// The addresses, in the order they are tried.
    pub(crate) fn addrs(&self) -> Vec<&str> {
        split_addrs(&self.addr)
    }
}

/// The addresses of a stored address list (`a,b,c`), in order, empty entries left out.
pub(crate) fn split_addrs(list: &str) -> Vec<&str> {
    list.split(',').map(str::trim).filter(|a| !a.is_empty()).collect()
}

pub(crate) struct AppRole {
    pub mount: String,
    pub role_id: String,
    pub secret_id: RemoteCredential,
}

/// A connected client. Cheap to share between tasks (`Arc<Conn>`).
pub(crate) struct Conn {
    http: reqwest::Client,
    /// The remote's addresses, in order.
    bases: Vec<reqwest::Url>,
    /// The address requests go to first: the last one that answered.
    active: AtomicUsize,
    /// Since when no address has answered (shared by every request in flight), if so.
    down_since: Mutex<Option<Instant>>,
    /// Some address answered at least once: an outage now is worth waiting out (a leader
    /// election); before that, an address that never answered fails fast.
    seen: AtomicBool,
    /// Per address: it answered at least once (see `attempt`).
    heard: Vec<AtomicBool>,
    /// The server or the token refused a metadata PATCH once: `write_custom` writes whole maps.
    no_patch: AtomicBool,
    /// How long an outage is waited out in all, across every address.
    retry_for: Duration,
    /// The token in use (replaced by an AppRole re-login).
    token: RwLock<Arc<Zeroizing<String>>>,
    target: Target,
    approle: Option<AppRole>,
    pub token_source: TokenSource,
    /// 1 or 2, known after `preflight`.
    pub kv: u8,
}

/// How long an outage is waited out once the server was seen (spans a Raft leader election,
/// ~10 s; `HUSH_REMOTE_RETRY_SECS` changes it), and before any address ever answered.
pub(crate) const RETRY_FOR: Duration = Duration::from_secs(30);
const FIRST_CONTACT_RETRY_FOR: Duration = Duration::from_millis(1500);
/// How long a first try at an address not heard from yet may take when others may answer.
const FIRST_TRY: Duration = Duration::from_millis(1500);

/// Asked with a token, Vault and OpenBao answer 403 here only when the token itself is refused
/// (invalid, revoked, expired): a live token with no policy at all gets the (empty) list of
/// mounts it may see. `auth/token/lookup-self` is no such probe: it needs the `default` policy,
/// which a token created with `-no-default-policy` lacks.
pub(crate) const LIVENESS: &str = "sys/internal/ui/mounts";

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

/// The wait before the `n`th round of retries (0.2 s doubling, at most 2 s) plus jitter from the
/// clock, so that concurrent retries do not hit the server in lockstep.
fn backoff(n: u32) -> Duration {
    let jitter = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_millis()
            % 100,
    );
    Duration::from_millis((200u64 << n.min(4)).min(2000) + jitter)
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
        let (client, bases) = http::client(&target)?;
        let retry_for = std::env::var("HUSH_REMOTE_RETRY_SECS")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 3600.0)
            .map_or(RETRY_FOR, Duration::from_secs_f64);
        let heard = bases.iter().map(|_| AtomicBool::new(false)).collect();
        let conn = Conn {
            heard,
            http: client,
            bases,
            active: AtomicUsize::new(0),
            down_since: Mutex::new(None),
            seen: AtomicBool::new(false),
            no_patch: AtomicBool::new(false),
            retry_for,
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

    /// The address requests go to now (the last one that answered).
    pub(crate) fn current_addr(&self) -> String {
        let i = self.active.load(Ordering::Relaxed) % self.bases.len();
        http::origin_text(&self.bases[i])
    }

    /// `path` asked of every address at once without a token, each at most `bound`, no retry
    /// or failover: `remote test` reports each node of an HA remote, not only the first that
    /// answers. In the order of the addresses.
    pub(crate) async fn ask_each(
        self: &Arc<Self>,
        path: &'static str,
        bound: Duration,
    ) -> Vec<(String, std::result::Result<Value, Failure>)> {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..self.bases.len() {
            let c = Arc::clone(self);
            set.spawn(async move {
                let asked = tokio::time::timeout(bound, c.once(i, &Method::GET, path, None, None));
                let r = asked.await.unwrap_or_else(|_| {
                    let at = http::origin_text(&c.bases[i]);
                    Err(Failure::Connect(format!("{at}: no answer within {} s", bound.as_secs())))
                });
                (i, r.map(|(_, v)| v))
            });
        }
        let mut out = Vec::new();
        while let Some(joined) = set.join_next().await {
            out.extend(joined.ok());
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(i, r)| (http::origin_text(&self.bases[i]), r)).collect()
    }

    /// Waits out outages at most `limit` in all from now on (a remote-first read's bound).
    pub(crate) fn limit_retries(&mut self, limit: Duration) {
        self.retry_for = self.retry_for.min(limit);
    }

    fn token(&self) -> Arc<Zeroizing<String>> {
        self.token.read().expect("token lock").clone()
    }

    /// One request to address `i`, no retry: `(status, JSON)` of a 2xx answer (`Null` when
    /// empty) or of a 404 that carries a body (a deleted KV v2 version), else the failure.
    async fn once(
        &self,
        i: usize,
        method: &Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
        token: Option<&str>,
    ) -> std::result::Result<(u16, Value), Failure> {
        let req = Request {
            method: method.clone(),
            path,
            token,
            namespace: self.target.namespace.as_deref(),
            body,
        };
        let http::Answer { code, body: bytes, at } =
            http::send(&self.http, &self.bases, &self.bases[i], &req).await?;
        let parsed = serde_json::from_slice::<Value>(&bytes);
        if (200..300).contains(&code) {
            return match parsed {
                Ok(json) => Ok((code, json)),
                Err(_) if bytes.is_empty() => Ok((code, Value::Null)),
                Err(_) => Err(Failure::Other(format!(
                    "at {at}: the answer is not Vault's JSON API; is this a Vault / OpenBao address?"
                ))),
            };
        }
        let json = parsed.unwrap_or(Value::Null);
        if code == 404 && json.get("data").is_some_and(Value::is_object) {
            return Ok((code, json));
        }
        let errors = json
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|e| e.as_str().map(String::from)).collect())
            .unwrap_or_default();
        Err(Failure::Status { code, errors, at })
    }

    /// AppRole login: a fresh token, kept in memory only.
    async fn login(&self) -> Result<()> {
        let a = self.approle.as_ref().expect("approle configured");
        let path = format!("auth/{}/login", a.mount);
        let creds = body(&json!({ "role_id": a.role_id, "secret_id": a.secret_id.expose() }));
        let answer = self.request_full(&Method::POST, &path, Some(&creds), None, false).await;
        let token = answer
            .and_then(|(_, v)| match v["auth"]["client_token"].as_str() {
                Some(t) if !t.is_empty() => Ok(Zeroizing::new(t.to_string())),
                _ => Err(Failure::Other("the login answer holds no token".into())),
            })
            .map_err(|f| match f {
                Failure::Status { code: 400 | 403, errors, .. } => Error::RemoteAuth {
                    credential: Some(TokenSource::AppRole),
                    detail: format!(
                        "AppRole login at {path} was refused ({}); check the role_id and the secret_id stored in the keychain",
                        Failure::detail(&errors)
                    ),
                },
                f => f.into_error("AppRole login at", &path),
            })?;
        *self.token.write().expect("token lock") = Arc::new(token);
        Ok(())
    }

    /// Whether the server refuses `token` itself (see [`LIVENESS`]), asked after each 403. Never
    /// answered from an earlier probe: a token alive a moment ago may have died since (a use
    /// limit, a TTL), and a probe made after the 403 is right either way, as a dead token does
    /// not come back.
    async fn token_dead(&self, token: &str) -> bool {
        let asked =
            Box::pin(self.request_full(&Method::GET, LIVENESS, None, Some(token), false)).await;
        matches!(asked.map_err(|f| f.status()), Err(Some(401 | 403)))
    }

    /// Some address answered: the outage, if any, is over.
    fn answered(&self, i: usize) {
        self.seen.store(true, Ordering::Relaxed);
        self.heard[i].store(true, Ordering::Relaxed);
        self.active.store(i, Ordering::Relaxed);
        *self.down_since.lock().expect("outage lock") = None;
    }

    /// When the current outage began: if this is its first failure, when the request that
    /// failed was sent (`sent`). A node that accepts connections and never answers fails a
    /// request only after the client's 30 s: counted from the failure, a first contact was then
    /// tried a second time in full, a minute in all.
    fn outage_began(&self, sent: Instant) -> Instant {
        *self.down_since.lock().expect("outage lock").get_or_insert(sent)
    }

    /// A request with failover and retries. Connection errors, 5xx and 429 move on to the next
    /// address at once; when every address failed, the round is retried after a backoff while the
    /// outage (shared by all requests in flight) is younger than the retry bound. A 403 under
    /// AppRole logs in again once (the token may have expired). `token`: `None` sends the
    /// current token; `relogin` is false for the login itself.
    async fn request_full(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
        token: Option<&str>,
        relogin: bool,
    ) -> std::result::Result<(u16, Value), Failure> {
        let sent = Instant::now();
        let n = self.bases.len();
        let several = n > 1;
        // The failures of this round of addresses: when it is the last, the error names each.
        let (mut round, mut rounds, mut relogged) = (Vec::new(), 0u32, !relogin);
        // A first try of this round was cut short (`attempt`).
        let mut cut = false;
        loop {
            let i = self.active.load(Ordering::Relaxed) % n;
            let current = self.token();
            let tok = token.or(relogin.then_some(current.as_str()));
            let quick = several && rounds == 0 && !self.heard[i].load(Ordering::Relaxed);
            let failure = match self.attempt(i, quick, method, path, body, tok, &mut cut).await {
                Ok(v) => {
                    self.answered(i);
                    return Ok(v);
                }
                Err(f) => f,
            };
            if failure.status() == Some(403) && self.approle.is_some() && !relogged {
                relogged = true;
                if Box::pin(self.login()).await.is_ok() {
                    continue;
                }
            }
            // A token refused mid-operation is an authentication failure, not every folder
            // "denied" one by one (Vault answers 403 to both).
            if failure.status() == Some(403) && self.approle.is_none() && relogin {
                if let (Some(t), Failure::Status { at, .. }) = (tok, &failure) {
                    if path != LIVENESS && self.token_dead(t).await {
                        return Err(Failure::TokenRefused { at: at.clone() });
                    }
                }
            }
            if !failure.retryable(several) {
                if failure.status().is_some() {
                    self.answered(i);
                }
                return Err(failure);
            }
            // The next address, unless every one failed in this round.
            let _ =
                self.active.compare_exchange(i, (i + 1) % n, Ordering::Relaxed, Ordering::Relaxed);
            round.push(failure);
            if round.len() < n {
                continue;
            }
            // Nothing answered, and a try was cut short: the next round waits for each address
            // in full (a far cluster is slow, not down).
            if std::mem::take(&mut cut) {
                rounds += 1;
                round.clear();
                continue;
            }
            let limit = if self.seen.load(Ordering::Relaxed) {
                self.retry_for
            } else {
                FIRST_CONTACT_RETRY_FOR.min(self.retry_for)
            };
            let wait = backoff(rounds);
            rounds += 1;
            if self.outage_began(sent).elapsed() + wait > limit {
                return Err(of_round(round));
            }
            round.clear();
            tokio::time::sleep(wait).await;
        }
    }

    /// One try at address `i`; `quick` (a first round, several addresses, one not heard from
    /// yet) cuts it short after `FIRST_TRY` and sets `cut`: a node that accepts connections but
    /// never answers (hung, or half of a partition) would otherwise hold every command for the
    /// client's 30 s before the next address is tried, and a remote-first run would fall back
    /// to the local copy with a live node in the list. A write cut short may still land: the
    /// retry is check-and-set (or the same bytes again), so it cannot land twice.
    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        i: usize,
        quick: bool,
        method: &Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
        token: Option<&str>,
        cut: &mut bool,
    ) -> std::result::Result<(u16, Value), Failure> {
        let once = self.once(i, method, path, body, token);
        if !quick {
            return once.await;
        }
        tokio::time::timeout(FIRST_TRY, once).await.unwrap_or_else(|_| {
            *cut = true;
            let at = http::origin_text(&self.bases[i]);
            Err(Failure::Connect(format!("{at}: no answer within {} s", FIRST_TRY.as_secs_f64())))
        })
    }

    /// A call that needs a 2xx answer (a 404 with a body is a 404 too).
    async fn kv_call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Zeroizing<Vec<u8>>>,
    ) -> std::result::Result<Value, Failure> {
        match self.request_full(&method, path, body, None, true).await? {
            (404, _) => {
                Err(Failure::Status { code: 404, errors: Vec::new(), at: self.current_addr() })
            }
            (_, v) => Ok(v),
        }
    }

    pub(crate) fn err(&self, f: Failure, what: &str, path: &str) -> Error {
        match f {
            Failure::TokenRefused { at } => self.token_refused(&format!("{at} ({what} {path})")),
            f => f.into_error(what, path),
        }
    }

    /// The token itself was refused by `at`: an authentication failure, whatever was asked.
    pub(crate) fn token_refused(&self, at: &str) -> Error {
        Error::RemoteAuth {
            credential: Some(self.token_source),
            detail: format!(
                "the {} was refused by {at}: invalid, revoked or expired",
                self.token_source.describe()
            ),
        }
    }

    /// The API path of a KV secret, for messages: `secret/data/p` (v2) or `kv/p` (v1).
    pub(crate) fn api_path(&self, path: &str) -> String {
        if self.kv == 2 {
            format!("{}/data/{path}", self.target.mount)
        } else {
            format!("{}/{path}", self.target.mount)
        }
    }

    /// A request to any endpoint (health, mounts, capabilities). Error answers are parsed for the
    /// `errors` list only.
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> std::result::Result<Value, Failure> {
        let b = body.map(|v| self::body(&v));
        self.kv_call(method, path, b.as_ref()).await
    }
}
