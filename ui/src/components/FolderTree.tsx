// The folder tree. Each folder can be renamed or moved with everything under it: the "Move"
// button on its row, or F2 on the focused folder.
import { useState } from 'preact/hooks';
import { STATE_LABEL, type SyncBadge } from '../lib/labels';
import type { FolderNode } from '../lib/tree';
import { MoveForm } from './MoveForm';

type Sync = Record<string, SyncBadge>;
type OnMove = (from: string, to: string) => Promise<unknown>;

export function FolderTree({ root, selected, sync = {}, onSelect, onMove }: { root: FolderNode; selected: string | null; sync?: Sync; onSelect: (path: string | null) => void; onMove?: OnMove }) {
  return (
    <ul class="tree" id="folder-tree">
      <li>
        <button class={selected === null ? 'folder active' : 'folder'} onClick={() => onSelect(null)}><span class="folder-name">All secrets</span> <span class="count">{root.count}</span></button>
      </li>
      {root.children.map((c) => <Node node={c} selected={selected} sync={sync} onSelect={onSelect} onMove={onMove} depth={0} open0={root.children.length <= 12} />)}
    </ul>
  );
}

function Node({ node, selected, sync, onSelect, onMove, depth, open0 = false }: { node: FolderNode; selected: string | null; sync: Sync; onSelect: (p: string) => void; onMove?: OnMove; depth: number; open0?: boolean }) {
  // Top-level folders start open unless there are many of them.
  const [open, setOpen] = useState(open0);
  const [moving, setMoving] = useState(false);
  return (
    <li>
      <div class="tree-row" style={{ paddingLeft: `${depth * 12}px` }}>
        <button class="twisty" aria-label={open ? 'collapse' : 'expand'} onClick={() => setOpen(!open)} style={{ visibility: node.children.length ? 'visible' : 'hidden' }}>{open ? '▾' : '▸'}</button>
        <button class={selected === node.path ? 'folder active' : 'folder'} data-folder={node.path} onClick={() => onSelect(node.path)}
          title={onMove ? `${node.path} (F2: rename or move)` : node.path}
          onKeyDown={(e) => { if (e.key === 'F2' && onMove) { e.preventDefault(); setMoving(true); } }}>
          <span class="folder-name">{node.name}</span> <span class="count">{node.count}</span>
          {sync[node.path] && <span class={`sync-badge st-${sync[node.path]}`} data-sync={sync[node.path]} title={`remote: ${STATE_LABEL[sync[node.path]]}`}>{STATE_LABEL[sync[node.path]]}</span>}
        </button>
        {onMove && <button class="folder-move small" data-folder-move={node.path} aria-label={`Rename or move ${node.path}`} title="Rename or move (F2)" onClick={() => setMoving(!moving)}>Move</button>}
      </div>
      {moving && onMove && (
        <MoveForm id="folder-move" label={`New path for ${node.path} (${node.count} secret(s), subfolders too)`} from={node.path} folder
          submit={async (to) => { await onMove(node.path, to); setMoving(false); }} onCancel={() => setMoving(false)} />
      )}
      {open && node.children.length > 0 && (
        <ul>{node.children.map((c) => <Node node={c} selected={selected} sync={sync} onSelect={onSelect} onMove={onMove} depth={depth + 1} />)}</ul>
      )}
    </li>
  );
}
