// Create or edit a secret. Kind-aware: docker credentials get one field each (edit any one alone:
// the others keep their current values), certificates and SSH keys a multiline box, and every
// single-line kind (and the docker password) the generator of `hush generate` (Generator.tsx).
// Saving an edit uses check-and-set on the version being edited. Escape cancels.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnMount } from '../lib/size';
import type { Kind, SecretDetail } from '../lib/bindings';
import { Generator } from '../components/Generator';
import { isoDay, isMultiline, KINDS, kindLabel, parseCount, parseDay, splitTags } from '../lib/format';
import { HushError, ipc } from '../lib/ipc';
import { errorText } from '../lib/toast';
import { confirmDiscard, setDraft } from '../lib/draft';

interface Docker { registry: string; username: string; password: string; email: string }
const NO_DOCKER: Docker = { registry: '', username: '', password: '', email: '' };

export function Editor({ existing, folder, onSaved, onCancel, onConflict }: {
  existing?: SecretDetail;
  folder?: string | null;
  onSaved: (path: string) => void;
  onCancel: () => void;
  /** An edit lost a check-and-set: reload `existing` (and the list), so the next Save is made
   *  against the version now current instead of conflicting forever. */
  onConflict?: () => Promise<unknown>;
}) {
  const [path, setPath] = useState(existing?.path ?? (folder ? `${folder}/` : ''));
  const [kind, setKind] = useState(existing?.kind ?? 'generic');
  const [value, setValue] = useState('');
  const [show, setShow] = useState(false);
  // A value with line breaks, or longer than a text field holds, is edited in a text area.
  const [lines, setLines] = useState(false);
  const [docker, setDocker] = useState<Docker>(NO_DOCKER);
  const [current, setCurrent] = useState<Docker | null>(null);
  const [description, setDescription] = useState(existing?.description ?? '');
  const [tags, setTags] = useState(existing?.tags.join(', ') ?? '');
  const [expires, setExpires] = useState(existing?.expiresAt ? isoDay(existing.expiresAt) : '');
  const [rotate, setRotate] = useState(existing?.rotateEveryDays ? String(existing.rotateEveryDays) : '');
  const [fieldError, setFieldError] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useFocusOnMount(first);
  const dirty = useDraft(existing?.path ?? null, [path, kind, value !== '', JSON.stringify(docker) !== JSON.stringify(current ?? NO_DOCKER), description, tags, expires, rotate]);
  // Escape is easy to press by accident: typed work is not thrown away without asking.
  const escape = async () => { if (!dirty || (await confirmDiscard())) onCancel(); };

  // Editing docker credentials: the current fields come in (a reveal, audited) so one can change alone.
  const loadDocker = async () => {
    try {
      const v = JSON.parse((await ipc.reveal(existing!.path)).value);
      const cur = { registry: v.registry ?? '', username: v.username ?? '', password: v.password ?? '', email: v.email ?? '' };
      setCurrent(cur);
      setDocker(cur);
    } catch (e) {
      setError(e instanceof SyntaxError ? 'The current value is not docker credentials (JSON); enter all fields.' : errorText(e));
    }
  };

  const composed = (): string | null => {
    if (kind === 'docker_credentials') {
      if (JSON.stringify(docker) === JSON.stringify(current ?? NO_DOCKER)) return null;
      return JSON.stringify({ registry: docker.registry, username: docker.username, password: docker.password, ...(docker.email ? { email: docker.email } : {}) });
    }
    return value === '' ? null : value;
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const v = composed();
    if (!existing && v === null) errs.value = 'Enter a value.';
    if (!existing && !/\/./.test(path.trim())) errs.path = 'Write it as folder/NAME, e.g. myapp/dev/API_KEY.';
    if (expires && parseDay(expires) === null) errs.expires = 'A date (YYYY-MM-DD).';
    const r = rotate === '' ? null : parseCount(rotate, 1, 3650);
    if (r && 'error' in r) errs.rotate = r.error;
    setFieldError(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      const res = await ipc.save({
        path: path.trim(), value: v, kind: v === null ? null : kind, tags: splitTags(tags), description: description || null,
        expiresAt: expires ? parseDay(expires) : null, rotateEveryDays: r && 'value' in r ? r.value : null, cas: existing ? existing.version : 0,
        // An emptied date field removes the expiry (null alone keeps what the secret has).
        clearExpiry: !!existing?.expiresAt && !expires,
      });
      setValue('');
      onSaved(res.path);
    } catch (err) {
      const h = err as HushError;
      if (h.reason === 'invalid_path') setFieldError({ path: errorText(h) });
      else if (h.reason === 'cas_conflict') await conflict(h);
      else setError(errorText(h));
    } finally {
      setBusy(false);
    }
  };

  // The typed fields stay as they are: only the version they will be saved against moves on.
  const conflict = async (h: HushError) => {
    if (!existing) return setError(`${h.message}. A secret with this path was created elsewhere meanwhile (the CLI?).`);
    setError(`${h.message}. It was changed elsewhere meanwhile (the CLI?); the detail now shows the new version: Save again to write your changes over it, or Cancel to keep it.`);
    await onConflict?.();
  };

  const err = (k: string) => fieldError[k] && <span class="error small field-error" id={`edit-${k}-error`}>{fieldError[k]}</span>;
  const dockerField = (k: keyof Docker, label: string, type = 'text') => (
    <label class="field"><span>{label}</span>
      <input id={`docker-${k}`} type={type} autocomplete="off" value={docker[k]} placeholder={existing && !current ? 'unchanged' : ''} onInput={(e) => setDocker({ ...docker, [k]: e.currentTarget.value })} />
    </label>
  );
  return (
    <form class="editor" id="editor" onSubmit={save} onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); void escape(); } }}>
      {!existing && (
        <label class="field"><span>Path (folder/NAME)</span>
          <input id="edit-path" ref={first} value={path} placeholder="myapp/dev/DATABASE_URL" aria-invalid={!!fieldError.path} onInput={(e) => setPath(e.currentTarget.value)} />
          {err('path')}
        </label>
      )}
      <label class="field"><span>Kind</span>
        <select id="edit-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          {KINDS.map((k) => <option value={k}>{kindLabel(k)}</option>)}
        </select>
      </label>
      {kind === 'docker_credentials' ? (
        <>
          {existing && !current && <button type="button" id="docker-load" onClick={loadDocker}>Edit fields one by one (loads the current values)</button>}
          <div class="grid2">
            {dockerField('registry', 'Registry')}{dockerField('username', 'Username')}
            {dockerField('password', 'Password', 'password')}{dockerField('email', 'Email (optional)')}
          </div>
          <Generator key={kind} kind={kind} current={docker.password} onValue={(password) => setDocker({ ...docker, password })} />
          {err('value')}
        </>
      ) : isMultiline(kind) || lines ? (
        <label class="field"><span>{existing ? 'New value (leave empty to keep)' : 'Value'}</span>
          <textarea id="edit-value" rows={8} spellcheck={false} placeholder={lines ? undefined : '-----BEGIN …'} class={lines && !show ? 'hidden-text' : undefined} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
          {lines && <button type="button" id="edit-show" onClick={() => setShow(!show)}>{show ? 'Hide' : 'Show'}</button>}
          {err('value')}
        </label>
      ) : (
        <>
        <label class="field"><span>{existing ? 'New value (leave empty to keep)' : 'Value'}</span>
          <div class="row">
            <input id="edit-value" type={show ? 'text' : 'password'} autocomplete="off" spellcheck={false} value={value} onInput={(e) => setValue(e.currentTarget.value)}
              onPaste={(e) => { const v = pasted(e); if (v !== null) { setValue(v); setLines(true); } }} />
            <button type="button" id="edit-show" onClick={() => setShow(!show)}>{show ? 'Hide' : 'Show'}</button>
          </div>
          {err('value')}
        </label>
        <Generator key={kind} kind={kind} current={value} onValue={setValue} />
        </>
      )}
      <label class="field"><span>Description</span><input id="edit-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>
      <label class="field"><span>Tags (comma separated)</span><input id="edit-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} /></label>
      <div class="grid2">
        <label class="field"><span>Expires</span><input id="edit-expires" type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} onChange={(e) => setExpires(e.currentTarget.value)} />{err('expires')}</label>
        <label class="field"><span>Rotate every (days)</span><input id="edit-rotate" type="number" inputMode="numeric" value={rotate} onInput={(e) => setRotate(e.currentTarget.value)} />{err('rotate')}</label>
      </div>
      {error && <p class="error" id="edit-error" role="alert">{error}</p>}
      <div class="row end">
        <button type="button" id="edit-cancel" onClick={onCancel}>Cancel</button>
        <button class="primary" id="save" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
      </div>
    </form>
  );
}

