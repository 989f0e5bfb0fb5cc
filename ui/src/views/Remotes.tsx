// HashiCorp Vault / OpenBao: add a remote, test the connection, plan a chosen folder (or all)
// before any write, settle conflicts, then push / pull / sync / migrate with a progress bar and a
// cancel button. The plan and the choices live in Main, so leaving this screen keeps them.
import { useEffect, useState } from 'preact/hooks';
import type { AuthKind, DirectionDto, HealthDto, OpReportDto, PickedFile, PlanDto, RemoteDto, RemoteOp, SecretRow, SyncedFolderDto } from '../lib/bindings';
import { dateTime } from '../lib/format';
import { ipc, type Step, type Work } from '../lib/ipc';
import { appWords, toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { FilePick } from '../components/FilePick';
import type { SyncBadge } from '../lib/labels';
import { type Choices, Conflicts, PlanTable } from './RemotePlan';

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
  const selected = memory.selected;
  const select = (name: string | undefined) => setMemory((m) => ({ ...m, selected: name }));
  const load = () => run(async () => {
    const r = await ipc.remotes();
    setRemotes(r);
    if ((!selected || !r.some((x) => x.name === selected)) && r.length) select(r[0].name);
  });
  useEffect(() => void load(), []);
  const current = remotes.find((r) => r.name === selected);
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
          planned={memory.plans[current.name]} setPlanned={(p) => setMemory((m) => ({ ...m, plans: { ...m.plans, [current.name]: p } }))} />
      )}
      <AddRemote onAdded={async (name) => { await load(); select(name); }} />
    </div>
  );
}

function AddRemote({ onAdded }: { onAdded: (name: string) => void }) {
  const [f, setF] = useState({ name: 'team', addr: 'https://127.0.0.1:8200', namespace: '', mount: 'secret', prefix: '', roleId: '', approleMount: 'approle', token: '' });
  const [auth, setAuth] = useState<AuthKind>('token');
  const [ca, setCa] = useState<PickedFile | null>(null);
  const [skipVerify, setSkipVerify] = useState(false);
  const [error, run] = useGuard();
  const approle = auth === 'approle';
  const field = (k: keyof typeof f, label: string, type = 'text') => (
    <label class="field"><span>{label}</span><input id={`remote-${k}`} type={type} autocomplete="off" value={f[k]} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} /></label>
  );
  const add = () => run(async () => {
    await ipc.remoteAdd({
      name: f.name, addr: f.addr, mount: f.mount, prefix: f.prefix, namespace: f.namespace || null, caCert: ca?.handle ?? null, skipVerify, auth,
      roleId: approle ? f.roleId : null, approleMount: approle ? f.approleMount : null, token: f.token || null,
    });
    setF({ ...f, token: '' });
    toast(`Remote ${f.name} added.`);
    onAdded(f.name);
  });
  return (
    <section class="card">
      <h3>Add a remote</h3>
      <div class="grid2">
        {field('name', 'Name')}{field('addr', 'Address')}{field('mount', 'KV mount')}{field('prefix', 'Path prefix')}
        {field('namespace', 'Namespace (Enterprise/OpenBao)')}
        <label class="field"><span>CA certificate (none: VAULT_CACERT or the system's)</span><FilePick id="remote-caCert" purpose="caCert" value={ca} set={setCa} placeholder="CA certificate (PEM)" /></label>
        <label class="field"><span>Authentication</span>
          <select id="remote-auth" value={auth} onChange={(e) => setAuth(e.currentTarget.value as AuthKind)}>
            <option value="token">Token</option><option value="approle">AppRole</option>
          </select>
        </label>
        {approle && field('roleId', 'AppRole role_id')}
        {approle && field('approleMount', 'AppRole auth mount')}
        {field('token', approle ? 'AppRole secret_id (kept in the OS keychain)' : 'Token (kept in the OS keychain; empty: VAULT_TOKEN)', 'password')}
      </div>
      <label class="choice"><input type="checkbox" id="remote-skip-verify" checked={skipVerify} onChange={() => setSkipVerify(!skipVerify)} />
        <span>Skip TLS verification (testing only: anyone on the network path could read the token)</span></label>
      <ErrorNote error={error} id="remote-error" />
      <button class="primary" id="remote-add" onClick={add}>Add remote</button>
    </section>
  );
}

function RemoteCard({ remote, folders, planned, setPlanned, onChanged, onRemove }: {
  remote: RemoteDto; folders: string[]; planned?: Planned; setPlanned: (p: Planned) => void; onChanged: () => Promise<unknown>; onRemove: () => void;
}) {
  const [health, setHealth] = useState<HealthDto | null>(null);
  const [direction, setDirection] = useState<DirectionDto>(planned?.direction ?? 'sync');
  const [folder, setFolder] = useState(planned?.folder ?? '');
  const [progress, setProgress] = useState<Step | null>(null);
  const [work, setWork] = useState<Work<OpReportDto> | null>(null);
  const [report, setReport] = useState<OpReportDto | null>(null);
  const [synced, setSynced] = useState<SyncedFolderDto[]>([]);
  const [error, run] = useGuard();
  const loadSynced = () => ipc.remoteSynced(remote.name).then(setSynced);
  useEffect(() => void run(loadSynced), [remote.name]);
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
      <h3>{remote.name}: {remote.addr} · {remote.mount}{remote.prefix ? `/${remote.prefix}` : ''}{remote.namespace ? ` · namespace ${remote.namespace}` : ''}</h3>
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
        <button class="danger small" id="remote-remove" onClick={onRemove}>Forget remote</button>
      </div>
      {health && (
        <div id="remote-health" class={health.ok ? 'ok-badge' : 'bad-badge'}>
          {health.ok ? `Connected: ${health.serverVersion ?? 'server'}, KV v${health.kvVersion}, token may ${health.capabilities.join(', ') || 'nothing'}` : 'Connection problem'}
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
        <table class="grid" id="remote-synced">
          <thead><tr><th>Folder</th><th>Last synced</th><th>Remote version</th></tr></thead>
          <tbody>{synced.map((s) => <tr data-folder={s.folder}><td>{s.folder}</td><td class="last-synced">{dateTime(s.syncedAt)}</td><td>v{s.remoteVersion}</td></tr>)}</tbody>
        </table>
      )}
      {progress && <progress id="remote-progress" max={progress.total || 1} value={progress.done} />}
      {report && (
        <p class={report.failedFolders || report.conflicts ? 'warn' : 'note'} id="remote-report">
          {report.cancelled ? 'Cancelled. ' : ''}{report.folders.length} folder(s): {report.writtenRemote} written to the remote, {report.writtenLocal} written locally, {report.deletedRemote + report.deletedLocal > 0 && `${report.deletedRemote} removed remotely, ${report.deletedLocal} moved to the local trash, `}{report.conflicts} conflict(s), {report.failedFolders} failed ({report.elapsedMs} ms).
          {report.stopped && ` Stopped: ${appWords(report.stopped)}`}
        </p>
      )}
    </section>
  );
}
