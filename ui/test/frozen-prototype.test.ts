import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rewriteAssign } from '../build/frozen-prototype';

describe('frozen Object.prototype', () => {
  it('the rewritten preact assign copies a vnode-like object even when Object.prototype is frozen', () => {
    const src = readFileSync(new URL('../node_modules/preact/dist/preact.module.js', import.meta.url), 'utf8');
    const helper = rewriteAssign(src).match(/function (\w+)\(\w+,\w+\)\{for\(var \w+ in \w+\)Object\.defineProperty[^}]*\}\);return \w+\}/);
    expect(helper).not.toBeNull();
    const assign = new Function(`${helper![0]}; return ${helper![1]};`)();
    const vnode = { type: 'div', props: {}, constructor: undefined };
    // What Tauri's freezePrototype does, emulated on a stand-in prototype.
    const frozenProto = Object.freeze(Object.create(Object.prototype, { constructor: { value: Object, writable: false } }));
    const naive = () => { 'use strict'; const t = Object.create(frozenProto); for (const k in vnode) (t as any)[k] = (vnode as any)[k]; };
    expect(naive).toThrow();
    const copy = assign(Object.create(frozenProto), vnode);
    expect(Object.keys(copy)).toEqual(['type', 'props', 'constructor']);
    expect(copy.constructor).toBeUndefined();
  });
  it('fails loudly if preact changes its helper', () => {
    expect(() => rewriteAssign('function x(){}')).toThrow(/assign helper not found/);
  });
});
