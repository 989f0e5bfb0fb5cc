// HashiCorp Vault / OpenBao: add a remote, test the connection, plan a chosen folder (or all)
// before any write, settle conflicts, then push / pull / sync / migrate with a progress bar and a
// cancel button. The plan and the choices live in Main, so leaving this screen keeps them.
import { useEffect, useState } from 'preact/hooks';
import type { DirectionDto, HealthDto, OpReportDto, PlanDto, RemoteDto, RemoteOp, SecretRow, SyncedFolderDto } from '../lib/bindings';
import { dateTime } from '../lib/format';
import { ipc, type Step, type Work } from '../lib/ipc';
import { appWords } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { type SyncBadge, tokenMay } from '../lib/labels';
import { type Choices, Conflicts, PlanTable, SyncedTable } from './RemotePlan';
import { RemoteForm } from './RemoteForm';

/** What this screen remembers while the app is unlocked: per remote, its last plan. */
export interface Planned { plan: PlanDto; at: number; direction: DirectionDto; folder: string; choices: Choices }
export interface RemoteMemory { selected?: string; plans: Record<string, Planned> }

/** Folder → sync state of the latest plan; a folder changed here since is "changed locally". */
export function staleSync(m: RemoteMemory, rows: SecretRow[]): Record<string, SyncBadge> {
  const p = Object.values(m.plans).sort((a, b) => b.at - a.at)[0];
  if (!p) return {};
  const out: Record<string, SyncBadge> = {};
  for (const f of p.plan.folders) out[f.folder] = f.state;
  for (const r of rows) if (r.updatedAt > p.at && r.folder in out) out[r.folder] = 'local_changed';
  return out;
}

export function Remotes({ memory, setMemory, onChanged, folders }: { memory: RemoteMemory; setMemory: (f: (m: RemoteMemory) => RemoteMemory) => void; onChanged: () => Promise<unknown>; folders: string[] }) {
  const [remotes, setRemotes] = useState<RemoteDto[]>([]);
  const [error, run] = useGuard();
  // With a remote in place, the form to add another stays closed until asked for.
  const [adding, setAdding] = useState(false);
  const selected = memory.selected;
  const select = (name: string | undefined) => setMemory((m) => ({ ...m, selected: name }));
  const load = () => run(async () => {
    const r = await ipc.remotes();
    setRemotes(r);
    if ((!selected || !r.some((x) => x.name === selected)) && r.length) select(r[0].name);
  });
  useEffect(() => void load(), []);
  const current = remotes.find((r) => r.name === selected);
  // A plan made with the old settings says nothing about the new ones.
  const forgetPlan = (name: string) => setMemory((m) => { const plans = { ...m.plans }; delete plans[name]; return { ...m, plans }; });
  const remove = (name: string) => run(async () => {
    if (!(await ipc.ask(`Forget the remote '${name}'? Nothing on the server is touched.`, 'Forget'))) return;
    await ipc.remoteRemove(name);
    setMemory((m) => { const plans = { ...m.plans }; delete plans[name]; return { selected: undefined, plans }; });
    await load();
  });
  return (
    <div class="page" id="remotes">
      <h2>HashiCorp Vault</h2>
      <ErrorNote error={error} />
      <div class="tags">
        {remotes.map((r) => <button class={selected === r.name ? 'tag active' : 'tag'} data-remote={r.name} onClick={() => select(r.name)}>{r.name}</button>)}
      </div>
      {current && (
        <RemoteCard key={current.name} remote={current} folders={folders} onChanged={onChanged} onRemove={() => remove(current.name)}
          planned={memory.plans[current.name]} setPlanned={(p) => setMemory((m) => ({ ...m, plans: { ...m.plans, [current.name]: p } }))}
          onEdited={async () => { forgetPlan(current.name); await load(); }} />
      )}
      {adding || !remotes.length ? (
        <RemoteForm key={remotes.length} start={current && { name: '', addr: current.addr }} onCancel={remotes.length ? () => setAdding(false) : undefined}
          onDone={async (name) => { setAdding(false); await load(); select(name); }} />
      ) : (
        <button id="remote-add-open" onClick={() => setAdding(true)}>Add another remote…</button>
      )}
    </div>
  );
}

