// One secret: masked value, timed reveal, copy (done in Rust, auto-cleared; docker credentials
// copy username and password separately), edit, history, delete with undo. If the secret goes
// away meanwhile (deleted or moved from the CLI), the view says so and returns to the list.
import { useEffect, useState } from 'preact/hooks';
import type { CopyField, SecretDetail } from '../lib/bindings';
import { dateTime, expiry, isoDate, kindLabel } from '../lib/format';
import { HushError, ipc } from '../lib/ipc';
import { appWords, errorText, toast } from '../lib/toast';
import { useAutoHide } from '../lib/reveal';
import { useOnReturn } from '../lib/focus';
import { ErrorNote, useGuard } from '../components/Boundary';
import { MoveForm } from '../components/MoveForm';
import { Editor } from './Editor';
import { History } from './History';
import { deleteWithUndo } from './Secrets';

/** `renaming`: the list asked for Rename (F2) when it opened this secret. */
export function Detail({ path, onChanged, onGone, onMoved, renaming = false }: {
  path: string; onChanged: () => Promise<unknown>; onGone: () => void; onMoved: (to: string) => Promise<unknown>; renaming?: boolean;
}) {
  const [d, setD] = useState<SecretDetail | null>(null);
  const [gone, setGone] = useState<string | null>(null);
  // The value shown, with the version it is of.
  const [revealed, setRevealed] = useState<{ value: string; version: number } | null>(null);
  const [tab, setTab] = useState<'value' | 'edit' | 'history'>('value');
  const [moving, setMoving] = useState(renaming);
  const [error, run] = useGuard();

  const load = async () => {
    try {
      setD(await ipc.detail(path));
    } catch (e) {
      if (e instanceof HushError && e.code === 'not_found') {
        setGone(`${path} is no longer here: it was deleted or moved (perhaps from the command line).`);
        // The list drops it too, now rather than on the next return to the window.
        void onChanged();
      } else setGone(errorText(e));
    }
  };
  useEffect(() => void load(), [path]);
  // Back from the command line: the secret may have a new version, new metadata, or be gone. Not
  // while editing: the editor keeps the version it started from, so a save there still conflicts.
  useOnReturn(() => void load(), tab !== 'edit');
  // A value revealed before a new version came in is the old one: it hides.
  useEffect(() => { if (revealed && d && revealed.version !== d.version) setRevealed(null); }, [d?.version]);

  // A revealed value hides itself again.
  const left = useAutoHide(revealed, () => setRevealed(null));

  /** A failure that means the secret is gone sends the whole view back to the list. */
  const act = (f: () => Promise<unknown>) => run(async () => {
    try {
      await f();
    } catch (e) {
      if (e instanceof HushError && e.code === 'not_found') await load();
      throw e;
    }
  });
  // A reveal or a copy is a read: the view loads again so "Last read" says so.
  const reveal = () => act(async () => {
    if (revealed !== null) return setRevealed(null);
    const r = await ipc.reveal(path);
    setRevealed({ value: r.value, version: r.version });
    await load();
  });
  const copy = (field: CopyField = 'value') => act(async () => {
    const r = await ipc.copy(path, null, field);
    toast(`Copied${field === 'value' ? '' : ` the ${field}`}. The clipboard clears in ${r.clearsInSecs} s.`);
    await load();
  });
  const moveTo = async (to: string) => {
    try {
      await ipc.move(path, to);
    } catch (e) {
      if (e instanceof HushError && e.code === 'not_found' && e.message.includes(path)) await load();
      throw e;
    }
    toast(`Moved ${path} to ${to}. Its history came along.`);
    setMoving(false);
    await onMoved(to);
  };
  const changed = async () => {
    setRevealed(null);
    await load();
    await onChanged();
  };

  if (gone) {
    return (
      <div class="detail gone" id="detail-gone" role="alert">
        <p class="error">{gone}</p>
        <button class="primary" id="detail-gone-back" onClick={onGone}>Back to the list</button>
      </div>
    );
  }
  if (!d) return <div class="muted">Loading…</div>;
  const exp = expiry(d.expiresAt, Date.now() / 1000);
  const docker = d.kind === 'docker_credentials';
  return (
    <div class="detail" id="detail" onKeyDown={(e) => { if (e.key === 'F2' && !moving) { e.preventDefault(); setMoving(true); } }}>
      <div class="detail-head">
        <div>
          <div class="muted small">{d.folder}/</div>
          <h2 id="detail-name">{d.name}</h2>
          <span class={`kind k-${d.kind}`}>{kindLabel(d.kind)}</span> <span class="muted small" id="detail-version">version {d.version}</span>
          {exp.state === 'expired' && <span class="chip expired" id="detail-expired">expired</span>}
        </div>
        <div class="row">
          <button id="move" title="Rename or move (F2)" aria-expanded={moving} onClick={() => setMoving(!moving)}>Rename / Move</button>
          <button class="danger" id="delete" title="Delete (Del)" onClick={() => act(() => deleteWithUndo([path], onGone as () => Promise<unknown>))}>Delete</button>
        </div>
      </div>
      {moving && <MoveForm id="move-secret" label="New path (folder/NAME): history and metadata come along" from={d.path} submit={moveTo} onCancel={() => setMoving(false)} />}
      <div class="tabs" role="tablist">
        {(['value', 'edit', 'history'] as const).map((t) => (
          <button id={`tab-${t}`} role="tab" aria-selected={tab === t} class={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>{t[0].toUpperCase() + t.slice(1)}</button>
        ))}
      </div>
      <ErrorNote error={error} id="detail-error" />
      {tab === 'value' && (
        <>
          <div class="value-box">
            <pre id="value" class={revealed === null ? 'masked' : 'shown'}>{revealed?.value ?? '••••••••••••'}</pre>
            <div class="value-actions">
              <button id="reveal" onClick={reveal}>{revealed === null ? 'Reveal' : `Hide (${left}s)`}</button>
              <button id="copy" title="Copy (Ctrl+C in the list)" onClick={() => copy()}>Copy</button>
              {docker && <button id="copy-username" onClick={() => copy('username')}>Copy username</button>}
              {docker && <button id="copy-password" onClick={() => copy('password')}>Copy password</button>}
            </div>
          </div>
          <dl class="meta">
            <dt>Description</dt><dd>{d.description ?? '—'}</dd>
            <dt>Tags</dt><dd>{d.tags.length ? d.tags.map((t) => <span class="chip">{t}</span>) : '—'}</dd>
            <dt>Expires</dt><dd class={exp.state}>{exp.label}</dd>
            <dt>Rotate every</dt><dd>{d.rotateEveryDays ? `${d.rotateEveryDays} days (last ${isoDate(d.lastRotatedAt)})` : '—'}</dd>
            <dt>Updated</dt><dd>{dateTime(d.updatedAt)}</dd>
            <dt>Last read</dt><dd id="detail-last-read">{d.lastReadAt ? dateTime(d.lastReadAt) : '—'}</dd>
            <dt>Source</dt><dd>{d.source ? appWords(d.source) : '—'}</dd>
            {Object.entries(d.meta).map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
          </dl>
        </>
      )}
      {tab === 'edit' && <Editor existing={d} onCancel={() => setTab('value')} onSaved={async () => { await changed(); setTab('value'); }} onConflict={changed} />}
      {tab === 'history' && <History detail={d} onRolledBack={changed} onGone={load} />}
    </div>
  );
}
