//! Arguments of the team-Vault subcommands: remote, push, pull, sync, migrate (issues 5 and 12).

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum RemoteCmd {
    /// Add a remote (its token goes to the OS keychain)
    ///
    /// The token (or AppRole secret_id) is read from stdin or a hidden prompt and kept in the OS
    /// keychain; an empty token means VAULT_TOKEN or ~/.vault-token at each use.
    Add(RemoteAddArgs),
    /// List remotes
    Ls {
        #[arg(long)]
        json: bool,
    },
    /// Change a remote's addresses, namespace, mount, prefix, TLS or auth
    ///
    /// The sync history is kept, unless the namespace, mount or prefix change: another place,
    /// which that history does not describe, so it is dropped. Only the options given change;
    /// a new token (or secret_id) is read from stdin or a hidden prompt with --new-credential.
    Set(RemoteSetArgs),
    /// Remove a remote, its sync state and its keychain entry (the server is not touched)
    Rm { name: String },
    /// Check a remote: reachable, initialised, sealed, version, auth, KV version, capabilities
    Test {
        name: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct RemoteAddArgs {
    pub name: String,
    /// Server address (default: VAULT_ADDR); the nodes of an HA cluster as A,B,C (tried in
    /// order; a standby's redirect is followed only to one of them)
    #[arg(long, env = "VAULT_ADDR", value_name = "URL[,URL...]")]
    pub addr: String,
    /// Namespace (default: VAULT_NAMESPACE at each use)
    #[arg(long)]
    pub namespace: Option<String>,
    /// KV mount
    #[arg(long, default_value = "secret")]
    pub mount: String,
    /// Path under the mount where folders go
    #[arg(long, default_value = "")]
    pub prefix: String,
    /// PEM CA certificate of the server (default: VAULT_CACERT at each use)
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<String>,
    /// Do not verify TLS (dev servers only; also VAULT_SKIP_VERIFY); every operation warns
    #[arg(long)]
    pub skip_verify: bool,
    /// Accept a plain http:// address beyond this machine (the token and values cross the
    /// network unencrypted); without it only http://localhost / 127.0.0.1 / [::1] are accepted
    #[arg(long)]
    pub allow_http: bool,
    #[arg(long, value_enum, default_value_t = AuthArg::Token)]
    pub auth: AuthArg,
    /// AppRole role_id (with --auth approle; the secret_id is read like a token)
    #[arg(long, env = "VAULT_ROLE_ID")]
    pub role_id: Option<String>,
    /// AppRole auth mount
    #[arg(long, default_value = "approle")]
    pub approle_mount: String,
}

#[derive(Args)]
pub struct RemoteSetArgs {
    pub name: String,
    /// New address, or the nodes of an HA cluster as A,B,C (tried in order)
    #[arg(long, value_name = "URL[,URL...]")]
    pub addr: Option<String>,
    /// Namespace ('' for none)
    #[arg(long)]
    pub namespace: Option<String>,
    #[arg(long)]
    pub mount: Option<String>,
    #[arg(long)]
    pub prefix: Option<String>,
    /// PEM CA certificate ('' for none)
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<String>,
    /// Verify TLS or not (dev servers only)
    #[arg(long, value_name = "BOOL")]
    pub skip_verify: Option<bool>,
    #[arg(long, value_enum)]
    pub auth: Option<AuthArg>,
    #[arg(long)]
    pub role_id: Option<String>,
    #[arg(long)]
    pub approle_mount: Option<String>,
    /// Read a new token or secret_id (stdin or a hidden prompt) into the keychain
    #[arg(long)]
    pub new_credential: bool,
    /// Allow plain http to a host other than this machine (tokens and values travel unencrypted)
    #[arg(long)]
    pub allow_http: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AuthArg {
    Token,
    Approle,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DirectionArg {
    Push,
    Pull,
    Sync,
}

#[derive(Args)]
pub struct SyncArgs {
    pub remote: String,
    /// Only these folders (each with its subfolders)
    pub folders: Vec<String>,
    /// Settle conflicts in this folder or secret (folder/NAME) with the local value (sync)
    #[arg(long, value_name = "PATH")]
    pub keep_local: Vec<String>,
    /// Settle conflicts in this folder or secret (folder/NAME) with the remote value (sync)
    #[arg(long, value_name = "PATH")]
    pub keep_remote: Vec<String>,
    /// Pull: also bring the remote's older versions of new secrets into local history
    #[arg(long)]
    pub with_history: bool,
    /// Remote requests in flight at once
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct MigrateArgs {
    pub remote: String,
    /// Only these folders (each with its subfolders); default all
    pub folders: Vec<String>,
    /// Show the plan; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replay kept local versions oldest-first, so the remote history matches
    #[arg(long)]
    pub with_history: bool,
    /// Remote requests in flight at once
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Keep going after a folder fails
    #[arg(long)]
    pub continue_on_error: bool,
    /// Move each local folder to the trash once the remote copy reads back equal
    #[arg(long)]
    pub remove_local_after_verify: bool,
    #[arg(long)]
    pub json: bool,
}
