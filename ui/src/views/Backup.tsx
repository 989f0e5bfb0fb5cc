// Encrypted backups: write one (Settings), restore one into a new vault file (Settings), or restore
// one as this machine's vault on first run (Setup). Restoring never overwrites an existing file.
import { useState } from 'preact/hooks';
import type { KeyModeDto, PickedFile } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { FilePick } from '../components/FilePick';
import { NewPassphrase, passphraseProblem } from '../components/Passphrase';

export function Backup() {
  const [file, setFile] = useState<PickedFile | null>(null);
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, run] = useGuard();
  const problem = passphraseProblem(pass, pass2);
  const go = () => run(async () => {
    const r = await ipc.backup(file!.handle, pass);
    setPass('');
    setPass2('');
    setMsg(`Backup written: ${r.secrets} secrets, ${r.versions} versions, ${r.bytes} bytes.`);
    toast('Backup written.');
  });
  return (
    <section class="card">
      <h3>Encrypted backup</h3>
      <p class="muted small">The whole vault (values, versions, metadata, trash, audit) under its own passphrase; it restores on another machine.</p>
      <FilePick id="backup-path" purpose="backupWrite" value={file} set={setFile} suggested="hush-backup.hushbak" placeholder="Where to write the backup" />
      <NewPassphrase id="backup-pass" label="Backup passphrase" value={pass} confirm={pass2} set={setPass} setConfirm={setPass2} />
      <button id="backup-go" disabled={!file || problem !== null} title={problem ?? ''} onClick={go}>Write backup</button>
      {msg && <p class="note" id="backup-msg">{msg}</p>}
      <ErrorNote error={error} id="backup-error" />
    </section>
  );
}

/** Settings: restore a backup into a new vault file next to this one (this vault is untouched). */
export function RestoreToNewFile({ keyMode }: { keyMode: KeyModeDto | null }) {
  const [file, setFile] = useState<PickedFile | null>(null);
  const [target, setTarget] = useState<PickedFile | null>(null);
  const [backupPass, setBackupPass] = useState('');
  const [newPass, setNewPass] = useState('');
  const [newPass2, setNewPass2] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const [error, run] = useGuard();
  const passphraseMode = keyMode === 'passphrase';
  const problem = passphraseMode ? passphraseProblem(newPass, newPass2) : null;
  const go = () => run(async () => {
    setMsg(null);
    const r = await ipc.restoreBackup(file!.handle, backupPass, passphraseMode ? newPass : null, target!.handle);
    setBackupPass('');
    setNewPass('');
    setNewPass2('');
    setMsg(`Restored ${r.secrets} secrets (${r.versions} versions, ${r.trashed} in the trash, ${r.auditEntries} audit entries) into ${r.vault}. This vault stays open; the new file is a vault of its own.`);
  });
  return (
    <section class="card" id="restore-card">
      <h3>Restore a backup</h3>
      <p class="muted small">Restores into a new vault file; this vault stays as it is. A damaged or truncated backup is refused whole.</p>
      <FilePick id="restore-file" purpose="backupRead" value={file} set={setFile} placeholder="Backup file" />
      <input type="password" id="restore-backup-pass" aria-label="Backup passphrase" placeholder="Backup passphrase" value={backupPass} onInput={(e) => setBackupPass(e.currentTarget.value)} />
      <FilePick id="restore-target" purpose="restoreTarget" value={target} set={setTarget} suggested="restored.db" placeholder="New vault file" />
      {passphraseMode && <NewPassphrase id="restore-new-pass" label="Passphrase for the new vault" value={newPass} confirm={newPass2} set={setNewPass} setConfirm={setNewPass2} />}
      <button id="restore-go" disabled={!file || !target || !backupPass || problem !== null} title={problem ?? ''} onClick={go}>Restore into a new vault</button>
      {msg && <p class="note" id="restore-msg">{msg}</p>}
      <ErrorNote error={error} id="restore-error" />
    </section>
  );
}

/** Setup: the fields of "restore from a backup" on first run (the protection comes from Setup). */
export function RestoreFields({ file, setFile, pass, setPass }: { file: PickedFile | null; setFile: (v: PickedFile | null) => void; pass: string; setPass: (v: string) => void }) {
  return (
    <>
      <FilePick id="setup-backup-file" purpose="backupRead" value={file} set={setFile} placeholder="Backup file (.hushbak)" />
      <input type="password" id="setup-backup-pass" aria-label="Backup passphrase" placeholder="Backup passphrase" value={pass} onInput={(e) => setPass(e.currentTarget.value)} autocomplete="off" />
    </>
  );
}
