// The unlocked app: navigation, folder tree and tags, and the current view.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SecretRow, VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { allTags, buildTree } from '../lib/tree';
import { FolderTree } from '../components/FolderTree';
import { Audit } from './Audit';
import { Dashboard } from './Dashboard';
import { Secrets } from './Secrets';
import { SettingsView } from './Settings';
import { Transfer } from './Transfer';
import { Remotes, type SyncStates } from './Remotes';
import { Trash } from './Trash';

type View = 'dashboard' | 'secrets' | 'transfer' | 'remote' | 'trash' | 'audit' | 'settings';
const VIEWS: [View, string][] = [['dashboard', 'Dashboard'], ['secrets', 'Secrets'], ['transfer', 'Import / Export'], ['remote', 'HashiCorp Vault'], ['trash', 'Trash'], ['audit', 'Audit log'], ['settings', 'Settings']];

export function Main({ status, onLocked }: { status: VaultStatus; onLocked: () => void }) {
  const [view, setView] = useState<View>('secrets');
  const [rows, setRows] = useState<SecretRow[]>([]);
  const [folder, setFolder] = useState<string | null>(null);
  const [tag, setTag] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Sync state per folder from the last remote plan: badges in the tree (no network on its own).
  const [sync, setSync] = useState<SyncStates>({});

  const reload = () => ipc.list().then(setRows, (e) => (e.code === 'locked' ? onLocked() : setError(e.message)));
  // Reload on entering the list: the CLI (or another view) may have changed things meanwhile.
  useEffect(() => void (view === 'secrets' && reload()), [view]);
  const tree = useMemo(() => buildTree(rows), [rows]);
  const tags = useMemo(() => allTags(rows), [rows]);

  const lockNow = async () => {
    await ipc.lock();
    onLocked();
  };

  return (
    <div class="layout">
      <aside class="sidebar">
        <div class="brand">Hush <span class="mode">{status.keyMode}</span></div>
        <nav>
          {VIEWS.map(([v, label]) => (
            <button id={`nav-${v}`} class={view === v ? 'nav active' : 'nav'} onClick={() => setView(v)}>{label}</button>
          ))}
        </nav>
        {view === 'secrets' && (
          <>
            <h3>Folders</h3>
            <FolderTree root={tree} selected={folder} sync={sync} onSelect={(f) => setFolder(f === folder ? null : f)} />
            {tags.length > 0 && <h3>Tags</h3>}
            <div class="tags">
              {tags.map((t) => (
                <button class={tag === t ? 'tag active' : 'tag'} data-tag={t} onClick={() => setTag(tag === t ? null : t)}>{t}</button>
              ))}
            </div>
          </>
        )}
        <div class="spacer" />
        <button id="lock-now" class="lock-now" onClick={lockNow}>Lock now</button>
      </aside>
      <main class="content">
        {error && <p class="error">{error}</p>}
        {view === 'dashboard' && <Dashboard onOpen={() => setView('secrets')} />}
        {view === 'secrets' && <Secrets rows={rows} folder={folder} tag={tag} reload={reload} />}
        {view === 'transfer' && <Transfer folder={folder} onImported={reload} />}
        {view === 'remote' && <Remotes onChanged={reload} onPlan={setSync} />}
        {view === 'trash' && <Trash onChange={reload} />}
        {view === 'audit' && <Audit />}
        {view === 'settings' && <SettingsView status={status} />}
      </main>
    </div>
  );
}
