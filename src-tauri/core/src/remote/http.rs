//! The one HTTP client every remote call goes through (health, mounts, capabilities, KV reads,
//! writes, listings, metadata, AppRole login), so its two guarantees hold everywhere:
//!
//! - **Redirects stay at the configured addresses.** A 307/308 is followed only to the origin
//!   (scheme, host and port) of one of the remote's own addresses (a standby of an HA cluster
//!   sends clients to the active node: followed when that node is one of them); anything else
//!   (another host or port, or https → http) is not followed, so neither the token
//!   (`X-Vault-Token`), the AppRole secret_id nor a body of values is ever sent elsewhere. The
//!   redirect comes back as a clear error naming where the server wanted to send us.
//! - **Answers are bounded.** One answer is read up to [`MAX_RESPONSE_BYTES`] (Vault's own request
//!   limit) and all answers being read at once up to [`MAX_IN_FLIGHT_BYTES`], into buffers that
//!   are zeroized when dropped (they hold values); a request takes at most 30 s in all. A server
//!   that streams without end costs at most those bytes, then gets its own error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Method, Url};
use zeroize::Zeroizing;

use super::client::{classify_transport, Failure, Target};
use crate::error::{Error, Result};

/// The largest answer read from the server (KV secrets are at most a few MiB; Vault's own request
/// limit is 32 MiB).
pub(crate) const MAX_RESPONSE_BYTES: usize = 32 << 20;
/// The most buffer space all answers being read at once may take (concurrent folder reads).
pub(crate) const MAX_IN_FLIGHT_BYTES: usize = 64 << 20;
/// The most redirects followed for one request (same origin only).
const MAX_REDIRECTS: usize = 5;

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The origin of an address, for messages: `https://host:port` (never a path, query or userinfo).
pub(crate) fn origin_text(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// Parses one configured address (http or https with a host).
pub(crate) fn parse_addr(addr: &str) -> Result<Url> {
    Url::parse(addr)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "'{}' is not an http(s) address such as https://vault.example.com:8200",
                addr.escape_debug()
            ))
        })
}

/// Builds the client of one remote: its TLS settings, and no redirect followed by the client
/// (`send` follows them, only to the origin of one of its addresses). Returns the client and the parsed addresses, in order.
pub(crate) fn client(t: &Target) -> Result<(reqwest::Client, Vec<Url>)> {
    let bases: Vec<Url> = t.addrs().into_iter().map(parse_addr).collect::<Result<_>>()?;
    let first = bases.first().map(origin_text).unwrap_or_default();
    // Redirects are followed by `send`, which knows where each hop went.
    let mut b = reqwest::ClientBuilder::new()
        .tls_backend_rustls()
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(64)
        .tls_danger_accept_invalid_certs(t.skip_verify);
    // A server on this machine is reached directly, never through HTTP_PROXY & co (as Go's
    // clients do): plain http:// is allowed only there, on the premise that it never crosses a
    // network, and a proxy would be handed the token and every value in clear text.
    if bases.iter().any(super::addr::is_loopback) {
        b = b.no_proxy();
    }
    if bases.iter().all(|u| u.scheme() == "http") {
        // No TLS roots are needed (and loading the platform's may fail on minimal systems).
        b = b.tls_certs_only(Vec::new());
    } else if let Some(path) = &t.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            Failure::Other(format!("cannot read the CA certificate {path}: {e}"))
                .into_error("configure the client for", &first)
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
            Failure::Tls(format!("{path} is not a PEM certificate"))
                .into_error("configure the client for", &first)
        })?;
        b = b.tls_certs_merge(certs);
    }
    let c = b
        .build()
        .map_err(|e| classify_transport(&e).into_error("configure the client for", &first))?;
    Ok((c, bases))
}

/// One request as the caller describes it.
pub(crate) struct Request<'a> {
    pub method: Method,
    /// The API path after `/v1/`, with any query.
    pub path: &'a str,
    pub token: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// A JSON body (may hold values: zeroized when dropped).
    pub body: Option<&'a Zeroizing<Vec<u8>>>,
}

/// Buffer space counted against [`MAX_IN_FLIGHT_BYTES`], given back when dropped.
struct Reserved(usize);

impl Reserved {
    fn grow(&mut self, by: usize) -> bool {
        let before = IN_FLIGHT.fetch_add(by, Ordering::SeqCst);
        self.0 += by;
        before + by <= MAX_IN_FLIGHT_BYTES
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(self.0, Ordering::SeqCst);
    }
}

