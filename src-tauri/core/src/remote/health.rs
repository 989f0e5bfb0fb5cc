//! `remote test`: reachable, initialised, sealed, version, authentication, the KV version of the
//! mount and what the token may do under the prefix, each failure with its own message. Also the
//! mount preflight every operation runs first.

use std::collections::BTreeSet;

use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::{RemoteCredential, TokenSource};
use super::client::{Conn, Failure, LIVENESS};
use super::runtime;
use crate::error::{Error, Result};
use crate::vault::Vault;

/// One line of a health report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HealthCheck {
    /// `reachable`, `initialized`, `unsealed`, `auth`, `mount`, `capabilities`.
    pub name: String,
    pub ok: bool,
    pub message: String,
    /// The error code a failing check corresponds to (`remote_unreachable`, `remote_tls`, ...).
    pub code: Option<String>,
}

/// What `remote test` found. `ok` is true when every check passed; `usable` when every check
/// but `nodes` did (requests work, through the addresses that serve).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Health {
    pub remote: String,
    pub addr: String,
    pub namespace: Option<String>,
    pub mount: String,
    pub prefix: String,
    pub ok: bool,
    pub usable: bool,
    pub server_version: Option<String>,
    pub initialized: Option<bool>,
    pub sealed: Option<bool>,
    pub auth: Option<String>,
    pub kv_version: Option<u8>,
    /// The token's capabilities on the prefix (e.g. `read`, `create`, `update`, `list`).
    pub capabilities: Vec<String>,
    pub checks: Vec<HealthCheck>,
    /// Each address of a remote with several (an HA cluster's nodes), as it answered.
    pub nodes: Vec<NodeHealth>,
    /// Said on every run: TLS not verified (and why), plain http beyond this machine.
    pub warnings: Vec<String>,
}

/// What one address of a remote with several answered (`remote test`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NodeHealth {
    pub addr: String,
    pub state: NodeState,
    pub version: Option<String>,
    /// Why it did not answer (`Unreachable`).
    pub error: Option<String>,
}

/// A node's part in its cluster, from its `sys/health`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    Active,
    Standby,
    PerformanceStandby,
    Sealed,
    Uninitialized,
    Unreachable,
}

impl NodeState {
    fn of(health: &Value) -> NodeState {
        let flag = |k: &str| health[k].as_bool().unwrap_or(false);
        match () {
            _ if !health["initialized"].as_bool().unwrap_or(true) => NodeState::Uninitialized,
            _ if flag("sealed") => NodeState::Sealed,
            _ if flag("performance_standby") => NodeState::PerformanceStandby,
            _ if flag("standby") => NodeState::Standby,
            _ => NodeState::Active,
        }
    }

    fn words(self) -> &'static str {
        match self {
            NodeState::Active => "active",
            NodeState::Standby => "standby",
            NodeState::PerformanceStandby => "performance standby",
            NodeState::Sealed => "sealed",
            NodeState::Uninitialized => "not initialised",
            NodeState::Unreachable => "unreachable",
        }
    }

    fn serves(self) -> bool {
        matches!(self, NodeState::Active | NodeState::Standby | NodeState::PerformanceStandby)
    }
}

/// The check of each address of a remote with several.
const NODES: &str = "nodes";

/// Each address's `sys/health` (any state answers 200), each state told apart.
const HEALTH_ANY: &str =
    "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200";

/// A node that does not answer within this is reported as unreachable.
const NODE_BOUND: std::time::Duration = std::time::Duration::from_secs(3);

/// Asks every address of a remote with several, and adds the `nodes` check: it fails when one
/// of them does not serve (down, sealed), which otherwise shows only when the others fail too
/// (a typo in the second address of a cluster is found on the day the first node dies).
async fn check_nodes(anon: std::sync::Arc<Conn>, h: &mut Health) {
    for (addr, r) in anon.ask_each(HEALTH_ANY, NODE_BOUND).await {
        h.nodes.push(match r {
            Ok(v) => NodeHealth {
                addr,
                state: NodeState::of(&v),
                version: v["version"].as_str().map(String::from),
                error: None,
            },
            Err(f) => NodeHealth {
                addr,
                state: NodeState::Unreachable,
                version: None,
                error: Some(f.short()),
            },
        });
    }
    let each: Vec<String> = h
        .nodes
        .iter()
        .map(|n| match &n.error {
            Some(e) => format!("{} {} ({e})", n.addr, n.state.words()),
            None => format!("{} {}", n.addr, n.state.words()),
        })
        .collect();
    let serving = h.nodes.iter().filter(|n| n.state.serves()).count();
    if serving == h.nodes.len() {
        h.pass(NODES, each.join("; "));
    } else {
        // Said as what it is: the remote was reached, one of its addresses was not.
        let message = format!(
            "{serving} of {} addresses serve: {} (requests go to the ones that do)",
            h.nodes.len(),
            each.join("; ")
        );
        h.fail_as(NODES, message, "remote_unreachable");
    }
}

