// The unlocked app: navigation, folder tree and tags, the current view, and the keyboard:
// Ctrl+F or / search, Ctrl+N new secret, Ctrl+L lock, Ctrl+K the quick palette, Escape closes.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LockKind, SecretRow, VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { errorText, toast } from '../lib/toast';
import { type View, VIEWS } from '../lib/views';
import { afterDiscard } from '../lib/draft';
import { allTags, buildTree } from '../lib/tree';
import { Boundary, ErrorNote } from '../components/Boundary';
import { FolderTree } from '../components/FolderTree';
import { Palette } from '../components/Palette';
import { Audit } from './Audit';
import { Dashboard } from './Dashboard';
import { Report } from './Report';
import { Secrets, type Intent } from './Secrets';
import { SettingsView } from './Settings';
import { Transfer } from './Transfer';
import { Projects } from './Projects';
import { Remotes, type RemoteMemory, staleSync } from './Remotes';
import { Trash } from './Trash';
import { useOnReturn } from '../lib/focus';
import { StateBanner } from '../components/StateBanner';

const LOCK_LABEL: Record<LockKind, string> = { vaultPassphrase: 'passphrase', appPin: 'keychain + PIN', appPassphrase: 'keychain + passphrase', keychainOnly: 'keychain' };

const typing = (t: EventTarget | null) => t instanceof HTMLElement && !!t.closest('input, textarea, select, [contenteditable]');

/** A secret to open from outside the page (a click on a reminder); each new `n` is a new request. */
export interface OpenRequest { path: string; n: number }

