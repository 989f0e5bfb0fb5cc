// @vitest-environment happy-dom
// History: an old version (View) or a diff is plaintext on screen; it hides itself after the
// Value tab's reveal timeout, and goes when the user leaves the tab.
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SecretDetail } from '../src/lib/bindings';

const NOW = 1_790_000_000;
const VALUES: Record<number, string> = { 1: 'old-plaintext-v1', 2: 'current-plaintext-v2' };
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    detail: async (path: string): Promise<SecretDetail> => ({
      path, folder: 'app', name: 'API_KEY', kind: 'api_key', tags: [], description: null, meta: {},
      version: 2, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
      lastRotatedAt: null, lastReadAt: null, source: null, versionsKept: null,
    }),
    history: async () => [{ version: 1, createdAt: NOW - 120, current: false }, { version: 2, createdAt: NOW - 60, current: true }],
    reveal: async (path: string, version: number | null) => ({ path, version: version ?? 2, value: VALUES[version ?? 2] }),
  },
}));
const { Detail } = await import('../src/views/Detail');
const { REVEAL_SECS } = await import('../src/lib/reveal');

beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }); });
afterEach(() => { unmountAll(); vi.useRealTimers(); });

const click = (el: HTMLElement, sel: string) => act(() => { (el.querySelector(sel) as HTMLElement).click(); });
const tick = (ms: number) => act(() => { vi.advanceTimersByTime(ms); });

async function historyTab() {
  const el = mount(<Detail path="app/API_KEY" onChanged={async () => {}} onGone={() => {}} onMoved={async () => {}} />);
  await settle();
  click(el, '#tab-history');
  await settle();
  return el;
}

describe('History values hide', () => {
  it('an old version viewed leaves the DOM after the reveal timeout', async () => {
    const el = await historyTab();
    click(el, '#view-1');
    await settle();
    expect(el.querySelector('#history-value')!.textContent).toBe('old-plaintext-v1');
    tick((REVEAL_SECS - 1) * 1000);
    expect(el.textContent).toContain('old-plaintext-v1');
    tick(1000);
    expect(el.querySelector('#history-value')).toBeNull();
    expect(el.innerHTML).not.toContain('old-plaintext-v1');
  });
  it('a diff leaves the DOM after the reveal timeout', async () => {
    const el = await historyTab();
    click(el, '#diff-1');
    await settle();
    expect(el.querySelector('#history-diff')!.textContent).toContain('current-plaintext-v2');
    tick(REVEAL_SECS * 1000);
    expect(el.querySelector('#history-diff')).toBeNull();
    expect(el.innerHTML).not.toMatch(/plaintext/);
  });
  it('leaving the tab takes the value away; coming back does not show it again', async () => {
    const el = await historyTab();
    click(el, '#view-1');
    await settle();
    click(el, '#tab-value');
    expect(el.innerHTML).not.toContain('old-plaintext-v1');
    click(el, '#tab-history');
    await settle();
    expect(el.innerHTML).not.toContain('old-plaintext-v1');
  });
});
