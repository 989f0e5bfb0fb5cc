// The secret being edited with unsaved changes: its path only, never a value (a value typed
// must not outlive the editor, least of all across a lock). The app reads it when the vault
// locks, to say afterwards what was discarded, and before an action that would discard it.
import { ipc } from './ipc';

let current: { owner: object; path: string } | null = null;

/** An editor (`owner`) has unsaved changes to `path`, or (null) none any more. */
export function setDraft(owner: object, path: string | null) {
  if (path !== null) current = { owner, path };
  else if (current?.owner === owner) current = null;
}

export function draftPath(): string | null {
  return current?.path ?? null;
}

/** True when nothing unsaved would be lost, or the user agrees to lose it (the native yes / no
 *  question the app asks before every destructive action). */
export async function confirmDiscard(): Promise<boolean> {
  if (!current) return true;
  return ipc.ask(`Discard your unsaved changes to ${current.path}?`, 'Discard');
}

/** Runs `f` (which would unmount an editor) at once when nothing is unsaved, else once the user
 *  agrees to lose the changes. */
export function afterDiscard(f: () => void): void {
  if (current === null) f();
  else void confirmDiscard().then((ok) => ok && f());
}

export function discardedNote(path: string): string {
  return `Your unsaved changes to ${path} were discarded when the vault locked.`;
}
