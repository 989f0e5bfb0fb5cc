// First run: create the vault, or restore it from an encrypted backup. Keychain-backed by default; passphrase mode when the user asks, or
// when no keychain is reachable (the reason is shown).
import { useState } from 'preact/hooks';
import type { VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { RestoreFields } from './Backup';

export function Setup({ status, onDone }: { status: VaultStatus; onDone: () => void }) {
  const [mode, setMode] = useState<'keychain' | 'passphrase'>(status.keychainOk ? 'keychain' : 'passphrase');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [recovery, setRecovery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [restore, setRestore] = useState(false);
  const [backupFile, setBackupFile] = useState('');
  const [backupPass, setBackupPass] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    if (mode === 'passphrase' && (pass.length < 8 || pass !== pass2)) {
      setError(pass !== pass2 ? 'The passphrases differ.' : 'Use at least 8 characters.');
      return;
    }
    setBusy(true);
    try {
      const p = mode === 'passphrase' ? pass : null;
      if (restore) await ipc.restoreBackup(backupFile, backupPass, p, null);
      else await ipc.create(p, recovery || null);
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="center-screen">
      <form class="card setup" onSubmit={submit}>
        <h1>Welcome to Hush</h1>
        <p class="muted">Create your local vault. Every value is encrypted on this machine; nothing leaves it unless you push it.</p>
        <label class="choice">
          <input type="checkbox" id="setup-restore" checked={restore} onChange={() => setRestore(!restore)} />
          <span>Restore from an encrypted backup instead (another machine's vault, with its history and audit log).</span>
        </label>
        {restore && <RestoreFields file={backupFile} setFile={setBackupFile} pass={backupPass} setPass={setBackupPass} />}
        <p class="muted small">Vault file: <code>{status.path}</code></p>
        <label class={`choice ${status.keychainOk ? '' : 'disabled'}`}>
          <input type="radio" name="mode" id="mode-keychain" checked={mode === 'keychain'} disabled={!status.keychainOk} onChange={() => setMode('keychain')} />
          <span><b>OS keychain</b> (recommended): the key lives in your login keychain; no passphrase to type.</span>
        </label>
        {!status.keychainOk && <p class="warn small" id="keychain-reason">Keychain unavailable: {status.keychainMessage}</p>}
        <label class="choice">
          <input type="radio" name="mode" id="mode-passphrase" checked={mode === 'passphrase'} onChange={() => setMode('passphrase')} />
          <span><b>Passphrase</b>: for machines without a keychain. You type it to unlock.</span>
        </label>
        {mode === 'passphrase' && (
          <div class="grid2">
            <input type="password" id="new-passphrase" placeholder="Passphrase" value={pass} onInput={(e) => setPass(e.currentTarget.value)} autocomplete="new-password" />
            <input type="password" id="new-passphrase2" placeholder="Repeat passphrase" value={pass2} onInput={(e) => setPass2(e.currentTarget.value)} autocomplete="new-password" />
          </div>
        )}
        {!restore && <label class="field">
          <span>Recovery passphrase (optional, recommended): opens the vault on a new machine or if the keychain entry is lost.</span>
          <input type="password" id="recovery-passphrase" value={recovery} onInput={(e) => setRecovery(e.currentTarget.value)} autocomplete="new-password" />
        </label>}
        {error && <p class="error" id="setup-error">{error}</p>}
        <button class="primary" id="create-vault" disabled={busy}>{busy ? 'Working…' : restore ? 'Restore vault' : 'Create vault'}</button>
      </form>
    </div>
  );
}
