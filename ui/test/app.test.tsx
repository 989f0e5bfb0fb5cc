// @vitest-environment happy-dom
// The top level: what the app says when the vault cannot be opened, and when it was re-keyed
// by another process while the app held the old key.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { VaultStatus } from '../src/lib/bindings';

const status: VaultStatus = {
  exists: true, path: '/home/u/.hush/vault.db', keyMode: 'passphrase', lockKind: 'vaultPassphrase', openError: null,
  unlocked: false, hasRecovery: false, keychainOk: true, keychainMessage: null,
};
const served = { status };
const rekeyed = { tell: () => {} };
const locked = { tell: () => {} };
const calls: string[] = [];
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    vaultState: async () => [],
    onStateAltered: () => () => {},
    status: async () => served.status,
    onLocked: async (f: () => void) => { locked.tell = f; return () => {}; },
    unlock: async () => { served.status = { ...served.status, unlocked: true }; },
    onOpenSecret: async () => () => {},
    onRekeyed: (f: () => void) => { rekeyed.tell = f; return () => {}; },
    lock: async () => { calls.push('lock'); served.status = { ...served.status, unlocked: false }; },
    list: async () => [],
    touch: async () => true,
  },
}));
const { App } = await import('../src/App');
const { appWords, errorText } = await import('../src/lib/toast');

const type = (el: HTMLElement, sel: string, v: string) => act(() => {
  const i = el.querySelector(sel) as HTMLInputElement;
  i.value = v;
  i.dispatchEvent(new Event('input'));
});

afterEach(() => { unmountAll(); served.status = status; calls.length = 0; });

describe('errorText', () => {
  it('reads an IpcError-shaped object, and never says [object Object]', () => {
    expect(errorText({ code: 'integrity', reason: 'integrity', message: 'the file is damaged' })).toBe('the file is damaged');
    expect(errorText({ code: 'failure', reason: 'io' })).toBe('io');
    expect(errorText({ other: 1 })).toBe('{"other":1}');
    expect(errorText(new Error('plain'))).toBe('plain');
    expect(errorText('text')).toBe('text');
  });
});

describe('App', () => {
  it('shows why a damaged vault cannot be opened', async () => {
    served.status = { ...status, openError: { code: 'integrity', reason: 'integrity', message: 'file is not a database' } };
    const el = mount(<App />);
    await settle();
    const text = el.querySelector('#vault-problem')!.textContent!;
    expect(text).toContain('/home/u/.hush/vault.db: file is not a database');
    expect(text).not.toContain('[object Object]');
  });
  it('a call that finds the vault re-keyed elsewhere sends the app to its lock screen, saying why', async () => {
    served.status = { ...status, unlocked: true };
    const el = mount(<App />);
    await settle();
    expect(el.querySelector('#lock-screen')).toBeNull();
    rekeyed.tell();
    await settle();
    expect(calls).toEqual(['lock']);
    expect(el.querySelector('#lock-screen')).not.toBeNull();
    expect(el.querySelector('#lock-notice')!.textContent).toMatch(/re-keyed by another process.*Unlock it again/);
  });
  it('the re-key message carries no command-line advice', () => {
    const m = 'the vault was re-keyed by another process while this one held the old key: nothing was written; unlock again (a command: run it again)';
    expect(appWords(m)).toBe('the vault was re-keyed by another process while this one held the old key: nothing was written; unlock again');
  });
  it('after a lock that discarded an open editor, the unlock says so (the path only)', async () => {
    served.status = { ...status, unlocked: true };
    const el = mount(<App />);
    await settle();
    act(() => (el.querySelector('#new-secret') as HTMLButtonElement).click());
    await settle(); await settle();
    type(el, '#edit-path', 'app/DRAFT');
    type(el, '#edit-value', 'typed-plaintext');
    served.status = { ...status, unlocked: false }; // the auto-lock fires
    locked.tell();
    await settle();
    expect(el.querySelector('#lock-screen')).not.toBeNull();
    expect(el.innerHTML).not.toContain('typed-plaintext');
    (el.querySelector('#unlock-passphrase') as HTMLInputElement).value = 'pw';
    act(() => { (el.querySelector('#lock-screen form') as HTMLFormElement).requestSubmit(); });
    await settle();
    expect(el.querySelector('#lock-screen')).toBeNull();
    expect(el.querySelector('#toasts')!.textContent).toContain('Your unsaved changes to app/DRAFT were discarded when the vault locked.');
  });
});