export function Main({ status, onLocked, openRequest, onOpenHandled }: { status: VaultStatus; onLocked: () => void; openRequest?: OpenRequest | null; onOpenHandled?: () => void }) {
  const [view, setView] = useState<View>('secrets');
  // Another view unmounts an open editor: unsaved changes are given up only when the user agrees.
  const go = (v: View) => { if (v !== view) afterDiscard(() => setView(v)); };
  const [rows, setRows] = useState<SecretRow[]>([]);
  const [folder, setFolder] = useState<string | null>(null);
  const [tag, setTag] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [intent, setIntent] = useState<Intent | null>(null);
  const [palette, setPalette] = useState(false);
  // Keyboard users go on where they were: after the unlock, the list; after the palette closes
  // without going anywhere, what had the focus before it opened.
  const before = useRef<HTMLElement | null>(null);
  useEffect(() => {
    if (palette) return;
    requestAnimationFrame(() => {
      if (document.activeElement && document.activeElement !== document.body) return;
      const back = before.current?.isConnected ? before.current : document.querySelector<HTMLElement>('#secrets-table .vbody');
      back?.focus();
    });
  }, [palette]);
  // The remote screen's plan and choices outlive the screen; badges in the tree come from it.
  const [remote, setRemote] = useState<RemoteMemory>({ plans: {} });

  const reload = () => ipc.list().then((r) => { setError(null); setRows(r); }, (e) => (e.code === 'locked' ? onLocked() : setError(errorText(e))));
  // Reload on entering the list: the CLI (or another view) may have changed things meanwhile.
  useEffect(() => void (view === 'secrets' && reload()), [view]);
  // ...and on coming back to the window, where the CLI is the usual reason to have left it. The
  // list keeps its selection and scroll: only its rows are replaced.
  useOnReturn(() => void reload(), view === 'secrets');
  const tree = useMemo(() => buildTree(rows), [rows]);
  const tags = useMemo(() => allTags(rows), [rows]);
  const sync = useMemo(() => staleSync(remote, rows), [remote, rows]);

  /** Renames or moves a folder; the selection follows it. Errors go to the folder's own form. */
  const moveFolder = async (from: string, to: string) => {
    const n = await ipc.moveFolder(from, to);
    if (folder && (folder === from || folder.startsWith(`${from}/`))) setFolder(to + folder.slice(from.length));
    await reload();
    setIntent((i) => ({ what: 'moved', path: from, to, n: (i?.n ?? 0) + 1 }));
    toast(`Moved ${from} to ${to} (${n} secret(s)). Their history came along.`);
  };
  const lockNow = async () => {
    await ipc.lock();
    onLocked();
  };
  const ask = (what: Intent['what'], path?: string) => {
    setView('secrets');
    setIntent((i) => ({ what, path, n: (i?.n ?? 0) + 1 }));
  };

  // A reminder clicked (also one clicked while locked: it opens once the vault is unlocked).
  useEffect(() => { if (openRequest) { ask('open', openRequest.path); onOpenHandled?.(); } }, [openRequest?.n]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && k === 'k') {
        e.preventDefault();
        if (!document.getElementById('palette')) before.current = document.activeElement as HTMLElement | null;
        setPalette((p) => !p);
        return;
      }
      if (mod && k === 'l') { e.preventDefault(); void lockNow(); return; }
      if (mod && k === 'f') { e.preventDefault(); ask('search'); return; }
      if (mod && k === 'n') { e.preventDefault(); ask('new'); return; }
      if (e.key === '/' && !mod && !typing(e.target)) { e.preventDefault(); ask('search'); return; }
      if (e.key === 'Escape' && palette) { e.preventDefault(); setPalette(false); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette]);

  return (
    <div class="layout">
      <aside class="sidebar">
        <div class="brand">Hush <span class="mode" id="lock-mode" title="How this vault locks">{LOCK_LABEL[status.lockKind ?? 'keychainOnly']}</span></div>
        <div class="sidebar-scroll">
          <nav>
            {VIEWS.map(([v, label]) => (
              <button id={`nav-${v}`} class={view === v ? 'nav active' : 'nav'} aria-current={view === v ? 'page' : undefined} onClick={() => go(v)}>{label}</button>
            ))}
          </nav>
          {view === 'secrets' && (
            <>
              <h3>Folders</h3>
              <FolderTree root={tree} selected={folder} sync={sync} onSelect={(f) => setFolder(f === folder ? null : f)} onMove={moveFolder} />
              {tags.length > 0 && <h3>Tags</h3>}
              <div class="tags">
                {tags.map((t) => (
                  <button class={tag === t ? 'tag active' : 'tag'} data-tag={t} title={t} aria-pressed={tag === t} onClick={() => setTag(tag === t ? null : t)}>{t}</button>
                ))}
              </div>
            </>
          )}
        </div>
        <button id="lock-now" class="lock-now" title="Lock (Ctrl+L)" onClick={lockNow}>Lock now</button>
      </aside>
      <main class="content">
        <StateBanner onAccepted={() => void reload()} onRestore={() => go('settings')} />
        <ErrorNote error={error} />
        <Boundary key={view} onReset={reload}>
          {view === 'dashboard' && <Dashboard onOpen={(p) => ask('open', p)} />}
          {view === 'secrets' && <Secrets rows={rows} folder={folder} tag={tag} reload={reload} intent={intent} />}
          {view === 'transfer' && <Transfer folder={folder} onImported={reload} />}
          {view === 'projects' && <Projects />}
          {view === 'remote' && <Remotes memory={remote} setMemory={setRemote} onChanged={reload} folders={[...new Set(rows.map((r) => r.folder))].sort()} />}
          {view === 'trash' && <Trash onChange={reload} />}
          {view === 'audit' && <Audit />}
          {view === 'report' && <Report onOpen={(p) => ask('open', p)} />}
          {view === 'settings' && <SettingsView status={status} onChanged={onLocked} />}
        </Boundary>
      </main>
      {palette && <Palette rows={rows} onClose={() => setPalette(false)} onView={(v) => { setPalette(false); go(v); }} onSecret={(p) => { setPalette(false); ask('open', p); }} />}
    </div>
  );
}
