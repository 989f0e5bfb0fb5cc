// Projects (a repository's hush.toml): the known ones (trusted, or opened here), their
// environments and folders, trust, a check of an environment against the project's variables
// (names only, never values), and `.env` mounts: which run, who read them, and serving one from
// the app. Nothing here holds a value.
import { useEffect, useState } from 'preact/hooks';
import type { MountDto, MountReadDto, ProjectCheckDto, ProjectDto, TrustState } from '../lib/bindings';
import { dateTime } from '../lib/format';
import { ipc } from '../lib/ipc';
import { appWords, errorText, toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';

const TRUST_LABEL: Record<TrustState, string> = { trusted: 'trusted', untrusted: 'not trusted', changed: 'changed since trusted' };
/** How often the mounts and their reads refresh while this view is open (no activity counted). */
const POLL_MS = 2_000;

export function Projects() {
  const [projects, setProjects] = useState<ProjectDto[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, run] = useGuard();
  const load = () => run(async () => {
    const p = await ipc.projects();
    setProjects(p);
    setSelected((s) => (s && p.some((x) => x.file === s) ? s : p[0]?.file ?? null));
  });
  useEffect(() => void load(), []);
  const open = () => run(async () => {
    const f = await ipc.pickFile('projectFile');
    if (!f) return;
    const p = await ipc.projectOpen(f.handle);
    await load();
    setSelected(p.file);
  });
  const replace = (p: ProjectDto) => setProjects((all) => all.map((x) => (x.file === p.file ? p : x)));
  const current = projects.find((p) => p.file === selected);
  return (
    <div class="page" id="projects">
      <div class="row"><h2>Projects</h2><span class="spacer" /><button id="project-open" onClick={open}>Open project…</button></div>
      <p class="muted">A repository's <code>hush.toml</code> names its environments (vault folders, later ones win) and the variables it needs. It is used only once you trust it; an edited file asks again.</p>
      <ErrorNote error={error} id="projects-error" />
      {projects.length === 0 && <p class="empty muted" id="projects-empty">No projects yet. Open a project's hush.toml, or run <code>hush project init</code> in a repository.</p>}
      {projects.length > 0 && (
        <table class="grid" id="projects-table">
          <thead><tr><th>Project</th><th>Trust</th><th>Environments</th></tr></thead>
          <tbody>
            {projects.map((p) => (
              <tr data-project={p.file} class={p.file === selected ? 'selected' : ''} onClick={() => setSelected(p.file)}>
                <td>{p.root}</td>
                <td><TrustChip p={p} /></td>
                <td>{p.envs.map((e) => e.name + (e.isDefault ? ' (default)' : '')).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current && <ProjectCard key={current.file} p={current} onChanged={replace} />}
      <Mounts />
    </div>
  );
}

function TrustChip({ p }: { p: ProjectDto }) {
  if (!p.trust) return <span class="chip st-conflict" data-trust="missing">cannot be read</span>;
  return <span class={`chip trust-${p.trust}`} data-trust={p.trust}>{TRUST_LABEL[p.trust]}</span>;
}

function ProjectCard({ p, onChanged }: { p: ProjectDto; onChanged: (p: ProjectDto) => void }) {
  const [env, setEnv] = useState<string>(p.envs.find((e) => e.isDefault)?.name ?? p.envs[0]?.name ?? '');
  const [check, setCheck] = useState<ProjectCheckDto | null>(null);
  const [error, run] = useGuard();
  const trusted = p.trust === 'trusted';
  const doCheck = (e = env) => run(async () => setCheck(await ipc.projectCheck(p.file, e || null)));
  // The check status of a trusted project shows as soon as it is opened (one `check` audit entry).
  useEffect(() => { if (trusted && p.varsCount > 0) void doCheck(); }, [p.file, trusted, env]);
  const trust = (yes: boolean) => run(async () => {
    if (yes) {
      const folders = p.envs.map((e) => `${e.name}: ${e.folders.join(' + ')}`).join('; ');
      if (!(await ipc.ask(`Trust ${p.file}? It may load these vault folders into programs run in ${p.root}: ${folders}.`, 'Trust'))) return;
    }
    onChanged(await ipc.projectTrust(p.file, yes));
    setCheck(null);
    toast(yes ? 'Project trusted.' : 'Project no longer trusted.');
  });
  const mount = () => run(async () => {
    const m = await ipc.mountStart(p.file, env || null);
    toast(`Serving ${m.path} (${m.folders.join(' + ')}) until you stop it or Hush locks.`);
  });
  return (
    <section class="card" id="project-card" data-project={p.file}>
      <h3>{p.root}</h3>
      <p class="muted small">{p.file}{p.trustedAt != null && ` · trusted ${dateTime(p.trustedAt)}`}</p>
      {p.problem && <p class="error" id="project-problem">{appWords(p.problem)}</p>}
      {p.trust && (
        <div class="row wrap">
          <TrustChip p={p} />
          {p.trust !== 'trusted' && <button class="primary" id="project-trust" onClick={() => trust(true)}>{p.trust === 'changed' ? 'Review and trust again' : 'Trust this project'}</button>}
          {p.trust !== 'untrusted' && <button id="project-untrust" onClick={() => trust(false)}>Stop trusting</button>}
        </div>
      )}
      {p.envs.length > 0 && (
        <table class="grid" id="project-envs">
          <thead><tr><th>Environment</th><th>Folders (later wins)</th></tr></thead>
          <tbody>{p.envs.map((e) => <tr data-env={e.name}><td>{e.name}{e.isDefault && <span class="muted small"> default</span>}</td><td>{e.folders.join(' + ')}</td></tr>)}</tbody>
        </table>
      )}
      <p class="muted small">Variables: {p.varsSource ? `${p.varsCount} from ${p.varsSource}` : 'none listed (no [vars], no .env.example)'}</p>
      {trusted && (
        <div class="row wrap">
          <select id="project-env" aria-label="Environment" value={env} onChange={(e) => setEnv(e.currentTarget.value)}>
            {p.envs.map((e) => <option value={e.name}>{e.name}</option>)}
          </select>
          {p.varsCount > 0 && <button id="project-check" onClick={() => doCheck()}>Check</button>}
          <button id="project-mount" onClick={mount} title="A named pipe at .env: programs read it like a file; nothing is written to disk">Serve .env</button>
        </div>
      )}
      <ErrorNote error={error} id="project-error" />
      {check && <CheckResult c={check} />}
    </section>
  );
}

function CheckResult({ c }: { c: ProjectCheckDto }) {
  return (
    <div id="project-check-result" class={c.passed ? 'ok-badge' : 'bad-badge'} data-passed={c.passed}>
      {c.passed ? `✓ ${c.env} passes: ${c.ok.length} set, ${c.defaulted.length} optional unset, ${c.extra.length} extra` : `✗ ${c.env}: ${c.missing.length} missing, ${c.invalid.length} invalid`} (against {c.source})
      <ul class="plain small">
        {c.missing.map((n) => <li data-missing={n}>missing {n}</li>)}
        {c.invalid.map((i) => <li data-invalid={i.name}>invalid {i.name}: {i.reason}</li>)}
        {c.extra.map((n) => <li class="muted" data-extra={n}>extra {n} (not listed)</li>)}
        {c.emptyFolders.map((f) => <li class="muted">no secrets in {f} (skipped)</li>)}
      </ul>
    </div>
  );
}

function Mounts() {
  const [mounts, setMounts] = useState<MountDto[]>([]);
  const [reads, setReads] = useState<MountReadDto[]>([]);
  const [error, run, setError] = useGuard();
  useEffect(() => {
    let live = true;
    const poll = () => Promise.all([ipc.mounts(), ipc.mountReads(200)]).then(([m, r]) => { if (live) { setMounts(m); setReads(r); } }, (e) => live && setError(errorText(e)));
    void poll();
    const t = setInterval(poll, POLL_MS);
    return () => { live = false; clearInterval(t); };
  }, []);
  const stop = (m: MountDto) => run(async () => {
    if (!m.servedHere && m.alive && !(await ipc.ask(`Stop the hush mount (pid ${m.pid}) serving ${m.path}?`, 'Stop'))) return;
    await ipc.mountStop(m.path);
    setMounts(await ipc.mounts());
  });
  return (
    <section class="card" id="mounts">
      <h3>Mounted .env files</h3>
      <p class="muted small">Each read of a mounted .env is served from the vault and recorded in the audit log; nothing is written to disk.</p>
      <ErrorNote error={error} id="mounts-error" />
      {mounts.length === 0 ? <p class="muted" id="mounts-empty">Nothing is mounted.</p> : (
        <table class="grid" id="mounts-table">
          <thead><tr><th>Pipe</th><th>Environment</th><th>Served by</th><th>Since</th><th /></tr></thead>
          <tbody>
            {mounts.map((m) => (
              <tr data-mount={m.path} data-alive={m.alive}>
                <td>{m.path}</td>
                <td>{m.env ? `${m.env}: ` : ''}{m.folders.join(' + ')}</td>
                <td>{!m.alive ? <span class="warn">stopped (stale pipe)</span> : m.servedHere ? 'this app' : `hush mount (pid ${m.pid})`}</td>
                <td>{dateTime(m.startedAt)}</td>
                <td><button class="small" data-stop={m.path} onClick={() => stop(m)}>{m.alive ? 'Stop' : 'Remove'}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>Reads</h4>
      {reads.length === 0 ? <p class="muted" id="mount-reads-empty">No reads yet.</p> : (
        <table class="grid" id="mount-reads">
          <thead><tr><th>Time</th><th>Pipe</th><th>Read by</th><th>Outcome</th></tr></thead>
          <tbody>{reads.map((r) => <tr data-seq={r.seq} data-pipe={r.path}><td>{dateTime(r.ts)}</td><td>{r.path}</td><td>{r.reader}</td><td>{r.outcome}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
