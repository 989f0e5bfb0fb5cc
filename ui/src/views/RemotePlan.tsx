// The plan of a push / pull / sync before any write, and the conflict view: both values masked,
// a choice per key (or per folder), applied by the next sync.
import type { FolderPlanDto, PlanDto } from '../lib/bindings';
import { appWords } from '../lib/toast';

export const STATE_LABEL: Record<string, string> = {
  in_sync: 'in sync', local_changed: 'changed locally', local_ahead: 'local ahead', remote_ahead: 'remote ahead', diverged: 'diverged', conflict: 'conflict',
};
const ACTION_LABEL: Record<string, string> = {
  unchanged: 'unchanged', create_remote: 'create on remote', update_remote: 'update remote', create_local: 'create locally',
  update_local: 'update locally', delete_remote: 'remove on remote', delete_local: 'move to local trash', conflict: 'conflict', skipped: 'skipped',
};
const MASK = '••••••••';

/** Conflict choices keyed by `folder/NAME` (or `folder` for the whole folder): 'local' | 'remote'. */
export type Choices = Record<string, 'local' | 'remote'>;

export function PlanTable({ plan }: { plan: PlanDto }) {
  const rows = plan.folders.flatMap((f) => f.keys.map((k, i) => ({ f, k, first: i === 0 })));
  return (
    <>
      <table class="grid" id="remote-plan-table">
        <thead><tr><th>Folder</th><th>State</th><th>Last synced</th><th>Key</th><th>Action</th><th>Local v</th><th>Remote v</th></tr></thead>
        <tbody>
          {rows.map(({ f, k, first }) => (
            <tr data-folder={f.folder} data-key={k.name} data-action={k.action} class={k.action === 'conflict' ? 'warnrow' : ''}>
              <td>{first ? f.folder : ''}</td>
              <td>{first ? <span class={`chip st-${f.state}`}>{STATE_LABEL[f.state] ?? f.state}</span> : ''}</td>
              <td>{first ? (f.lastSyncedVersion != null ? `remote v${f.lastSyncedVersion}` : 'never') : ''}</td>
              <td>{k.name}</td><td title={k.reason ?? ''}>{ACTION_LABEL[k.action] ?? k.action}</td>
              <td>{k.localVersion ?? '—'}</td><td>{k.remoteVersion ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class={`small ${count(plan, 'conflict') ? 'warn' : 'note'}`} id="remote-plan-summary" data-conflicts={count(plan, 'conflict')}>
        {plan.folders.length} folder(s), KV v{plan.kvVersion}: {count(plan, 'create_remote') + count(plan, 'update_remote')} remote write(s),{' '}
        {count(plan, 'create_local') + count(plan, 'update_local')} local write(s), {count(plan, 'conflict')} conflict(s).
        {count(plan, 'conflict') ? ' Conflicts stay as they are until you choose a side below.' : ''} Nothing is written until you choose an action below.
      </p>
      {plan.notes.map((n) => <p class="muted small">{appWords(n)}</p>)}
    </>
  );
}

const count = (p: PlanDto, action: string) => p.folders.reduce((n, f) => n + f.keys.filter((k) => k.action === action).length, 0);

export const conflictFolders = (plan: PlanDto): FolderPlanDto[] => plan.folders.filter((f) => f.keys.some((k) => k.action === 'conflict'));

export function Conflicts({ plan, choices, setChoices }: { plan: PlanDto; choices: Choices; setChoices: (c: Choices) => void }) {
  const folders = conflictFolders(plan);
  if (!folders.length) return null;
  const choose = (path: string, keep: 'local' | 'remote') => setChoices({ ...choices, [path]: keep });
  const chooseFolder = (f: FolderPlanDto, keep: 'local' | 'remote') => {
    const next = { ...choices };
    for (const k of f.keys) if (k.action === 'conflict') next[`${f.folder}/${k.name}`] = keep;
    setChoices(next);
  };
  return (
    <section class="card" id="remote-conflicts">
      <h3>Conflicts: changed here and on the remote since the last sync</h3>
      <p class="muted small">Neither side is overwritten until you choose. The choice applies to the next sync.</p>
      {folders.map((f) => (
        <div class="conflict-folder" data-folder={f.folder}>
          <div class="row">
            <strong>{f.folder}</strong>
            <button class="small" data-keep-folder="local" onClick={() => chooseFolder(f, 'local')}>Keep all local</button>
            <button class="small" data-keep-folder="remote" onClick={() => chooseFolder(f, 'remote')}>Keep all remote</button>
          </div>
          <table class="grid">
            <thead><tr><th>Key</th><th>Local</th><th>Remote</th><th>Keep</th></tr></thead>
            <tbody>
              {f.keys.filter((k) => k.action === 'conflict').map((k) => {
                const path = `${f.folder}/${k.name}`;
                return (
                  <tr class="conflict-row" data-path={path}>
                    <td>{k.name}<div class="muted small">{k.reason}</div></td>
                    <td>{k.localVersion == null ? <em class="muted">removed</em> : <><span class="masked">{MASK}</span> <span class="muted small">v{k.localVersion}</span></>}</td>
                    <td>{k.remoteVersion == null ? <em class="muted">removed</em> : <><span class="masked">{MASK}</span> <span class="muted small">v{k.remoteVersion}</span></>}</td>
                    <td>
                      <label><input type="radio" name={path} data-keep="local" checked={choices[path] === 'local'} onChange={() => choose(path, 'local')} /> local</label>{' '}
                      <label><input type="radio" name={path} data-keep="remote" checked={choices[path] === 'remote'} onChange={() => choose(path, 'remote')} /> remote</label>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
