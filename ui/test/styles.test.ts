// Layout rules happy-dom cannot measure, read from the stylesheet: the list's Updated column
// fits what `relative` writes, a long tag is cut instead of scrolling the sidebar sideways, and
// a long secret name in the detail uses the full width.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { relative } from '../src/lib/format';

const css = readFileSync(new URL('../src/styles.css', import.meta.url), 'utf8');
/** The declarations of the first rule whose selector list is exactly `selector`. */
function rule(selector: string): string {
  const m = css.match(new RegExp(`(?:^|[}\\n])\\s*${selector.replace(/[.*+?^${}()|[\]\\>]/g, '\\$&')}\\s*\\{([^}]*)\\}`));
  return m ? m[1] : '';
}
/** 14 px system sans: about 7.5 px a character on average; a little margin for wide glyphs. */
const PX_PER_CHAR = 8.5;

describe('styles', () => {
  it('the Updated column is wide enough for every relative time', () => {
    const now = 2_000_000_000;
    const widest = Math.max(...[59, 61, 3_599, 3_601, 86_399, 29 * 86_400, 11 * 30 * 86_400, 99 * 365 * 86_400]
      .flatMap((d) => [relative(now - d, now), relative(now + d, now)]).map((s) => s.length));
    const cols = rule('.vrow').match(/grid-template-columns:([^;]*)/)![1].trim().split(/\s+(?![^(]*\))/);
    // Column 5 of: check, name, kind, tags, updated, expires, version.
    expect(parseInt(cols[4], 10)).toBeGreaterThanOrEqual(Math.ceil(widest * PX_PER_CHAR));
  });
  it('a long tag in the sidebar is cut with an ellipsis, never scrolled sideways', () => {
    expect(rule('.tags .tag')).toMatch(/max-width:\s*100%/);
    expect(rule('.tags .tag')).toMatch(/text-overflow:\s*ellipsis/);
    expect(rule('.sidebar-scroll')).toMatch(/overflow-x:\s*hidden/);
  });
  it('a long secret name in the detail takes the full width and breaks anywhere', () => {
    expect(rule('.detail-head')).toMatch(/flex-wrap:\s*wrap/);
    expect(rule('.detail-head > div:first-child')).toMatch(/min-width:\s*0/);
    expect(rule('.detail-head h2')).toMatch(/overflow-wrap:\s*anywhere/);
  });
});
