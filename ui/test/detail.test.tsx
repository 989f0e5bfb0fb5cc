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
let version = 1;
let gone = false;
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error { constructor(public code: string, public reason: string, message: string) { super(message); } },
  ipc: {
    detail: async (path: string): Promise<SecretDetail> => {
      if (gone) { const { HushError } = await import('../src/lib/ipc'); throw new HushError('not_found', 'not_found', 'gone'); }
      return {
      path, folder: 'app', name: 'API_KEY', kind: 'api_key', tags: [], description: null, meta: {},
      version, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
      lastRotatedAt: null, lastReadAt: readAt, source: null, versionsKept: null,
    }; },
    copy: async (path: string) => { calls.push(`copy ${path}`); readAt = NOW; return { clearsInSecs: 30 }; },
    reveal: async (path: string) => { calls.push(`reveal ${path}`); readAt = NOW + 120; return { path, version, value: `v${version}` }; },
  },
}));
const { Detail } = await import('../src/views/Detail');
const { dateTime } = await import('../src/lib/format');

afterEach(() => { unmountAll(); calls.length = 0; readAt = null; version = 1; gone = false; });

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
    expect(el.querySelector('#value')!.textContent).toBe('v1');
    // Hiding is not a read.
    click(el, '#reveal');
    await settle();
    expect(calls).toEqual(['copy app/API_KEY', 'reveal app/API_KEY']);
    expect(el.querySelector('#value')!.className).toBe('masked');
  });

  it('reads the secret again on coming back to the window, and hides a value of an older version', async () => {
    let listReloads = 0;
    const el = mount(<Detail path="app/API_KEY" onChanged={async () => { listReloads += 1; }} onGone={() => {}} onMoved={async () => {}} />);
    await settle();
    click(el, '#reveal');
    await settle();
    expect(el.querySelector('#value')!.textContent).toBe('v1');
    // The same version on return: the value stays shown.
    act(() => { window.dispatchEvent(new Event('focus')); });
    await settle();
    expect(el.querySelector('#value')!.textContent).toBe('v1');
    // `hush set` from the command line meanwhile.
    version = 2;
    act(() => { window.dispatchEvent(new Event('focus')); });
    await settle();
    expect(el.querySelector('#detail-version')!.textContent).toBe('version 2');
    expect(el.querySelector('#value')!.className).toBe('masked');
    expect(el.textContent).not.toContain('v1');
    // `hush rm` meanwhile: the view says so.
    gone = true;
    act(() => { document.dispatchEvent(new Event('visibilitychange')); });
    await settle();
    expect(el.querySelector('#detail-gone')!.textContent).toContain('no longer here');
    // ...and the list drops it now, not on the next return to the window.
    expect(listReloads).toBe(1);
  });

  it('keeps the version an open editor started from', async () => {
    const el = mount(<Detail path="app/API_KEY" onChanged={async () => {}} onGone={() => {}} onMoved={async () => {}} />);
    await settle();
    click(el, '#tab-edit');
    await settle();
    version = 2;
    act(() => { window.dispatchEvent(new Event('focus')); });
    await settle();
    expect(el.querySelector('#detail-version')!.textContent).toBe('version 1');
  });
});
