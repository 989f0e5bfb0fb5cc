// One secret: masked value, timed reveal, copy (done in Rust, auto-cleared), edit, history, delete.
import { useEffect, useState } from 'preact/hooks';
import type { SecretDetail } from '../lib/bindings';
import { dateTime, isoDate, kindLabel } from '../lib/format';
import { ipc } from '../lib/ipc';
import { Editor } from './Editor';
import { History } from './History';

const REVEAL_SECS = 20;

export function Detail({ path, onChanged, onDeleted }: { path: string; onChanged: () => Promise<unknown>; onDeleted: () => void }) {
  const [d, setD] = useState<SecretDetail | null>(null);
  const [revealed, setRevealed] = useState<string | null>(null);
  const [left, setLeft] = useState(0);
  const [tab, setTab] = useState<'value' | 'edit' | 'history'>('value');
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () => ipc.detail(path).then(setD, (e) => setError(e.message));
  useEffect(() => void load(), [path]);

  // A revealed value hides itself again.
  useEffect(() => {
    if (revealed === null) return;
    setLeft(REVEAL_SECS);
    const t = setInterval(() => setLeft((s) => (s <= 1 ? (setRevealed(null), 0) : s - 1)), 1000);
    return () => clearInterval(t);
  }, [revealed]);

  const reveal = async () => {
    if (revealed !== null) return setRevealed(null);
    try {
      setRevealed((await ipc.reveal(path)).value);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const copy = async () => {
    try {
      const r = await ipc.copy(path);
      setNote(`Copied. The clipboard clears in ${r.clearsInSecs} s.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const del = async () => {
    if (!confirm(`Move ${path} to the trash?`)) return;
    await ipc.remove(path);
    onDeleted();
  };
  const changed = async () => {
    setRevealed(null);
    await load();
    await onChanged();
  };

  if (!d) return <div class="muted">{error ?? 'Loading…'}</div>;
  return (
    <div class="detail" id="detail">
      <div class="detail-head">
        <div>
          <div class="muted small">{d.folder}/</div>
          <h2 id="detail-name">{d.name}</h2>
          <span class={`kind k-${d.kind}`}>{kindLabel(d.kind)}</span> <span class="muted small" id="detail-version">version {d.version}</span>
        </div>
        <button class="danger" id="delete" onClick={del}>Delete</button>
      </div>
      <div class="tabs">
        {(['value', 'edit', 'history'] as const).map((t) => (
          <button id={`tab-${t}`} class={tab === t ? 'tab active' : 'tab'} onClick={() => setTab(t)}>{t[0].toUpperCase() + t.slice(1)}</button>
        ))}
      </div>
      {error && <p class="error">{error}</p>}
      {tab === 'value' && (
        <>
          <div class="value-box">
            <pre id="value" class={revealed === null ? 'masked' : 'shown'}>{revealed ?? '••••••••••••'}</pre>
            <div class="value-actions">
              <button id="reveal" onClick={reveal}>{revealed === null ? 'Reveal' : `Hide (${left}s)`}</button>
              <button id="copy" onClick={copy}>Copy</button>
            </div>
          </div>
          {note && <p class="note" id="copy-note">{note}</p>}
          <dl class="meta">
            <dt>Description</dt><dd>{d.description ?? '—'}</dd>
            <dt>Tags</dt><dd>{d.tags.length ? d.tags.map((t) => <span class="chip">{t}</span>) : '—'}</dd>
            <dt>Expires</dt><dd>{isoDate(d.expiresAt)}</dd>
            <dt>Rotate every</dt><dd>{d.rotateEveryDays ? `${d.rotateEveryDays} days (last ${isoDate(d.lastRotatedAt)})` : '—'}</dd>
            <dt>Updated</dt><dd>{dateTime(d.updatedAt)}</dd>
            <dt>Last read</dt><dd>{d.lastReadAt ? dateTime(d.lastReadAt) : '—'}</dd>
            <dt>Source</dt><dd>{d.source ?? '—'}</dd>
            {Object.entries(d.meta).map(([k, v]) => <><dt>{k}</dt><dd>{v}</dd></>)}
          </dl>
        </>
      )}
      {tab === 'edit' && <Editor existing={d} onCancel={() => setTab('value')} onSaved={async () => { await changed(); setTab('value'); }} />}
      {tab === 'history' && <History detail={d} onRolledBack={changed} />}
    </div>
  );
}
