//! Remote HashiCorp Vault / OpenBao: configure a server, test it, and plan, push, pull, sync and
//! migrate folders to and from a KV mount.
//!
//! # Mapping (documented in the README; reversible)
//! A local folder is one KV secret whose fields are the folder's secrets:
//! `myapp/dev/DATABASE_URL` ↔ `<mount>/<prefix>/myapp/dev`, field `DATABASE_URL` — the layout
//! teams already make with `vault kv put <mount>/myapp/dev DATABASE_URL=…`. Only the folder's own
//! secrets are fields; `myapp/dev/eu/X` is the separate secret `<prefix>/myapp/dev/eu`.
//! - Values stay strings. A field written by other tools as non-string JSON (number, bool, object,
//!   array, null) is pulled as its JSON text (`5`, `true`, `{"a":1}`); multiline strings are kept.
//! - Hush metadata (kind, tags, description, expiry, rotation, free metadata) travels in the KV v2
//!   secret's `custom_metadata`, one entry per secret: `hush:<NAME>` = compact JSON, plus `hush` =
//!   format version (see `meta`). Within Vault's limits (64 keys, 128-byte keys, 512-byte values):
//!   what does not fit is reported and marked as cut, never silently dropped or pulled back over
//!   the original; entries teammates wrote are read leniently and what Hush cannot read in them is
//!   kept as it is; entries not starting with `hush` are left as they are.
//! - Names that are not portable env names pull as quoted names (`myapp/"api.key"`); a field
//!   or path Hush cannot represent (a `/` in a name, a control character) is skipped with a note.
//! - Discovery walks the mount's metadata listing under the prefix, recursively.
//!
//! # Addresses
//! A remote has one address or several (the nodes of an HA cluster), tried in order with
//! failover; redirects are followed only among them (`http`, `client`).
//!
//! # Safety rules
//! - Every KV v2 write is check-and-set against the version read just before; the per-key keyed
//!   hashes of the last sync tell which side changed, so a remote change since the last sync is a
//!   conflict, never an overwrite. Writes merge into the remote fields (other fields are kept).
//! - Hush never deletes remote secrets; a remote field is dropped only by an explicit choice.
//! - Tokens and AppRole secret_ids are kept only in the OS keychain (service `dev.hush.remote`),
//!   never in the database; errors and audit entries never hold a value or a token.
//!
//! # Calling from the desktop app
//! `plan` returns a serialisable [`Plan`]; the operations take a progress callback and a cancel
//! flag and return a serialisable [`OpReport`]. They block on an engine-owned runtime: call them
//! from a blocking thread (a sync Tauri command or `spawn_blocking`), not from inside an async task.

mod addr;
mod apply;
mod auth;
mod cancel;
mod client;
mod config;
mod dialect;
mod exec;
mod failure;
mod first;
mod health;
mod history;
mod http;
mod mapping;
mod meta;
mod peek;
mod plan;
mod read;
mod runtime;
mod state;
mod types;

pub use auth::{RemoteCredential, TokenSource};
pub(crate) use config::check_name;
pub use config::{AuthSpec, RemoteInfo, RemoteSpec, RemoteUpdated, SyncHistory};
pub use first::{
    remote_first_bound, AheadKey, FirstConflict, FirstSource, LeftOut, RemoteFirst,
    REMOTE_FIRST_BOUND,
};
pub use health::{Health, HealthCheck, NodeHealth, NodeState};
pub use peek::{RemotePeek, SyncedFolder};
pub use types::{
    Direction, FolderOutcome, FolderPlan, FolderResult, FolderState, KeyAction, KeyPlan,
    MigrateOptions, OpKind, OpReport, OpTotals, Plan, Progress, ProgressPhase, Resolution,
    SyncOptions,
};

/// Keychain service of remote credentials (the vault's own key uses `dev.hush.vault`).
pub const KEYCHAIN_SERVICE: &str = "dev.hush.remote";

/// Keeps the sync state meaningful across `rekey` (called inside its transaction).
pub(crate) fn remac_after_rekey(
    tx: &crate::store::Tx<'_, crate::store::Write>,
    old: &crate::keys::Keys,
    new: &crate::keys::Keys,
) -> crate::error::Result<()> {
    state::remac(tx, old, new)
}