/// A transport failure with the address it happened at in front of its text.
fn named(f: Failure, at: &str) -> Failure {
    match f {
        Failure::Connect(m) => Failure::Connect(format!("{at}: {m}")),
        Failure::Tls(m) => Failure::Tls(format!("{at}: {m}")),
        Failure::Other(m) => Failure::Other(format!("at {at}: {m}")),
        f => f,
    }
}

/// What came back: the status, the body, and the origin that answered (after a followed redirect).
pub(crate) struct Answer {
    pub code: u16,
    pub body: Zeroizing<Vec<u8>>,
    pub at: String,
}

/// Sends one request to `base` and reads its answer within the bounds. A standby's 307/308 is
/// followed here (the client follows none), only to the origin of one of `bases`: a failure at
/// the node it led to then names that node and the one that sent the request there.
pub(crate) async fn send(
    client: &reqwest::Client,
    bases: &[Url],
    base: &Url,
    r: &Request<'_>,
) -> std::result::Result<Answer, Failure> {
    let first = format!("{}/v1/{}", base.as_str().trim_end_matches('/'), r.path);
    let mut url = Url::parse(&first).map_err(|e| Failure::Other(format!("{first}: {e}")))?;
    let mut via = String::new();
    for _ in 0..=MAX_REDIRECTS {
        let resp = request(client, &url, r)
            .send()
            .await
            .map_err(|e| named(classify_transport(&e), &format!("{}{via}", origin_text(&url))))?;
        let code = resp.status().as_u16();
        let at = origin_text(resp.url());
        if !resp.status().is_redirection() {
            return read_answer(resp, code, at).await;
        }
        let to = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| resp.url().join(l).ok());
        match to {
            // Same method and body (307/308 mean it), to a node of this remote only.
            Some(next)
                if matches!(code, 307 | 308)
                    && bases.iter().any(|b| b.origin() == next.origin()) =>
            {
                via = format!(", where {at} redirected the request");
                url = next;
            }
            to => {
                let to = to.map(|u| origin_text(&u)).unwrap_or_else(|| "an unnamed place".into());
                return Err(Failure::Other(format!(
                    "{at} redirected the request to {} (HTTP {code}); Hush sends the token and values only to the remote's own addresses and never follows a redirect elsewhere (or from https to http). If that server is the right one, add it to the remote's addresses (`hush remote set NAME --addr A,B`)",
                    to.escape_debug(),
                )));
            }
        }
    }
    Err(Failure::Other(format!("at {}: too many redirects", origin_text(&url))))
}

/// One request to `url`, with the headers and body of `r`.
fn request(client: &reqwest::Client, url: &Url, r: &Request<'_>) -> reqwest::RequestBuilder {
    let mut req = client.request(r.method.clone(), url.clone()).header("X-Vault-Request", "true");
    if let Some(t) = r.token.filter(|t| !t.is_empty()) {
        req = req.header("X-Vault-Token", t);
    }
    if let Some(ns) = r.namespace {
        req = req.header("X-Vault-Namespace", ns);
    }
    if let Some(b) = r.body {
        // Vault takes a PATCH only as a JSON merge patch (RFC 7386): 415 for anything else.
        let kind = if r.method == reqwest::Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        req = req.header("Content-Type", kind).body(b.to_vec());
    }
    req
}

/// The body of an answer that is not a redirect, read within the bounds.
async fn read_answer(
    mut resp: reqwest::Response,
    code: u16,
    at: String,
) -> std::result::Result<Answer, Failure> {
    // Kept as the chunks that arrived (no doubling copies of a growing buffer), then joined once
    // into a buffer zeroized on drop.
    let mut reserved = Reserved(0);
    let mut chunks = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = resp.chunk().await.map_err(|e| named(classify_transport(&e), &at))? {
        total += chunk.len();
        if total > MAX_RESPONSE_BYTES {
            return Err(Failure::Other(format!(
                "at {at}: the answer is larger than {} MiB; is this a Vault / OpenBao address?",
                MAX_RESPONSE_BYTES >> 20
            )));
        }
        if !reserved.grow(chunk.len()) {
            return Err(Failure::Other(format!(
                "at {at}: the answers being read at once exceed {} MiB; is this a Vault / OpenBao address? (for very large secrets, lower --concurrency)",
                MAX_IN_FLIGHT_BYTES >> 20
            )));
        }
        chunks.push(chunk);
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(total));
    for c in chunks {
        buf.extend_from_slice(&c);
    }
    Ok(Answer { code, body: buf, at })
}
