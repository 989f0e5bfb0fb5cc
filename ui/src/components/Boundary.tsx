// Errors stay where they happened. A view that fails to render shows what broke and a way back
// (the rest of the app keeps working); an action that fails shows its error beside it.
import { Component, type ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { dismiss, errorText, subscribe, type Toast } from '../lib/toast';

export class Boundary extends Component<{ children: ComponentChildren; onReset?: () => void }, { error: string | null }> {
  state = { error: null as string | null };
  componentDidCatch(e: unknown) {
    console.error(e);
    this.setState({ error: errorText(e) });
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div class="page view-error" id="view-error" role="alert">
        <h2>This view hit a problem</h2>
        <p class="error">{this.state.error}</p>
        <button class="primary" id="view-retry" onClick={() => { this.setState({ error: null }); this.props.onReset?.(); }}>Reload this view</button>
      </div>
    );
  }
}

/** An error to show next to what the user did, and a runner that catches into it. */
export function useGuard(): [string | null, <T>(f: () => Promise<T>) => Promise<T | undefined>, (e: string | null) => void] {
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setError(null);
    try {
      return await f();
    } catch (e) {
      setError(errorText(e));
      return undefined;
    }
  }, []);
  return [error, run, setError];
}

/** Shows an error (or nothing) where the user acted. */
export function ErrorNote({ error, id }: { error: string | null; id?: string }) {
  return error ? <p class="error" id={id} role="alert">{error}</p> : null;
}

export function Toasts() {
  const [items, setItems] = useState<Toast[]>([]);
  useEffect(() => subscribe(setItems), []);
  if (!items.length) return null;
  return (
    <div class="toasts" id="toasts" aria-live="polite">
      {items.map((t) => (
        <div class={`toast ${t.kind}`} data-toast={t.id}>
          <span>{t.text}</span>
          {t.action && <button class="toast-action" onClick={() => { dismiss(t.id); t.action!.run(); }}>{t.action.label}</button>}
          <button class="toast-close" aria-label="dismiss" onClick={() => dismiss(t.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
