//! The one HTTP client every remote call goes through (health, mounts, capabilities, KV reads,
//! writes, listings, metadata, AppRole login), so its two guarantees hold everywhere:
//!
//! - **Redirects stay at the configured address.** A redirect is followed only to the same origin
//!   (scheme, host and port) as the remote's address; anything else (another host or port, or
//!   https → http) is not followed, so neither the token (`X-Vault-Token`), the AppRole secret_id
//!   nor a body of values is ever sent elsewhere. The redirect comes back as a clear error naming
//!   where the server wanted to send us.
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

/// Builds the client of one remote: its TLS settings and the same-origin redirect policy.
pub(crate) fn client(t: &Target) -> Result<(reqwest::Client, Url)> {
    let base = Url::parse(&t.addr)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "'{}' is not an http(s) address such as https://vault.example.com:8200",
                t.addr.escape_debug()
            ))
        })?;
    let origin = base.origin();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else if attempt.url().origin() == origin {
            attempt.follow()
        } else {
            // Returned to the caller as the 3xx answer it is; nothing is sent to the new place.
            attempt.stop()
        }
    });
    let mut b = reqwest::ClientBuilder::new()
        .tls_backend_rustls()
        .redirect(policy)
        .referer(false)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .tls_danger_accept_invalid_certs(t.skip_verify);
    if base.scheme() == "http" {
        // No TLS roots are needed (and loading the platform's may fail on minimal systems).
        b = b.tls_certs_only(Vec::new());
    } else if let Some(path) = &t.ca_cert {
        let pem = std::fs::read(path).map_err(|e| {
            Failure::Other(format!("cannot read the CA certificate {path}: {e}")).into_error(
                &t.addr,
                "configure the client for",
                &t.addr,
            )
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
            Failure::Tls(format!("{path} is not a PEM certificate")).into_error(
                &t.addr,
                "configure the client for",
                &t.addr,
            )
        })?;
        b = b.tls_certs_merge(certs);
    }
    let c = b.build().map_err(|e| {
        classify_transport(&e).into_error(&t.addr, "configure the client for", &t.addr)
    })?;
    Ok((c, base))
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

/// Sends one request and reads its answer within the bounds: `(status, body)`.
pub(crate) async fn send(
    client: &reqwest::Client,
    base: &Url,
    r: &Request<'_>,
) -> std::result::Result<(u16, Zeroizing<Vec<u8>>), Failure> {
    let url = format!("{}/v1/{}", base.as_str().trim_end_matches('/'), r.path);
    let mut req = client.request(r.method.clone(), &url).header("X-Vault-Request", "true");
    if let Some(t) = r.token.filter(|t| !t.is_empty()) {
        req = req.header("X-Vault-Token", t);
    }
    if let Some(ns) = r.namespace {
        req = req.header("X-Vault-Namespace", ns);
    }
    if let Some(b) = r.body {
        req = req.header("Content-Type", "application/json").body(b.to_vec());
    }
    let mut resp = req.send().await.map_err(|e| classify_transport(&e))?;
    let code = resp.status().as_u16();
    if resp.status().is_redirection() {
        let to = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| resp.url().join(l).ok())
            .map(|u| origin_text(&u))
            .unwrap_or_else(|| "an unnamed place".into());
        return Err(Failure::Other(format!(
            "the server redirected the request to {} (HTTP {code}); Hush sends the token and values only to the remote's own address {} and never follows a redirect elsewhere (or from https to http). If that server is the right one, set it as the remote's address",
            to.escape_debug(),
            origin_text(base)
        )));
    }
    // Kept as the chunks that arrived (no doubling copies of a growing buffer), then joined once
    // into a buffer zeroized on drop.
    let mut reserved = Reserved(0);
    let mut chunks = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = resp.chunk().await.map_err(|e| classify_transport(&e))? {
        total += chunk.len();
        if total > MAX_RESPONSE_BYTES {
            return Err(Failure::Other(format!(
                "the answer is larger than {} MiB; is this a Vault / OpenBao address?",
                MAX_RESPONSE_BYTES >> 20
            )));
        }
        if !reserved.grow(chunk.len()) {
            return Err(Failure::Other(format!(
                "the answers being read at once exceed {} MiB; is this a Vault / OpenBao address? (for very large secrets, lower --concurrency)",
                MAX_IN_FLIGHT_BYTES >> 20
            )));
        }
        chunks.push(chunk);
    }
    let mut buf = Zeroizing::new(Vec::with_capacity(total));
    for c in chunks {
        buf.extend_from_slice(&c);
    }
    Ok((code, buf))
}
