// Version timeline: view an old version, diff it against the current one, roll back. A failure
// (say the secret was removed from the CLI meanwhile) is shown here, and the detail recovers.
import { useEffect, useState } from 'preact/hooks';
import type { SecretDetail, VersionRow } from '../lib/bindings';
import { type DiffLine, lineDiff } from '../lib/diff';
import { dateTime } from '../lib/format';
import { HushError, ipc } from '../lib/ipc';
import { useAutoHide } from '../lib/reveal';
import { toast } from '../lib/toast';
import { ErrorNote, useGuard } from '../components/Boundary';

export function History({ detail, onRolledBack, onGone }: { detail: SecretDetail; onRolledBack: () => Promise<unknown>; onGone: () => void }) {
  const [versions, setVersions] = useState<VersionRow[]>([]);
  const [shown, setShown] = useState<{ version: number; value: string } | null>(null);
  const [diff, setDiff] = useState<{ version: number; lines: DiffLine[] } | null>(null);
  const [error, run] = useGuard();
  // An old value or a diff hides itself as a reveal on the Value tab does (and goes with this
  // component when the user leaves the tab or the secret).
  const hide = () => { setShown(null); setDiff(null); };
  const left = useAutoHide(shown ?? diff, hide);

  /** Runs an action; a secret that vanished meanwhile sends the detail back to its own check. */
  const act = (f: () => Promise<void>) => run(async () => {
    try {
      await f();
    } catch (e) {
      if (e instanceof HushError && e.code === 'not_found') onGone();
      throw e;
    }
  });
  useEffect(() => void act(async () => setVersions((await ipc.history(detail.path)).reverse())), [detail.path, detail.version]);

  const view = (version: number) => act(async () => {
    setDiff(null);
    setShown({ version, value: (await ipc.reveal(detail.path, version)).value });
  });
  const compare = (version: number) => act(async () => {
    setShown(null);
    const [old, cur] = await Promise.all([ipc.reveal(detail.path, version), ipc.reveal(detail.path, null)]);
    setDiff({ version, lines: lineDiff(old.value, cur.value) });
  });
  const rollback = (version: number) => act(async () => {
    if (!(await ipc.ask(`Write version ${version} of ${detail.path} again as its newest version?`, 'Roll back'))) return;
    await ipc.rollback(detail.path, version, detail.version);
    setShown(null);
    setDiff(null);
    toast(`Rolled back to version ${version}.`);
    await onRolledBack();
  });

  return (
    <div class="history" id="history">
      <ErrorNote error={error} id="history-error" />
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
      {(shown || diff) && <button id="history-hide" onClick={hide}>Hide ({left}s)</button>}
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
