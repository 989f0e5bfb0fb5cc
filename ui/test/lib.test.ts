import { describe, expect, it } from 'vitest';
import { lineDiff } from '../src/lib/diff';
import { isoDate, parseDay, relative, splitTags } from '../src/lib/format';
import { allTags, buildTree, filterRows } from '../src/lib/tree';
import { visibleWindow } from '../src/lib/virtual';
import type { SecretRow } from '../src/lib/bindings';

const row = (path: string, tags: string[] = [], kind = 'generic'): SecretRow => {
  const i = path.lastIndexOf('/');
  return { path, folder: path.slice(0, i), name: path.slice(i + 1), kind, tags, updatedAt: 0, expiresAt: null, version: 1 };
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
