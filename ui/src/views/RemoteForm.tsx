// Adding a remote, or editing one: address(es), namespace, mount, prefix, TLS (a CA file chosen
// in the native dialog, or skip-verify), auth and a new credential. An edit keeps the remote's
// sync history unless it now names another namespace, mount or prefix (the toast says which);
// an empty credential keeps the stored one.
import { useState } from 'preact/hooks';
import type { AuthKind, CaChange, PickedFile, RemoteDto, SyncHistoryDto } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { FilePick } from '../components/FilePick';

const blank = { name: 'team', addr: 'https://127.0.0.1:8200', namespace: '', mount: 'secret', prefix: '', roleId: '', approleMount: 'approle', token: '' };

/** What the CA choice sends: a new file, none, or the one the remote has. */
export function caChange(picked: PickedFile | null, cleared: boolean): CaChange {
  return picked ? { set: picked.handle } : cleared ? 'clear' : 'keep';
}

/** What an edit did to the sync history, in words. */
export function historyNote(h: SyncHistoryDto): string {
  return h.kind === 'kept' ? 'Its sync history is kept.' : h.kind === 'none' ? 'Nothing was synced with it yet.'
    : `It now names another place: the sync history of ${h.folders} folder(s), which described ${h.was}, is dropped, so the next plan compares values.`;
}

/** `start`: what a new remote's name and address start as (the blank ones by default). */
export function RemoteForm({ existing, onDone, onCancel, start }: { existing?: RemoteDto; onDone: (name: string) => void; onCancel?: () => void; start?: { name: string; addr: string } }) {
  const e = existing;
  const [f, setF] = useState(e ? { ...blank, name: e.name, addr: e.addr, namespace: e.namespace ?? '', mount: e.mount, prefix: e.prefix, roleId: e.roleId ?? '', approleMount: e.approleMount ?? 'approle' } : { ...blank, ...start });
  const [auth, setAuth] = useState<AuthKind>(e?.auth ?? 'token');
  const [ca, setCa] = useState<PickedFile | null>(null);
  const [caCleared, setCaCleared] = useState(false);
  const [skipVerify, setSkipVerify] = useState(e?.skipVerify ?? false);
  const [error, run] = useGuard();
  const pre = e ? 'remote-edit' : 'remote';
  const approle = auth === 'approle';
  const field = (k: keyof typeof f, label: string, type = 'text') => (
    <label class="field"><span>{label}</span><input id={`${pre}-${k}`} type={type} autocomplete="off" value={f[k]} readOnly={!!e && k === 'name'}
      onInput={(ev) => setF({ ...f, [k]: ev.currentTarget.value })} onKeyDown={(ev) => { if (ev.key === 'Escape' && onCancel) { ev.stopPropagation(); onCancel(); } }} /></label>
  );
  const common = { name: f.name, addr: f.addr, mount: f.mount, prefix: f.prefix, namespace: f.namespace || null, skipVerify, auth,
    roleId: approle ? f.roleId : null, approleMount: approle ? f.approleMount : null, token: f.token || null };
  const save = () => run(async () => {
    if (e) toast(`Remote ${f.name} saved. ${historyNote((await ipc.remoteUpdate({ ...common, caCert: caChange(ca, caCleared) })).history)}`);
    else { await ipc.remoteAdd({ ...common, caCert: ca?.handle ?? null }); toast(`Remote ${f.name} added.`); }
    setF({ ...f, token: '' });
    onDone(f.name);
  });
  const currentCa = e?.caCert && !caCleared ? e.caCert : null;
  const credLabel = e?.credentialInKeychain ? `New ${approle ? 'secret_id' : 'token'} (empty: keep the one in the OS keychain)`
    : approle ? 'AppRole secret_id (kept in the OS keychain)' : 'Token (kept in the OS keychain; empty: VAULT_TOKEN)';
  return (
    <section class="card" id={e ? 'remote-edit' : undefined}>
      <h3>{e ? `Edit ${e.name}` : 'Add a remote'}</h3>
      <div class="grid2">
        {field('name', 'Name')}{field('addr', 'Address (several: comma-separated, tried in order)')}{field('mount', 'KV mount')}{field('prefix', 'Path prefix')}
        {field('namespace', 'Namespace (Enterprise/OpenBao)')}
        <label class="field"><span>CA certificate (none: VAULT_CACERT or the system's)</span>
          <FilePick id={`${pre}-caCert`} purpose="caCert" value={ca} set={(p) => { setCa(p); setCaCleared(false); }} placeholder={currentCa ?? 'CA certificate (PEM)'} />
          {(ca || currentCa) && <button type="button" class="small" id={`${pre}-caCert-clear`} onClick={() => { setCa(null); setCaCleared(true); }}>No CA file</button>}
        </label>
        <label class="field"><span>Authentication</span>
          <select id={`${pre}-auth`} value={auth} onChange={(ev) => setAuth(ev.currentTarget.value as AuthKind)}>
            <option value="token">Token</option><option value="approle">AppRole</option>
          </select>
        </label>
        {approle && field('roleId', 'AppRole role_id')}
        {approle && field('approleMount', 'AppRole auth mount')}
        {field('token', credLabel, 'password')}
      </div>
      <label class="choice"><input type="checkbox" id={`${pre}-skip-verify`} checked={skipVerify} onChange={() => setSkipVerify(!skipVerify)} />
        <span>Skip TLS verification (testing only: anyone on the network path could read the token)</span></label>
      <ErrorNote error={error} id={`${pre}-error`} />
      <div class="row">
        <button class="primary" id={e ? 'remote-edit-save' : 'remote-add'} onClick={save}>{e ? 'Save changes' : 'Add remote'}</button>
        {onCancel && <button id={`${pre}-cancel`} onClick={onCancel}>Cancel</button>}
      </div>
    </section>
  );
}
