// First run: create the vault, or restore it from an encrypted backup. Keychain-backed by default
// (with an app PIN proposed, so the lock screen really locks); passphrase mode when the user asks,
// or when no keychain is reachable (the reason is shown).
import { useState } from 'preact/hooks';
import type { AppLockKind, PickedFile, VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { errorText } from '../lib/toast';
import { NewPassphrase, passphraseProblem } from '../components/Passphrase';
import { RestoreFields } from './Backup';

export function Setup({ status, onDone }: { status: VaultStatus; onDone: () => void }) {
  const [mode, setMode] = useState<'keychain' | 'passphrase'>(status.keychainOk ? 'keychain' : 'passphrase');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [recovery, setRecovery] = useState('');
  const [recovery2, setRecovery2] = useState('');
  const [appLock, setAppLock] = useState<AppLockKind | null>(null);
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [restore, setRestore] = useState(false);
  const [backupFile, setBackupFile] = useState<PickedFile | null>(null);
  const [backupPass, setBackupPass] = useState('');

  const problem = (): string | null => {
    if (mode === 'passphrase') return passphraseProblem(pass, pass2);
    if (appLock === 'pin' && !/^\d{6,12}$/.test(pin)) return 'A PIN has 6 to 12 digits.';
    if (appLock === 'passphrase') return passphraseProblem(pin, pin2);
    if (appLock && pin !== pin2) return 'The two PIN entries differ.';
    if (!restore) return passphraseProblem(recovery, recovery2, true);
    if (!backupFile) return 'Choose the backup file.';
    return null;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const p = problem();
    if (p) return setError(p);
    setBusy(true);
    try {
      const vaultPass = mode === 'passphrase' ? pass : null;
      if (restore) await ipc.restoreBackup(backupFile!.handle, backupPass, vaultPass, null);
      else await ipc.create(vaultPass, recovery || null, mode === 'keychain' && appLock ? [appLock, pin] : null);
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="center-screen scroll">
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
        {!status.keychainOk && <p class="warn small" id="keychain-reason">Keychain unavailable: {errorText(status.keychainMessage)}</p>}
        {mode === 'keychain' && (
          <fieldset class="app-lock">
            <legend>Lock screen</legend>
            <p class="muted small">With the keychain alone, the lock screen opens with one click. An app PIN makes it a real lock.</p>
            <div class="row">
              <label class="check"><input type="radio" name="applock" id="applock-none" checked={appLock === null} onChange={() => setAppLock(null)} /> No app lock</label>
              <label class="check"><input type="radio" name="applock" id="applock-pin" checked={appLock === 'pin'} onChange={() => setAppLock('pin')} /> PIN</label>
              <label class="check"><input type="radio" name="applock" id="applock-passphrase" checked={appLock === 'passphrase'} onChange={() => setAppLock('passphrase')} /> Passphrase</label>
            </div>
            {appLock && (
              <div class="grid2">
                <input type="password" id="applock-secret" aria-label={appLock === 'pin' ? 'App PIN' : 'App passphrase'} placeholder={appLock === 'pin' ? 'PIN (6–12 digits)' : 'App passphrase'} inputMode={appLock === 'pin' ? 'numeric' : undefined} value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
                <input type="password" id="applock-secret-confirm" aria-label="Repeat it" placeholder="Repeat it" value={pin2} onInput={(e) => setPin2(e.currentTarget.value)} />
              </div>
            )}
          </fieldset>
        )}
        <label class="choice">
          <input type="radio" name="mode" id="mode-passphrase" checked={mode === 'passphrase'} onChange={() => setMode('passphrase')} />
          <span><b>Passphrase</b>: for machines without a keychain. You type it to unlock.</span>
        </label>
        {mode === 'passphrase' && <NewPassphrase id="new-passphrase" label="Vault passphrase" value={pass} confirm={pass2} set={setPass} setConfirm={setPass2} />}
        {!restore && (
          <NewPassphrase id="recovery-passphrase" optional label="Recovery passphrase (optional, recommended): opens the vault on a new machine or if the keychain entry is lost."
            value={recovery} confirm={recovery2} set={setRecovery} setConfirm={setRecovery2} />
        )}
        {error && <p class="error" id="setup-error" role="alert">{error}</p>}
        <button class="primary" id="create-vault" disabled={busy}>{busy ? 'Working…' : restore ? 'Restore vault' : 'Create vault'}</button>
      </form>
    </div>
  );
}
