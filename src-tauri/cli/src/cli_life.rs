//! Arguments of the lifecycle subcommands (issue 14): generate, rotate, policy, status, report,
//! test.

use clap::Args;

#[derive(Args)]
#[command(
    after_help = "Values come from the OS random generator. --charset: alnum (62 symbols), hex (16), base64url (64), symbols (90: alnum and !#$%&()*+,-./:;<=>?@[]^_{|}~). --words N: N words of the EFF large list (7772 words without a '-', 12.9 bits each) joined by '-'."
)]
pub struct GenerateArgs {
    /// Store the value as a new version of this secret (created if needed) instead of printing it
    pub path: Option<String>,
    /// Characters (default 32; 1-4096)
    #[arg(long, value_name = "N", conflicts_with = "words")]
    pub length: Option<u32>,
    #[arg(long, value_parser = ["alnum", "hex", "base64url", "symbols"], conflicts_with = "words")]
    pub charset: Option<String>,
    /// A passphrase of N words instead of characters (1-64)
    #[arg(long, value_name = "N")]
    pub words: Option<u32>,
    /// With PATH: also print the value
    #[arg(long)]
    pub print: bool,
    /// The kind of a new secret (with PATH)
    #[arg(long, requires = "path")]
    pub kind: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
#[command(
    after_help = "The handler reads the current value on stdin and prints the new one on stdout (never argv, never the environment). It fails, and nothing changes, when it exits non-zero, times out, prints nothing or prints the current value again; the audit log records `rotate_failed` with how it ended, never its output.\n\
--then CMD gets the new value on stdin after it is stored; if it fails the new version stays (the provider already rotated) and hush says what to run.\n\
Exit codes: 0 rotated; 1 the rotation failed or the post-rotation command failed; 6 a record was altered (nothing ran)."
)]
pub struct RotateArgs {
    pub path: Option<String>,
    /// Rotate every secret with the automatic strategy whose rotation is due
    #[arg(long, conflicts_with_all = ["path", "generate", "with"])]
    pub due: bool,
    /// Generate the new value: CHARSET[:LENGTH] or words[:N] (alnum:40, hex:64, words:6)
    #[arg(long, value_name = "SPEC", conflicts_with = "with")]
    pub generate: Option<String>,
    /// Run this handler instead of the policy's
    #[arg(long = "with", value_name = "CMD")]
    pub with: Option<String>,
    /// Run this after the new version is stored, with the new value on stdin (instead of the policy's)
    #[arg(long = "then", value_name = "CMD", conflicts_with = "due")]
    pub then: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
#[command(
    after_help = "Without options, shows the policy. Commands run through /bin/sh with the value on stdin and HUSH_SECRET_PATH set; they are covered by the record's MAC, so an edit of the vault file cannot change them.\n\
Strategies: manual (you run `hush rotate`), notify (the desktop app reminds you when due), automatic (`hush rotate --due` runs the handler)."
)]
pub struct PolicyArgs {
    pub path: String,
    #[arg(long, value_parser = ["manual", "notify", "automatic", "none"])]
    pub strategy: Option<String>,
    /// Rotation interval in days (0 removes it)
    #[arg(long, value_name = "DAYS")]
    pub every: Option<u32>,
    /// Automatic rotation's handler ('' removes it)
    #[arg(long, value_name = "CMD")]
    pub handler: Option<String>,
    /// Post-rotation command ('' removes it)
    #[arg(long = "then", value_name = "CMD")]
    pub then: Option<String>,
    /// `hush test`'s check command ('' removes it)
    #[arg(long, value_name = "CMD")]
    pub check: Option<String>,
    /// Time limit of each command in seconds (default 120, at most 3600; 0 resets)
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u32>,
    /// Remove the whole policy and the interval
    #[arg(long)]
    pub clear: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
#[command(
    after_help = "Metadata and the audit log only: works while the vault is locked. Unlocked \
(keychain, agent or HUSH_PASSPHRASE; never a prompt) it also checks each record's MAC, and a \
record changed outside Hush exits 6.\n\
--fail-on exits 9 when any of the listed lists is not empty (for CI)."
)]
pub struct StatusArgs {
    /// "Unused" means not read for this many days
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub unused_days: u32,
    /// Exit 9 if any of these lists is not empty: altered, expired, expiring, due, never-rotated, no-expiry, unused
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub fail_on: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReportArgs {
    #[arg(long, default_value = "json", value_parser = ["json", "csv", "html"])]
    pub format: String,
    /// Write to FILE (atomically, mode 0600) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Start of the period (YYYY-MM-DD or RFC 3339; default 90 days ago)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

#[derive(Args)]
#[command(after_help = "Exit codes: 0 the check passed (its time is recorded); 9 it failed.")]
pub struct TestArgs {
    pub path: String,
    /// Run this check instead of the policy's
    #[arg(long = "with", value_name = "CMD")]
    pub with: Option<String>,
    #[arg(long)]
    pub json: bool,
}
