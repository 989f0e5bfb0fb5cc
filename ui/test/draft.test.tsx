// @vitest-environment happy-dom
// Unsaved edits are not thrown away without asking: another row clicked while editing, Escape in
// the New-secret editor after typing. The app asks with its usual yes / no question (ipc.ask).
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SecretDetail, SecretRow } from '../src/lib/bindings';

const NOW = 1_790_000_000;
const asked: string[] = [];
const answer = { yes: false };
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    ask: async (message: string) => { asked.push(message); return answer.yes; },
    detail: async (path: string): Promise<SecretDetail> => ({
      path, folder: 'app', name: path.slice(4), kind: 'api_key', tags: [], description: null, meta: {},
      version: 1, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
      lastRotatedAt: null, lastReadAt: null, source: null, versionsKept: null,
    }),
  },
}));
const { Secrets } = await import('../src/views/Secrets');
const { Editor } = await import('../src/views/Editor');
const { draftPath } = await import('../src/lib/draft');

afterEach(() => { unmountAll(); asked.length = 0; answer.yes = false; });

const row = (path: string): SecretRow => ({ path, folder: 'app', name: path.slice(4), kind: 'api_key', tags: [], description: null, updatedAt: NOW - 60, expiresAt: null, version: 1 });
// A row click waits for the answer to "discard?" before the detail loads: two rounds of promises.
const idle = async () => { await settle(); await settle(); };
const click = (el: HTMLElement, sel: string) => act(() => { (el.querySelector(sel) as HTMLElement).click(); });
const type = (el: HTMLElement, sel: string, v: string) => act(() => {
  const i = el.querySelector(sel) as HTMLInputElement;
  i.value = v;
  i.dispatchEvent(new Event('input'));
});
const escape = (el: HTMLElement, sel: string) => act(() => {
  el.querySelector(sel)!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
});

describe('unsaved edits', () => {
  it('clicking another row while editing asks first, and stays if the answer is no', async () => {
    const el = mount(<Secrets rows={[row('app/A'), row('app/B')]} folder={null} tag={null} reload={async () => {}} intent={null} />);
    await idle();
    click(el, '[data-path="app/A"]');
    await idle();
    click(el, '#tab-edit');
    type(el, '#edit-description', 'typed');
    expect(draftPath()).toBe('app/A');
    click(el, '[data-path="app/B"]');
    await idle();
    expect(asked).toEqual(['Discard your unsaved changes to app/A?']);
    expect(el.querySelector('#detail-name')!.textContent).toBe('A');
    expect((el.querySelector('#edit-description') as HTMLInputElement).value).toBe('typed');
    answer.yes = true;
    click(el, '[data-path="app/B"]');
    await idle();
    expect(el.querySelector('#detail-name')!.textContent).toBe('B');
    expect(draftPath()).toBeNull();
  });
  it('clicking another row with nothing typed does not ask', async () => {
    const el = mount(<Secrets rows={[row('app/A'), row('app/B')]} folder={null} tag={null} reload={async () => {}} intent={null} />);
    await idle();
    click(el, '[data-path="app/A"]');
    await idle();
    click(el, '#tab-edit');
    click(el, '[data-path="app/B"]');
    await idle();
    expect(asked).toEqual([]);
    expect(el.querySelector('#detail-name')!.textContent).toBe('B');
  });
  it('Escape in the New-secret editor after typing asks before discarding', async () => {
    let cancelled = 0;
    const el = mount(<Editor folder="app" onSaved={() => {}} onCancel={() => { cancelled++; }} />);
    escape(el, '#edit-path');
    await idle();
    expect([asked.length, cancelled]).toEqual([0, 1]);
    type(el, '#edit-path', 'app/NEW_KEY');
    type(el, '#edit-value', 'typed-secret');
    expect(draftPath()).toBe('app/NEW_KEY');
    escape(el, '#edit-value');
    await idle();
    expect(asked).toEqual(['Discard your unsaved changes to app/NEW_KEY?']);
    expect(cancelled).toBe(1);
    answer.yes = true;
    escape(el, '#edit-value');
    await idle();
    expect(cancelled).toBe(2);
  });
});
