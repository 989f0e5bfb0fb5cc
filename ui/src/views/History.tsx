// Version timeline: view an old version, diff it against the current one, roll back.
import { useEffect, useState } from 'preact/hooks';
import type { SecretDetail, VersionRow } from '../lib/bindings';
import { type DiffLine, lineDiff } from '../lib/diff';
import { dateTime } from '../lib/format';
import { ipc } from '../lib/ipc';

export function History({ detail, onRolledBack }: { detail: SecretDetail; onRolledBack: () => Promise<unknown> }) {
  const [versions, setVersions] = useState<VersionRow[]>([]);
  const [shown, setShown] = useState<{ version: number; value: string } | null>(null);
  const [diff, setDiff] = useState<{ version: number; lines: DiffLine[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => void ipc.history(detail.path).then((v) => setVersions(v.reverse()), (e) => setError(e.message)), [detail.path, detail.version]);

  const view = async (version: number) => {
    setDiff(null);
    setShown({ version, value: (await ipc.reveal(detail.path, version)).value });
  };
  const compare = async (version: number) => {
    setShown(null);
    const [old, cur] = await Promise.all([ipc.reveal(detail.path, version), ipc.reveal(detail.path, null)]);
    setDiff({ version, lines: lineDiff(old.value, cur.value) });
  };
  const rollback = async (version: number) => {
    if (!confirm(`Write version ${version} again as the newest version?`)) return;
    try {
      await ipc.rollback(detail.path, version, detail.version);
      setShown(null);
      setDiff(null);
      await onRolledBack();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div class="history" id="history">
      {error && <p class="error">{error}</p>}
      <ol class="timeline">
        {versions.map((v) => (
          <li class={v.current ? 'current' : ''} data-version={v.version}>
            <span class="dot" />
            <b>v{v.version}</b> <span class="muted small">{dateTime(v.createdAt)}</span> {v.current && <span class="chip">current</span>}
            <span class="actions">
              <button id={`view-${v.version}`} onClick={() => view(v.version)}>View</button>
              {!v.current && <button id={`diff-${v.version}`} onClick={() => compare(v.version)}>Diff</button>}
              {!v.current && <button id={`rollback-${v.version}`} onClick={() => rollback(v.version)}>Roll back</button>}
            </span>
          </li>
        ))}
      </ol>
      {shown && <><h4>Version {shown.version}</h4><pre class="shown" id="history-value">{shown.value}</pre></>}
      {diff && (
        <>
          <h4>Version {diff.version} → current</h4>
          <pre class="diff" id="history-diff">{diff.lines.map((l) => <div class={`d${l.op === ' ' ? 'same' : l.op === '-' ? 'del' : 'add'}`}>{l.op} {l.text}</div>)}</pre>
        </>
      )}
    </div>
  );
}
