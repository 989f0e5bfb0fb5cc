import { render } from 'preact';
import { App } from './App';
import { errorText, toast } from './lib/toast';
import './styles.css';

// A failure no view caught becomes a toast; the app stays usable. Only a failure to start at all
// replaces the page (never with a value: the UI holds none outside the reveal field).
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  (window as any).__hushLastError = String(e.reason?.stack ?? e.reason);
  toast(errorText(e.reason), { kind: 'error' });
});
window.addEventListener('error', (e) => {
  (window as any).__hushLastError = String(e.error?.stack ?? e.message);
  toast(errorText(e.error ?? e.message), { kind: 'error' });
});
// No browser context menu (Reload, Inspect...), except where text is edited.
document.addEventListener('contextmenu', (e) => {
  const t = e.target as HTMLElement | null;
  if (!t?.closest('input, textarea')) e.preventDefault();
});

try {
  render(<App />, document.getElementById('app')!);
} catch (e) {
  const el = document.getElementById('app')!;
  el.textContent = `Hush could not start: ${errorText(e)}`;
  el.className = 'fatal';
}
