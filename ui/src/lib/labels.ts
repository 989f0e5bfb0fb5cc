// Words for the engine's enums, typed by them: a state the engine adds does not compile until it
// has its label here.
import type { FolderState } from './bindings';

/** A folder's sync state; `local_changed`: edited here since the plan was made. */
export type SyncBadge = FolderState | 'local_changed';

export const STATE_LABEL: Record<SyncBadge, string> = {
  in_sync: 'in sync', local_changed: 'changed locally', local_ahead: 'local ahead', remote_ahead: 'remote ahead', diverged: 'diverged', conflict: 'conflict', unreadable: 'cannot read',
};

/** What the remote's token may do under the prefix, from Vault's capability names (`root`,
 *  `deny`, `read`…): "root" is not a verb, so it gets its own words. */
export function tokenMay(caps: string[]): string {
  if (caps.includes('root')) return 'root token (may do everything)';
  const may = caps.filter((c) => c !== 'deny');
  return may.length ? `token may ${may.join(', ')}` : 'token may do nothing here';
}
