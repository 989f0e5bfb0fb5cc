// The width or height of an element, kept current by a ResizeObserver.
import { type RefObject } from 'preact';
import { useLayoutEffect, useState } from 'preact/hooks';

export function useSize(ref: RefObject<HTMLElement>, measure: (el: HTMLElement) => number, initial: number): number {
  const [size, setSize] = useState(initial);
  useLayoutEffect(() => {
    const el = ref.current!;
    setSize(measure(el) || initial);
    const ro = new ResizeObserver(() => setSize(measure(el) || initial));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return size;
}

/** Focuses the element once, as it mounts (the `autofocus` attribute acts later, and can steal
 *  focus from a field the user already moved to). */
export function useFocusOnMount(ref: RefObject<HTMLElement>) {
  useLayoutEffect(() => ref.current?.focus(), []);
}
