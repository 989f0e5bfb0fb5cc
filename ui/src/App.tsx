// Top level: first run → lock screen → the vault. Holds no secret value itself; on lock every
// view is unmounted, so nothing revealed survives in the page.
import { useEffect, useState } from 'preact/hooks';
import type { VaultStatus } from './lib/bindings';
import { ipc } from './lib/ipc';
import { clearToasts, errorText, toast } from './lib/toast';
import { discardedNote, draftPath } from './lib/draft';
import { Boundary, Toasts } from './components/Boundary';
import { Lock } from './views/Lock';
import { Main, type OpenRequest } from './views/Main';
import { Setup } from './views/Setup';

// Well under the shortest auto-lock (10 s), so an active user is never locked out.
const ACTIVITY_PING_MS = 2_000;

const REKEYED = 'The vault was re-keyed by another process (the command line, or another Hush window) while it was open here: nothing was written. Unlock it again to go on.';

export function App() {
  // The shell hands the first status to the page before it loads (no IPC round trip for the
  // first screen); it is refreshed at once all the same.
  const [status, setStatus] = useState<VaultStatus | null>((window as { __HUSH_BOOT__?: VaultStatus }).__HUSH_BOOT__ ?? null);
  const [error, setError] = useState<string | null>(null);
  // Why the lock screen is up, when the user did not lock (a re-key elsewhere).
  const [notice, setNotice] = useState<string | null>(null);
  // The path (never the value) of an editor's unsaved work the lock threw away, to say so after.
  const [lostDraft, setLostDraft] = useState<string | null>(null);
  // A click on a reminder (OS notification) names a secret; it opens now, or after the unlock.
  const [openRequest, setOpenRequest] = useState<OpenRequest | null>(null);

  // An answer equal to the status on screen changes nothing (the first one usually repeats the
  // boot status): no second render of the first screen while it is coming up.
  const refresh = () => (performance.mark('hush-status-asked'), ipc.status()).then(
    (s) => {
      // Read before the locked screen unmounts the editor (which forgets its draft).
      const lost = s.unlocked ? null : draftPath();
      if (lost) setLostDraft(lost);
      setError(null);
      setStatus((old) => (old && JSON.stringify(old) === JSON.stringify(s) ? old : s));
    },
    (e) => setError(errorText(e)));
  useEffect(() => {
    refresh();
    const un = ipc.onLocked(() => refresh());
    const unOpen = ipc.onOpenSecret((path) => setOpenRequest((r) => ({ path, n: (r?.n ?? 0) + 1 })));
    return () => { void un.then((f) => f()); void unOpen.then((f) => f()); };
  }, []);

  // The key this app holds is stale: every call would fail, so drop it and ask for the unlock.
  useEffect(() => {
    let busy = false;
    return ipc.onRekeyed(() => {
      if (busy) return;
      busy = true;
      setNotice(REKEYED);
      void ipc.lock().catch(() => {}).then(refresh).finally(() => { busy = false; });
    });
  }, []);

  // User activity keeps the vault unlocked; the Rust side owns the idle timer.
  useEffect(() => {
    if (!status?.unlocked) return clearToasts();
    setNotice(null);
    if (lostDraft) { toast(discardedNote(lostDraft), { kind: 'error', ms: 15_000 }); setLostDraft(null); }
    let last = 0;
    const ping = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_PING_MS) return;
      last = now;
      ipc.touch().then((alive) => { if (!alive) refresh(); }, () => {});
    };
    const events = ['keydown', 'mousedown', 'mousemove', 'wheel'];
    events.forEach((e) => window.addEventListener(e, ping, { passive: true }));
    return () => events.forEach((e) => window.removeEventListener(e, ping));
  }, [status?.unlocked]);

  // The first screen a user can act on (setup, lock or vault) is up: a mark for bench/ui.rs, once.
  useEffect(() => {
    if (!status || performance.getEntriesByName('hush-first-render').length) return;
    performance.mark('hush-first-render');
    requestAnimationFrame(() => performance.mark('hush-interactive'));
  }, [status]);

  return (
    <>
      {screen()}
      <Toasts />
    </>
  );

  function screen() {
    if (error) return <Problem title="Hush could not read its vault" message={error} onRetry={refresh} />;
    if (!status) return <div class="splash">Hush</div>;
    if (status.openError) return <Problem title="This vault cannot be opened" message={`${status.path}: ${errorText(status.openError)}`} onRetry={refresh} />;
    if (!status.exists) return <Setup status={status} onDone={refresh} />;
    if (!status.unlocked) return <Lock status={status} notice={notice} onUnlocked={refresh} />;
    return <Boundary><Main status={status} onLocked={refresh} openRequest={openRequest} onOpenHandled={() => setOpenRequest(null)} /></Boundary>;
  }
}

/** A vault that exists but cannot be opened is said so, never mistaken for a first run. */
function Problem({ title, message, onRetry }: { title: string; message: string; onRetry: () => void }) {
  return (
    <div class="center-screen" id="vault-problem">
      <div class="card lock">
        <h1>{title}</h1>
        <p class="error">{message}</p>
        <p class="muted small">The file was left as it is. If it is damaged, restore your latest encrypted backup into a new file.</p>
        <button class="primary" onClick={onRetry}>Try again</button>
      </div>
    </div>
  );
}
