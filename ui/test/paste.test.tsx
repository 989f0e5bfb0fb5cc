// @vitest-environment happy-dom
// A value pasted into the one-line field of a generic secret: WebKit's text field turns line
// breaks into spaces and keeps only 524,288 characters, so a pasted PEM or JSON key was saved
// changed, without a word. Such a paste moves the value to a (still masked) text area, whole.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';
import type { SaveRequest } from '../src/lib/bindings';

const saved: SaveRequest[] = [];
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    ask: async () => true,
    save: async (req: SaveRequest) => { saved.push(req); return { path: req.path, version: 1, created: true }; },
  },
}));
const { Editor } = await import('../src/views/Editor');

afterEach(() => { unmountAll(); saved.length = 0; });

/** A paste of `text` into `sel`, as the clipboard hands it over; returns whether the field's own
 *  paste still runs (the event was not taken). */
function paste(el: HTMLElement, sel: string, text: string): boolean {
  const data = { getData: (t: string) => (t === 'text/plain' ? text : '') };
  const e = new Event('paste', { bubbles: true, cancelable: true }) as ClipboardEvent;
  Object.defineProperty(e, 'clipboardData', { value: data });
  let native = true;
  act(() => { native = el.querySelector(sel)!.dispatchEvent(e); });
  return native;
}
const type = (el: HTMLElement, sel: string, v: string) => act(() => {
  const i = el.querySelector(sel) as HTMLInputElement;
  i.value = v;
  i.dispatchEvent(new Event('input'));
});

describe('pasting a value', () => {
  it('keeps the line breaks of a pasted multi-line value, masked, and saves it whole', async () => {
    const el = mount(<Editor folder="app" onCancel={() => {}} onSaved={async () => {}} />);
    type(el, '#edit-path', 'app/SA_JSON');
    const pem = '-----BEGIN KEY-----\nline-one\nline-two\n-----END KEY-----\n';
    expect(paste(el, '#edit-value', pem)).toBe(false);
    await settle();
    const area = el.querySelector('#edit-value') as HTMLTextAreaElement;
    expect(area.tagName).toBe('TEXTAREA');
    expect(area.value).toBe(pem);
    expect(area.className).toBe('hidden-text');
    act(() => { (el.querySelector('#edit-show') as HTMLElement).click(); });
    expect((el.querySelector('#edit-value') as HTMLTextAreaElement).className).toBe('');
    act(() => { (el.querySelector('#save') as HTMLElement).click(); });
    await settle();
    expect(saved.map((r) => r.value)).toEqual([pem]);
  });

  it('takes a paste longer than a text field holds whole', async () => {
    const el = mount(<Editor folder="app" onCancel={() => {}} onSaved={async () => {}} />);
    const long = 'x'.repeat(600_000);
    type(el, '#edit-value', 'ab');
    const input = el.querySelector('#edit-value') as HTMLInputElement;
    input.setSelectionRange(1, 1);
    expect(paste(el, '#edit-value', long)).toBe(false);
    await settle();
    expect((el.querySelector('#edit-value') as HTMLTextAreaElement).value).toBe(`a${long}b`);
  });

  it('leaves an ordinary one-line paste to the field', async () => {
    const el = mount(<Editor folder="app" onCancel={() => {}} onSaved={async () => {}} />);
    expect(paste(el, '#edit-value', 'sk-live-one-line')).toBe(true);
    expect(el.querySelector('#edit-value')!.tagName).toBe('INPUT');
  });
});
