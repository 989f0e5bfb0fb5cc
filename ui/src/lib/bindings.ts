// Generated from src-tauri/src/dto.rs by `cargo test -p hush-desktop`. Do not edit.

export type ErrorKind = "failure" | "invalid" | "not_found" | "conflict" | "locked" | "integrity" | "remote" | "denied" | "cancelled" | "check_failed";

export type Kind = "generic" | "api_key" | "token" | "password" | "connection_string" | "certificate" | "ssh_key" | "docker_credentials";

export type Action = "init" | "read" | "reveal" | "copy" | "write" | "rollback" | "delete" | "restore" | "purge" | "import" | "export" | "run" | "push" | "pull" | "migrate" | "lock" | "unlock" | "key_change" | "settings" | "sync" | "remote_config" | "upgrade" | "move" | "check" | "scan" | "mount" | "mount_read" | "rotate" | "rotate_failed" | "policy" | "test" | "generate";

export type Outcome = "ok" | "failure" | "conflict" | "integrity_failure" | "not_found" | "refused";

export type ImportStatus = "new" | "changed" | "unchanged" | "skipped" | "invalid";

export type KeyModeDto = "keychain" | "passphrase";

export type LockKind = "vaultPassphrase" | "appPin" | "appPassphrase" | "keychainOnly";

export type AppLockKind = "pin" | "passphrase";

export type PickPurpose = "importEnv" | "export" | "backupWrite" | "backupRead" | "restoreTarget" | "caCert" | "projectFile" | "report";

export type PickedFile = { handle: string, path: string, };

export type OnExistingDto = "refuse" | "overwrite" | "skip";

export type CopyField = "value" | "username" | "password";

export type ExportFormatDto = "env" | "json" | "shell";

export type VaultStatus = { exists: boolean, path: string, keyMode: KeyModeDto | null, lockKind: LockKind | null, 
/**
 * The vault file exists but cannot be opened (damaged, made by a newer Hush...).
 */
openError: IpcError | null, unlocked: boolean, hasRecovery: boolean, keychainOk: boolean, 
/**
 * Why the keychain is not usable, to show on first run.
 */
keychainMessage: string | null, };

export type SecretRow = { path: string, folder: string, name: string, kind: Kind, tags: Array<string>, 
/**
 * Searched along with the path and tags.
 */
description: string | null, updatedAt: number, expiresAt: number | null, version: number, };

export type SecretDetail = { rotateEveryDays: number | null, lastRotatedAt: number | null, lastReadAt: number | null, createdAt: number, source: string | null, meta: { [key in string]: string }, versionsKept: number | null, path: string, folder: string, name: string, kind: Kind, tags: Array<string>, 
/**
 * Searched along with the path and tags.
 */
description: string | null, updatedAt: number, expiresAt: number | null, version: number, };

export type ListRequest = { folder: string | null, tag: string | null, 
/**
 * Parsed on arrival: an unknown kind is refused by name.
 */
kind: Kind | null, search: string | null, };

export type SaveRequest = { path: string, 
/**
 * The new value; `None` changes metadata only (no new version).
 */
value: string | null, kind: Kind | null, tags: Array<string> | null, description: string | null, expiresAt: number | null, 
/**
 * Removes the expiry (the editor's date field emptied); `expiresAt: null` alone keeps it.
 */
clearExpiry?: boolean, rotateEveryDays: number | null, 
/**
 * Check-and-set: the version the user was editing (0 for a new secret).
 */
cas: number | null, };

export type WriteResult = { path: string, version: number, created: boolean, };

export type Revealed = { path: string, version: number, value: string, };

export type CopyResult = { clearsInSecs: number, };

export type VersionRow = { version: number, createdAt: number, current: boolean, };

export type TrashRow = { path: string, kind: Kind, version: number, deletedAt: number, 
/**
 * `None`: not purged while the vault's settings are altered.
 */
purgeAt: number | null, };

export type AuditQuery = { path: string | null, 
/**
 * Parsed on arrival: an unknown action is refused by name.
 */
action: Action | null, since: number | null, limit: number | null, };

export type AuditRow = { seq: number, ts: number, action: Action, path: string | null, outcome: Outcome, detail: string | null, };

export type AuditCheck = { ok: boolean, entries: number, firstBadSeq: number | null, problem: string | null, };

export type DayCount = { day: number, count: number, };

export type Overview = { secrets: number, folders: number, inTrash: number, expiring: Array<SecretRow>, stale: Array<SecretRow>, activity: Array<DayCount>, };

export type SettingsDto = { versionsKept: number, trashDays: number, autoLockSecs: number, clipboardSecs: number, };

export type Progress = { "event": "started", "data": { id: number, cancellable: boolean, } } | { "event": "step", "data": { done: number, total: number, } } | { "event": "finished", "data": { message: string, } };

