//! Why a remote call failed, classified once: a connection that could not be made (named by the
//! address it was made to), TLS, an HTTP status from the server (and which node answered), or an
//! answer that is not Vault's; and the bounds of folder discovery. Each becomes one [`Error`]
//! with its context.

use crate::error::{Error, Result};

/// Why a request failed, before it becomes an [`Error`] with context. The texts of `Connect`,
/// `Tls` and `Other` start with the address they happened at; `Status` says which one answered.
#[derive(Debug)]
pub(crate) enum Failure {
    Connect(String),
    /// No address of a remote with several answered, each with why (`Connect` texts).
    NoneAnswered(Vec<String>),
    Tls(String),
    Status {
        code: u16,
        errors: Vec<String>,
        at: String,
    },
    Other(String),
    /// A request was refused (403), and so was the probe only a dead token fails (see
    /// `client::LIVENESS`): the token is invalid, expired or revoked, not denied by a policy.
    TokenRefused {
        at: String,
    },
}

impl Failure {
    /// Worth another attempt, at this address or (`several`) at the next one: connection errors,
    /// 5xx and 429; a sealed node only when another address may be unsealed; a KV v2 mount that is
    /// still upgrading its data (a 400 a new leader gives for a few seconds after an election).
    pub(crate) fn retryable(&self, several: bool) -> bool {
        match self {
            Failure::Connect(_) | Failure::NoneAnswered(_) => true,
            Failure::Status { code, .. } => {
                (*code >= 500 && (several || !self.is_sealed()))
                    || *code == 429
                    || self.is_kv_upgrading()
            }
            _ => false,
        }
    }
    /// Vault's and OpenBao's KV v2 answer while a mount upgrades (on the primary: "Upgrading from
    /// non-versioned to versioned data…"; elsewhere: "Waiting for the primary to upgrade from
    /// non-versioned to versioned data…"): nothing was written, and it passes on its own.
    pub(crate) fn is_kv_upgrading(&self) -> bool {
        matches!(self, Failure::Status { code: 400, errors, .. }
            if errors.iter().any(|e| e.contains("non-versioned to versioned data")))
    }
    pub(crate) fn is_sealed(&self) -> bool {
        matches!(self, Failure::Status { code: 503, errors, .. } if errors.iter().any(|e| e.contains("sealed")))
    }
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Failure::Status { code, .. } => Some(*code),
            _ => None,
        }
    }
    /// OpenBao's per-secret `metadata_cas_required`: a metadata write needs `metadata_cas`.
    pub(crate) fn needs_metadata_cas(&self) -> bool {
        matches!(self, Failure::Status { code: 400, errors, .. } if errors.iter().any(|e| e.contains("metadata check-and-set parameter required")))
    }
    pub(crate) fn is_cas_mismatch(&self) -> bool {
        matches!(self, Failure::Status { code: 400, errors, .. } if errors.iter().any(|e| e.contains("check-and-set")))
    }
    /// What went wrong, in a few words and without advice (one node of several, say).
    pub(crate) fn short(&self) -> String {
        match self {
            Failure::Connect(m) | Failure::Tls(m) | Failure::Other(m) => m.clone(),
            Failure::NoneAnswered(each) => each.join("; "),
            Failure::Status { code, errors, at } => {
                format!("{at}: HTTP {code}: {}", Failure::detail(errors))
            }
            Failure::TokenRefused { at } => format!("{at} no longer accepts the token"),
        }
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
    /// `secret/data/myapp/dev`), naming the address where it happened.
    pub(crate) fn into_error(self, what: &str, path: &str) -> Error {
        match self {
            Failure::NoneAnswered(each) => Error::RemoteUnreachable(format!(
                "none of its {} addresses answered: {} (check the addresses and that the servers run)",
                each.len(),
                each.join("; ")
            )),
            Failure::Connect(m) => Error::RemoteUnreachable(format!("{m} (check the address and that the server runs)")),
            Failure::Tls(m) => Error::RemoteTls(format!(
                "{m}; for a private CA pass --ca-cert FILE or set VAULT_CACERT, or --skip-verify for a dev server"
            )),
            f @ Failure::Status { code: 503, .. } if f.is_sealed() => {
                let Failure::Status { at, .. } = f else { unreachable!() };
                Error::RemoteSealed(format!("{at} must be unsealed first (`vault operator unseal`)"))
            }
            Failure::Status { code: 403, errors, .. } => Error::RemoteDenied { path: path.to_string(), detail: format!("{what}: {}", Self::detail(&errors)) },
            Failure::Status { code, errors, at } => Error::Remote(format!("{what} {path} at {at}: HTTP {code}: {}", Self::detail(&errors))),
            Failure::Other(m) if m.starts_with("at ") => Error::Remote(format!("{what} {path} {m}")),
            Failure::Other(m) => Error::Remote(format!("{what} {path}: {m}")),
            Failure::TokenRefused { at } => Error::RemoteAuth {
                credential: None,
                detail: format!("{what} {path}: {at} refused the token: invalid, revoked or expired"),
            },
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
    // What is shown: the chain without reqwest's "error sending request for url (…)" (the address
    // is named by the caller; the API path and query are noise) and hyper's "client error (…)".
    let reason: Vec<&str> = text
        .iter()
        .map(String::as_str)
        .filter(|t| !t.contains(" for url (") && !t.starts_with("client error ("))
        .collect();
    let shown = if reason.is_empty() { joined.clone() } else { reason.join(": ") };
    if ["certificate", "tls", "handshake", "unknownissuer", "invalid peer"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Failure::Tls(shown)
    } else if connect
        || ["connection refused", "dns error", "connect", "timed out", "reset"]
            .iter()
            .any(|w| lower.contains(w))
    {
        Failure::Connect(shown)
    } else {
        Failure::Other(shown)
    }
}

/// What a round in which every address failed comes to: with one address, its failure; when no
/// address could be reached, one failure naming each and why; else the last answer that was
/// not a connection failure (a sealed node says more than a dead one).
pub(crate) fn of_round(mut round: Vec<Failure>) -> Failure {
    if round.len() > 1 && round.iter().all(|f| matches!(f, Failure::Connect(_))) {
        let mut each: Vec<String> = Vec::new();
        for f in round {
            let Failure::Connect(m) = f else { unreachable!() };
            if !each.contains(&m) {
                each.push(m);
            }
        }
        return if each.len() == 1 {
            Failure::Connect(each.remove(0))
        } else {
            Failure::NoneAnswered(each)
        };
    }
    let last = round.iter().rposition(|f| !matches!(f, Failure::Connect(_)));
    let i = last.unwrap_or(round.len() - 1);
    round.swap_remove(i)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, error: &str) -> Failure {
        Failure::Status { code, errors: vec![error.into()], at: "http://127.0.0.1:8200".into() }
    }

    #[test]
    fn a_round_where_no_address_answered_names_each_once() {
        let refused = |a: &str| Failure::Connect(format!("{a}: Connection refused"));
        let f = of_round(vec![refused("http://a:1"), refused("http://b:2"), refused("http://a:1")]);
        assert_eq!(
            f.into_error("list", "secret/metadata/").to_string(),
            "cannot reach the Vault server: none of its 2 addresses answered: http://a:1: Connection \
             refused; http://b:2: Connection refused (check the addresses and that the servers run)"
        );
        let Failure::Connect(m) = of_round(vec![refused("http://a:1")]) else { panic!() };
        assert_eq!(m, "http://a:1: Connection refused");
        // A sealed node among dead ones is what is said.
        let sealed = status(503, "Vault is sealed");
        assert!(of_round(vec![refused("http://a:1"), sealed, refused("http://b:2")]).is_sealed());
    }

    /// reqwest's wrapper (with the URL, path and query) and hyper's are left out of the text.
    #[test]
    fn a_transport_failure_reads_as_its_cause() {
        #[derive(Debug)]
        struct E(&'static str, Option<Box<E>>);
        impl std::fmt::Display for E {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for E {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                self.1.as_deref().map(|e| e as _)
            }
        }
        let chain = E(
            "error sending request for url (http://127.0.0.1:1/v1/sys/health?standbyok=true)",
            Some(Box::new(E(
                "client error (Connect)",
                Some(Box::new(E(
                    "tcp connect error",
                    Some(Box::new(E("Connection refused (os error 111)", None))),
                ))),
            ))),
        );
        let Failure::Connect(m) = classify_transport(&chain) else { panic!() };
        assert_eq!(m, "tcp connect error: Connection refused (os error 111)");
    }

    /// The texts as OpenBao 2.x and Vault send them right after a leader election.
    #[test]
    fn a_kv_mount_upgrading_after_an_election_is_retried() {
        let waiting = "Waiting for the primary to upgrade from non-versioned to versioned data. \
            This backend will be unavailable for a brief period and will resume service when the \
            primary is finished.";
        let upgrading = "Upgrading from non-versioned to versioned data. This backend will be \
            unavailable for a brief period and will resume service shortly.";
        assert!(status(400, waiting).retryable(false));
        assert!(status(400, upgrading).retryable(true));
        assert!(!status(400, "check-and-set parameter did not match").retryable(true));
        assert!(!status(403, "permission denied").retryable(true));
    }
}
