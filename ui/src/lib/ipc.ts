// The only module that talks to the Rust side. Every command is typed with the declarations
// generated from src-tauri/src/dto.rs (bindings.ts). Errors arrive as {code, reason, message}:
// `code` is the engine's ErrorKind (the class the CLI's exit codes derive from), `reason` finer.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AboutDto, AppLockKind, AuditCheck, AuditQuery, AuditRow, BackupResult, CopyField, CopyResult, DirectionDto, ErrorKind, ExportRequest, ExportResult,
  HealthDto, ImportPreviewDto, ImportRequest, ImportResult, IpcError, ListRequest, MountDto, MountReadDto, OpReportDto, Overview, PickedFile, PickPurpose,
  PlanDto, ProjectCheckDto, ProjectDto, Progress, RemoteAddRequest, RemoteDto, RemoteOp, RemoteRevealed, RemoteUpdateRequest, RemoteUpdatedDto, ResolveRequest, RestoreResult, Revealed,
  SaveRequest, SecretDetail, SecretRow, SettingsDto, SyncedFolderDto, TrashRow, VaultStatus, VersionRow, WriteResult,
  GenerateRequest, Generated, ReportDto, ReportExported, ReportFormatDto,
} from './bindings';
import { messageOf } from './toast';

export class HushError extends Error {
  /** `code`: what kind of failure (switch on it); `reason`: the finer name, e.g. `cas_conflict`. */
  constructor(public code: ErrorKind, public reason: string, message: string) {
    super(message);
  }
}

/** Told when a call finds the vault re-keyed by another process (App: back to the lock screen). */
const rekeyedListeners = new Set<() => void>();
/** Told when a call finds the vault's state altered (Main: the banner with the way out). */
const stateListeners = new Set<() => void>();

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = e as Partial<IpcError>;
    if (err && typeof err === 'object' && typeof err.code === 'string') {
      // Every call fails so until the app unlocks again with the new key: whichever view made
      // this one, the app as a whole has to go back to its lock screen.
      if (err.reason === 'rekeyed' || (err.code as string) === 'rekeyed') rekeyedListeners.forEach((f) => f());
      if (err.reason === 'state_altered') stateListeners.forEach((f) => f());
      throw new HushError(err.code, err.reason ?? err.code, err.message ?? err.code);
    }
    // Not the app's error shape: the IPC itself refused (arguments, permissions).
    throw new HushError('failure', 'ipc', messageOf(e));
  }
}

/** Steps of long work as the UI shows them. */
export type Step = { done: number; total: number };

/**
 * Long work (import, re-key, remote): one shape. `onStep` gets the steps; `cancel()` asks the
 * work to stop at its next step (a no-op for work that cannot stop halfway).
 */
export interface Work<T> {
  done: Promise<T>;
  cancel: () => void;
}

function longWork<T>(cmd: string, args: Record<string, unknown>, onStep: (s: Step) => void): Work<T> {
  let id: number | null = null;
  let cancelled = false;
  const ch = new Channel<Progress>();
  ch.onmessage = (p) => {
    if (p.event === 'started') {
      id = p.data.cancellable ? p.data.id : null;
      if (cancelled && id != null) void call('work_cancel', { id });
    } else if (p.event === 'step') onStep(p.data);
  };
  return {
    done: call<T>(cmd, { ...args, onProgress: ch }),
    cancel: () => {
      cancelled = true;
      if (id != null) void call('work_cancel', { id });
    },
  };
}

const ignore = () => {};

