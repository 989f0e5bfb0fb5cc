// Which rows of a long list to render for a scroll position (pure; unit-tested). Only the
// visible window plus a margin is in the DOM, so 10,000+ rows scroll and filter smoothly.

export interface Window {
  start: number;
  end: number; // exclusive
  offset: number; // px from the top of the list to the first rendered row
  total: number; // px height of the whole list
}

export function visibleWindow(count: number, rowHeight: number, scrollTop: number, viewport: number, overscan = 8): Window {
  // A stale scrollTop (the list just shrank) is clamped to the last full page.
  const top = Math.max(0, Math.min(scrollTop, count * rowHeight - viewport));
  const first = Math.floor(top / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + Math.ceil(viewport / rowHeight) + overscan);
  return { start, end: Math.max(start, end), offset: start * rowHeight, total: count * rowHeight };
}
