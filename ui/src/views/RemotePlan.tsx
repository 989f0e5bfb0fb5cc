// The plan of a push / pull / sync before any write, and the conflict view: both values masked,
// each side revealed (or both diffed) only on demand, every reveal audited; a choice per key (or
// per folder), applied by the next sync.
import { useEffect, useState } from 'preact/hooks';
import type { FolderPlanDto, KeyAction, KeyPlanDto, PlanDto, SyncedFolderDto } from '../lib/bindings';
import { type DiffLine, lineDiff } from '../lib/diff';
import { dateTime } from '../lib/format';
import { STATE_LABEL } from '../lib/labels';
import { ipc } from '../lib/ipc';
import { appWords } from '../lib/toast';
import { secretPath } from '../lib/tree';
import { ErrorNote, useGuard } from '../components/Boundary';
import { BoxedTable } from '../components/VirtualTable';

const ACTION_LABEL: Record<KeyAction, string> = {
  unchanged: 'unchanged', create_remote: 'create on remote', update_remote: 'update remote', create_local: 'create locally',
  update_local: 'update locally', delete_remote: 'remove on remote', delete_local: 'move to local trash', conflict: 'conflict', skipped: 'skipped',
};
const MASK = '••••••••';
/** How long a revealed side stays shown (as in the secret's detail). */
const REVEAL_SECS = 20;

/** Conflict choices keyed by `folder/NAME` (or `folder` for the whole folder): 'local' | 'remote'. */
export type Choices = Record<string, 'local' | 'remote'>;

/** "2026-11-26 14:05 (remote v3)", or "never". A KV v1 mount keeps no versions: its 0 is not
 *  shown as one. */
export function lastSynced(f: FolderPlanDto, synced: SyncedFolderDto[]): string {
  const s = synced.find((x) => x.folder === f.folder);
  if (s) return s.remoteVersion ? `${dateTime(s.syncedAt)} (remote v${s.remoteVersion})` : dateTime(s.syncedAt);
  return f.lastSyncedVersion == null ? 'never' : f.lastSyncedVersion ? `remote v${f.lastSyncedVersion}` : 'before';
}

/** A key's remote version in the plan: a dash when the remote lacks it, a tick on KV v1. */
export function remoteVersionText(v: number | null, kvVersion: number): string {
  return v == null ? '—' : kvVersion === 1 ? '✓' : String(v);
}

const SYNCED_ROW_H = 30;

/** The folders synced with this remote, shown when no plan is open: a row each, only those in
 *  view in the DOM (a migrate of 1,000 folders leaves 1,000 here). */
export function SyncedTable({ synced }: { synced: SyncedFolderDto[] }) {
  const header = <div class="vrow srow head"><span>Folder</span><span>Last synced</span><span class="num">Remote version</span></div>;
  const row = (s: SyncedFolderDto) => (
    <div class="vrow srow" role="row" style={{ height: `${SYNCED_ROW_H}px` }} data-folder={s.folder}>
      <span title={s.folder}>{s.folder}</span><span class="last-synced">{dateTime(s.syncedAt)}</span><span class="num">{s.remoteVersion ? `v${s.remoteVersion}` : '—'}</span>
    </div>
  );
  return <BoxedTable id="remote-synced" label="Synced folders" items={synced} rowHeight={SYNCED_ROW_H} maxRows={12} header={header} row={row} />;
}

const PLAN_ROW_H = 30;

/** The plan, a row per key, only the rows in view in the DOM (a migrate of 10,000 secrets once
 *  built 10,000 table rows, and rebuilt them after the run). */
export function PlanTable({ plan, synced }: { plan: PlanDto; synced: SyncedFolderDto[] }) {
  const rows = plan.folders.flatMap((f) => f.keys.map((k, i) => ({ f, k, first: i === 0 })));
  const conflicts = count(plan, 'conflict');
  const unreadable = plan.folders.filter((f) => f.state === 'unreadable');
  const header = (
    <div class="vrow prow head"><span>Folder</span><span class="p-state">State</span><span class="p-synced">Last synced</span><span>Key</span><span>Action</span><span class="p-ver">Local v</span><span class="p-ver">Remote v</span></div>
  );
  const row = ({ f, k, first }: (typeof rows)[number]) => (
    <div class={`vrow prow ${k.action === 'conflict' ? 'warnrow' : ''}`} role="row" style={{ height: `${PLAN_ROW_H}px` }} data-folder={f.folder} data-key={k.name} data-action={k.action}>
      <span title={f.folder}>{first ? f.folder : ''}</span>
      <span class="p-state">{first ? <span class={`chip st-${f.state}`}>{STATE_LABEL[f.state]}</span> : ''}</span>
      <span class="p-synced last-synced">{first ? lastSynced(f, synced) : ''}</span>
      <span title={k.name}>{k.name}</span><span title={k.reason ?? ''}>{ACTION_LABEL[k.action]}</span>
      <span class="p-ver">{k.localVersion ?? '—'}</span><span class="p-ver">{remoteVersionText(k.remoteVersion, plan.kvVersion)}</span>
    </div>
  );
  return (
    <>
      <BoxedTable id="remote-plan-table" label="Plan" items={rows} rowHeight={PLAN_ROW_H} maxRows={14} header={header} row={row} />
      <p class={`small ${conflicts || unreadable.length ? 'warn' : 'note'}`} id="remote-plan-summary" data-conflicts={conflicts}>
        {plan.folders.length} folder(s), KV v{plan.kvVersion}: {count(plan, 'create_remote') + count(plan, 'update_remote')} remote write(s),{' '}
        {count(plan, 'create_local') + count(plan, 'update_local')} local write(s), {conflicts} conflict(s).
        {conflicts ? ' Conflicts stay as they are until you choose a side below.' : ''} Nothing is written until you choose an action below.
      </p>
      {unreadable.map((f) => (
        <p class="small warn unreadable" data-folder={f.folder}>{f.folder}: the token may not read {f.remotePath}, so nothing is planned for it.</p>
      ))}
      {plan.notes.map((n) => <p class="muted small">{appWords(n)}</p>)}
    </>
  );
}

