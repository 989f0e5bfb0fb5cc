// A vault whose rows no longer make up the state Hush last wrote (parts of an older copy put
// back, records removed or added outside Hush): every write is refused and the altered records
// do not open. The banner says what differs and offers the two ways out the CLI has: a backup,
// or taking the file as it is (`hush doctor --accept-state`) for parts the user put back.
import { useEffect, useState } from 'preact/hooks';
import { ipc } from '../lib/ipc';
import { errorText, toast } from '../lib/toast';

export function StateBanner({ onAccepted, onRestore }: { onAccepted: () => void; onRestore: () => void }) {
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const check = () => ipc.vaultState().then(setProblems, () => {});
  useEffect(() => { void check(); return ipc.onStateAltered(() => void check()); }, []);
  if (!problems.length) return null;
  const accept = async () => {
    const sure = await ipc.ask(
      'Take the vault file as it is now as its state? Do this only if you put those parts back yourself (from a copy you trust): a part someone else put back would then read as current. A record whose own check fails stays an error.',
      'Accept as it is',
    );
    if (!sure) return;
    try {
      const n = await ipc.acceptState();
      toast(`The vault file as it is now is the vault's state (${n} part(s) differed).`);
      setProblems([]);
      onAccepted();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="state-banner" id="state-banner" role="alert">
      <p><b>This vault file no longer matches what Hush last wrote.</b> Parts of an older copy were put back, or records were removed or added outside Hush. Until this is settled, nothing can be saved and the parts named here do not open.</p>
      <ul>{problems.map((p) => <li>{p}</li>)}</ul>
      {error && <p class="error">{error}</p>}
      <div class="row">
        <button id="state-restore" onClick={onRestore}>Restore a backup…</button>
        <button id="state-accept" class="danger" onClick={() => void accept()}>Accept the file as it is…</button>
      </div>
    </div>
  );
}
