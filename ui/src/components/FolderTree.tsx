import { useState } from 'preact/hooks';
import type { FolderNode } from '../lib/tree';

export function FolderTree({ root, selected, onSelect }: { root: FolderNode; selected: string | null; onSelect: (path: string | null) => void }) {
  return (
    <ul class="tree" id="folder-tree">
      <li>
        <button class={selected === null ? 'folder active' : 'folder'} onClick={() => onSelect(null)}>All secrets <span class="count">{root.count}</span></button>
      </li>
      {root.children.map((c) => <Node node={c} selected={selected} onSelect={onSelect} depth={0} open0={root.children.length <= 12} />)}
    </ul>
  );
}

function Node({ node, selected, onSelect, depth, open0 = false }: { node: FolderNode; selected: string | null; onSelect: (p: string) => void; depth: number; open0?: boolean }) {
  // Top-level folders start open unless there are many of them.
  const [open, setOpen] = useState(open0);
  return (
    <li>
      <div class="tree-row" style={{ paddingLeft: `${depth * 12}px` }}>
        <button class="twisty" aria-label={open ? 'collapse' : 'expand'} onClick={() => setOpen(!open)} style={{ visibility: node.children.length ? 'visible' : 'hidden' }}>{open ? '▾' : '▸'}</button>
        <button class={selected === node.path ? 'folder active' : 'folder'} data-folder={node.path} onClick={() => onSelect(node.path)}>
          {node.name} <span class="count">{node.count}</span>
        </button>
      </div>
      {open && node.children.length > 0 && (
        <ul>{node.children.map((c) => <Node node={c} selected={selected} onSelect={onSelect} depth={depth + 1} />)}</ul>
      )}
    </li>
  );
}
