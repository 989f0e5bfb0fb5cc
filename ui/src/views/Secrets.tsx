// The secrets view: search, the sortable list, the detail beside it (or instead of it below a
// width: one pane, as 1Password does), keyboard paths, bulk tag and delete with undo.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useSize } from '../lib/size';
import type { SecretRow } from '../lib/bindings';
import { splitTags } from '../lib/format';
import { ipc } from '../lib/ipc';
import { sortRows, toggle, type Sort } from '../lib/sort';
import { errorText, toast } from '../lib/toast';
import { indexFor, narrowingSearch } from '../lib/search';
import { ErrorNote, useGuard } from '../components/Boundary';
import { MoveForm } from '../components/MoveForm';
import { SecretList } from '../components/SecretList';
import { intoFolder } from '../lib/move';
import { afterDiscard } from '../lib/draft';
import { Detail } from './Detail';
import { Editor } from './Editor';

/** Below this width of the view, list and detail share one pane. */
const TWO_PANES = 760;

/** What a shortcut elsewhere asks of this view (each new `n` is a new request). */
export interface Intent { what: 'search' | 'new' | 'open' | 'moved'; path?: string; to?: string; n: number }

/** Moves secrets to the trash and offers Undo in a toast. */
export async function deleteWithUndo(paths: string[], reload: () => Promise<unknown>) {
  await ipc.remove(paths);
  await reload();
  const what = paths.length === 1 ? paths[0] : `${paths.length} secrets`;
  toast(`Moved ${what} to the trash.`, {
    action: { label: 'Undo', run: () => void ipc.restore(paths).then(reload, (e) => toast(errorText(e), { kind: 'error' })) },
    about: paths,
  });
}