/** Whether the fields differ from how the editor opened; while they do, the draft registry
 *  names the secret (`existing`, else the typed path). `fields` holds no value, only whether
 *  one was typed. */
function useDraft(existing: string | null, fields: unknown[]): boolean {
  const owner = useRef({}).current;
  const now = JSON.stringify(fields);
  const initial = useRef(now);
  const dirty = now !== initial.current;
  const typed = String(fields[0]).trim();
  const label = existing ?? (/\/./.test(typed) ? typed : 'a new secret');
  useEffect(() => setDraft(owner, dirty ? label : null), [dirty, label]);
  useEffect(() => () => setDraft(owner, null), []);
  return dirty;
}

/** What a text field would hold after a paste it cannot take whole: a line break (an input turns
 *  it into a space) or more than its 524,288 characters (the rest is dropped). Then the paste is
 *  taken here, and the caller moves the value to a text area; otherwise null, and the field
 *  pastes as usual. */
export function pasted(e: ClipboardEvent): string | null {
  const text = e.clipboardData?.getData('text/plain') ?? '';
  if (!/[\r\n]/.test(text) && text.length <= 500_000) return null;
  e.preventDefault();
  const el = e.currentTarget as HTMLInputElement;
  const [from, to] = [el.selectionStart ?? el.value.length, el.selectionEnd ?? el.value.length];
  return el.value.slice(0, from) + text + el.value.slice(to);
}
