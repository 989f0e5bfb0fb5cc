// @vitest-environment happy-dom
// The trash at scale: a folder of 10,000 secrets deleted at once lands here; only the rows in view
// are in the DOM, and each row's Restore names its own secret.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectOnlyRowsInView, mount, settle, unmountAll } from './mount';
import type { TrashRow } from '../src/lib/bindings';

const calls: unknown[][] = [];
const rows: TrashRow[] = Array.from({ length: 10_000 }, (_, i) => ({ path: `big/dev/KEY_${i}`, kind: 'generic', version: 1, deletedAt: 1_800_000_000, purgeAt: 1_802_592_000 }));
vi.mock('../src/lib/ipc', () => ({
  ipc: {
    trash: async () => [...rows],
    restore: async (paths: string[]) => {
      calls.push(['restore', ...paths]);
      if (paths[0] === 'purged/ELSEWHERE') { rows.shift(); throw new Error("'purged/ELSEWHERE' is not in the trash"); }
    },
    remove: async (paths: string[]) => { calls.push(['remove', ...paths]); },
  },
}));
const { Trash } = await import('../src/views/Trash');
const { deleteWithUndo } = await import('../src/views/Secrets');
const { subscribe, clearToasts } = await import('../src/lib/toast');

afterEach(() => { unmountAll(); calls.length = 0; clearToasts(); });

describe('Trash', () => {
  it('says an item is not purged while the settings are altered, not a date from them', async () => {
    const saved = rows.splice(0, rows.length, { path: 'app/A', kind: 'generic', version: 1, deletedAt: 1_800_000_000, purgeAt: null });
    try {
      const el = mount(<Trash onChange={async () => {}} />);
      await settle();
      expect(el.querySelector('[data-path="app/A"]')!.textContent).toContain('never (settings altered)');
    } finally {
      rows.splice(0, rows.length, ...saved);
    }
  });
  it('puts only the rows in view in the DOM for 10,000 secrets, each restorable', async () => {
    const el = mount(<Trash onChange={async () => {}} />);
    await settle();
    expectOnlyRowsInView(el, '#trash-table', '[data-path]', 10_000);
    act(() => (el.querySelector('[data-path="big/dev/KEY_3"] .restore') as HTMLButtonElement).click());
    await settle();
    expect(calls).toEqual([['restore', 'big/dev/KEY_3']]);
  });
  it('restoring a secret takes away the toast whose Undo would now fail', async () => {
    await deleteWithUndo(['big/dev/KEY_3'], async () => {});
    await deleteWithUndo(['big/dev/KEY_4'], async () => {});
    let texts: string[] = [];
    const off = subscribe((t) => { texts = t.map((x) => x.text); });
    expect(texts).toEqual(['Moved big/dev/KEY_3 to the trash.', 'Moved big/dev/KEY_4 to the trash.']);
    const el = mount(<Trash onChange={async () => {}} />);
    await settle();
    act(() => (el.querySelector('[data-path="big/dev/KEY_3"] .restore') as HTMLButtonElement).click());
    await settle();
    off();
    expect(texts).toEqual(['Moved big/dev/KEY_4 to the trash.', 'Restored big/dev/KEY_3.']);
  });
  it('a restore that fails (purged from the CLI meanwhile) reads the trash again', async () => {
    rows.unshift({ path: 'purged/ELSEWHERE', kind: 'generic', version: 1, deletedAt: 1_800_000_000, purgeAt: 1_802_592_000 });
    const el = mount(<Trash onChange={async () => {}} />);
    await settle();
    act(() => (el.querySelector('[data-path="purged/ELSEWHERE"] .restore') as HTMLButtonElement).click());
    await settle();
    expect(el.textContent).toContain('is not in the trash');
    expect(el.querySelector('[data-path="purged/ELSEWHERE"]')).toBeNull();
  });
});