export function Secrets({ rows, folder, tag, reload, intent }: { rows: SecretRow[]; folder: string | null; tag: string | null; reload: () => Promise<unknown>; intent: Intent | null }) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'name', desc: false });
  const [selected, setSelected] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  /** The selected secret was opened by F2: its detail starts with the rename field. */
  const [renaming, setRenaming] = useState(0);
  const [error, run] = useGuard();
  const box = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const index = useMemo(() => indexFor(sorted), [sorted]);
  const narrow = useMemo(narrowingSearch, []);
  const shown = useMemo(() => narrow(index, { folder, tag, query }), [index, folder, tag, query]);
  // Bulk actions (Delete included) act on the ticked rows in view: a row ticked before a search
  // hid it stays ticked, but is never deleted, tagged or moved unseen.
  const ticked = useMemo(() => new Set(shown.filter((r) => checked.has(r.path)).map((r) => r.path)), [shown, checked]);
  // The search text of every row is built once the list is on screen, not on the first keystroke.
  useEffect(() => { const t = setTimeout(() => index.prepare(), 50); return () => clearTimeout(t); }, [index]);
  const twoPanes = useSize(box, (el) => el.clientWidth, 1200) >= TWO_PANES;
  const now = Date.now() / 1000;

  /** Runs `f`, which closes the editor open now, once unsaved changes in it may be discarded. */
  const leave = afterDiscard;
  const startNew = () => leave(() => { setCreating(true); setOpen(true); setSelected(null); });
  useEffect(() => {
    if (!intent) return;
    if (intent.what === 'search') { setOpen(false); setCreating(false); requestAnimationFrame(() => search.current?.focus()); }
    if (intent.what === 'new' && !creating) startNew();
    // A folder was moved: the open secret, if it was inside, follows it.
    const { path: from, to } = intent;
    if (intent.what === 'moved' && from && to) setSelected((p) => (p?.startsWith(`${from}/`) ? to + p.slice(from.length) : p));
    const target = intent.path;
    if (intent.what === 'open' && target) leave(() => { setQuery(''); setCreating(false); setSelected(target); setOpen(true); });
  }, [intent?.n]);
  // Checked rows that vanished (deleted elsewhere) are dropped.
  useEffect(() => setChecked((c) => new Set([...c].filter((p) => rows.some((r) => r.path === p)))), [rows]);

  const choose = (path: string, openIt: boolean) => { setSelected(path); setCreating(false); setRenaming(0); if (openIt) setOpen(true); };
  // Another row replaces the detail (and an editor open in it): ask before unsaved work goes.
  const select = (path: string, openIt: boolean) => (path === selected && !creating ? choose(path, openIt) : leave(() => choose(path, openIt)));
  const move = (by: number) => {
    if (!shown.length) return;
    const i = shown.findIndex((r) => r.path === selected);
    // With no row selected, moving down starts above the first row and moving up below the
    // last: End lands on the last row, PageDown a page down, ↓ on the first.
    const from = i >= 0 ? i : by > 0 ? -1 : shown.length;
    const next = Math.max(0, Math.min(shown.length - 1, from + by));
    select(shown[next].path, false);
  };
  // The list body where the keyboard goes on from the selected row (or, in one pane, the detail).
  const focusAfter = () => requestAnimationFrame(() => (document.querySelector(twoPanes ? '#secrets-table .vbody' : '#detail-pane') as HTMLElement | null)?.focus());
  const closeDetail = () => leave(closeNow);
  const closeNow = () => { setOpen(false); setCreating(false); requestAnimationFrame(() => (document.querySelector('#secrets-table .vbody') as HTMLElement | null)?.focus()); };
  const onListKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(((e.currentTarget as HTMLElement)?.clientHeight || 340) / 34) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(1), ArrowUp: () => move(-1), PageDown: () => move(page), PageUp: () => move(-page),
      Home: () => move(-shown.length), End: () => move(shown.length),
      Enter: () => { if (selected) { setOpen(true); requestAnimationFrame(() => (document.querySelector('#detail button, #detail input') as HTMLElement | null)?.focus()); } },
      ' ': () => selected && setChecked((c) => { const n = new Set(c); if (n.has(selected)) n.delete(selected); else n.add(selected); return n; }),
      F2: () => { if (selected) { setOpen(true); setRenaming((n) => n + 1); } },
      Delete: () => void run(() => deleteWithUndo(ticked.size ? [...ticked] : selected ? [selected] : [], reload)),
    };
    const f = keys[e.key];
    if (f && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); f(); return; }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'c' && selected && !window.getSelection()?.toString()) {
      e.preventDefault();
      void run(async () => { const r = await ipc.copy(selected); toast(`Copied ${selected}. The clipboard clears in ${r.clearsInSecs} s.`); });
    }
  };
  const onSearchKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') { e.preventDefault(); move(e.key === 'ArrowDown' ? 1 : -1); (document.querySelector('#secrets-table .vbody') as HTMLElement | null)?.focus(); }
    if (e.key === 'Enter' && shown.length) { e.preventDefault(); select(selected && shown.some((r) => r.path === selected) ? selected : shown[0].path, true); }
    if (e.key === 'Escape' && query) { e.preventDefault(); e.stopPropagation(); setQuery(''); }
  };

  // One pane: Escape goes back to the list from anywhere in the view, also with the focus on the
  // page itself (a row opened with the mouse). Editors and forms that use Escape stop it first.
  useEffect(() => {
    if (twoPanes || (!open && !creating)) return;
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); closeDetail(); } };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const showList = twoPanes || (!open && !creating);
  const showDetail = twoPanes || open || creating;
  return (
    <div class={`secrets ${twoPanes ? 'two' : 'one'}`} ref={box}>
      {showList && (
        <div class="list-pane">
          <div class="toolbar">
            <input id="search" ref={search} type="search" aria-label="Search secrets" placeholder={`Search ${rows.length} secrets…  ( / )`} value={query}
              onInput={(e) => setQuery(e.currentTarget.value)} onKeyDown={onSearchKey} />
            <span class="muted small" id="result-count">{shown.length} shown</span>
            <button id="new-secret" class="primary" title="New secret (Ctrl+N)" onClick={startNew}>New secret</button>
          </div>
          {ticked.size > 0 && <BulkBar checked={ticked} clear={() => setChecked(new Set())} rows={rows} reload={reload} folder={folder}
            onMoved={(moved) => { if (selected && moved[selected]) setSelected(moved[selected]); }} />}
          <ErrorNote error={error} />
          <SecretList rows={shown} total={rows.length} query={query} sort={sort} onSort={(k) => setSort(toggle(sort, k))} selected={selected} onSelect={select}
            checked={checked} onCheck={(p, on) => setChecked((c) => { const n = new Set(c); if (on) n.add(p); else n.delete(p); return n; })}
            onClearSearch={() => setQuery('')} onKeyDown={onListKey} now={now} />
        </div>
      )}
      {showDetail && (
        <div class="detail-pane" id="detail-pane" tabIndex={-1}>
          {!twoPanes && <button class="back" id="back-to-list" onClick={closeDetail}>← All secrets</button>}
          {creating && (
            <Editor folder={folder} onCancel={closeNow} onSaved={async (path) => { await reload(); setCreating(false); setSelected(path); setOpen(true); focusAfter(); }} />
          )}
          {!creating && selected && (
            <Detail key={`${selected}#${renaming}`} path={selected} onChanged={reload} renaming={renaming > 0}
              onGone={async () => { setSelected(null); setOpen(false); await reload(); }}
              onMoved={async (to) => { setRenaming(0); setSelected(to); await reload(); }} />
          )}
          {!creating && !selected && <div class="empty muted">Select a secret (↑ ↓, Enter), or create one (Ctrl+N).</div>}
        </div>
      )}
    </div>
  );
}

