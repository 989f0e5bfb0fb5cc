import { describe, expect, it } from 'vitest';
import { lineDiff } from '../src/lib/diff';
import { expiry, isoDate, isoDay, parseCount, parseDay, relative, splitTags, strength } from '../src/lib/format';
import { natural, sortRows, toggle } from '../src/lib/sort';
import { appWords } from '../src/lib/toast';
import { tokenMay } from '../src/lib/labels';
import { filterRows, indexFor, narrowingSearch, narrows } from '../src/lib/search';
import { allTags, buildTree } from '../src/lib/tree';
import { visibleWindow } from '../src/lib/virtual';
import type { Kind, SecretRow } from '../src/lib/bindings';

const row = (path: string, tags: string[] = [], kind: Kind = 'generic'): SecretRow => {
  const i = path.lastIndexOf('/');
  return { path, folder: path.slice(0, i), name: path.slice(i + 1), kind, tags, description: null, updatedAt: 0, expiresAt: null, version: 1 };
};

describe('tree', () => {
  const rows = [row('shop/prod/DB', ['db']), row('shop/dev/DB', ['db', 'dev']), row('blog/TOKEN', [], 'token')];
  it('builds nested folders with counts', () => {
    const t = buildTree(rows);
    expect(t.count).toBe(3);
    expect(t.children.map((c) => c.name)).toEqual(['blog', 'shop']);
    const shop = t.children[1];
    expect(shop.count).toBe(2);
    expect(shop.children.map((c) => c.path)).toEqual(['shop/dev', 'shop/prod']);
  });
  it('filters by folder prefix, tag and words', () => {
    expect(filterRows(rows, { folder: 'shop', tag: null, query: '' }).length).toBe(2);
    expect(filterRows(rows, { folder: 'sho', tag: null, query: '' }).length).toBe(0);
    expect(filterRows(rows, { folder: null, tag: 'dev', query: '' }).map((r) => r.path)).toEqual(['shop/dev/DB']);
    expect(filterRows(rows, { folder: null, tag: null, query: 'PROD db' }).map((r) => r.path)).toEqual(['shop/prod/DB']);
    expect(filterRows(rows, { folder: null, tag: null, query: 'token' }).map((r) => r.path)).toEqual(['blog/TOKEN']);
    expect(allTags(rows)).toEqual(['db', 'dev']);
  });
  it('filters 10,000 rows quickly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => row(`app${i % 100}/env${i % 5}/KEY_${i}`, [`t${i % 7}`]));
    const t0 = performance.now();
    const hits = filterRows(many, { folder: null, tag: null, query: 'key_123' });
    expect(hits.length).toBe(11); // KEY_123, KEY_1230..KEY_1239
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('virtual window', () => {
  it('renders only the visible rows plus overscan', () => {
    expect(visibleWindow(10_000, 32, 0, 640, 8)).toEqual({ start: 0, end: 28, offset: 0, total: 320_000 });
    const w = visibleWindow(10_000, 32, 3200, 640, 8);
    expect([w.start, w.end, w.offset]).toEqual([92, 128, 92 * 32]);
    expect(visibleWindow(10, 32, 5000, 640, 8)).toEqual({ start: 0, end: 10, offset: 0, total: 320 });
    expect(visibleWindow(1000, 32, 1e9, 640, 0).end).toBe(1000);
    expect(visibleWindow(0, 32, 0, 640)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });
});

describe('diff', () => {
  it('marks removed and added lines', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: ' ', text: 'a' }, { op: '-', text: 'b' }, { op: '+', text: 'B' }, { op: ' ', text: 'c' },
    ]);
    expect(lineDiff('same', 'same')).toEqual([{ op: ' ', text: 'same' }]);
    expect(lineDiff('', 'x').filter((l) => l.op === '+').length).toBe(1);
  });
});

