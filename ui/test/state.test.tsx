// @vitest-environment happy-dom
// A vault whose state no longer matches what Hush last wrote: the banner names what differs and
// offers the ways out; accepting asks first, then the banner goes and the view reloads. An error
// of that kind arriving later (another process put parts back) brings the banner up.
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, settle, unmountAll } from './mount';

const vault = { problems: [] as string[], accepted: 0, answer: true };
let alteredListener: (() => void) | null = null;
vi.mock('../src/lib/ipc', () => ({
  HushError: class extends Error {},
  ipc: {
    vaultState: async () => vault.problems,
    acceptState: async () => { vault.accepted += 1; const n = vault.problems.length; vault.problems = []; return n; },
    ask: async () => vault.answer,
    onStateAltered: (f: () => void) => { alteredListener = f; return () => { alteredListener = null; }; },
  },
}));
const { StateBanner } = await import('../src/components/StateBanner');

afterEach(() => { unmountAll(); vault.problems = []; vault.accepted = 0; vault.answer = true; });

describe('the state banner', () => {
  it('names what differs, and accepting asks first, then clears it', async () => {
    vault.problems = ['its audit anchor does not cover the records'];
    let reloaded = 0;
    const el = mount(<StateBanner onAccepted={() => { reloaded += 1; }} onRestore={() => {}} />);
    await settle();
    expect(el.querySelector('#state-banner')!.textContent).toContain('its audit anchor does not cover');
    vault.answer = false;
    act(() => { (el.querySelector('#state-accept') as HTMLElement).click(); });
    await settle();
    expect(vault.accepted).toBe(0);
    vault.answer = true;
    act(() => { (el.querySelector('#state-accept') as HTMLElement).click(); });
    await settle();
    expect(vault.accepted).toBe(1);
    expect(reloaded).toBe(1);
    expect(el.querySelector('#state-banner')).toBeNull();
  });

  it('is not there for a whole vault, and comes up when a call finds the state altered', async () => {
    const el = mount(<StateBanner onAccepted={() => {}} onRestore={() => {}} />);
    await settle();
    expect(el.querySelector('#state-banner')).toBeNull();
    vault.problems = ['records altered: app/A'];
    act(() => alteredListener!());
    await settle();
    expect(el.querySelector('#state-banner')!.textContent).toContain('app/A');
  });
});
