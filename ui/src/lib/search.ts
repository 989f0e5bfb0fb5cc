// Search over the secrets list while typing (pure; unit-tested). Measured in the app's webview at
// 100,000 rows, a WeakMap lookup of each row's search text cost about ten times the substring test
// itself (~80 ms against ~7 ms per full scan), so the texts live in an array beside the rows, and
// typing on narrows the previous answer, kept as row numbers, instead of scanning every row again.
import type { SecretRow } from './bindings';

export interface Filter {
  folder: string | null;
  tag: string | null;
  query: string;
}

/** What a search looks at, lower-cased: path, kind, tags and description. */
export function searchText(r: SecretRow): string {
  return `${r.path} ${r.kind} ${r.tags.join(' ')} ${r.description ?? ''}`.toLowerCase();
}

/** The words of a query, lower-cased; a row matches when its text contains every one. */
export const queryWords = (q: string): string[] => q.toLowerCase().split(/\s+/).filter(Boolean);

/**
 * The rows in their shown order, and each row's search text at the same position. The texts are
 * built on first use (or by `prepare`, once the list is on screen), not when the rows arrive.
 */
export class SearchIndex {
  private texts: string[] | null = null;
  constructor(readonly rows: readonly SecretRow[]) {}

  prepare(): string[] {
    return (this.texts ??= this.rows.map(searchText));
  }

  /**
   * Row numbers (ascending) of the rows that pass `f`, looking only at the row numbers in
   * `within` when given (the answer to a query this one narrows).
   */
  match(f: Filter, within: Int32Array | null = null): Int32Array {
    const words = queryWords(f.query);
    const texts = words.length ? this.prepare() : null;
    const rows = this.rows;
    const n = within ? within.length : rows.length;
    const out = new Int32Array(n);
    const prefix = f.folder ? `${f.folder}/` : '';
    let k = 0;
    for (let j = 0; j < n; j++) {
      const i = within ? within[j] : j;
      const r = rows[i];
      if (f.folder && r.folder !== f.folder && !r.folder.startsWith(prefix)) continue;
      if (f.tag && !r.tags.includes(f.tag)) continue;
      if (texts) {
        const t = texts[i];
        let all = true;
        for (const w of words) if (!t.includes(w)) { all = false; break; }
        if (!all) continue;
      }
      out[k++] = i;
    }
    // Nothing dropped: the rows looked at are the answer (no copy kept alive twice).
    return within && k === n ? within : out.subarray(0, k);
  }
}

const INDEXES = new WeakMap<readonly SecretRow[], SearchIndex>();

/** The index of a list of rows, made once per list (the list from one load is never changed). */
export function indexFor(rows: readonly SecretRow[]): SearchIndex {
  let index = INDEXES.get(rows);
  if (!index) INDEXES.set(rows, (index = new SearchIndex(rows)));
  return index;
}

/** Rows in `folder` (or below), with `tag`, whose path, kind, tags or description contain every word of `query`. */
export function filterRows(rows: readonly SecretRow[], f: Filter): SecretRow[] {
  if (!f.folder && !f.tag && queryWords(f.query).length === 0) return rows as SecretRow[];
  return Array.from(indexFor(rows).match(f), (i) => rows[i]);
}

/** Whether every row that matches `next` also matches `prev` (same folder and tag, the query typed on). */
export function narrows(prev: Filter, next: Filter): boolean {
  // Each word of the previous query is a word of the new one, or the start of one: a row holding
  // every new word holds every old one. A trailing space only starts a new word.
  return prev.folder === next.folder && prev.tag === next.tag && next.query.toLowerCase().startsWith(prev.query.toLowerCase());
}

/**
 * A search that remembers its last answer: while the query is typed on over the same index it
 * tests only the rows that matched before. With no folder, tag or query the rows are returned as
 * they are.
 */
export function narrowingSearch(): (index: SearchIndex, f: Filter) => SecretRow[] {
  let last: { index: SearchIndex; f: Filter; ids: Int32Array } | null = null;
  return (index, f) => {
    if (!f.folder && !f.tag && queryWords(f.query).length === 0) {
      last = null;
      return index.rows as SecretRow[];
    }
    const within = last && last.index === index && narrows(last.f, f) ? last.ids : null;
    const ids = index.match(f, within);
    last = { index, f, ids };
    // Every row matched (the first letters typed usually match all): the list as it is.
    if (ids.length === index.rows.length) return index.rows as SecretRow[];
    const out = new Array<SecretRow>(ids.length);
    for (let j = 0; j < ids.length; j++) out[j] = index.rows[ids[j]];
    return out;
  };
}
