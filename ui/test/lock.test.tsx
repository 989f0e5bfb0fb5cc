// @vitest-environment happy-dom
// The lock screen after a wrong passphrase: the entry is selected, so typing the right one
// replaces it instead of being appended to it.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { VaultStatus } from '../src/lib/bindings';

const tried: (string | null)[] = [];
vi.mock('../src/lib/ipc', () => ({
  ipc: {
    unlock: async (p: string | null) => { tried.push(p); throw Object.assign(new Error('wrong passphrase (nothing was changed)'), { code: 'locked', reason: 'wrong_passphrase' }); },
  },
}));
const { Lock } = await import('../src/views/Lock');

afterEach(() => { unmountAll(); tried.length = 0; });

const status: VaultStatus = {
  exists: true, path: '/v.db', keyMode: 'passphrase', lockKind: 'vaultPassphrase', openError: null,
  unlocked: false, hasRecovery: false, keychainOk: true, keychainMessage: null,
};

describe('Lock', () => {
  it('selects the wrong passphrase after a failed unlock', async () => {
    const el = mount(<Lock status={status} onUnlocked={() => {}} />);
    const field = el.querySelector('#unlock-passphrase') as HTMLInputElement;
    act(() => { field.value = 'wrong-one'; field.dispatchEvent(new Event('input')); });
    act(() => { (el.querySelector('form') as HTMLFormElement).requestSubmit(); });
    await settle();
    expect(tried).toEqual(['wrong-one']);
    expect(el.querySelector('#unlock-error')!.textContent).toBe('wrong passphrase (nothing was changed)');
    expect(document.activeElement).toBe(field);
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, 'wrong-one'.length]);
  });
});
