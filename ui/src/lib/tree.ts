// Folder tree and search over secret rows (pure; unit-tested).
import type { SecretRow } from './bindings';

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
    n.children.sort((a, b) => a.name.localeCompare(b.name));
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

/** Rows in `folder` (or below), with `tag`, whose path or tags contain every word of `query`. */
export function filterRows(rows: SecretRow[], f: Filter): SecretRow[] {
  const words = f.query.toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (f.folder && r.folder !== f.folder && !r.folder.startsWith(`${f.folder}/`)) return false;
    if (f.tag && !r.tags.includes(f.tag)) return false;
    if (words.length === 0) return true;
    const hay = `${r.path} ${r.kind} ${r.tags.join(' ')}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
