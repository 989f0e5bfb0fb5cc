// The trash: restore, purge one, or empty it (each purge destroys every version, for good).
import { useEffect, useState } from 'preact/hooks';
import type { TrashRow } from '../lib/bindings';
import { dateTime, isoDate } from '../lib/format';
import { ipc } from '../lib/ipc';
import { toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';

export function Trash({ onChange }: { onChange: () => Promise<unknown> }) {
  const [rows, setRows] = useState<TrashRow[]>([]);
  const [error, run] = useGuard();
  const load = () => run(async () => setRows(await ipc.trash()));
  useEffect(() => void load(), []);
  const act = (f: () => Promise<unknown>, note: string) => run(async () => {
    await f();
    toast(note);
    await load();
    await onChange();
  });
  const purge = async (paths: string[]) => {
    const what = paths.length === 1 ? paths[0] : `all ${paths.length} secrets in the trash`;
    if (await ipc.ask(`Destroy ${what} and every version, for good?`, 'Purge')) await act(() => ipc.purge(paths), `Purged ${what}.`);
  };
  return (
    <div class="page" id="trash">
      <div class="row"><h2>Trash</h2><span class="spacer" />{rows.length > 0 && <button class="danger" id="empty-trash" onClick={() => run(() => purge(rows.map((r) => r.path)))}>Empty the trash</button>}</div>
      <p class="muted">Deleted secrets stay here, every version intact, until their recovery window ends.</p>
      <ErrorNote error={error} />
      {rows.length === 0 && <p class="empty muted" id="trash-empty">The trash is empty.</p>}
      <table class="grid">
        {rows.length > 0 && <thead><tr><th>Path</th><th>Kind</th><th>Versions</th><th>Deleted</th><th>Purged after</th><th /></tr></thead>}
        <tbody>
          {rows.map((r) => (
            <tr data-path={r.path}>
              <td>{r.path}</td><td>{r.kind}</td><td>{r.version}</td><td>{dateTime(r.deletedAt)}</td><td>{isoDate(r.purgeAt)}</td>
              <td class="actions">
                <button class="restore" onClick={() => act(() => ipc.restore([r.path]), `Restored ${r.path}.`)}>Restore</button>
                <button class="danger purge" onClick={() => run(() => purge([r.path]))}>Purge</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