export type IpcError = { 
/**
 * What the UI does about it (locked: back to the lock screen; not_found: the item is gone...).
 */
code: ErrorKind, 
/**
 * The finer stable name: the engine's `Error::code()`, or one of the app's own
 * (`internal`, `not_picked`, `stale_preview`, `rate_limited`, `clipboard`).
 */
reason: string, message: string, };

export type ImportRequest = { 
/**
 * A handle from `pick_file` (purpose `importEnv`).
 */
file: string, folder: string, onExisting: OnExistingDto, expand: boolean, skipInvalid: boolean, };

export type ImportRow = { line: number, name: string | null, status: ImportStatus, note: string | null, };

export type ImportPreviewDto = { source: string, folder: string, 
/**
 * At most [`MAX_PREVIEW_ROWS`] lines, in file order: those to look at (changed, skipped,
 * invalid, or with a note) first, then the rest from the top. Every line is in the counts.
 */
rows: Array<ImportRow>, 
/**
 * How many lines the preview has in all (more than `rows` for a large file).
 */
rowsTotal: number, new: number, changed: number, unchanged: number, skipped: number, invalid: number, warnings: Array<string>, 
/**
 * Why a commit would be refused as things stand (conflicts, invalid lines), if it would.
 */
blocker: string | null, 
/**
 * Identifies this preview; the commit names it.
 */
digest: string, };

export type ImportResult = { folder: string, created: number, updated: number, unchanged: number, skipped: number, };

export type ExportRequest = { 
/**
 * Later folders win for the same name.
 */
folders: Array<string>, format: ExportFormatDto, 
/**
 * A handle from `pick_file` (purpose `export`).
 */
file: string, };

export type ExportResult = { count: number, path: string, leftOut: Array<string>, notPortable: Array<string>, };

export type BackupResult = { file: string, secrets: number, versions: number, bytes: number, };

export type RestoreResult = { 
/**
 * The new vault file.
 */
vault: string, secrets: number, versions: number, trashed: number, auditEntries: number, };

export type AboutDto = { version: string, 
/**
 * Short commit hash, or "unknown" for a build outside git.
 */
commit: string, };

export type KeyAction = "unchanged" | "create_remote" | "update_remote" | "create_local" | "update_local" | "delete_remote" | "delete_local" | "conflict" | "skipped";

export type FolderState = "in_sync" | "local_ahead" | "remote_ahead" | "diverged" | "conflict" | "unreadable";

export type FolderOutcome = "done" | "unchanged" | "conflict" | "failed" | "planned" | "not_started";

export type RemoteRevealed = { path: string, 
/**
 * The version of the folder's KV secret it was read from (0 on KV v1).
 */
remoteVersion: number, 
/**
 * `<mount>/<prefix>/<folder>`.
 */
remotePath: string, value: string, };

export type SyncedFolderDto = { folder: string, remoteVersion: number, 
/**
 * Unix seconds.
 */
syncedAt: number, };

export type RemoteDto = { name: string, addr: string, namespace: string | null, mount: string, prefix: string, 
/**
 * The CA certificate file the remote trusts (a path on this machine; not a pick handle).
 */
caCert: string | null, skipVerify: boolean, auth: AuthKind, 
/**
 * AppRole only: its role_id (not a secret) and auth mount.
 */
roleId: string | null, approleMount: string | null, 
/**
 * A token or secret_id is kept in the OS keychain for it.
 */
credentialInKeychain: boolean, syncedFolders: number, };

export type RemoteUpdatedDto = { remote: RemoteDto, history: SyncHistoryDto, };

export type SyncHistoryDto = { "kind": "kept" } | { "kind": "none" } | { "kind": "dropped", folders: number, was: string, };

export type RemoteAddRequest = { 
/**
 * A handle from `pick_file` (purpose `caCert`) for a PEM file with the server's CA; none:
 * VAULT_CACERT at use time, else the system roots.
 */
caCert: string | null, name: string, 
/**
 * One address, or several separated by commas (an HA cluster, tried in order).
 */
addr: string, namespace: string | null, mount: string, prefix: string, skipVerify: boolean, auth: AuthKind, 
/**
 * AppRole only: its role_id (not a secret) and auth mount (default "approle").
 */
roleId: string | null, approleMount: string | null, 
/**
 * The token, or AppRole's secret_id: stored in the OS keychain only. Adding, an empty token
 * means "use VAULT_TOKEN or ~/.vault-token"; editing, "keep the stored one".
 */
token: string | null, };

export type RemoteUpdateRequest = { caCert: CaChange, name: string, 
/**
 * One address, or several separated by commas (an HA cluster, tried in order).
 */
addr: string, namespace: string | null, mount: string, prefix: string, skipVerify: boolean, auth: AuthKind, 
/**
 * AppRole only: its role_id (not a secret) and auth mount (default "approle").
 */
roleId: string | null, approleMount: string | null, 
/**
 * The token, or AppRole's secret_id: stored in the OS keychain only. Adding, an empty token
 * means "use VAULT_TOKEN or ~/.vault-token"; editing, "keep the stored one".
 */
token: string | null, };