export const ipc = {
  status: () => call<VaultStatus>('vault_status'),
  about: () => call<AboutDto>('about'),
  create: (passphrase: string | null, recovery: string | null, appLock: [AppLockKind, string] | null) =>
    call<void>('vault_create', { passphrase, recovery, appLock }),
  unlock: (passphrase: string | null) => call<void>('vault_unlock', { passphrase }),
  lock: () => call<void>('vault_lock'),
  touch: () => call<boolean>('vault_touch'),
  vaultState: () => call<string[]>('vault_state'),
  acceptState: () => call<number>('vault_accept_state'),
  setAppLock: (lock: [AppLockKind, string] | null) => call<void>('app_lock_set', { lock }),
  list: (req: Partial<ListRequest> = {}) => call<SecretRow[]>('secrets_list', { req }),
  detail: (path: string) => call<SecretDetail>('secret_detail', { path }),
  reveal: (path: string, version: number | null = null) => call<Revealed>('secret_reveal', { path, version }),
  copy: (path: string, version: number | null = null, field: CopyField = 'value') => call<CopyResult>('secret_copy', { path, version, field }),
  save: (req: SaveRequest) => call<WriteResult>('secret_save', { req }),
  history: (path: string) => call<VersionRow[]>('secret_history', { path }),
  rollback: (path: string, to: number, cas: number | null) => call<WriteResult>('secret_rollback', { path, to, cas }),
  remove: (paths: string[]) => call<void>('secret_delete', { paths }),
  /** Renames or moves one secret (history kept, audited); the target must not exist. */
  move: (from: string, to: string) => call<number>('secret_move', { from, to }),
  /** Moves secrets into a folder, each keeping its name: all or none. */
  moveInto: (paths: string[], folder: string) => call<number>('secrets_move', { paths, folder }),
  /** Renames or moves a folder and everything under it. */
  moveFolder: (from: string, to: string) => call<number>('folder_move', { from, to }),
  trash: () => call<TrashRow[]>('trash_list'),
  restore: (paths: string[]) => call<void>('trash_restore', { paths }),
  purge: (paths: string[]) => call<void>('trash_purge', { paths }),
  audit: (query: Partial<AuditQuery> = {}) => call<AuditRow[]>('audit_list', { query }),
  auditVerify: () => call<AuditCheck>('audit_verify'),
  overview: () => call<Overview>('overview'),
  settings: () => call<SettingsDto>('settings_get'),
  saveSettings: (settings: SettingsDto) => call<void>('settings_set', { settings }),
  setRecovery: (passphrase: string) => call<void>('recovery_set', { passphrase }),
  rewrap: (passphrase: string | null) => call<void>('vault_rewrap', { passphrase }),
  rekey: (recovery: string | null, onStep: (s: Step) => void) => longWork<void>('vault_rekey', { recovery }, onStep),
  /** The native file dialog; the answer is a handle the file commands take (never a path). */
  pickFile: (purpose: PickPurpose, suggested: string | null = null) => call<PickedFile | null>('pick_file', { purpose, suggested }),
  /** A native yes / no question; `ok` labels the button that says yes. */
  ask: (message: string, ok: string) => call<boolean>('ask', { message, ok }),
  importPreview: (req: ImportRequest) => call<ImportPreviewDto>('import_preview', { req }),
  importCommit: (digest: string, onStep: (s: Step) => void) => longWork<ImportResult>('import_commit', { digest }, onStep),
  exportFile: (req: ExportRequest) => call<ExportResult>('export_file', { req }),
  backup: (file: string, passphrase: string) => call<BackupResult>('backup_create', { file, passphrase }),
  /** Restores into the app's vault file when `target` is null (first run), else into a new file. */
  restoreBackup: (file: string, backupPassphrase: string, passphrase: string | null, target: string | null) =>
    call<RestoreResult>('backup_restore', { file, backupPassphrase, passphrase, target }),
  remotes: () => call<RemoteDto[]>('remote_list'),
  remoteAdd: (req: RemoteAddRequest) => call<RemoteDto>('remote_add', { req }),
  /** Edits a remote; its sync history is dropped when it now names another namespace, mount or prefix. */
  remoteUpdate: (req: RemoteUpdateRequest) => call<RemoteUpdatedDto>('remote_update', { req }),
  remoteRemove: (name: string) => call<void>('remote_remove', { name }),
  remoteTest: (name: string) => longWork<HealthDto>('remote_test', { name }, ignore).done,
  remotePlan: (name: string, direction: DirectionDto, folders: string[]) => longWork<PlanDto>('remote_plan', { name, direction, folders }, ignore).done,
  remoteRun: (name: string, op: RemoteOp, folders: string[], resolutions: ResolveRequest[], onStep: (s: Step) => void) =>
    longWork<OpReportDto>('remote_run', { name, op, folders, resolutions }, onStep),
  /** The remote side of a conflict, read on demand (audited as a reveal of `path`). */
  remotePeek: (name: string, path: string) => longWork<RemoteRevealed>('remote_peek', { name, path }, ignore).done,
  remoteSynced: (name: string) => call<SyncedFolderDto[]>('remote_synced', { name }),
  projects: () => call<ProjectDto[]>('projects_list'),
  /** Opens a project by a handle the picker returned for its hush.toml (not trusted by that). */
  projectOpen: (file: string) => call<ProjectDto>('project_open', { file }),
  projectTrust: (file: string, trust: boolean) => call<ProjectDto>('project_trust', { file, trust }),
  projectCheck: (file: string, env: string | null) => call<ProjectCheckDto>('project_check', { file, env }),
  mounts: () => call<MountDto[]>('mounts_list'),
  mountReads: (limit = 200) => call<MountReadDto[]>('mount_reads', { limit }),
  mountStart: (file: string, env: string | null) => call<MountDto>('mount_start', { file, env }),
  mountStop: (path: string) => call<void>('mount_stop', { path }),
  onLocked: (f: () => void): Promise<UnlistenFn> => listen('vault-locked', () => f()),
  /** A call failed because another process re-keyed the vault; returns the unsubscribe. */
  onRekeyed: (f: () => void): (() => void) => { rekeyedListeners.add(f); return () => { rekeyedListeners.delete(f); }; },
  onStateAltered: (f: () => void): (() => void) => { stateListeners.add(f); return () => { stateListeners.delete(f); }; },
  /** A value for the editor, drawn in Rust from the OS CSPRNG as `hush generate` does. */
  generate: (req: GenerateRequest) => call<Generated>('generate_value', { req }),
  /** The compliance report of `hush report` (metadata and audit log only), from `since` (default: 90 days). */
  report: (since: number | null = null) => call<ReportDto>('report', { since }),
  /** Writes the report to a file picked with purpose `report` (the native save dialog). */
  reportExport: (file: string, format: ReportFormatDto, since: number | null = null) => call<ReportExported>('report_export', { file, format, since }),
  /** A click on a reminder (OS notification): the path of the secret to open. */
  onOpenSecret: (f: (path: string) => void): Promise<UnlistenFn> => listen<string>('open-secret', (e) => f(e.payload)),
};