impl Health {
    fn pass(&mut self, name: &str, message: String) {
        self.checks.push(HealthCheck { name: name.into(), ok: true, message, code: None });
    }
    fn fail(&mut self, name: &str, e: &Error) -> Option<()> {
        self.fail_as(name, e.to_string(), e.code())
    }
    fn fail_as(&mut self, name: &str, message: String, code: &str) -> Option<()> {
        self.checks.push(HealthCheck {
            name: name.into(),
            ok: false,
            message,
            code: Some(code.into()),
        });
        self.ok = false;
        None
    }
}

/// The KV version of the remote's mount (also sets it on the connection). Every operation runs
/// this first, so a wrong mount fails with one clear message instead of per-folder errors.
pub(crate) async fn preflight(conn: &mut Conn) -> Result<u8> {
    let mount = conn.target().mount.clone();
    let api = format!("sys/internal/ui/mounts/{mount}");
    let info = match conn.raw(Method::GET, &api, None).await {
        Ok(info) => info,
        Err(Failure::Status { code: 403 | 404, .. }) => {
            // The server answers the same for a missing mount and for a token it refuses: ask
            // about the token itself before blaming the mount.
            check_token(conn).await?;
            return Err(Error::RemoteMount(format!(
                "the KV mount '{mount}/' does not exist at {}{}, or this token may not use it; check --mount and the token's policies",
                conn.current_addr(),
                conn.target().namespace.as_deref().map(|n| format!(" (namespace {n})")).unwrap_or_default()
            )));
        }
        // The token itself refused: the mount is not the problem, so it goes unnamed.
        Err(Failure::TokenRefused { at }) => return Err(conn.token_refused(&at)),
        Err(f) => return Err(conn.err(f, "look up the mount", &format!("{mount}/"))),
    };
    let data = &info["data"];
    let kind = data["type"].as_str().unwrap_or("");
    if kind != "kv" && kind != "generic" {
        return Err(Error::RemoteMount(format!(
            "'{mount}/' is a {} mount, not a KV mount",
            if kind.is_empty() { "non-KV" } else { kind }
        )));
    }
    let kv = if data["options"]["version"].as_str() == Some("2") { 2 } else { 1 };
    conn.kv = kv;
    Ok(kv)
}

/// The token is accepted (see `client::LIVENESS`: a token without the `default` policy is
/// accepted too), or an authentication error: invalid, revoked or expired.
pub(crate) async fn check_token(conn: &Conn) -> Result<()> {
    match conn.raw(Method::GET, LIVENESS, None).await {
        Ok(_) => Ok(()),
        Err(Failure::Status { code: 401 | 403, .. } | Failure::TokenRefused { .. }) => {
            Err(conn.token_refused(&conn.current_addr()))
        }
        Err(f) => Err(missing_namespace(conn, &f)
            .unwrap_or_else(|| conn.err(f, "check the token at", LIVENESS))),
    }
}

/// A namespace the server does not have (a typo, or another shell's VAULT_NAMESPACE): its own
/// error, not a token's or a server's.
fn missing_namespace(conn: &Conn, f: &Failure) -> Option<Error> {
    let Failure::Status { code: 404, errors, at } = f else { return None };
    let ns = conn.target().namespace.as_deref()?;
    errors.iter().any(|e| e.contains("namespace not found")).then(|| {
        Error::RemoteMount(format!(
            "the namespace '{ns}' does not exist at {at}; check the remote's --namespace (or VAULT_NAMESPACE when none is stored)"
        ))
    })
}

/// The token's capabilities on each of `paths` (`sys/capabilities-self`), in their order.
async fn caps_of(conn: &Conn, paths: &[String]) -> std::result::Result<Vec<Vec<String>>, Failure> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let v =
        conn.raw(Method::POST, "sys/capabilities-self", Some(json!({ "paths": paths }))).await?;
    Ok(paths
        .iter()
        .map(|p| {
            let list = v["data"][p].as_array().or(v[p].as_array()).cloned().unwrap_or_default();
            list.iter().filter_map(|c| c.as_str().map(String::from)).collect()
        })
        .collect())
}

