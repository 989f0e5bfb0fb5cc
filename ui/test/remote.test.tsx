// @vitest-environment happy-dom
// The conflict view: both sides masked until asked; each reveal is one call (an audited reveal on
// the Rust side); Compare diffs both; quoted names travel quoted. The plan shows last-synced times.
import { useState } from 'preact/hooks';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectOnlyRowsInView, mount, settle, unmountAll } from './mount';
import type { PlanDto, RemoteDto } from '../src/lib/bindings';

const calls: string[] = [];
const remotes: RemoteDto[] = [];
vi.mock('../src/lib/ipc', () => ({
  ipc: {
    reveal: async (path: string) => { calls.push(`local ${path}`); return { path, version: 3, value: 'line one\nlocal two' }; },
    remotePeek: async (name: string, path: string) => { calls.push(`remote ${name} ${path}`); return { path, remoteVersion: 2, remotePath: 'secret/acme/dev', value: 'line one\nremote two' }; },
    remoteUpdate: async (req: unknown) => { calls.push(`update ${JSON.stringify(req)}`); return { remote: req, history: { kind: 'kept' } }; },
    remotes: async () => remotes,
    remoteSynced: async () => [],
    remoteAdd: async (req: { name: string }) => { calls.push(`add ${req.name}`); remotes.push({ ...remotes[0], name: req.name }); },
    remotePlan: async () => ({ kvVersion: 2, notes: [], folders: [] }),
    remoteRun: (_name: string, op: string) => {
      calls.push(`run ${op}`);
      const folders = [{ folder: 'app/dev', outcome: 'done', error: 'the values were written as version 2, but not their metadata: denied' }, { folder: 'app/ok', outcome: 'done', error: null }];
      return { done: Promise.resolve({ folders, writtenRemote: 1, writtenLocal: 0, deletedRemote: 0, deletedLocal: 0, conflicts: 0, failedFolders: 0, cancelled: false, stopped: null, elapsedMs: 5 }), cancel: async () => {} };
    },
  },
}));
const { Conflicts, PlanTable, SyncedTable, lastSynced, remoteVersionText } = await import('../src/views/RemotePlan');
const { secretPath } = await import('../src/lib/tree');
const { RemoteForm, caChange, historyNote } = await import('../src/views/RemoteForm');
const { Remotes } = await import('../src/views/Remotes');
type RemoteMemory = import('../src/views/Remotes').RemoteMemory;

const plan: PlanDto = {
  kvVersion: 2, notes: [],
  folders: [{
    folder: 'acme/dev', remotePath: 'secret/acme/dev', state: 'conflict', lastSyncedVersion: 1, notes: [],
    keys: [
      { name: 'API_KEY', action: 'conflict', localVersion: 3, remoteVersion: 2, reason: 'changed on both sides' },
      { name: 'api.key-v2', action: 'conflict', localVersion: 1, remoteVersion: 2, reason: null },
      { name: 'OK', action: 'unchanged', localVersion: 1, remoteVersion: 2, reason: null },
    ],
  }],
};

afterEach(() => { unmountAll(); calls.length = 0; });
const click = async (el: Element | null) => { act(() => (el as HTMLElement).click()); await settle(); };

describe('conflicts', () => {
  it('names quoted keys quoted', () => {
    expect(secretPath('acme/dev', 'API_KEY')).toBe('acme/dev/API_KEY');
    expect(secretPath('acme/dev', 'api.key-v2')).toBe('acme/dev/"api.key-v2"');
  });
  it('masks both sides until one is revealed, one call per reveal', async () => {
    const el = mount(<Conflicts remote="team" plan={plan} choices={{}} setChoices={() => {}} />);
    expect(el.querySelectorAll('.conflict-row').length).toBe(2);
    expect(el.textContent).not.toContain('local two');
    expect(el.textContent).not.toContain('remote two');
    const row = [...el.querySelectorAll('.conflict-row')].find((r) => r.getAttribute('data-path') === 'acme/dev/"api.key-v2"')!;
    await click(row.querySelector('[data-reveal="remote"]'));
    expect(calls).toEqual(['remote team acme/dev/"api.key-v2"']);
    expect(row.querySelector('code[data-side="remote"]')!.textContent).toBe('line one\nremote two');
    expect(row.querySelector('code[data-side="local"]')).toBeNull();
    await click(row.querySelector('[data-reveal="remote"]'));
    expect(row.querySelector('code[data-side="remote"]')).toBeNull();
  });
  it('compares both sides as a line diff', async () => {
    const el = mount(<Conflicts remote="team" plan={plan} choices={{}} setChoices={() => {}} />);
    await click(el.querySelector('.conflict-row[data-path="acme/dev/API_KEY"] [data-diff]'));
    expect(calls).toEqual(['local acme/dev/API_KEY', 'remote team acme/dev/API_KEY']);
    const lines = [...el.querySelectorAll('.conflict-diff > div:not(.muted)')].map((d) => d.textContent);
    expect(lines).toEqual(['  line one', '- local two', '+ remote two']);
  });
});

