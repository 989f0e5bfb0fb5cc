// Ctrl+K: a quick palette that jumps to any secret or view. Type, ↑ ↓, Enter; Escape closes.
import { useMemo, useRef, useState } from 'preact/hooks';
import { useFocusOnMount } from '../lib/size';
import type { SecretRow } from '../lib/bindings';
import { filterRows } from '../lib/search';
import { VIEWS, type View } from '../lib/views';

/** The app's shortcuts, shown under an empty palette (the README lists the same). */
const KEYS: [string, string][] = [
  ['Ctrl+K', 'this palette'], ['Ctrl+F or /', 'search'], ['Ctrl+N', 'new secret'], ['Ctrl+L', 'lock now'],
  ['↑ ↓ PgUp PgDn Home End', 'move in the list'], ['Enter', 'open'], ['Space', 'tick for bulk actions'],
  ['F2', 'rename or move'], ['Delete', 'to the trash (with Undo)'], ['Ctrl+C', 'copy the selected value'], ['Escape', 'back, close'],
];

type Item = { kind: 'view'; view: View; label: string } | { kind: 'secret'; path: string };

export function Palette({ rows, onClose, onView, onSecret }: { rows: SecretRow[]; onClose: () => void; onView: (v: View) => void; onSecret: (path: string) => void }) {
  const [q, setQ] = useState('');
  const [at, setAt] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useFocusOnMount(input);
  const items = useMemo<Item[]>(() => {
    const lq = q.toLowerCase();
    const views: Item[] = VIEWS.filter(([, l]) => l.toLowerCase().includes(lq)).map(([view, label]) => ({ kind: 'view', view, label }));
    const secrets: Item[] = filterRows(rows, { folder: null, tag: null, query: q }).slice(0, 50).map((r) => ({ kind: 'secret', path: r.path }));
    return q ? [...secrets, ...views] : [...views, ...secrets.slice(0, 10)];
  }, [q, rows]);
  const pick = (it: Item | undefined) => it && (it.kind === 'view' ? onView(it.view) : onSecret(it.path));
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setAt((a) => Math.min(items.length - 1, a + 1)); }
    if (e.key === 'ArrowUp') { e.preventDefault(); setAt((a) => Math.max(0, a - 1)); }
    if (e.key === 'Enter') { e.preventDefault(); pick(items[at]); }
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); }
  };
  return (
    <div class="overlay" id="palette-overlay" onClick={onClose}>
      <div class="palette card" id="palette" role="dialog" aria-label="Go to" onClick={(e) => e.stopPropagation()}>
        <input id="palette-input" ref={input} aria-label="Go to a secret or view" placeholder="Go to a secret or a view…" value={q}
          onInput={(e) => { setQ(e.currentTarget.value); setAt(0); }} onKeyDown={onKey} />
        <ul class="palette-list" role="listbox">
          {items.map((it, i) => (
            <li role="option" aria-selected={i === at} class={i === at ? 'active' : ''} data-item={it.kind === 'view' ? `view:${it.view}` : it.path}
              onMouseEnter={() => setAt(i)} onClick={() => pick(it)}>
              {it.kind === 'view' ? <><span class="muted small">view</span> {it.label}</> : it.path}
            </li>
          ))}
          {items.length === 0 && <li class="muted">Nothing matches.</li>}
        </ul>
        {!q && (
          <dl class="palette-keys muted small" id="palette-keys" aria-label="Keyboard shortcuts">
            {KEYS.map(([k, what]) => <><dt><kbd>{k}</kbd></dt><dd>{what}</dd></>)}
          </dl>
        )}
      </div>
    </div>
  );
}
