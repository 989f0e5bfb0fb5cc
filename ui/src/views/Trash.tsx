import { useEffect, useState } from 'preact/hooks';
import type { TrashRow } from '../lib/bindings';
import { dateTime, isoDate } from '../lib/format';
import { ipc } from '../lib/ipc';

export function Trash({ onChange }: { onChange: () => Promise<unknown> }) {
  const [rows, setRows] = useState<TrashRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = () => ipc.trash().then(setRows, (e) => setError(e.message));
  useEffect(() => void load(), []);
  const act = async (f: () => Promise<void>) => {
    try {
      await f();
      await load();
      await onChange();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div class="page" id="trash">
      <h2>Trash</h2>
      <p class="muted">Deleted secrets stay here, every version intact, until their recovery window ends.</p>
      {error && <p class="error">{error}</p>}
      {rows.length === 0 && <p class="empty muted">The trash is empty.</p>}
      <table class="grid">
        {rows.length > 0 && <thead><tr><th>Path</th><th>Kind</th><th>Versions</th><th>Deleted</th><th>Purged after</th><th /></tr></thead>}
        <tbody>
          {rows.map((r) => (
            <tr data-path={r.path}>
              <td>{r.path}</td><td>{r.kind}</td><td>{r.version}</td><td>{dateTime(r.deletedAt)}</td><td>{isoDate(r.purgeAt)}</td>
              <td class="actions">
                <button class="restore" onClick={() => act(() => ipc.restore(r.path))}>Restore</button>
                <button class="danger purge" onClick={() => confirm(`Destroy ${r.path} and every version, for good?`) && act(() => ipc.purge(r.path))}>Purge</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
