// @vitest-environment happy-dom
// The detail view after a read: a copy and a reveal are reads (audited, `last_read_at` set on the
// Rust side), so "Last read" must not keep saying "—" while the user looks at it.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SecretDetail } from '../src/lib/bindings';

const NOW = 1_790_000_000;
const calls: string[] = [];
let readAt: number | null = null;
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    detail: async (path: string): Promise<SecretDetail> => ({
      path, folder: 'app', name: 'API_KEY', kind: 'api_key', tags: [], description: null, meta: {},
      version: 1, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
      lastRotatedAt: null, lastReadAt: readAt, source: null, versionsKept: null,
    }),
    copy: async (path: string) => { calls.push(`copy ${path}`); readAt = NOW; return { clearsInSecs: 30 }; },
    reveal: async (path: string) => { calls.push(`reveal ${path}`); readAt = NOW + 120; return { path, version: 1, value: 'v' }; },
  },
}));
const { Detail } = await import('../src/views/Detail');
const { dateTime } = await import('../src/lib/format');

afterEach(() => { unmountAll(); calls.length = 0; readAt = null; });

const lastRead = (el: HTMLElement) => el.querySelector('#detail-last-read')!.textContent;
const click = (el: HTMLElement, sel: string) => act(() => { (el.querySelector(sel) as HTMLElement).click(); });

describe('Detail', () => {
  it('shows the read a copy or a reveal just made', async () => {
    const el = mount(<Detail path="app/API_KEY" onChanged={async () => {}} onGone={() => {}} onMoved={async () => {}} />);
    await settle();
    expect(lastRead(el)).toBe('—');
    click(el, '#copy');
    await settle();
    expect(calls).toEqual(['copy app/API_KEY']);
    expect(lastRead(el)).toBe(dateTime(NOW));
    click(el, '#reveal');
    await settle();
    expect(lastRead(el)).toBe(dateTime(NOW + 120));
    expect(el.querySelector('#value')!.textContent).toBe('v');
    // Hiding is not a read.
    click(el, '#reveal');
    await settle();
    expect(calls).toEqual(['copy app/API_KEY', 'reveal app/API_KEY']);
    expect(el.querySelector('#value')!.className).toBe('masked');
  });
});
