// Generated from src-tauri/src/dto.rs by `cargo test -p hush-desktop`. Do not edit.

export type KeyModeDto = "keychain" | "passphrase";

export type LockKind = "vaultPassphrase" | "appPin" | "appPassphrase" | "keychainOnly";

export type AppLockKind = "pin" | "passphrase";

export type PickPurpose = "importEnv" | "export" | "backupWrite" | "backupRead" | "restoreTarget" | "caCert";

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

export type SecretRow = { path: string, folder: string, name: string, kind: string, tags: Array<string>, 
/**
 * Searched along with the path and tags.
 */
description: string | null, updatedAt: number, expiresAt: number | null, version: number, };

export type SecretDetail = { rotateEveryDays: number | null, lastRotatedAt: number | null, lastReadAt: number | null, createdAt: number, source: string | null, meta: { [key in string]: string }, versionsKept: number | null, path: string, folder: string, name: string, kind: string, tags: Array<string>, 
/**
 * Searched along with the path and tags.
 */
description: string | null, updatedAt: number, expiresAt: number | null, version: number, };

export type ListRequest = { folder: string | null, tag: string | null, kind: string | null, search: string | null, };

export type SaveRequest = { path: string, 
/**
 * The new value; `None` changes metadata only (no new version).
 */
value: string | null, kind: string | null, tags: Array<string> | null, description: string | null, expiresAt: number | null, rotateEveryDays: number | null, 
/**
 * Check-and-set: the version the user was editing (0 for a new secret).
 */
cas: number | null, };

export type WriteResult = { path: string, version: number, created: boolean, };

export type Revealed = { path: string, version: number, value: string, };

export type CopyResult = { clearsInSecs: number, };

export type VersionRow = { version: number, createdAt: number, current: boolean, };

export type TrashRow = { path: string, kind: string, version: number, deletedAt: number, purgeAt: number, };

export type AuditQuery = { path: string | null, action: string | null, since: number | null, limit: number | null, };

export type AuditRow = { seq: number, ts: number, action: string, path: string | null, outcome: string, detail: string | null, };

export type AuditCheck = { ok: boolean, entries: number, firstBadSeq: number | null, problem: string | null, };

export type DayCount = { day: number, count: number, };

export type Overview = { secrets: number, folders: number, inTrash: number, expiring: Array<SecretRow>, stale: Array<SecretRow>, activity: Array<DayCount>, };

export type SettingsDto = { versionsKept: number, trashDays: number, autoLockSecs: number, clipboardSecs: number, };

export type Progress = { "event": "started", "data": { id: number, cancellable: boolean, } } | { "event": "step", "data": { done: number, total: number, } } | { "event": "finished", "data": { message: string, } };

export type IpcError = { code: string, message: string, };

export type ImportRequest = { 
/**
 * A handle from `pick_file` (purpose `importEnv`).
 */
file: string, folder: string, onExisting: OnExistingDto, expand: boolean, skipInvalid: boolean, };

export type ImportRow = { line: number, name: string | null, 
/**
 * new, changed, unchanged, skipped or invalid.
 */
status: string, note: string | null, };

export type ImportPreviewDto = { source: string, folder: string, rows: Array<ImportRow>, new: number, changed: number, unchanged: number, skipped: number, invalid: number, warnings: Array<string>, 
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

export type RemoteDto = { name: string, addr: string, namespace: string | null, mount: string, prefix: string, auth: string, syncedFolders: number, };

export type RemoteAddRequest = { name: string, addr: string, namespace: string | null, mount: string, prefix: string, 
/**
 * A handle from `pick_file` (purpose `caCert`) for a PEM file with the server's CA; none:
 * VAULT_CACERT at use time, else the system roots.
 */
caCert: string | null, skipVerify: boolean, auth: AuthKind, 
/**
 * AppRole only: its role_id (not a secret) and auth mount (default "approle").
 */
roleId: string | null, approleMount: string | null, 
/**
 * The token, or AppRole's secret_id: stored in the OS keychain only. An empty token means
 * "use VAULT_TOKEN or ~/.vault-token".
 */
token: string | null, };

export type ResolveRequest = { path: string, keep: Keep, };

export type Keep = "local" | "remote";

export type AuthKind = "token" | "approle";

export type DirectionDto = "push" | "pull" | "sync";

export type RemoteOp = "push" | "pull" | "sync" | "migrate";

export type CheckDto = { name: string, ok: boolean, message: string, };

export type HealthDto = { ok: boolean, serverVersion: string | null, sealed: boolean | null, kvVersion: number | null, capabilities: Array<string>, checks: Array<CheckDto>, };

export type KeyPlanDto = { name: string, action: string, localVersion: number | null, remoteVersion: number | null, 
/**
 * Why: "changed on both sides since the last sync", "remote only", ...
 */
reason: string | null, };

export type FolderPlanDto = { folder: string, remotePath: string, 
/**
 * in_sync, local_ahead, remote_ahead, diverged or conflict.
 */
state: string, 
/**
 * Remote version at the last sync with this remote, if the folder was ever synced.
 */
lastSyncedVersion: number | null, keys: Array<KeyPlanDto>, notes: Array<string>, };

export type PlanDto = { kvVersion: number, folders: Array<FolderPlanDto>, notes: Array<string>, };

export type FolderResultDto = { folder: string, outcome: string, error: string | null, };

export type OpReportDto = { folders: Array<FolderResultDto>, writtenRemote: number, writtenLocal: number, 
/**
 * Removals carried over by an explicit conflict choice.
 */
deletedRemote: number, deletedLocal: number, conflicts: number, failedFolders: number, cancelled: boolean, stopped: string | null, elapsedMs: number, };

