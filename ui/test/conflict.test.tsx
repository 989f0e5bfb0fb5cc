// @vitest-environment happy-dom
// An edit that loses a check-and-set (the CLI changed the secret meanwhile): the detail and the
// list row catch up with the new version, the typed fields stay, and the next Save is made
// against the version now current instead of conflicting again.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SaveRequest, SecretDetail } from '../src/lib/bindings';

const NOW = 1_790_000_000;
const vault = { version: 2, description: 'from the CLI' };
const saves: (number | null)[] = [];
vi.mock('../src/lib/ipc', () => {
  class HushError extends Error {
    constructor(public code: string, public reason: string, message: string) { super(message); }
  }
  return {
    HushError,
    ipc: {
      detail: async (path: string): Promise<SecretDetail> => ({
        path, folder: 'app', name: 'API_KEY', kind: 'api_key', tags: [], description: vault.description, meta: {},
        version: vault.version, createdAt: NOW - 60, updatedAt: NOW - 60, expiresAt: null, rotateEveryDays: null,
        lastRotatedAt: null, lastReadAt: null, source: null, versionsKept: null,
      }),
      save: async (req: SaveRequest) => {
        saves.push(req.cas);
        if (req.cas !== vault.version) throw new HushError('conflict', 'cas_conflict', `check-and-set failed for '${req.path}': expected version ${req.cas}, current is ${vault.version}`);
        vault.description = req.description ?? vault.description;
        return { path: req.path, version: vault.version, created: false };
      },
    },
  };
});
const { Detail } = await import('../src/views/Detail');

afterEach(() => { unmountAll(); saves.length = 0; vault.version = 2; vault.description = 'from the CLI'; });

const click = (el: HTMLElement, sel: string) => act(() => { (el.querySelector(sel) as HTMLElement).click(); });
const type = (el: HTMLElement, sel: string, v: string) => act(() => {
  const i = el.querySelector(sel) as HTMLInputElement;
  i.value = v;
  i.dispatchEvent(new Event('input'));
});

describe('edit conflict', () => {
  it('reloads the secret and its list row, keeps the typed fields, and saves against the new version next', async () => {
    let listReloads = 0;
    const el = mount(<Detail path="app/API_KEY" onChanged={async () => { listReloads++; }} onGone={() => {}} onMoved={async () => {}} />);
    await settle();
    click(el, '#tab-edit');
    vault.version = 3; // the CLI writes meanwhile
    type(el, '#edit-description', 'mine');
    act(() => { (el.querySelector('#editor') as HTMLFormElement).requestSubmit(); });
    await settle();
    expect(saves).toEqual([2]);
    expect(el.querySelector('#edit-error')!.textContent).toContain('check-and-set failed');
    expect(el.querySelector('#detail-version')!.textContent).toBe('version 3');
    expect(listReloads).toBe(1);
    expect((el.querySelector('#edit-description') as HTMLInputElement).value).toBe('mine');
    act(() => { (el.querySelector('#editor') as HTMLFormElement).requestSubmit(); });
    await settle();
    expect(saves).toEqual([2, 3]);
    expect(vault.description).toBe('mine');
    expect(el.querySelector('#edit-error')).toBeNull();
  });
});
