// @vitest-environment happy-dom
// Lifecycle views: the report (findings, expired shown as expired, audit result, export through
// the save dialog's handle) and the editor's generator (drawn in Rust, masked, entropy shown).
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectOnlyRowsInView, mount, settle, unmountAll } from './mount';
import type { GenerateRequest, ReportDto } from '../src/lib/bindings';

const DAY = 86_400;
const NOW = 1_800_000_000;
const calls: unknown[][] = [];
const report: ReportDto = {
  generatedAt: NOW, since: NOW - 90 * DAY, vaultId: 'v',
  secrets: [
    { path: 'app/OLD', folder: 'app', kind: 'token', version: 1, createdAt: NOW - 400 * DAY, ageDays: 400, lastRotatedAt: null, expiresAt: NOW - DAY, lastReadAt: null, reads: 0, writes: 1, strategy: null, rotateEveryDays: null, findings: ['expired', 'stale', 'never_rotated', 'unused'] },
    { path: 'app/NEW', folder: 'app', kind: 'password', version: 2, createdAt: NOW - DAY, ageDays: 1, lastRotatedAt: NOW - DAY, expiresAt: NOW + 100 * DAY, lastReadAt: NOW, reads: 3, writes: 2, strategy: 'notify', rotateEveryDays: 30, findings: [] },
  ],
  findings: [
    { finding: 'expired', label: 'Expired', count: 1 }, { finding: 'expiring_soon', label: 'Expiring within 30 days', count: 0 },
    { finding: 'stale', label: 'Stale (rotation overdue)', count: 1 }, { finding: 'never_rotated', label: 'Never rotated', count: 1 },
    { finding: 'unused', label: 'Unused for 90 days', count: 1 }, { finding: 'no_expiry', label: 'No expiry', count: 0 },
  ],
  activity: [{ day: NOW - DAY, reads: 1, writes: 2, other: 0 }],
  audit: { ok: true, entries: 12, firstBadSeq: null, problem: null, keyedChecked: true, unanchored: 0 },
};
/** What the mocked `report` call answers (a test may serve a larger one). */
const served = { report };
vi.mock('../src/lib/ipc', () => ({
  ipc: {
    report: async (since: number | null) => { calls.push(['report', since]); return served.report; },
    pickFile: async (purpose: string, suggested: string) => { calls.push(['pick', purpose, suggested]); return { handle: 'h1', path: `/tmp/${suggested}` }; },
    reportExport: async (file: string, format: string) => { calls.push(['export', file, format]); return { path: '/tmp/hush-report.html', bytes: 10 }; },
    generate: async (req: GenerateRequest) => { calls.push(['generate', req]); return { value: 'g'.repeat(req.length), entropyBits: req.length * 4 }; },
  },
}));
const { Report } = await import('../src/views/Report');
const { Editor } = await import('../src/views/Editor');

afterEach(() => { unmountAll(); calls.length = 0; });

describe('Report view', () => {
  it('shows findings, the audit result, and an expired secret as expired', async () => {
    const el = mount(<Report onOpen={() => {}} />);
    await settle();
    expect(calls[0]).toEqual(['report', null]);
    expect(el.querySelector('[data-finding="expired"] b')!.textContent).toBe('1');
    expect(el.querySelector('#report-audit')!.textContent).toContain('12 entries');
    const old = el.querySelector('[data-report-path="app/OLD"]')!;
    expect(old.querySelector('[data-expiry]')!.getAttribute('data-expiry')).toBe('expired');
    expect(old.querySelector('[data-expiry]')!.textContent).toMatch(/^expired /);
    expect(old.querySelector('.f-expired')!.textContent).toBe('expired');
    expect(el.querySelector('[data-report-path="app/NEW"] [data-expiry]')!.getAttribute('data-expiry')).toBe('ok');
  });
  it('puts only the rows in view in the DOM for 10,000 secrets', async () => {
    const secrets = Array.from({ length: 10_000 }, (_, i) => ({ ...report.secrets[1], path: `app${i % 100}/KEY_${i}`, folder: `app${i % 100}` }));
    served.report = { ...report, secrets };
    try {
      const el = mount(<Report onOpen={() => {}} />);
      await settle();
      expectOnlyRowsInView(el, '#report-table', '[data-report-path]', 10_000);
      expect(el.querySelector('#report-period')!.textContent).toContain('10000 secrets');
    } finally {
      served.report = report;
    }
  });
  it('exports through the save dialog handle, in the chosen format', async () => {
    const el = mount(<Report onOpen={() => {}} />);
    await settle();
    act(() => (el.querySelector('#report-export-csv') as HTMLButtonElement).click());
    await settle();
    expect(calls.slice(1)).toEqual([['pick', 'report', 'hush-report.csv'], ['export', 'h1', 'csv']]);
  });
});

