// HashiCorp Vault / OpenBao: add a remote, test the connection, see the plan before any write,
// settle conflicts, then push / pull / sync / migrate with a progress bar and a cancel button.
import { useEffect, useState } from 'preact/hooks';
import type { HealthDto, OpReportDto, PlanDto, RemoteDto } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { type Choices, Conflicts, PlanTable } from './RemotePlan';

/** Folder → sync state of the last plan, for the badges in the folder tree. */
export type SyncStates = Record<string, string>;

export function Remotes({ onChanged, onPlan }: { onChanged: () => Promise<unknown>; onPlan: (s: SyncStates) => void }) {
  const [remotes, setRemotes] = useState<RemoteDto[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () => ipc.remotes().then((r) => { setRemotes(r); if (!selected && r.length) setSelected(r[0].name); }, (e) => setError(e.message));
  useEffect(() => void load(), []);
  const current = remotes.find((r) => r.name === selected);
  const remove = async (name: string) => {
    if (!confirm(`Forget the remote '${name}'? Nothing on the server is touched.`)) return;
    await ipc.remoteRemove(name).catch((e) => setError(e.message));
    setSelected(null);
    await load();
  };
  return (
    <div class="page" id="remotes">
      <h2>HashiCorp Vault</h2>
      {error && <p class="error">{error}</p>}
      <div class="tags">
        {remotes.map((r) => <button class={selected === r.name ? 'tag active' : 'tag'} data-remote={r.name} onClick={() => setSelected(r.name)}>{r.name}</button>)}
      </div>
      {current && <RemoteCard key={current.name} remote={current} onChanged={onChanged} onPlan={onPlan} onRemove={() => remove(current.name)} />}
      <AddRemote onAdded={async (name) => { await load(); setSelected(name); }} />
    </div>
  );
}

function AddRemote({ onAdded }: { onAdded: (name: string) => void }) {
  const [f, setF] = useState({ name: 'team', addr: 'https://127.0.0.1:8200', namespace: '', mount: 'secret', prefix: '', caCert: '', auth: 'token', roleId: '', approleMount: 'approle', token: '' });
  const [skipVerify, setSkipVerify] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const approle = f.auth === 'approle';
  const field = (k: keyof typeof f, label: string, type = 'text') => (
    <label class="field"><span>{label}</span><input id={`remote-${k}`} type={type} autocomplete="off" value={f[k]} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} /></label>
  );
  const add = async () => {
    setError(null);
    try {
      await ipc.remoteAdd({
        ...f, namespace: f.namespace || null, caCert: f.caCert || null, skipVerify,
        roleId: approle ? f.roleId : null, approleMount: approle ? f.approleMount : null, token: f.token || null,
      });
      setF({ ...f, token: '' });
      onAdded(f.name);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card">
      <h3>Add a remote</h3>
      <div class="grid2">
        {field('name', 'Name')}{field('addr', 'Address')}{field('mount', 'KV mount')}{field('prefix', 'Path prefix')}
        {field('namespace', 'Namespace (Enterprise/OpenBao)')}{field('caCert', 'CA certificate file (empty: VAULT_CACERT / system)')}
        <label class="field"><span>Authentication</span>
          <select id="remote-auth" value={f.auth} onChange={(e) => setF({ ...f, auth: e.currentTarget.value })}>
            <option value="token">Token</option><option value="approle">AppRole</option>
          </select>
        </label>
        {approle && field('roleId', 'AppRole role_id')}
        {approle && field('approleMount', 'AppRole auth mount')}
        {field('token', approle ? 'AppRole secret_id (kept in the OS keychain)' : 'Token (kept in the OS keychain; empty: VAULT_TOKEN)', 'password')}
      </div>
      <label class="choice"><input type="checkbox" id="remote-skip-verify" checked={skipVerify} onChange={() => setSkipVerify(!skipVerify)} />
        <span>Skip TLS verification (testing only: anyone on the network path could read the token)</span></label>
      {error && <p class="error" id="remote-error">{error}</p>}
      <button class="primary" id="remote-add" onClick={add}>Add remote</button>
    </section>
  );
}

function RemoteCard({ remote, onChanged, onPlan, onRemove }: { remote: RemoteDto; onChanged: () => Promise<unknown>; onPlan: (s: SyncStates) => void; onRemove: () => void }) {
  const [health, setHealth] = useState<HealthDto | null>(null);
  const [plan, setPlan] = useState<PlanDto | null>(null);
  const [direction, setDirection] = useState('sync');
  const [choices, setChoices] = useState<Choices>({});
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<OpReportDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const guard = async (f: () => Promise<void>) => {
    setError(null);
    try { await f(); } catch (e) { setError((e as Error).message); }
  };
  const refreshPlan = async (d = direction) => {
    const p = await ipc.remotePlan(remote.name, d);
    setPlan(p);
    onPlan(Object.fromEntries(p.folders.map((f) => [f.folder, f.state])));
  };
  const run = (op: string) => guard(async () => {
    setRunning(true);
    setReport(null);
    setProgress(null);
    try {
      const resolutions = Object.entries(choices).map(([path, keep]) => ({ path, keep }));
      const r = await ipc.remoteRun(remote.name, op, resolutions, (p) => p.event === 'step' && setProgress(p.data));
      setReport(r);
      setChoices({});
      await onChanged();
      await refreshPlan();
    } finally {
      setRunning(false);
    }
  });
  const chosen = Object.keys(choices).length;
  return (
    <section class="card" id="remote-card">
      <h3>{remote.name}: {remote.addr} · {remote.mount}{remote.prefix ? `/${remote.prefix}` : ''}{remote.namespace ? ` · namespace ${remote.namespace}` : ''}</h3>
      <div class="row">
        <button id="remote-test" onClick={() => guard(async () => setHealth(await ipc.remoteTest(remote.name)))}>Test connection</button>
        <select id="remote-direction" value={direction} onChange={(e) => setDirection(e.currentTarget.value)}>
          <option value="sync">plan a sync</option><option value="push">plan a push</option><option value="pull">plan a pull</option>
        </select>
        <button id="remote-plan" onClick={() => guard(() => refreshPlan())}>Plan</button>
        <span class="spacer" />
        <button class="danger small" id="remote-remove" onClick={onRemove}>Forget remote</button>
      </div>
      {health && (
        <div id="remote-health" class={health.ok ? 'ok-badge' : 'bad-badge'}>
          {health.ok ? `Connected: ${health.serverVersion ?? 'server'}, KV v${health.kvVersion}, token may ${health.capabilities.join(', ') || 'nothing'}` : 'Connection problem'}
          <ul class="plain small">{health.checks.map((c) => <li>{c.ok ? '✓' : '✗'} {c.name}: {c.message}</li>)}</ul>
        </div>
      )}
      {error && <p class="error" id="remote-op-error">{error}</p>}
      {plan && (
        <>
          <PlanTable plan={plan} />
          <Conflicts plan={plan} choices={choices} setChoices={setChoices} />
          <div class="row">
            <button class="primary" id="remote-push" disabled={running} onClick={() => run('push')}>Push</button>
            <button id="remote-pull" disabled={running} onClick={() => run('pull')}>Pull</button>
            <button id="remote-sync" disabled={running} onClick={() => run('sync')}>{chosen ? `Sync with ${chosen} choice(s)` : 'Sync'}</button>
            <button id="remote-migrate" disabled={running} onClick={() => confirm('Push every folder to this remote?') && run('migrate')}>Migrate everything</button>
            {running && <button class="danger" id="remote-cancel" onClick={() => ipc.remoteCancel()}>Cancel</button>}
          </div>
        </>
      )}
      {progress && <progress id="remote-progress" max={progress.total || 1} value={progress.done} />}
      {report && (
        <p class={report.failedFolders ? 'error' : 'note'} id="remote-report">
          {report.cancelled ? 'Cancelled. ' : ''}{report.folders.length} folder(s): {report.writtenRemote} written to the remote, {report.writtenLocal} written locally, {report.deletedRemote + report.deletedLocal > 0 && `${report.deletedRemote} removed remotely, ${report.deletedLocal} moved to the local trash, `}{report.conflicts} conflict(s), {report.failedFolders} failed ({report.elapsedMs} ms).
          {report.stopped && ` Stopped: ${report.stopped}`}
        </p>
      )}
    </section>
  );
}
