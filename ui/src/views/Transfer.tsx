// Import a .env file (preview first: new / changed / unchanged / skipped / invalid, then one
// commit) and export folders to a file (plaintext on disk: warned; the save dialog asks before
// replacing a file). Files come from the native dialog only.
import { useState } from 'preact/hooks';
import type { ExportFormatDto, ExportResult, ImportPreviewDto, ImportResult, OnExistingDto, PickedFile } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { appWords, toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { FilePick } from '../components/FilePick';
import { BoxedTable } from '../components/VirtualTable';

const IMPORT_ROW_H = 30;

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
  const [file, setFile] = useState<PickedFile | null>(null);
  const [into, setInto] = useState(folder ?? '');
  const [onExisting, setOnExisting] = useState<OnExistingDto>('refuse');
  const [expand, setExpand] = useState(false);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [preview, setPreview] = useState<ImportPreviewDto | null>(null);
  const [done, setDone] = useState<ImportResult | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, run] = useGuard();

  const doPreview = () => run(async () => {
    setDone(null);
    setPreview(null);
    setPreview(await ipc.importPreview({ file: file!.handle, folder: into, onExisting, expand, skipInvalid }));
  });
  const commit = () => run(async () => {
    if (!preview) return;
    const r = await ipc.importCommit(preview.digest, (p) => setProgress(`${p.done}/${p.total}`)).done;
    setDone(r);
    setPreview(null);
    toast(`Imported into ${r.folder}.`);
    await onImported();
  });

  return (
    <section class="card">
      <h3>Import a .env file</h3>
      <FilePick id="import-file" purpose="importEnv" value={file} set={(f) => { setFile(f); setPreview(null); }} placeholder="The .env file to import" />
      <div class="grid2">
        <label class="field"><span>Into folder</span><input id="import-folder" placeholder="myapp/dev" value={into} onInput={(e) => setInto(e.currentTarget.value)} /></label>
        <label class="field"><span>Secrets that exist with another value</span>
          <select id="import-existing" value={onExisting} onChange={(e) => setOnExisting(e.currentTarget.value as OnExistingDto)}>
            <option value="refuse">stop and show them</option><option value="overwrite">overwrite (new version)</option><option value="skip">keep mine</option>
          </select>
        </label>
      </div>
      <label class="check"><input type="checkbox" id="import-expand" checked={expand} onChange={(e) => setExpand(e.currentTarget.checked)} /> Expand ${'{VAR}'} references (off: values are taken literally)</label>
      <label class="check"><input type="checkbox" id="import-skip-invalid" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.currentTarget.checked)} /> Leave out malformed lines instead of refusing the file</label>
      <button class="primary" id="import-preview" disabled={!file || !into} onClick={doPreview}>Preview</button>
      <ErrorNote error={error} id="import-error" />
      {preview && (
        <div id="import-preview-table">
          <p class="muted" id="import-counts">
            {preview.new} new · {preview.changed} changed · {preview.unchanged} unchanged · {preview.skipped} skipped · {preview.invalid} invalid
          </p>
          {preview.warnings.map((w) => <p class="warn small">{appWords(w)}</p>)}
          <ImportRows preview={preview} />
          {preview.blocker ? <p class="error" id="import-blocker">{appWords(preview.blocker)}</p> : (
            <button class="primary" id="import-commit" onClick={commit}>Import {preview.new + preview.changed} secret(s) into {preview.folder}</button>
          )}
        </div>
      )}
      {progress && !done && <p class="muted small">{progress}</p>}
      {done && <p class="note" id="import-done">Imported into {done.folder}: {done.created} created, {done.updated} updated, {done.unchanged} unchanged, {done.skipped} skipped.</p>}
    </section>
  );
}

/** The preview's lines, only those in view in the DOM. A large file sends a part of its lines
 *  (those to look at first); the note says so, and the counts above cover every line. */
export function ImportRows({ preview }: { preview: ImportPreviewDto }) {
  const rows = preview.rows;
  const header = <div class="vrow irow head"><span>Line</span><span>Name</span><span>Status</span><span>Note</span></div>;
  const row = (r: ImportPreviewDto['rows'][number]) => (
    <div class={`vrow irow st-${r.status}`} role="row" style={{ height: `${IMPORT_ROW_H}px` }} data-name={r.name ?? ''} data-line={r.line}>
      <span>{r.line}</span><span title={r.name ?? ''}>{r.name ?? '—'}</span><span class="c-status">{r.status}</span><span title={appWords(r.note ?? '')}>{appWords(r.note ?? '')}</span>
    </div>
  );
  return (
    <>
      {preview.rowsTotal > rows.length && (
        <p class="muted small" id="import-rows-shown">
          Showing {rows.length.toLocaleString('en-US')} of {preview.rowsTotal.toLocaleString('en-US')} lines: those changed, skipped, invalid or with a note first, then the first of the rest. The counts above cover every line.
        </p>
      )}
      <BoxedTable id="import-rows" label="Lines of the file" items={rows} rowHeight={IMPORT_ROW_H} maxRows={12} header={header} row={row} />
    </>
  );
}

function ExportCard({ folder }: { folder: string | null }) {
  const [folders, setFolders] = useState(folder ?? '');
  const [format, setFormat] = useState<ExportFormatDto>('env');
  const [file, setFile] = useState<PickedFile | null>(null);
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, run] = useGuard();

  const doExport = () => run(async () => {
    setResult(null);
    if (!(await ipc.ask(`This writes the secrets in plaintext to ${file!.path}. Continue?`, 'Export'))) return;
    setResult(await ipc.exportFile({ folders: folders.split(/[\s,]+/).filter(Boolean), format, file: file!.handle }));
  });

  return (
    <section class="card">
      <h3>Export</h3>
      <p class="warn small">An export is plaintext on disk (written with mode 0600). To run a program with its secrets and no file, use Hush's run from a terminal.</p>
      <div class="grid2">
        <label class="field"><span>Folders (later ones win)</span><input id="export-folders" placeholder="myapp/dev myapp/dev-me" value={folders} onInput={(e) => setFolders(e.currentTarget.value)} /></label>
        <label class="field"><span>Format</span>
          <select id="export-format" value={format} onChange={(e) => setFormat(e.currentTarget.value as ExportFormatDto)}>
            <option value="env">.env</option><option value="json">JSON</option><option value="shell">shell (export …)</option>
          </select>
        </label>
      </div>
      <FilePick id="export-path" purpose="export" value={file} set={setFile} suggested={format === 'json' ? 'secrets.json' : '.env'} placeholder="Where to write the export" />
      <button class="primary" id="export-go" disabled={!folders || !file} onClick={doExport}>Export</button>
      <ErrorNote error={error} id="export-error" />
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