describe('Editor generator', () => {
  /** A new secret's editor, a hex value of `length` generated in it. */
  const generateHex = async (length: number) => {
    const el = mount(<Editor folder="app" onSaved={() => {}} onCancel={() => {}} />);
    const charset = el.querySelector('#gen-charset') as HTMLSelectElement;
    act(() => { charset.value = 'hex'; charset.dispatchEvent(new Event('change')); });
    const len = el.querySelector('#gen-length') as HTMLInputElement;
    act(() => { len.value = String(length); len.dispatchEvent(new Event('input')); });
    act(() => (el.querySelector('#generate') as HTMLButtonElement).click());
    await settle();
    return el;
  };
  it('asks Rust for a value with the chosen options, keeps it masked, and says its entropy', async () => {
    const el = await generateHex(64);
    expect(calls).toEqual([['generate', { charset: 'hex', length: 64, words: null }]]);
    const value = el.querySelector('#edit-value') as HTMLInputElement;
    expect(value.type).toBe('password');
    expect(value.value).toBe('g'.repeat(64));
    expect(el.querySelector('#gen-entropy')!.textContent).toBe('256 bits of entropy');
  });
  it('says when a value is short enough to guess (under 64 bits)', async () => {
    const el = await generateHex(6);
    const note = el.querySelector('#gen-entropy')!;
    expect(note.textContent).toBe('24 bits of entropy: guessable as a key or password');
    expect(note.className).toContain('warn');
  });
  it('words: a passphrase of N words', async () => {
    const el = mount(<Editor folder="app" onSaved={() => {}} onCancel={() => {}} />);
    const charset = el.querySelector('#gen-charset') as HTMLSelectElement;
    act(() => { charset.value = 'words'; charset.dispatchEvent(new Event('change')); });
    expect((el.querySelector('#gen-length') as HTMLInputElement).value).toBe('6');
    act(() => (el.querySelector('#generate') as HTMLButtonElement).click());
    await settle();
    expect(calls).toEqual([['generate', { charset: 'alnum', length: 6, words: 6 }]]);
  });
  it('docker credentials: the password field gets the generated value, masked', async () => {
    const el = mount(<Editor folder="app" onSaved={() => {}} onCancel={() => {}} />);
    const kind = el.querySelector('#edit-kind') as HTMLSelectElement;
    act(() => { kind.value = 'docker_credentials'; kind.dispatchEvent(new Event('change')); });
    expect((el.querySelector('#gen-charset') as HTMLSelectElement).value).toBe('symbols');
    act(() => (el.querySelector('#generate') as HTMLButtonElement).click());
    await settle();
    expect(calls).toEqual([['generate', { charset: 'symbols', length: 24, words: null }]]);
    const pw = el.querySelector('#docker-password') as HTMLInputElement;
    expect(pw.type).toBe('password');
    expect(pw.value).toBe('g'.repeat(24));
    expect(el.querySelector('#gen-entropy')!.textContent).toBe('96 bits of entropy');
  });
});
