// The audit log with filters and the hash-chain verification status.
import { useEffect, useState } from 'preact/hooks';
import type { Action, AuditCheck, AuditRow } from '../lib/bindings';
import { dateTime, parseDay } from '../lib/format';
import { ipc } from '../lib/ipc';
import { errorText } from '../lib/toast';

// Every action the engine records (the type lists them all: a missing one does not compile).
const ACTIONS: Record<Action, string> = {
  read: 'read', reveal: 'reveal', copy: 'copy', write: 'write', rollback: 'rollback', delete: 'delete', restore: 'restore', purge: 'purge', move: 'move',
  import: 'import', export: 'export', run: 'run', push: 'push', pull: 'pull', sync: 'sync', migrate: 'migrate', remote_config: 'remote settings',
  lock: 'lock', unlock: 'unlock', key_change: 'key change', settings: 'settings', init: 'init', upgrade: 'upgrade', check: 'check', scan: 'scan',
  mount: 'mount', mount_read: 'mounted .env read', rotate: 'rotate', rotate_failed: 'rotation failed', policy: 'policy', test: 'test',
  generate: 'generate',
};

export function Audit() {
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [check, setCheck] = useState<AuditCheck | null>(null);
  const [path, setPath] = useState('');
  const [action, setAction] = useState<Action | ''>('');
  const [since, setSince] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    ipc.audit({ path: path || null, action: action || null, since: parseDay(since), limit: 2000 }).then((r) => setRows(r.reverse()), (e) => setError(errorText(e)));
  useEffect(() => void load(), [path, action, since]);
  useEffect(() => void ipc.auditVerify().then(setCheck, (e) => setError(errorText(e))), []);

  return (
    <div class="page" id="audit">
      <h2>Audit log</h2>
      {check && (
        <p id="audit-status" class={check.ok ? 'ok-badge' : 'bad-badge'}>
          {check.ok ? `✓ Chain verified: ${check.entries} entries, none edited, inserted or removed.` : `✗ Chain broken at entry ${check.firstBadSeq}: ${check.problem}`}
        </p>
      )}
      <div class="toolbar">
        <input id="audit-path" placeholder="Path or folder" value={path} onInput={(e) => setPath(e.currentTarget.value)} />
        <select id="audit-action" value={action} onChange={(e) => setAction(e.currentTarget.value as Action | '')}>
          <option value="">any action</option>
          {(Object.keys(ACTIONS) as Action[]).map((a) => <option value={a}>{ACTIONS[a]}</option>)}
        </select>
        <input id="audit-since" type="date" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
      </div>
      {error && <p class="error">{error}</p>}
      <table class="grid" id="audit-table">
        <thead><tr><th>#</th><th>Time</th><th>Action</th><th>Path</th><th>Outcome</th><th>Detail</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr class={r.outcome === 'ok' ? '' : 'warnrow'}>
              <td>{r.seq}</td><td>{dateTime(r.ts)}</td><td>{ACTIONS[r.action] ?? r.action}</td><td>{r.path ?? '—'}</td><td>{r.outcome}</td><td>{r.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
