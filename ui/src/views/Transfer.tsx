// Import a .env file (preview first: new / changed / unchanged / skipped / invalid, then one
// commit) and export folders to a file (plaintext on disk: warned).
import { useState } from 'preact/hooks';
import type { ExportResult, ImportPreviewDto, ImportResult } from '../lib/bindings';
import { ipc } from '../lib/ipc';

export function Transfer({ folder, onImported }: { folder: string | null; onImported: () => Promise<unknown> }) {
  return (
    <div class="page" id="transfer">
      <h2>Import / Export</h2>
      <ImportCard folder={folder} onImported={onImported} />
      <ExportCard folder={folder} />
    </div>
  );
}

function ImportCard({ folder, onImported }: { folder: string | null; onImported: () => Promise<unknown> }) {
  const [file, setFile] = useState('');
  const [into, setInto] = useState(folder ?? '');
  const [onExisting, setOnExisting] = useState('refuse');
  const [expand, setExpand] = useState(false);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [preview, setPreview] = useState<ImportPreviewDto | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const choose = async () => {
    const p = await ipc.pickFile(false);
    if (p) setFile(p);
  };
  const doPreview = async () => {
    setError(null);
    setDone(null);
    setPreview(null);
    try {
      setPreview(await ipc.importPreview({ file, folder: into, onExisting, expand, skipInvalid }));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const commit = async () => {
    if (!preview) return;
    try {
      const r = await ipc.importCommit(preview.digest, (p) => p.event === 'step' && setProgress(`${p.data.done}/${p.data.total}`));
      setDone(r);
      setPreview(null);
      await onImported();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="card">
      <h3>Import a .env file</h3>
      <div class="row">
        <input id="import-file" placeholder="/path/to/.env" value={file} onInput={(e) => setFile(e.currentTarget.value)} />
        <button id="import-choose" onClick={choose}>Choose…</button>
      </div>
      <div class="grid2">
        <label class="field"><span>Into folder</span><input id="import-folder" placeholder="myapp/dev" value={into} onInput={(e) => setInto(e.currentTarget.value)} /></label>
        <label class="field"><span>Secrets that exist with another value</span>
          <select id="import-existing" value={onExisting} onChange={(e) => setOnExisting(e.currentTarget.value)}>
            <option value="refuse">stop and show them</option><option value="overwrite">overwrite (new version)</option><option value="skip">keep mine</option>
          </select>
        </label>
      </div>
      <label class="check"><input type="checkbox" checked={expand} onChange={(e) => setExpand(e.currentTarget.checked)} /> Expand ${'{VAR}'} references (off: values are taken literally)</label>
      <label class="check"><input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.currentTarget.checked)} /> Leave out malformed lines instead of refusing the file</label>
      <button class="primary" id="import-preview" disabled={!file || !into} onClick={doPreview}>Preview</button>
      {error && <p class="error" id="import-error">{error}</p>}
      {preview && (
        <div id="import-preview-table">
          <p class="muted" id="import-counts">
            {preview.new} new · {preview.changed} changed · {preview.unchanged} unchanged · {preview.skipped} skipped · {preview.invalid} invalid
          </p>
          {preview.warnings.map((w) => <p class="warn small">{w}</p>)}
          <table class="grid">
            <thead><tr><th>Line</th><th>Name</th><th>Status</th><th>Note</th></tr></thead>
            <tbody>{preview.rows.map((r) => <tr class={`st-${r.status}`} data-name={r.name ?? ''}><td>{r.line}</td><td>{r.name ?? '—'}</td><td>{r.status}</td><td>{r.note ?? ''}</td></tr>)}</tbody>
          </table>
          {preview.blocker ? <p class="error" id="import-blocker">{preview.blocker}</p> : (
            <button class="primary" id="import-commit" onClick={commit}>Import {preview.new + preview.changed} secret(s) into {preview.folder}</button>
          )}
        </div>
      )}
      {progress && !done && <p class="muted small">{progress}</p>}
      {done && <p class="note" id="import-done">Imported into {done.folder}: {done.created} created, {done.updated} updated, {done.unchanged} unchanged, {done.skipped} skipped.</p>}
    </section>
  );
}

function ExportCard({ folder }: { folder: string | null }) {
  const [folders, setFolders] = useState(folder ?? '');
  const [format, setFormat] = useState('env');
  const [path, setPath] = useState('');
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const choose = async () => {
    const p = await ipc.pickFile(true, format === 'json' ? 'secrets.json' : '.env');
    if (p) setPath(p);
  };
  const doExport = async () => {
    setError(null);
    setResult(null);
    if (!confirm(`This writes the secrets in plaintext to ${path}. Continue?`)) return;
    try {
      setResult(await ipc.exportFile({ folders: folders.split(/[\s,]+/).filter(Boolean), format, path }));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="card">
      <h3>Export</h3>
      <p class="warn small">An export is plaintext on disk (written with mode 0600). Prefer <code>hush run</code> where you can.</p>
      <div class="grid2">
        <label class="field"><span>Folders (later ones win)</span><input id="export-folders" placeholder="myapp/dev myapp/dev-me" value={folders} onInput={(e) => setFolders(e.currentTarget.value)} /></label>
        <label class="field"><span>Format</span>
          <select id="export-format" value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
            <option value="env">.env</option><option value="json">JSON</option><option value="shell">shell (export …)</option>
          </select>
        </label>
      </div>
      <div class="row">
        <input id="export-path" placeholder="/path/to/output" value={path} onInput={(e) => setPath(e.currentTarget.value)} />
        <button id="export-choose" onClick={choose}>Choose…</button>
      </div>
      <button class="primary" id="export-go" disabled={!folders || !path} onClick={doExport}>Export</button>
      {error && <p class="error" id="export-error">{error}</p>}
      {result && (
        <p class="note" id="export-done">
          Wrote {result.count} secret(s) to {result.path}.
          {result.leftOut.length > 0 && ` Left out (not env names): ${result.leftOut.join(', ')}.`}
          {result.notPortable.length > 0 && ` Not portable to every reader: ${result.notPortable.join(', ')}.`}
        </p>
      )}
    </section>
  );
}
