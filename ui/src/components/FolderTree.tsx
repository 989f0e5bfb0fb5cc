import { useState } from 'preact/hooks';
import { STATE_LABEL, type SyncBadge } from '../lib/labels';
import type { FolderNode } from '../lib/tree';

type Sync = Record<string, SyncBadge>;

export function FolderTree({ root, selected, sync = {}, onSelect }: { root: FolderNode; selected: string | null; sync?: Sync; onSelect: (path: string | null) => void }) {
  return (
    <ul class="tree" id="folder-tree">
      <li>
        <button class={selected === null ? 'folder active' : 'folder'} onClick={() => onSelect(null)}>All secrets <span class="count">{root.count}</span></button>
      </li>
      {root.children.map((c) => <Node node={c} selected={selected} sync={sync} onSelect={onSelect} depth={0} open0={root.children.length <= 12} />)}
    </ul>
  );
}

function Node({ node, selected, sync, onSelect, depth, open0 = false }: { node: FolderNode; selected: string | null; sync: Sync; onSelect: (p: string) => void; depth: number; open0?: boolean }) {
  // Top-level folders start open unless there are many of them.
  const [open, setOpen] = useState(open0);
  return (
    <li>
      <div class="tree-row" style={{ paddingLeft: `${depth * 12}px` }}>
        <button class="twisty" aria-label={open ? 'collapse' : 'expand'} onClick={() => setOpen(!open)} style={{ visibility: node.children.length ? 'visible' : 'hidden' }}>{open ? '▾' : '▸'}</button>
        <button class={selected === node.path ? 'folder active' : 'folder'} data-folder={node.path} onClick={() => onSelect(node.path)}>
          {node.name} <span class="count">{node.count}</span>
          {sync[node.path] && <span class={`sync-badge st-${sync[node.path]}`} data-sync={sync[node.path]} title={`remote: ${STATE_LABEL[sync[node.path]]}`}>{STATE_LABEL[sync[node.path]]}</span>}
        </button>
      </div>
      {open && node.children.length > 0 && (
        <ul>{node.children.map((c) => <Node node={c} selected={selected} sync={sync} onSelect={onSelect} depth={depth + 1} />)}</ul>
      )}
    </li>
  );
}
