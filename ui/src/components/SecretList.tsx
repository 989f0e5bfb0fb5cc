// The secrets table: sortable columns (natural order), an empty state for no secrets and for no
// match, a checkbox per row for bulk actions (clicked, or Space on the selected row: a Tab stop per
// row would put thousands between the list and the next control). Pure presentation; Secrets.tsx
// owns the state.
import type { SecretRow } from '../lib/bindings';
import { expiry, kindLabel, relative, dateTime } from '../lib/format';
import type { Sort, SortKey } from '../lib/sort';
import { VirtualTable } from './VirtualTable';

export const ROW_H = 34;

const COLUMNS: [SortKey | null, string, string][] = [
  ['name', 'Name', 'c-name'], ['kind', 'Kind', 'c-kind'], [null, 'Tags', 'c-tags'],
  ['updated', 'Updated', 'c-upd'], ['expires', 'Expires', 'c-exp'], ['version', 'Ver', 'c-ver'],
];

export interface ListProps {
  rows: SecretRow[];
  total: number;
  query: string;
  sort: Sort;
  onSort: (k: SortKey) => void;
  selected: string | null;
  onSelect: (path: string, open: boolean) => void;
  checked: Set<string>;
  onCheck: (path: string, on: boolean) => void;
  onClearSearch: () => void;
  onKeyDown?: (e: KeyboardEvent) => void;
  now: number;
}

export function SecretList(p: ListProps) {
  const focus = p.selected ? p.rows.findIndex((r) => r.path === p.selected) : -1;
  const header = (
    <div class="vrow head">
      <span class="c-check" />
      {COLUMNS.map(([key, label, cls]) => key ? (
        <button class={`${cls} sort`} data-sort={key} aria-sort={p.sort.key === key ? (p.sort.desc ? 'descending' : 'ascending') : 'none'} onClick={() => p.onSort(key)}>
          {label}{p.sort.key === key ? (p.sort.desc ? ' ▾' : ' ▴') : ''}
        </button>
      ) : <span class={cls}>{label}</span>)}
    </div>
  );
  const row = (r: SecretRow) => {
    const exp = expiry(r.expiresAt, p.now);
    return (
      <div class={`vrow ${p.selected === r.path ? 'selected' : ''} ${p.checked.has(r.path) ? 'checked' : ''}`} role="row" aria-selected={p.selected === r.path}
        style={{ height: `${ROW_H}px` }} data-path={r.path} onClick={() => p.onSelect(r.path, true)}>
        <span class="c-check" onClick={(e) => e.stopPropagation()}>
          <input type="checkbox" tabIndex={-1} title="Tick for bulk actions (Space ticks the selected row)" aria-label={`select ${r.path}`} checked={p.checked.has(r.path)} onChange={(e) => p.onCheck(r.path, e.currentTarget.checked)} />
        </span>
        <span class="c-name" title={r.path}><span class="folder-part">{r.folder}/</span>{r.name}</span>
        <span class="c-kind"><span class={`kind k-${r.kind}`}>{kindLabel(r.kind)}</span></span>
        <span class="c-tags">{r.tags.map((t) => <span class="chip">{t}</span>)}</span>
        <span class="c-upd" title={dateTime(r.updatedAt)}>{relative(r.updatedAt, p.now)}</span>
        <span class={`c-exp ${exp.state}`} data-expiry={exp.state}>{exp.state === 'expired' ? 'expired' : exp.label}</span>
        <span class="c-ver">{r.version}</span>
      </div>
    );
  };
  const empty = p.total === 0
    ? <div class="empty muted" id="list-empty">No secrets yet. Create one with <b>New secret</b> (Ctrl+N), or import a .env file.</div>
    : p.rows.length === 0
      ? <div class="empty muted" id="list-no-match">{p.query ? `No secret matches “${p.query}”.` : 'Nothing here with this folder or tag.'} <button class="link" id="clear-search" onClick={p.onClearSearch}>Clear the search</button></div>
      : null;
  return <VirtualTable id="secrets-table" label="Secrets" items={p.rows} rowHeight={ROW_H} header={header} row={row} focus={focus} empty={empty} onKeyDown={p.onKeyDown} />;
}
