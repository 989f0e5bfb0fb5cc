//! The command line, as clap types. Shape is documented in the README; extend, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "hush", version, about = "Keep your secrets in a local encrypted vault", max_term_width = 100)]
pub struct Cli {
    /// The vault file (default: the OS data dir, e.g. ~/.local/share/hush/vault.db)
    #[arg(long, global = true, env = "HUSH_VAULT", value_name = "FILE")]
    pub vault: Option<PathBuf>,
    /// Read the vault passphrase from this file (passphrase vaults; else HUSH_PASSPHRASE, the agent, or a prompt)
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Create a new vault (keychain-protected unless --passphrase)
    Init {
        /// Protect the vault with a passphrase instead of the OS keychain (headless machines)
        #[arg(long)]
        passphrase: bool,
    },
    /// Store a new version of a secret; the value comes from stdin or a hidden prompt, never argv
    Set(SetArgs),
    /// Print a secret's value (alone, newline-terminated)
    Get {
        path: String,
        /// A kept older version
        #[arg(long)]
        version: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// List secrets (metadata only)
    Ls {
        folder: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        /// Case-insensitive substring of path, description or tags
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a secret's metadata
    Show {
        path: String,
        #[arg(long)]
        json: bool,
    },
    /// List the kept versions of a secret
    History {
        path: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a kept version again as the newest version
    Rollback {
        path: String,
        #[arg(long, value_name = "N")]
        to: u64,
        #[arg(long, value_name = "N")]
        cas: Option<u64>,
    },
    /// Move a secret to the trash (restorable for the trash window, 30 days by default)
    Rm { path: String },
    /// Bring a secret back from the trash
    Restore { path: String },
    /// Destroy a secret and every version of it, for good
    Purge { path: String },
    /// List the trash
    Trash {
        #[arg(long)]
        json: bool,
    },
    /// Show the audit log, or verify its hash chain
    Audit {
        /// Check the hash chain; exit 6 if it is broken
        #[arg(long)]
        verify: bool,
        /// Only entries for this path or folder
        #[arg(long)]
        path: Option<String>,
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Recovery passphrase: a second way to open the vault (new machine, lost keychain entry)
    Recovery {
        #[command(subcommand)]
        cmd: RecoveryCmd,
    },
    /// Protect the data key with a new key-encryption key (new keychain key or new passphrase)
    Rewrap {
        /// Switch to passphrase mode
        #[arg(long, conflicts_with = "to_keychain")]
        to_passphrase: bool,
        /// Switch to keychain mode
        #[arg(long)]
        to_keychain: bool,
    },
    /// Generate a new data key and re-encrypt every version (one transaction)
    Rekey,
    /// Check the vault, keychain, agent, audit chain and every ciphertext
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Passphrase vaults: keep the key in a per-user agent until idle timeout or `hush lock`
    Unlock {
        /// Idle timeout: 30s, 15m, 2h (default 15m)
        #[arg(long, default_value = "15m", value_parser = parse_duration)]
        timeout: u64,
    },
    /// Stop the agent; the key is zeroized
    Lock,
    /// Vault settings
    Settings {
        #[arg(long)]
        versions_kept: Option<u32>,
        #[arg(long)]
        trash_days: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    #[command(name = "__agent", hide = true)]
    Agent {
        #[arg(long)]
        vault_id: String,
        #[arg(long)]
        timeout: u64,
    },
}

#[derive(Args)]
pub struct SetArgs {
    pub path: String,
    #[arg(long)]
    pub kind: Option<String>,
    /// Replace the tags (repeatable)
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Expiry date, YYYY-MM-DD or RFC 3339
    #[arg(long)]
    pub expires: Option<String>,
    #[arg(long, value_name = "DAYS")]
    pub rotate_every: Option<u32>,
    /// Free metadata KEY=VALUE (repeatable; an empty VALUE removes the key)
    #[arg(long = "meta", value_name = "KEY=VALUE")]
    pub meta: Vec<String>,
    /// Versions kept for this secret (default: the vault's setting)
    #[arg(long, value_name = "N")]
    pub keep: Option<u32>,
    /// Check-and-set: write only if the current version is N (0: only if it does not exist)
    #[arg(long, value_name = "N")]
    pub cas: Option<u64>,
    /// Keep stdin exactly (by default one trailing newline is dropped)
    #[arg(long)]
    pub raw: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum RecoveryCmd {
    /// Set or replace the recovery passphrase (HUSH_RECOVERY_PASSPHRASE or a prompt)
    Set,
    /// Open the vault with the recovery passphrase and protect it again on this machine
    Restore,
    /// Remove the recovery passphrase
    Rm,
}

/// `30s`, `15m`, `2h`, `1d` or plain seconds.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.char_indices().last() {
        Some((i, 's')) => (&s[..i], 1),
        Some((i, 'm')) => (&s[..i], 60),
        Some((i, 'h')) => (&s[..i], 3600),
        Some((i, 'd')) => (&s[..i], 86_400),
        _ => (s, 1),
    };
    let n: u64 = num.parse().map_err(|_| format!("'{s}' is not a duration (e.g. 30s, 15m, 2h)"))?;
    match n.checked_mul(mult) {
        Some(secs) if (1..=7 * 86_400).contains(&secs) => Ok(secs),
        _ => Err("the timeout must be between 1 second and 7 days".into()),
    }
}
