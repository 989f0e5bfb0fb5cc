//! The command line, as clap types. Shape is documented in the README; extend, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cli_remote::{DirectionArg, MigrateArgs, RemoteCmd, SyncArgs};

/// `hush --version`: the version and the commit it was built from (`unknown` outside git).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HUSH_GIT_COMMIT"), ")");

/// The end of `hush --help` and of `man hush`: exit codes and environment (README, Using the CLI).
const AFTER_LONG_HELP: &str = "\
Exit codes: 0 ok; 1 other failure; 2 usage error or invalid input; 3 not found; 4 check-and-set \
conflict or already exists; 5 locked, wrong passphrase or key unavailable; 6 integrity failure; \
7 remote problem; 8 remote refused (authentication, policy); 130 cancelled.

Environment: HUSH_VAULT (the vault file); HUSH_PASSPHRASE, HUSH_RECOVERY_PASSPHRASE, \
HUSH_NEW_PASSPHRASE, HUSH_BACKUP_PASSPHRASE (passphrases for scripts); VAULT_ADDR, VAULT_TOKEN, \
VAULT_NAMESPACE, VAULT_CACERT, VAULT_SKIP_VERIFY (remotes, as the vault CLI reads them).";

#[derive(Parser)]
#[command(
    name = "hush",
    version = VERSION,
    about = "Keep your secrets in a local encrypted vault",
    max_term_width = 100,
    after_long_help = AFTER_LONG_HELP
)]
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
    /// Rename or move a secret, or a folder with its subfolders; history is kept
    ///
    /// A secret goes from folder/NAME to folder/NAME; a folder from FOLDER to FOLDER, with its
    /// subfolders.
    Mv {
        from: String,
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// Bring a secret back from the trash
    Restore { path: String },
    /// Destroy a secret and every version of it, for good
    #[command(after_help = "A path that is both live and in the trash (removed, then made \
again) is refused unless --trashed (only the trashed copies) or --all (both).")]
    Purge {
        path: String,
        /// Only the copies in the trash
        #[arg(long, conflicts_with = "all")]
        trashed: bool,
        /// The live secret and the copies in the trash
        #[arg(long)]
        all: bool,
    },
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
        /// After a "state" failure you have looked into (parts of an older copy you put back
        /// yourself): take the file as it is now as the vault's state. Audited; a record whose own
        /// MAC fails stays an error
        #[arg(long, conflicts_with = "json")]
        accept_state: bool,
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
    /// Remote HashiCorp Vault / OpenBao servers: add, ls, set, rm, test
    Remote {
        #[command(subcommand)]
        cmd: RemoteCmd,
    },
    /// What push, pull or sync would do with a remote, per folder and key (writes nothing)
    Plan {
        remote: String,
        /// Only these folders (each with its subfolders)
        folders: Vec<String>,
        /// The operation to plan
        #[arg(long = "for", value_enum, default_value_t = DirectionArg::Sync)]
        direction: DirectionArg,
        #[arg(long)]
        json: bool,
    },
    /// Send local changes to a remote (check-and-set; remote changes are conflicts, never overwritten)
    Push(SyncArgs),
    /// Bring remote changes into the vault
    Pull(SyncArgs),
    /// Two-way sync; conflicts are settled only by --keep-local / --keep-remote
    Sync(SyncArgs),
    /// Push every folder to a remote: concurrent, resumable, idempotent
    Migrate(MigrateArgs),
    /// Import a .env file into a folder: preview (new/changed/unchanged/skipped/invalid), then one transaction
    Import(ImportArgs),
    /// Export folders (later ones win) as .env, JSON or shell; atomic, mode 0600 with -o
    Export(ExportArgs),
    /// Write an encrypted backup of the whole vault (passphrase: HUSH_BACKUP_PASSPHRASE or a prompt)
    Backup {
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into a NEW vault file (--vault NEW; keychain-protected unless --passphrase)
    RestoreBackup {
        file: std::path::PathBuf,
        /// Protect the new vault with a passphrase (HUSH_PASSPHRASE or a prompt) instead of the keychain
        #[arg(long)]
        passphrase: bool,
        #[arg(long)]
        json: bool,
    },
    /// Run a program with a folder's secrets in its environment; returns its exit code
    Run(RunArgs),
    /// Render hush://folder/NAME references in a template (atomic, mode 0600 with -o)
    ///
    /// Inside a project, `hush://NAME` (no folder) names a variable of the project's environment
    Inject {
        #[arg(short = 'i', long = "input", value_name = "TEMPLATE")]
        input: std::path::PathBuf,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// Resolve only references inside FOLDER (and its subfolders); repeatable. Use it for
        /// templates you did not write: others are refused before any value is read.
        /// REMOTE:FOLDER reads it from that remote first, with the local copy as fallback
        #[arg(long = "only", value_name = "FOLDER")]
        only: Vec<String>,
        /// The project environment for `hush://NAME` references (default: the project's default)
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
    },
    /// Projects: hush.toml (environments, variables), trust, init from an existing .env
    Project {
        #[command(subcommand)]
        cmd: ProjectCmd,
    },
    /// Print the shell hook: `eval "$(hush activate bash)"` (zsh, fish: `hush activate fish | source`)
    Activate {
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Check an environment against the project's variables (hush.toml [vars] or .env.example)
    Check(CheckArgs),
    /// Serve an environment as a named pipe (default .env): read by dotenv libraries, never on disk
    Mount(MountArgs),
    /// Stop the `hush mount` serving PATH (default .env) and remove the pipe
    Unmount {
        #[arg(default_value = ".env")]
        path: std::path::PathBuf,
    },
    /// List active (and stale) mounts
    Mounts {
        #[arg(long)]
        json: bool,
    },
    /// Find stored secret values in files (file:line and the secret's path, never the value)
    Scan(ScanArgs),
    /// Generate a random value (printed, or stored as a new version of PATH) with its entropy
    Generate(crate::cli_life::GenerateArgs),
    /// Rotate a secret through a handler command or a generator; --due rotates every due automatic one
    Rotate(crate::cli_life::RotateArgs),
    /// Show or set a secret's rotation policy (strategy, interval, handler, post-rotation, check)
    Policy(crate::cli_life::PolicyArgs),
    /// What needs attention: expired, expiring, rotation due, never rotated, no expiry, unused
    Status(crate::cli_life::StatusArgs),
    /// Compliance report (inventory, activity, findings, audit chain) as JSON, CSV or HTML
    Report(crate::cli_life::ReportArgs),
    /// Run a secret's check command with its value on stdin; records when it last passed
    Test(crate::cli_life::TestArgs),
    #[command(name = "__hook", hide = true)]
    Hook {
        #[arg(value_enum)]
        shell: ShellArg,
    },
    #[command(name = "__mount-guard", hide = true)]
    MountGuard {
        #[arg(long)]
        pid: u32,
        #[arg(long)]
        path: std::path::PathBuf,
    },
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell
    #[command(after_help = "Packages install these already. By hand, e.g.:\n  \
hush completions bash > ~/.local/share/bash-completion/completions/hush\n  \
hush completions zsh > ~/.zfunc/_hush   (with fpath+=~/.zfunc before compinit)\n  \
hush completions fish > ~/.config/fish/completions/hush.fish")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (hush.1 and one per subcommand) into DIR; used by scripts/package.sh
    #[command(name = "__man", hide = true)]
    Man { dir: PathBuf },
    #[command(name = "__agent", hide = true)]
    Agent {
        #[arg(long)]
        vault_id: String,
        #[arg(long)]
        timeout: u64,
    },
}

#[derive(Args)]
#[command(
    after_help = "Limits: a value is at most 1 MiB (1048576 bytes); a larger one is refused with its exact size.\n\
--keep N: 1 to 1000 versions."
)]
pub struct SetArgs {
    pub path: String,
    #[arg(long)]
    pub kind: Option<String>,
    /// Replace the tags (repeatable)
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Expiry date, YYYY-MM-DD or RFC 3339; `cert` takes a certificate's own expiry; `never`
    /// removes it
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
    /// Accept an empty value (refused by default: it is usually a mistake)
    #[arg(long)]
    pub allow_empty: bool,
    /// Refuse a value that does not parse as its kind (certificate, OpenSSH/PEM key, URL);
    /// by default it is stored with a warning
    #[arg(long)]
    pub strict: bool,
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

#[derive(Args)]
#[command(
    after_help = "Limits: a .env file is at most 64 MiB, and each value in it at most 1 MiB (a larger value is listed as invalid with its size).\n\
Names that change how programs start (LD_PRELOAD, PATH, NODE_OPTIONS, …) are flagged: `hush run` refuses them unless --allow-env NAME."
)]
pub struct ImportArgs {
    pub file: std::path::PathBuf,
    /// The folder the file's keys land in, e.g. myapp/dev (also --folder)
    #[arg(long, value_name = "FOLDER", alias = "folder")]
    pub into: String,
    /// Show the preview and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replace secrets that already exist with a different value
    #[arg(long, conflicts_with = "skip_existing")]
    pub overwrite: bool,
    /// Keep the vault's value where a secret already exists with a different value
    #[arg(long)]
    pub skip_existing: bool,
    /// Expand ${VAR} and ${VAR:-default} (python-dotenv's interpolation); off by default
    #[arg(long)]
    pub expand: bool,
    /// Add P in front of every key
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Remove P from the front of keys that start with it
    #[arg(long, value_name = "P")]
    pub strip_prefix: Option<String>,
    /// Import the valid lines and leave out broken ones (default: a broken line refuses the import)
    #[arg(long)]
    pub skip_invalid: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// One or more folders; a later folder's value wins (default: the project's environment).
    /// REMOTE:FOLDER reads it from that remote first, with the local copy as fallback
    pub folders: Vec<String>,
    /// A folder, as `run --from` takes it (after the FOLDERS); repeatable
    #[arg(long = "from", value_name = "FOLDER", conflicts_with = "env")]
    pub from: Vec<String>,
    /// The project environment to export instead of its default
    #[arg(long, value_name = "NAME", conflicts_with = "folders")]
    pub env: Option<String>,
    #[arg(long, default_value = "env", value_parser = ["env", "json", "shell"])]
    pub format: String,
    /// Write to FILE (atomically, mode 0600) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Args)]
#[command(
    after_help = "With --no-inherit-env the program sees only the secrets plus PATH, HOME, USER, LANG, TERM, TMPDIR and SHELL.\n\
SIGINT, SIGTERM and SIGHUP sent to hush are passed to the program (a Ctrl-C on the terminal reaches it directly).\n\
Secrets whose names change how programs start (LD_*, DYLD_*, NODE_OPTIONS, BASH_ENV, ENV, PATH, PYTHONSTARTUP, …) are refused unless allowed by name with --allow-env.\n\
The program never sees HUSH_PASSPHRASE or any other HUSH_*PASSPHRASE variable, and cannot dump core.\n\
Exit code: the program's; 128+N if it died of signal N."
)]
pub struct RunArgs {
    /// A folder whose secrets go into the environment (repeatable; a later one wins). Inside a
    /// project (hush.toml here or above) the default is the project's environment.
    /// REMOTE:FOLDER reads the folder from that remote first (refreshing the local copy) and
    /// falls back to the local copy when it does not answer within HUSH_REMOTE_TIMEOUT (3 s)
    #[arg(long = "from", value_name = "FOLDER")]
    pub from: Vec<String>,
    /// Folders named before `--` are taken as --from, first: `hush run myapp/dev -- CMD`
    #[arg(value_name = "FOLDER", conflicts_with = "env")]
    pub folders: Vec<String>,
    /// The project environment to use instead of its default
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub env: Option<String>,
    /// Start the program even if the project's required variables are missing or invalid
    #[arg(long)]
    pub no_check: bool,
    /// Start from an empty environment plus PATH, HOME, USER, LANG, TERM, TMPDIR, SHELL
    #[arg(long)]
    pub no_inherit_env: bool,
    /// Replace secret values in the program's stdout and stderr with [hush:masked]
    #[arg(long)]
    pub mask: bool,
    /// Let a secret named NAME through although it changes how programs start (LD_PRELOAD,
    /// LD_LIBRARY_PATH, DYLD_*, NODE_OPTIONS, BASH_ENV, ENV, PATH, PYTHONSTARTUP…); repeatable
    #[arg(long = "allow-env", value_name = "NAME")]
    pub allow_env: Vec<String>,
    /// The program and its arguments (after --)
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<std::ffi::OsString>,
}

