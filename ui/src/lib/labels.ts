// Words for the engine's enums, typed by them: a state the engine adds does not compile until it
// has its label here.
import type { FolderState } from './bindings';

/** A folder's sync state; `local_changed`: edited here since the plan was made. */
export type SyncBadge = FolderState | 'local_changed';

export const STATE_LABEL: Record<SyncBadge, string> = {
  in_sync: 'in sync', local_changed: 'changed locally', local_ahead: 'local ahead', remote_ahead: 'remote ahead', diverged: 'diverged', conflict: 'conflict',
};
