// Dates and small text helpers (pure; unit-tested). One date format everywhere: YYYY-MM-DD,
// with HH:MM where a time matters. Moments (last read, deleted) are shown in local time; days
// (an expiry, the audit's per-day counts) are UTC midnights in the vault, as `hush set --expires
// 2026-12-05` stores them, and are shown as the UTC day: in local time, west of UTC they read as
// the day before, and an edit that sent the shown date back moved the expiry a day earlier.

import type { Kind } from './bindings';

const DAY = 86_400;
const pad = (n: number) => String(n).padStart(2, '0');

function local(ts: number): Date {
  return new Date(ts * 1000);
}

/** A year as a date input reads it: four digits (year 5 is 0005, not 5). */
const year = (y: number) => String(y).padStart(4, '0');

/** A time the vault holds that no date can show (an edit of the file can put any number there). */
const OUT_OF_RANGE = 'out of range';

/** YYYY-MM-DD (local), or — for none. */
export function isoDate(ts: number | null | undefined): string {
  if (ts == null) return '—';
  const d = local(ts);
  if (Number.isNaN(d.getTime())) return OUT_OF_RANGE;
  return `${year(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** YYYY-MM-DD of a day stored as its UTC midnight (an expiry), or — for none. */
export function isoDay(ts: number | null | undefined): string {
  if (ts == null) return '—';
  const d = local(ts);
  if (Number.isNaN(d.getTime())) return OUT_OF_RANGE;
  return `${year(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** YYYY-MM-DD HH:MM (local). */
export function dateTime(ts: number): string {
  const d = local(ts);
  if (Number.isNaN(d.getTime())) return OUT_OF_RANGE;
  return `${isoDate(ts)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "in 3 days", "2 hours ago", "just now"... relative to `now` (seconds). */
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

/** Where an expiry date stands: expired (in the past), soon (within 30 days), or fine. */
export type ExpiryState = 'expired' | 'soon' | 'ok' | 'none';

export function expiry(ts: number | null | undefined, now: number): { state: ExpiryState; label: string } {
  if (ts == null) return { state: 'none', label: '—' };
  if (ts <= now) return { state: 'expired', label: `expired ${isoDay(ts)}` };
  return { state: ts < now + 30 * DAY ? 'soon' : 'ok', label: isoDay(ts) };
}

/** Parses a YYYY-MM-DD date input to Unix seconds (UTC midnight), or null if empty/invalid. */
export function parseDay(s: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) ? null : t / 1000;
}

/** A whole number from a number field, or an error to show beside it (a cleared field is not 0). */
export function parseCount(s: string, min: number, max: number): { value: number } | { error: string } {
  if (s.trim() === '') return { error: 'Enter a number.' };
  const n = Number(s);
  if (!Number.isInteger(n)) return { error: 'Enter a whole number.' };
  if (n < min || n > max) return { error: `Between ${min} and ${max}.` };
  return { value: n };
}

export function splitTags(s: string): string[] {
  return [...new Set(s.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))];
}

/** Every kind, in the editor's order; `satisfies` keeps it in step with the engine's enum. */
export const KINDS = ['generic', 'api_key', 'token', 'password', 'connection_string', 'certificate', 'ssh_key', 'docker_credentials'] as const satisfies readonly Kind[];

export function kindLabel(k: Kind): string {
  return k.replace(/_/g, ' ');
}

export function isMultiline(kind: Kind): boolean {
  return kind === 'certificate' || kind === 'ssh_key';
}

/** Passphrases: one minimum everywhere. */
export const MIN_PASSPHRASE = 8;

/** A rough strength hint for a passphrase (not a gate beyond the minimum). */
export function strength(p: string): { score: 0 | 1 | 2 | 3; label: string } {
  if (p.length < MIN_PASSPHRASE) return { score: 0, label: `too short (at least ${MIN_PASSPHRASE} characters)` };
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(p)).length;
  const words = p.trim().split(/\s+/).length;
  const bits = p.length * (classes >= 3 ? 5 : 4) + (words >= 4 ? 20 : 0);
  if (bits >= 90) return { score: 3, label: 'strong' };
  if (bits >= 60) return { score: 2, label: 'fair' };
  return { score: 1, label: 'weak: longer is better (four or more words work well)' };
}