describe('format', () => {
  // An expiry is a UTC midnight (`hush set --expires 2026-12-05`). Shown in local time it read as
  // 2026-12-04 west of UTC, and the editor sent that back: each save moved it a day earlier.
  it('shows a day as the day it was stored, in every time zone', () => {
    const tz = process.env.TZ;
    try {
      for (const zone of ['America/Los_Angeles', 'America/New_York', 'UTC', 'Pacific/Kiritimati']) {
        process.env.TZ = zone;
        const day = parseDay('2026-12-05')!;
        expect(isoDay(day), zone).toBe('2026-12-05');
        expect(isoDay(parseDay(isoDay(day))!), zone).toBe('2026-12-05');
        expect(expiry(day, day - 86400).label, zone).toBe('2026-12-05');
      }
    } finally {
      process.env.TZ = tz;
    }
  });
  it('shows a year below 1000 as a date input reads it, and an absurd time as out of range', () => {
    expect(isoDay(parseDay('0005-12-12'))).toBe('0005-12-12');
    expect(isoDay(99_999_999_999_999)).toBe('out of range');
    expect(isoDate(99_999_999_999_999)).toBe('out of range');
  });
  it('formats and parses dates', () => {
    expect(isoDate(0)).toBe('1970-01-01');
    expect(isoDate(null)).toBe('—');
    expect(parseDay('1970-01-02')).toBe(86400);
    expect(parseDay('tomorrow')).toBeNull();
    expect(relative(1000 + 3 * 86400, 1000)).toBe('in 3 days');
    expect(relative(1000 - 7200, 1000)).toBe('2 hours ago');
    expect(relative(1000, 1000)).toBe('just now');
    expect(splitTags('db, prod  db')).toEqual(['db', 'prod']);
  });
});

describe('sort', () => {
  it('orders names naturally: KEY_2 before KEY_10 before KEY_100', () => {
    const rows = ['a/KEY_100', 'a/KEY_2', 'a/key_10', 'a/KEY_1'].map((p) => row(p));
    expect(sortRows(rows, { key: 'name', desc: false }).map((r) => r.name)).toEqual(['KEY_1', 'KEY_2', 'key_10', 'KEY_100']);
    expect(sortRows(rows, { key: 'name', desc: true }).map((r) => r.name)).toEqual(['KEY_100', 'key_10', 'KEY_2', 'KEY_1']);
    expect(natural('app2', 'app10')).toBeLessThan(0);
  });
  it('sorts by expiry with no expiry last, and toggles direction on the same column', () => {
    const a = { ...row('x/A'), expiresAt: 50 };
    const b = { ...row('x/B'), expiresAt: null };
    const c = { ...row('x/C'), expiresAt: 10 };
    expect(sortRows([a, b, c], { key: 'expires', desc: false }).map((r) => r.name)).toEqual(['C', 'A', 'B']);
    expect(toggle({ key: 'name', desc: false }, 'name')).toEqual({ key: 'name', desc: true });
    expect(toggle({ key: 'name', desc: true }, 'kind')).toEqual({ key: 'kind', desc: false });
  });
  it('searches descriptions too', () => {
    const rows = [{ ...row('a/K'), description: 'Stripe live key' }, row('a/L')];
    expect(filterRows(rows, { folder: null, tag: null, query: 'stripe' }).map((r) => r.path)).toEqual(['a/K']);
  });
});

