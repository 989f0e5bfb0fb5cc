// The app runs with Tauri's `freezePrototype` (Object.prototype frozen, against prototype
// pollution). Preact copies a vnode with a plain `for…in` assignment, and vnodes carry an own
// `constructor` key; assigning that onto `{}` hits the frozen Object.prototype.constructor and
// throws. This rewrites Preact's one `assign` helper to define properties instead, which is the
// same copy without consulting the prototype chain. The build fails if the helper is not found,
// so an upgrade cannot silently undo it.
import type { Plugin } from 'vite';

const ASSIGN = /function (\w+)\((\w+),(\w+)\)\{for\(var (\w+) in \3\)\2\[\4\]=\3\[\4\];return \2\}/;

export function rewriteAssign(code: string): string {
  if (!ASSIGN.test(code)) throw new Error('preact: assign helper not found; re-check frozen-prototype.ts');
  return code.replace(ASSIGN, (_m, f, n, l, u) =>
    `function ${f}(${n},${l}){for(var ${u} in ${l})Object.defineProperty(${n},${u},{value:${l}[${u}],writable:true,enumerable:true,configurable:true});return ${n}}`);
}

export function frozenPrototypeSafe(): Plugin {
  return {
    name: 'hush-frozen-prototype-safe',
    enforce: 'pre',
    transform(code, id) {
      if (/node_modules\/preact\/dist\/preact\.(mjs|module\.js)$/.test(id)) return { code: rewriteAssign(code), map: null };
      return null;
    },
  };
}
