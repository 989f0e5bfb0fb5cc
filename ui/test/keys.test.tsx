// @vitest-environment happy-dom
// The secrets list from the keyboard: moves with no row selected, where the focus lands after a
// new secret is saved, and Escape in the one-pane detail wherever the focus is.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SaveRequest, SecretDetail, SecretRow } from '../src/lib/bindings';

const NOW = 1_790_000_000;
const removed: string[] = [];
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    ask: async () => true,
    detail: async (path: string): Promise<SecretDetail> => ({
      path, folder: 'app', name: path.slice(4), kind: 'api_key', tags: [], description: null, meta: {},
      version: 1, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
      lastRotatedAt: null, lastReadAt: null, source: null, versionsKept: null,
    }),
    save: async (req: SaveRequest) => ({ path: req.path, version: 1, created: true }),
    remove: async (paths: string[]) => { removed.push(...paths); },
  },
}));
const { Secrets } = await import('../src/views/Secrets');

const row = (path: string): SecretRow => ({ path, folder: 'app', name: path.slice(4), kind: 'api_key', tags: [], description: null, updatedAt: NOW - 60, expiresAt: null, version: 1 });
const ROWS = Array.from({ length: 30 }, (_, i) => row(`app/K${String(i).padStart(2, '0')}`));

let widthStub: PropertyDescriptor | undefined;
/** The view as wide as `px` (below 760: one pane). */
function width(px: number) {
  widthStub = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth');
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => px });
}
afterEach(() => {
  unmountAll();
  removed.length = 0;
  if (widthStub) Object.defineProperty(HTMLElement.prototype, 'clientWidth', widthStub);
  widthStub = undefined;
});

const view = (rows = ROWS) => mount(<Secrets rows={rows} folder={null} tag={null} reload={async () => {}} intent={null} />);
const key = (target: EventTarget, k: string) => act(() => { target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); });
const selectedPath = (el: HTMLElement) => el.querySelector('[role="row"][aria-selected="true"]')?.getAttribute('data-path') ?? null;
const frames = () => act(() => new Promise((r) => setTimeout(r, 50)));

describe('ticking rows from the keyboard', () => {
  it('Space ticks and unticks the selected row (the checkboxes are no Tab stops)', async () => {
    const el = view(ROWS.slice(0, 5));
    const body = el.querySelector('#secrets-table .vbody')!;
    key(body, 'ArrowDown');
    key(body, ' ');
    await settle();
    const box = () => el.querySelector<HTMLInputElement>('[data-path="app/K00"] input[type=checkbox]')!;
    expect(box().checked).toBe(true);
    expect(el.querySelector('[data-path="app/K00"]')!.className).toContain('checked');
    key(body, ' ');
    await settle();
    expect(box().checked).toBe(false);
  });
});

describe('Delete with a ticked row out of view', () => {
  it('deletes the selected row in view, never the ticked one a search hides', async () => {
    const el = view(ROWS.slice(0, 5));
    const body = el.querySelector('#secrets-table .vbody')!;
    key(body, 'ArrowDown');
    key(body, ' ');
    await settle();
    act(() => {
      const s = el.querySelector('#search') as HTMLInputElement;
      s.value = 'K03';
      s.dispatchEvent(new Event('input'));
    });
    await settle();
    expect(el.querySelector('#bulk-bar')).toBeNull();
    key(el.querySelector('#secrets-table .vbody')!, 'ArrowDown');
    expect(selectedPath(el)).toBe('app/K03');
    key(el.querySelector('#secrets-table .vbody')!, 'Delete');
    await settle();
    expect(removed).toEqual(['app/K03']);
  });
});

describe('list keys with no row selected', () => {
  it('End goes to the last row', async () => {
    const el = view(ROWS.slice(0, 5));
    key(el.querySelector('#secrets-table .vbody')!, 'End');
    expect(selectedPath(el)).toBe('app/K04');
  });
  it('PageDown goes a page down, not to the first row', async () => {
    const el = view();
    key(el.querySelector('#secrets-table .vbody')!, 'PageDown');
    expect(selectedPath(el)).not.toBe('app/K00');
    expect(selectedPath(el)).not.toBeNull();
  });
  it('ArrowDown and Home still start at the first row', async () => {
    const el = view();
    key(el.querySelector('#secrets-table .vbody')!, 'ArrowDown');
    expect(selectedPath(el)).toBe('app/K00');
    key(el.querySelector('#secrets-table .vbody')!, 'End');
    key(el.querySelector('#secrets-table .vbody')!, 'Home');
    expect(selectedPath(el)).toBe('app/K00');
  });
});

describe('focus and Escape', () => {
  const type = (el: HTMLElement, sel: string, v: string) => act(() => {
    const i = el.querySelector(sel) as HTMLInputElement;
    i.value = v;
    i.dispatchEvent(new Event('input'));
  });
  const saveNew = async (el: HTMLElement) => {
    act(() => (el.querySelector('#new-secret') as HTMLButtonElement).click());
    type(el, '#edit-path', 'app/K05');
    type(el, '#edit-value', 'v');
    act(() => (el.querySelector('#editor') as HTMLFormElement).requestSubmit());
    await settle();
    await frames();
  };
  it('after a new secret is saved, the focus is on the list with its row selected (two panes)', async () => {
    const el = view(ROWS.slice(0, 10));
    await saveNew(el);
    expect(selectedPath(el)).toBe('app/K05');
    expect(document.activeElement).toBe(el.querySelector('#secrets-table .vbody'));
  });
  it('after a new secret is saved in one pane, the focus is in its detail', async () => {
    width(600);
    const el = view(ROWS.slice(0, 10));
    await saveNew(el);
    expect(el.querySelector('#detail-name')!.textContent).toBe('K05');
    expect(document.activeElement).toBe(el.querySelector('#detail-pane'));
  });
  it('one pane: Escape goes back to the list when the row was opened with the mouse', async () => {
    width(600);
    const el = view(ROWS.slice(0, 10));
    act(() => (el.querySelector('[data-path="app/K03"]') as HTMLElement).click());
    await settle();
    expect(el.querySelector('#secrets-table')).toBeNull();
    expect(el.querySelector('#detail-name')!.textContent).toBe('K03');
    (document.activeElement as HTMLElement | null)?.blur();
    key(document.body, 'Escape');
    expect(el.querySelector('#detail')).toBeNull();
    expect(el.querySelector('#secrets-table')).not.toBeNull();
  });
});
