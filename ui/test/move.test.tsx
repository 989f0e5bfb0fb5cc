// @vitest-environment happy-dom
// Rename / move: the checks before the engine, and the inline form (errors beside the field).
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { MoveForm } from '../src/components/MoveForm';
import { HushError } from '../src/lib/ipc';
import { intoFolder, moveProblem } from '../src/lib/move';

describe('moveProblem', () => {
  it('accepts a new path and refuses what the engine would', () => {
    expect(moveProblem('a/K', 'b/K')).toBeNull();
    expect(moveProblem('a/K', ' a/K2 ')).toBeNull();
    expect(moveProblem('a/K', 'a/K')).toMatch(/already/);
    expect(moveProblem('a/K', '')).toMatch(/folder\/NAME/);
    expect(moveProblem('a/K', 'K')).toMatch(/in a folder/);
    expect(moveProblem('a/K', 'a//K')).toMatch(/empty/);
    expect(moveProblem('a/K', 'a/../K')).toMatch(/\.\./);
    expect(moveProblem('a/K', '/a/K2')).toMatch(/starts/);
  });
  it('checks folders: one segment is fine, never into itself', () => {
    expect(moveProblem('app', 'svc', true)).toBeNull();
    expect(moveProblem('app', 'app/x', true)).toMatch(/into itself/);
    expect(moveProblem('app', 'apps', true)).toBeNull();
    expect(moveProblem('', 'dest', true)).toBeNull();
  });
  it('keeps names, quoted ones too, when moving into a folder', () => {
    expect(intoFolder('a/b/KEY', 'c')).toBe('c/KEY');
    expect(intoFolder('a/"api.key-v2"', 'c/d/')).toBe('c/d/"api.key-v2"');
  });
});

let root: HTMLElement;
afterEach(() => { if (root) { render(null, root); root.remove(); } });
const mount = (vnode: preact.ComponentChild) => {
  root = document.createElement('div');
  document.body.appendChild(root);
  act(() => render(vnode, root));
  return root;
};
const type = (el: HTMLInputElement, text: string) => act(() => { el.value = text; el.dispatchEvent(new Event('input', { bubbles: true })); });
const key = (el: HTMLElement, k: string) => act(() => { el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); });
const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 0)); });

describe('MoveForm', () => {
  it('shows a local problem without calling, then the engine error beside the field', async () => {
    const calls: string[] = [];
    let cancelled = false;
    const el = mount(<MoveForm id="m" label="New path" from="a/K" onCancel={() => (cancelled = true)}
      submit={async (to) => { calls.push(to); throw new HushError('conflict', 'already_exists', `${to} already exists`); }} />);
    const input = el.querySelector('#m-to') as HTMLInputElement;
    expect(input.value).toBe('a/K');
    key(input, 'Enter');
    expect(el.querySelector('#m-error')!.textContent).toMatch(/already/);
    expect(calls).toEqual([]);
    type(input, 'b/K');
    expect(el.querySelector('#m-error')).toBeNull();
    key(input, 'Enter');
    await tick();
    expect(calls).toEqual(['b/K']);
    expect(el.querySelector('#m-error')!.textContent).toContain('b/K already exists');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    key(input, 'Escape');
    expect(cancelled).toBe(true);
  });
});
