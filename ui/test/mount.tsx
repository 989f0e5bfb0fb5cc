// Mounting a component for a test, and letting its promises settle; each test's root is removed
// after it (call `unmountAll` in afterEach).
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { expect } from 'vitest';

const roots: HTMLElement[] = [];

export function mount(vnode: preact.ComponentChild): HTMLElement {
  const el = document.createElement('div');
  roots.push(el);
  document.body.appendChild(el);
  act(() => render(vnode, el));
  return el;
}

export function unmountAll() {
  for (const el of roots.splice(0)) {
    render(null, el);
    el.remove();
  }
}

export const settle = () => act(async () => { for (let i = 0; i < 8; i++) await Promise.resolve(); });

/** A virtual table `table` holds `total` rows and puts only those in view (`row`) in the DOM. */
export function expectOnlyRowsInView(el: HTMLElement, table: string, row: string, total: number) {
  const shown = el.querySelectorAll(`${table} ${row}`).length;
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(60);
  expect(el.querySelector(table)!.getAttribute('aria-rowcount')).toBe(String(total));
}
