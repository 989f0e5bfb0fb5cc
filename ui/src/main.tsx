import { render } from 'preact';
import { App } from './App';
import './styles.css';

// A render failure would otherwise leave a blank window; show what broke (never a value: the
// UI holds none outside the reveal field).
function fail(what: unknown) {
  const el = document.getElementById('app')!;
  el.textContent = `Hush hit an internal error: ${what instanceof Error ? what.message : String(what)}`;
  if (what instanceof Error) console.error(what.stack);
  (window as any).__hushLastError = what instanceof Error ? what.stack : String(what);
  el.className = 'fatal';
}
window.addEventListener('error', (e) => fail(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => fail(e.reason));

try {
  render(<App />, document.getElementById('app')!);
} catch (e) {
  fail(e);
}
