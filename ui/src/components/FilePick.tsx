// A file chosen in the native dialog. The web view holds only the handle the Rust side gave
// for it (and the path, to show): file operations refuse anything else.
import { useState } from 'preact/hooks';
import type { PickedFile, PickPurpose } from '../lib/bindings';
import { ipc } from '../lib/ipc';
import { errorText } from '../lib/toast';

export function FilePick({ id, purpose, value, set, suggested, placeholder }: {
  id: string; purpose: PickPurpose; value: PickedFile | null; set: (f: PickedFile | null) => void; suggested?: string; placeholder: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const choose = async () => {
    setError(null);
    try {
      const f = await ipc.pickFile(purpose, suggested ?? null);
      if (f) set(f);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="file-pick">
      <div class="row">
        <input id={id} readOnly placeholder={placeholder} value={value?.path ?? ''} aria-label={placeholder} onClick={choose} />
        <button type="button" id={`${id}-choose`} onClick={choose}>Choose…</button>
      </div>
      {error && <p class="error small">{error}</p>}
    </div>
  );
}
