// Folder tree and search over secret rows (pure; unit-tested).
import type { SecretRow } from './bindings';
import { natural } from './sort';

export interface FolderNode {
  name: string;
  path: string;
  count: number; // secrets in this folder and below
  children: FolderNode[];
}

export function buildTree(rows: SecretRow[]): FolderNode {
  const root: FolderNode = { name: '', path: '', count: 0, children: [] };
  const index = new Map<string, FolderNode>([['', root]]);
  for (const r of rows) {
    root.count++;
    let parent = root;
    let acc = '';
    for (const seg of r.folder.split('/')) {
      acc = acc ? `${acc}/${seg}` : seg;
      let node = index.get(acc);
      if (!node) {
        node = { name: seg, path: acc, count: 0, children: [] };
        index.set(acc, node);
        parent.children.push(node);
      }
      node.count++;
      parent = node;
    }
  }
  const sort = (n: FolderNode) => {
    n.children.sort((a, b) => natural(a.name, b.name));
    n.children.forEach(sort);
  };
  sort(root);
  return root;
}

export function allTags(rows: SecretRow[]): string[] {
  const s = new Set<string>();
  for (const r of rows) for (const t of r.tags) s.add(t);
  return [...s].sort();
}

export interface Filter {
  folder: string | null;
  tag: string | null;
  query: string;
}

/** What a search looks at, lower-cased once per row: path, kind, tags and description. */
const HAY = new WeakMap<SecretRow, string>();
function hay(r: SecretRow): string {
  let h = HAY.get(r);
  if (h === undefined) {
    h = `${r.path} ${r.kind} ${r.tags.join(' ')} ${r.description ?? ''}`.toLowerCase();
    HAY.set(r, h);
  }
  return h;
}

/** Builds the search text of every row ahead of the first keystroke. */
export function indexRows(rows: SecretRow[]): void {
  for (const r of rows) hay(r);
}

/** Rows in `folder` (or below), with `tag`, whose path, tags or description contain every word of `query`. */
export function filterRows(rows: SecretRow[], f: Filter): SecretRow[] {
  const words = f.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!f.folder && !f.tag && words.length === 0) return rows;
  const prefix = f.folder ? `${f.folder}/` : '';
  const out: SecretRow[] = [];
  for (const r of rows) {
    if (f.folder && r.folder !== f.folder && !r.folder.startsWith(prefix)) continue;
    if (f.tag && !r.tags.includes(f.tag)) continue;
    if (words.length) {
      const h = hay(r);
      let all = true;
      for (const w of words) if (!h.includes(w)) { all = false; break; }
      if (!all) continue;
    }
    out.push(r);
  }
  return out;
}

/**
 * A filter that remembers its last answer: typing on (a query that extends the previous one, same
 * rows, folder and tag) only narrows the previous result instead of scanning every row again.
 */
export function narrowingFilter(): (rows: SecretRow[], f: Filter) => SecretRow[] {
  let last: { rows: SecretRow[]; f: Filter; out: SecretRow[] } | null = null;
  return (rows, f) => {
    const narrows = last && last.rows === rows && last.f.folder === f.folder && last.f.tag === f.tag
      && f.query.toLowerCase().startsWith(last.f.query.toLowerCase()) && !/\s$/.test(last.f.query);
    const out = filterRows(narrows ? last!.out : rows, f);
    last = { rows, f, out };
    return out;
  };
}

/** A portable environment variable name (as the engine's `is_env_name`). */
export const isEnvName = (name: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 128;

/** The canonical path of `name` in `folder`: names that are not env names are quoted. */
export function secretPath(folder: string, name: string): string {
  return isEnvName(name) ? `${folder}/${name}` : `${folder}/"${name}"`;
}
