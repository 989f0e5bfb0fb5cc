// The only module that talks to the Rust side. Every command is typed with the declarations
// generated from src-tauri/src/dto.rs (bindings.ts). Errors arrive as {code, message}.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AboutDto, AuditCheck, AuditQuery, AuditRow, BackupResult, CopyResult, ExportRequest, ExportResult, ImportPreviewDto,
  HealthDto, ImportRequest, ImportResult, IpcError, ListRequest, OpReportDto, Overview, PlanDto, Progress, RemoteAddRequest,
  RemoteDto, ResolveRequest, RestoreResult, Revealed,
  SaveRequest, SecretDetail, SecretRow, SettingsDto, TrashRow, VaultStatus, VersionRow, WriteResult,
} from './bindings';

export class HushError extends Error {
  constructor(public code: string, message: string) {
    super(message);
  }
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    const err = e as Partial<IpcError>;
    if (err && typeof err === 'object' && typeof err.code === 'string') {
      throw new HushError(err.code, err.message ?? err.code);
    }
    throw new HushError('ipc', String(e));
  }
}

export const ipc = {
  status: () => call<VaultStatus>('vault_status'),
  about: () => call<AboutDto>('about'),
  create: (passphrase: string | null, recovery: string | null) => call<void>('vault_create', { passphrase, recovery }),
  unlock: (passphrase: string | null) => call<void>('vault_unlock', { passphrase }),
  lock: () => call<void>('vault_lock'),
  touch: () => call<boolean>('vault_touch'),
  list: (req: Partial<ListRequest> = {}) => call<SecretRow[]>('secrets_list', { req }),
  detail: (path: string) => call<SecretDetail>('secret_detail', { path }),
  reveal: (path: string, version: number | null = null) => call<Revealed>('secret_reveal', { path, version }),
  copy: (path: string, version: number | null = null) => call<CopyResult>('secret_copy', { path, version }),
  save: (req: SaveRequest) => call<WriteResult>('secret_save', { req }),
  history: (path: string) => call<VersionRow[]>('secret_history', { path }),
  rollback: (path: string, to: number, cas: number | null) => call<WriteResult>('secret_rollback', { path, to, cas }),
  remove: (path: string) => call<void>('secret_delete', { path }),
  trash: () => call<TrashRow[]>('trash_list'),
  restore: (path: string) => call<void>('trash_restore', { path }),
  purge: (path: string) => call<void>('trash_purge', { path }),
  audit: (query: Partial<AuditQuery> = {}) => call<AuditRow[]>('audit_list', { query }),
  auditVerify: () => call<AuditCheck>('audit_verify'),
  overview: () => call<Overview>('overview'),
  settings: () => call<SettingsDto>('settings_get'),
  saveSettings: (settings: SettingsDto) => call<void>('settings_set', { settings }),
  setRecovery: (passphrase: string) => call<void>('recovery_set', { passphrase }),
  rewrap: (passphrase: string | null) => call<void>('vault_rewrap', { passphrase }),
  rekey: (recovery: string | null, onProgress: (p: Progress) => void) => {
    const ch = new Channel<Progress>();
    ch.onmessage = onProgress;
    return call<void>('vault_rekey', { recovery, onProgress: ch });
  },
  pickFile: (save: boolean, suggested: string | null = null) => call<string | null>('pick_file', { save, suggested }),
  importPreview: (req: ImportRequest) => call<ImportPreviewDto>('import_preview', { req }),
  importCommit: (digest: string, onProgress: (p: Progress) => void) => {
    const ch = new Channel<Progress>();
    ch.onmessage = onProgress;
    return call<ImportResult>('import_commit', { digest, onProgress: ch });
  },
  exportFile: (req: ExportRequest) => call<ExportResult>('export_file', { req }),
  backup: (path: string, passphrase: string) => call<BackupResult>('backup_create', { path, passphrase }),
  /** Restores into the app's vault file when `target` is null (first run), else into a new file. */
  restoreBackup: (file: string, backupPassphrase: string, passphrase: string | null, target: string | null) =>
    call<RestoreResult>('backup_restore', { file, backupPassphrase, passphrase, target }),
  remotes: () => call<RemoteDto[]>('remote_list'),
  remoteAdd: (req: RemoteAddRequest) => call<RemoteDto>('remote_add', { req }),
  remoteRemove: (name: string) => call<void>('remote_remove', { name }),
  remoteTest: (name: string) => call<HealthDto>('remote_test', { name }),
  remotePlan: (name: string, direction: string) => call<PlanDto>('remote_plan', { name, direction }),
  remoteRun: (name: string, op: string, resolutions: ResolveRequest[], onProgress: (p: Progress) => void) => {
    const ch = new Channel<Progress>();
    ch.onmessage = onProgress;
    return call<OpReportDto>('remote_run', { name, op, resolutions, onProgress: ch });
  },
  remoteCancel: () => call<void>('remote_cancel'),
  onLocked: (f: () => void): Promise<UnlistenFn> => listen('vault-locked', () => f()),
};