#[derive(Subcommand)]
pub enum ProjectCmd {
    /// Make this directory a project: import .env into FOLDER, write hush.toml, ignore .env in git
    Init(ProjectInitArgs),
    /// Trust the project file here (or above) as it is now; needed before any use, and after a change
    Trust,
    /// Forget the trust of the project file here (or above)
    Untrust,
    /// The project here: file, trust, environments and their folders
    Status {
        /// Also check the default (or --env) environment against the project's variables
        #[arg(long)]
        check: bool,
        #[arg(long, value_name = "NAME")]
        env: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Projects you have trusted (known projects)
    Ls {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct ProjectInitArgs {
    /// The vault folder the environment lives in (default: <directory name>/dev)
    #[arg(long, value_name = "FOLDER")]
    pub folder: Option<String>,
    /// The environment's name
    #[arg(long = "env", default_value = "dev", value_name = "NAME")]
    pub env_name: String,
    /// The plaintext file to import (default: .env when it exists)
    #[arg(long = "from-file", value_name = "FILE")]
    pub from_file: Option<std::path::PathBuf>,
    /// Replace secrets that already exist in FOLDER with the file's values
    #[arg(long, conflicts_with = "skip_existing")]
    pub overwrite: bool,
    /// Keep the vault's values where they differ (the import is then not verified)
    #[arg(long)]
    pub skip_existing: bool,
    /// Delete the plaintext file once the import is verified, without asking
    #[arg(long, conflicts_with = "keep_plaintext")]
    pub delete_plaintext: bool,
    /// Keep the plaintext file, without asking
    #[arg(long)]
    pub keep_plaintext: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Folders to check instead of the project's environment (later wins)
    #[arg(long = "from", value_name = "FOLDER")]
    pub from: Vec<String>,
    /// The project environment to check instead of its default
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub env: Option<String>,
    /// Check against this .env.example-style file instead of the project's variables
    #[arg(long, value_name = "FILE")]
    pub spec: Option<std::path::PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
#[command(
    after_help = "The pipe is removed when hush mount stops (Ctrl-C, `hush unmount`, SIGTERM; a guard \
process cleans up after SIGKILL). Every read is in the audit log as mount_read. Linux and macOS only."
)]
pub struct MountArgs {
    /// Where the pipe goes
    #[arg(default_value = ".env")]
    pub path: std::path::PathBuf,
    /// Folders to serve instead of the project's environment (later wins)
    #[arg(long = "from", value_name = "FOLDER")]
    pub from: Vec<String>,
    /// The project environment to serve instead of its default
    #[arg(long, value_name = "NAME", conflicts_with = "from")]
    pub env: Option<String>,
    /// Say nothing per read
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct ScanArgs {
    /// The directory (or file) to scan; git-ignored files are included, .git is not
    #[arg(default_value = ".")]
    pub dir: std::path::PathBuf,
    /// Also scan every commit of the repository's history (all refs)
    #[arg(long)]
    pub history: bool,
    /// Scan only what `git commit` would add now (the pre-commit hook runs this)
    #[arg(long, conflicts_with = "history")]
    pub staged: bool,
    /// Install a git pre-commit hook that runs `hush scan --staged`
    #[arg(long, conflicts_with_all = ["history", "staged"])]
    pub install_hook: bool,
    /// Only values of secrets under this folder
    #[arg(long, value_name = "FOLDER")]
    pub folder: Option<String>,
    #[arg(long)]
    pub json: bool,
}