describe('plan', () => {
  it('shows when each folder was last synced, and a summary that is not green with conflicts', () => {
    const synced = [{ folder: 'acme/dev', remoteVersion: 1, syncedAt: 1_700_000_000 }];
    expect(lastSynced(plan.folders[0], synced)).toMatch(/^2023-11-1[45] \d\d:\d\d \(remote v1\)$/);
    expect(lastSynced({ ...plan.folders[0], folder: 'x', lastSyncedVersion: null }, synced)).toBe('never');
    const el = mount(<PlanTable plan={plan} synced={synced} />);
    expect(el.querySelector('#remote-plan-table .last-synced')!.textContent).toContain('(remote v1)');
    const summary = el.querySelector('#remote-plan-summary')!;
    expect(summary.className).toContain('warn');
    expect(summary.getAttribute('data-conflicts')).toBe('2');
  });
  it('shows no version on a KV v1 mount, which keeps none', () => {
    const synced = [{ folder: 'acme/dev', remoteVersion: 0, syncedAt: 1_700_000_000 }];
    expect(lastSynced(plan.folders[0], synced)).toMatch(/^2023-11-1[45] \d\d:\d\d$/);
    expect(lastSynced({ ...plan.folders[0], folder: 'x', lastSyncedVersion: 0 }, synced)).toBe('before');
    expect([remoteVersionText(0, 1), remoteVersionText(null, 1), remoteVersionText(4, 2)]).toEqual(['✓', '—', '4']);
    const el = mount(<PlanTable plan={{ ...plan, kvVersion: 1 }} synced={synced} />);
    expect(el.querySelector('#remote-plan-table')!.textContent).not.toContain('v0');
    const table = mount(<SyncedTable synced={synced} />);
    expect(table.querySelector('[data-folder="acme/dev"] .num')!.textContent).toBe('—');
  });
  it('names a folder the token may not read, which has no key rows to show', () => {
    const denied = { folder: 'acme/prod', remotePath: 'secret/acme/prod', state: 'unreadable' as const, lastSyncedVersion: 1, notes: ['denied'], keys: [] };
    const el = mount(<PlanTable plan={{ ...plan, folders: [...plan.folders, denied] }} synced={[]} />);
    const line = el.querySelector('.unreadable[data-folder="acme/prod"]')!;
    expect(line.textContent).toContain('the token may not read secret/acme/prod');
    expect(line.className).toContain('warn');
    // The summary is not green when a folder could not be read.
    const alone = mount(<PlanTable plan={{ ...plan, folders: [{ ...plan.folders[0], keys: [plan.folders[0].keys[2]] }, denied] }} synced={[]} />);
    expect(alone.querySelector('#remote-plan-summary')!.className).toContain('warn');
  });
});

describe('plan at scale', () => {
  it('puts only the rows in view in the DOM for a plan of 10,000 keys', () => {
    const folders = Array.from({ length: 1_000 }, (_, f) => ({
      ...plan.folders[0], folder: `app${f}`, state: 'local_ahead' as const,
      keys: Array.from({ length: 10 }, (_, i) => ({ name: `KEY_${f * 10 + i}`, action: 'create_remote' as const, localVersion: 1, remoteVersion: null, reason: null })),
    }));
    const el = mount(<PlanTable plan={{ ...plan, folders }} synced={[]} />);
    expectOnlyRowsInView(el, '#remote-plan-table', '[data-action]', 10_000);
    expect(el.querySelector('#remote-plan-summary')!.textContent).toContain('10000 remote write(s)');
  });
});

describe('synced folders', () => {
  it('lists each synced folder with its time and version, only the rows in view in the DOM', () => {
    const synced = Array.from({ length: 1_000 }, (_, f) => ({ folder: `app${f}/dev`, remoteVersion: 1 + (f % 3), syncedAt: 1_700_000_000 + f }));
    const el = mount(<SyncedTable synced={synced} />);
    expectOnlyRowsInView(el, '#remote-synced', '[data-folder]', 1_000);
    const first = el.querySelector('#remote-synced [data-folder="app0/dev"]')!;
    expect(first.querySelector('.last-synced')!.textContent).toMatch(/^2023-11-1[45] \d\d:\d\d$/);
    expect(first.textContent).toContain('v1');
  });
});

describe('a run', () => {
  it('names each folder that ended with an error, even one whose values landed', async () => {
    remotes.length = 0;
    remotes.push({ name: 'team', addr: 'https://a:8200', namespace: null, mount: 'secret', prefix: '', caCert: null, skipVerify: false,
      auth: 'token', roleId: null, approleMount: null, credentialInKeychain: true, syncedFolders: 0 });
    const Host = () => {
      const [memory, setMemory] = useState<RemoteMemory>({ plans: {} });
      return <Remotes memory={memory} setMemory={setMemory} onChanged={async () => {}} folders={[]} />;
    };
    const el = mount(<Host />);
    await settle();
    await click(el.querySelector('#remote-plan'));
    await click(el.querySelector('#remote-push'));
    await settle();
    expect(calls).toContain('run push');
    expect(el.querySelector('#remote-report')!.className).toContain('warn');
    const errors = el.querySelectorAll('#remote-report-errors li');
    expect(errors.length).toBe(1);
    expect(errors[0].textContent).toContain('app/dev: the values were written as version 2, but not their metadata');
  });
});