/// A token's remaining TTL in words: "expires in 32 days", not "in 2764800 s".
fn expires_in(secs: u64) -> String {
    let (n, unit) = match secs {
        0..=119 => (secs, "s"),
        120..=7199 => (secs / 60, "min"),
        7200..=172_799 => (secs / 3600, "h"),
        _ => (secs / 86_400, "days"),
    };
    format!("expires in {n} {unit}")
}

impl Vault {
    /// Tests a remote step by step. Server-side problems are reported as failed checks (never as
    /// `Err`); `Err` means the remote is not configured or the engine could not run the test.
    pub fn remote_test(&mut self, name: &str) -> Result<Health> {
        // Only an unlocked vault can check the remote's MAC before sending anything to it.
        self.keys()?;
        let row = self.remote_row(name)?;
        let target = row.target();
        let mut h = Health {
            remote: name.into(),
            addr: target.addr.clone(),
            namespace: target.namespace.clone(),
            mount: target.mount.clone(),
            prefix: target.prefix.clone(),
            ok: true,
            usable: false,
            server_version: None,
            initialized: None,
            sealed: None,
            auth: None,
            kv_version: None,
            capabilities: Vec::new(),
            checks: Vec::new(),
            nodes: Vec::new(),
            warnings: super::addr::warnings(&row, &target),
        };
        // Every step ran (a failing one stops the rest) and only the nodes check may have failed.
        // The folders a token for named folders may be for: this vault's, and those synced.
        let folders: Vec<String> = {
            let tx = self.store().read()?;
            let mut f: BTreeSet<String> = tx.all_secrets()?.into_iter().map(|r| r.folder).collect();
            f.extend(tx.synced_folders(row.id)?.into_iter().map(|s| s.0));
            f.into_iter().collect()
        };
        let ran = runtime::block_on(async { test_steps(&row, &folders, &mut h).await.is_some() })?;
        h.usable = ran && h.checks.iter().all(|c| c.ok || c.name == NODES);
        Ok(h)
    }
}

