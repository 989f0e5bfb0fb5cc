// The editor's generator: the options of `hush generate` (a charset and a length, or N words),
// drawn in Rust from the OS CSPRNG. The value goes to `onValue` (a masked field); its entropy is
// shown for as long as the field still holds that value.
import { useState } from 'preact/hooks';
import type { Charset, Kind } from '../lib/bindings';
import { parseCount } from '../lib/format';
import { ipc } from '../lib/ipc';
import { errorText } from '../lib/toast';

/** A charset of `hush generate --charset`, or `words` (`--words N`). */
type GenKind = Charset | 'words';
const GEN_KINDS: [GenKind, string][] = [['alnum', 'letters, digits'], ['hex', 'hex'], ['base64url', 'base64url'], ['symbols', '+ symbols'], ['words', 'words']];
const defaults = (kind: Kind): [GenKind, string] => (kind === 'password' || kind === 'docker_credentials' ? ['symbols', '24'] : ['alnum', '32']);

export function Generator({ kind, current, onValue }: { kind: Kind; current: string; onValue: (value: string) => void }) {
  const [genKind, setGenKind] = useState<GenKind>(defaults(kind)[0]);
  const [length, setLength] = useState(defaults(kind)[1]);
  const [last, setLast] = useState<{ value: string; bits: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const words = genKind === 'words';

  const gen = async () => {
    const n = parseCount(length, 1, words ? 64 : 4096);
    if ('error' in n) return setError(n.error);
    setError(null);
    try {
      const g = await ipc.generate({ charset: words ? 'alnum' : genKind, length: n.value, words: words ? n.value : null });
      setLast({ value: g.value, bits: g.entropyBits });
      onValue(g.value);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const pick = (k: GenKind) => {
    if ((k === 'words') !== words) setLength(k === 'words' ? '6' : '32');
    setGenKind(k);
  };

  return (
    <div class="field">
      <div class="row generator" id="generator">
        <select id="gen-charset" aria-label="Generate from" value={genKind} onChange={(e) => pick(e.currentTarget.value as GenKind)}>
          {GEN_KINDS.map(([k, label]) => <option value={k}>{label}</option>)}
        </select>
        <input id="gen-length" class="narrow" type="number" inputMode="numeric" aria-label={words ? 'Words' : 'Length'} title={words ? 'Words' : 'Characters'} value={length} onInput={(e) => setLength(e.currentTarget.value)} />
        <button type="button" id="generate" title="Generate a random value (OS random numbers)" onClick={gen}>Generate</button>
        {last && last.value === current && <span class={`small ${last.bits < 64 ? 'warn' : 'muted'}`} id="gen-entropy">{Math.floor(last.bits)} bits of entropy{last.bits < 64 ? ': guessable as a key or password' : ''}</span>}
      </div>
      {error && <span class="error small field-error" id="edit-gen-error">{error}</span>}
    </div>
  );
}
