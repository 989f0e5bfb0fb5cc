// One inline form for every rename / move (a secret, a folder, a bulk selection): Enter moves,
// Escape cancels, the error stays beside the field and the field keeps the focus.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from '../lib/toast';
import { moveProblem } from '../lib/move';

export function MoveForm({ id, label, from, initial, folder = false, submit, onCancel, button = 'Move' }: {
  id: string; label: string; from: string; initial?: string; folder?: boolean; button?: string;
  submit: (to: string) => Promise<unknown>; onCancel: () => void;
}) {
  const [to, setTo] = useState(initial ?? from);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); input.current?.select(); }, []);
  const go = async () => {
    const problem = moveProblem(from, to, folder);
    if (problem) { setError(problem); return; }
    setBusy(true);
    setError(null);
    try {
      await submit(to.trim());
    } catch (e) {
      setError(errorText(e));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter') { e.preventDefault(); void go(); }
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onCancel(); }
  };
  return (
    <div class="move-form" id={id}>
      <label class="field"><span>{label}</span>
        <input id={`${id}-to`} ref={input} autocomplete="off" spellcheck={false} value={to} aria-invalid={error ? true : undefined}
          onInput={(e) => { setTo(e.currentTarget.value); setError(null); }} onKeyDown={onKey} />
      </label>
      <div class="row">
        <button class="primary" id={`${id}-ok`} disabled={busy} onClick={go}>{button}</button>
        <button id={`${id}-cancel`} onClick={onCancel}>Cancel</button>
      </div>
      {error && <p class="error small" id={`${id}-error`} role="alert">{error}</p>}
    </div>
  );
}
