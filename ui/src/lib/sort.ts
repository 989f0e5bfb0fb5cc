// Sorting the secrets list (pure; unit-tested): natural order (KEY_2 before KEY_100), by any
// column, ascending or descending.
import type { SecretRow } from './bindings';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural, case-insensitive comparison: digits compare as numbers. */
export const natural = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

export type SortKey = 'name' | 'kind' | 'updated' | 'expires' | 'version';
export interface Sort {
  key: SortKey;
  desc: boolean;
}

const num = (a: number | null, b: number | null) => (a ?? Infinity) - (b ?? Infinity);

const BY: Record<SortKey, (a: SecretRow, b: SecretRow) => number> = {
  name: (a, b) => natural(a.path, b.path),
  kind: (a, b) => natural(a.kind, b.kind) || natural(a.path, b.path),
  updated: (a, b) => a.updatedAt - b.updatedAt || natural(a.path, b.path),
  expires: (a, b) => num(a.expiresAt, b.expiresAt) || natural(a.path, b.path),
  version: (a, b) => a.version - b.version || natural(a.path, b.path),
};

export function sortRows(rows: SecretRow[], s: Sort): SecretRow[] {
  const by = BY[s.key];
  const out = rows.slice().sort(by);
  return s.desc ? out.reverse() : out;
}

/** Clicking a column header: the same column flips the direction, another starts ascending. */
export function toggle(s: Sort, key: SortKey): Sort {
  return s.key === key ? { key, desc: !s.desc } : { key, desc: false };
}