export type CaChange = "keep" | "clear" | { "set": string };

export type ResolveRequest = { path: string, keep: Keep, };

export type Keep = "local" | "remote";

export type AuthKind = "token" | "approle";

export type DirectionDto = "push" | "pull" | "sync";

export type RemoteOp = "push" | "pull" | "sync" | "migrate";

export type CheckDto = { name: string, ok: boolean, message: string, };

export type HealthDto = { ok: boolean, 
/**
 * Requests work, though an address of several does not serve (its `nodes` check failed).
 */
usable: boolean, serverVersion: string | null, sealed: boolean | null, kvVersion: number | null, capabilities: Array<string>, checks: Array<CheckDto>, };

export type KeyPlanDto = { name: string, action: KeyAction, localVersion: number | null, remoteVersion: number | null, 
/**
 * Why: "changed on both sides since the last sync", "remote only", ...
 */
reason: string | null, };

export type FolderPlanDto = { folder: string, remotePath: string, state: FolderState, 
/**
 * Remote version at the last sync with this remote, if the folder was ever synced.
 */
lastSyncedVersion: number | null, keys: Array<KeyPlanDto>, notes: Array<string>, };

export type PlanDto = { kvVersion: number, folders: Array<FolderPlanDto>, notes: Array<string>, };

export type FolderResultDto = { folder: string, outcome: FolderOutcome, error: string | null, };

export type OpReportDto = { folders: Array<FolderResultDto>, writtenRemote: number, writtenLocal: number, 
/**
 * Removals carried over by an explicit conflict choice.
 */
deletedRemote: number, deletedLocal: number, conflicts: number, failedFolders: number, cancelled: boolean, stopped: string | null, elapsedMs: number, };

export type TrustState = "trusted" | "untrusted" | "changed";

export type EnvDto = { name: string, folders: Array<string>, isDefault: boolean, };

export type ProjectDto = { 
/**
 * The `hush.toml` (canonical); the id the other project commands take.
 */
file: string, root: string, 
/**
 * None when the file cannot be read any more (moved, deleted, unreadable): see `problem`.
 */
trust: TrustState | null, trustedAt: number | null, problem: string | null, envs: Array<EnvDto>, 
/**
 * Where the required variables come from (`hush.toml [vars]`, `.env.example`), and how many.
 */
varsSource: string | null, varsCount: number, };

export type InvalidVarDto = { name: string, reason: string, };

export type ProjectCheckDto = { env: string, source: string, passed: boolean, ok: Array<string>, missing: Array<string>, invalid: Array<InvalidVarDto>, 
/**
 * Optional variables left unset (their default applies).
 */
defaulted: Array<string>, 
/**
 * In the environment, not in the list of variables.
 */
extra: Array<string>, 
/**
 * Folders of the environment that hold no secret (skipped).
 */
emptyFolders: Array<string>, };

export type MountDto = { path: string, pid: number, folders: Array<string>, env: string | null, 
/**
 * The project file the environment came from.
 */
project: string | null, startedAt: number, 
/**
 * False: its server is gone (a stale pipe, replaced by the next mount).
 */
alive: boolean, 
/**
 * Served by this app (stopped by it, and on lock); else by `hush mount`.
 */
servedHere: boolean, };

export type MountReadDto = { seq: number, ts: number, 
/**
 * The pipe that was read.
 */
path: string, 
/**
 * Who read it, as the OS told (e.g. `1234 (python3)`), or "a process".
 */
reader: string, outcome: Outcome, };

export type Charset = "alnum" | "hex" | "base64url" | "symbols";

export type Strategy = "manual" | "notify" | "automatic";

export type Finding = "altered" | "expired" | "expiring_soon" | "stale" | "never_rotated" | "unused" | "no_expiry";

export type GenerateRequest = { charset: Charset, length: number, words: number | null, };

export type Generated = { value: string, entropyBits: number, };

export type ReportFormatDto = "html" | "json" | "csv";

export type ReportRowDto = { path: string, folder: string, kind: Kind, version: number, createdAt: number, ageDays: number, lastRotatedAt: number | null, expiresAt: number | null, lastReadAt: number | null, reads: number, writes: number, strategy: Strategy | null, rotateEveryDays: number | null, findings: Array<Finding>, };

export type FindingCount = { finding: Finding, label: string, count: number, };

export type DayActivityDto = { day: number, reads: number, writes: number, other: number, };

export type AuditResultDto = { ok: boolean, entries: number, firstBadSeq: number | null, problem: string | null, 
/**
 * The keyed links and the anchor were checked too (the vault was unlocked).
 */
keyedChecked: boolean, 
/**
 * Newest entries written while locked, after the anchor.
 */
unanchored: number, };

export type ReportDto = { generatedAt: number, since: number, vaultId: string, secrets: Array<ReportRowDto>, findings: Array<FindingCount>, activity: Array<DayActivityDto>, audit: AuditResultDto, };

export type ReportExported = { path: string, bytes: number, };