function RemoteCard({ remote, folders, planned, setPlanned, onChanged, onRemove, onEdited }: {
  remote: RemoteDto; folders: string[]; planned?: Planned; setPlanned: (p: Planned) => void; onChanged: () => Promise<unknown>; onRemove: () => void; onEdited: () => Promise<unknown>;
}) {
  const [editing, setEditing] = useState(false);
  const [health, setHealth] = useState<HealthDto | null>(null);
  const [direction, setDirection] = useState<DirectionDto>(planned?.direction ?? 'sync');
  const [folder, setFolder] = useState(planned?.folder ?? '');
  const [progress, setProgress] = useState<Step | null>(null);
  const [work, setWork] = useState<Work<OpReportDto> | null>(null);
  const [report, setReport] = useState<OpReportDto | null>(null);
  const [synced, setSynced] = useState<SyncedFolderDto[]>([]);
  const [error, run] = useGuard();
  const loadSynced = () => ipc.remoteSynced(remote.name).then(setSynced);
  // An edited remote: the last report and health check were of what it named before (a push's
  // "2 written to the remote" under a plan of the new prefix reads as written there).
  useEffect(() => { setReport(null); setProgress(null); setHealth(null); void run(loadSynced); },
    [remote.name, remote.addr, remote.namespace, remote.mount, remote.prefix]);
  const choices = planned?.choices ?? {};
  const scope = folder ? [folder] : [];
  const refreshPlan = async (d = direction) => {
    const plan = await ipc.remotePlan(remote.name, d, scope);
    setPlanned({ plan, at: Date.now() / 1000, direction: d, folder, choices: {} });
  };
  const go = (op: RemoteOp) => run(async () => {
    if (op === 'migrate' && !(await ipc.ask(`Push ${folder || 'every folder'} to ${remote.name}?`, 'Migrate'))) return;
    setReport(null);
    setProgress(null);
    const resolutions = Object.entries(choices).map(([path, keep]) => ({ path, keep }));
    const w = ipc.remoteRun(remote.name, op, scope, resolutions, setProgress);
    setWork(w);
    try {
      setReport(await w.done);
      await loadSynced();
      await onChanged();
      await refreshPlan();
    } finally {
      setWork(null);
    }
  });
  const chosen = Object.keys(choices).length;
  const running = work !== null;
  return (
    <section class="card" id="remote-card">
      <h3>{remote.name}: {remote.addr} · {remote.mount}{remote.prefix ? `/${remote.prefix}` : ''}{remote.namespace ? ` · namespace ${remote.namespace}` : ''}{remote.caCert ? ' · own CA' : ''}{remote.skipVerify ? ' · TLS not verified' : ''}</h3>
      <div class="row wrap">
        <button id="remote-test" onClick={() => run(async () => setHealth(await ipc.remoteTest(remote.name)))}>Test connection</button>
        <select id="remote-direction" aria-label="Direction" value={direction} onChange={(e) => setDirection(e.currentTarget.value as DirectionDto)}>
          <option value="sync">plan a sync</option><option value="push">plan a push</option><option value="pull">plan a pull</option>
        </select>
        <select id="remote-folder" aria-label="Folder" value={folder} onChange={(e) => setFolder(e.currentTarget.value)}>
          <option value="">all folders</option>{folders.map((f) => <option value={f}>{f}</option>)}
        </select>
        <button id="remote-plan" onClick={() => run(() => refreshPlan())}>Plan</button>
        <span class="spacer" />
        <button id="remote-edit-open" aria-expanded={editing} onClick={() => setEditing(!editing)}>Edit</button>
        <button class="danger small" id="remote-remove" onClick={onRemove}>Forget remote</button>
      </div>
      {editing && <RemoteForm existing={remote} onCancel={() => setEditing(false)} onDone={async () => { setEditing(false); setHealth(null); await onEdited(); }} />}
      {health && (
        <div id="remote-health" class={health.ok ? 'ok-badge' : health.usable ? 'warn-badge' : 'bad-badge'}>
          {health.usable
            ? `Connected${health.ok ? '' : ', but an address does not answer'}: ${health.serverVersion ?? 'server'}, KV v${health.kvVersion}, ${tokenMay(health.capabilities)}`
            : 'Connection problem'}
          <ul class="plain small">{health.checks.map((c) => <li>{c.ok ? '✓' : '✗'} {c.name}: {appWords(c.message)}</li>)}</ul>
        </div>
      )}
      <ErrorNote error={error} id="remote-op-error" />
      {planned && (
        <>
          <p class="muted small" id="remote-plan-age">Plan of {dateTime(planned.at)}{planned.folder ? ` for ${planned.folder}` : ''} ({planned.direction}).</p>
          <PlanTable plan={planned.plan} synced={synced} />
          <Conflicts remote={remote.name} plan={planned.plan} choices={choices} setChoices={(c) => setPlanned({ ...planned, choices: c })} />
          <div class="row wrap">
            <button class="primary" id="remote-push" disabled={running} onClick={() => go('push')}>Push{folder ? ` ${folder}` : ''}</button>
            <button id="remote-pull" disabled={running} onClick={() => go('pull')}>Pull</button>
            <button id="remote-sync" disabled={running} onClick={() => go('sync')}>{chosen ? `Sync with ${chosen} choice(s)` : 'Sync'}</button>
            <button id="remote-migrate" disabled={running} onClick={() => go('migrate')}>{folder ? 'Migrate this folder' : 'Migrate everything'}</button>
            {running && <button class="danger" id="remote-cancel" onClick={() => work!.cancel()}>Cancel</button>}
          </div>
        </>
      )}
      {!planned && synced.length > 0 && (
        <SyncedTable synced={synced} />
      )}
      {progress && <progress id="remote-progress" max={progress.total || 1} value={progress.done} />}
      {report && (
        <p class={report.failedFolders || report.conflicts || report.folders.some((f) => f.error) ? 'warn' : 'note'} id="remote-report">
          {report.cancelled ? 'Cancelled. ' : ''}{report.folders.length} folder(s): {report.writtenRemote} written to the remote, {report.writtenLocal} written locally, {report.deletedRemote + report.deletedLocal > 0 && `${report.deletedRemote} removed remotely, ${report.deletedLocal} moved to the local trash, `}{report.conflicts} conflict(s), {report.failedFolders} failed ({report.elapsedMs} ms).
          {report.stopped && ` Stopped: ${appWords(report.stopped)}`}
        </p>
      )}
      {report && report.folders.some((f) => f.error) && (
        <ul class="small warn" id="remote-report-errors">
          {report.folders.filter((f) => f.error).map((f) => <li data-folder={f.folder}>{f.folder}: {appWords(f.error!)}</li>)}
        </ul>
      )}
    </section>
  );
}
