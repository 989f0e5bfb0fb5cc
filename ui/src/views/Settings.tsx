// Settings and key management. Re-key reports progress over a Channel.
import { useEffect, useState } from 'preact/hooks';
import type { AboutDto, SettingsDto, VaultStatus } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { Backup, RestoreToNewFile } from './Backup';

export function SettingsView({ status }: { status: VaultStatus }) {
  const [s, setS] = useState<SettingsDto | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [recovery, setRecovery] = useState('');
  const [newPass, setNewPass] = useState('');
  const [rekeyRecovery, setRekeyRecovery] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [about, setAbout] = useState<AboutDto | null>(null);
  useEffect(() => void ipc.settings().then(setS, (e) => setError(e.message)), []);
  useEffect(() => void ipc.about().then(setAbout, () => setAbout(null)), []);

  const run = async (f: () => Promise<void>, ok: string) => {
    setError(null);
    setMsg(null);
    try {
      await f();
      setMsg(ok);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (!s) return <p class="muted">{error ?? 'Loading…'}</p>;
  const num = (k: keyof SettingsDto, label: string, scale = 1, id = k) => (
    <label class="field"><span>{label}</span>
      <input id={`set-${id}`} type="number" min="1" value={s[k] / scale} onInput={(e) => setS({ ...s, [k]: Math.round(Number(e.currentTarget.value) * scale) })} />
    </label>
  );
  return (
    <div class="page" id="settings">
      <h2>Settings</h2>
      {msg && <p class="note" id="settings-msg">{msg}</p>}
      {error && <p class="error" id="settings-error">{error}</p>}
      <section class="card">
        <h3>Behaviour</h3>
        <div class="grid2">
          {num('autoLockSecs', 'Auto-lock after (minutes)', 60)}
          {num('clipboardSecs', 'Clear clipboard after (seconds)')}
          {num('versionsKept', 'Versions kept per secret')}
          {num('trashDays', 'Trash recovery window (days)')}
        </div>
        <button class="primary" id="save-settings" onClick={() => run(() => ipc.saveSettings(s), 'Settings saved.')}>Save settings</button>
      </section>
      <section class="card">
        <h3>Recovery passphrase</h3>
        <p class="muted small">{status.hasRecovery ? 'A recovery passphrase is set. Setting a new one replaces it.' : 'None set. Without one, losing the keychain entry means losing the vault.'}</p>
        <div class="row">
          <input type="password" id="recovery-new" placeholder="Recovery passphrase" value={recovery} onInput={(e) => setRecovery(e.currentTarget.value)} />
          <button id="recovery-save" disabled={recovery.length < 8} onClick={() => run(async () => { await ipc.setRecovery(recovery); setRecovery(''); }, 'Recovery passphrase set.')}>Set</button>
        </div>
      </section>
      <Backup />
      <RestoreToNewFile keyMode={status.keyMode} />
      <section class="card">
        <h3>Keys</h3>
        <p class="muted small">Re-wrap protects the data key with a new {status.keyMode === 'keychain' ? 'keychain key' : 'passphrase'} (instant). Re-key makes a new data key and re-encrypts every version in one transaction.</p>
        {status.keyMode === 'passphrase' && <input type="password" id="rewrap-pass" placeholder="New vault passphrase" value={newPass} onInput={(e) => setNewPass(e.currentTarget.value)} />}
        <button id="rewrap" onClick={() => confirm('Re-wrap the data key now?') && run(() => ipc.rewrap(status.keyMode === 'passphrase' ? newPass : null), 'Data key re-wrapped.')}>Re-wrap</button>
        {status.hasRecovery && <input type="password" id="rekey-recovery" placeholder="Recovery passphrase (needed to re-key)" value={rekeyRecovery} onInput={(e) => setRekeyRecovery(e.currentTarget.value)} />}
        <button id="rekey" onClick={() => confirm('Re-encrypt every version with a new data key?') && run(() => ipc.rekey(rekeyRecovery || null, (p) => p.event === 'step' && setProgress(p.data)), 'New data key in place; every version re-encrypted.')}>Re-key</button>
        {progress && <progress id="rekey-progress" max={progress.total || 1} value={progress.done} />}
      </section>
      <section class="card" id="about">
        <h3>About</h3>
        <p class="muted small" id="about-version">{about ? `Hush ${about.version}, built from commit ${about.commit}` : 'Hush'}</p>
      </section>
    </div>
  );
}
