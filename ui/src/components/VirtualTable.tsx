// A table that renders only the rows in view (see lib/virtual.ts). `focus` is the index the
// keyboard is on: it is scrolled into view. Each row sits at its own fixed offset, keyed by its
// position: a scroll only adds the rows coming into view and drops those leaving it (the rest of
// the DOM is untouched, so the webview repaints a strip, not the table), and a new search result
// rewrites rows in place instead of making new ones.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useSize } from '../lib/size';
import { visibleWindow } from '../lib/virtual';

export function VirtualTable<T>({ items, rowHeight, header, row, id, focus = -1, empty, onKeyDown, label }: {
  items: T[];
  rowHeight: number;
  header: ComponentChildren;
  row: (item: T, index: number) => ComponentChildren;
  id?: string;
  focus?: number;
  empty?: ComponentChildren;
  onKeyDown?: (e: KeyboardEvent) => void;
  label?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // The scroll position in whole rows: scrolling within a row renders nothing.
  const [scrollTop, setScrollTop] = useState(0);
  const height = useSize(ref, (el) => el.clientHeight, 600);
  // Keep the keyboard's row in view.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || focus < 0) return;
    const top = focus * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [focus]);
  const w = visibleWindow(items.length, rowHeight, scrollTop, height);
  return (
    <div class="vtable" id={id} role="grid" aria-label={label} aria-rowcount={items.length}>
      <div class="vhead" role="row">{header}</div>
      <div class="vbody" ref={ref} tabIndex={0} onKeyDown={onKeyDown} onScroll={(e) => setScrollTop(Math.floor(e.currentTarget.scrollTop / rowHeight) * rowHeight)}>
        {items.length === 0 && empty}
        <div class="vspace" style={{ height: `${w.total}px` }}>
          {items.slice(w.start, w.end).map((it, k) => {
            const i = w.start + k;
            return <div key={i} class="vslot" role="presentation" style={{ top: `${i * rowHeight}px` }}>{row(it, i)}</div>;
          })}
        </div>
      </div>
    </div>
  );
}

/** The virtual table inside a page (not filling a pane): a bordered box as tall as its rows, up
 *  to `maxRows` of them, then scrolling. 32 px: the header row and the box's border. */
export function BoxedTable<T>(props: Parameters<typeof VirtualTable<T>>[0] & { maxRows: number }) {
  const { maxRows, ...table } = props;
  const height = Math.min(table.items.length, maxRows) * table.rowHeight + 32;
  return <div class="vbox" style={{ height: `${height}px` }}><VirtualTable {...table} /></div>;
}
