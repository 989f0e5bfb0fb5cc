//! What an address may be, and what every operation says about how it connects: plain http only
//! to this machine unless allowed, no `user:pass@` in an address, a warning each time TLS is not
//! verified, and which token source is in use.

use reqwest::Url;

use super::auth::TokenSource;
use super::client::Target;
use super::config::RemoteRow;
use crate::error::{Error, Result};
use crate::vault::Vault;

/// True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1).
pub(crate) fn is_loopback(u: &Url) -> bool {
    let Some(h) = u.host_str() else { return false };
    let h = h.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks an address before it is stored. Never echoes a password it refuses.
pub(crate) fn check(addr: &str, allow_http: bool) -> Result<()> {
    let Ok(u) = Url::parse(addr) else { return Ok(()) }; // the caller reports a non-URL
    if !u.username().is_empty() || u.password().is_some() {
        return Err(Error::InvalidInput(
            "the address holds a user name or password (user:pass@host); Vault does not use them and Hush does not store them: give the address without it and the token through --auth token (stdin or a prompt)".into(),
        ));
    }
    if u.scheme() == "http" && !is_loopback(&u) && !allow_http {
        return Err(Error::InvalidInput(format!(
            "http://{} would send the token and every value unencrypted over the network; use https:// (with --ca-cert for a private CA), or pass --allow-http if you trust every network between here and there",
            u.host_str().unwrap_or_default()
        )));
    }
    Ok(())
}

/// Warnings about the connection: TLS not verified (and why), plain http beyond this machine.
pub(crate) fn warnings(row: &RemoteRow, t: &Target) -> Vec<String> {
    let mut out = Vec::new();
    for u in t.addrs().into_iter().filter_map(|a| Url::parse(a).ok()) {
        if u.scheme() == "https" && t.skip_verify {
            let why = if row.info.spec.skip_verify {
                "the remote was added with --skip-verify"
            } else {
                "VAULT_SKIP_VERIFY is set in the environment"
            };
            out.push(format!(
                "warning: TLS certificates of {} are NOT verified ({why}): whoever sits on the network path can read the token and every value; prefer --ca-cert FILE",
                u.origin().ascii_serialization()
            ));
        }
        if u.scheme() == "http" && !is_loopback(&u) {
            out.push(format!(
                "warning: {} is plain http: the token and every value cross the network unencrypted",
                u.origin().ascii_serialization()
            ));
        }
    }
    out
}

/// The notes every operation starts with: its warnings, then where its token came from.
/// How the note naming a namespace taken from VAULT_NAMESPACE starts: a remote-first read,
/// which drops the connection's other notes, keeps it (it says where the values came from).
pub(crate) const ENV_NAMESPACE_NOTE: &str = "namespace ";

pub(crate) fn connection_notes(row: &RemoteRow, t: &Target, source: TokenSource) -> Vec<String> {
    let mut out = warnings(row, t);
    let from = match source {
        TokenSource::EnvVaultToken => {
            " (set in this environment: check that it belongs to this server)"
        }
        _ => "",
    };
    out.push(format!("authenticated with the {}{from}", source.describe()));
    // Not stored with the remote, so another shell's VAULT_NAMESPACE is another place, which the
    // sync history (kept per remote) does not describe: say where this run went.
    if let Some(ns) = &row.info.spec.namespace {
        out.push(format!("in namespace '{ns}' (stored with the remote)"));
    }
    if let (None, Some(ns)) = (&row.info.spec.namespace, &t.namespace) {
        out.push(format!(
            "{ENV_NAMESPACE_NOTE}'{ns}' from VAULT_NAMESPACE (not stored with the remote; the sync history assumes the same one on every run: `hush remote set {} --namespace {ns}` stores it)",
            row.info.spec.name
        ));
    }
    out
}

impl Vault {
    /// [`Vault::remote_add`], allowing a plain `http://` address beyond this machine when
    /// `allow_http` (the CLI's `--allow-http`); without it such an address is refused.
    pub fn remote_add_allowing_http(
        &mut self,
        spec: &super::RemoteSpec,
        credential: Option<&super::RemoteCredential>,
        allow_http: bool,
    ) -> Result<super::RemoteInfo> {
        self.remote_add_checked(spec, credential, allow_http)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(check("https://vault.example.com:8200", false).is_ok());
        assert!(check("http://127.0.0.1:8200", false).is_ok());
        assert!(check("http://localhost:8200", false).is_ok());
        assert!(check("http://[::1]:8200", false).is_ok());
        assert!(check("http://vault.example.com:8200", false).is_err());
        assert!(check("http://10.0.0.5:8200", false).is_err());
        assert!(check("http://vault.example.com:8200", true).is_ok());
        let e = check("https://me:hunter2@vault.example.com", false).unwrap_err().to_string();
        assert!(e.contains("user:pass") && !e.contains("hunter2"), "{e}");
        assert!(check("https://me@vault.example.com", true).is_err());
    }
}