async fn test_steps(
    row: &super::config::RemoteRow,
    folders: &[String],
    h: &mut Health,
) -> Option<()> {
    // Unauthenticated first, so "cannot reach" and "sealed" are told apart from "bad token".
    // sys/health exists only in the root namespace: ask there.
    let anon_target = super::client::Target { namespace: None, ..row.target() };
    let anon = match Conn::connect(
        anon_target,
        Some((RemoteCredential::new(String::new()), TokenSource::Keychain)),
        None,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => return h.fail("reachable", &e),
    };
    let health = match anon
        .raw(
            Method::GET,
            "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200",
            None,
        )
        .await
    {
        Ok(v) => v,
        Err(f) => return h.fail("reachable", &anon.err(f, "health check", "sys/health")),
    };
    h.server_version = health["version"].as_str().map(String::from);
    h.pass(
        "reachable",
        format!(
            "{} answers (version {})",
            anon.current_addr(),
            h.server_version.as_deref().unwrap_or("unknown")
        ),
    );
    let anon = std::sync::Arc::new(anon);
    if row.target().addrs().len() > 1 {
        check_nodes(std::sync::Arc::clone(&anon), h).await;
    }
    let initialized = health["initialized"].as_bool().unwrap_or(true);
    h.initialized = Some(initialized);
    if !initialized {
        return h.fail(
            "initialized",
            &Error::Remote(format!(
                "{} is not initialised (`vault operator init`)",
                anon.current_addr()
            )),
        );
    }
    h.pass("initialized", "initialised".into());
    let sealed = health["sealed"].as_bool().unwrap_or(false);
    h.sealed = Some(sealed);
    if sealed {
        return h.fail(
            "unsealed",
            &Error::RemoteSealed(format!(
                "{} must be unsealed first (`vault operator unseal`)",
                anon.current_addr()
            )),
        );
    }
    h.pass("unsealed", "unsealed".into());

    let mut conn = match row.connect().await {
        Ok(c) => c,
        Err(e) => return h.fail("auth", &e),
    };
    h.auth = Some(conn.token_source.describe().into());
    match conn.raw(Method::GET, "auth/token/lookup-self", None).await {
        Ok(v) => {
            let ttl = v["data"]["ttl"].as_u64().unwrap_or(0);
            let policies: Vec<&str> = v["data"]["policies"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let ttl = if ttl == 0 { "no expiry".to_string() } else { expires_in(ttl) };
            h.pass(
                "auth",
                format!(
                    "{} accepted ({ttl}; policies: {})",
                    conn.token_source.describe(),
                    policies.join(", ")
                ),
            );
        }
        // Refused, and so was the probe every live token passes: a dead token.
        Err(Failure::Status { code: 401, .. } | Failure::TokenRefused { .. }) => {
            return h.fail("auth", &conn.token_refused(&conn.current_addr()));
        }
        // A live token without the `default` policy may not look itself up.
        Err(Failure::Status { code: 403, .. }) => h.pass(
            "auth",
            format!(
                "{} accepted (it may not look itself up, so its TTL and policies are not shown: a token without the default policy)",
                conn.token_source.describe()
            ),
        ),
        Err(f) => {
            let e = missing_namespace(&conn, &f)
                .unwrap_or_else(|| conn.err(f, "look up the token", "auth/token/lookup-self"));
            return h.fail("auth", &e);
        }
    }

    let kv = match preflight(&mut conn).await {
        Ok(kv) => kv,
        Err(e) => return h.fail("mount", &e),
    };
    h.kv_version = Some(kv);
    let mount = conn.target().mount.clone();
    h.pass(
        "mount",
        if kv == 2 {
            format!("'{mount}/' is KV v2 (versions and check-and-set available)")
        } else {
            format!("'{mount}/' is KV v1: versions and check-and-set are unavailable; push and pull copy current values only, and Hush metadata does not travel")
        },
    );

    capabilities(&conn, kv, folders, h).await
}

/// The token's capabilities under the prefix (a probe path stands for "any folder"). A token for
/// named folders has none there: the folders this vault knows are asked next, and rights on
/// some of them pass (plan, pull and push name those folders), with the limit said.
async fn capabilities(conn: &Conn, kv: u8, folders: &[String], h: &mut Health) -> Option<()> {
    let mount = conn.target().mount.clone();
    let api = |folder: &str| {
        let base = super::mapping::remote_path(&conn.target().prefix, folder);
        if kv == 2 {
            vec![format!("{mount}/data/{base}"), format!("{mount}/metadata/{base}")]
        } else {
            vec![format!("{mount}/{base}")]
        }
    };
    let paths = api("hush-probe");
    let caps = match caps_of(conn, &paths).await {
        Ok(c) => c.into_iter().flatten().collect::<BTreeSet<String>>(),
        // A live token without the `default` policy may not ask (a dead one is TokenRefused).
        Err(Failure::Status { code: 403, .. }) => {
            h.pass("capabilities", "not checked: the token may not ask for its own capabilities (sys/capabilities-self; a token without the default policy)".into());
            return Some(());
        }
        Err(f) => {
            let e = conn.err(f, "check capabilities at", "sys/capabilities-self");
            return h.fail("capabilities", &e);
        }
    };
    let caps: Vec<String> = caps.into_iter().collect();
    h.capabilities = caps.clone();
    let has = |c: &str| caps.iter().any(|x| x == c || x == "root");
    let under = match conn.target().prefix.as_str() {
        "" => format!("{mount}/*"),
        p => format!("{mount}/{p}/*"),
    };
    if !has("read") {
        let named: Vec<&String> = folders.iter().take(50).collect();
        let asked: Vec<String> = named.iter().map(|f| api(f)[0].clone()).collect();
        let each = caps_of(conn, &asked).await.unwrap_or_default();
        let readable: Vec<&str> = named
            .iter()
            .zip(&each)
            .filter(|(_, c)| c.iter().any(|x| x == "read" || x == "root"))
            .map(|(f, _)| f.as_str())
            .collect();
        if readable.is_empty() {
            let detail = format!(
                "capabilities: {}",
                if caps.is_empty() { "none".into() } else { caps.join(", ") }
            );
            return h.fail("capabilities", &Error::RemoteDenied { path: under, detail });
        }
        h.pass("capabilities", format!(
            "no rights on {under} as a whole, but read on {} of the {} folder(s) of this vault asked ({}): a token for named folders; name them to plan, pull or push",
            readable.len(), named.len(), readable.iter().take(5).copied().collect::<Vec<_>>().join(", ")
        ));
        return Some(());
    }
    let note = if has("create") && has("update") {
        "read and write"
    } else {
        "read-only: pull works; push, sync and migrate will be denied"
    };
    h.pass("capabilities", format!("{} on {under} ({note})", caps.join(", ")));
    Some(())
}
