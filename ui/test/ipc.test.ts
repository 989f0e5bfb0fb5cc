// The IPC wrapper: whatever the shell rejects with becomes a HushError with readable words.
import { describe, expect, it, vi } from 'vitest';

const rejection = { value: undefined as unknown };
vi.mock('@tauri-apps/api/core', () => ({ invoke: async () => { throw rejection.value; }, Channel: class {} }));
vi.mock('@tauri-apps/api/event', () => ({ listen: async () => () => {} }));
const { ipc, HushError } = await import('../src/lib/ipc');

describe('ipc errors', () => {
  it('keeps the app error shape', async () => {
    rejection.value = { code: 'locked', reason: 'rekeyed', message: 'the vault was re-keyed' };
    const e = await ipc.status().catch((x) => x);
    expect(e).toBeInstanceOf(HushError);
    expect([e.code, e.reason, e.message]).toEqual(['locked', 'rekeyed', 'the vault was re-keyed']);
  });
  it('tells the app when a call finds the vault re-keyed elsewhere', async () => {
    let told = 0;
    const off = ipc.onRekeyed(() => { told++; });
    rejection.value = { code: 'locked', reason: 'rekeyed', message: 'the vault was re-keyed by another process' };
    await ipc.list().catch(() => {});
    rejection.value = { code: 'locked', reason: 'locked', message: 'the vault is locked' };
    await ipc.list().catch(() => {});
    off();
    expect(told).toBe(1);
  });
  it('reads another object without saying [object Object]', async () => {
    rejection.value = { message: 'invalid args `path` for command `secret_detail`' };
    const e = await ipc.status().catch((x) => x);
    expect(e.message).toBe('invalid args `path` for command `secret_detail`');
  });
});
