//! What every subcommand needs: the vault file, unlocking it, and reading passphrases and values
//! without them ever touching argv.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::sync::OnceLock;

use zeroize::Zeroizing;

use hush_core::{Error, KeyMode, Passphrase, Result, SecretValue, Vault, MAX_VALUE_BYTES};

pub struct Ctx {
    pub vault_path: PathBuf,
    pub passphrase_file: Option<PathBuf>,
}

impl Ctx {
    pub fn open(&self) -> Result<Vault> {
        Vault::open(&self.vault_path)
    }

    /// Opens and unlocks: keychain key, else the agent, else the passphrase (file, env, prompt).
    pub fn open_unlocked(&self) -> Result<Vault> {
        self.open_with(true)
    }

    /// Opens and unlocks without ever prompting (the prompt hook, `status`): keychain, the
    /// unlock agent, --passphrase-file or HUSH_PASSPHRASE; else an error saying it is locked.
    pub fn open_quietly(&self) -> Result<Vault> {
        self.open_with(false)
    }

    fn open_with(&self, may_prompt: bool) -> Result<Vault> {
        let mut v = self.open()?;
        match v.key_mode() {
            KeyMode::Keychain => v.unlock_keychain()?,
            KeyMode::Passphrase => {
                #[cfg(unix)]
                if let Some(kek) = hush_core::agent::fetch_key(v.vault_id())? {
                    if v.unlock_with_kek(kek).is_ok() {
                        return Ok(v);
                    }
                }
                // HUSH_PASSPHRASE was taken out of the environment at start-up (no child
                // inherits it), so it is asked of the context, never of std::env.
                let given =
                    self.passphrase_file.is_some() || env_passphrase_given("HUSH_PASSPHRASE");
                if !may_prompt && !given {
                    return Err(Error::KeyUnavailable(
                        "the vault is locked: no agent and no HUSH_PASSPHRASE".into(),
                    ));
                }
                v.unlock_passphrase(&self.passphrase("Vault passphrase: ")?)?;
            }
        }
        Ok(v)
    }

    /// The vault passphrase from --passphrase-file, HUSH_PASSPHRASE, or a prompt on a terminal.
    pub fn passphrase(&self, prompt: &str) -> Result<Passphrase> {
        if let Some(f) = &self.passphrase_file {
            let s =
                std::fs::read_to_string(f).map_err(|e| Error::Io { path: f.clone(), source: e })?;
            return Ok(Passphrase::new(s.trim_end_matches(['\n', '\r']).to_string()));
        }
        secret_from_env_or_prompt("HUSH_PASSPHRASE", prompt, false)
    }
}

/// The `HUSH_*PASSPHRASE` variables, read once at start-up ([`capture_env_passphrases`]).
static ENV_PASSPHRASES: OnceLock<BTreeMap<String, Zeroizing<String>>> = OnceLock::new();

/// True for the variables that hold a passphrase (`HUSH_PASSPHRASE`, `HUSH_BACKUP_PASSPHRASE`,
/// `HUSH_RECOVERY_PASSPHRASE`, `HUSH_NEW_PASSPHRASE`, and any later `HUSH_…PASSPHRASE`).
pub fn is_passphrase_var(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with("HUSH_") && n.ends_with("PASSPHRASE"))
}

/// Reads every `HUSH_*PASSPHRASE` variable once and removes it from this process's environment,
/// so no child (the program of `hush run`, the agent, a rotation handler) inherits a key to the
/// whole vault. Call first thing in `main`, while the process is still single-threaded.
pub fn capture_env_passphrases() {
    let mut found = BTreeMap::new();
    for (k, v) in std::env::vars_os() {
        if is_passphrase_var(&k) {
            // Not UTF-8: kept as an error for the one command that would use it.
            let value = v.into_string().unwrap_or_else(|v| v.to_string_lossy().into_owned());
            found.insert(k.to_string_lossy().into_owned(), Zeroizing::new(value));
            std::env::remove_var(&k);
        }
    }
    let _ = ENV_PASSPHRASES.set(found);
}

