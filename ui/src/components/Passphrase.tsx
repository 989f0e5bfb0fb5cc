// A new passphrase: the same minimum everywhere, a confirm field, and a strength hint.
import { MIN_PASSPHRASE, strength } from '../lib/format';

export function NewPassphrase({ id, label, value, confirm, set, setConfirm, optional = false }: {
  id: string; label: string; value: string; confirm: string; set: (v: string) => void; setConfirm: (v: string) => void; optional?: boolean;
}) {
  const s = strength(value);
  return (
    <div class="field new-pass">
      <span>{label}</span>
      <div class="grid2">
        <input type="password" id={id} aria-label={label} placeholder={optional ? 'Passphrase (optional)' : 'Passphrase'} autocomplete="new-password" value={value} onInput={(e) => set(e.currentTarget.value)} />
        <input type="password" id={`${id}-confirm`} aria-label={`${label} again`} placeholder="Repeat it" autocomplete="new-password" value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />
      </div>
      {value && <span class={`strength s${s.score}`} id={`${id}-strength`}>Strength: {s.label}</span>}
    </div>
  );
}

/** Why a new passphrase cannot be used yet (empty string allowed when optional), or null. */
export function passphraseProblem(value: string, confirm: string, optional = false): string | null {
  if (optional && !value && !confirm) return null;
  if (value.length < MIN_PASSPHRASE) return `Use at least ${MIN_PASSPHRASE} characters.`;
  if (value !== confirm) return 'The two entries differ.';
  return null;
}
