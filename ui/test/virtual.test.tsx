// @vitest-environment happy-dom
// The virtual table: only the rows in view are in the DOM, each at its own offset; a scroll adds
// and drops rows at the edges without touching the others, and a new list rewrites rows in place.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualTable } from '../src/components/VirtualTable';
import { ImportRows } from '../src/views/Transfer';
import type { ImportPreviewDto } from '../src/lib/bindings';
import { expectOnlyRowsInView, mount, unmountAll } from './mount';

afterEach(unmountAll);

const H = 30;
const table = (items: string[]) => (
  <VirtualTable id="t" items={items} rowHeight={H} header={<span>head</span>} row={(s) => <div class="vrow" data-item={s}>{s}</div>} />
);
const shown = (el: HTMLElement) => [...el.querySelectorAll<HTMLElement>('.vrow')].map((r) => r.dataset.item);
const slot = (el: HTMLElement, item: string) => el.querySelector(`[data-item="${item}"]`)!.parentElement as HTMLElement;
const scrollTo = (el: HTMLElement, top: number) => act(() => {
  const body = el.querySelector<HTMLElement>('.vbody')!;
  body.scrollTop = top;
  body.dispatchEvent(new Event('scroll'));
});

describe('VirtualTable', () => {
  const items = Array.from({ length: 10_000 }, (_, i) => `row${i}`);

  it('renders only the rows in view (600 px, the default height) plus a margin, each at its own offset', () => {
    const el = mount(table(items));
    expect(shown(el)).toEqual(items.slice(0, 20 + 8));
    expect(slot(el, 'row5').style.top).toBe(`${5 * H}px`);
    expect(el.querySelector<HTMLElement>('.vspace')!.style.height).toBe(`${10_000 * H}px`);
    expect(el.querySelector('#t')!.getAttribute('aria-rowcount')).toBe('10000');
  });

  it('a scroll keeps the rows still in view as they were and adds those coming in', () => {
    const el = mount(table(items));
    const kept = el.querySelector('[data-item="row20"]');
    scrollTo(el, 100 * H + 7);
    expect(shown(el)).toEqual(items.slice(92, 128));
    expect(slot(el, 'row100').style.top).toBe(`${100 * H}px`);
    const row110 = el.querySelector('[data-item="row110"]');
    scrollTo(el, 101 * H);
    expect(el.querySelector('[data-item="row110"]')).toBe(row110);
    expect(el.querySelector('[data-item="row20"]')).toBeNull();
    expect(kept!.isConnected).toBe(false);
  });

  it('a scroll within one row renders nothing new', () => {
    const el = mount(table(items));
    scrollTo(el, 50 * H);
    const before = el.querySelector('.vspace')!.innerHTML;
    const row60 = el.querySelector('[data-item="row60"]');
    scrollTo(el, 50 * H + H - 1);
    expect(el.querySelector('.vspace')!.innerHTML).toBe(before);
    expect(el.querySelector('[data-item="row60"]')).toBe(row60);
  });

  it('a new list (a search) rewrites the rows in place, and a shorter one clamps the scroll', () => {
    const el = mount(table(items));
    const first = slot(el, 'row0');
    act(() => render(table(items.filter((s) => s.endsWith('7'))), el));
    expect(shown(el).slice(0, 3)).toEqual(['row7', 'row17', 'row27']);
    expect(slot(el, 'row7')).toBe(first);
    scrollTo(el, 5000 * H);
    act(() => render(table(items.slice(0, 40)), el));
    // The last full page (20 rows from row 20), with the margin above it.
    expect(shown(el)).toEqual(items.slice(12, 40));
  });
});

describe('ImportRows (the import preview)', () => {
  const preview = (n: number, total: number): ImportPreviewDto => ({
    source: 'big.env', folder: 'big/dev', rowsTotal: total, new: total, changed: 0, unchanged: 0, skipped: 0, invalid: 0,
    warnings: [], blocker: null, digest: 'd',
    rows: Array.from({ length: n }, (_, i) => ({ line: i + 1, name: `KEY_${i}`, status: 'new' as const, note: null })),
  });

  it('puts only the lines in view in the DOM, however many were sent', () => {
    const el = mount(<ImportRows preview={preview(2_000, 100_000)} />);
    expectOnlyRowsInView(el, '#import-rows', '.vrow:not(.head)', 2_000);
    expect(el.querySelector('#import-rows-shown')!.textContent).toContain('Showing 2,000 of 100,000 lines');
  });

  it('says nothing about a part when every line was sent', () => {
    const el = mount(<ImportRows preview={preview(3, 3)} />);
    expect(el.querySelectorAll('#import-rows .vrow:not(.head)').length).toBe(3);
    expect(el.querySelector('#import-rows-shown')).toBeNull();
  });
});