function BulkBar({ checked, clear, rows, reload, folder, onMoved }: {
  checked: Set<string>; clear: () => void; rows: SecretRow[]; reload: () => Promise<unknown>; folder: string | null; onMoved: (moved: Record<string, string>) => void;
}) {
  const [tag, setTag] = useState('');
  const [moving, setMoving] = useState(false);
  const [error, run] = useGuard();
  const paths = [...checked];
  const addTags = () => run(async () => {
    const add = splitTags(tag);
    for (const p of paths) {
      const r = rows.find((x) => x.path === p);
      if (r) await ipc.save({ path: p, value: null, kind: null, tags: [...new Set([...r.tags, ...add])], description: null, expiresAt: null, rotateEveryDays: null, cas: null });
    }
    setTag('');
    await reload();
    toast(`Tagged ${paths.length} secret(s).`);
  });
  const moveInto = async (to: string) => {
    const n = await ipc.moveInto(paths, to);
    onMoved(Object.fromEntries(paths.map((p) => [p, intoFolder(p, to)])));
    setMoving(false);
    clear();
    await reload();
    toast(`Moved ${n} secret(s) to ${to}. Their history came along.`);
  };
  return (
    <div class="bulk-bar" id="bulk-bar">
      <b>{paths.length} selected</b>
      <input id="bulk-tag" aria-label="Tag to add" placeholder="tag" value={tag} onInput={(e) => setTag(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && tag && addTags()} />
      <button id="bulk-tag-add" disabled={!tag} onClick={addTags}>Add tag</button>
      <button id="bulk-move" aria-expanded={moving} onClick={() => setMoving(!moving)}>Move to folder…</button>
      <button class="danger" id="bulk-delete" onClick={() => run(async () => { await deleteWithUndo(paths, reload); clear(); })}>Delete</button>
      <button id="bulk-clear" onClick={clear}>Clear selection</button>
      <ErrorNote error={error} />
      {moving && <MoveForm id="bulk-move-form" label={`Folder to move ${paths.length} secret(s) into (each keeps its name)`} from="" initial={folder ?? ''} folder
        submit={moveInto} onCancel={() => setMoving(false)} />}
    </div>
  );
}
