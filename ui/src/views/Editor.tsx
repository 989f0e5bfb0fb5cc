// Create or edit a secret. Kind-aware: docker credentials get fields, certificates and SSH keys a
// multiline box. Saving an edit uses check-and-set on the version being edited.
import { useState } from 'preact/hooks';
import type { SecretDetail } from '../lib/bindings';
import { isoDate, isMultiline, KINDS, kindLabel, parseDay, splitTags } from '../lib/format';
import { HushError, ipc } from '../lib/ipc';

interface Docker { registry: string; username: string; password: string; email: string }

export function Editor({ existing, folder, onSaved, onCancel }: {
  existing?: SecretDetail;
  folder?: string | null;
  onSaved: (path: string) => void;
  onCancel: () => void;
}) {
  const [path, setPath] = useState(existing?.path ?? (folder ? `${folder}/` : ''));
  const [kind, setKind] = useState(existing?.kind ?? 'generic');
  const [value, setValue] = useState('');
  const [show, setShow] = useState(false);
  const [docker, setDocker] = useState<Docker>({ registry: '', username: '', password: '', email: '' });
  const [description, setDescription] = useState(existing?.description ?? '');
  const [tags, setTags] = useState(existing?.tags.join(', ') ?? '');
  const [expires, setExpires] = useState(existing?.expiresAt ? isoDate(existing.expiresAt) : '');
  const [rotate, setRotate] = useState(existing?.rotateEveryDays ? String(existing.rotateEveryDays) : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const composed = (): string | null => {
    if (kind === 'docker_credentials') {
      if (!docker.registry && !docker.username && !docker.password) return null;
      return JSON.stringify({ registry: docker.registry, username: docker.username, password: docker.password, ...(docker.email ? { email: docker.email } : {}) });
    }
    return value === '' ? null : value;
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const v = composed();
    if (!existing && v === null) return setError('Enter a value.');
    if (expires && parseDay(expires) === null) return setError('Expiry must be a date (YYYY-MM-DD).');
    setBusy(true);
    setError(null);
    try {
      const r = await ipc.save({
        path: path.trim(),
        value: v,
        kind: v === null ? null : kind,
        tags: splitTags(tags),
        description: description || null,
        expiresAt: expires ? parseDay(expires) : null,
        rotateEveryDays: rotate ? Number(rotate) : null,
        cas: existing ? existing.version : 0,
      });
      setValue('');
      onSaved(r.path);
    } catch (err) {
      const h = err as HushError;
      setError(h.code === 'cas_conflict' ? `${h.message}. Someone (the CLI?) changed it meanwhile: cancel to see the new version.` : h.message);
    } finally {
      setBusy(false);
    }
  };

  const dockerField = (k: keyof Docker, label: string, type = 'text') => (
    <label class="field"><span>{label}</span>
      <input id={`docker-${k}`} type={type} value={docker[k]} onInput={(e) => setDocker({ ...docker, [k]: e.currentTarget.value })} />
    </label>
  );

  return (
    <form class="editor" id="editor" onSubmit={save}>
      {!existing && (
        <label class="field"><span>Path (folder/NAME)</span>
          <input id="edit-path" value={path} placeholder="myapp/dev/DATABASE_URL" onInput={(e) => setPath(e.currentTarget.value)} />
        </label>
      )}
      <label class="field"><span>Kind</span>
        <select id="edit-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {KINDS.map((k) => <option value={k}>{kindLabel(k)}</option>)}
        </select>
      </label>
      {kind === 'docker_credentials' ? (
        <div class="grid2">
          {dockerField('registry', 'Registry')}{dockerField('username', 'Username')}
          {dockerField('password', 'Password', 'password')}{dockerField('email', 'Email (optional)')}
        </div>
      ) : isMultiline(kind) ? (
        <label class="field"><span>{existing ? 'New value (leave empty to keep)' : 'Value'}</span>
          <textarea id="edit-value" rows={8} spellcheck={false} placeholder="-----BEGIN …" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
      ) : (
        <label class="field"><span>{existing ? 'New value (leave empty to keep)' : 'Value'}</span>
          <div class="row">
            <input id="edit-value" type={show ? 'text' : 'password'} autocomplete="off" spellcheck={false} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
            <button type="button" onClick={() => setShow(!show)}>{show ? 'Hide' : 'Show'}</button>
          </div>
        </label>
      )}
      <label class="field"><span>Description</span><input id="edit-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
      <label class="field"><span>Tags (comma separated)</span><input id="edit-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} /></label>
      <div class="grid2">
        <label class="field"><span>Expires</span><input id="edit-expires" type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} /></label>
        <label class="field"><span>Rotate every (days)</span><input id="edit-rotate" type="number" min="1" value={rotate} onInput={(e) => setRotate(e.currentTarget.value)} /></label>
      </div>
      {error && <p class="error" id="edit-error">{error}</p>}
      <div class="row end">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button class="primary" id="save" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
      </div>
    </form>
  );
}
