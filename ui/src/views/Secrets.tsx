// Searchable, virtualised secrets table with the detail panel beside it.
import { useMemo, useState } from 'preact/hooks';
import type { SecretRow } from '../lib/bindings';
import { isoDate, kindLabel, relative } from '../lib/format';
import { filterRows } from '../lib/tree';
import { VirtualTable } from '../components/VirtualTable';
import { Detail } from './Detail';
import { Editor } from './Editor';

const ROW_H = 34;

export function Secrets({ rows, folder, tag, reload }: { rows: SecretRow[]; folder: string | null; tag: string | null; reload: () => Promise<unknown> }) {
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const shown = useMemo(() => filterRows(rows, { folder, tag, query }), [rows, folder, tag, query]);
  const now = Date.now() / 1000;

  const header = (
    <div class="vrow head">
      <span class="c-name">Name</span><span class="c-kind">Kind</span><span class="c-tags">Tags</span>
      <span class="c-upd">Updated</span><span class="c-exp">Expires</span><span class="c-ver">Ver</span>
    </div>
  );
  const row = (r: SecretRow) => (
    <div class={`vrow ${selected === r.path ? 'selected' : ''}`} style={{ height: `${ROW_H}px` }} data-path={r.path} onClick={() => { setSelected(r.path); setCreating(false); }}>
      <span class="c-name" title={r.path}><span class="folder-part">{r.folder}/</span>{r.name}</span>
      <span class="c-kind"><span class={`kind k-${r.kind}`}>{kindLabel(r.kind)}</span></span>
      <span class="c-tags">{r.tags.map((t) => <span class="chip">{t}</span>)}</span>
      <span class="c-upd">{relative(r.updatedAt, now)}</span>
      <span class={`c-exp ${r.expiresAt != null && r.expiresAt < now + 30 * 86400 ? 'soon' : ''}`}>{isoDate(r.expiresAt)}</span>
      <span class="c-ver">{r.version}</span>
    </div>
  );

  return (
    <div class="secrets">
      <div class="list-pane">
        <div class="toolbar">
          <input id="search" type="search" placeholder={`Search ${rows.length} secrets…`} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          <span class="muted small" id="result-count">{shown.length} shown</span>
          <button id="new-secret" class="primary" onClick={() => { setCreating(true); setSelected(null); }}>New secret</button>
        </div>
        <VirtualTable id="secrets-table" items={shown} rowHeight={ROW_H} header={header} row={row} />
      </div>
      <div class="detail-pane">
        {creating && (
          <Editor folder={folder} onCancel={() => setCreating(false)} onSaved={async (path) => { await reload(); setCreating(false); setSelected(path); }} />
        )}
        {!creating && selected && <Detail key={selected} path={selected} onChanged={reload} onDeleted={async () => { setSelected(null); await reload(); }} />}
        {!creating && !selected && <div class="empty muted">Select a secret, or create one.</div>}
      </div>
    </div>
  );
}