describe('expiry, numbers and app words', () => {
  it('marks expired secrets as expired, not "expiring soon"', () => {
    const now = 1_000_000;
    expect(expiry(now - 86400 * 150, now).state).toBe('expired');
    expect(expiry(now + 86400 * 3, now).state).toBe('soon');
    expect(expiry(now + 86400 * 90, now).state).toBe('ok');
    expect(expiry(null, now).state).toBe('none');
  });
  it('a cleared number field is an error, not 0', () => {
    expect(parseCount('', 1, 10)).toEqual({ error: 'Enter a number.' });
    expect(parseCount('0', 1, 10)).toEqual({ error: 'Between 1 and 10.' });
    expect(parseCount('2.5', 1, 10)).toEqual({ error: 'Enter a whole number.' });
    expect(parseCount('7', 1, 10)).toEqual({ value: 7 });
  });
  it('never shows CLI advice', () => {
    const engine = [
      "line 3: API_URL contains '${' and is imported literally; pass --expand to interpolate",
      "remote 'team' (remove it first with `hush remote rm`)",
      "no remote named 'x'; see `hush remote ls`, or add one with `hush remote add`",
      'stopped after \'a\' failed: boom; rerun to resume (add --continue-on-error to go past failures)',
      'https://v:8200: bad cert; for a private CA pass --ca-cert FILE or set VAULT_CACERT, or --skip-verify for a dev server',
      'exists with a different value (--skip-existing)',
      "namespace 'ops' from VAULT_NAMESPACE (not stored with the remote; the sync history assumes the same one on every run: `hush remote set dev --namespace ops` stores it)",
      'Vault authentication failed: no token: store one with `hush remote set NAME --new-credential` (read from stdin or a prompt), set VAULT_TOKEN, or run `vault login`/`bao login` (~/.vault-token)',
    ];
    for (const m of engine) {
      const w = appWords(m);
      expect(w).not.toMatch(/--[a-z]|`hush /);
    }
  });
  it('a dangerous name in an import preview is explained for the app, the CLI named as the way to run it', () => {
    const w = appWords('LD_PRELOAD tells the dynamic loader what to load (e.g. LD_PRELOAD, LD_LIBRARY_PATH): `hush run` refuses it unless you pass --allow-env LD_PRELOAD (it could run code on this machine)');
    expect(w).not.toContain('pass --allow-env');
    expect(w).toBe("LD_PRELOAD tells the dynamic loader what to load (e.g. LD_PRELOAD, LD_LIBRARY_PATH): it is stored like any other secret, but it could run code on this machine, so the command line's `hush run` hands it to a program only when allowed by name (`hush run --allow-env LD_PRELOAD -- …`)");
  });
  it('passphrase strength', () => {
    expect(strength('short').score).toBe(0);
    expect(strength('correct horse battery staple').score).toBeGreaterThanOrEqual(2);
  });
});

describe('narrowing search', () => {
  const many = Array.from({ length: 2000 }, (_, i) => row(`app${i % 10}/env${i % 3}/KEY_${i}`, [`t${i % 4}`]));
  it('gives the same answer as a full scan while typing on, and after backspace', () => {
    const f = narrowingSearch();
    const index = indexFor(many);
    for (const q of ['k', 'ke', 'key_1', 'key_12', 'key_1', 'key_1 t2', 'key_1 t', 'app3 ', 'app3 env1', 'APP3 ENV1 T', '']) {
      const full = many.filter((r) => q.toLowerCase().split(/\s+/).filter(Boolean).every((w) => `${r.path} ${r.kind} ${r.tags.join(' ')}`.toLowerCase().includes(w)));
      expect(f(index, { folder: null, tag: null, query: q }).map((r) => r.path)).toEqual(full.map((r) => r.path));
    }
  });
  it('narrows within a folder and a tag, and starts over when they change', () => {
    const f = narrowingSearch();
    const index = indexFor(many);
    const on = (folder: string | null, tag: string | null, query: string) => f(index, { folder, tag, query }).map((r) => r.path);
    const full = (folder: string | null, tag: string | null, query: string) => filterRows(many, { folder, tag, query }).map((r) => r.path);
    for (const [folder, tag, q] of [['app3', null, 'k'], ['app3', null, 'key_13'], ['app3', 't1', 'key_13'], [null, 't1', 'key_13'], [null, null, 'key_13']] as const) {
      expect(on(folder, tag, q)).toEqual(full(folder, tag, q));
    }
  });
  it('keeps the rows in the order given, and hands back the same list when nothing filters', () => {
    const f = narrowingSearch();
    const index = indexFor(many);
    expect(f(index, { folder: null, tag: null, query: '  ' })).toBe(many);
    expect(f(index, { folder: null, tag: null, query: 'key_' })).toBe(many); // every row matches
    const hits = f(index, { folder: null, tag: null, query: 'key_19' }).map((r) => r.path);
    expect(hits).toEqual(many.filter((r) => r.name.startsWith('KEY_19')).map((r) => r.path));
  });
  it('says when a query only narrows the previous one', () => {
    const q = (query: string, folder: string | null = null) => ({ folder, tag: null, query });
    expect(narrows(q('key'), q('KEY_1'))).toBe(true);
    expect(narrows(q('key '), q('key t2'))).toBe(true);
    expect(narrows(q('key_1'), q('key_'))).toBe(false);
    expect(narrows(q('key', 'a'), q('key_1', 'b'))).toBe(false);
  });
  it('searches 100,000 rows in well under a frame once indexed, and narrows faster still', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => row(`app${i % 100}/env${i % 5}/KEY_${i}`));
    const index = indexFor(big);
    index.prepare();
    const f = narrowingSearch();
    const t0 = performance.now();
    expect(f(index, { folder: null, tag: null, query: 'k' }).length).toBe(100_000);
    expect(f(index, { folder: null, tag: null, query: 'key_1234' }).length).toBe(11);
    expect(performance.now() - t0).toBeLessThan(200); // loose: CI machines are slow and shared
  });
  it('the index is made once per list', () => {
    expect(indexFor(many)).toBe(indexFor(many));
    expect(indexFor(many.slice())).not.toBe(indexFor(many));
  });
});

describe('tokenMay', () => {
  it('says what a token may do in words, root included', () => {
    expect(tokenMay(['root'])).toBe('root token (may do everything)');
    expect(tokenMay(['read', 'list'])).toBe('token may read, list');
    expect(tokenMay(['deny'])).toBe('token may do nothing here');
    expect(tokenMay([])).toBe('token may do nothing here');
  });
});
