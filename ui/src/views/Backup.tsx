// Encrypted backups: write one (Settings), restore one into a new vault file (Settings), or restore
// one as this machine's vault on first run (Setup). Restoring never overwrites an existing file.
import { useState } from 'preact/hooks';
import { ipc } from '../lib/ipc';

function PathPicker({ id, value, set, save, suggested, placeholder }: { id: string; value: string; set: (v: string) => void; save: boolean; suggested?: string; placeholder: string }) {
  return (
    <div class="row">
      <input id={id} placeholder={placeholder} value={value} onInput={(e) => set(e.currentTarget.value)} />
      <button type="button" onClick={async () => { const p = await ipc.pickFile(save, suggested ?? null); if (p) set(p); }}>Choose…</button>
    </div>
  );
}

export function Backup() {
  const [path, setPath] = useState('');
  const [pass, setPass] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    setError(null);
    try {
      const r = await ipc.backup(path, pass);
      setPass('');
      setMsg(`Backup written: ${r.secrets} secrets, ${r.versions} versions, ${r.bytes} bytes.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card">
      <h3>Encrypted backup</h3>
      <p class="muted small">The whole vault (values, versions, metadata, trash, audit) under its own passphrase; it restores on another machine.</p>
      <PathPicker id="backup-path" value={path} set={setPath} save suggested="hush-backup.hushbak" placeholder="/path/to/hush-backup.hushbak" />
      <input type="password" id="backup-pass" placeholder="Backup passphrase (8+ characters)" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
      <button id="backup-go" disabled={!path || pass.length < 8} onClick={go}>Write backup</button>
      {msg && <p class="note" id="backup-msg">{msg}</p>}
      {error && <p class="error">{error}</p>}
    </section>
  );
}

/** Settings: restore a backup into a new vault file next to this one (this vault is untouched). */
export function RestoreToNewFile({ keyMode }: { keyMode: string | null }) {
  const [file, setFile] = useState('');
  const [target, setTarget] = useState('');
  const [backupPass, setBackupPass] = useState('');
  const [newPass, setNewPass] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const passphraseMode = keyMode === 'passphrase';
  const go = async () => {
    setError(null);
    setMsg(null);
    try {
      const r = await ipc.restoreBackup(file, backupPass, passphraseMode ? newPass : null, target);
      setBackupPass('');
      setNewPass('');
      setMsg(`Restored ${r.secrets} secrets (${r.versions} versions, ${r.trashed} in the trash, ${r.auditEntries} audit entries) into ${r.vault}. Open it with hush-desktop --vault ${r.vault}, or HUSH_VAULT=${r.vault} hush ls.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" id="restore-card">
      <h3>Restore a backup</h3>
      <p class="muted small">Restores into a new vault file; this vault stays as it is. A damaged or truncated backup is refused whole.</p>
      <PathPicker id="restore-file" value={file} set={setFile} save={false} placeholder="Backup file" />
      <input type="password" id="restore-backup-pass" placeholder="Backup passphrase" value={backupPass} onInput={(e) => setBackupPass(e.currentTarget.value)} />
      <PathPicker id="restore-target" value={target} set={setTarget} save suggested="restored.db" placeholder="New vault file" />
      {passphraseMode && <input type="password" id="restore-new-pass" placeholder="Passphrase for the new vault" value={newPass} onInput={(e) => setNewPass(e.currentTarget.value)} />}
      <button id="restore-go" disabled={!file || !target || !backupPass || (passphraseMode && newPass.length < 8)} onClick={go}>Restore into a new vault</button>
      {msg && <p class="note" id="restore-msg">{msg}</p>}
      {error && <p class="error" id="restore-error">{error}</p>}
    </section>
  );
}

/** Setup: the fields of "restore from a backup" on first run (the protection comes from Setup). */
export function RestoreFields({ file, setFile, pass, setPass }: { file: string; setFile: (v: string) => void; pass: string; setPass: (v: string) => void }) {
  return (
    <>
      <PathPicker id="setup-backup-file" value={file} set={setFile} save={false} placeholder="Backup file (.hushbak)" />
      <input type="password" id="setup-backup-pass" placeholder="Backup passphrase" value={pass} onInput={(e) => setPass(e.currentTarget.value)} autocomplete="off" />
    </>
  );
}
