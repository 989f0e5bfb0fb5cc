// A table that renders only the rows in view (see lib/virtual.ts).
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { visibleWindow } from '../lib/virtual';

export function VirtualTable<T>({ items, rowHeight, header, row, id }: {
  items: T[];
  rowHeight: number;
  header: ComponentChildren;
  row: (item: T, index: number) => ComponentChildren;
  id?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useLayoutEffect(() => {
    const el = ref.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const w = visibleWindow(items.length, rowHeight, scrollTop, height);
  return (
    <div class="vtable" id={id}>
      <div class="vhead">{header}</div>
      <div class="vbody" ref={ref} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div style={{ height: `${w.total}px`, position: 'relative' }}>
          <div style={{ transform: `translateY(${w.offset}px)` }}>
            {items.slice(w.start, w.end).map((it, i) => row(it, w.start + i))}
          </div>
        </div>
      </div>
    </div>
  );
}
