// The lock screen. It says plainly which lock is on: the vault passphrase (the key cannot be
// opened without it), an app PIN / passphrase on a keychain vault (checked by the app, with a
// wait after wrong attempts), or none (a keychain vault opens with one click: the lock hides).
import { useRef, useState } from 'preact/hooks';
import { useFocusOnMount } from '../lib/size';
import type { LockKind, VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { errorText } from '../lib/toast';

const KIND: Record<LockKind, { ask: string | null; says: string }> = {
  vaultPassphrase: { ask: 'Vault passphrase', says: 'Locked with the vault passphrase: the key cannot be opened without it.' },
  appPin: { ask: 'App PIN', says: 'Locked with an app PIN. The key stays in your OS keychain; Hush waits longer after each wrong PIN.' },
  appPassphrase: { ask: 'App passphrase', says: 'Locked with an app passphrase. The key stays in your OS keychain; Hush waits longer after each wrong attempt.' },
  keychainOnly: { ask: null, says: 'This lock only hides your secrets: anyone at this session can open it. Set an app PIN in Settings to make it a real lock.' },
};

/** `notice`: why the app locked itself (the vault was re-keyed elsewhere), if it did. */
export function Lock({ status, notice, onUnlocked }: { status: VaultStatus; notice?: string | null; onUnlocked: () => void }) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const kind = KIND[status.lockKind ?? 'keychainOnly'];
  const field = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useFocusOnMount(kind.ask ? field : button);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ipc.unlock(kind.ask ? pass : null);
      setPass('');
      onUnlocked();
    } catch (err) {
      setError(errorText(err));
      // The next try replaces the wrong entry instead of being appended to it.
      field.current?.focus();
      field.current?.select();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="center-screen" id="lock-screen">
      <form class="card lock" onSubmit={submit}>
        <svg class="lock-icon" aria-hidden="true" viewBox="0 0 24 24" width="44" height="44" fill="none" stroke="currentColor" stroke-width="1.6">
          <rect x="5" y="10.5" width="14" height="10" rx="2" /><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />
        </svg>
        <h1>Hush is locked</h1>
        <p class={`small ${status.lockKind === 'keychainOnly' ? 'warn' : 'muted'}`} id="lock-kind" data-kind={status.lockKind}>{kind.says}</p>
        {notice && <p class="warn" id="lock-notice" role="alert">{notice}</p>}
        <p class="muted small"><code>{status.path}</code></p>
        {kind.ask && (
          <input type="password" id="unlock-passphrase" placeholder={kind.ask} aria-label={kind.ask} ref={field} value={pass}
            inputMode={status.lockKind === 'appPin' ? 'numeric' : undefined} onInput={(e) => setPass(e.currentTarget.value)} />
        )}
        {error && <p class="error" id="unlock-error" role="alert">{error}</p>}
        <button class="primary" id="unlock" ref={button} disabled={busy}>{busy ? 'Unlocking…' : kind.ask ? 'Unlock' : 'Unlock with keychain'}</button>
      </form>
    </div>
  );
}
