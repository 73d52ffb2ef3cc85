// Small React hooks shared by the console: translation bound to the store's language, the API
// (null when there is none, e.g. in component tests), and an element's measured width.
import {
  createContext,
  useCallback,
  useContext,
  useLayoutEffect,
  useState,
  type RefObject,
} from 'react';
import { translate, type T } from '../i18n';
import { useApp } from '../store';
import { selectLanguage } from '../store/selectors';
import type { PeaklineApi } from '../api/types';

/** The translate function for the current language. */
export function useT(): T {
  const lang = useApp(selectLanguage);
  return useCallback((key, vars) => translate(lang, key, vars), [lang]);
}

/** The API object, provided once at the root. */
export const ApiContext = createContext<PeaklineApi | null>(null);

/** The API of the shell this page runs in, or null. */
export function useApi(): PeaklineApi | null {
  return useContext(ApiContext);
}

/** Width of the element in CSS pixels, following resizes (`fallback` where it cannot measure). */
export function useWidth(ref: RefObject<HTMLElement | null>, fallback = 600): number {
  const [w, setW] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const cw = el.clientWidth;
      if (cw > 0) setW(cw);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}
