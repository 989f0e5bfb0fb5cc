// The lock screen. Keychain vaults open with one click; passphrase vaults ask for it.
import { useState } from 'preact/hooks';
import type { VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';

export function Lock({ status, onUnlocked }: { status: VaultStatus; onUnlocked: () => void }) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsPass = status.keyMode === 'passphrase';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ipc.unlock(needsPass ? pass : null);
      setPass('');
      onUnlocked();
    } catch (err) {
      setError((err as Error).message);
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
        <p class="muted small"><code>{status.path}</code></p>
        {needsPass && (
          <input type="password" id="unlock-passphrase" placeholder="Vault passphrase" autofocus value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
        )}
        {error && <p class="error" id="unlock-error">{error}</p>}
        <button class="primary" id="unlock" disabled={busy}>{busy ? 'Unlocking…' : needsPass ? 'Unlock' : 'Unlock with keychain'}</button>
      </form>
    </div>
  );
}
