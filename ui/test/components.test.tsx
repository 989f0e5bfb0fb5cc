// @vitest-environment happy-dom
// Component tests: the secrets list (sort, natural order, empty states) and error display.
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretRow } from '../src/lib/bindings';
import { sortRows, toggle, type Sort } from '../src/lib/sort';
import { SecretList } from '../src/components/SecretList';
import { Palette } from '../src/components/Palette';
import { Boundary, ErrorNote, Toasts } from '../src/components/Boundary';
import { toast } from '../src/lib/toast';

const row = (path: string, extra: Partial<SecretRow> = {}): SecretRow => {
  const i = path.lastIndexOf('/');
  return { path, folder: path.slice(0, i), name: path.slice(i + 1), kind: 'generic', tags: [], description: null, updatedAt: 0, expiresAt: null, version: 1, ...extra };
};

let root: HTMLElement;
afterEach(() => { render(null, root); root.remove(); });
const mount = (vnode: preact.ComponentChild) => {
  root = document.createElement('div');
  document.body.appendChild(root);
  act(() => render(vnode, root));
  return root;
};
const names = (el: HTMLElement) => [...el.querySelectorAll('.vbody .vrow')].map((r) => r.getAttribute('data-path'));

function List({ rows, sort, query = '', total }: { rows: SecretRow[]; sort: Sort; query?: string; total?: number }) {
  return <SecretList rows={sortRows(rows, sort)} total={total ?? rows.length} query={query} sort={sort} onSort={() => {}} selected={null}
    onSelect={() => {}} checked={new Set()} onCheck={() => {}} onClearSearch={() => {}} now={1000} />;
}

describe('SecretList', () => {
  const rows = [row('a/KEY_100'), row('a/KEY_2'), row('a/KEY_10', { kind: 'token' }), row('b/KEY_1', { expiresAt: 10 })];
  it('shows rows in natural order and marks the sorted column', () => {
    const el = mount(<List rows={rows} sort={{ key: 'name', desc: false }} />);
    expect(names(el)).toEqual(['a/KEY_2', 'a/KEY_10', 'a/KEY_100', 'b/KEY_1']);
    expect(el.querySelector('[data-sort="name"]')!.getAttribute('aria-sort')).toBe('ascending');
    expect(el.querySelector('[data-sort="kind"]')!.getAttribute('aria-sort')).toBe('none');
  });
  it('sorts by a clicked column, and the same column again reverses it', () => {
    let sort: Sort = { key: 'name', desc: false };
    const el = mount(<List rows={rows} sort={sort} />);
    sort = toggle(sort, 'name');
    act(() => render(<List rows={rows} sort={sort} />, el));
    expect(names(el)).toEqual(['b/KEY_1', 'a/KEY_100', 'a/KEY_10', 'a/KEY_2']);
    expect(el.querySelector('[data-sort="name"]')!.getAttribute('aria-sort')).toBe('descending');
  });
  it('keeps row checkboxes out of the Tab order (Space ticks the selected row)', () => {
    const el = mount(<List rows={rows} sort={{ key: 'name', desc: false }} />);
    const boxes = [...el.querySelectorAll<HTMLInputElement>('.vbody input[type=checkbox]')];
    expect(boxes.length).toBe(rows.length);
    expect(boxes.every((b) => b.tabIndex === -1)).toBe(true);
  });
  it('marks an expired secret as expired', () => {
    const el = mount(<List rows={rows} sort={{ key: 'name', desc: false }} />);
    expect(el.querySelector('[data-path="b/KEY_1"] [data-expiry]')!.textContent).toBe('expired');
  });
  it('has an empty state for no secrets and one for no match', () => {
    let el = mount(<List rows={[]} sort={{ key: 'name', desc: false }} total={0} />);
    expect(el.querySelector('#list-empty')!.textContent).toContain('No secrets yet');
    render(null, root); root.remove();
    el = mount(<List rows={[]} sort={{ key: 'name', desc: false }} total={5} query="nope" />);
    expect(el.querySelector('#list-no-match')!.textContent).toContain('No secret matches “nope”');
    expect(el.querySelector('#clear-search')).not.toBeNull();
  });
});

describe('error display', () => {
  it('shows an error beside the action, in the app’s own words', () => {
    const el = mount(<ErrorNote error="not found" id="e" />);
    expect(el.querySelector('#e')!.getAttribute('role')).toBe('alert');
  });
  it('a view that throws while rendering shows the problem and a way back, not a dead app', () => {
    let fail = true;
    const Bad = () => { if (fail) throw new Error('boom in a view'); return <p id="fine">fine</p>; };
    const el = mount(<div><Boundary onReset={() => { fail = false; }}><Bad /></Boundary><p id="sibling">still here</p></div>);
    expect(el.querySelector('#view-error')!.textContent).toContain('boom in a view');
    expect(el.querySelector('#sibling')).not.toBeNull();
    act(() => (el.querySelector('#view-retry') as HTMLButtonElement).click());
    expect(el.querySelector('#fine')).not.toBeNull();
  });
  it('toasts carry an action (Undo)', () => {
    let undone = false;
    const el = mount(<Toasts />);
    act(() => { toast('Moved a/K to the trash.', { action: { label: 'Undo', run: () => { undone = true; } } }); });
    expect(el.querySelector('.toast')!.textContent).toContain('Moved a/K');
    act(() => (el.querySelector('.toast-action') as HTMLButtonElement).click());
    expect(undone).toBe(true);
    expect(el.querySelector('.toast')).toBeNull();
  });
});

describe('Palette', () => {
  it('lists the shortcuts under an empty query, and only then', () => {
    const el = mount(<Palette rows={[]} onClose={() => {}} onView={() => {}} onSecret={() => {}} />);
    const keys = el.querySelector('#palette-keys')!.textContent!;
    for (const k of ['Ctrl+K', 'Ctrl+L', 'Space', 'F2', 'Delete', 'Ctrl+C']) expect(keys).toContain(k);
    act(() => {
      const i = el.querySelector('#palette-input') as HTMLInputElement;
      i.value = 'app';
      i.dispatchEvent(new Event('input'));
    });
    expect(el.querySelector('#palette-keys')).toBeNull();
  });
});