/// Whether `var` was set when hush started.
pub fn env_passphrase_given(var: &str) -> bool {
    ENV_PASSPHRASES.get().is_some_and(|m| m.contains_key(var))
}

/// A passphrase from `var` (as read at start-up), else a hidden prompt (confirmed twice when
/// `confirm`).
pub fn secret_from_env_or_prompt(var: &str, prompt: &str, confirm: bool) -> Result<Passphrase> {
    if let Some(s) = ENV_PASSPHRASES.get().and_then(|m| m.get(var)) {
        return Ok(Passphrase::new(String::clone(s)));
    }
    if !std::io::stdin().is_terminal() {
        // --passphrase-file feeds the vault passphrase only; other passphrases come from their
        // variable, and asking for one (a backup's) is not the vault being locked.
        return Err(Error::KeyUnavailable(if var == "HUSH_PASSPHRASE" {
            "the vault is locked and no passphrase was given: set HUSH_PASSPHRASE, pass --passphrase-file, run `hush unlock`, or run on a terminal".to_string()
        } else {
            format!("no passphrase was given: set {var} or run on a terminal")
        }));
    }
    let first = Passphrase::new(
        rpassword::prompt_password(prompt)
            .map_err(|e| Error::Io { path: "/dev/tty".into(), source: e })?,
    );
    if confirm {
        let again = rpassword::prompt_password("Repeat: ")
            .map_err(|e| Error::Io { path: "/dev/tty".into(), source: e })?;
        if again != first.expose() {
            return Err(Error::InvalidInput("the passphrases differ; nothing was changed".into()));
        }
    }
    Ok(first)
}

/// The value to store: all of stdin when piped (one trailing newline dropped unless `raw`), else a
/// hidden prompt. Reads at most the size limit plus one byte, so a huge input fails fast.
pub fn read_value(prompt: &str, raw: bool) -> Result<SecretValue> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let s = rpassword::prompt_password(prompt)
            .map_err(|e| Error::Io { path: "/dev/tty".into(), source: e })?;
        return Ok(SecretValue::from_string(s));
    }
    let io = |e| Error::Io { path: "<stdin>".into(), source: e };
    let mut buf = zeroize::Zeroizing::new(Vec::new());
    let mut input = stdin.lock();
    (&mut input).take(MAX_VALUE_BYTES as u64 + 2).read_to_end(&mut buf).map_err(io)?;
    let newline = |tail: &[u8]| {
        if raw {
            0
        } else if tail.ends_with(b"\r\n") {
            2
        } else {
            usize::from(tail.ends_with(b"\n"))
        }
    };
    if buf.len() == MAX_VALUE_BYTES + 2 {
        // Too large whatever its ending: count the rest (not kept) to say exactly how large.
        let mut rest = Tail::default();
        std::io::copy(&mut input.take(MAX_COUNTED), &mut rest).map_err(io)?;
        let tail = [&buf[buf.len() - 2..], &rest.last[2 - rest.kept..]].concat();
        let size = buf.len() as u64 + rest.count - newline(&tail) as u64;
        let size = if rest.count == MAX_COUNTED {
            "more than 1 GiB".to_string()
        } else {
            format!("{size} bytes")
        };
        return Err(Error::InvalidInput(format!(
            "the value is {size}; the limit is {MAX_VALUE_BYTES} bytes (1 MiB) per value"
        )));
    }
    let keep = buf.len() - newline(&buf);
    buf.truncate(keep);
    Ok(SecretValue::new(std::mem::take(&mut *buf)))
}

/// How much of an oversized input is counted (not kept) before giving up on an exact size.
const MAX_COUNTED: u64 = 1 << 30;

/// Counts what is written to it and keeps only its last two bytes.
#[derive(Default)]
struct Tail {
    count: u64,
    last: [u8; 2],
    kept: usize,
}

impl std::io::Write for Tail {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.count += b.len() as u64;
        for &x in b.iter().rev().take(2).rev() {
            self.last = [self.last[1], x];
            self.kept = (self.kept + 1).min(2);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
