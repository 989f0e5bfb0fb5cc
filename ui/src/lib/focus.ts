// Coming back to the window: the command line is the usual reason to have left it, so a view that
// shows the vault reads it again (the list, an open secret).
import { useEffect, useRef } from 'preact/hooks';

/** Calls `f` (its latest version) on window focus and when the page is shown again, while `active`. */
export function useOnReturn(f: () => void, active = true) {
  const latest = useRef(f);
  latest.current = f;
  useEffect(() => {
    if (!active) return;
    const back = () => { if (document.visibilityState !== 'hidden') latest.current(); };
    window.addEventListener('focus', back);
    document.addEventListener('visibilitychange', back);
    return () => { window.removeEventListener('focus', back); document.removeEventListener('visibilitychange', back); };
  }, [active]);
}