const count = (p: PlanDto, action: KeyAction) => p.folders.reduce((n, f) => n + f.keys.filter((k) => k.action === action).length, 0);

export const conflictFolders = (plan: PlanDto): FolderPlanDto[] => plan.folders.filter((f) => f.keys.some((k) => k.action === 'conflict'));

export function Conflicts({ remote, plan, choices, setChoices }: { remote: string; plan: PlanDto; choices: Choices; setChoices: (c: Choices) => void }) {
  const folders = conflictFolders(plan);
  if (!folders.length) return null;
  const choose = (path: string, keep: 'local' | 'remote') => setChoices({ ...choices, [path]: keep });
  const chooseFolder = (f: FolderPlanDto, keep: 'local' | 'remote') => {
    const next = { ...choices };
    for (const k of f.keys) if (k.action === 'conflict') next[secretPath(f.folder, k.name)] = keep;
    setChoices(next);
  };
  return (
    <section class="card" id="remote-conflicts">
      <h3>Conflicts: changed here and on the remote since the last sync</h3>
      <p class="muted small">Neither side is overwritten until you choose. The choice applies to the next sync. Values stay hidden until you reveal one side or compare both (each is recorded in the audit log as a reveal).</p>
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
              {f.keys.filter((k) => k.action === 'conflict').map((k) => (
                <ConflictRow remote={remote} folder={f.folder} k={k} choice={choices[secretPath(f.folder, k.name)]} choose={choose} />
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

type Shown = { local?: string; remote?: string; diff?: DiffLine[] };

function ConflictRow({ remote, folder, k, choice, choose }: {
  remote: string; folder: string; k: KeyPlanDto; choice?: 'local' | 'remote'; choose: (path: string, keep: 'local' | 'remote') => void;
}) {
  const path = secretPath(folder, k.name);
  const [shown, setShown] = useState<Shown>({});
  const [error, run] = useGuard();
  const anything = shown.local !== undefined || shown.remote !== undefined;
  // Revealed values hide themselves again, and leave the page with the row.
  useEffect(() => {
    if (!anything) return;
    const t = setTimeout(() => setShown({}), REVEAL_SECS * 1000);
    return () => clearTimeout(t);
  }, [anything]);
  // Each read is one audited reveal: of the local secret, or of the remote's field.
  const read = async (which: 'local' | 'remote') => shown[which] ?? (which === 'local' ? (await ipc.reveal(path)).value : (await ipc.remotePeek(remote, path)).value);
  const toggle = (which: 'local' | 'remote') => run(async () => {
    if (shown[which] !== undefined) return setShown({ ...shown, [which]: undefined, diff: undefined });
    const v = await read(which);
    setShown((s) => ({ ...s, [which]: v }));
  });
  const diff = () => run(async () => {
    if (shown.diff) return setShown({});
    const l = await read('local');
    const r = await read('remote');
    setShown({ local: l, remote: r, diff: lineDiff(l, r) });
  });
  const side = (which: 'local' | 'remote', version: number | null) => {
    if (version == null) return <em class="muted">removed</em>;
    const v = shown[which];
    return (
      <>
        {v === undefined ? <span class="masked">{MASK}</span> : <code class="revealed" data-side={which}>{v}</code>}{' '}
        <span class="muted small">v{version}</span>{' '}
        <button class="small" data-reveal={which} onClick={() => toggle(which)}>{v === undefined ? 'Reveal' : 'Hide'}</button>
      </>
    );
  };
  return (
    <>
      <tr class="conflict-row" data-path={path}>
        <td>{k.name}<div class="muted small">{k.reason}</div></td>
        <td>{side('local', k.localVersion)}</td>
        <td>{side('remote', k.remoteVersion)}</td>
        <td>
          <label><input type="radio" name={path} data-keep="local" checked={choice === 'local'} onChange={() => choose(path, 'local')} /> local</label>{' '}
          <label><input type="radio" name={path} data-keep="remote" checked={choice === 'remote'} onChange={() => choose(path, 'remote')} /> remote</label>{' '}
          {k.localVersion != null && k.remoteVersion != null && <button class="small" data-diff onClick={diff}>{shown.diff ? 'Hide diff' : 'Compare'}</button>}
        </td>
      </tr>
      {(shown.diff || error) && (
        <tr class="conflict-detail" data-path={path}>
          <td colSpan={4}>
            <ErrorNote error={error} />
            {shown.diff && <pre class="diff conflict-diff"><div class="muted">− local  + remote</div>{shown.diff.map((l) => <div class={`d${l.op === ' ' ? 'same' : l.op === '-' ? 'del' : 'add'}`}>{l.op} {l.text}</div>)}</pre>}
          </td>
        </tr>
      )}
    </>
  );
}
