// Plaintext on screen hides itself: one timeout for every reveal (the Value tab, an old version
// in History, a diff), so no value stays in the page because the user looked away.
import { useEffect, useRef, useState } from 'preact/hooks';

export const REVEAL_SECS = 20;

/** Runs `hide` REVEAL_SECS after `shown` becomes non-null (each new `shown` starts again) and
 *  returns the seconds left, for the Hide button. */
export function useAutoHide(shown: unknown, hide: () => void): number {
  const [left, setLeft] = useState(0);
  // The latest `hide`, so the timer never calls one from an earlier render.
  const latest = useRef(hide);
  latest.current = hide;
  useEffect(() => {
    if (shown === null) return;
    let n = REVEAL_SECS;
    setLeft(n);
    const t = setInterval(() => {
      n -= 1;
      setLeft(n);
      if (n <= 0) { clearInterval(t); latest.current(); }
    }, 1000);
    return () => clearInterval(t);
  }, [shown]);
  return left;
}
