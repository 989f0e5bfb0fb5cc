// Settings and key management: behaviour, the app lock of a keychain vault, the recovery
// passphrase, backups, re-wrap and re-key (with progress).
import { useEffect, useState } from 'preact/hooks';
import type { AboutDto, AppLockKind, SettingsDto, VaultStatus } from '../lib/bindings';
import { parseCount } from '../lib/format';
import { ipc, type Step } from '../lib/ipc';
import { toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { NewPassphrase, passphraseProblem } from '../components/Passphrase';
import { Backup, RestoreToNewFile } from './Backup';

type Field = keyof SettingsDto;
const FIELDS: [Field, string, number, number, number][] = [
  // key, label, scale (shown = stored / scale), min, max (shown units)
  ['autoLockSecs', 'Auto-lock after (minutes)', 60, 1, 1440],
  ['clipboardSecs', 'Clear clipboard after (seconds)', 1, 5, 3600],
  ['versionsKept', 'Versions kept per secret', 1, 1, 1000],
  ['trashDays', 'Trash recovery window (days)', 1, 1, 3650],
];

export function SettingsView({ status, onChanged }: { status: VaultStatus; onChanged: () => void }) {
  const [s, setS] = useState<Record<Field, string> | null>(null);
  const [error, run] = useGuard();
  useEffect(() => void run(async () => {
    const cur = await ipc.settings();
    setS(Object.fromEntries(FIELDS.map(([k, , scale]) => [k, String(cur[k] / scale)])) as Record<Field, string>);
  }), []);
  if (!s) return <div class="page"><ErrorNote error={error} />{!error && <p class="muted">Loading…</p>}</div>;
  const checks = FIELDS.map(([k, , , min, max]) => [k, parseCount(s[k], min, max)] as const);
  const bad = checks.some(([, r]) => 'error' in r);
  const save = () => run(async () => {
    const dto = Object.fromEntries(checks.map(([k, r]) => [k, 'value' in r ? r.value * FIELDS.find((f) => f[0] === k)![2] : 0])) as SettingsDto;
    await ipc.saveSettings(dto);
    toast('Settings saved.');
  });
  return (
    <div class="page" id="settings">
      <h2>Settings</h2>
      <section class="card">
        <h3>Behaviour</h3>
        <div class="grid2">
          {FIELDS.map(([k, label], i) => {
            const r = checks[i][1];
            return (
              <label class="field"><span>{label}</span>
                <input id={`set-${k}`} type="number" inputMode="numeric" value={s[k]} aria-invalid={'error' in r} onInput={(e) => setS({ ...s, [k]: e.currentTarget.value })} />
                {'error' in r && <span class="error small field-error" id={`set-${k}-error`}>{r.error}</span>}
              </label>
            );
          })}
        </div>
        <button class="primary" id="save-settings" disabled={bad} onClick={save}>Save settings</button>
        <ErrorNote error={error} id="settings-error" />
      </section>
      {status.keyMode === 'keychain' && <AppLock status={status} onChanged={onChanged} />}
      <Recovery status={status} onChanged={onChanged} />
      <Backup />
      <RestoreToNewFile keyMode={status.keyMode} />
      <Keys status={status} />
      <About />
    </div>
  );
}

/** Which version and commit this app was built from (hush --version says the same). */
function About() {
  const [about, setAbout] = useState<AboutDto | null>(null);
  useEffect(() => void ipc.about().then(setAbout, () => setAbout(null)), []);
  return (
    <section class="card" id="about">
      <h3>About</h3>
      <p class="muted small" id="about-version">{about ? `Hush ${about.version}, built from commit ${about.commit}` : 'Hush'}</p>
    </section>
  );
}

function AppLock({ status, onChanged }: { status: VaultStatus; onChanged: () => void }) {
  const [kind, setKind] = useState<AppLockKind>('pin');
  const [secret, setSecret] = useState('');
  const [secret2, setSecret2] = useState('');
  const [error, run] = useGuard();
  const on = status.lockKind === 'appPin' || status.lockKind === 'appPassphrase';
  const problem = kind === 'pin' ? (/^\d{6,12}$/.test(secret) ? (secret === secret2 ? null : 'The two entries differ.') : 'A PIN has 6 to 12 digits.') : passphraseProblem(secret, secret2);
  const set = (lock: [AppLockKind, string] | null, note: string) => run(async () => {
    await ipc.setAppLock(lock);
    setSecret('');
    setSecret2('');
    toast(note);
    onChanged();
  });
  return (
    <section class="card" id="applock-card">
      <h3>Lock screen</h3>
      <p class="muted small">{on ? `Unlocking asks for an app ${status.lockKind === 'appPin' ? 'PIN' : 'passphrase'}; Hush waits longer after each wrong attempt.` : 'Without an app lock, the keychain opens this vault with one click: the lock only hides your secrets.'}</p>
      <div class="row">
        <select id="applock-kind" aria-label="Kind of app lock" value={kind} onChange={(e) => setKind(e.currentTarget.value as AppLockKind)}>
          <option value="pin">PIN (6–12 digits)</option><option value="passphrase">Passphrase</option>
        </select>
        <input type="password" id="applock-new" aria-label="New app lock" placeholder={kind === 'pin' ? 'PIN' : 'Passphrase'} value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        <input type="password" id="applock-new-confirm" aria-label="Repeat it" placeholder="Repeat it" value={secret2} onInput={(e) => setSecret2(e.currentTarget.value)} />
      </div>
      <div class="row">
        <button id="applock-save" disabled={problem !== null} title={problem ?? ''} onClick={() => set([kind, secret], 'App lock set.')}>{on ? 'Change app lock' : 'Set app lock'}</button>
        {on && <button id="applock-remove" onClick={async () => (await ipc.ask('Remove the app lock? The lock screen will open with one click.', 'Remove')) && set(null, 'App lock removed.')}>Remove app lock</button>}
      </div>
      <ErrorNote error={error} />
    </section>
  );
}

function Recovery({ status, onChanged }: { status: VaultStatus; onChanged: () => void }) {
  const [p, setP] = useState('');
  const [p2, setP2] = useState('');
  const [error, run] = useGuard();
  const problem = passphraseProblem(p, p2);
  return (
    <section class="card">
      <h3>Recovery passphrase</h3>
      <p class="muted small">{status.hasRecovery ? 'A recovery passphrase is set. Setting a new one replaces it.' : 'None set. Without one, losing the keychain entry means losing the vault.'}</p>
      <NewPassphrase id="recovery-new" label="New recovery passphrase" value={p} confirm={p2} set={setP} setConfirm={setP2} />
      <button id="recovery-save" disabled={problem !== null} title={problem ?? ''} onClick={() => run(async () => { await ipc.setRecovery(p); setP(''); setP2(''); toast('Recovery passphrase set.'); onChanged(); })}>Set recovery passphrase</button>
      <ErrorNote error={error} />
    </section>
  );
}

function Keys({ status }: { status: VaultStatus }) {
  const [newPass, setNewPass] = useState('');
  const [newPass2, setNewPass2] = useState('');
  const [rekeyRecovery, setRekeyRecovery] = useState('');
  const [progress, setProgress] = useState<Step | null>(null);
  const [error, run] = useGuard();
  const passMode = status.keyMode === 'passphrase';
  const rewrap = () => run(async () => {
    if (!(await ipc.ask('Re-wrap the data key now?', 'Re-wrap'))) return;
    await ipc.rewrap(passMode ? newPass : null);
    toast('Data key re-wrapped.');
  });
  const rekey = () => run(async () => {
    if (!(await ipc.ask('Re-encrypt every version with a new data key?', 'Re-key'))) return;
    await ipc.rekey(rekeyRecovery || null, setProgress).done;
    toast('New data key in place; every version re-encrypted.');
  });
  return (
    <section class="card">
      <h3>Keys</h3>
      <p class="muted small">Re-wrap protects the data key with a new {passMode ? 'passphrase' : 'keychain key'} (instant). Re-key makes a new data key and re-encrypts every version in one transaction.</p>
      {passMode && <NewPassphrase id="rewrap-pass" label="New vault passphrase" value={newPass} confirm={newPass2} set={setNewPass} setConfirm={setNewPass2} />}
      <button id="rewrap" disabled={passMode && passphraseProblem(newPass, newPass2) !== null} onClick={rewrap}>Re-wrap</button>
      {status.hasRecovery && <input type="password" id="rekey-recovery" aria-label="Recovery passphrase" placeholder="Recovery passphrase (needed to re-key)" value={rekeyRecovery} onInput={(e) => setRekeyRecovery(e.currentTarget.value)} />}
      <button id="rekey" onClick={rekey}>Re-key</button>
      {progress && <progress id="rekey-progress" max={progress.total || 1} value={progress.done} />}
      <ErrorNote error={error} />
    </section>
  );
}
