//! `doctor`: a list of checks that each say what is wrong and what to do. It never fails early.

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::model::KeyMode;
use crate::vault::Vault;

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
    /// The code of the error behind a failed check, for a face to add its advice.
    #[serde(skip)]
    pub code: Option<&'static str>,
}

fn check(name: &'static str, ok: bool, detail: impl Into<String>) -> Check {
    Check { name, ok, detail: detail.into(), code: None }
}

/// A failed check from an error: its message, and its code for the face's advice.
fn failed(name: &'static str, e: &Error) -> Check {
    Check { name, ok: false, detail: e.to_string(), code: Some(e.code()) }
}

/// Runs every check on the vault at `path`.
/// `passphrase` (passphrase vaults, when the agent holds no key) lets the integrity check run.
pub fn doctor(path: &Path, passphrase: Option<&crate::Passphrase>) -> Vec<Check> {
    let mut out = Vec::new();
    // Before anything opens the vault (which repairs them): the modes of its side files.
    let sides = side_files(path);
    let keychain = crate::keychain::status();
    // The keychain only matters to keychain vaults (and to `hush init` without --passphrase).
    let needs_keychain = !path.is_file()
        || Vault::inspect(path).map(|v| v.key_mode == KeyMode::Keychain).unwrap_or(true);
    out.push(match &keychain {
        Ok(()) => check("keychain", true, "the OS keychain answers"),
        Err(e) if needs_keychain => failed("keychain", e),
        Err(_) => {
            check("keychain", true, "not reachable, and not needed: this vault uses a passphrase")
        }
    });
    if !path.is_file() {
        out.push(failed("vault", &Error::NoVault { path: path.into() }));
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
    out.extend(sides);
    out.push(sqlite_check(path));
    let mut v = match Vault::open(path) {
        Ok(v) => v,
        Err(e) => {
            out.push(failed("vault", &e));
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
        Err(e) => failed("vault", e),
    });
    let unlocked = match v.key_mode() {
        KeyMode::Keychain => match v.unlock_keychain() {
            Ok(()) => {
                out.push(check("key", true, "the keychain key opens the vault"));
                true
            }
            Err(e) => {
                out.push(failed("key", &e));
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
        Err(e) => failed("audit", &e),
    });
    if unlocked {
        out.push(match v.verify_integrity() {
            Ok(bad) if bad.is_empty() => check(
                "integrity",
                true,
                "every record, remote and setting verifies, and every kept version decrypts",
            ),
            Ok(bad) => {
                check("integrity", false, format!("altered or misplaced: {}", bad.join(", ")))
            }
            Err(e) => failed("integrity", &e),
        });
        out.push(match v.state_problems() {
            Ok(bad) if bad.is_empty() => check(
                "state",
                true,
                "the records, remotes, settings and audit anchor are those Hush last wrote",
            ),
            Ok(bad) => {
                Check { code: Some("state_altered"), ..check("state", false, bad.join("; ")) }
            }
            Err(e) => failed("state", &e),
        });
    }
    out
}

/// The `-wal` and `-shm` files must be private (0600) too, and writable: a read-only period can
/// leave them 0444 (Hush puts them back to 0600 whenever it opens the vault). One check, present
/// whether or not they exist (they stay between commands, see `store::open::connect`).
fn side_files(path: &Path) -> Vec<Check> {
    let present: Vec<(String, u32)> = crate::store::sidecar_modes(path)
        .into_iter()
        .filter_map(|(p, mode)| mode.map(|m| (p, m)))
        .collect();
    let wrong: Vec<String> = present
        .iter()
        .filter(|(_, m)| *m != 0o600)
        .map(|(p, m)| format!("{p} has mode {m:o}; run `chmod 600 {p}`"))
        .collect();
    let check = if !wrong.is_empty() {
        check("side files", false, wrong.join("; "))
    } else if present.is_empty() {
        check("side files", true, "none (no -wal or -shm file)")
    } else {
        let names: Vec<&str> = present.iter().map(|(p, _)| p.as_str()).collect();
        check("side files", true, format!("{} mode 600", names.join(" and ")))
    };
    vec![check]
}

/// SQLite's own check of every page and index, on a read-only connection.
fn sqlite_check(path: &Path) -> Check {
    match crate::store::Store::open_read_only(path).and_then(|s| s.integrity_check()) {
        Ok(problems) if problems.is_empty() => check("sqlite", true, "pages and indexes are sound"),
        Ok(problems) => check(
            "sqlite",
            false,
            format!(
                "the database file is damaged: {}",
                problems.into_iter().take(5).collect::<Vec<_>>().join("; ")
            ),
        ),
        Err(e) => Check {
            detail: format!("the database file is damaged or unreadable ({e})"),
            ..failed("sqlite", &e)
        },
    }
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
                out.push(failed("key", &e));
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
            out.push(failed("key", &e));
            false
        }
    }
}