describe('adding a remote', () => {
  const team = { name: 'team', addr: 'https://a:8200', namespace: null, mount: 'secret', prefix: '', caCert: null, skipVerify: false,
    auth: 'token' as const, roleId: null, approleMount: null, credentialInKeychain: true, syncedFolders: 0 };
  it('shows the form while there is none; with one, a button opens it (no name, the same server), Escape or adding closes it', async () => {
    remotes.length = 0;
    const Host = () => {
      const [memory, setMemory] = useState<RemoteMemory>({ plans: {} });
      return <Remotes memory={memory} setMemory={setMemory} onChanged={async () => {}} folders={[]} />;
    };
    const view = () => <Host />;
    const empty = mount(view());
    await settle();
    expect((empty.querySelector('#remote-name') as HTMLInputElement).value).toBe('team');
    expect(empty.querySelector('#remote-add-open')).toBeNull();
    remotes.push(team);
    const el = mount(view());
    await settle();
    expect(el.querySelector('#remote-name')).toBeNull();
    await click(el.querySelector('#remote-add-open'));
    const name = el.querySelector('#remote-name') as HTMLInputElement;
    expect(name.value).toBe('');
    // A second remote is most often on the same server: its address starts as the shown one's.
    expect((el.querySelector('#remote-addr') as HTMLInputElement).value).toBe('https://a:8200');
    act(() => { name.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })); });
    await settle();
    expect(el.querySelector('#remote-name')).toBeNull();
    await click(el.querySelector('#remote-add-open'));
    act(() => { const n = el.querySelector('#remote-name') as HTMLInputElement; n.value = 'ops'; n.dispatchEvent(new Event('input', { bubbles: true })); });
    await click(el.querySelector('#remote-add'));
    expect(calls).toEqual(['add ops']);
    expect(el.querySelector('#remote-name')).toBeNull();
    expect([...el.querySelectorAll('[data-remote]')].map((b) => b.textContent)).toEqual(['team', 'ops']);
  });
});

describe('RemoteForm (edit)', () => {
  const team = { name: 'team', addr: 'https://a:8200,https://b:8200', namespace: 'ns', mount: 'kv', prefix: 'hush', caCert: '/etc/ca.pem', skipVerify: false,
    auth: 'approle' as const, roleId: 'role-1', approleMount: 'ar', credentialInKeychain: true, syncedFolders: 2 };
  it('keeps, clears or sets the CA file', () => {
    expect(caChange(null, false)).toBe('keep');
    expect(caChange(null, true)).toBe('clear');
    expect(caChange({ handle: 'h1', path: '/x.pem' }, true)).toEqual({ set: 'h1' });
  });
  it('says whether the sync history was kept or dropped, and which place it described', () => {
    expect(historyNote({ kind: 'kept' })).toBe('Its sync history is kept.');
    expect(historyNote({ kind: 'none' })).toBe('Nothing was synced with it yet.');
    const dropped = historyNote({ kind: 'dropped', folders: 3, was: 'namespace ns, kv/hush' });
    expect(dropped).toContain('the sync history of 3 folder(s), which described namespace ns, kv/hush, is dropped');
  });
  it('starts from the remote, keeps its name and stored credential, and sends the CA choice', async () => {
    calls.length = 0;
    let done = '';
    const el = mount(<RemoteForm existing={team} onDone={(n) => (done = n)} onCancel={() => {}} />);
    const name = el.querySelector('#remote-edit-name') as HTMLInputElement;
    expect(name.readOnly).toBe(true);
    expect((el.querySelector('#remote-edit-addr') as HTMLInputElement).value).toBe('https://a:8200,https://b:8200');
    expect((el.querySelector('#remote-edit-roleId') as HTMLInputElement).value).toBe('role-1');
    expect((el.querySelector('#remote-edit-caCert') as HTMLInputElement).placeholder).toBe('/etc/ca.pem');
    expect(el.textContent).toContain('New secret_id (empty: keep the one in the OS keychain)');
    act(() => (el.querySelector('#remote-edit-caCert-clear') as HTMLButtonElement).click());
    await act(async () => { (el.querySelector('#remote-edit-save') as HTMLButtonElement).click(); await new Promise((r) => setTimeout(r, 0)); });
    expect(done).toBe('team');
    const sent = JSON.parse(calls[0].slice('update '.length));
    expect(sent).toMatchObject({ name: 'team', caCert: 'clear', auth: 'approle', roleId: 'role-1', approleMount: 'ar', namespace: 'ns', token: null });
  });
});
