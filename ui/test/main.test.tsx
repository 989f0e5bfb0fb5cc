// @vitest-environment happy-dom
// The list follows changes made from the CLI when the window comes back into focus or view,
// keeping the selected row.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SecretDetail, SecretRow, VaultStatus } from '../src/lib/bindings';

const NOW = 1_790_000_000;
const row = (path: string, version = 1): SecretRow => ({ path, folder: 'app', name: path.slice(4), kind: 'api_key', tags: [], description: null, updatedAt: NOW - 60, expiresAt: null, version });
const vault = { rows: [row('app/A'), row('app/B'), row('app/C')] };
const answers: boolean[] = [];
const asked: string[] = [];
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    vaultState: async () => [],
    onStateAltered: () => () => {},
    list: async () => vault.rows,
    ask: async (q: string) => { asked.push(q); return answers.shift() ?? false; },
    trash: async () => [],
    detail: async (path: string): Promise<SecretDetail> => ({
      path, folder: 'app', name: path.slice(4), kind: 'api_key', tags: [], description: null, meta: {},
      version: 1, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
      lastRotatedAt: null, lastReadAt: null, source: null, versionsKept: null,
    }),
  },
}));
const { Main } = await import('../src/views/Main');
const { setDraft } = await import('../src/lib/draft');

afterEach(() => { unmountAll(); vault.rows = [row('app/A'), row('app/B'), row('app/C')]; });

const status: VaultStatus = {
  exists: true, path: '/v.db', keyMode: 'passphrase', lockKind: 'vaultPassphrase', openError: null,
  unlocked: true, hasRecovery: false, keychainOk: true, keychainMessage: null,
};
const paths = (el: HTMLElement) => [...el.querySelectorAll('#secrets-table [data-path]')].map((r) => r.getAttribute('data-path'));
const version = (el: HTMLElement, p: string) => el.querySelector(`[data-path="${p}"] .c-ver`)!.textContent;

const frames = () => act(() => new Promise((r) => setTimeout(r, 50)));
const key = (k: string, ctrl = false) => act(() => { window.dispatchEvent(new KeyboardEvent('keydown', { key: k, ctrlKey: ctrl, bubbles: true })); });

describe('Main, keyboard focus', () => {
  it('puts the focus on the list after the unlock, and back where it was when the palette closes', async () => {
    const el = mount(<Main status={status} onLocked={() => {}} />);
    await settle();
    await frames();
    const body = el.querySelector('#secrets-table .vbody');
    expect(document.activeElement).toBe(body);
    const search = el.querySelector('#search') as HTMLInputElement;
    search.focus();
    key('k', true);
    await settle();
    expect(document.activeElement!.id).toBe('palette-input');
    act(() => { document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); });
    await settle();
    await frames();
    expect(el.querySelector('#palette')).toBeNull();
    expect(document.activeElement).toBe(search);
  });
});

describe('Main', () => {
  it('asks before another view from the sidebar throws away unsaved changes', async () => {
    const el = mount(<Main status={status} onLocked={() => {}} />);
    await settle();
    const owner = {};
    setDraft(owner, 'app/A');
    const current = () => el.querySelector('[aria-current="page"]')!.id;
    answers.push(false);
    act(() => (el.querySelector('#nav-trash') as HTMLElement).click());
    await settle();
    expect(asked).toEqual(['Discard your unsaved changes to app/A?']);
    expect(current()).toBe('nav-secrets');
    answers.push(true);
    act(() => (el.querySelector('#nav-trash') as HTMLElement).click());
    await settle();
    expect(current()).toBe('nav-trash');
    setDraft(owner, null);
    act(() => (el.querySelector('#nav-secrets') as HTMLElement).click());
    await settle();
    expect(asked.length, 'nothing unsaved: no question').toBe(2);
  });
  it('reloads the list when the window regains focus or becomes visible, keeping the selection', async () => {
    const el = mount(<Main status={status} onLocked={() => {}} />);
    await settle();
    act(() => (el.querySelector('[data-path="app/C"]') as HTMLElement).click());
    await settle();
    vault.rows = [row('app/A'), row('app/C', 2)]; // the CLI deletes B and writes C
    act(() => { window.dispatchEvent(new Event('focus')); });
    await settle();
    expect(paths(el)).toEqual(['app/A', 'app/C']);
    expect(version(el, 'app/C')).toBe('2');
    expect(el.querySelector('[aria-selected="true"]')!.getAttribute('data-path')).toBe('app/C');
    vault.rows = [row('app/C', 3)];
    act(() => { document.dispatchEvent(new Event('visibilitychange')); });
    await settle();
    expect(paths(el)).toEqual(['app/C']);
    expect(version(el, 'app/C')).toBe('3');
  });
});
