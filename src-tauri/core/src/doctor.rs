//! `doctor`: a list of checks that each say what is wrong and what to do. It never fails early.

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::vault::{KeyMode, Vault};

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

fn check(name: &'static str, ok: bool, detail: impl Into<String>) -> Check {
    Check { name, ok, detail: detail.into() }
}

/// Runs every check on the vault at `path`.
/// `passphrase` (passphrase vaults, when the agent holds no key) lets the integrity check run.
pub fn doctor(path: &Path, passphrase: Option<&crate::Passphrase>) -> Vec<Check> {
    let mut out = Vec::new();
    let keychain = crate::keychain::status();
    // The keychain only matters to keychain vaults (and to `hush init` without --passphrase).
    let needs_keychain = !path.is_file()
        || Vault::open(path).map(|v| v.key_mode() == KeyMode::Keychain).unwrap_or(true);
    out.push(match &keychain {
        Ok(()) => check("keychain", true, "the OS keychain answers"),
        Err(e) if needs_keychain => check("keychain", false, e.to_string()),
        Err(_) => {
            check("keychain", true, "not reachable, and not needed: this vault uses a passphrase")
        }
    });
    if !path.is_file() {
        out.push(check("vault", false, Error::NoVault { path: path.into() }.to_string()));
        return out;
    }
    match crate::fsutil::mode_of(path) {
        Some(m) if m & 0o077 != 0 => out.push(check(
            "permissions",
            false,
            format!("{} has mode {m:o}; run `chmod 600 {}`", path.display(), path.display()),
        )),
        Some(m) => out.push(check("permissions", true, format!("vault file mode {m:o}"))),
        None => {}
    }
    let mut v = match Vault::open(path) {
        Ok(v) => v,
        Err(e) => {
            out.push(check("vault", false, e.to_string()));
            return out;
        }
    };
    let info = v.info();
    out.push(match &info {
        Ok(i) => check(
            "vault",
            true,
            format!(
                "id {}, schema {}, {} mode, recovery {}",
                i.vault_id,
                i.schema_version,
                i.key_mode.as_str(),
                if i.has_recovery { "set" } else { "not set (consider `hush recovery set`)" }
            ),
        ),
        Err(e) => check("vault", false, e.to_string()),
    });
    let unlocked = match v.key_mode() {
        KeyMode::Keychain => match v.unlock_keychain() {
            Ok(()) => {
                out.push(check("key", true, "the keychain key opens the vault"));
                true
            }
            Err(e) => {
                out.push(check("key", false, e.to_string()));
                false
            }
        },
        KeyMode::Passphrase => unlock_from_agent(&mut v, passphrase, &mut out),
    };
    out.push(match v.audit_verify() {
        Ok(a) if a.ok => check("audit", true, format!("{} entries, chain intact", a.entries)),
        Ok(a) => check(
            "audit",
            false,
            format!(
                "chain broken at entry {}: {}",
                a.first_bad_seq.unwrap_or(0),
                a.problem.unwrap_or_default()
            ),
        ),
        Err(e) => check("audit", false, e.to_string()),
    });
    if unlocked {
        out.push(match v.verify_integrity() {
            Ok(bad) if bad.is_empty() => check("integrity", true, "every kept version decrypts"),
            Ok(bad) => {
                check("integrity", false, format!("altered or misplaced: {}", bad.join(", ")))
            }
            Err(e) => check("integrity", false, e.to_string()),
        });
    }
    out
}

/// The agent's key, else the given passphrase.
fn unlock_from_agent(
    v: &mut Vault,
    passphrase: Option<&crate::Passphrase>,
    out: &mut Vec<Check>,
) -> bool {
    #[cfg(unix)]
    let agent = crate::agent::fetch_key(v.vault_id());
    #[cfg(not(unix))]
    let agent: Result<Option<crate::secret::Key32>, Error> = Ok(None);
    match (agent, passphrase) {
        (Ok(None), Some(p)) => match v.unlock_passphrase(p) {
            Ok(()) => {
                out.push(check("key", true, "the passphrase opens the vault"));
                true
            }
            Err(e) => {
                out.push(check("key", false, e.to_string()));
                false
            }
        },
        (agent, _) => unlock_by_agent(v, agent, out),
    }
}

fn unlock_by_agent(
    v: &mut Vault,
    agent: Result<Option<crate::secret::Key32>, Error>,
    out: &mut Vec<Check>,
) -> bool {
    match agent {
        Ok(Some(k)) => match v.unlock_with_kek(k) {
            Ok(()) => {
                out.push(check("key", true, "unlocked by the running agent"));
                true
            }
            Err(e) => {
                out.push(check(
                    "key",
                    false,
                    format!("the agent's key is stale ({e}); run `hush lock` then `hush unlock`"),
                ));
                false
            }
        },
        Ok(None) => {
            out.push(check("key", true, "passphrase vault, locked (run `hush unlock`, or give the passphrase, for the integrity check)"));
            false
        }
        Err(e) => {
            out.push(check("key", false, e.to_string()));
            false
        }
    }
}
