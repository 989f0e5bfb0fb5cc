// Dates and small text helpers (pure; unit-tested).

const DAY = 86_400;

export function isoDate(ts: number | null | undefined): string {
  if (ts == null) return '—';
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

export function dateTime(ts: number): string {
  return new Date(ts * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/** "in 3 days", "2 hours ago", "today"... relative to `now` (seconds). */
export function relative(ts: number | null | undefined, now: number): string {
  if (ts == null) return '—';
  const d = ts - now;
  const a = Math.abs(d);
  const unit = a < 60 ? ['second', 1] : a < 3600 ? ['minute', 60] : a < DAY ? ['hour', 3600] : a < 30 * DAY ? ['day', DAY] : a < 365 * DAY ? ['month', 30 * DAY] : ['year', 365 * DAY];
  const n = Math.max(1, Math.round(a / (unit[1] as number)));
  const s = `${n} ${unit[0]}${n === 1 ? '' : 's'}`;
  if (a < 45) return 'just now';
  return d > 0 ? `in ${s}` : `${s} ago`;
}

/** Parses a YYYY-MM-DD date input to Unix seconds (UTC midnight), or null if empty/invalid. */
export function parseDay(s: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) ? null : t / 1000;
}

export function splitTags(s: string): string[] {
  return [...new Set(s.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];
}

export const KINDS = ['generic', 'api_key', 'token', 'password', 'connection_string', 'certificate', 'ssh_key', 'docker_credentials'] as const;

export function kindLabel(k: string): string {
  return k.replace(/_/g, ' ');
}

export function isMultiline(kind: string): boolean {
  return kind === 'certificate' || kind === 'ssh_key';
}
