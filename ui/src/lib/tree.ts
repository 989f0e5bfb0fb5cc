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

/** A portable environment variable name (as the engine's `is_env_name`). */
export const isEnvName = (name: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 128;

/** The canonical path of `name` in `folder`: names that are not env names are quoted. */
export function secretPath(folder: string, name: string): string {
  return isEnvName(name) ? `${folder}/${name}` : `${folder}/"${name}"`;
}
