// The trash: restore, purge one, or empty it (each purge destroys every version, for good).
import { useEffect, useState } from 'preact/hooks';
import type { TrashRow } from '../lib/bindings';
import { dateTime, isoDate } from '../lib/format';
import { ipc } from '../lib/ipc';
import { dismissAbout, toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';
import { BoxedTable } from '../components/VirtualTable';

const TRASH_ROW_H = 36;

export function Trash({ onChange }: { onChange: () => Promise<unknown> }) {
  const [rows, setRows] = useState<TrashRow[]>([]);
  const [error, run] = useGuard();
  const load = () => run(async () => setRows(await ipc.trash()));
  useEffect(() => void load(), []);
  // Read again whatever happened: a row the CLI restored or purged meanwhile fails here, and
  // must not stay listed.
  const act = (f: () => Promise<unknown>, note: string) => run(async () => {
    try {
      await f();
      toast(note);
    } finally {
      setRows(await ipc.trash());
      await onChange();
    }
  });
  const purge = async (paths: string[]) => {
    const what = paths.length === 1 ? paths[0] : `all ${paths.length} secrets in the trash`;
    if (await ipc.ask(`Destroy ${what} and every version, for good?`, 'Purge')) await act(() => ipc.purge(paths), `Purged ${what}.`);
  };
  // The "Moved to the trash — Undo" toast would now fail (already exists): it goes.
  const restore = async (path: string) => { await ipc.restore([path]); dismissAbout([path]); };
  // Only the rows in view are in the DOM: a folder of 10,000 secrets can land here at once.
  const header = <div class="vrow trow head"><span>Path</span><span>Kind</span><span class="num">Versions</span><span>Deleted</span><span>Purged after</span><span /></div>;
  const row = (r: TrashRow) => (
    <div class="vrow trow" role="row" style={{ height: `${TRASH_ROW_H}px` }} data-path={r.path}>
      <span title={r.path}>{r.path}</span><span>{r.kind}</span><span class="num">{r.version}</span><span>{dateTime(r.deletedAt)}</span><span title={r.purgeAt === null ? 'The vault settings were changed outside Hush: nothing is purged until they are sound (see hush doctor)' : undefined}>{r.purgeAt === null ? 'never (settings altered)' : isoDate(r.purgeAt)}</span>
      <span class="actions">
        <button class="restore" onClick={() => act(() => restore(r.path), `Restored ${r.path}.`)}>Restore</button>
        <button class="danger purge" onClick={() => run(() => purge([r.path]))}>Purge</button>
      </span>
    </div>
  );
  return (
    <div class="page" id="trash">
      <div class="row"><h2>Trash</h2><span class="spacer" />{rows.length > 0 && <button class="danger" id="empty-trash" onClick={() => run(() => purge(rows.map((r) => r.path)))}>Empty the trash</button>}</div>
      <p class="muted">Deleted secrets stay here, every version intact, until their recovery window ends.</p>
      <ErrorNote error={error} />
      {rows.length === 0 && <p class="empty muted" id="trash-empty">The trash is empty.</p>}
      {rows.length > 0 && (
        <BoxedTable id="trash-table" label="Secrets in the trash" items={rows} rowHeight={TRASH_ROW_H} maxRows={14} header={header} row={row} />
      )}
    </div>
  );
}
